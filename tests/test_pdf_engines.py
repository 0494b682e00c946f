"""The two PDF page sources (extractor/readers/pdfobjects.py) give the same Document.

pdfium is the default; pdfplumber is the reference. For every PDF of corpus/ and ../shared/corpus
(real, synthetic, hard), both are read and compared: every block in order, paragraph text and
hints, table cells with their text, row, column, spans, page and confidence, warnings, notices,
metadata, page count; boxes within a point. Pages pdfium cannot read exactly (Type3 fonts, turned
characters, /Rotate) are read by pdfplumber in both runs, so they agree trivially: the test also
counts how many pages pdfium read itself, so that a fallback taking over everything would fail.
"""
from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from conftest import CORPUS, ROOT, SHARED_PRESENT, shared_params
from extractor.document import ReadError
from extractor.readers import pdf, pdfobjects

OWN = sorted((ROOT / "corpus").glob("*.pdf"))
SHARED = sorted(p for folder in ("real", "synthetic", "hard", "unlabelled")
                for p in (CORPUS / folder).glob("*.pdf")) if SHARED_PRESENT else []
TOLERANCE = 1.0  # points


def _read(path: Path, engine: str):
    try:
        return pdf.read(path, engine=engine)
    except ReadError as e:
        return (e.status, e.message)


def _same_box(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return all(abs(x - y) <= TOLERANCE for x, y in zip(a, b))


def assert_same_document(fast, reference) -> None:
    if isinstance(reference, tuple):  # both refused the file, with the same status and message
        assert fast == reference
        return
    assert not isinstance(fast, tuple), fast
    assert (fast.n_pages, fast.meta, fast.warnings, fast.notices) == \
        (reference.n_pages, reference.meta, reference.warnings, reference.notices)
    assert [b.kind for b in fast.blocks] == [b.kind for b in reference.blocks]
    for a, b in zip(fast.blocks, reference.blocks):
        where = f"page {b.page}: {b.text[:30] or b.kind}"
        assert (a.text, a.page, a.hints) == (b.text, b.page, b.hints), where
        assert _same_box(a.bbox, b.bbox), (where, a.bbox, b.bbox)
        if b.table is None:
            assert a.table is None
            continue
        ta, tb = a.table, b.table
        assert (ta.n_rows, ta.n_cols, ta.page) == (tb.n_rows, tb.n_cols, tb.page), where
        assert _same_box(ta.bbox, tb.bbox), where
        cells_a = sorted(ta.cells, key=lambda c: (c.row, c.col))
        cells_b = sorted(tb.cells, key=lambda c: (c.row, c.col))
        assert [(c.row, c.col, c.rowspan, c.colspan, c.text, c.page, c.confidence) for c in cells_a] == \
            [(c.row, c.col, c.rowspan, c.colspan, c.text, c.page, c.confidence) for c in cells_b], where
        for ca, cb in zip(cells_a, cells_b):
            assert _same_box(ca.bbox, cb.bbox), (where, ca.row, ca.col, ca.bbox, cb.bbox)


def _pages_pdfium_reads(path: Path) -> tuple[int, int]:
    doc = pdfium.PdfDocument(str(path))
    try:
        read = 0
        for i in range(len(doc)):
            page = doc[i]
            try:
                read += pdfobjects.pdfium_page(page, i + 1, pdf.MAX_PAGE_OBJECTS) is not None
            finally:
                page.close()
        return read, len(doc)
    finally:
        doc.close()


@pytest.mark.parametrize("path", OWN, ids=[p.name for p in OWN])
def test_own_samples_read_the_same_with_both_sources(path):
    assert_same_document(_read(path, "pdfium"), _read(path, "pdfplumber"))
    read, total = _pages_pdfium_reads(path)
    assert read == total


@pytest.mark.parametrize("path", shared_params(SHARED, [p.name for p in SHARED]))
def test_shared_pdfs_read_the_same_with_both_sources(path):
    assert_same_document(_read(path, "pdfium"), _read(path, "pdfplumber"))


@pytest.mark.shared
def test_pdfium_reads_most_pages_itself():
    """The fallback is for what pdfium cannot reproduce, not a way round it: of the text PDFs'
    pages, only Type3-font pages (hard-06, Cairo's output) and scans go to pdfplumber."""
    if not SHARED_PRESENT:
        pytest.skip("needs ../shared/corpus")
    counts = {p.name: _pages_pdfium_reads(p) for p in SHARED}
    assert counts["hard-06-provincedept-2021.pdf"] == (0, 4)  # Type3 fonts: no font names
    for name in ("huaian-city-2024.pdf", "huaian-hongze-2023.pdf", "huaian-hongze-2024.pdf",
                 "hard-01-citygov-2024.pdf", "hard-09-countydept-2024.pdf"):
        read, total = counts[name]
        assert read == total, name  # vertical-writing labels included (洪泽 page 3)


def test_characters_get_the_same_em_box_from_both_sources():
    """The character box both sources use: its advance across, 0.88 of the size above the
    baseline and 0.12 below, whatever descent the font descriptor claims (Chromium writes 0)."""
    path = OWN[0]
    with pdfplumber.open(path) as plumber:
        page = plumber.pages[0]
        raw = page.chars
        reference = pdfobjects.from_plumber(page, 1).chars
        height = float(page.height)
    # the em box from pdfminer's own origin (the character matrix's f), not from the box it built
    for ch, b in zip(raw, reference):
        baseline = height - ch["matrix"][5]
        assert abs(b["top"] - (baseline - 0.88 * b["size"])) < 1e-6
        assert abs(b["bottom"] - (baseline + 0.12 * b["size"])) < 1e-6
    doc = pdfium.PdfDocument(str(path))
    try:
        fast = pdfobjects.pdfium_page(doc[0], 1, pdf.MAX_PAGE_OBJECTS).chars
    finally:
        doc.close()

    # pdfium orders a few characters (quotation marks in another font) differently; the Documents
    # are compared whole above, here the characters and their boxes
    def order(c):
        return (round(c["top"]), c["x0"], c["text"])

    fast, reference = sorted(fast, key=order), sorted(reference, key=order)
    assert [c["text"] for c in fast] == [c["text"] for c in reference]
    for a, b in zip(fast, reference):
        assert all(abs(a[k] - b[k]) < 0.05 for k in ("x0", "x1", "top", "bottom", "size")), (a, b)


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError):
        pdf.read(OWN[0], engine="poppler")


