"""Evidence images: for a flag on a PDF (or a scan read by OCR), a crop of the printed page
around the flag's cells and quote, with them outlined in red.

pypdfium2 renders the page, Pillow crops and draws. An image is made once and cached by the
file's sha256 (and the flag fingerprint) under the user cache dir (resources.cache_dir), so the
report page and the packets reuse it. Cell boxes are stored in PDF points from the page's top-left
corner (cells.bbox); quotes are found on the page with PDFium's text search.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Optional

from .resources import cache_dir

SCALE = 2.0  # pixels per PDF point: small print stays legible
MARGIN = 40  # points of context around the outlined boxes
LEFT_CONTEXT = 160  # more to the left: the row's printed label
TOP_CONTEXT = 70  # more above: the column headings
MIN_WIDTH = 420  # points: a crop narrower than this is widened (never beyond the page)
MAX_QUOTE = 60  # characters searched on the page (a long quote wraps: its start is enough)
PRINTED = ("pdf", "ocr")  # formats whose flags have a place on a printed page


def evidence_dir() -> Path:
    return cache_dir() / "evidence"


def cached_path(sha: str, fingerprint: str) -> Path:
    return evidence_dir() / sha / f"{fingerprint}.png"


def _flag_boxes(conn, sha: str, fingerprint: str):
    """(file path, page, [cell boxes], quote) of one flag; None when it has nothing on a page."""
    row = conn.execute(
        "SELECT r.path, r.format, f.cells, f.page, f.quote FROM flags f JOIN reports r "
        "ON r.sha256 = f.report WHERE f.report = ? AND f.fingerprint = ?", [sha, fingerprint]).fetchone()
    if row is None or row[1] not in PRINTED or not row[0]:
        return None
    path, fmt, cells, page, quote = row
    keys = json.loads(cells or "[]")
    boxes, pages = [], []
    if keys:
        marks = ",".join("?" * len(keys))
        for cpage, bbox in conn.execute(
                f"SELECT page, bbox FROM cells WHERE report = ? AND key IN ({marks}) AND bbox IS NOT NULL",
                [sha, *keys]):
            try:
                box = [float(v) for v in json.loads(bbox)]
            except (TypeError, ValueError):
                continue
            if len(box) == 4 and cpage:
                boxes.append((cpage, box))
                pages.append(cpage)
    target = page
    if pages:
        target = max(set(pages), key=pages.count)  # the page holding most of the cells
    if not target:
        return None
    return path, fmt, target, [b for p, b in boxes if p == target], quote


def _quote_boxes(page, quote: str) -> list[list[float]]:
    """Boxes (top-left origin, points) of the quote's first line(s) on a pdfium page."""
    text = "".join((quote or "").split())[:MAX_QUOTE]
    if len(text) < 4:
        return []
    height = page.get_height()
    textpage = page.get_textpage()
    out = []
    try:
        for n in (len(text), 30, 15):
            searcher = textpage.search(text[:n], match_case=False)
            hit = searcher.get_next()
            if hit:
                start, count = hit
                for i in range(textpage.count_rects(start, count)):
                    left, bottom, right, top = textpage.get_rect(i)
                    box = [left, height - top, right, height - bottom]
                    last = out[-1] if out else None
                    if last and abs(last[1] - box[1]) < 3 and abs(last[3] - box[3]) < 3:
                        last[2] = max(last[2], box[2])  # same line: one outline, not one per glyph run
                        last[0] = min(last[0], box[0])
                    else:
                        out.append(box)
                break
    finally:
        textpage.close()
    return out


def render_evidence(db_path: str | Path, sha: str, fingerprint: str) -> Optional[Path]:
    """The cached PNG of one flag's evidence, made now if missing; None when the flag has no
    place on a printed page (a DOCX/HTML report, a flag without cells or page) or the file is gone."""
    out = cached_path(sha, fingerprint)
    if out.exists():
        return out
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        found = _flag_boxes(conn, sha, fingerprint)
    finally:
        conn.close()
    if not found:
        return None
    path, fmt, page_no, boxes, quote = found
    if not Path(path).is_file():
        return None
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    pdf = pdfium.PdfDocument(path)
    try:
        if not 1 <= page_no <= len(pdf):
            return None
        page = pdf[page_no - 1]
        width, height = page.get_width(), page.get_height()
        quote_boxes = _quote_boxes(page, quote) if quote and fmt == "pdf" else []
        image = page.render(scale=SCALE).to_pil().convert("RGB")
        page.close()
    finally:
        pdf.close()
    if fmt == "ocr":
        # OCR read the page upright (a sideways scan turned): its boxes are in that frame
        turns = _ocr_turns(image)
        if turns:
            image = image.rotate(90 * turns, expand=True)  # counter-clockwise, as np.rot90
            if turns % 2:
                width, height = height, width
    marks = [b for b in boxes + quote_boxes if 0 <= b[0] < b[2] <= width + 1 and 0 <= b[1] < b[3] <= height + 1]
    if not marks:
        return None
    x0 = max(0, min(b[0] for b in marks) - LEFT_CONTEXT)
    y0 = max(0, min(b[1] for b in marks) - TOP_CONTEXT)
    x1 = min(width, max(b[2] for b in marks) + MARGIN)
    y1 = min(height, max(b[3] for b in marks) + MARGIN)
    if x1 - x0 < MIN_WIDTH:  # every crop at about one scale on the page and in packets
        grow = (MIN_WIDTH - (x1 - x0)) / 2
        x0, x1 = max(0, x0 - grow), min(width, x1 + grow)
    draw = ImageDraw.Draw(image)
    for b in boxes:
        draw.rectangle([b[0] * SCALE, b[1] * SCALE, b[2] * SCALE, b[3] * SCALE], outline=(220, 0, 0), width=4)
    for b in quote_boxes:
        draw.rectangle([b[0] * SCALE - 2, b[1] * SCALE - 2, b[2] * SCALE + 2, b[3] * SCALE + 2],
                       outline=(230, 120, 0), width=3)
    crop = image.crop((int(x0 * SCALE), int(y0 * SCALE), int(x1 * SCALE), int(y1 * SCALE)))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    crop.save(tmp, "PNG")
    tmp.replace(out)  # another request never sees half a file
    return out


def _ocr_turns(image) -> int:
    """The quarter turns the OCR reader gave this page (readers/ocr.py orientation, same input)."""
    try:
        import numpy as np

        from .readers.ocr import DPI, orientation
    except ImportError:  # OCR not installed: the page is shown as scanned
        return 0
    small = image.resize((round(image.width * DPI / 72 / SCALE), round(image.height * DPI / 72 / SCALE)))
    return orientation(np.asarray(small)) % 4

