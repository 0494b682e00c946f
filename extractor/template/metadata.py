"""Report metadata: title, issuer, report year, statistics period, published date."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Optional

from ..document import Document
from ..narrative.numbers import cn_to_int
from .normalize import squash


TITLE = re.compile(r"^(?P<pre>[^。，；]{0,30}?)(?P<year>(?:19|20)\d{2})年(?:度)?(?P<mid>[^。，；]{0,30}?)"
                   r"(?:政府信息公开|政务公开)[^。，；]{0,6}年度报告$")
YEAR_DIGITS = r"(?:19|20)\d{2}"
_YEAR_CN = r"[〇○零一二三四五六七八九OＯ]{4}"
_MD_CN = r"[一二三四五六七八九十]{1,3}"
DATE = re.compile(
    rf"(?P<y>{YEAR_DIGITS}|{_YEAR_CN})\s*年\s*(?P<m>\d{{1,2}}|{_MD_CN})\s*月\s*(?P<d>\d{{1,2}}|{_MD_CN})\s*日")
# A printed date range (2023年1月1日至12月31日); the statistics period is the one after 统计期限.
# One definition: the date checks (checks/dates.py) read ranges with it too.
DATE_RANGE = (r"(?P<y1>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日\s*(?:起)?\s*"
              r"(?:至|到|—|－|-|~|～)\s*(?:(?P<y2>\d{4})\s*年)?\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日")
PERIOD = re.compile(r"统计期限?(?:为|是|自|从)?\s*" + DATE_RANGE)
RANGE = re.compile(DATE_RANGE)


def range_dates(m: re.Match) -> Optional[tuple[date, date]]:
    """The (start, end) of a DATE_RANGE match; None for a day the calendar does not have."""
    try:
        start = date(int(m["y1"]), int(m["m1"]), int(m["d1"]))
        end = date(int(m["y2"] or m["y1"]), int(m["m2"]), int(m["d2"]))
    except ValueError:
        return None  # a misprinted day is not a period we can read
    return start, end


def _cn_number(s: str) -> int:
    """A date part in Arabic or Chinese numerals (二〇二四, 十二, 三十一); the letter O printed
    for 〇 in years counts as zero."""
    if s.isdigit():
        return int(s)
    n = cn_to_int(s.replace("O", "〇").replace("Ｏ", "〇"))
    if n is None:
        raise ValueError(s)
    return n


def parse_date(text: str) -> Optional[str]:
    """The first date in text as ISO, or None (Arabic or Chinese numerals)."""
    m = DATE.search(text)
    if not m:
        return None
    try:
        y, mo, d = _cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"])
    except (KeyError, ValueError):
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


# A page's <title> often adds the site after a separator: "…年度报告_某某县人民政府门户网站".
_TITLE_PARTS = re.compile(r"\s*(?:[_|｜]|\s[-—–]+\s|——|--)\s*")
# The signer printed above the signature date names the issuer when nothing else does.
_SIGNER = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}(?:人民政府|办公室|办公厅|委员会|局|厅|委|办|院|署|中心|办事处|管委会)$")
_ISO_LINE = re.compile(r"(?:发布日期|发布时间|成文日期|日期)[:：](?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")


@dataclass
class Metadata:
    title: Optional[str] = None
    issuer: Optional[str] = None
    report_year: Optional[int] = None
    period: Optional[tuple[str, str]] = None
    period_text: Optional[str] = None
    period_page: Optional[int] = None
    published: Optional[str] = None
    published_source: Optional[str] = None  # signature | date_line | page_date
    published_text: Optional[str] = None  # the printed evidence, quoted by the date checks
    published_page: Optional[int] = None
    title_source: Optional[str] = None  # body | page_title (the page's <title>)
    year_source: Optional[str] = None  # title | period (the statistics period is one calendar year)


def _issuer_from(prefix: str) -> Optional[str]:
    s = squash(prefix).strip("《》“”\"")
    return s if len(s) >= 2 else None


def extract_metadata(doc: Document) -> Metadata:
    meta = Metadata()
    blocks = doc.paragraphs
    paras = [squash(b.text) for b in blocks]
    # Title: the first paragraph naming the annual report, possibly printed over two or three
    # lines; the issuer stands before the year or between the year and 政府信息公开.
    for i in range(min(len(paras), 12)):
        for n in (1, 2, 3):
            title = "".join(paras[i:i + n])
            m = TITLE.match(title)
            if m:
                break
        else:
            continue
        meta.title, meta.report_year = title, int(m["year"])
        meta.title_source = meta.year_source = "body"
        meta.issuer = _issuer_from(m["pre"]) or _issuer_from(m["mid"])
        if meta.issuer is None and i > 0 and len(paras[i - 1]) <= 30:
            meta.issuer = _issuer_from(paras[i - 1])
            if meta.issuer:
                meta.title = paras[i - 1] + title
        break
    if meta.title is None and doc.meta.get("page_title"):
        # A saved page whose body starts with the text: its <title> names the report.
        for part in _TITLE_PARTS.split(doc.meta["page_title"]) + [doc.meta["page_title"]]:
            m = TITLE.match(squash(part))
            if m:
                meta.title, meta.report_year = squash(part), int(m["year"])
                meta.title_source = meta.year_source = "page_title"
                meta.issuer = _issuer_from(m["pre"]) or _issuer_from(m["mid"])
                break
    if meta.issuer is None and doc.meta.get("page_source"):
        meta.issuer = _issuer_from(doc.meta["page_source"])
    for p, block in zip(paras, blocks):
        m = PERIOD.search(p)
        dates = range_dates(m) if m else None
        if dates:
            meta.period = (dates[0].isoformat(), dates[1].isoformat())
            meta.period_text = _sentence_around(p, m.start(), m.end())
            meta.period_page = block.page
            break
    if meta.report_year is None and meta.period and meta.period[0][:4] == meta.period[1][:4] \
            and meta.period[0][4:] == "-01-01" and meta.period[1][4:] == "-12-31":
        # No title names the year, but the statistics period is exactly one calendar year.
        meta.report_year, meta.year_source = int(meta.period[0][:4]), "period"
    # Published: a date printed on its own line (signature block) among the last paragraphs.
    for k in range(len(paras) - 1, max(len(paras) - 8, 0) - 1, -1):
        p, block = paras[k], blocks[k]
        if len(p) <= 40 and DATE.search(p) and DATE.search(p).end() >= len(p) - 1:
            rest = DATE.sub("", p)
            if len(rest) <= 30:
                meta.published = parse_date(p)
                meta.published_source, meta.published_text, meta.published_page = "signature", p, block.page
                signer = rest or (paras[k - 1] if k > 0 else "")
                if meta.issuer is None and _SIGNER.match(signer):
                    meta.issuer = signer
                break
    if meta.published is None:
        # A date line printed under the title of a web page: 发布日期：2020-01-31
        for p, block in list(zip(paras, blocks))[:12]:
            m = _ISO_LINE.search(p)
            if m:
                meta.published = f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
                meta.published_source, meta.published_text, meta.published_page = "date_line", m.group(0), block.page
                break
    if meta.published is None and doc.meta.get("page_date"):
        meta.published = doc.meta["page_date"]
        meta.published_source = "page_date"
        meta.published_text = f"网页日期：{doc.meta['page_date']}"
    return meta


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of text that holds text[start:end] (sentences end at 。；)."""
    left = max(text.rfind(c, 0, start) for c in "。；") + 1
    rights = [i for i in (text.find(c, end) for c in "。；") if i >= 0]
    return text[left:min(rights) if rights else len(text)]
