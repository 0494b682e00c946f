"""sniff() decides by content; read() dispatches and explains what it cannot read."""
import os
import shutil
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import CORPUS, ROOT
from extractor.document import Document, ReadError
from extractor.readers import read, sniff

SAMPLES = ROOT / "corpus"  # the repository's own samples (corpus/README.md)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.shared  # real published reports: as the issuers' sites serve them
@pytest.mark.parametrize("path,kind", [
    (CORPUS / "real" / "huaian-city-2024.pdf", "pdf"),
    (CORPUS / "real" / "pingtan-2024.html", "html"),
    (CORPUS / "real" / "shanghai-office-2019.html", "html"),
    (CORPUS / "real" / "xingtai-gxj-2023.txt", "txt"),
], ids=lambda x: x.name if isinstance(x, Path) else x)
def test_corpus(path, kind):
    assert sniff(path) == kind


@pytest.mark.parametrize("path,kind", [
    (SAMPLES / "sample-01-citydept-2023.docx", "docx"),
    (SAMPLES / "sample-02-countygov-2020.docx", "docx"),
    (SAMPLES / "sample-03-districtgov-2022.html", "html"),
    (SAMPLES / "sample-04-countydept-2021.html", "html"),  # GBK
    (SAMPLES / "sample-05-citygov-2023.pdf", "pdf"),
    (SAMPLES / "sample-06-citydept-2023.pdf", "pdf"),
], ids=lambda x: x.name if isinstance(x, Path) else x)
def test_samples(path, kind):
    assert sniff(path) == kind


def test_empty_file(tmp_path):
    f = tmp_path / "空.pdf"
    f.write_bytes(b"")
    assert sniff(f) == "unknown"
    with pytest.raises(ReadError) as e:
        read(f)
    assert e.value.status == "error"
    assert e.value.message == "空.pdf 是空文件（0字节）"


def test_missing_file(tmp_path):
    with pytest.raises(ReadError) as e:
        read(tmp_path / "nope.pdf")
    assert e.value.status == "error" and "nope.pdf" in e.value.message


def test_content_beats_extension(tmp_path):
    pdf = tmp_path / "report.txt"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert sniff(pdf) == "pdf"
    renamed = tmp_path / "report.pdf"
    shutil.copy(SAMPLES / "sample-01-citydept-2023.docx", renamed)
    assert sniff(renamed) == "docx"
    assert len(read(renamed).tables) == 3  # and it is read as the DOCX it is
    html_doc = tmp_path / "report.doc"  # Word "save as web page" files published as .doc
    html_doc.write_text("<html><body><p>一、总体情况</p></body></html>", encoding="utf-8")
    assert sniff(html_doc) == "html"


def test_gbk_html_without_charset(tmp_path):
    f = tmp_path / "page"
    f.write_bytes("<html><body><p>一、总体情况</p><p>收到申请3件。</p></body></html>".encode("gbk"))
    assert sniff(f) == "html"
    assert [b.text for b in read(f).paragraphs] == ["一、总体情况", "收到申请3件。"]


def test_html_detection(tmp_path):
    cases = {
        "bom.htm": "\ufeff\n  <!DOCTYPE html><html></html>",
        "meta.html": "<meta charset='utf-8'><p>正文</p>",
        "fragment.html": "<table><tr><td>1</td></tr></table>",
        "comment.html": "<!-- saved from url -->\n<html><body>x</body></html>",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert sniff(tmp_path / name) == "html", name
    # A fragment-like start is only a tiebreak: a .txt that begins with "<p>" stays text.
    (tmp_path / "note.txt").write_text("<p>正文</p>", encoding="utf-8")
    assert sniff(tmp_path / "note.txt") == "txt"


def test_text(tmp_path):
    (tmp_path / "a.txt").write_text("\ufeff一、总体情况\n", encoding="utf-8")
    (tmp_path / "b").write_bytes("一、总体情况\n".encode("gb18030"))
    (tmp_path / "c.txt").write_text("一、总体情况\n", encoding="utf-16")
    assert [sniff(tmp_path / n) for n in ("a.txt", "b", "c.txt")] == ["txt"] * 3


def test_ole2_doc_and_wps(tmp_path):
    (tmp_path / "a.doc").write_bytes(OLE2)
    (tmp_path / "b.wps").write_bytes(OLE2)
    (tmp_path / "c.pdf").write_bytes(OLE2)
    assert [sniff(tmp_path / n) for n in ("a.doc", "b.wps", "c.pdf")] == ["doc", "wps", "doc"]


def test_doc_needs_soffice_without_legacy_reader(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "extractor.readers.legacy", None)  # as if legacy.py were absent
    f = tmp_path / "年报.wps"
    f.write_bytes(OLE2)
    with pytest.raises(ReadError) as e:
        read(f)
    assert e.value.status == "needs_soffice"
    assert "年报.wps" in e.value.message and "LibreOffice" in e.value.message


def test_unknown_content(tmp_path):
    binary = tmp_path / "blob.pdf"
    binary.write_bytes(bytes(range(256)) * 4)
    archive = tmp_path / "photos.docx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "not word")
    rtf = tmp_path / "old.doc"
    rtf.write_bytes(rb"{\rtf1\ansi hello}")
    for f, detected in ((binary, "二进制"), (archive, "ZIP"), (rtf, "RTF")):
        assert sniff(f) == "unknown"
        with pytest.raises(ReadError) as e:
            read(f)
        assert e.value.status == "unsupported"
        assert f.name in e.value.message and detected in e.value.message


def test_scanned_pdf_falls_back_to_ocr(tmp_path, monkeypatch):
    def scan(path):
        raise ReadError("needs_ocr", f"{Path(path).name} 是扫描件")

    ocr_doc = Document(path="scan.pdf", format="ocr", blocks=[])
    monkeypatch.setitem(sys.modules, "extractor.readers.pdf", SimpleNamespace(read=scan))
    monkeypatch.setitem(sys.modules, "extractor.readers.ocr", SimpleNamespace(read=lambda path, why=None: ocr_doc))
    f = tmp_path / "scan.pdf"
    f.write_bytes(b"%PDF-1.4\n")
    assert read(f) is ocr_doc
    monkeypatch.setitem(sys.modules, "extractor.readers.ocr", None)  # no OCR reader: the PDF reader's error
    with pytest.raises(ReadError) as e:
        read(f)
    assert e.value.status == "needs_ocr"


def test_fifo_is_never_opened(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    assert sniff(fifo) == "unknown"
    with pytest.raises(ReadError) as e:
        read(fifo)
    assert e.value.status == "error" and "命名管道" in e.value.message
