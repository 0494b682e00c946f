"""Tables printed as pictures (issue 13, item 1): a saved page whose tables are <img>, a DOCX
whose tables are pasted pictures, a text PDF whose tables are embedded images.

The samples are made at test time from the project's own sample PDF (corpus/sample-06, with
gold): each table is rendered at 140 dpi and cut out (a table continued over a page break gives
two pictures), then put back as pictures into a saved page (NAME.html + NAME_files/, one file
name in GBK, one percent-encoded), a DOCX (python-docx) and a PDF (that DOCX through
LibreOffice). Each must read every gold cell exactly, with an OCR confidence, and raise the gold's
flags. ../shared/corpus/hard has one document of each kind (hard-04, -07, -09).
"""
from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, extracted, shared_params

SAMPLE = ROOT / "corpus" / "sample-06-citydept-2023.pdf"
GOLD = json.loads(SAMPLE.with_suffix(".json").read_text())
DPI = 140
HARD = ["hard-04-town-2023", "hard-07-districtgov-2024", "hard-09-countydept-2024"]


def require_ocr() -> None:
    from extractor.readers import ocr

    if not ocr.available():
        pytest.skip("OCR extra not installed (pip install -e '.[ocr]')")


# ---- making the samples ----------------------------------------------------------------------


@lru_cache(maxsize=None)
def _content() -> tuple:
    """The sample in document order: ("p", text) or ("t", [(width_pt, height_pt, PNG bytes)]),
    one picture per page a table is printed on."""
    import io

    import pypdfium2 as pdfium

    from extractor.readers import pdf as pdf_reader

    doc = pdf_reader.read(SAMPLE)
    pdf = pdfium.PdfDocument(str(SAMPLE))
    k, pad = DPI / 72, 2.0
    out = []
    try:
        for b in doc.blocks:
            if b.kind != "table":
                out.append(("p", b.text))
                continue
            parts = []
            for pg in b.table.pages:
                boxes = [c.bbox for c in b.table.cells if c.page == pg]
                x0, top = min(x[0] for x in boxes) - pad, min(x[1] for x in boxes) - pad
                x1, bottom = max(x[2] for x in boxes) + pad, max(x[3] for x in boxes) + pad
                img = pdf[pg - 1].render(scale=k).to_pil().convert("RGB")
                crop = img.crop((round(x0 * k), round(top * k), round(x1 * k), round(bottom * k)))
                buf = io.BytesIO()
                crop.save(buf, "PNG", dpi=(DPI, DPI))
                parts.append((x1 - x0, bottom - top, buf.getvalue()))
            out.append(("t", tuple(parts)))
    finally:
        pdf.close()
    return tuple(out)


def make_html(folder: Path, turns: dict | None = None) -> Path:
    """A page saved "complete": NAME.html and NAME_files/ with the table pictures. The first
    picture's name is Chinese, stored on disk in GBK and percent-encoded as GBK in src (as an old
    page saved on Windows); the second percent-encoded as UTF-8; the rest plain. `turns`:
    picture number → degrees (counter-clockwise) it is pasted turned by."""
    page = folder / "sample-img.html"
    files = folder / "sample-img_files"
    files.mkdir(parents=True, exist_ok=True)
    body, n = [], 0
    for kind, value in _content():
        if kind == "p":
            body.append(f"<p>{value}</p>")
            continue
        for w, h, png in value:
            n += 1
            if (turns or {}).get(n):
                png = _turned(png, turns[n])
                w = h if turns[n] % 180 else w
            if n == 1:
                name = "表格一.png"
                with open(os.path.join(os.fsencode(files), name.encode("gbk")), "wb") as f:
                    f.write(png)
                src = "sample-img_files/" + urllib.parse.quote(name.encode("gbk"))
            elif n == 2:
                name = "表格 二.png"
                (files / name).write_bytes(png)
                src = "sample-img_files/" + urllib.parse.quote(name)
            else:
                name = f"t{n}.png"
                (files / name).write_bytes(png)
                src = f"sample-img_files/{name}"
            body.append(f'<p style="text-align:center"><img src="{src}" width="{round(w / 0.75)}"></p>')
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>年度报告</title></head>'
                    '<body><div class="article">' + "\n".join(body) + "</div></body></html>",
                    encoding="utf-8")
    return page


