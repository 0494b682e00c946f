"""PDF reader: text PDFs (WPS, LibreOffice and Word exports) → Document.

Per page, one `extract_words()` and one `find_tables()` call; everything else is geometry on
their output. Tables come from ruling lines: each pdfplumber cell rectangle becomes one Cell, its
row/col spans counted on the distinct ruling coordinates, its text the words whose centre lies in
it. Text outside tables is grouped into lines and the lines into paragraphs (Chinese body text:
a paragraph's first line is indented two characters, its other lines start at the left margin).
A table continued on the next page is appended to the previous one, and a merged group cell cut
by the page break is re-joined.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ..document import Block, Cell, Document, ReadError, Table

_WORD_OPTS = dict(keep_blank_chars=False, use_text_flow=False,
                  extra_attrs=["fontname", "size"], return_chars=True)
_COORD_TOL = 1.5  # ruling coordinates closer than this are the same line (on one page)
_JOIN_TOL = 4.0  # column boundaries of two pages of one table may differ this much
_MAX_HEADER_ROWS = 6  # a header block repeated on the continuation page is at most this tall

# NFKC only for Kangxi radicals and CJK compatibility ideographs ("⼀" → "一"); applied to the whole
# text it would also turn full-width punctuation （）：， into ASCII.
_CJK_COMPAT = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for lo, hi in ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    for cp in range(lo, hi + 1)
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
_PAGE_NUMBER = re.compile(r"^[-－—–‒~\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/，,]?\s*共\s*\d+\s*页)?"
                          r"[-－—–‒~\s]*$|^\d{1,4}\s*/\s*\d{1,4}$")
# A line starting like this opens a new paragraph even if the previous line is full.
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
# Start of an enumerated label: a table cell beginning like this is a new label, not the rest of
# a label cut by a page break.
_ENUM = re.compile(r"^[（(]?(?:[一二三四五六七八九十]+|\d+)[）)、.．]")
_NUMBERISH = re.compile(r"^[-+]?[\d,，.．]+%?$|^[/／—－\-–无]$")
_BOLD_FONT = re.compile(r"bold|heavy|black|黑", re.I)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    page: int


@dataclass
class _RawCell:
    row: int
    rowspan: int
    x0: float  # page coordinates, snapped to the table's column boundaries when joined
    x1: float
    text: str
    page: int
    bbox: tuple


@dataclass
class _Piece:
    """The part of a table printed on one page."""

    cells: list
    n_rows: int
    xs: list  # distinct column boundaries
    page: int
    bbox: tuple

    @property
    def top(self) -> float:
        return self.bbox[1]


@dataclass
class _Page:
    number: int
    width: float
    height: float
    has_text: bool = False
    items: list = field(default_factory=list)  # _Line and _Piece, top to bottom


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
        pages = []
        for number, page in enumerate(page_objects, 1):
            try:
                words = page.extract_words(**_WORD_OPTS)
                tables = page.filter(_drawn_filter(page)).find_tables()
            except Exception as exc:  # pdfminer raises many unrelated types on broken files
                raise ReadError("error", f"无法读取PDF文件 {name}：第{number}页已损坏或不完整{_why(exc)}") from exc
            pages.append(_read_page(page, number, words, tables, warnings))
        meta = _meta(pdf.metadata)
    finally:
        _close(pdf)
    if not any(page.has_text for page in pages):
        raise ReadError("needs_ocr", f"{name} 是扫描件（没有文字层），需要OCR识别")
    blank = [page.number for page in pages if not page.has_text]
    if blank:
        meta["pages_without_text"] = blank  # readers.read OCRs them when the OCR extra is there
        warnings.append(f"第{'、'.join(map(str, blank))}页没有文字层（可能是扫描图片），这些页的内容未读取")
    return Document(path=str(path), format="pdf", blocks=_assemble(pages), n_pages=len(pages),
                    meta=meta, warnings=warnings)


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


def _read_page(page, number: int, words: list, tables: list, warnings: list[str]) -> _Page:
    out = _Page(number, float(page.width), float(page.height), has_text=bool(words))
    cid = sum(w["text"].count("(cid:") for w in words)
    if cid:
        warnings.append(f"第{number}页有{cid}个字符无法解码为文字（显示为(cid:NNN)），该页文本不完整")
    for w in words:
        w["text"] = w["text"].translate(_CJK_COMPAT)

    grids = []
    for t in tables:
        grid = _grid(t)
        if grid is not None:  # a one-column "table" is a ruled box around text, not a table
            grids.append(grid)
    loose = []
    buckets = [dict() for _ in grids]  # per table: cell index → words
    for w in words:
        for grid, bucket in zip(grids, buckets):
            placed = _place(w, grid, bucket)
            if placed is not None:
                loose.extend(placed)
                break
        else:
            loose.append(w)

    for grid, bucket in zip(grids, buckets):
        cells = [_RawCell(r0, r1 - r0, rect[0], rect[2], _cell_text(bucket.get(i, [])), number,
                          tuple(round(v, 2) for v in rect))
                 for i, (rect, r0, r1) in enumerate(grid["cells"])
                 if i < grid["n_real"] or i in bucket]
        out.items.append(_Piece(cells, len(grid["ys"]) - 1, grid["xs"], number,
                                tuple(round(v, 2) for v in grid["bbox"])))
    for line in _group_lines(loose):
        text = _join_words(line)
        if not text:
            continue
        x0, top = min(w["x0"] for w in line), min(w["top"] for w in line)
        x1, bottom = max(w["x1"] for w in line), max(w["bottom"] for w in line)
        near_edge = top > 0.85 * out.height or bottom < 0.1 * out.height
        if near_edge and _PAGE_NUMBER.match(text):
            continue
        out.items.append(_Line(text, x0, x1, top, bottom, float(line[0]["size"]),
                               line[0]["fontname"], number))
    out.items.sort(key=lambda it: it.top)
    return out


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


def _grid(table) -> Optional[dict]:
    """Cell rectangles → row/column indices on the distinct ruling coordinates; None if < 2 cols."""
    rects = table.cells
    xs = _cluster([v for c in rects for v in (c[0], c[2])])
    if len(xs) < 3:
        return None
    ys = _cluster([v for c in rects for v in (c[1], c[3])])
    cells = []
    index: dict = {}  # (row, col) → cell index, for placing words
    for i, c in enumerate(rects):
        r0, r1 = _nearest(ys, c[1]), _nearest(ys, c[3])
        c0, c1 = _nearest(xs, c[0]), _nearest(xs, c[2])
        if r1 <= r0 or c1 <= c0:
            continue
        cells.append(((xs[c0], ys[r0], xs[c1], ys[r1]), r0, r1))
        for r in range(r0, r1):
            for k in range(c0, c1):
                index.setdefault((r, k), len(cells) - 1)
    # A ruling missing where a table is cut by a page break leaves grid positions without a
    # cell; cover them with rectangles so their text stays in the table (dropped if empty).
    n_real = len(cells)
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
            cells.append(((xs[k], ys[r], xs[k1], ys[r1]), r, r1))
            for rr in range(r, r1):
                for j in range(k, k1):
                    index[(rr, j)] = len(cells) - 1
    return {"xs": xs, "ys": ys, "cells": cells, "index": index, "bbox": table.bbox,
            "n_real": n_real}


def _cluster(values: list) -> list:
    out: list = []
    for v in sorted(values):
        if out and v - out[-1] <= _COORD_TOL:
            continue
        out.append(v)
    return out


def _nearest(sorted_values: list, v: float) -> int:
    i = bisect.bisect_left(sorted_values, v)
    if i == len(sorted_values) or (i > 0 and v - sorted_values[i - 1] < sorted_values[i] - v):
        i -= 1
    return i


def _locate(grid: dict, x: float, y: float) -> Optional[int]:
    xs, ys = grid["xs"], grid["ys"]
    if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
        return None
    c = min(bisect.bisect_right(xs, x) - 1, len(xs) - 2)
    r = min(bisect.bisect_right(ys, y) - 1, len(ys) - 2)
    return grid["index"].get((r, c))


def _place(word: dict, grid: dict, bucket: dict) -> Optional[list]:
    """Put a word (or its pieces) into the cells of `grid`.

    Returns None if the word is not in this table, else the parts that fell in no cell (they
    stay page text). A word that straddles a ruling is split by its characters.
    """
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    xs, ys = grid["xs"], grid["ys"]
    if not (xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]):
        return None
    i = _locate(grid, cx, cy)
    if i is not None:
        rect = grid["cells"][i][0]
        if word["x0"] >= rect[0] - 2 and word["x1"] <= rect[2] + 2:
            bucket.setdefault(i, []).append(word)
            return []
    loose = []
    for part, i in _split(word, grid):
        if i is None:
            loose.append(part)
        else:
            bucket.setdefault(i, []).append(part)
    return loose


def _split(word: dict, grid: dict) -> list:
    parts: list = []
    for ch in word["chars"]:
        i = _locate(grid, (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2)
        text = ch["text"].translate(_CJK_COMPAT)
        if parts and parts[-1][1] == i:
            w = parts[-1][0]
            w["text"] += text
            w["x1"], w["bottom"] = max(w["x1"], ch["x1"]), max(w["bottom"], ch["bottom"])
        else:
            parts.append(({"text": text, "x0": ch["x0"], "x1": ch["x1"], "top": ch["top"],
                           "bottom": ch["bottom"], "size": ch["size"],
                           "fontname": ch["fontname"]}, i))
    return parts


def _group_lines(words: list) -> list:
    """Words → lines (by vertical overlap), each left to right, lines top to bottom."""
    lines: list = []
    for w in sorted(words, key=lambda w: (w["top"] + w["bottom"]) / 2):
        if lines:
            top, bottom, line = lines[-1]
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if overlap >= 0.5 * min(bottom - top, w["bottom"] - w["top"]):
                line.append(w)
                lines[-1] = (min(top, w["top"]), max(bottom, w["bottom"]), line)
                continue
        lines.append((w["top"], w["bottom"], [w]))
    return [sorted(line, key=lambda w: w["x0"]) for _, _, line in lines]


def _join_words(line: list) -> str:
    """Words of one line; a space only between Latin/digit words that are visibly apart."""
    text = ""
    prev = None
    for w in line:
        t = w["text"]
        if prev is not None and text and t and ord(text[-1]) < 0x2000 and ord(t[0]) < 0x2000 \
                and w["x0"] - prev["x1"] > 0.2 * float(w["size"]):
            text += " "
        text += t
        prev = w
    return text.strip()


def _cell_text(words: list) -> str:
    return "\n".join(filter(None, (_join_words(line) for line in _group_lines(words))))


# ---- the document --------------------------------------------------------------------------


def _assemble(pages: list[_Page]) -> list[Block]:
    margins = _margins(pages)
    parts: list = []  # _TableBuilder or list of _Line (one paragraph), in document order
    for page in pages:
        left, right = margins[round(page.width)]
        for n, item in enumerate(page.items):
            last = parts[-1] if parts else None
            if isinstance(item, _Piece):
                # A table at the top of a page goes on from a table that ended the previous page.
                if (n == 0 and isinstance(last, _TableBuilder) and last.last_page == page.number - 1
                        and item.top < 0.3 * page.height and last.compatible(item)):
                    last.append(item)
                else:
                    parts.append(_TableBuilder(item))
            elif isinstance(last, list) and _continues_paragraph(last[-1], item, left, right):
                last.append(item)
            else:
                parts.append([item])
    return [Block(kind="table", page=p.page, bbox=p.bbox, table=p.build())
            if isinstance(p, _TableBuilder) else _paragraph(p) for p in parts]


def _margins(pages: list[_Page]) -> dict:
    """Left and right text margins per page width (portrait and landscape pages differ).

    Most body lines start at the left margin (all but first lines), so it is the most common
    start. The right margin is the largest end that at least two lines reach: justified lines
    and right-aligned signatures end there, while one line overflowing the margin is ignored.
    """
    by_width: dict = {}
    for page in pages:
        by_width.setdefault(round(page.width), []).extend(
            it for it in page.items if isinstance(it, _Line))
    out = {}
    for width, lines in by_width.items():
        if len(lines) < 3:
            out[width] = (72.0, width - 72.0)
            continue
        starts: dict = {}
        for line in lines:
            starts[round(line.x0)] = starts.get(round(line.x0), 0) + 1
        left = float(min(k for k, v in starts.items() if v == max(starts.values())))
        ends = sorted((line.x1 for line in lines), reverse=True)
        right = next((e for e, nxt in zip(ends, ends[1:]) if e - nxt <= _COORD_TOL), ends[0])
        out[width] = (left, right)
    return out


def _continues_paragraph(prev: _Line, line: _Line, left: float, right: float) -> bool:
    if abs(prev.size - line.size) > 1.5:
        return False
    # The previous line stops short: its paragraph ended. Unjustified (LibreOffice) lines break
    # up to two characters early, since a line may not start with closing punctuation.
    if prev.x1 < right - 2.2 * prev.size:
        return False
    if line.x0 > left + 0.8 * line.size:  # indented first line of a new paragraph
        return False
    if line.page == prev.page and line.top - prev.bottom > 1.2 * prev.size:
        return False
    return not _HEADING.match(line.text)


def _join_lines(lines) -> tuple[str, tuple]:
    """A paragraph's text and its bbox on its first page, from its lines (anything with text,
    page, x0, x1, top, bottom: the OCR reader's lines too)."""
    text = lines[0].text
    for line in lines[1:]:
        # A line break inside Chinese text is no space; keep one only between Latin letters.
        if text[-1:].isascii() and text[-1:].isalpha() and line.text[:1].isascii() \
                and line.text[:1].isalpha():
            text += " "
        text += line.text
    first = [ln for ln in lines if ln.page == lines[0].page]
    bbox = (round(min(ln.x0 for ln in first), 2), round(first[0].top, 2),
            round(max(ln.x1 for ln in first), 2), round(first[-1].bottom, 2))
    return text, bbox


