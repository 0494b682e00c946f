"""HTML reader: the report body inside saved government pages, tables with spans, page facts."""
import json
from pathlib import Path

import pytest

from extractor.readers import html as reader

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HEADINGS = ("一、", "二、", "三、", "四、", "五、", "六、")
T3_KEYS = [f"t3.{g}.{r}" for g in ("review", "lit_direct", "lit_after_review")
           for r in ("upheld", "corrected", "other", "pending", "total")]
T2_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")


def gold(rel: str) -> dict:
    return json.loads((CORPUS / rel).read_text(encoding="utf-8"))


def printed(value) -> str:
    """A gold value as the cell prints it (null = empty cell)."""
    return "" if value is None else str(value)


def section_headings(doc) -> list[str]:
    """Paragraph blocks that are exactly one of the six standard headings."""
    return [b.text for b in doc.paragraphs if b.text.startswith(HEADINGS) and len(b.text) <= 40
            and not b.text.startswith(("一、本年", "二、上年", "三、本年", "四、结转"))]


def row_starting(table, label: str) -> list[str]:
    for row in table.text_rows():
        if row[0] == label:
            return row
    raise AssertionError(f"no row {label!r}")


@pytest.fixture(scope="module")
def pingtan():
    return reader.read(CORPUS / "real" / "pingtan-2024.html")


@pytest.fixture(scope="module")
def shanghai():
    return reader.read(CORPUS / "real" / "shanghai-office-2019.html")


@pytest.mark.shared
def test_pingtan_table_shapes(pingtan):
    t1, t2, t3 = pingtan.tables
    assert (t1.n_rows, t1.n_cols) == (14, 4)
    assert (t2.n_rows, t2.n_cols) == (28, 10)
    assert (t3.n_rows, t3.n_cols) == (4, 15)
    group = [c for c in t2.cells if c.text.replace("\n", "") == "三、本年度办理结果"]
    assert len(group) == 1 and group[0].rowspan == 22 and group[0].col == 0
    other = next(c for c in t2.cells if c.text == "（六）其他处理")
    assert other.rowspan == 3
    note = t2.cells[0]
    assert note.text.startswith("（本列数据的勾稽关系为") and (note.rowspan, note.colspan) == (3, 3)


@pytest.mark.shared
def test_pingtan_values_equal_gold(pingtan):
    g = gold("gold/pingtan-2024.json")["cells"]
    t1, t2, t3 = pingtan.tables
    assert t3.text_rows()[-1] == [printed(g[k]) for k in T3_KEYS]
    assert row_starting(t2, "一、本年新收政府信息公开申请数量")[3:] == [printed(g[f"t2.new.{c}"]) for c in T2_COLS]
    assert row_starting(t1, "行政事业性收费")[1] == "18651.06" == printed(g["t1.admin_fees.amount_wan"])
    # Wrapped header labels keep their line breaks; &nbsp; padding is gone.
    assert "商业\n企业" in [c.text for c in t2.cells]


@pytest.mark.shared
def test_pingtan_body_found_without_page_chrome(pingtan):
    texts = [b.text for b in pingtan.paragraphs]
    assert texts[0] == "平潭综合实验区2024年度政府信息公开工作年度报告"
    assert section_headings(pingtan) == [s["heading"] for s in gold("gold/pingtan-2024.json")["sections"]]
    joined = "\n".join(texts)
    for chrome in ("省人大", "QQ空间", "相关链接", "主办单位", "闽ICP备", "无障碍", "文件下载"):
        assert chrome not in joined
    assert texts[-1] == "2024年，无收取信息处理费情况。"
    kinds = [b.kind for b in pingtan.blocks]
    assert kinds.count("table") == 3


@pytest.mark.shared
def test_pingtan_page_meta(pingtan):
    assert pingtan.meta["page_date"] == gold("gold/pingtan-2024.json")["published"] == "2025-03-10"
    assert pingtan.meta["page_source"] == "平潭综合实验区管委会办公室"
    assert pingtan.format == "html" and pingtan.n_pages is None
    assert all(c.page is None and c.bbox is None for t in pingtan.tables for c in t.cells)