def test_table_search_is_pdfplumbers(tmp_path):
    """find_tables indexes pdfplumber's cell search; it must find the same tables as
    pdfplumber's own TableFinder on every page of the own samples (drawing filter on and off)."""
    n = 0
    for path in OWN:
        with pdfplumber.open(path) as doc:
            for number, page in enumerate(doc.pages, 1):
                objs = pdfobjects.from_plumber(page, number)
                for keep in (pdf._drawn_filter(objs), lambda o: True):
                    expected = [(t.bbox, t.cells) for t in page.filter(keep).find_tables()]
                    assert [(t.bbox, t.cells) for t in objs.tables(keep)] == expected
                    n += len(expected)
    assert n >= 8  # tables 一 to 四 in each of the two samples, some split over pages


def test_words_are_pdfplumbers():
    """pdfobjects.words writes pdfplumber's WordExtractor out for upright characters; it must give
    the same words (text, boxes, characters) on every page of the own samples, from both sources,
    and on characters laid out to trip it: blanks, gaps just over and under x_tolerance, a line
    whose tops chain within y_tolerance, a character left of the one before, and turned ones."""
    def char(text, x0, top, size=10.0, font="F", upright=True):
        return {"text": text, "x0": x0, "x1": x0 + size, "top": top, "bottom": top + size,
                "doctop": top, "upright": upright, "fontname": font, "font": font, "size": size}

    cases = [[char("a", 0, 0), char("b", 10, 0), char(" ", 20, 0), char("c", 30, 0)],
             [char("a", 0, 0), char("b", 13, 0), char("c", 26.01, 0)],
             [char("a", 0, 0), char("b", 10, 2.9), char("c", 20, 5.8), char("d", 30, 8.8)],
             [char("a", 20, 0), char("b", 5, 0), char("c", 30, 0, font="G")],
             [char("甲", 0, 0, upright=False), char("乙", 0, 10, upright=False), char("丙", 0, 30)]]
    for path in OWN:
        doc = pdfium.PdfDocument(str(path))
        with pdfplumber.open(path) as plumber:
            for number, page in enumerate(plumber.pages, 1):
                cases.append(pdfobjects.from_plumber(page, number).chars)
                cases.append(pdfobjects.pdfium_page(doc[number - 1], number, pdf.MAX_PAGE_OBJECTS).chars)
        doc.close()
    for chars in cases:
        expected = [{**w, "chars": c} for w, c in pdfobjects._WORDS.iter_extract_tuples(chars)]
        assert pdfobjects.words(chars) == expected


def test_the_settings_know_the_same_engines():
    """config.py names the engines without importing the readers (it is read by every verb)."""
    from extractor import config

    assert config.PDF_ENGINES == pdfobjects.ENGINES and config.PDF_ENGINES[0] == pdfobjects.DEFAULT_ENGINE