def _paragraph(lines: list[_Line]) -> Block:
    text, bbox = _join_lines(lines)
    font = re.sub(r"^[A-Z]{6}\+", "", lines[0].font or "")
    hints: dict = {"size": round(lines[0].size, 1), "font": font}
    if _BOLD_FONT.search(font):
        hints["bold"] = True
    return Block(kind="paragraph", text=text, page=lines[0].page, bbox=bbox, hints=hints)


class _TableBuilder:
    """Collects the pieces of one table; cells keep page coordinates until `build`."""

    def __init__(self, piece: _Piece):
        self.cells: list[_RawCell] = list(piece.cells)
        self.n_rows = piece.n_rows
        self.xs = list(piece.xs)
        self.page, self.bbox, self.last_page = piece.page, piece.bbox, piece.page

    def _match(self, x: float) -> Optional[float]:
        best = min(self.xs, key=lambda b: abs(b - x))
        return best if abs(best - x) <= _JOIN_TOL else None

    def compatible(self, piece: _Piece) -> bool:
        """Same outer edges, and one piece's column boundaries are a subset of the other's."""
        if self._match(piece.xs[0]) != self.xs[0] or self._match(piece.xs[-1]) != self.xs[-1]:
            return False
        inner = piece.xs[1:-1]
        if all(self._match(x) is not None for x in inner):
            return True
        return all(any(abs(b - x) <= _JOIN_TOL for x in inner) for b in self.xs[1:-1])

    def append(self, piece: _Piece) -> None:
        snap = {}
        for x in piece.xs:
            snap[x] = self._match(x)
            if snap[x] is None:
                snap[x] = x
                bisect.insort(self.xs, x)
        cells = [_RawCell(c.row, c.rowspan, snap[c.x0], snap[c.x1], c.text, c.page, c.bbox)
                 for c in piece.cells]
        skip = self._repeated_header(cells, piece.n_rows)
        cells = [c for c in cells if c.row >= skip]
        bottom = {(c.x0, c.x1): c for c in self.cells if c.row + c.rowspan == self.n_rows}
        for c in cells:
            above = bottom.get((c.x0, c.x1)) if c.row == skip else None
            if above is not None and _cut_cell(above, c):
                above.rowspan += c.rowspan
                above.text = "\n".join(filter(None, (above.text, c.text)))
                continue
            c.row += self.n_rows - skip
            self.cells.append(c)
        self.n_rows += piece.n_rows - skip
        self.last_page = piece.page

    def _repeated_header(self, cells: list[_RawCell], n_rows: int) -> int:
        """Rows at the top of the continuation that repeat the table's header (Word/LibreOffice
        "repeat heading rows"): the largest k whose first k rows equal the table's first k rows."""
        def block(cs, k):
            rows = [c for c in cs if c.row < k]
            if any(c.row + c.rowspan > k for c in rows):
                return None
            return sorted((c.row, c.rowspan, c.x0, c.x1, re.sub(r"\s", "", c.text)) for c in rows)

        for k in range(min(_MAX_HEADER_ROWS, n_rows - 1, self.n_rows), 0, -1):
            mine = block(self.cells, k)
            if mine and any(t[-1] for t in mine) and mine == block(cells, k):
                return k
        return 0

    def build(self) -> Table:
        col = {x: i for i, x in enumerate(self.xs)}
        cells = [Cell(row=c.row, col=col[c.x0], text=c.text, rowspan=c.rowspan,
                      colspan=col[c.x1] - col[c.x0], page=c.page, bbox=c.bbox)
                 for c in sorted(self.cells, key=lambda c: (c.row, c.x0))]
        return Table(cells=cells, n_rows=self.n_rows, n_cols=len(self.xs) - 1, page=self.page,
                     bbox=self.bbox)


def _cut_cell(above: _RawCell, below: _RawCell) -> bool:
    """Is `below`, first on the new page, the rest of the merged cell `above` cut by the break?

    Only group cells are cut this way, and they span several rows on at least one side of the
    break; the rest is empty or a text fragment, never a number or a new enumerated label.
    """
    if above.rowspan == 1 and below.rowspan == 1:
        return False
    text = re.sub(r"\s", "", below.text)
    return not text or not (_NUMBERISH.match(text) or _ENUM.match(text))
