"""PDF reader: text PDFs (WPS, LibreOffice and Word exports) → Document.

Per page, one `extract_words()` and one `find_tables()` call; everything else is geometry on
their output. This module turns them into the layout stage's inputs (layout.py, shared with the
OCR reader): pdfplumber's words become `Word`s, and each table's cell rectangles a `Grid`, its
rows and columns the distinct ruling coordinates. The layout stage places the words into the
cells, groups the rest into lines and paragraphs, and joins tables continued over a page break.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ..document import Document, ReadError
from . import layout
from .layout import PDF_SETTINGS, Grid, Page, Word

_WORD_OPTS = dict(keep_blank_chars=False, use_text_flow=False,
                  extra_attrs=["fontname", "size"], return_chars=True)

# NFKC only for Kangxi radicals and CJK compatibility ideographs ("⼀" → "一"); applied to the whole
# text it would also turn full-width punctuation （）：， into ASCII.
_CJK_COMPAT = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for lo, hi in ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    for cp in range(lo, hi + 1)
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
def read(path) -> Document:
    p = Path(path)
    name = p.name
    try:
        pdf = pdfplumber.open(str(p))
    except PdfminerException as exc:
        raise _open_error(name, exc) from exc
    except OSError as exc:
        raise ReadError("error", f"无法读取PDF文件 {name}：{exc.strerror or exc}") from exc
    warnings: list[str] = []
    try:
        try:
            page_objects = pdf.pages
        except Exception as exc:
            raise ReadError("error", f"无法读取PDF文件 {name}：页面结构已损坏{_why(exc)}") from exc
        pages: list[Page] = []
        blank: list[int] = []  # pages without a text layer
        for number, page in enumerate(page_objects, 1):
            try:
                words = page.extract_words(**_WORD_OPTS)
                tables = page.filter(_drawn_filter(page)).find_tables()
            except Exception as exc:  # pdfminer raises many unrelated types on broken files
                raise ReadError("error", f"无法读取PDF文件 {name}：第{number}页已损坏或不完整{_why(exc)}") from exc
            if not words:
                blank.append(number)
            pages.append(_read_page(page, number, words, tables, warnings))
        meta = _meta(pdf.metadata)
    finally:
        _close(pdf)
    if len(blank) == len(pages):
        raise ReadError("needs_ocr", f"{name} 是扫描件（没有文字层），需要OCR识别")
    if blank:
        meta["pages_without_text"] = blank  # readers.read OCRs them when the OCR extra is there
        warnings.append(f"第{'、'.join(map(str, blank))}页没有文字层（可能是扫描图片），这些页的内容未读取")
    return Document(path=str(path), format="pdf", blocks=layout.assemble(pages, PDF_SETTINGS),
                    n_pages=len(pages), meta=meta, warnings=warnings)


def _why(exc: Exception) -> str:
    """The cause in words; pdfminer wraps a RecursionError from a hostile, deeply nested file."""
    if isinstance(exc, RecursionError) or "recursion" in str(exc):
        return "（对象嵌套过深）"
    return f"（{type(exc).__name__}: {exc}）"


def _close(pdf) -> None:
    """Close without masking the reason a broken file failed: pdfplumber's close() walks the page
    tree again, which raises on the very files whose ReadError we are raising."""
    try:
        pdf.close()
    except Exception:
        pass


def _open_error(name: str, exc: PdfminerException) -> ReadError:
    cause = exc.args[0] if exc.args else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return ReadError("unsupported", f"无法读取PDF文件 {name}：文件已加密，需要密码才能打开")
    return ReadError("error", f"无法读取PDF文件 {name}：文件已损坏或不完整"
                              f"（{type(cause).__name__}: {cause}）")


def _meta(metadata: dict) -> dict:
    raw = metadata.get("CreationDate")
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(raw or ""))
    return {"creation_date": f"{m[1]}-{m[2]}-{m[3]}"} if m else {}


# ---- one page ------------------------------------------------------------------------------


def _read_page(page, number: int, words: list, tables: list, warnings: list[str]) -> Page:
    cid = sum(w["text"].count("(cid:") for w in words)
    if cid:
        warnings.append(f"第{number}页有{cid}个字符无法解码为文字（显示为(cid:NNN)），该页文本不完整")
    grids = []
    for t in tables:
        grid = _grid(t)
        if grid is not None:  # a one-column "table" is a ruled box around text, not a table
            grids.append(grid)
    return layout.page(number, page.width, page.height, [_word(w) for w in words], grids,
                       PDF_SETTINGS)


def _word(w: dict) -> Word:
    """A pdfplumber word, Kangxi radicals normalised; its characters made only if the layout
    stage splits the word at a ruling (few words need it, and they are many objects)."""
    size, font = float(w["size"]), _font_name(w["fontname"])

    def chars() -> list[Word]:
        return [Word(ch["text"].translate(_CJK_COMPAT), ch["x0"], ch["top"], ch["x1"],
                     ch["bottom"], size, font) for ch in w["chars"]]

    return Word(w["text"].translate(_CJK_COMPAT), w["x0"], w["top"], w["x1"], w["bottom"], size,
                font, parts=chars)


@lru_cache(maxsize=256)
def _font_name(fontname: Optional[str]) -> str:
    """Without the subset tag of an embedded font ("ABCDEF+黑体" → "黑体")."""
    return re.sub(r"^[A-Z]{6}\+", "", fontname or "")


def _drawn_filter(page):
    """Keep drawing objects that paint something, for the table finder.

    WPS puts invisible (white, unstroked) rectangles behind each line of a framed text box, and
    pdfplumber reads their edges as rulings, so every text line becomes a one-cell table row glued
    to the real table. But WPS also paints white cell backgrounds whose edges are the only bottom
    ruling of a table cut by a page break. So an invisible rectangle is kept only when visible
    vertical rulings run along both its sides (a cell background inside a ruled grid).
    """
    verticals = []
    for o in page.lines:
        if abs(o["x0"] - o["x1"]) <= 1:
            verticals.append((o["x0"], o["top"], o["bottom"]))
    for o in page.rects:
        if _paints(o):
            verticals += [(o["x0"], o["top"], o["bottom"]), (o["x1"], o["top"], o["bottom"])]

    def ruled(x, top, bottom):
        covered = sum(max(0.0, min(b, bottom) - max(t, top))
                      for vx, t, b in verticals if abs(vx - x) <= 3)
        return covered >= 0.9 * (bottom - top)

    def keep(o):
        if o["object_type"] != "rect" or _paints(o):
            return True
        return ruled(o["x0"], o["top"], o["bottom"]) and ruled(o["x1"], o["top"], o["bottom"])

    return keep


def _paints(rect) -> bool:
    if rect.get("stroke"):
        return True
    if not rect.get("fill"):
        return False
    color = rect.get("non_stroking_color")
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not all(isinstance(v, (int, float)) for v in color):
        return True  # pattern or unknown colour space: assume visible
    if len(color) == 4:  # CMYK white is all zeros
        return any(v > 0.01 for v in color)
    return any(v < 0.99 for v in color)


def _grid(table) -> Optional[Grid]:
    """pdfplumber's cell rectangles → a grid on the distinct ruling coordinates; None if it has
    fewer than two columns."""
    rects = table.cells
    xs = _cluster([v for c in rects for v in (c[0], c[2])])
    if len(xs) < 3:
        return None
    ys = _cluster([v for c in rects for v in (c[1], c[3])])
    cells = []
    index: dict = {}  # (row, col) → cell index, for placing words
    for c in rects:
        r0, r1 = _nearest(ys, c[1]), _nearest(ys, c[3])
        c0, c1 = _nearest(xs, c[0]), _nearest(xs, c[2])
        if r1 <= r0 or c1 <= c0:
            continue
        cells.append((r0, r1, c0, c1))
        for r in range(r0, r1):
            for k in range(c0, c1):
                index.setdefault((r, k), len(cells) - 1)
    # A ruling missing where a table is cut by a page break leaves grid positions without a
    # cell; cover them with rectangles so their text stays in the table (dropped if empty).
    drawn = len(cells)
    for r in range(len(ys) - 1):
        for k in range(len(xs) - 1):
            if (r, k) in index:
                continue
            k1 = k + 1
            while k1 < len(xs) - 1 and (r, k1) not in index:
                k1 += 1
            r1 = r + 1
            while r1 < len(ys) - 1 and all((r1, j) not in index for j in range(k, k1)):
                r1 += 1
            cells.append((r, r1, k, k1))
            for rr in range(r, r1):
                for j in range(k, k1):
                    index[(rr, j)] = len(cells) - 1
    return Grid(xs, ys, cells, index, tuple(table.bbox), drawn)


def _cluster(values: list) -> list:
    out: list = []
    for v in sorted(values):
        if out and v - out[-1] <= PDF_SETTINGS.coord_tol:
            continue
        out.append(v)
    return out


def _nearest(sorted_values: list, v: float) -> int:
    i = bisect.bisect_left(sorted_values, v)
    if i == len(sorted_values) or (i > 0 and v - sorted_values[i - 1] < sorted_values[i] - v):
        i -= 1
    return i
