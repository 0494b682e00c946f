"""HTML reader: find the report inside a saved government web page and read it as blocks.

A saved page is mostly menus, scripts and footers around one article. The whole page is walked
once into paragraphs and leaf tables; the report body is then the smallest element holding the
most of the six standard section headings and data tables, and only its blocks are kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import lxml.html
from lxml import etree

from ..document import Block, Cell, Document, ReadError, Table
from ..sections.rules import numbered_section
from ..template.metadata import TITLE
from ..template.normalize import squash
from . import images

_PARSER = lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=False,
                               remove_comments=True, remove_pis=True)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gb2312", "gbk", "x-gbk", "gb18030", "cp936", "euc-cn", "hz-gb-2312"}

_BLOCK = frozenset("""p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote section article main aside
    center pre address form fieldset figure figcaption table thead tbody tfoot tr td th caption hr
    body html""".split())
_DROP = frozenset("""script style noscript template nav iframe frame object embed select option button
    input textarea svg canvas map audio video head title""".split())
_CHROME = frozenset({"header", "footer"})  # page chrome, unless inside an <article>/<main>
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_COLS, _MAX_CELLS = 100, 10000
_WS = re.compile(r"\s+")  # \s covers &nbsp; (U+00A0) and the ideographic space
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
_ALIGN_STYLE = re.compile(r"text-align\s*:\s*(\w+)", re.I)

_YMD = r"\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
# A bare 时间/日期 label must start a field ("统计时间：…" in a sentence is not the page's date),
# unless the line is the page's info line, which also names the source ("来源：…时间：…").
_DATE = re.compile(r"(?:发布日期|发布时间|发文日期|(?<![^\s|｜])(?:时间|日期))" + _YMD)
_INFO_DATE = re.compile(r"(?:日期|时间)" + _YMD)
_SOURCE = re.compile(r"(?<![^\s|｜])(?:信息来源|来源)\s*[:：]\s*"
                     r"([^\s|｜]+?)(?=[\s|｜]|发布|时间|日期|作者|字号|浏览|点击|$)")
_META_DATES = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "article:published_time")
_META_SOURCES = ("contentsource", "source")


def read(path) -> Document:
    p = Path(path)
    text, encoding, lossy = decode(p.read_bytes())
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError) as e:
        raise ReadError("error", f"{p.name} 不是可读取的网页：{e}") from e
    warnings = [f"{p.name} 的字符编码无法确定，按 {encoding} 读取，部分字符可能是乱码"] if lossy else []
    body = root.find("body")
    entries = _walk(body if body is not None else root, lambda el: images.html_picture(el, p))
    container = _body_container(entries)
    if container is None:
        attachments = _attachments(body if body is not None else root)
        # A page that prints a text of its own (a report under unusual headings) is read as it is.
        prose = sum(1 for x, _, _ in entries if isinstance(x, str) and len(x) >= 100)
        if attachments and prose < 5:
            # Neither headings nor tables, but links to documents: the report is the attachment.
            names = "、".join(a.name for a in attachments)
            raise ReadError("attachment", f"{p.name} 的正文没有报告内容，只有附件链接，报告在附件中：{names}"
                                          "（把附件文件放在同一文件夹中即可一并审核）")
        kept = entries
        warnings.append("未在网页中找到报告正文（没有标准章节标题或数据表），保留了整页文字")
    else:
        kept = [e for e in entries if _inside(e[2], container)]
        kept = _with_title(entries, kept)
    kept = _join_split_tables(kept)
    pictures = images.Pictures(p.name)  # tables printed as pictures: read by OCR there
    blocks = pictures.into_blocks([x if isinstance(x, images.Picture) else Block(kind="table", table=x)
                                   if isinstance(x, Table) else Block(kind="paragraph", text=x, hints=h)
                                   for x, h, _ in kept])
    warnings += pictures.warnings
    return Document(path=str(p), format="html", blocks=blocks, meta=_page_meta(root, entries) | pictures.meta(),
                    warnings=warnings, notices=pictures.notices)


def decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, lossy). BOM first; then UTF-8 if the bytes are valid UTF-8 (saved pages often
    keep a stale GBK <meta> after being re-encoded); then the declared charset; then GB18030."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc, False
    m = _META_CHARSET.search(data[:16384])
    declared = m.group(1).decode("ascii").lower() if m else None
    for enc in ("utf-8", "gb18030" if declared in _GB else declared, "gb18030"):
        if not enc:
            continue
        try:
            return data.decode(enc), enc, False
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace"), "gb18030", True


# ---------------------------------------------------------------- walking the page into blocks

class _Ctx:
    """What a piece of text inherits from the elements around it."""
    __slots__ = ("block", "center", "bold", "article", "heading")

    def __init__(self, block, center=False, bold=False, article=False, heading=False):
        self.block, self.center, self.bold, self.article, self.heading = block, center, bold, article, heading


def _walk(root, picture=None) -> list[tuple]:
    """Blocks in document order as (paragraph text or Table, hints, element it came from).
    Iterative, so a deeply nested page cannot exhaust the Python stack."""
    out: list[tuple] = []
    buf: list[tuple[str, _Ctx]] = []

    def flush():
        if not buf:
            return
        text = _WS.sub(" ", "".join(t for t, _ in buf)).strip()
        pieces = [c for t, c in buf if t.strip()]  # hints come from the text that prints
        buf.clear()
        if not text:
            return
        first = pieces[0]
        hints: dict = {}
        if first.block.tag in _HEADINGS:
            hints["tag"] = first.block.tag
        if first.center:
            hints["align"] = "center"
        if all(c.bold for c in pieces):
            hints["bold"] = True
        out.append((text, hints, first.block))

    stack: list[tuple] = [(root, _Ctx(root), False)]
    while stack:
        item, ctx, closing = stack.pop()
        if isinstance(item, str):
            buf.append((item, ctx))
            continue
        if closing:
            flush()
            continue
        el = item
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if el is not root and el.tail:
            stack.append((el.tail, ctx, False))
        if not tag or tag in _DROP or (tag in _CHROME and not ctx.article):
            continue
        if tag == "br":
            if not ctx.heading:  # a title broken over two lines is still one heading
                flush()
            continue
        if tag == "img" and picture is not None:
            pic = picture(el)  # a local picture big enough to be a table (images.py)
            if pic is not None:
                flush()
                out.append((pic, {}, el))
            continue
        if tag == "table":
            table = _data_table(el)
            if table is not None:
                flush()
                out.append((table, {}, el))
                continue
        inner = _inner_ctx(el, tag, ctx)
        if tag in _BLOCK:
            flush()
            stack.append((el, inner, True))
        stack.extend((child, inner, False) for child in reversed(el))
        if el.text:
            stack.append((el.text, inner, False))
    flush()
    return out


def _inner_ctx(el, tag: str, ctx: _Ctx) -> _Ctx:
    style = el.get("style") or ""
    align = el.get("align")
    if not (style or align or tag in _BLOCK or tag in ("b", "strong")):
        return ctx  # most inline elements change nothing
    align = (align or "").lower()
    m = _ALIGN_STYLE.search(style) if "align" in style else None
    if m:
        align = m.group(1).lower()
    center = tag == "center" or align == "center" or (ctx.center and not align)
    bold = ctx.bold or tag in ("b", "strong") or ("weight" in style and bool(_BOLD_STYLE.search(style)))
    return _Ctx(el if tag in _BLOCK else ctx.block, center, bold,
                ctx.article or tag in ("article", "main"), ctx.heading or tag in _HEADINGS)


def _data_table(el) -> Table | None:
    """A leaf table with a real grid; None for page-layout tables (nested tables, a single
    column, or a section heading inside a cell) and for grids no report prints (wider than
    _MAX_COLS or bigger than _MAX_CELLS, which also bounds the work on hostile spans); their
    content is walked as ordinary blocks."""
    if el.find(".//table") is not None:
        return None
    cells: list[Cell] = []
    busy: dict[int, int] = {}  # grid column -> first row not covered by a rowspan from above
    rows = list(el.iter("tr"))
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while busy.get(c, 0) > r:
                c += 1
            rs = min(_span(td.get("rowspan")), len(rows) - r)
            cs = _span(td.get("colspan"))
            if c + cs > _MAX_COLS or len(cells) >= _MAX_CELLS:
                return None
            text = _cell_text(td)
            if any(numbered_section(line) for line in text.split("\n")):
                return None
            cells.append(Cell(row=r, col=c, text=text, rowspan=rs, colspan=cs))
            for k in range(c, c + cs):
                busy[k] = r + rs
            c += cs
    n_cols = max((c.col + c.colspan for c in cells), default=0)
    if n_cols < 2:
        return None
    return Table(cells=cells, n_rows=len(rows), n_cols=n_cols)


# A note printed between the pieces of a table cut by a page break: 续表 / （续表二） / 表三（续）.
_CONTINUED = re.compile(r"^[（(]?(?:续表|续上表|接上表)[一二三四五六七八九十\d]*[)）]?[:：]?$"
                        r"|^表[一二三四五六七八九十\d]+[（(]续[)）]$")


def _join_split_tables(entries: list[tuple]) -> list[tuple]:
    """One Table for a table printed as several <table>s one after the other, with nothing but a
    续表 note between: header rows in one and body rows in the next, or a Word page break cutting
    the body (the pieces of a table continued over a page break are one table, as in a PDF)."""
    out: list[tuple] = []
    last = None  # index in out of the Table that only notes follow so far
    for e in entries:
        x = e[0]
        if isinstance(x, Table) and last is not None:
            joined = _join(out[last][0], x)
            if joined is not None:
                out[last] = (joined,) + out[last][1:]
                del out[last + 1:]  # the notes between the pieces
                continue
        if isinstance(x, str) and last is not None and _CONTINUED.match(squash(x)):
            out.append(e)
            continue
        out.append(e)
        last = len(out) - 1 if isinstance(x, Table) else None
    return out


def _join(a: Table, b: Table) -> Table | None:
    """b below a, or None when b cannot be a's continuation. b's first rows may lack a's leftmost
    columns only where a's cells run down to its last row (group labels cut by the break, not
    repeated): those rows are right-aligned and the group cells extended over them, as if the
    table had been printed in one piece."""
    if b.n_cols > a.n_cols:
        return None
    width = [0] * b.n_rows  # grid positions each row of b fills
    for c in b.cells:
        for r in range(c.row, min(c.row + c.rowspan, b.n_rows)):
            width[r] = max(width[r], c.col + c.colspan)
    cuts: list[int] = []  # columns missing from each of b's first rows, never more further down
    for w in width:
        if w >= a.n_cols or (cuts and a.n_cols - w > cuts[-1]):
            break
        cuts.append(a.n_cols - w)
    reaching = [c for c in a.cells if c.row + c.rowspan >= a.n_rows and c.rowspan > 1]
    ext = {id(c): sum(1 for k in cuts if k >= c.col + c.colspan) for c in reaching}
    for i, k in enumerate(cuts):  # every missing column is a group cell extended over the row
        if any(not any(c.col <= j < c.col + c.colspan and ext[id(c)] > i for c in reaching)
               for j in range(k)):
            return None
    cells = [replace(c, rowspan=c.rowspan + ext[id(c)]) if ext.get(id(c)) else c for c in a.cells]
    cells += [replace(c, row=c.row + a.n_rows, col=c.col + (cuts[c.row] if c.row < len(cuts) else 0))
              for c in b.cells]
    return Table(cells=cells, n_rows=a.n_rows + b.n_rows, n_cols=a.n_cols, page=a.page, bbox=a.bbox)


def _cell_text(td) -> str:
    """A cell's lines (split at <p>, <br> and other block tags) joined by newlines; a lean copy of
    _walk without hints, as the cells are most of a report's elements."""
    lines: list[str] = []
    cur: list[str] = []
    stack: list = [td]
    while stack:
        x = stack.pop()
        if x is None:  # a line break
            if cur:
                lines.append(_WS.sub(" ", "".join(cur)).strip())
                cur.clear()
        elif isinstance(x, str):
            cur.append(x)
        else:
            tag = x.tag.lower() if isinstance(x.tag, str) else ""
            if x is not td and x.tail:
                stack.append(x.tail)
            if not tag or tag in _DROP:
                continue
            if tag == "br" or tag in _BLOCK:
                stack.append(None)
            if tag != "br":
                stack.extend(reversed(x))
                if x.text:
                    stack.append(x.text)
                if tag in _BLOCK:
                    stack.append(None)
    if cur:
        lines.append(_WS.sub(" ", "".join(cur)).strip())
    return "\n".join(line for line in lines if line)