@pytest.mark.shared
def test_shanghai_blank_cells_are_empty(shanghai):
    g = gold("gold/shanghai-office-2019.json")["cells"]
    t1, t2, t3 = shanghai.tables
    assert (t2.n_rows, t2.n_cols) == (26, 10)
    assert t3.text_rows()[-1] == [printed(g[k]) for k in T3_KEYS]
    new = row_starting(t2, "一、本年新收政府信息公开申请数量")[3:]
    assert new == [printed(g[f"t2.new.{c}"]) for c in T2_COLS] == ["821", "35", "", "", "2", "1", "859"]
    group = next(c for c in t2.cells if c.text == "三、本年度办理结果")
    assert group.rowspan == 20
    assert row_starting(t1, "政府集中采购")[-1] == "251000元"
    assert "本年新\n制作数量" in [c.text for c in t1.cells]


@pytest.mark.shared
def test_shanghai_headings_and_date(shanghai):
    assert section_headings(shanghai) == [s["heading"] for s in gold("gold/shanghai-office-2019.json")["sections"]]
    title = shanghai.paragraphs[0]
    assert title.text == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert title.hints == {"align": "center", "bold": True}
    assert shanghai.meta["page_date"] == gold("gold/shanghai-office-2019.json")["published"]


@pytest.mark.shared
@pytest.mark.parametrize("stem", ["syn-02-street-2020", "syn-03-provincedept-2025",
                                  "syn-06-citygov-2024", "syn-10-countygov-2022"])
def test_synthetic_pages(stem):
    g = gold(f"synthetic/{stem}.json")
    doc = reader.read(CORPUS / "synthetic" / f"{stem}.html")
    assert len(doc.tables) == 3
    assert section_headings(doc) == [s["heading"] for s in g["sections"]]
    assert doc.tables[2].text_rows()[-1] == [printed(g["cells"][k]) for k in T3_KEYS]
    assert doc.meta.get("page_date") == g["published"]
    assert doc.paragraphs[0].hints.get("tag") == "h1"
    assert "互动交流" not in "\n".join(b.text for b in doc.paragraphs)  # site menu
    assert not any("网站标识码" in b.text for b in doc.paragraphs)  # footer


@pytest.mark.shared
@pytest.mark.parametrize("path", sorted((CORPUS / "unlabelled").glob("*.html")), ids=lambda p: p.stem)
def test_unlabelled_pages(path):
    doc = reader.read(path)
    assert len(doc.tables) >= 3
    heads = section_headings(doc)
    assert [h[:2] for h in heads] == list(HEADINGS), heads
    assert doc.meta["page_date"].startswith(("2020", "2023", "2024", "2026"))
    assert not doc.warnings


def test_gbk_page_with_meta_charset(tmp_path):
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
            '<body><p>一、总体情况</p><p>本年度收到申请3件。</p></body></html>')
    f = tmp_path / "gbk.html"
    f.write_bytes(html.encode("gbk"))
    doc = reader.read(f)
    assert [b.text for b in doc.paragraphs] == ["一、总体情况", "本年度收到申请3件。"]


def test_layout_tables_are_not_data_tables(tmp_path):
    rows = "".join(f"<tr><td>{label}</td><td>{n}</td></tr>" for label, n in (("规章", 1), ("行政规范性文件", 2)))
    html = f"""<html><body><table><tr><td>首页 | 政务公开</td></tr><tr><td>
        <table><tr><td>
          <p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p>
          <table border=1>{rows}</table>
          <p>六、其他需要报告的事项</p><p>无。<br>某某局<br>2024年1月20日</p>
        </td></tr></table></td></tr></table></body></html>"""
    f = tmp_path / "layout.html"
    f.write_text(html, encoding="utf-8")
    doc = reader.read(f)
    assert [b.kind for b in doc.blocks] == ["paragraph"] * 3 + ["table"] + ["paragraph"] * 4
    assert [b.text for b in doc.paragraphs][-3:] == ["无。", "某某局", "2024年1月20日"]
    assert doc.tables[0].text_rows() == [["规章", "1"], ["行政规范性文件", "2"]]
    assert "首页 | 政务公开" not in [b.text for b in doc.paragraphs]