def _turned(png: bytes, degrees: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(png)).rotate(degrees, expand=True).save(buf, "PNG")
    return buf.getvalue()


def make_docx(path: Path) -> Path:
    import io

    import docx
    from docx.shared import Inches, Pt

    d = docx.Document()
    for section in d.sections:
        section.left_margin = section.right_margin = Inches(0.6)
    for kind, value in _content():
        if kind == "p":
            d.add_paragraph(value)
            continue
        for w, _h, png in value:
            d.add_paragraph().add_run().add_picture(io.BytesIO(png), width=Pt(w))
    d.save(str(path))
    return path


@lru_cache(maxsize=None)
def make_pdf(folder: Path) -> Path:
    """The DOCX printed to PDF by LibreOffice: a text PDF whose tables are embedded images."""
    from extractor.readers import legacy

    exe = legacy.soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) not installed")
    folder.mkdir(parents=True, exist_ok=True)
    src = make_docx(folder / "sample-img.docx")
    profile = folder / "profile"
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder), str(src)], check=True, capture_output=True,
                   timeout=180)
    return folder / "sample-img.pdf"


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return tmp_path_factory.mktemp("image-tables")


@lru_cache(maxsize=None)
def _report(path: str):
    from extractor.pipeline import extract

    return extract(path)


def _check_against_gold(report, gold: dict) -> None:
    have = {k: c.value for k, c in report.cells.items()}
    wrong = {k: (v, have.get(k, "<missing>")) for k, v in gold["cells"].items() if have.get(k) != v}
    assert not wrong, f"{len(wrong)} cells differ (gold, got): {dict(list(wrong.items())[:8])}"
    assert not sorted(set(have) - set(gold["cells"]))
    # Every table cell was read by OCR, and says how sure it is.
    assert all(c.confidence is not None and 0 < c.confidence <= 1 for c in report.cells.values())
    flags = [f for f in report.flags if f.severity in ("error", "warning")]

    def matches(want, f):
        wc, fc = set(want.get("cells") or []), {c.key for c in f.cells}
        return want["check"] == f.check and (not wc or not fc or bool(wc & fc))

    for want in gold["expected_flags"]:
        assert any(matches(want, f) for f in flags), (want, [(f.check, f.message) for f in flags])
    assert not [f.message for f in flags if f.severity == "error"
                and not any(matches(w, f) for w in gold["expected_flags"])]
    # It says the tables were OCR'd.
    assert any("表格图片" in m and "OCR" in m for m in report.messages)
    assert report.status == "ok", report.messages


# ---- the three formats -----------------------------------------------------------------------


def test_saved_page_with_table_pictures(samples):
    require_ocr()
    page = make_html(samples / "html")
    report = _report(str(page))
    _check_against_gold(report, GOLD)
    # The GBK and the percent-encoded names were followed and are named as on disk.
    assert any("表格一.png" in m and "表格 二.png" in m for m in report.messages)


def test_pictures_pasted_sideways_or_upside_down(samples):
    require_ocr()
    page = make_html(samples / "turned", turns={1: 90, 2: 270, 4: 180})
    _check_against_gold(_report(str(page)), GOLD)


def test_docx_with_table_pictures(samples):
    require_ocr()
    path = make_docx(samples / "sample-img.docx")
    _check_against_gold(_report(str(path)), GOLD)


def test_text_pdf_with_table_pictures(samples):
    require_ocr()
    path = make_pdf(samples / "pdf")
    from extractor.readers import pdf as pdf_reader

    doc = pdf_reader.read(path)
    # The text layer is kept for the rest, and the tables sit where they are printed.
    kinds = [b.kind for b in doc.blocks]
    assert kinds.count("table") == 3
    texts = [b.text for b in doc.blocks]
    assert texts.index("二、主动公开政府信息情况") < kinds.index("table")
    assert all(c.page is not None and c.bbox is not None for t in doc.tables for c in t.cells)
    _check_against_gold(_report(str(path)), GOLD)