def _span(value) -> int:
    """rowspan/colspan as printed; missing, 0 or junk count as 1."""
    try:
        return max(1, int(str(value).strip()))
    except ValueError:
        return 1


# ---------------------------------------------------------------- finding the report body

def _body_container(entries):
    """The smallest element holding the most section headings and data tables (up to 3), and
    more than one block: a heading's own <p> is not the body."""
    heads: dict = {}
    tables: dict = {}
    blocks: dict = {}
    for x, _, el in entries:
        n = numbered_section(x) if isinstance(x, str) else None
        for anc in _self_and_ancestors(el):
            blocks[anc] = blocks.get(anc, 0) + 1
            if isinstance(x, Table):
                tables[anc] = tables.get(anc, 0) + 1
            elif n:
                heads.setdefault(anc, set()).add(n)
    score = {el: len(heads.get(el, ())) + min(tables.get(el, 0), 3)
             for el in heads.keys() | tables.keys() if blocks[el] > 1}
    best = max(score.values(), default=0)
    if best == 0:
        return None
    # Among the best-scoring elements the smallest is the deepest one.
    return max((el for el, s in score.items() if s == best), key=lambda el: sum(1 for _ in el.iterancestors()))


def _self_and_ancestors(el):
    yield el
    yield from el.iterancestors()


