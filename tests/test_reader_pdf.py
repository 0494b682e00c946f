"""PDF reader on the corpus PDFs: tables from rulings, joined over page breaks, paragraphs."""
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pytest

from extractor.document import ReadError
from extractor.readers import pdf as pdf_reader

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
REAL = ["huaian-hongze-2023", "huaian-hongze-2024", "huaian-city-2024"]
SYNTHETIC = ["syn-04-districtgov-2022", "syn-09-provincedept-2019", "syn-11-town-2019",
             "syn-12-countydept-2024"]
ALL = REAL + SYNTHETIC
# Each PDF: pages, and the pages each of t1 / t2 / t3 is printed on (checked on the renders).
LAYOUT = {
    "huaian-hongze-2023": (5, [[2, 3], [3, 4], [4]]),
    "huaian-hongze-2024": (5, [[2, 3], [3, 4], [4]]),
    "huaian-city-2024": (6, [[3, 4], [4, 5], [5]]),
    "syn-04-districtgov-2022": (4, [[2], [2, 3], [3]]),
    "syn-09-provincedept-2019": (4, [[2], [2, 3], [3]]),
    "syn-11-town-2019": (4, [[2], [2, 3], [3]]),
    "syn-12-countydept-2024": (5, [[2], [2, 3], [4]]),
}


def pdf_path(stem: str) -> Path:
    return CORPUS / ("real" if stem in REAL else "synthetic") / f"{stem}.pdf"


def gold(stem: str) -> dict:
    folder = "gold" if stem in REAL else "synthetic"
    return json.loads((CORPUS / folder / f"{stem}.json").read_text())


@lru_cache(maxsize=None)
def doc(stem: str):
    return pdf_reader.read(pdf_path(stem))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def value(text: str):
    """A printed value cell as the gold files record it."""
    t = squash(text)
    if not t:
        return None
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?\d+\.\d+", t):
        return float(t)
    return t


def data_values(table, first_value_col: int, skip_rows) -> list:
    """Values of the cells right of the label columns, in rows that are not header/caption rows."""
    return [value(c.text) for i, row in enumerate(table.rows()) if not skip_rows(i, row)
            for c in row if c.col >= first_value_col]


@pytest.mark.shared
@pytest.mark.parametrize("stem", ALL)
def test_three_tables_in_order_on_the_right_pages(stem):
    d = doc(stem)
    n_pages, table_pages = LAYOUT[stem]
    assert (d.format, d.n_pages) == ("pdf", n_pages)
    assert [t.pages for t in d.tables] == table_pages
    t1, t2, t3 = d.tables
    assert squash(t1.rows()[0][0].text).startswith("第二十条第")
    assert "勾稽关系" in t2.rows()[0][0].text and squash(t2.rows()[0][1].text) == "申请人情况"
    assert (t3.n_cols, squash(t3.rows()[0][0].text)) == (15, "行政复议")
    assert (t1.n_cols, t2.n_cols) == (4, 10)


@pytest.mark.shared
@pytest.mark.parametrize("stem", ALL)
def test_cells_are_printed_once_with_page_and_bbox(stem):
    for t in doc(stem).tables:
        covered = Counter()
        for c in t.cells:
            assert c.page in t.pages and c.bbox is not None and c.bbox[0] < c.bbox[2]
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    covered[r, k] += 1
        assert max(covered.values()) == 1, "two cells overlap"
        assert all(r < t.n_rows and k < t.n_cols for r, k in covered)


@pytest.mark.shared
@pytest.mark.parametrize("stem", ALL)
def test_value_cells_match_gold(stem):
    """Every value cell of t1, t2 and t3 holds what the gold file says the document prints."""
    g = gold(stem)["cells"]
    t1, t2, t3 = doc(stem).tables

    def t1_skip(i, row):  # caption rows and 信息内容 header rows
        return len(row) == 1 or squash(row[0].text) == "信息内容"

    want = Counter(v for k, v in g.items() if k.startswith("t1."))
    assert Counter(data_values(t1, 1, t1_skip)) == want
    want = Counter(v for k, v in g.items() if k.startswith("t2."))
    assert Counter(data_values(t2, 3, lambda i, row: i < 3)) == want
    assert [value(c.text) for c in t3.rows()[3]] == [
        g[f"t3.{grp}.{res}"] for grp in ("review", "lit_direct", "lit_after_review")
        for res in ("upheld", "corrected", "other", "pending", "total")]