def test_rotated_copy_of_the_pdf_reads_the_same(samples):
    """Every page of the PDF carries /Rotate 90 (shown sideways): the table pictures are rendered
    in the frame the text layer is read in, turned upright, and read the same."""
    require_ocr()
    import pypdfium2 as pdfium

    src = make_pdf(samples / "pdf")
    pdf = pdfium.PdfDocument(str(src))
    for i in range(len(pdf)):
        pdf[i].set_rotation(90)
    rotated = samples / "pdf" / "sample-img-rot90.pdf"
    pdf.save(str(rotated))
    pdf.close()
    _check_against_gold(_report(str(rotated)), GOLD)


# ---- without OCR, and pictures that are not tables -------------------------------------------


def test_without_the_ocr_extra_table_pictures_are_named_and_the_report_is_partial(samples,
                                                                                   monkeypatch):
    from extractor.pipeline import extract
    from extractor.readers import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    page = make_html(samples / "no-ocr")
    report = extract(str(page))
    assert report.status == "partial"
    assert not report.cells
    text = "\n".join(report.messages)
    for name in ("表格一.png", "表格 二.png", "t3.png", "t4.png"):
        assert f"图片 {name} 像是表格，但未安装OCR组件" in text
    docx_report = extract(str(make_docx(samples / "no-ocr" / "x.docx")))
    assert docx_report.status == "partial"
    assert "未安装OCR组件" in "\n".join(docx_report.messages)


def test_without_the_ocr_extra_pdf_table_pictures_are_named_with_their_page(samples, monkeypatch):
    from extractor.pipeline import extract
    from extractor.readers import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    pdf_report = extract(str(make_pdf(samples / "pdf")))
    assert pdf_report.status == "partial" and not pdf_report.cells
    text = "\n".join(pdf_report.messages)
    # Each picture named with its page; the text layer is still read.
    assert text.count("像是表格，但未安装OCR组件") == 4 and "第1页的图片" in text
    assert [s.key for s in pdf_report.sections][:2] == ["overview", "active"]


def _png(img) -> bytes:
    import io

    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_small_pictures_and_pictures_without_rulings_cost_no_ocr(monkeypatch):
    import numpy as np
    from PIL import Image, ImageDraw

    from extractor.readers import images, ocr

    def boom(*a, **k):
        raise AssertionError("OCR must not run")

    monkeypatch.setattr(ocr, "read_image", boom)
    monkeypatch.setattr(ocr, "available", lambda: True)
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 255, (400, 600, 3), dtype=np.uint8))
    logo = Image.new("RGB", (120, 36), "white")
    ImageDraw.Draw(logo).rectangle((2, 2, 117, 33), outline="black")
    text = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(text).text((10, 10), "2023 annual report " * 3, fill="black")
    pics = images.Pictures("x.html")
    blocks = pics.into_blocks([images.Picture(n, _png(i)) for n, i in
                               (("photo.png", photo), ("logo.png", logo), ("text.png", text))])
    assert blocks == [] and pics.warnings == [] and pics.unread == []


def test_a_ruled_picture_that_is_no_table_is_named_not_read():
    """Rulings but a single column (a framed notice): no table comes out, and the warning says
    which picture looked like one."""
    require_ocr()
    from PIL import Image, ImageDraw

    from extractor.readers import images

    img = Image.new("RGB", (700, 300), "white")
    d = ImageDraw.Draw(img)
    for y in (20, 120, 220):
        d.line((20, y, 680, y), fill="black", width=2)
    for x in (20, 680):
        d.line((x, 20, x, 220), fill="black", width=2)
    pics = images.Pictures("x.docx")
    assert pics.into_blocks([images.Picture("notice.png", _png(img), 420.0)]) == []
    assert pics.unread == ["notice.png"]
    assert "图片 notice.png 像是表格，但未能识别出表格的行列" in pics.warnings[0]


def test_docx_picture_with_a_vml_fallback_is_read_once():
    from lxml import etree

    from extractor.readers import images

    xml = (
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
        '<w:drawing><wp:inline><wp:extent cx="5472000" cy="3532639"/><a:graphic><a:graphicData>'
        '<a:blip r:embed="rId9"/></a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><v:shape><v:imagedata r:id="rId9"/></v:shape></w:pict></mc:Fallback>'
        '</mc:AlternateContent></w:r></w:p>')

    class Media:
        blob, partname = b"png", "/word/media/image1.png"

    class Part:
        related_parts = {"rId9": Media()}

    p = etree.fromstring(xml)
    assert images.has_docx_picture(p)
    [pic] = images.docx_pictures(p, Part())
    assert (pic.name, pic.data, round(pic.width_pt, 1)) == ("image1.png", b"png", 430.9)


