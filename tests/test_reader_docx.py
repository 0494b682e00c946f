"""DOCX reader: body order, merged cells once with exact spans, hints, and hostile files."""
import json
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from extractor.document import ReadError
from extractor.readers import docx as reader

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DOCX = sorted((CORPUS / "synthetic").glob("*.docx"))
T3_KEYS = [f"t3.{g}.{r}" for g in ("review", "lit_direct", "lit_after_review")
           for r in ("upheld", "corrected", "other", "pending", "total")]
T2_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")


def gold(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def printed(value) -> str:
    """A gold value as the cell prints it (null = empty cell)."""
    return "" if value is None else str(value)


@pytest.mark.shared
@pytest.mark.parametrize("path", DOCX, ids=lambda p: p.stem)
def test_synthetic_docx_matches_gold(path):
    g = gold(path)
    doc = reader.read(path)
    assert doc.format == "docx" and len(doc.tables) == 3
    headings = [s["heading"] for s in g["sections"]]
    texts = [b.text for b in doc.paragraphs]
    assert [t for t in texts if t in headings] == headings  # each heading is its own paragraph
    t1, t2, t3 = doc.tables
    assert t3.text_rows()[-1] == [printed(g["cells"][k]) for k in T3_KEYS]
    new = next(r for r in t2.text_rows() if r[0] == "一、本年新收政府信息公开申请数量")
    assert new[3:] == [printed(g["cells"][f"t2.new.{c}"]) for c in T2_COLS]
    # Body order: one table under each of the headings 二, 三 and 四.
    texts = [b.text for b in doc.blocks]
    at = [texts.index(h) for h in headings]
    for start, end in zip(at, at[1:]):
        n = sum(b.kind == "table" for b in doc.blocks[start:end])
        assert n == (1 if texts[start] in headings[1:4] else 0)


@pytest.mark.shared
def test_merged_cells_appear_once_with_spans():
    doc = reader.read(CORPUS / "synthetic" / "syn-01-citydept-2020.docx")
    t1, t2, t3 = doc.tables
    assert (t2.n_rows, t2.n_cols) == (26, 10)
    spans = {c.text: (c.row, c.col, c.rowspan, c.colspan) for c in t2.cells}
    assert [c.text for c in t2.cells].count("三、本年度办理结果") == 1
    assert spans["三、本年度办理结果"] == (5, 0, 20, 1)  # v2019: 20 rows under 三
    assert spans["（三）不予公开"] == (7, 1, 8, 1)
    assert spans["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] == (0, 0, 3, 3)
    assert spans["申请人情况"] == (0, 3, 1, 7)
    assert spans["自然人"] == (1, 3, 2, 1)
    assert spans["一、本年新收政府信息公开申请数量"] == (3, 0, 1, 3)
    # Every grid position is covered exactly once.
    grid = t2.grid()
    assert all(cell is not None for row in grid for cell in row)
    assert sum(c.rowspan * c.colspan for c in t2.cells) == 26 * 10
    assert [(c.text, c.colspan) for c in t3.rows()[0]] == [("行政复议", 5), ("行政诉讼", 10)]
    assert next(c for c in t1.cells if c.text == "17488000元").colspan == 2


@pytest.mark.shared
def test_title_line_break_removed_and_centered():
    doc = reader.read(CORPUS / "synthetic" / "syn-01-citydept-2020.docx")
    title = doc.blocks[0]
    assert title.text == "泓渚市水利局2020年政府信息公开工作年度报告"
    assert title.hints == {"align": "center"}
    assert doc.meta["creation_date"] == "2021-01-14"


@pytest.mark.shared
def test_subtotal_rows_and_blank_cells():
    doc = reader.read(CORPUS / "synthetic" / "syn-05-districtgov-2021.docx")
    t2 = doc.tables[1]
    assert [c.text for c in t2.cells].count("小计") == 4
    assert next(c for c in t2.cells if c.text == "三、本年度办理结果").rowspan == 26
    state_secret = next(r for r in t2.text_rows() if r[2] == "1.属于国家秘密")
    assert state_secret[3:] == [""] * 7  # blank cells stay blank


def _build(tmp_path) -> Path:
    """A DOCX with a heading style, a bold paragraph, merged cells and a row with gridBefore."""
    d = docx.Document()
    d.add_paragraph("一、总体情况", style="Heading 1")
    d.add_paragraph().add_run("加粗段落").bold = True
    t = d.add_table(rows=4, cols=3)
    for r in range(4):
        for c in range(3):
            t.cell(r, c).text = f"{r}{c}"
    t.cell(0, 0).merge(t.cell(2, 0)).text = "纵向合并"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "横向合并"
    t.cell(1, 1).add_paragraph("第二行")
    # Row 3 starts one grid column in: drop its first cell and declare gridBefore=1.
    tr = t.rows[3]._tr
    tr.remove(tr.tc_lst[0])
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    tr.get_or_add_trPr().append(before)
    d.add_paragraph("二、主动公开政府信息情况")
    path = tmp_path / "built.docx"
    d.save(path)
    return path


def test_built_docx_spans_and_hints(tmp_path):
    doc = reader.read(_build(tmp_path))
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph", "table", "paragraph"]
    assert doc.blocks[0].hints == {"style": "Heading 1"}
    assert doc.blocks[1].hints == {"bold": True}
    t = doc.tables[0]
    assert (t.n_rows, t.n_cols) == (4, 3)
    got = [(c.row, c.col, c.text, c.rowspan, c.colspan) for c in t.cells]
    assert got == [
        (0, 0, "纵向合并", 3, 1), (0, 1, "横向合并", 1, 2),
        (1, 1, "11\n第二行", 1, 1), (1, 2, "12", 1, 1),
        (2, 1, "21", 1, 1), (2, 2, "22", 1, 1),
        (3, 1, "31", 1, 1), (3, 2, "32", 1, 1)]


def test_zip_bomb_refused(tmp_path, monkeypatch):
    path = _build(tmp_path)
    monkeypatch.setattr(reader, "_MAX_PART", 1000)  # the real limit is 50 MB
    with pytest.raises(ReadError) as e:
        reader.read(path)
    assert e.value.status == "error" and "过大" in e.value.message


def test_broken_zip(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ReadError) as e:
        reader.read(path)
    assert e.value.status == "error" and "broken.docx" in e.value.message


def test_zip_without_document_part(tmp_path):
    path = tmp_path / "empty.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ReadError):
        reader.read(path)


def test_corrupt_part_data(tmp_path):
    """A part whose compressed bytes are damaged (or longer than its header says) is an error."""
    path = _build(tmp_path)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("word/document.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 40):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError) as e:
        reader.read(path)
    assert e.value.status == "error" and "built.docx" in e.value.message


def _lay_out_in_table(src: Path, dst: Path, navigation: bool) -> Path:
    """The DOCX with its whole body moved into a table cell: a one-cell frame around the report
    or, with `navigation`, the right cell of a row whose left cell holds a site's menu."""
    from lxml import etree

    w = reader.W
    with zipfile.ZipFile(src) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    body = root.find(w + "body")
    content = [k for k in body if k.tag != w + "sectPr"]
    table = etree.Element(w + "tbl")
    grid = etree.SubElement(table, w + "tblGrid")
    row = etree.SubElement(table, w + "tr")
    if navigation:
        etree.SubElement(grid, w + "gridCol").set(w + "w", "1500")
        menu = etree.SubElement(etree.SubElement(row, w + "tc"), w + "p")
        etree.SubElement(etree.SubElement(menu, w + "r"), w + "t").text = "政务公开"
    etree.SubElement(grid, w + "gridCol").set(w + "w", "8000")
    cell = etree.SubElement(row, w + "tc")
    for k in content:
        cell.append(k)
    body.insert(0, table)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return dst


def _docx_golds() -> list:
    from conftest import gold_documents, sample_documents
    hard = sorted((CORPUS / "hard").glob("*.json"))
    pairs = sample_documents() + gold_documents() + [(g, g.with_suffix(".docx")) for g in hard]
    return [pytest.param(g, d, id=g.stem) for g, d in pairs if d.suffix == ".docx" and d.exists()]


@pytest.mark.parametrize("navigation", [False, True], ids=["frame", "beside-navigation"])
@pytest.mark.parametrize("gold_path,doc", _docx_golds())
def test_report_laid_out_in_a_table_reads_the_same(tmp_path, gold_path, doc, navigation):
    """A report whose body sits in a layout table (a frame around it, a menu beside it) reads
    its own paragraphs and tables as if they stood in the body."""
    from extractor.pipeline import extract

    if CORPUS in doc.parents:
        from conftest import need_shared
        need_shared()
    changed = reader.read(_lay_out_in_table(doc, tmp_path / doc.name, navigation))
    before = reader.read(doc)
    assert [t.text_rows() for t in changed.tables] == [t.text_rows() for t in before.tables]
    assert [b.text for b in changed.paragraphs] == (["政务公开"] if navigation else []) + [
        b.text for b in before.paragraphs]
    g = json.loads(gold_path.read_text(encoding="utf-8"))
    report = extract(tmp_path / doc.name, checks=False)
    have = {k: c.value for k, c in report.cells.items()}
    wrong = {k: (v, have.get(k, "<missing>")) for k, v in g["cells"].items() if have.get(k, "<missing>") != v}
    assert not wrong, f"{len(wrong)} cells differ: {dict(list(wrong.items())[:6])}"
    assert [s.key for s in report.sections] == [s["key"] for s in g["sections"]]
    assert (report.status, report.report_year, report.template) == ("ok", g["report_year"], g["template"])


def test_one_column_table_is_a_box_of_paragraphs_and_data_tables_stay_tables(tmp_path):
    d = docx.Document()
    box = d.add_table(rows=2, cols=1)
    box.cell(0, 0).text = "一、总体情况"
    box.cell(1, 0).text = "本机关全年主动公开政府信息。"
    data = d.add_table(rows=2, cols=2)
    for r in range(2):
        for c in range(2):
            data.cell(r, c).text = f"{r}{c}"
    path = tmp_path / "box.docx"
    d.save(path)
    doc = reader.read(path)
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph", "table"]
    assert [b.text for b in doc.paragraphs] == ["一、总体情况", "本机关全年主动公开政府信息。"]
    assert doc.tables[0].text_rows() == [["00", "01"], ["10", "11"]]
