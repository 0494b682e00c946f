"""The layout stage both PDF readers share (extractor/readers/layout.py), on hand-made input."""
from __future__ import annotations

import dataclasses

import pytest

from extractor.readers import layout
from extractor.readers.layout import (OCR_SETTINGS, PDF_SETTINGS, Grid, LayoutSettings, Line,
                                      Page, Piece, RawCell, TableBuilder, Word)


def grid_2x2() -> Grid:
    """Two columns (0–50, 50–100) and two rows (0–20, 20–40)."""
    cells = [(0, 1, 0, 1), (0, 1, 1, 2), (1, 2, 0, 1), (1, 2, 1, 2)]
    index = {(c[0], c[2]): i for i, c in enumerate(cells)}
    return Grid([0, 50, 100], [0, 20, 40], cells, index, (0, 0, 100, 40))


def chars(text: str, x: float, top: float = 5, width: float = 9) -> list[Word]:
    return [Word(t, x + i * width, top, x + (i + 1) * width, top + 10) for i, t in enumerate(text)]


def word(text: str, x: float, top: float = 5, width: float = 9, **kw) -> Word:
    parts = chars(text, x, top, width)
    return Word(text, x, top, parts[-1].x1, top + 10, parts=parts, **kw)


def line(text, x0, x1, top, size=16.0, page=1) -> Line:
    return Line(text, x0, x1, top, top + size, size, page)