@pytest.mark.shared
@pytest.mark.parametrize("stem", ALL)
def test_every_value_cell_is_a_number_or_an_empty_mark(stem):
    _, t2, t3 = doc(stem).tables
    for t, first in ((t2, 3), (t3, 0)):
        for row in t.rows()[3:]:
            for c in row:
                if c.col >= first:
                    assert re.fullmatch(r"[+-]?\d+(\.\d+)?|/|—|-|无|", squash(c.text)), c


@pytest.mark.shared
def test_hongze_2023_t3_row_as_printed():
    t3 = doc("huaian-hongze-2023").tables[2]
    assert [c.text for c in t3.rows()[3]] == "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0".split()
    assert t3.rows()[1][0].text == "结果\n维持"  # two printed lines stay two lines


@pytest.mark.shared
@pytest.mark.parametrize("stem,group_rows,cut_label,cut_rows", [
    ("huaian-city-2024", 22, "（四）无法提供", 3),
    ("huaian-hongze-2023", 20, "（四）无法提供", 3),
    ("huaian-hongze-2024", 20, "（四）无法提供", 3),
    ("syn-12-countydept-2024", 22, "（三）不予公开", 8),
])
def test_group_cells_cut_by_the_page_break_are_rejoined(stem, group_rows, cut_label, cut_rows):
    t2 = doc(stem).tables[1]
    vertical = t2.grid()[5][0]
    assert squash(vertical.text) == "三、本年度办理结果"
    assert (vertical.row, vertical.rowspan, vertical.page) == (5, group_rows, t2.page)
    cut = next(c for c in t2.cells if squash(c.text) == cut_label)
    assert (cut.rowspan, cut.page) == (cut_rows, t2.page)
    pages = {c.page for r in range(cut.row, cut.row + cut_rows) for c in t2.rows()[r]}
    assert pages == set(t2.pages), "the group's rows sit on both pages"


@pytest.mark.shared
def test_city_t2_fragments_joined_in_one_cell():
    t2 = doc("huaian-city-2024").tables[1]
    unable = next(c for c in t2.cells if "（四）无" in c.text)
    assert unable.text.split("\n")[-1] == "法提供" and unable.page == 4
    assert t2.pages == [4, 5] and t2.n_rows == 28


@pytest.mark.shared
def test_repeated_header_rows_of_a_continued_table_are_dropped():
    t2 = doc("syn-12-countydept-2024").tables[1]
    assert sum(squash(c.text) == "申请人情况" for c in t2.cells) == 1
    assert t2.n_rows == 28  # 3 header rows + 25 v2021 rows


@pytest.mark.shared
def test_t1_caption_at_page_foot_keeps_its_rows_from_the_next_page():
    t1 = doc("huaian-hongze-2023").tables[0]
    labels = [squash(row[0].text) for row in t1.rows()]
    i = labels.index("第二十条第（六）项")
    assert labels[i + 1:i + 4] == ["信息内容", "行政处罚", "行政强制"]
    assert t1.rows()[i][0].page == 2 and t1.rows()[i + 2][0].page == 3


@pytest.mark.shared
@pytest.mark.parametrize("stem", ["huaian-hongze-2023", "huaian-hongze-2024"])
def test_hongze_frame_lines_are_paragraphs_not_tables(stem):
    d = doc(stem)
    assert all(t.n_cols >= 2 for t in d.tables)
    assert not [t for t in d.tables if 1 in t.pages or 5 in t.pages]
    page1 = [b.text for b in d.paragraphs if b.page == 1]
    assert len(page1) >= 6 and page1[0].endswith("人民政府")
    assert any("政府信息公开工作年度报告" in t for t in page1[:2])


