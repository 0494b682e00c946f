"""Framed pages (issue 13.5): a page border drawn around every page (Word's w:pgBorders, a WPS
frame) is not a table ruling. A table ruled to the text margin sits within pdfplumber's snap
tolerance of a border drawn at the margin; welded together, the whole page read as one table
(table 二 and five headings lost, five false S01 errors). Made at test time: the repository's
DOCX sample, the border added to its section properties, printed to PDF by LibreOffice."""
import json
import os
import subprocess
from types import SimpleNamespace

import docx
import pytest
from docx.oxml import parse_xml

from conftest import ROOT
from extractor.pipeline import extract
from extractor.readers import legacy, pdf

SAMPLE = ROOT / "corpus" / "sample-01-citydept-2023.docx"
GOLD = json.loads((ROOT / "corpus" / "sample-01-citydept-2023.json").read_text())
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# name: (border style, width in eighths of a point, space in points, measured from)
FRAMES = {
    "margin-single": ("single", 8, 0, "text"),  # at the text margin: the table touches it
    "margin-double": ("double", 4, 0, "text"),
    "margin-4pt": ("single", 8, 4, "text"),
    "page-24pt": ("single", 12, 24, "page"),  # as ../shared/corpus/hard/hard-01
}


def _framed(path, style, size, space, offset):
    d = docx.Document(str(SAMPLE))
    sides = "".join(f'<w:{s} w:val="{style}" w:sz="{size}" w:space="{space}" w:color="000000"/>'
                    for s in ("top", "left", "bottom", "right"))
    for section in d.sections:
        sect = section._sectPr
        borders = parse_xml(f'<w:pgBorders {W} w:offsetFrom="{offset}">{sides}</w:pgBorders>')
        sect.find(docx.oxml.ns.qn("w:pgMar")).addnext(borders)  # schema order: after pgMar
    d.save(str(path))
    return path


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    exe = legacy.soffice()
    if exe is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("LibreOffice is not installed in CI: apt-get install libreoffice-writer-nogui")
        pytest.skip("LibreOffice (soffice) not installed")
    tmp = tmp_path_factory.mktemp("frames")
    sources = [tmp / "plain.docx"]
    docx.Document(str(SAMPLE)).save(str(sources[0]))
    sources += [_framed(tmp / f"{name}.docx", *spec) for name, spec in FRAMES.items()]
    subprocess.run([exe, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp), *map(str, sources)],
                   check=True, capture_output=True, timeout=300, env=dict(os.environ, HOME=str(tmp)))
    return {p.stem: tmp / f"{p.stem}.pdf" for p in sources} | {"docx:" + p.stem: p for p in sources}


def _read(path):
    r = extract(path)
    return (r.status, {k: c.value for k, c in r.cells.items()}, [(s.key, s.heading) for s in r.sections],
            sorted((f.check, f.severity) for f in r.flags), r.issuer, r.report_year, r.published)


@pytest.mark.parametrize("frame", sorted(FRAMES))
def test_framed_pdf_reads_like_the_unframed_one(pdfs, frame):
    import pdfplumber

    with pdfplumber.open(pdfs[frame]) as doc, pdfplumber.open(pdfs["plain"]) as plain:
        # the border is printed: more long rulings on every page than the unframed print has
        for framed_page, plain_page in zip(doc.pages, plain.pages):
            assert len(framed_page.lines) > len(plain_page.lines)
    framed, unframed = _read(pdfs[frame]), _read(pdfs["plain"])
    assert framed == unframed
    assert framed[0] == "ok" and framed[1] == GOLD["cells"]
    assert [k for k, _ in framed[2]] == [s["key"] for s in GOLD["sections"]]


def test_framed_docx_reads_like_the_unframed_one(pdfs):
    assert _read(pdfs["docx:margin-single"]) == _read(pdfs["docx:plain"])


# The frame rule on drawn objects (what pdfplumber gives): lines, and a WPS frame drawn as one
# stroked rectangle. A4 in points.

def _line(x0, top, x1, bottom):
    return {"object_type": "line", "x0": x0, "top": top, "x1": x1, "bottom": bottom}


def _page(lines=(), rects=()):
    return SimpleNamespace(width=595.0, height=842.0, lines=list(lines), rects=list(rects))


FRAME = [_line(56, 84, 539, 84), _line(56, 772, 539, 772), _line(56, 84, 56, 772), _line(539, 84, 539, 772)]
# a table ruled at the text margin, 0.8 pt inside the frame, from y=140 to y=400
TABLE = [_line(57, y, 538, y) for y in range(140, 401, 20)] + [_line(x, 140, x, 400) for x in (57, 200, 538)]


def test_frame_welded_to_a_table_is_dropped():
    keys = pdf.page_frame(_page(FRAME + TABLE))
    assert keys == {pdf.object_key(o) for o in FRAME}


def test_wps_frame_rectangle_is_dropped():
    rect = {"object_type": "rect", "x0": 56, "top": 84, "x1": 539, "bottom": 772, "stroke": True, "fill": False}
    assert pdf.page_frame(_page(TABLE, [rect])) == {pdf.object_key(rect)}


def test_frame_away_from_everything_is_left_alone():
    inner = [_line(90, y, 500, y) for y in range(140, 401, 20)] + [_line(x, 140, x, 400) for x in (90, 300, 500)]
    assert pdf.page_frame(_page(FRAME + inner)) == set()


def test_a_page_sized_table_is_not_a_frame():
    """A table filling the page: its own border lines, rows and columns ruled to them."""
    rows = [_line(56, y, 539, y) for y in range(84, 773, 40)] + [_line(56, 772, 539, 772)]
    cols = [_line(x, 84, x, 772) for x in (56, 150, 300, 539)]
    assert pdf.page_frame(_page(rows + cols)) == set()