def _inside(el, container) -> bool:
    return el is container or any(a is container for a in el.iterancestors())


def _with_title(entries, kept):
    """Prepend the report title when the page prints it above the body (as an article heading)."""
    if not kept or any(isinstance(x, str) and _is_title(x) for x, _, _ in kept[:5]):
        return kept
    first = next(i for i, e in enumerate(entries) if e is kept[0])
    for e in reversed(entries[:first]):
        if isinstance(e[0], str) and _is_title(e[0]) and not _is_link(e[0], e[2]):
            return [e] + kept
    return kept


def _is_link(text: str, el) -> bool:
    """text is a link of el (a 相关报告 list names other years' reports; it is not the title)."""
    return any(_WS.sub(" ", a.text_content()).strip() == text for a in el.iter("a"))


def _is_title(text: str) -> bool:
    """A report title as metadata reads it (template/metadata.py)."""
    return len(text) <= 80 and bool(TITLE.match(squash(text)))


# ---------------------------------------------------------------- attachment pages

_ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".ofd")
_ATTACHMENT_LABEL = re.compile(r"^(?:相关)?附件\s*[0-9一二三四五六七八九十]*\s*[:：.、]?\s*")


@dataclass(frozen=True)
class Attachment:
    name: str  # the file as the page names it (the link's text, else the last part of its href)
    files: tuple[str, ...]  # file names it may have been saved under (link text's, href's)