@pytest.mark.shared
def test_one_column_boxes_are_not_tables_even_without_the_drawing_filter(monkeypatch):
    """With invisible frame rectangles kept, page 1 of 洪泽 is one ruled box per text line: the
    table finder's one-column "table" still comes out as the same paragraphs (the last one
    differs: page 2's frame is then glued to t1, so the paragraph cannot run on to page 2)."""
    filtered = [b.text for b in doc("huaian-hongze-2023").paragraphs if b.page == 1]
    monkeypatch.setattr(pdf_reader, "_drawn_filter", lambda page: lambda obj: True)
    unfiltered = pdf_reader.read(pdf_path("huaian-hongze-2023"))
    assert not [t for t in unfiltered.tables if 1 in t.pages]
    assert [b.text for b in unfiltered.paragraphs if b.page == 1][:-1] == filtered[:-1]


@pytest.mark.shared
@pytest.mark.parametrize("stem", [s for s in ALL if s != "syn-12-countydept-2024"])
def test_no_text_lost_but_page_numbers(stem):
    """Every printed character ends up in a paragraph or a cell, except the page numbers.
    (syn-12 is left out: it also drops the header rows repeated on the continuation page.)"""
    with pdfplumber.open(pdf_path(stem)) as pdf:
        printed = Counter("".join(w["text"] for p in pdf.pages for w in p.extract_words()))
    d = doc(stem)
    read = Counter(squash("".join([b.text for b in d.paragraphs]
                                  + [c.text for t in d.tables for c in t.cells])))
    assert not read - printed
    lost = printed - read
    assert set(lost) <= set("-0123456789") and sum(lost.values()) - lost["-"] <= d.n_pages


@pytest.mark.shared
@pytest.mark.parametrize("stem", ALL)
def test_section_headings_are_paragraphs_followed_by_their_body(stem):
    d = doc(stem)
    for sec in gold(stem)["sections"]:
        i = next((i for i, b in enumerate(d.blocks)
                  if b.kind == "paragraph" and squash(b.text) == sec["heading"]), None)
        assert i is not None, sec["heading"]
        assert d.blocks[i].page == sec["page"]
        nxt = d.blocks[i + 1]
        body = nxt.text if nxt.kind == "paragraph" else nxt.table.cells[0].text
        assert squash(body).startswith(squash(sec["starts_with"])), (sec["heading"], body[:30])


@pytest.mark.shared
def test_paragraphs_join_lines_and_pages():
    d = doc("huaian-hongze-2023")
    p = next(b for b in d.paragraphs if b.text.startswith("加强区政府门户网站"))
    assert p.page == 1 and "严格执行“分级审核、先审后发”程序" in p.text  # runs on to page 2
    assert p.bbox[1] > 600 and p.hints["size"] == 16.0
    heading = next(b for b in d.paragraphs if b.text == "一、总体情况")
    assert heading.page == 1 and heading.hints.get("bold")
    intro = d.paragraphs[2].text
    assert intro.startswith("本报告由") and intro.endswith("hzzwgk@126.com）。")
    assert "\n" not in intro and " " not in intro


@pytest.mark.shared
def test_unjustified_lines_are_joined():
    """LibreOffice lines end up to two characters short of the margin; still one paragraph."""
    d = doc("syn-12-countydept-2024")
    assert any(b.text.startswith("（五）监督保障。把政务公开工作纳入目标管理考核体系，畅通")
               for b in d.paragraphs)


@pytest.mark.shared
@pytest.mark.parametrize("stem", ALL)
def test_page_numbers_dropped(stem):
    assert not [b.text for b in doc(stem).paragraphs if re.fullmatch(r"[-\s\d]+", b.text)]


@pytest.mark.shared
def test_meta_and_no_warnings():
    d = doc("huaian-hongze-2023")
    assert d.meta == {"creation_date": "2024-02-26"}
    assert all(not doc(s).warnings for s in ALL)
    assert not any("(cid:" in b.text for s in ALL for b in doc(s).paragraphs)


def _patched_words(monkeypatch, change):
    """Words as if the PDF printed other text (either page source: pdfobjects.PageObjects)."""
    from extractor.readers import pdfobjects

    extract = pdfobjects.PageObjects.words

    def fake(self):
        words = extract(self)
        for w in words:
            w["text"] = change(w["text"])
        return words

    monkeypatch.setattr(pdfobjects.PageObjects, "words", fake)