def test_spans_and_nbsp(tmp_path):
    html = """<html><body><p>三、收到和处理政府信息公开申请情况</p><table>
      <tr><td rowspan=2 colspan=2>a</td><td>b</td></tr>
      <tr><td>&nbsp;</td></tr>
      <tr><td>c</td><td><p>&nbsp;</p></td><td>d<br>e</td></tr></table></body></html>"""
    f = tmp_path / "spans.html"
    f.write_text(html, encoding="utf-8")
    t = reader.read(f).tables[0]
    assert (t.n_rows, t.n_cols) == (3, 3)
    assert [(c.row, c.col, c.text, c.rowspan, c.colspan) for c in t.cells] == [
        (0, 0, "a", 2, 2), (0, 2, "b", 1, 1), (1, 2, "", 1, 1),
        (2, 0, "c", 1, 1), (2, 1, "", 1, 1), (2, 2, "d\ne", 1, 1)]


@pytest.mark.parametrize("body,meta", [
    ("<p>来源：某某局时间：2024-01-05</p>", {"page_source": "某某局", "page_date": "2024-01-05"}),
    ("<div>信息来源：某某局|发布日期：2024年1月5日|浏览次数：5</div>", {"page_source": "某某局", "page_date": "2024-01-05"}),
    ("<p>本报告统计时间：2023年1月1日至12月31日。</p>", {}),  # a sentence, not the page's date line
])
def test_page_info_line(tmp_path, body, meta):
    f = tmp_path / "info.html"
    f.write_text(f"<html><body>{body}<p>一、总体情况</p><p>正文。</p></body></html>", encoding="utf-8")
    assert reader.read(f).meta == meta


def test_meta_pubdate_fallback(tmp_path):
    f = tmp_path / "meta.html"
    f.write_text('<html><head><meta name="PubDate" content="2021-3-4 10:00"></head>'
                 "<body><p>一、总体情况</p><p>正文。</p></body></html>", encoding="utf-8")
    assert reader.read(f).meta == {"page_date": "2021-03-04"}


# ---------------------------------------------------------------- attachment pages (issue 13.8)

ATTACHMENT_PAGE = """<html><head><meta charset="utf-8">
<title>某某市人民政府2023年政府信息公开工作年度报告_某某市人民政府</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/files/guide.pdf">政府信息公开指南.pdf</a></div>
<div class="content"><h1>某某市人民政府2023年政府信息公开工作年度报告</h1>
<p>发布日期：2024-01-20 来源：某某市人民政府办公室</p>
<p>附件：<a href="/attach/2024/%E6%8A%A5%E5%91%8A.pdf">某某市人民政府2023年政府信息公开工作年度报告.pdf</a></p>
<p>附件2：<a href="/attach/2024/8f3e21.docx">统计表</a></p>
</div></body></html>"""


def test_attachment_page_names_its_attachments(tmp_path):
    from extractor.document import ReadError
    from extractor.pipeline import extract

    f = tmp_path / "page.html"
    f.write_text(ATTACHMENT_PAGE, encoding="utf-8")
    with pytest.raises(ReadError) as e:
        reader.read(f)
    assert e.value.status == "attachment"
    assert "附件" in e.value.message and "某某市人民政府2023年政府信息公开工作年度报告.pdf" in e.value.message
    assert "统计表（8f3e21.docx）" in e.value.message
    assert "指南" not in e.value.message  # a menu's document is not the report
    links = reader.attachment_links(f)
    assert [(a.name, a.files) for a in links] == [
        ("某某市人民政府2023年政府信息公开工作年度报告.pdf", ("某某市人民政府2023年政府信息公开工作年度报告.pdf", "报告.pdf")),
        ("统计表（8f3e21.docx）", ("8f3e21.docx", "统计表.docx"))]
    report = extract(f)
    assert (report.status, report.cells, report.flags) == ("attachment", {}, [])
    assert report.messages == [e.value.message]