def attachment_links(path) -> list[Attachment]:
    """The documents a saved page links to from its content (not from menus or page chrome)."""
    text, _, _ = decode(Path(path).read_bytes())
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return []
    body = root.find("body")
    return _attachments(body if body is not None else root)


def _attachments(root) -> list[Attachment]:
    out: dict[str, Attachment] = {}
    for a in root.iter("a", "iframe", "embed", "object"):
        if any(isinstance(x.tag, str) and (x.tag.lower() in _DROP or x.tag.lower() in _CHROME)
               for x in a.iterancestors()):
            continue
        embedded = a.tag != "a"  # a document shown in the page (a PDF viewer): the report itself
        href = _document_path(a.get("data") if a.tag == "object" else a.get("src") if embedded else a.get("href"))
        href_name = href.replace("\\", "/").rsplit("/", 1)[-1].strip()
        label = "" if embedded else _ATTACHMENT_LABEL.sub("", _WS.sub(" ", a.text_content()).strip())
        suffix = next((x for x in _ATTACHMENT_SUFFIXES if href_name.lower().endswith(x)), None)
        if label.lower().endswith(_ATTACHMENT_SUFFIXES):
            name, files = label, (label, href_name) if suffix else (label,)
        elif suffix:
            # <a href="/u/8f3e.pdf">某某年度报告</a>: saved as the href's name or as the text's.
            name = f"{label}（{href_name}）" if label else href_name
            files = (href_name, label + suffix) if label else (href_name,)
        else:
            continue
        # The report, not any document the page links to (a menu's 公开指南.pdf): it says 附件
        # around the link, or its name says 报告.
        block = next((x for x in a.iterancestors() if isinstance(x.tag, str) and x.tag.lower() in _BLOCK), a)
        if not embedded and "附件" not in block.text_content() and not any("报告" in f or "年报" in f for f in files):
            continue
        out.setdefault(name, Attachment(name, tuple(dict.fromkeys(files))))
    return list(out.values())