@pytest.mark.shared
def test_kangxi_radicals_normalised_but_fullwidth_punctuation_kept(monkeypatch):
    _patched_words(monkeypatch, lambda t: t.replace("一、总体情况", "⼀、总体情况").replace("规章", "規章"))
    d = pdf_reader.read(pdf_path("huaian-hongze-2023"))
    assert any(b.text == "一、总体情况" for b in d.paragraphs)
    assert d.tables[0].rows()[2][0].text == "規章"  # an ordinary traditional character stays
    assert "（国令第711号）" in d.paragraphs[2].text
    assert pdf_reader._CJK_COMPAT.get(ord("⼀")) == "一" and ord("（") not in pdf_reader._CJK_COMPAT


@pytest.mark.shared
def test_undecodable_glyphs_give_a_warning(monkeypatch):
    _patched_words(monkeypatch, lambda t: t.replace("总体情况", "(cid:123)(cid:45)"))
    d = pdf_reader.read(pdf_path("huaian-hongze-2023"))
    assert d.warnings == ["第1页有2个字符无法解码为文字（显示为(cid:NNN)），该页文本不完整"]


def test_word_across_a_ruling_is_split_by_characters():
    """pdfplumber's cell rectangles make a layout Grid, its words layout Words (with their
    characters); a word straddling a ruling is split between the two cells."""
    from extractor.readers import layout

    class FakeTable:
        cells = [(0, 0, 50, 20), (50, 0, 100, 20)]
        bbox = (0, 0, 100, 20)

    grid = pdf_reader._grid(FakeTable())
    assert (grid.xs, grid.ys, grid.cells) == ([0, 50, 100], [0, 20], [(0, 1, 0, 1), (0, 1, 1, 2)])
    chars = [{"text": t, "x0": x, "x1": x + 9, "top": 5, "bottom": 15, "size": 9, "fontname": "F"}
             for t, x in (("计", 38), ("1", 52), ("2", 61))]
    word = {"text": "计12", "x0": 38, "x1": 70, "top": 5, "bottom": 15, "size": 9,
            "fontname": "ABCDEF+F", "chars": chars}
    w = pdf_reader._word(word)
    assert (w.text, w.size, w.font) == ("计12", 9.0, "F")  # without the subset tag
    assert [c.text for c in w.parts()] == ["计", "1", "2"]
    buckets, loose = layout.place([w], [grid], layout.PDF_SETTINGS)
    assert not loose
    assert {i: [w.text for w in ws] for i, ws in buckets[0].items()} == {0: ["计"], 1: ["12"]}


def _mini_pdf(encrypt: bool = False) -> bytes:
    """A one-page PDF with a drawn line and no text (like a scan), optionally password-locked."""
    stream = b"0 0 m 200 200 l S"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)]
    extra = b""
    if encrypt:  # a user password is needed: the /U entry does not match the empty password
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32
                    + b"> /P -4 >>")
        extra = b"/Encrypt 5 0 R /ID [<" + b"01" * 16 + b"> <" + b"01" * 16 + b">] "
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, extra, xref)
    return bytes(out)


@pytest.mark.shared
def test_truncated_pdf_is_an_error(tmp_path):
    f = tmp_path / "cut.pdf"
    f.write_bytes(pdf_path("huaian-hongze-2023").read_bytes()[:150_000])
    with pytest.raises(ReadError) as e:
        pdf_reader.read(f)
    assert e.value.status == "error"
    assert e.value.message.startswith("无法读取PDF文件 cut.pdf：") and "损坏或不完整" in e.value.message


def test_encrypted_pdf_is_unsupported(tmp_path):
    f = tmp_path / "locked.pdf"
    f.write_bytes(_mini_pdf(encrypt=True))
    with pytest.raises(ReadError) as e:
        pdf_reader.read(f)
    assert e.value.status == "unsupported" and "locked.pdf" in e.value.message
    assert "加密" in e.value.message


def test_pdf_without_text_needs_ocr(tmp_path):
    f = tmp_path / "scan.pdf"
    f.write_bytes(_mini_pdf())
    with pytest.raises(ReadError) as e:
        pdf_reader.read(f)
    assert (e.value.status, e.value.message) == ("needs_ocr", "scan.pdf 是扫描件（没有文字层），需要OCR识别")