def test_img_src_outside_the_pages_folder_is_refused(tmp_path):
    import lxml.html
    from PIL import Image

    from extractor.readers import images

    site = tmp_path / "site"
    (site / "page_files").mkdir(parents=True)
    Image.new("RGB", (400, 300), "white").save(tmp_path / "secret.png")
    Image.new("RGB", (400, 300), "white").save(site / "page_files" / "t1.png")
    (site / "page_files" / "link.png").symlink_to(tmp_path / "secret.png")
    page = site / "page.html"

    def pic(src):
        return images.html_picture(lxml.html.fragment_fromstring(f'<img src="{src}">'), page)

    assert pic("page_files/t1.png").name == "t1.png"
    for bad in ("../secret.png", "%2E%2E/secret.png", str(tmp_path / "secret.png"),
                "page_files/link.png", "file:///etc/passwd", "page_files/../../secret.png"):
        assert pic(bad) is None, bad


def test_remote_src_is_looked_for_in_the_pages_files_folder(tmp_path):
    import lxml.html
    from PIL import Image

    from extractor.readers import images

    (tmp_path / "page_files").mkdir()
    Image.new("RGB", (400, 300), "white").save(tmp_path / "page_files" / "t1.png")
    el = lxml.html.fragment_fromstring('<img src="http://www.example.gov.cn/u/t1.png" width="300">')
    pic = images.html_picture(el, tmp_path / "page.html")
    assert pic is not None and pic.name == "t1.png" and pic.width_pt == 225.0


# ---- ../shared/corpus/hard -------------------------------------------------------------------


def _hard(stem):
    gold = CORPUS / "hard" / f"{stem}.json"
    return gold, next((p for p in gold.parent.glob(f"{stem}.*") if p.suffix != ".json"), None)


@pytest.mark.parametrize("gold_path,doc", shared_params([_hard(s) for s in HARD], HARD, width=2))
def test_hard_documents_with_table_pictures(gold_path, doc):
    require_ocr()
    gold = json.loads(gold_path.read_text())
    report = extracted(str(doc))
    _check_against_gold(report, gold)
    assert (report.template, report.report_year) == (gold["template"], gold["report_year"])


def test_a_transparent_table_picture_is_seen_on_white():
    """A screenshot with a transparent background: dropping the alpha channel would make it
    black, and the table would be skipped as no table."""
    from PIL import Image, ImageDraw

    from extractor.readers import images

    img = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    for y in (10, 100, 200, 290):
        d.line((10, y, 590, y), fill=(0, 0, 0, 255), width=2)
    for x in (10, 300, 590):
        d.line((x, 10, x, 290), fill=(0, 0, 0, 255), width=2)
    assert images.looks_like_table(img)
    assert not images.looks_like_table(Image.new("RGBA", (600, 300), (0, 0, 0, 0)))


def test_docx_picture_framed_in_a_table_is_a_table_picture(tmp_path, monkeypatch):
    """A picture pasted into a one-cell table (a frame around it) is read like one pasted into
    the text; here without OCR, so it is named as not read."""
    import io

    import docx
    from docx.shared import Pt
    from PIL import Image, ImageDraw

    from extractor.readers import docx as docx_reader
    from extractor.readers import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    img = Image.new("RGB", (800, 300), "white")
    d = ImageDraw.Draw(img)
    for y in (10, 100, 200, 290):
        d.line((10, y, 790, y), fill="black", width=2)
    for x in (10, 300, 550, 790):
        d.line((x, 10, x, 290), fill="black", width=2)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    doc = docx.Document()
    doc.add_paragraph("二、主动公开政府信息情况")
    doc.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0].add_run().add_picture(
        io.BytesIO(buf.getvalue()), width=Pt(400))
    doc.save(str(tmp_path / "framed.docx"))
    read = docx_reader.read(tmp_path / "framed.docx")
    assert read.tables == []
    assert read.meta["unread_images"] == ["image1.png"]
    assert "图片 image1.png 像是表格，但未安装OCR组件" in read.warnings[0]