def test_report_page_with_a_pdf_copy_is_read_as_the_report(tmp_path):
    f = tmp_path / "page.html"
    f.write_text("<html><body><h1>某某局2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>正文。</p>"
                 "<p>二、主动公开政府信息情况</p><p>正文。</p>"
                 '<p>附件：<a href="a.pdf">某某局2023年政府信息公开工作年度报告.pdf</a></p></body></html>',
                 encoding="utf-8")
    doc = reader.read(f)
    assert [b.text for b in doc.paragraphs][:2] == ["某某局2023年政府信息公开工作年度报告", "一、总体情况"]


def test_other_reports_linked_beside_the_body_are_not_its_title(tmp_path):
    """A 相关报告 list above the body names other years' reports: links, not the page's title."""
    f = tmp_path / "page.html"
    f.write_text("<html><head><title>某某局2023年政府信息公开工作年度报告</title></head><body>"
                 '<div class="side"><ul><li><a href="x.html">某某局2022年政府信息公开工作年度报告</a></li></ul></div>'
                 '<div class="content"><p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p><p>正文。</p></div>'
                 "</body></html>", encoding="utf-8")
    doc = reader.read(f)
    assert doc.paragraphs[0].text == "一、总体情况"
    assert doc.meta == {"page_title": "某某局2023年政府信息公开工作年度报告"}


# ------------------------------------------- table layouts of saved pages (issue 13.6), generally
# Every labelled page is re-laid out as other sites print the same tables, and must read the same
# gold cells: header rows and body rows as two <table>s; the page inside a layout table; the
# rowspans of header rows printed as empty <td></td> in the rows below.

def _tr_cells(tr):
    return [td for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]


def _span_of(td, name):
    try:
        return max(1, int(td.get(name)))
    except (TypeError, ValueError):
        return 1


def _positions(table):
    """[(row, col, td)] as the browser places them."""
    out, busy = [], {}
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in _tr_cells(tr):
            while busy.get(c, 0) > r:
                c += 1
            out.append((r, c, td))
            for k in range(c, c + _span_of(td, "colspan")):
                busy[k] = r + _span_of(td, "rowspan")
            c += _span_of(td, "colspan")
    return out


def _data_tables(root):
    import re
    return [t for t in root.iter("table") if t.find(".//table") is None
            and any(re.fullmatch(r"[\d,.]+", td.text_content().strip()) for td in t.iter("td"))]


def _first_data_row(table):
    import re
    for r, tr in enumerate(table.iter("tr")):
        if any(re.fullmatch(r"[\d,.]+", td.text_content().strip()) for td in _tr_cells(tr)):
            return r
    return 0


def empty_header_cells(root):
    import lxml.html
    for t in _data_tables(root):
        k, rows, pos = _first_data_row(t), list(t.iter("tr")), _positions(t)
        extra: dict = {}
        for r, c, td in pos:
            rs = _span_of(td, "rowspan")
            if rs > 1 and r + rs <= k:
                del td.attrib["rowspan"]
                for rr in range(r + 1, r + rs):
                    e = lxml.html.Element("td")
                    if td.get("colspan"):
                        e.set("colspan", td.get("colspan"))
                    extra.setdefault(rr, []).append((c, e))
        for rr, added in extra.items():
            cells = sorted([(c, td) for r, c, td in pos if r == rr] + added, key=lambda x: x[0])
            for td in _tr_cells(rows[rr]):
                rows[rr].remove(td)
            rows[rr].extend(td for _, td in cells)
    return root