def _document_path(url) -> str:
    """The path a link or viewer names; a viewer's document is in its query (viewer.html?file=…)."""
    parts = urlsplit((url or "").strip())
    path = unquote(parts.path)
    if not path.lower().endswith(_ATTACHMENT_SUFFIXES):
        for value in parse_qs(parts.query).values():
            if value and unquote(value[0]).split("?")[0].lower().endswith(_ATTACHMENT_SUFFIXES):
                return unquote(value[0]).split("?")[0]
    return path


# ---------------------------------------------------------------- the page's own facts

def _page_meta(root, entries) -> dict:
    """The page's date and source lines ("时间：2025-03-10 15:35", "来源：…"), else its <meta> tags;
    and its <title> (metadata falls back on it when the body prints no title line)."""
    meta: dict = {}
    title = root.find(".//title")
    if title is not None and _WS.sub(" ", title.text_content()).strip():
        meta["page_title"] = _WS.sub(" ", title.text_content()).strip()
    for x, _, _ in entries:
        if not isinstance(x, str) or len(x) > 120:
            continue
        source = _SOURCE.search(x)
        if source and "page_source" not in meta:
            meta["page_source"] = source.group(1)
        m = (_INFO_DATE if source else _DATE).search(x)
        if m and _iso(*m.groups()) and "page_date" not in meta:
            meta["page_date"] = _iso(*m.groups())
    tags = {(el.get("name") or el.get("property") or "").lower(): (el.get("content") or "").strip()
            for el in root.iter("meta")}
    if "page_date" not in meta:
        for name in _META_DATES:
            m = re.match(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", tags.get(name, ""))
            if m and _iso(*m.groups()):
                meta["page_date"] = _iso(*m.groups())
                break
    if "page_source" not in meta:
        source = next((tags[n] for n in _META_SOURCES if tags.get(n)), None)
        if source:
            meta["page_source"] = source
    return meta


def _iso(y: str, m: str, d: str) -> str | None:
    if 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
        return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
    return None