def test_settings_are_one_frozen_class_with_two_instances():
    assert isinstance(PDF_SETTINGS, LayoutSettings) and isinstance(OCR_SETTINGS, LayoutSettings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        PDF_SETTINGS.join_tol = 9  # type: ignore[misc]
    differ = {f.name for f in dataclasses.fields(LayoutSettings)
              if getattr(PDF_SETTINGS, f.name) != getattr(OCR_SETTINGS, f.name)}
    # OCR does not read tables without rulings from the alignment (yet); scanned sheets lie aside
    assert differ == {"word_space", "size_step", "size_ratio", "text_tables", "join_shift"}


# ---- words into cells ----------------------------------------------------------------------


def test_word_in_a_cell_and_word_across_a_ruling():
    inside = word("12", 10)
    across = word("计12", 38)  # 计 in column 0, 12 in column 1
    buckets, loose = layout.place([inside, across], [grid_2x2()], PDF_SETTINGS)
    assert not loose
    assert {i: [w.text for w in ws] for i, ws in buckets[0].items()} == {0: ["12", "计"], 1: ["12"]}


def test_characters_outside_the_table_stay_page_text():
    edge = word("合计", 85, width=12)  # centre inside, 计 beyond the right edge
    buckets, loose = layout.place([edge], [grid_2x2()], PDF_SETTINGS)
    assert [w.text for w in buckets[0][1]] == ["合"] and [w.text for w in loose] == ["计"]


def test_a_word_sticking_out_by_less_than_the_slack_is_not_split():
    w = word("1234", 14, width=9)  # in column 0, its box 1.5 pt over the ruling at 50
    w.x1 = 51.5
    buckets, _ = layout.place([w], [grid_2x2()], PDF_SETTINGS)
    assert [x.text for x in buckets[0][0]] == ["1234"]
    # The slack is in points: OCR's pixels at 150 dpi get it scaled (2 pt ≈ 4.2 px).
    w.x1 = 53.5
    buckets, _ = layout.place([w], [grid_2x2()], OCR_SETTINGS, scale=72 / 150)
    assert [x.text for x in buckets[0][0]] == ["1234"]


def test_words_outside_every_table_are_loose():
    w = word("正文", 10, top=60)
    buckets, loose = layout.place([w], [grid_2x2()], PDF_SETTINGS)
    assert buckets == [{}] and loose == [w]


# ---- lines and their text ------------------------------------------------------------------


def test_latin_words_get_a_space_only_when_apart_in_a_text_pdf():
    a = Word("hzzwgk@126", 10, 5, 60, 15, size=10)
    b = Word(".com", 61, 5, 80, 15, size=10)  # 1 pt gap < 0.2 × 10
    c = Word("PDF", 90, 5, 110, 15, size=10)  # 10 pt gap
    assert layout.join_words([a, b, c], PDF_SETTINGS) == "hzzwgk@126.com PDF"
    # OCR boxes carry no font size; two boxes on a line are always apart.
    a2, b2 = (dataclasses.replace(w, size=None) for w in (a, b))
    assert layout.join_words([a2, b2], OCR_SETTINGS) == "hzzwgk@126 .com"
    # Chinese never gets a space; the reader's own cleaning runs last.
    cn = [Word("政府", 10, 5, 30, 15, size=10), Word("信息", 31, 5, 50, 15, size=10)]
    assert layout.join_words(cn, PDF_SETTINGS, clean=lambda t: f"<{t}>") == "<政府信息>"


def test_words_group_into_lines_top_to_bottom_left_to_right():
    ws = [Word("b", 50, 20, 60, 30, size=10), Word("a", 10, 21, 20, 31, size=10),
          Word("c", 10, 5, 20, 15, size=10)]
    lines = layout.group_lines(ws, PDF_SETTINGS)
    assert [[w.text for w in ln] for ln in lines] == [["c"], ["a", "b"]]
    assert layout.cell_text(ws, PDF_SETTINGS) == "c\na b"


def test_page_numbers_near_the_edges_are_dropped_and_lines_sorted():
    words = [Word("- 3 -", 280, 800, 310, 810, size=10), Word("3", 100, 400, 106, 410, size=10),
             Word("正文", 100, 300, 130, 310, size=10)]
    pg = layout.page(3, 595, 842, words, [], PDF_SETTINGS)
    assert [it.text for it in pg.items] == ["正文", "3"]  # a "3" mid-page is text


def test_page_scales_pixels_to_points_and_reads_cells_through_the_reader():
    seen = []

    def read_cell(rect, ws):
        seen.append(rect)
        return "".join(w.text for w in ws), 0.75

    words = [Word("五", 10, 5, 20, 15, score=0.9), Word("正文", 10, 100, 40, 110, score=0.8)]
    pg = layout.page(1, 50, 100, words, [grid_2x2()], OCR_SETTINGS, scale=0.5, read_cell=read_cell)
    piece, text = pg.items
    assert isinstance(piece, Piece) and piece.bbox == (0, 0, 50, 20) and piece.xs == [0, 25, 50]
    assert seen[0] == (0, 0, 50, 20)  # the reader gets the rectangle in its own units
    assert [(c.text, c.confidence, c.bbox) for c in piece.cells][:2] == [
        ("五", 0.75, (0, 0, 25, 10)), ("", 0.75, (25, 0, 50, 10))]
    assert (text.text, text.top, text.size, text.confidence) == ("正文", 50.0, 5.0, 0.8)


# ---- paragraphs ----------------------------------------------------------------------------


def test_margins_per_page_width():
    """Portrait and landscape pages each have their own margins (a landscape page's long lines
    must not make every portrait line look short)."""
    portrait = Page(1, 595, 842, [line("x", 90, 505, 100 + 20 * i) for i in range(4)])
    landscape = Page(2, 842, 595, [line("x", 90, 750, 100 + 20 * i) for i in range(4)])
    for settings in (PDF_SETTINGS, OCR_SETTINGS):
        edges = layout.margins([portrait, landscape], settings)
        assert edges == {595: (90.0, 505), 842: (90.0, 750)}
    few = Page(1, 595, 842, [line("x", 90, 300, 100)])
    assert layout.margins([few], PDF_SETTINGS) == {595: (72.0, 595 - 72.0)}


def test_one_overflowing_line_is_not_the_right_margin():
    lines = [line("x", 90, 505, 100), line("x", 90, 505.5, 120), line("x", 90, 530, 140)]
    pg = Page(1, 595, 842, lines)
    assert layout.margins([pg], PDF_SETTINGS)[595][1] == 505.5
    one = dataclasses.replace(PDF_SETTINGS, right_margin_lines=1)
    assert layout.margins([pg], one)[595][1] == 530


def test_paragraph_continuation_rules():
    left, right = 90.0, 505.0
    full = line("本报告根据《条例》编制，", 90, 505, 100)
    nxt = line("全文包括总体情况。", 90, 300, 120)
    assert layout.continues_paragraph(full, nxt, left, right, PDF_SETTINGS)
    indented = line("另起一段。", 122, 300, 120)
    assert not layout.continues_paragraph(full, indented, left, right, PDF_SETTINGS)
    heading = line("二、主动公开情况", 90, 300, 120)
    assert not layout.continues_paragraph(full, heading, left, right, PDF_SETTINGS)
    far = line("全文包括总体情况。", 90, 300, 140)
    assert not layout.continues_paragraph(full, far, left, right, PDF_SETTINGS)
    # Two characters short: a LibreOffice line that may not break before closing punctuation.
    short = line("本报告根据《条例》编", 90, 505 - 2 * 16, 100)
    assert layout.continues_paragraph(short, nxt, left, right, PDF_SETTINGS)
    shorter = line("本报告根据《条例》", 90, 505 - 3 * 16, 100)
    assert not layout.continues_paragraph(shorter, nxt, left, right, PDF_SETTINGS)
    # Sizes: the text layer's differ by points, OCR's box heights by a share of the taller.
    bigger = dataclasses.replace(nxt, size=18.0, bottom=nxt.top + 18)
    assert not layout.continues_paragraph(full, bigger, left, right, PDF_SETTINGS)
    assert layout.continues_paragraph(full, bigger, left, right, OCR_SETTINGS)


def test_assemble_joins_lines_across_pages_into_one_paragraph():
    p1 = Page(1, 595, 842, [line("一、总体情况", 90, 200, 100),
                            line("加强区政府门户网站", 122, 505, 130), line("建设，", 90, 505, 150)])
    p2 = Page(2, 595, 842, [line("严格执行程序。", 90, 300, 80, page=2),
                            line("二、主动公开", 90, 200, 120, page=2)])
    blocks = layout.assemble([p1, p2], PDF_SETTINGS)
    assert [(b.text, b.page) for b in blocks] == [
        ("一、总体情况", 1), ("加强区政府门户网站建设，严格执行程序。", 1), ("二、主动公开", 2)]
    assert blocks[1].bbox == (90, 130, 505, 166) and blocks[1].hints == {"size": 16.0}


def test_paragraph_hints_font_bold_and_confidence():
    bold = dataclasses.replace(line("一、总体情况", 90, 200, 100), font="黑体")
    assert layout.paragraph([bold]).hints == {"size": 16.0, "font": "黑体", "bold": True}
    ocr = [dataclasses.replace(line("a", 90, 505, 100), confidence=0.9),
           dataclasses.replace(line("b", 90, 300, 120), confidence=0.7)]
    assert layout.paragraph(ocr).hints == {"confidence": 0.7, "size": 16.0}


# ---- tables across pages -------------------------------------------------------------------


def cell(row, x0, x1, text, page, rowspan=1, confidence=None) -> RawCell:
    return RawCell(row, rowspan, x0, x1, text, page, (x0, row, x1, row + rowspan, page), confidence)


def test_continued_table_drops_the_repeated_header_and_rejoins_a_cut_group_cell():
    xs = [50.0, 150.0, 300.0]
    first = Piece([cell(0, 50, 150, "项目", 1), cell(0, 150, 300, "数量", 1),
                   cell(1, 50, 150, "（一）行政复议", 1, rowspan=2, confidence=0.9),
                   cell(1, 150, 300, "1", 1), cell(2, 150, 300, "2", 1)],
                  3, xs, 1, (50, 600, 300, 800))
    # Page 2: the header again, the rest of the group cell (columns snapped within join_tol).
    second = Piece([cell(0, 51, 150, "项目", 2), cell(0, 150, 301, "数量", 2),
                    cell(1, 51, 150, "结果", 2, confidence=0.6), cell(1, 150, 301, "3", 2),
                    cell(2, 51, 150, "（二）行政诉讼", 2), cell(2, 150, 301, "4", 2)],
                   3, [51.0, 150.0, 301.0], 2, (51, 60, 301, 200))
    builder = TableBuilder(first, PDF_SETTINGS)
    assert builder.compatible(second)
    builder.append(second)
    block = builder.block()
    t = block.table
    assert (t.n_rows, t.n_cols, t.pages) == (5, 2, [1, 2])
    assert t.text_rows() == [["项目", "数量"], ["（一）行政复议\n结果", "1"], ["（一）行政复议\n结果", "2"],
                             ["（一）行政复议\n结果", "3"], ["（二）行政诉讼", "4"]]
    group = t.rows()[1][0]
    assert group.rowspan == 3 and group.confidence == 0.6  # the lower of its two pieces
    assert block.hints == {"confidence": 0.6}


def test_a_number_first_on_the_new_page_is_no_cut_cell():
    above = cell(1, 50, 150, "（一）", 1, rowspan=2)
    assert layout.cut_cell(above, cell(0, 50, 150, "结果", 2))
    assert layout.cut_cell(above, cell(0, 50, 150, "", 2))
    assert not layout.cut_cell(above, cell(0, 50, 150, "12", 2))
    assert not layout.cut_cell(above, cell(0, 50, 150, "（二）其他", 2))
    assert not layout.cut_cell(cell(1, 50, 150, "a", 1), cell(0, 50, 150, "b", 2))


def test_a_table_on_the_next_page_with_other_columns_is_a_new_table():
    first = Piece([cell(0, 50, 150, "a", 1), cell(0, 150, 300, "b", 1)], 1, [50, 150, 300], 1,
                  (50, 700, 300, 800))
    other = Piece([cell(0, 50, 100, "c", 2), cell(0, 100, 400, "d", 2)], 1, [50, 100, 400], 2,
                  (50, 60, 400, 100))
    blocks = layout.assemble([Page(1, 595, 842, [first]), Page(2, 595, 842, [other])], PDF_SETTINGS)
    assert [b.table.pages for b in blocks] == [[1], [2]]
    assert all(not b.hints for b in blocks)  # text-layer tables carry no confidence


def _columns_at(shift: float, page: int, widen: float = 0.0) -> Piece:
    xs = [50.0 + shift, 150.0 + shift, 300.0 + shift + widen]
    return Piece([cell(0, xs[0], xs[1], "（二）行政诉讼", page), cell(0, xs[1], xs[2], "4", page)], 1, xs, page,
                 (xs[0], 60, xs[2], 100))


@pytest.mark.parametrize("shift,widen,joined", [(18.0, 0.0, True), (-22.0, 2.0, True), (18.0, 9.0, False),
                                                (30.0, 0.0, False)],
                         ids=["fed-right", "fed-left", "other-width", "too-far"])
def test_a_scanned_continuation_fed_aside_joins_when_all_its_columns_moved_alike(shift, widen, joined):
    """A scanned sheet lies up to join_shift sideways: the continuation joins the table when both
    its outer edges moved alike (its cells keep their printed boxes); a table of another width,
    or one further off, is another table. Printed pages allow no such shift."""
    first = Piece([cell(0, 50, 150, "（一）行政复议", 1), cell(0, 150, 300, "3", 1)], 1,
                  [50.0, 150.0, 300.0], 1, (50, 700, 300, 800))
    second = _columns_at(shift, 2, widen)
    blocks = layout.assemble([Page(1, 595, 842, [first]), Page(2, 595, 842, [second])], OCR_SETTINGS)
    assert [b.table.pages for b in blocks] == ([[1, 2]] if joined else [[1], [2]])
    if joined:
        t = blocks[0].table
        assert t.text_rows() == [["（一）行政复议", "3"], ["（二）行政诉讼", "4"]]
        assert t.rows()[1][0].bbox[0] == 50.0 + shift  # where it was printed
    printed = layout.assemble([Page(1, 595, 842, [first]), Page(2, 595, 842, [_columns_at(shift, 2, widen)])],
                              PDF_SETTINGS)
    assert [b.table.pages for b in printed] == [[1], [2]]


def test_a_row_cut_by_the_page_break_goes_on_in_the_row_above():
    """Word and LibreOffice let a row break across pages: 1,522 prints as "1,52" at the foot of
    one page and "2" at the top of the next, in a row with no label (hard-01)."""
    xs = [50.0, 150.0, 200.0, 250.0]
    first = Piece([cell(0, 50, 150, "项目", 1), cell(0, 150, 200, "自然人", 1), cell(0, 200, 250, "总计", 1),
                   cell(1, 50, 150, "一、本年新收", 1), cell(1, 150, 200, "1,52", 1),
                   cell(1, 200, 250, "1,91", 1)], 2, xs, 1, (50, 700, 250, 800))
    second = Piece([cell(0, 50, 150, "", 2), cell(0, 150, 200, "2", 2), cell(0, 200, 250, "2", 2),
                    cell(1, 50, 150, "二、上年结转", 2), cell(1, 150, 200, "0", 2),
                    cell(1, 200, 250, "0", 2)], 2, xs, 2, (50, 60, 250, 100))
    builder = TableBuilder(first, PDF_SETTINGS)
    builder.append(second)
    t = builder.build()
    assert t.text_rows() == [["项目", "自然人", "总计"], ["一、本年新收", "1,52\n2", "1,91\n2"],
                             ["二、上年结转", "0", "0"]]
    # a labelled row, or a labelless row of text, is a row of its own
    assert not layout.cut_row([cell(0, 50, 150, "二、上年结转", 2), cell(0, 150, 200, "2", 2)],
                              {(50, 150): cell(1, 50, 150, "一、", 1), (150, 200): cell(1, 150, 200, "1", 1)})
    assert not layout.cut_row([cell(0, 50, 150, "", 2), cell(0, 150, 200, "见附件", 2)],
                              {(50, 150): cell(1, 50, 150, "一、", 1), (150, 200): cell(1, 150, 200, "1", 1)})