def split_header(root):
    import copy
    for t in _data_tables(root):
        k, rows = _first_data_row(t), list(t.iter("tr"))
        if k == 0 or any(r < k < r + _span_of(td, "rowspan") for r, _, td in _positions(t)):
            continue
        head = copy.deepcopy(t)
        for tr in list(head.iter("tr"))[k:]:
            tr.getparent().remove(tr)
        for tr in rows[:k]:
            tr.getparent().remove(tr)
        t.addprevious(head)
    return root


def split_middle(root):
    """A table of 10+ rows cut in the middle, a 续表 note between the pieces: cells crossing the cut
    (group labels) end there, the rows below do without them."""
    import copy
    import lxml.html
    for t in _data_tables(root):
        rows = list(t.iter("tr"))
        if len(rows) < 10:
            continue
        k, pos = len(rows) // 2, _positions(t)
        second = copy.deepcopy(t)
        for tr in list(second.iter("tr"))[:k]:
            tr.getparent().remove(tr)
        for tr in rows[k:]:
            tr.getparent().remove(tr)
        for r, _, td in pos:
            if r < k < r + _span_of(td, "rowspan"):
                td.set("rowspan", str(k - r))
        note = lxml.html.Element("p")
        note.text = "（续表）"
        t.addnext(note)
        note.addnext(second)
    return root


def nest_in_layout(root):
    import lxml.html
    body = root.find("body")
    outer = lxml.html.fromstring("<table width='100%'><tr><td><ul><li>首页</li><li>政务公开</li></ul></td>"
                                 "<td class='main'></td></tr></table>")
    main = outer.find(".//td[@class='main']")
    main.text, body.text = body.text, None
    for child in list(body):
        main.append(child)
    body.append(outer)
    return root


LAYOUTS = {"empty-header-cells": [empty_header_cells], "split-header": [split_header],
           "split-middle": [split_middle], "nested": [nest_in_layout],
           "all": [empty_header_cells, split_header, split_middle, nest_in_layout]}


def _html_golds():
    from conftest import ROOT, gold_documents
    pairs = [(g, d) for g, d in gold_documents() if d.suffix == ".html"]
    pairs += [(g, ROOT / "corpus" / json.loads(g.read_text())["document"])
              for g in sorted((ROOT / "corpus").glob("*.json"))]
    hard = CORPUS / "hard"
    # hard-04 prints its tables as images beside the page (its layout is images.py's)
    pairs += [(g, hard / f"{g.stem}.html") for g in sorted(hard.glob("hard-0[58]*.json"))]
    return [(g, d) for g, d in pairs if d.suffix == ".html"]


@pytest.mark.parametrize("gold_path,doc", [pytest.param(g, d, id=g.stem) for g, d in _html_golds()])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_page_relaid_out_reads_the_same_cells(tmp_path, gold_path, doc, layout):
    import lxml.html
    from extractor.pipeline import extract

    if CORPUS in doc.parents:
        from conftest import need_shared
        need_shared()
    text, _, _ = reader.decode(doc.read_bytes())
    root = lxml.html.document_fromstring(text)
    for meta in root.iter("meta"):  # written back as UTF-8
        if "charset" in (meta.get("content") or "").lower() or meta.get("charset"):
            meta.getparent().remove(meta)
    for fn in LAYOUTS[layout]:
        root = fn(root)
    out = tmp_path / doc.name
    out.write_bytes(b'<meta charset="utf-8">' + lxml.html.tostring(root, encoding="utf-8"))
    html = out.read_text(encoding="utf-8")
    changed, before = reader.read(out), reader.read(doc)
    if layout.startswith("split"):  # the pieces are one table again, as printed in one piece
        assert html.count("<table") > doc.read_bytes().count(b"<table")
        assert [t.text_rows() for t in changed.tables] == [t.text_rows() for t in before.tables]
    if layout == "nested":
        assert [t.text_rows() for t in changed.tables] == [t.text_rows() for t in before.tables]
    if layout == "empty-header-cells":
        assert sum(not c.text for t in changed.tables for c in t.cells) > sum(
            not c.text for t in before.tables for c in t.cells)
    g = json.loads(gold_path.read_text())
    report = extract(out, checks=False)
    have = {k: c.value for k, c in report.cells.items()}
    wrong = {k: (v, have.get(k, "<missing>")) for k, v in g["cells"].items() if have.get(k, "<missing>") != v}
    assert not wrong, f"{len(wrong)} cells differ: {dict(list(wrong.items())[:6])}"
    assert set(have) == set(g["cells"])
    assert [s.key for s in report.sections] == [s["key"] for s in g["sections"]]
    assert (report.status, report.report_year, report.template) == ("ok", g["report_year"], g["template"])


