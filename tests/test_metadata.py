"""Report metadata from what the document prints (issue 13.7): when the body has no title line, the
issuer and year come from a saved page's <title>, the statistics period or the signature."""
import json
import re

import pytest

from conftest import ROOT
from extractor.document import Block, Document
from extractor.pipeline import extract
from extractor.template.metadata import extract_metadata

SAMPLE = ROOT / "corpus" / "sample-03-districtgov-2022.html"  # 青禾市桐湾区人民政府, 2022
GOLD = json.loads((ROOT / "corpus" / "sample-03-districtgov-2022.json").read_text())


def _page(tmp_path, name: str, *subs: tuple[str, str]):
    html = SAMPLE.read_text(encoding="utf-8")
    for pattern, repl in subs:
        html, n = re.subn(pattern, repl, html, flags=re.S)
        assert n, pattern
    f = tmp_path / name
    f.write_text(html, encoding="utf-8")
    return f


NO_TITLE_LINE = (r"<h1>.*?</h1>", "")


def _errors(report) -> list[str]:
    return sorted(f.check for f in report.flags if f.severity != "info")


def test_page_without_title_line_takes_title_from_page_title(tmp_path):
    f = _page(tmp_path, "page.html", NO_TITLE_LINE,
              (r"<title>.*?</title>", "<title>青禾市桐湾区人民政府2022年政府信息公开工作年度报告_政府信息公开年报_"
                                      "青禾市桐湾区人民政府门户网站</title>"))
    report = extract(f)
    assert "青禾市桐湾区人民政府2022年政府信息公开工作年度报告" not in [p.text for p in report.paragraphs]
    assert (report.issuer, report.report_year, report.title) == (
        GOLD["issuer"], 2022, "青禾市桐湾区人民政府2022年政府信息公开工作年度报告")
    assert {k: c.value for k, c in report.cells.items()} == GOLD["cells"]
    assert report.status == "ok" and _errors(report) == []


def test_page_with_nothing_but_the_text_takes_year_from_period_and_issuer_from_signature(tmp_path):
    """No title line, a site-only <title>, no 来源 line: the statistics period (one calendar year)
    gives the year and the signer above the date the issuer."""
    f = _page(tmp_path, "page.html", NO_TITLE_LINE,
              (r"<title>.*?</title>", "<title>政务公开_青禾市桐湾区人民政府门户网站</title>"),
              (r'<div class="meta">.*?</div>', ""))
    report = extract(f)
    assert (report.issuer, report.report_year, report.published) == (GOLD["issuer"], 2022, GOLD["published"])
    assert report.title is None
    assert report.period == ("2022-01-01", "2022-12-31")
    assert report.status == "ok" and _errors(report) == []


def _doc(*texts, **meta) -> Document:
    return Document(path="x.html", format="html", blocks=[Block(kind="paragraph", text=t) for t in texts],
                    meta=meta)


@pytest.mark.parametrize("page_title,want", [
    ("某某县人民政府2023年政府信息公开工作年度报告", ("某某县人民政府", 2023)),
    ("某某县人民政府2023年政府信息公开工作年度报告 - 某某县人民政府网", ("某某县人民政府", 2023)),
    ("首页｜2024年某某市教育局政府信息公开工作年度报告", ("某某市教育局", 2024)),
    ("某某县人民政府门户网站", (None, None)),
])
def test_title_from_page_title(page_title, want):
    meta = extract_metadata(_doc("一、总体情况", "正文。", page_title=page_title))
    assert (meta.issuer, meta.report_year) == want
    assert meta.title_source == ("page_title" if want[1] else None)


def test_body_title_wins_over_page_title():
    meta = extract_metadata(_doc("某某局2023年政府信息公开工作年度报告", "一、总体情况",
                                 page_title="某某县2022年政府信息公开工作年度报告"))
    assert (meta.issuer, meta.report_year, meta.title_source) == ("某某局", 2023, "body")


@pytest.mark.parametrize("period,year", [
    ("本报告中所列数据的统计期限为2023年1月1日至12月31日。", 2023),
    ("本报告所列数据统计期限自2023年1月1日起至2023年12月31日止。", 2023),
    ("本报告统计期限为2023年7月1日至2024年6月30日。", None),  # not one calendar year: no year
])
def test_year_from_statistics_period(period, year):
    meta = extract_metadata(_doc("一、总体情况", period))
    assert meta.report_year == year
    assert meta.year_source == ("period" if year else None)


@pytest.mark.parametrize("signer,issuer", [
    ("某某市教育局", "某某市教育局"),
    ("某某县人民政府办公室", "某某县人民政府办公室"),
    ("特此报告。", None),  # a sentence, not a signer
    ("联系电话：0000-1234567", None),
])
def test_issuer_from_signature(signer, issuer):
    meta = extract_metadata(_doc("一、总体情况", "正文。", signer, "2024年1月20日"))
    assert meta.published == "2024-01-20"
    assert meta.issuer == issuer
