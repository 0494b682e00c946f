"""Damaged and hostile PDFs (issue 14), all made here from the repository's own sample.

A PDF whose xref points beside its objects is repaired in memory (pdfium rebuilds the xref) and
its text layer read, not sent to OCR as a scan; a page with more objects than a report page ever
has is refused before pdfminer spends minutes and gigabytes on it."""
from __future__ import annotations

import re
import resource
import time
import zlib

import pytest

from conftest import ROOT
from extractor.document import ReadError
from extractor.pipeline import extract
from extractor.readers import pdf as pdf_reader

SAMPLE = ROOT / "corpus" / "sample-05-citygov-2023.pdf"  # three pages, tables 二 三 四


@pytest.fixture
def no_ocr(monkeypatch):
    """Fail the test if anything is sent to OCR."""
    from extractor.readers import ocr

    def refuse(*args, **kwargs):
        raise AssertionError(f"OCR called: {args} {kwargs}")
    monkeypatch.setattr(ocr, "read", refuse)


def _cells(report) -> dict:
    return {key: (c.value, c.page) for key, c in report.cells.items()}


def _wrong_offsets(data: bytes) -> bytes:
    """Every in-use xref offset of the last xref table moved 7 bytes on (same length)."""
    at = data.rindex(b"\nxref")
    table = re.sub(rb"(\d{10}) (\d{5}) n", lambda m: b"%010d %s n" % (int(m[1]) + 7, m[2]), data[at:])
    assert table != data[at:]
    return data[:at] + table


def _wrong_startxref(data: bytes) -> bytes:
    """The startxref number replaced by other digits of the same length."""
    m = re.search(rb"startxref\s+(\d+)", data[-200:])
    start = len(data) - 200 + m.start(1)
    digits = m[1]
    wrong = str(int(digits) // 2).rjust(len(digits), "0").encode()
    return data[:start] + wrong + data[start + len(digits):]


@pytest.mark.parametrize("damage", [_wrong_offsets, _wrong_startxref])
def test_broken_xref_is_repaired_and_the_text_layer_read(tmp_path, no_ocr, damage):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(damage(SAMPLE.read_bytes()))
    original = extract(SAMPLE, checks=False)
    started = time.monotonic()
    report = extract(broken, checks=False)
    elapsed = time.monotonic() - started
    assert report.format == "pdf"
    assert report.status == original.status == "ok", report.messages
    assert len(report.cells) > 100
    assert _cells(report) == _cells(original)
    assert report.n_pages == 3
    assert elapsed < 5, elapsed


def test_wrong_offsets_were_what_made_it_a_scan(tmp_path):
    """The damage the repair undoes: pdfminer reads the broken xref without complaint and finds
    three pages with no text (before the repair this file went to OCR for 106 s)."""
    import pdfplumber

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(_wrong_offsets(SAMPLE.read_bytes()))
    with pdfplumber.open(broken) as pdf:
        assert not any(page.extract_words() for page in pdf.pages)
    assert pdf_reader.read(broken).n_pages == 3


def test_unrepairable_pdf_says_the_structure_is_damaged(tmp_path, no_ocr):
    f = tmp_path / "garbage.pdf"
    f.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n1 0 obj\n<< /Type /Pages\n")
    with pytest.raises(ReadError) as e:
        pdf_reader.read(f)
    assert e.value.status == "error"
    assert e.value.message.startswith("无法读取PDF文件 garbage.pdf：") and "损坏" in e.value.message


# ---- pages too crowded to parse -----------------------------------------------------------


def _pdf(pages: list[bytes], form: bytes | None = None) -> bytes:
    """A PDF of pages with these content streams (Flate-compressed), Helvetica as /F1, and
    `form` as form XObject /Fm0."""
    objs: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
                              3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    n = 4
    xobj = b""
    if form is not None:
        z = zlib.compress(form, 9)
        objs[n] = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font "
                   b"<< /F1 3 0 R >> >> /Length %d /Filter /FlateDecode >>\nstream\n" % len(z)
                   + z + b"\nendstream")
        xobj = b" /XObject << /Fm0 %d 0 R >>" % n
        n += 1
    kids = []
    for content in pages:
        z = zlib.compress(content, 9)
        objs[n] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font "
                   b"<< /F1 3 0 R >>%s >> /Contents %d 0 R >>" % (xobj, n + 1))
        objs[n + 1] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(z) + z + b"\nendstream"
        kids.append(b"%d 0 R" % n)
        n += 2
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % n
    out += b"".join(b"%010d 00000 n \n" % offsets[i] for i in range(1, n))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n, xref)
    return bytes(out)


CROWDED = b"BT /F1 12 Tf 72 720 Td " + b"(x) Tj " * 200_000 + b"ET"
NORMAL = b"BT /F1 12 Tf 72 720 Td (Hello page two) Tj ET"


def _read_bounded(f):
    """Read f; assert it took a few seconds and little memory (pdfminer took 12.6 s and 500 MB on
    the one-page file before the bound)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    started = time.monotonic()
    try:
        return pdf_reader.read(f)
    finally:
        assert time.monotonic() - started < 5
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300_000


def test_file_of_only_crowded_pages_is_refused(tmp_path, no_ocr):
    f = tmp_path / "crowded.pdf"
    f.write_bytes(_pdf([CROWDED]))
    assert len(f.read_bytes()) < 20_000  # small on disk: the size check cannot catch it
    with pytest.raises(ReadError) as e:
        _read_bounded(f)
    assert e.value.status == "unsupported"
    assert e.value.message.startswith("无法读取PDF文件 crowded.pdf：") and "页面对象超过50000个" in e.value.message


def test_crowded_page_is_skipped_and_named(tmp_path, no_ocr):
    f = tmp_path / "mixed.pdf"
    f.write_bytes(_pdf([CROWDED, NORMAL]))
    doc = _read_bounded(f)
    assert doc.n_pages == 2
    assert doc.warnings == ["第1页的页面对象超过50000个（正常报告页只有几千个），为避免耗尽时间和内存未解析，"
                            "这些页的内容未读取"]
    assert [b.text for b in doc.blocks if getattr(b, "text", None)] == ["Hello page two"]
    assert "pages_without_text" not in doc.meta  # a skipped page is not a scan for OCR


def test_objects_inside_a_form_xobject_count(tmp_path, no_ocr):
    f = tmp_path / "form.pdf"
    f.write_bytes(_pdf([b"/Fm0 Do", b"/Fm0 Do"], form=CROWDED))
    with pytest.raises(ReadError) as e:  # both pages draw the crowded form
        _read_bounded(f)
    assert e.value.status == "unsupported" and "页面对象超过" in e.value.message