def test_page_with_a_text_of_its_own_is_no_attachment_page(tmp_path):
    """Without standard headings but with paragraphs of its own, a page is read, not sent to its
    attachment (附件 here is a form the text mentions)."""
    para = "<p>" + "本机关认真贯彻落实政府信息公开条例，全年主动公开政府信息，依法办理公开申请，" * 3 + "</p>"
    f = tmp_path / "page.html"
    f.write_text(f"<html><body>{para * 6}<p>附件：<a href='f.doc'>政府信息公开申请表.doc</a></p></body></html>",
                 encoding="utf-8")
    doc = reader.read(f)
    assert len(doc.paragraphs) == 7 and doc.warnings


@pytest.mark.shared
def test_hard05_header_and_body_tables_are_one_table():
    doc = reader.read(CORPUS / "hard" / "hard-05-countygov-2023.html")
    assert len(doc.tables) == 3
    t2 = doc.tables[1]
    assert (t2.n_rows, t2.n_cols) == (28, 10)
    assert t2.text_rows()[0][0].startswith("(本列数据的勾稽关系为") and t2.text_rows()[3][0].startswith("一、本年新收")


def _tables(tmp_path, body: str):
    f = tmp_path / "t.html"
    f.write_text(f"<html><body><p>三、收到和处理政府信息公开申请情况</p>{body}</body></html>", encoding="utf-8")
    return [t.text_rows() for t in reader.read(f).tables]


def test_adjacent_tables_that_are_no_continuation_stay_apart(tmp_path):
    two = "<table><tr><td>a</td><td>1</td></tr></table>"
    three = "<table><tr><td>b</td><td>c</td><td>2</td></tr></table>"
    assert _tables(tmp_path, two + "<p>说明：单位为件。</p>" + two) == [[["a", "1"]], [["a", "1"]]]
    assert _tables(tmp_path, two + three) == [[["a", "1"]], [["b", "c", "2"]]]
    # narrower, but no group cell of the first runs down to its last row
    assert _tables(tmp_path, three + two) == [[["b", "c", "2"]], [["a", "1"]]]
    # continued, a 续表 note between: one table
    assert _tables(tmp_path, two + "<p>（续表）</p>" + two) == [[["a", "1"], ["a", "1"]]]


def test_group_label_cut_by_the_split_is_extended(tmp_path):
    first = "<table><tr><td rowspan=2>（四）无法提供</td><td>1.本机关不掌握</td><td>3</td></tr>" \
            "<tr><td>2.没有现成信息</td><td>0</td></tr></table>"
    second = "<table><tr><td>3.补正后申请内容仍不明确</td><td>1</td></tr>" \
             "<tr><td colspan=2>（七）总计</td><td>4</td></tr></table>"
    assert _tables(tmp_path, first + second) == [[
        ["（四）无法提供", "1.本机关不掌握", "3"], ["（四）无法提供", "2.没有现成信息", "0"],
        ["（四）无法提供", "3.补正后申请内容仍不明确", "1"], ["（七）总计", "（七）总计", "4"]]]
