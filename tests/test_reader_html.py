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
