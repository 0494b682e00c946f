"""The layout stage of both PDF readers: positioned text and ruled grids → paragraphs and tables.

The text-PDF reader (pdf.py) hands it pdfplumber's words and the grids of pdfplumber's ruled
cells (tables without vertical rulings are read from the words' alignment, `text_tables`); the OCR reader (ocr.py) hands it RapidOCR's text boxes and the grids of the rulings it
finds in the page image: the same `Word` and `Grid` types. From there on the two are one. Per page
(`page`), each word goes into the cell holding its centre (a word across a ruling is split by its
characters) and the rest are grouped into lines, page numbers dropped. Over the document
(`assemble`), lines join into paragraphs (Chinese body text: a paragraph's first line is indented
two characters, its other lines start at the left margin), and a table continued on the next page
is appended to the previous one: its repeated header rows dropped, a group cell cut by the page
break re-joined.

Every tolerance is a field of `LayoutSettings`; the two sources differ in a few of them, so there
are two instances, `PDF_SETTINGS` and `OCR_SETTINGS`. Words and grids come in the reader's own
units (PDF points, OCR pixels) with `scale` to points; lines, pieces and all after are in points.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from ..document import Block, Cell, Table

# A line that is only a page number ("- 3 -", "第3页 共9页", "3/9"): dropped near the page edges.
PAGE_NUMBER = re.compile(r"^[-－—–‒~\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/，,]?\s*共\s*\d+\s*页)?"
                         r"[-－—–‒~\s]*$|^\d{1,4}\s*/\s*\d{1,4}$")
# A line starting like this opens a new paragraph even if the previous line is full.
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
# Start of an enumerated label: a table cell beginning like this is a new label, not the rest of
# a label cut by a page break.
_ENUM = re.compile(r"^[（(]?(?:[一二三四五六七八九十]+|\d+)[）)、.．]")
_NUMBERISH = re.compile(r"^[-+]?[\d,，.．]+%?$|^[/／—－\-–无]$")
_BOLD_FONT = re.compile(r"bold|heavy|black|黑", re.I)


@dataclass(frozen=True)
class LayoutSettings:
    """The tolerances of the layout stage. Lengths are in points unless a factor says `× size`
    (the line's font size; for OCR, which does not know it, the line's height)."""

    # Grid and cells
    coord_tol: float = 1.5  # ruling coordinates (and line ends) closer than this are the same
    cell_slack: float = 2.0  # a word may stick out this far from the cell holding its centre
    # Page text
    line_overlap: float = 0.5  # words overlapping this share of the lower one's height: one line
    word_space: Optional[float] = 0.2  # Latin words further apart than this × size get a space;
    #                                    None: a space between any two Latin words
    header_band: float = 0.1  # page numbers are dropped above this share of the page height
    footer_band: float = 0.85  # … and below this share
    # Paragraphs
    default_margin: float = 72.0  # left and right margins of pages with fewer than 3 lines
    margin_bin: float = 1.0  # line starts are counted in bins this wide for the left margin
    right_margin_lines: int = 2  # the right margin is the largest end this many lines reach
    size_step: float = 1.5  # lines whose sizes differ by more than this, or by more than
    size_ratio: float = 0.0  # … this share of the larger, are not one paragraph
    short_line: float = 2.2  # a line ending this × size before the right margin ends its paragraph
    indent: float = 0.8  # a line starting this × size right of the left margin starts one
    line_gap: float = 1.2  # a gap of this × size between lines of one page starts one
    # Tables across pages
    continued_table_top: float = 0.3  # a table in this top share of a page may go on from the last
    join_tol: float = 4.0  # column boundaries of two pages of one table may differ this much
    # … after moving the whole continuation sideways by up to this much, where both its outer
    # edges lie that far off alike (a scanned sheet fed a little aside; 0: printed pages)
    join_shift: float = 0.0
    max_header_rows: int = 6  # a header block repeated on a continuation page: at most this tall
    # Tables without vertical rulings (three-line and unruled tables), read from the alignment
    text_tables: bool = False
    column_gap: float = 0.5  # words this × size apart on a line are in different cells
    table_gap: float = 2.5  # a table line is at most this × size below the one above it
    table_size: float = 1.15  # a line this × the table's font size or larger is no table text
    start_tol: float = 2.5  # label cells starting this close start in one column
    label_gap: float = 1.0  # a wrapped label's next line is at most this × size below


PDF_SETTINGS = LayoutSettings(text_tables=True)
# OCR knows no font size: a line's size is the height of its boxes (about 1.1× the font size, more
# with tall glyphs), which varies from line to line, and two boxes on one line are apart (else the
# recogniser had made them one box).
OCR_SETTINGS = LayoutSettings(word_space=None, size_step=0.0, size_ratio=0.35, join_shift=24.0)


# ---- inputs --------------------------------------------------------------------------------


@dataclass(slots=True)
class Word:
    """Positioned text: a pdfplumber word, an OCR text box, or a part of one (a character)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: Optional[float] = None  # font size; None where the reader does not know it (OCR)
    font: Optional[str] = None
    score: Optional[float] = None  # OCR recognition score, 0..1
    # Its characters (Words), to split it at a ruling: a list, or a function that makes one (for
    # a reader whose characters are costly to convert: few words are ever split).
    parts: Union[list, Callable[[], list]] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Grid:
    """One table's grid: the distinct ruling coordinates and the cells on them."""

    xs: list  # column boundaries, left to right
    ys: list  # row boundaries, top to bottom
    cells: list  # (r0, r1, c0, c1) each: first row and column, and the ones after the last
    index: dict  # (row, col) → index in `cells` of the cell covering that position
    bbox: tuple
    # Cells from `drawn` on fill grid positions no ruling closed (a table cut by a page break):
    # they are kept only if text falls in them.
    drawn: Optional[int] = None

    def locate(self, x: float, y: float) -> Optional[int]:
        """The cell holding the point, None outside the table."""
        xs, ys = self.xs, self.ys
        if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
            return None
        c = min(bisect.bisect_right(xs, x) - 1, len(xs) - 2)
        r = min(bisect.bisect_right(ys, y) - 1, len(ys) - 2)
        return self.index.get((r, c))

    def rect(self, i: int) -> tuple:
        r0, r1, c0, c1 = self.cells[i]
        return self.xs[c0], self.ys[r0], self.xs[c1], self.ys[r1]


# ---- what a page holds ---------------------------------------------------------------------


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    font: Optional[str] = None
    confidence: Optional[float] = None  # OCR: the lowest score of its boxes


@dataclass
class RawCell:
    row: int
    rowspan: int
    x0: float  # page coordinates, snapped to the table's column boundaries when joined
    x1: float
    text: str
    page: int
    bbox: tuple
    confidence: Optional[float] = None  # OCR only


@dataclass
class Piece:
    """The part of a table printed on one page."""

    cells: list
    n_rows: int
    xs: list  # distinct column boundaries
    page: int
    bbox: tuple
    # Columns from rulings; False for a table read from its text's alignment, whose columns are
    # where its figures are: a continuation with blank columns has fewer of them.
    ruled: bool = True

    @property
    def top(self) -> float:
        return self.bbox[1]


@dataclass
class Page:
    number: int
    width: float
    height: float
    items: list = field(default_factory=list)  # Line and Piece, top to bottom
    warnings: list = field(default_factory=list)  # Chinese, for the report's messages


CellReader = Callable[[tuple, list], tuple]  # (cell rect, its words) → (text, confidence)


def page(number: int, width: float, height: float, words: list[Word], grids: list[Grid],
         settings: LayoutSettings, *, scale: float = 1.0, clean: Callable[[str], str] = str.strip,
         read_cell: Optional[CellReader] = None) -> Page:
    """One page's words and table grids (in the reader's units, `scale` to points) → its lines
    and table pieces, top to bottom. `clean` is the reader's finish of a line's joined text;
    `read_cell` reads a cell from its rectangle and words (default: their text, no confidence)."""
    if read_cell is None:
        def read_cell(rect, cell_words):
            return cell_text(cell_words, settings, clean), None

    def pt(v: float) -> float:
        return round(float(v) * scale, 2)

    buckets, loose = place(words, grids, settings, scale)
    out = Page(number, float(width), float(height))
    if settings.text_tables:
        found, loose, warnings = text_tables(loose, settings,
                                             settings.continued_table_top * height / scale)
        out.warnings += [f"第{number}页{w}" for w in warnings]
        for cells, n_rows, xs, bbox in found:
            raw = []
            for r, rowspan, x0, x1, ws in cells:
                top = min((w.top for w in ws), default=bbox[1])
                bottom = max((w.bottom for w in ws), default=bbox[1])
                rect = (x0, top, x1, bottom)
                text, confidence = read_cell(rect, ws)
                # Where it is printed: its words (the column's bounds are only where it may be).
                printed = (min(w.x0 for w in ws), top, max(w.x1 for w in ws), bottom) if ws else rect
                raw.append(RawCell(r, rowspan, pt(x0), pt(x1), text, number,
                                   tuple(pt(v) for v in printed), confidence))
            out.items.append(Piece(raw, n_rows, [pt(x) for x in xs], number,
                                   tuple(pt(v) for v in bbox), ruled=False))
    for grid, bucket in zip(grids, buckets):
        drawn = len(grid.cells) if grid.drawn is None else grid.drawn
        cells = []
        for i, (r0, r1, c0, c1) in enumerate(grid.cells):
            if i >= drawn and i not in bucket:
                continue
            rect = grid.rect(i)
            text, confidence = read_cell(rect, bucket.get(i, []))
            cells.append(RawCell(r0, r1 - r0, pt(rect[0]), pt(rect[2]), text, number,
                                 tuple(pt(v) for v in rect), confidence))
        out.items.append(Piece(cells, len(grid.ys) - 1, [pt(x) for x in grid.xs], number,
                               tuple(pt(v) for v in grid.bbox)))
    for line in group_lines(loose, settings):
        text = join_words(line, settings, clean)
        if not text:
            continue
        x0, top = pt(min(w.x0 for w in line)), pt(min(w.top for w in line))
        x1, bottom = pt(max(w.x1 for w in line)), pt(max(w.bottom for w in line))
        near_edge = top > settings.footer_band * height or bottom < settings.header_band * height
        if near_edge and PAGE_NUMBER.match(text):
            continue
        first = line[0]
        size = float(first.size) if first.size is not None else bottom - top
        confidence = None if first.score is None else round(min(w.score for w in line), 4)
        out.items.append(Line(text, x0, x1, top, bottom, size, number, first.font, confidence))
    out.items.sort(key=lambda it: it.top)
    return out


# ---- words into cells ----------------------------------------------------------------------


def place(words: list[Word], grids: list[Grid], settings: LayoutSettings,
          scale: float = 1.0) -> tuple[list[dict], list[Word]]:
    """Words into the cells of the grids: per grid {cell index: words}, and the words (or the
    parts of words) that fell in no table."""
    buckets: list[dict] = [{} for _ in grids]
    loose: list[Word] = []
    slack = settings.cell_slack / scale
    for w in words:
        for grid, bucket in zip(grids, buckets):
            rest = _place(w, grid, bucket, slack)
            if rest is not None:
                loose.extend(rest)
                break
        else:
            loose.append(w)
    return buckets, loose


def _place(word: Word, grid: Grid, bucket: dict, slack: float) -> Optional[list[Word]]:
    """Put a word (or its parts) into the cells of `grid`: None if its centre is outside the
    table, else the parts that fell outside it. A word that straddles a ruling is split by its
    characters."""
    i = grid.locate(word.cx, word.cy)
    if i is None:
        return None
    r0, r1, c0, c1 = grid.cells[i]
    fits = grid.xs[c0] - slack <= word.x0 and word.x1 <= grid.xs[c1] + slack
    parts = [] if fits else word.parts() if callable(word.parts) else word.parts
    if not parts:  # in its cell, or it cannot be split
        bucket.setdefault(i, []).append(word)
        return []
    pieces: list[tuple[Optional[int], Word]] = []
    for part in parts:
        j = grid.locate(part.cx, part.cy)
        if pieces and pieces[-1][0] == j:
            prev = pieces[-1][1]
            prev.text += part.text
            prev.x1, prev.top = max(prev.x1, part.x1), min(prev.top, part.top)
            prev.bottom = max(prev.bottom, part.bottom)
        else:
            pieces.append((j, Word(part.text, part.x0, part.top, part.x1, part.bottom,
                                   word.size, word.font, word.score)))
    loose = []
    for j, piece in pieces:
        if j is None:
            loose.append(piece)
        else:
            bucket.setdefault(j, []).append(piece)
    return loose


# ---- text ----------------------------------------------------------------------------------


def group_lines(words: list[Word], settings: LayoutSettings) -> list[list[Word]]:
    """Words → lines (by vertical overlap), each left to right, lines top to bottom."""
    lines: list = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines:
            top, bottom, line = lines[-1]
            overlap = min(bottom, w.bottom) - max(top, w.top)
            if overlap >= settings.line_overlap * min(bottom - top, w.bottom - w.top):
                line.append(w)
                lines[-1] = (min(top, w.top), max(bottom, w.bottom), line)
                continue
        lines.append((w.top, w.bottom, [w]))
    return [sorted(line, key=lambda w: w.x0) for _, _, line in lines]


def join_words(line: list[Word], settings: LayoutSettings,
               clean: Callable[[str], str] = str.strip) -> str:
    """The words of one line; a space only between Latin/digit words that are apart."""
    text = ""
    prev = None
    for w in line:
        t = w.text.strip()
        if (prev is not None and text and t and ord(text[-1]) < 0x2000 and ord(t[0]) < 0x2000
                and (settings.word_space is None
                     or w.x0 - prev.x1 > settings.word_space * float(w.size))):
            text += " "
        text += t
        prev = w
    return clean(text)


def cell_text(words: list[Word], settings: LayoutSettings,
              clean: Callable[[str], str] = str.strip) -> str:
    return "\n".join(filter(None, (join_words(line, settings, clean)
                                   for line in group_lines(words, settings))))


# ---- the document --------------------------------------------------------------------------


def assemble(pages: list[Page], settings: LayoutSettings) -> list[Block]:
    """The pages' lines and table pieces → paragraphs and tables, in document order."""
    edges = margins(pages, settings)
    parts: list = []  # TableBuilder or list of Line (one paragraph), in document order
    for pg in pages:
        left, right = edges[round(pg.width)]
        for n, item in enumerate(pg.items):
            last = parts[-1] if parts else None
            if isinstance(item, Piece):
                # A table at the top of a page goes on from a table that ended the previous page.
                if (n == 0 and isinstance(last, TableBuilder) and last.last_page == pg.number - 1
                        and item.top < settings.continued_table_top * pg.height
                        and last.compatible(item)):
                    last.append(item)
                else:
                    parts.append(TableBuilder(item, settings))
            elif isinstance(last, list) and continues_paragraph(last[-1], item, left, right,
                                                                settings):
                last.append(item)
            else:
                parts.append([item])
    return [p.block() if isinstance(p, TableBuilder) else paragraph(p) for p in parts]


def margins(pages: list[Page], settings: LayoutSettings) -> dict:
    """Left and right text margins per page width (portrait and landscape pages differ).

    Most body lines start at the left margin (all but first lines), so it is the most common
    start. The right margin is the largest end that `right_margin_lines` lines reach: with two,
    justified lines and right-aligned signatures end there, while one line overflowing the
    margin is ignored.
    """
    by_width: dict = {}
    for pg in pages:
        by_width.setdefault(round(pg.width), []).extend(
            it for it in pg.items if isinstance(it, Line))
    out = {}
    for width, lines in by_width.items():
        if len(lines) < 3:
            out[width] = (settings.default_margin, width - settings.default_margin)
            continue
        starts: dict = {}
        for line in lines:
            k = round(line.x0 / settings.margin_bin)
            starts[k] = starts.get(k, 0) + 1
        best = max(starts.values())
        left = settings.margin_bin * min(k for k, v in starts.items() if v == best)
        ends = sorted((line.x1 for line in lines), reverse=True)
        reached = ends[settings.right_margin_lines - 1:]
        right = next((e for e, other in zip(ends, reached) if e - other <= settings.coord_tol),
                     ends[0])
        out[width] = (left, right)
    return out


def continues_paragraph(prev: Line, line: Line, left: float, right: float,
                        settings: LayoutSettings) -> bool:
    if abs(prev.size - line.size) > max(settings.size_step,
                                        settings.size_ratio * max(prev.size, line.size)):
        return False
    size = min(prev.size, line.size)
    # The previous line stops short: its paragraph ended. Unjustified (LibreOffice) lines break
    # up to two characters early, since a line may not start with closing punctuation.
    if prev.x1 < right - settings.short_line * size:
        return False
    if line.x0 > left + settings.indent * size:  # indented first line of a new paragraph
        return False
    if line.page == prev.page and line.top - prev.bottom > settings.line_gap * size:
        return False
    return not HEADING.match(line.text)


def join_lines(lines: list[Line]) -> tuple[str, tuple]:
    """A paragraph's text and its bbox on its first page, from its lines."""
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


def paragraph(lines: list[Line]) -> Block:
    """A paragraph block; hints: the first line's size, font (bold) and the lowest confidence."""
    text, bbox = join_lines(lines)
    hints: dict = {}
    if lines[0].confidence is not None:
        hints["confidence"] = min(ln.confidence for ln in lines)
    hints["size"] = round(lines[0].size + 1e-6, 1)  # half up: 15.95 pt (a 319/20 size) is 16.0
    if lines[0].font is not None:
        hints["font"] = lines[0].font
        if _BOLD_FONT.search(lines[0].font):
            hints["bold"] = True
    return Block(kind="paragraph", text=text, page=lines[0].page, bbox=bbox, hints=hints)


class TableBuilder:
    """Collects the pieces of one table; cells keep page coordinates until `build`."""

    def __init__(self, piece: Piece, settings: LayoutSettings):
        self.settings = settings
        self.cells: list[RawCell] = list(piece.cells)
        self.n_rows = piece.n_rows
        self.xs = list(piece.xs)
        self.page, self.bbox, self.last_page = piece.page, piece.bbox, piece.page
        self.ruled = piece.ruled

    def _match(self, x: float) -> Optional[float]:
        best = min(self.xs, key=lambda b: abs(b - x))
        return best if abs(best - x) <= self.settings.join_tol else None

    def _shift(self, piece: Piece) -> float:
        """How far the piece lies sideways from the table: both outer edges moved alike by more
        than join_tol and at most join_shift (a scanned page fed aside), else 0."""
        left, right = piece.xs[0] - self.xs[0], piece.xs[-1] - self.xs[-1]
        tol = self.settings.join_tol
        if abs(left) <= tol and abs(right) <= tol:
            return 0.0
        shift = (left + right) / 2
        return shift if abs(left - right) <= tol and abs(shift) <= self.settings.join_shift else 0.0

    def compatible(self, piece: Piece) -> bool:
        """Same outer edges, and one piece's column boundaries are a subset of the other's; or,
        both read from their text's alignment, every cell of the piece falls in the table's
        columns."""
        return self._on_columns(piece) or self._in_columns(piece) is not None

    def _on_columns(self, piece: Piece) -> bool:
        shift = self._shift(piece)
        xs = [x - shift for x in piece.xs]
        if self._match(xs[0]) != self.xs[0] or self._match(xs[-1]) != self.xs[-1]:
            return False
        inner = xs[1:-1]
        if all(self._match(x) is not None for x in inner):
            return True
        return all(any(abs(b - x) <= self.settings.join_tol for x in inner) for b in self.xs[1:-1])

    def _in_columns(self, piece: Piece) -> Optional[list[RawCell]]:
        """The cells of an unruled continuation placed in the table's columns by where they lie,
        or None. Its own columns come from its figures alone (a column blank on this page has
        none), so its rows take the cells of the table's last row as their slots: a figure goes
        into the slot around its centre, a slot it leaves empty is a blank cell, a label takes
        the columns it covers left of the figures. None if the piece prints text over the
        figures (column labels of its own), a figure lies in no slot, or two share one."""
        if self.ruled or piece.ruled:
            return None
        xs, tol = self.xs, self.settings.join_tol
        # What it prints lies within the table (its own column bounds may reach further: they
        # are where its figures could be).
        if any(c.bbox[0] < xs[0] - tol or c.bbox[2] > xs[-1] + tol for c in piece.cells if c.text.strip()):
            return None
        figures = [c.x0 for c in self.cells if _is_figure(c.text)]
        if not figures:
            return None
        values_from = min(figures)  # the table's figure columns start here; labels lie left of it
        slots = sorted({(c.x0, c.x1) for c in self.cells
                        if c.row + c.rowspan == self.n_rows and c.x0 >= values_from - tol})
        placed, taken = [], set()  # taken: (row, slot) or (row, column) of the labels
        for c in piece.cells:
            if not c.text.strip():
                continue  # a blank position: the slots give the row its blank cells
            left, right = c.bbox[0], c.bbox[2]  # its words
            centre = (left + right) / 2
            if _is_figure(c.text):
                slot = next((sl for sl in slots if sl[0] <= centre < sl[1]), None)
                if slot is None or any((r, slot) in taken for r in range(c.row, c.row + c.rowspan)):
                    return None
                taken |= {(r, slot) for r in range(c.row, c.row + c.rowspan)}
                placed.append(RawCell(c.row, c.rowspan, slot[0], slot[1], c.text, c.page, c.bbox,
                                      c.confidence))
                continue
            if right > values_from + tol:
                return None  # text reaching over the figures: column labels of its own
            k = bisect.bisect_right(xs, centre) - 1
            if not 0 <= k < len(xs) - 1:
                return None
            # From the boundary nearest its left edge to the one nearest its right.
            a = min(range(k + 1), key=lambda i: abs(xs[i] - left))
            b = min(range(k + 1, len(xs)), key=lambda i: abs(xs[i] - right))
            spots = {(r, j) for r in range(c.row, c.row + c.rowspan) for j in range(a, b)}
            if spots & taken:
                return None
            taken |= spots
            placed.append(RawCell(c.row, c.rowspan, xs[a], xs[b], c.text, c.page, c.bbox, c.confidence))
        rows: dict = {}  # row → (top, bottom) of its printed cells
        for c in placed:
            top, bottom = rows.get(c.row, (c.bbox[1], c.bbox[3]))
            rows[c.row] = (min(top, c.bbox[1]), max(bottom, c.bbox[3]))
        for r, (top, bottom) in rows.items():  # the slots a row leaves empty are blank, as printed
            placed += [RawCell(r, 1, x0, x1, "", piece.page, (x0, top, x1, bottom))
                       for x0, x1 in slots if (r, (x0, x1)) not in taken]
        return placed

    def append(self, piece: Piece) -> None:
        if not self._on_columns(piece):
            self._append(self._in_columns(piece) or [], piece.n_rows, piece.page)
            return
        shift = self._shift(piece)
        snap = {}
        for x in piece.xs:
            snap[x] = self._match(x - shift)
            if snap[x] is None:
                snap[x] = x - shift
                bisect.insort(self.xs, x - shift)
        # Cells keep their printed boxes; only their columns are the table's.
        cells = [RawCell(c.row, c.rowspan, snap[c.x0], snap[c.x1], c.text, c.page, c.bbox,
                         c.confidence) for c in piece.cells]
        self._append(cells, piece.n_rows, piece.page)

    def _append(self, cells: list[RawCell], n_rows: int, page: int) -> None:
        skip = self._repeated_header(cells, n_rows)
        cells = [c for c in cells if c.row >= skip]
        bottom = {(c.x0, c.x1): c for c in self.cells if c.row + c.rowspan == self.n_rows}
        # A row cut by the break goes on in the continuation's first row: it is joined to the
        # row above (and takes no grid row of its own).
        cut = 1 if cut_row([c for c in cells if c.row == skip], bottom) else 0
        for c in cells:
            above = bottom.get((c.x0, c.x1)) if c.row == skip else None
            if above is not None and (cut or cut_cell(above, c)):
                above.rowspan += c.rowspan - cut
                if c.text:
                    above.text = "\n".join(filter(None, (above.text, c.text)))
                    if above.confidence is not None and c.confidence is not None:
                        above.confidence = min(above.confidence, c.confidence)
                continue
            c.row += self.n_rows - skip - cut
            self.cells.append(c)
        self.n_rows += n_rows - skip - cut
        self.last_page = page

    def _repeated_header(self, cells: list[RawCell], n_rows: int) -> int:
        """Rows at the top of the continuation that repeat the table's header (Word/LibreOffice
        "repeat heading rows"): the largest k whose first k rows equal the table's first k rows."""
        def block(cs, k):
            rows = [c for c in cs if c.row < k]
            if any(c.row + c.rowspan > k for c in rows):
                return None
            return sorted((c.row, c.rowspan, c.x0, c.x1, re.sub(r"\s", "", c.text)) for c in rows)

        for k in range(min(self.settings.max_header_rows, n_rows - 1, self.n_rows), 0, -1):
            mine = block(self.cells, k)
            if mine and any(t[-1] for t in mine) and mine == block(cells, k):
                return k
        return 0

    def build(self) -> Table:
        col = {x: i for i, x in enumerate(self.xs)}
        cells = [Cell(row=c.row, col=col[c.x0], text=c.text, rowspan=c.rowspan,
                      colspan=col[c.x1] - col[c.x0], page=c.page, bbox=c.bbox,
                      confidence=c.confidence)
                 for c in sorted(self.cells, key=lambda c: (c.row, c.x0))]
        return Table(cells=cells, n_rows=self.n_rows, n_cols=len(self.xs) - 1, page=self.page,
                     bbox=self.bbox)

    def block(self) -> Block:
        """The table block; OCR tables carry their lowest cell confidence in hints."""
        table = self.build()
        confs = [c.confidence for c in table.cells if c.confidence is not None]
        hints = {"confidence": min(confs)} if confs else {}
        return Block(kind="table", page=self.page, bbox=self.bbox, table=table, hints=hints)


def cut_row(first: list[RawCell], bottom: dict) -> bool:
    """Is the continuation's first row (`first`) the rest of the table's last row, cut by the
    page break (Word and LibreOffice let a row break across pages)?

    Its cells sit on the columns of the cells ending the table above, one row high each. Its
    row label is empty while the label above is printed, yet some value goes on: a template row
    always prints its label, so a labelless row with values is no row of its own. The row's label
    is its first cell whose counterpart above is one row high (cells left of it are the rest of
    group cells spanning rows).
    """
    if not first or any(c.rowspan != 1 or (c.x0, c.x1) not in bottom for c in first):
        return False
    first = sorted(first, key=lambda c: c.x0)
    own = next((i for i, c in enumerate(first) if bottom[(c.x0, c.x1)].rowspan == 1), None)
    if own is None or own == len(first) - 1:
        return False
    label, above = first[own], bottom[(first[own].x0, first[own].x1)]
    return (not label.text.strip() and bool(above.text.strip())
            and any(c.text.strip() for c in first[own + 1:])
            and all(_NUMBERISH.match(re.sub(r"\s", "", c.text)) for c in first[own + 1:]
                    if c.text.strip()))


def cut_cell(above: RawCell, below: RawCell) -> bool:
    """Is `below`, first on the new page, the rest of the merged cell `above` cut by the break?

    Only group cells are cut this way, and they span several rows on at least one side of the
    break; the rest is empty or a text fragment, never a number or a new enumerated label.
    """
    if above.rowspan == 1 and below.rowspan == 1:
        return False
    text = re.sub(r"\s", "", below.text)
    return not text or not (_NUMBERISH.match(text) or _ENUM.match(text))


# ---- tables without vertical rulings -------------------------------------------------------
#
# A three-line table (rules only above and below the header and at the end) or a table printed
# without any rules still keeps its cells' geometry: figures and column labels centred in their
# columns, a wrapped label's lines one under the other. Columns come from the centres of the
# figures and of the lowest column labels (per block of rows under one header: table 二 changes
# its columns from block to block); rows from the row labels (a row starts with an enumerated
# label, or with a line that brings its own figures; a line under a label that it overlaps goes
# on that label); a label with labels to its right is a group cell spanning the rows it overlaps.
# A figure that falls between two columns or beside no row leaves the table unread (a warning
# names the page): no value is guessed.

_VALUE_TOKEN = re.compile(r"^[-+]?[\d,，.．]+(?:%|元|万元)?$|^[/／—－\-–~～无]$")


def _size(w: Word) -> float:
    return float(w.size) if w.size is not None else w.bottom - w.top


@dataclass
class _TLine:
    words: list
    chunks: list  # the words split where they are a column gap apart
    top: float
    bottom: float
    size: float

    @property
    def data(self) -> bool:
        """Two or more cells, the last a figure: a table row (or its figures)."""
        return len(self.chunks) >= 2 and _is_value(self.chunks[-1])

    @property
    def enum(self) -> bool:
        return bool(_ENUM.match(_text(self.chunks[0])))


def _text(chunk: list) -> str:
    return "".join(w.text.strip() for w in chunk)


def _is_value(chunk: list) -> bool:
    return bool(_VALUE_TOKEN.match(_text(chunk)))


def _is_figure(text: str) -> bool:
    """A cell's text is a figure (or a 'nothing' mark), as _is_value tells a line's chunk."""
    return bool(_VALUE_TOKEN.match(re.sub(r"\s", "", text)))


def _tline(words: list, settings: LayoutSettings) -> _TLine:
    chunks = [[words[0]]]
    for w in words[1:]:
        if w.x0 - chunks[-1][-1].x1 >= settings.column_gap * _size(w):
            chunks.append([w])
        else:
            chunks[-1].append(w)
    sizes = sorted(_size(w) for w in words)
    return _TLine(words, chunks, min(w.top for w in words), max(w.bottom for w in words),
                  sizes[len(sizes) // 2])


def _span(chunk: list) -> tuple:
    return min(w.x0 for w in chunk), max(w.x1 for w in chunk)


def text_tables(words: list[Word], settings: LayoutSettings, top: float = 0.0
                ) -> tuple[list[tuple[list, int, list, tuple]], list[Word], list[str]]:
    """Tables read from the words' alignment: ([(cells, n_rows, xs, bbox)], the words left as
    page text, warnings). Cells are (row, rowspan, x0, x1, words) in the words' units. Rows
    above `top` may be the rest of a table from the previous page."""
    lines = [_tline(ws, settings) for ws in group_lines(words, settings)]
    last = len(lines) - 1  # the page's last line of content
    while last >= 0 and PAGE_NUMBER.match(_text(lines[last].words)):
        last -= 1
    regions, i = [], 0
    while i < len(lines):
        if not lines[i].data:
            i += 1
            continue
        size = lines[i].size

        def joins(upper: _TLine, lower: _TLine) -> bool:
            return (lower.top - upper.bottom <= settings.table_gap * size
                    and max(upper.size, lower.size) < settings.table_size * size)

        a = i
        while a > 0 and joins(lines[a - 1], lines[a]) and not (regions and a - 1 <= regions[-1][1]):
            a -= 1
        b = i
        while b + 1 < len(lines) and joins(lines[b], lines[b + 1]):
            b += 1
        # Trailing notes are page text; a last row without figures (all blank) is not.
        value_left = min(_span(next(c for c in ln.chunks if _is_value(c)))[0]
                         for ln in lines[i:b + 1] if ln.data)
        # At the foot of the page they may be the next block's column labels (kept if they are).
        # A label alone right under column labels is a row whose cells are all blank (kept).

        def blank_row(k: int) -> bool:
            return (k - 1 > i and len(lines[k].chunks) == 1 and _span(lines[k].chunks[0])[1] < value_left
                    and not lines[k - 1].data
                    and any(_span(ch)[1] > value_left for ch in lines[k - 1].chunks))

        while b < last and not lines[b].data and b > i and not (
                lines[b].enum and _span(lines[b].chunks[-1])[1] < value_left) and not blank_row(b):
            b -= 1
        # Two rows with figures, or one with three (table 四 prints a single row), or one whose
        # figures each sit under a column label, or one going on from the previous page.
        if (sum(ln.data for ln in lines[a:b + 1]) >= 2 or len(lines[i].chunks) >= 4
                or _labelled(lines[a:i], lines[i]) or lines[a].top < top):
            regions.append((a, b))
        i = b + 1
    # Column labels ending a page: the table's header, its rows follow on the next page.
    end = last
    if end >= 0 and len(lines[end].chunks) >= 3 and not (regions and regions[-1][1] >= end):
        size, a = lines[end].size, end
        while (a > 0 and not (regions and a - 1 <= regions[-1][1])
               and lines[a].top - lines[a - 1].bottom <= settings.table_gap * size
               and max(lines[a - 1].size, lines[a].size) < settings.table_size * size):
            a -= 1
        regions.append((a, end))
    out, used, warnings = [], set(), []
    for a, b in regions:
        table = _text_table(lines[a:b + 1], settings)
        if table is None:
            text = "".join(w.text for w in lines[a].words)[:20]
            warnings.append(f"一张无框线表格（从“{text}”起）有数值无法确定所在的行或列，该表未读取")
            continue
        out.append(table)
        used.update(id(w) for cell in table[0] for w in cell[4])
    return out, [w for w in words if id(w) not in used], warnings


def _labelled(above: list[_TLine], row: _TLine) -> bool:
    """Does a label above (centred over its column) head each figure of the row?"""
    heads = [sum(_span(c)) / 2 for ln in above if len(ln.chunks) >= 2 for c in ln.chunks[1:]]
    return bool(heads) and all(any(abs(h - sum(_span(c)) / 2) <= row.size for h in heads)
                               for c in row.chunks[1:])


def _cluster_values(values: list[float], tol: float) -> list[float]:
    """Sorted values → the mean of each run of values closer than `tol`."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


@dataclass
class _Segment:
    header: list = field(default_factory=list)  # _TLine
    body: list = field(default_factory=list)
    bounds: list = field(default_factory=list)  # value column boundaries


@dataclass
class _Block:
    """One label cell: its lines (top, bottom, words), left to right extent from them."""

    lines: list
    band: bool = False  # figures were printed beside it
    row: Optional[int] = None  # its row, if it is a row's own label (not a group label)

    @property
    def x0(self) -> float:
        return min(w.x0 for _, _, ws in self.lines for w in ws)

    @property
    def x1(self) -> float:
        return max(w.x1 for _, _, ws in self.lines for w in ws)

    def beside(self, other: "_Block") -> bool:
        """Is `other` right of this block, on some of its rows?"""
        return other.x0 >= self.x1 - 1 and other.top < self.bottom and self.top < other.bottom

    @property
    def top(self) -> float:
        return self.lines[0][0]

    @property
    def bottom(self) -> float:
        return max(b for _, b, _ in self.lines)


def _text_table(lines: list[_TLine], settings: LayoutSettings):
    size = sorted(ln.size for ln in lines)[len(lines) // 2]
    # Where figures start: left of it are labels (the first figure chunk of every data line).
    firsts = [_span(next(c for c in ln.chunks if _is_value(c)))[0] for ln in lines if ln.data]
    # (a header without rows yet: its column labels start after its first cell)
    value_left = min(firsts or [_span(ln.chunks[1])[0] for ln in lines if len(ln.chunks) >= 3])
    # Where row labels end: a line starting right of it is a title or column labels, not a label.
    label_right = max((_span(c)[1] for ln in lines if ln.data or len(ln.chunks) >= 3
                       for c in ln.chunks if _span(c)[1] < value_left), default=value_left)
    # Blocks of rows, each under its own header lines.
    segments = [_Segment()]
    for ln in lines:
        seg = segments[-1]
        figures = all(_is_value(c) for c in ln.chunks)
        beyond = any(_span(c)[0] > label_right for c in ln.chunks)
        if ln.data or ln.enum or figures or (seg.body and not beyond):
            seg.body.append(ln)  # a row, its figures or the rest of a wrapped label
            continue
        if seg.body:  # column labels again: the next block of rows has its own columns
            seg = _Segment()
            segments.append(seg)
        seg.header.append(ln)
    for k, seg in enumerate(segments):
        centres = [sum(_span(c)) / 2 for ln in seg.body for c in ln.chunks
                   if _is_value(c) and _span(c)[0] >= value_left - settings.cell_slack]
        # Column labels are centred over their columns too (a column may print no figure at
        # all): the header's lowest labels right of the row labels, nothing under them.
        heads = [c for ln in seg.header for c in ln.chunks if sum(_span(c)) / 2 > label_right]
        labelled = [sum(_span(c)) / 2 for c in heads
                    if not any(o is not c and min(w.top for w in o) > max(w.bottom for w in c) - 1
                               and min(_span(o)[1], _span(c)[1]) > max(_span(o)[0], _span(c)[0])
                               for o in heads)]
        figures = len(centres)
        centres += labelled
        if not centres and k == len(segments) - 1 and k > 0 and not seg.body:
            segments.pop()  # lines under the last row that head nothing: page text
            break
        if not centres:
            return None
        cs = _cluster_values(centres, size)
        # A column held up by one figure only, with no label over it, in a block of several
        # rows: more likely a figure printed between two columns than a column.
        rows_with_figures = sum(any(_is_value(c) for c in ln.chunks) for ln in seg.body)
        if rows_with_figures >= 3 and any(sum(abs(v - c) <= size for v in centres[:figures]) < 2
                                and not any(abs(v - c) <= size for v in labelled) for c in cs):
            return None
        if len(cs) == 1:  # as wide as its column label (centred over it)
            half = max([3 * size] + [(_span(c)[1] - _span(c)[0]) / 2 for ln in seg.header
                                     for c in ln.chunks if abs(sum(_span(c)) / 2 - cs[0]) <= size])
        else:
            half = min(b - a for a, b in zip(cs, cs[1:])) / 2
        seg.bounds = [cs[0] - half] + [(a + b) / 2 for a, b in zip(cs, cs[1:])] + [cs[-1] + half]
    rows: list = []  # per row: its leaf label block, or None for header rows and bare figures
    cells: list = []  # (row, rowspan, x0, x1, words)
    placed = []
    for seg in segments:
        result = _segment_rows(seg, size, settings)
        if result is None:
            return None
        placed.append(result)
    # Label cells start on a few lines (left-aligned labels; centred ones only roughly).
    lefts = _cluster_values([b.x0 for _, blocks in placed for b in blocks], settings.start_tol)
    snap_left = lambda v: max((x for x in lefts if x <= v + settings.start_tol), default=v)  # noqa: E731
    for seg, (seg_rows, blocks) in zip(segments, placed):
        header_rows = _header_rows(seg, min(lefts, default=seg.bounds[0]), settings)
        base = len(rows)
        for r, hcells in enumerate(header_rows):
            cells += [(base + r, rowspan, x0, x1, ws) for rowspan, x0, x1, ws in hcells]
            rows.append(None)
        base = len(rows)
        for r, (leaf, value_chunks) in enumerate(seg_rows):
            rows.append(leaf)
            for j in range(len(seg.bounds) - 1):
                lo, hi = seg.bounds[j], seg.bounds[j + 1]
                ws = [w for c in value_chunks if lo <= sum(_span(c)) / 2 < hi for w in c]
                cells.append((base + r, 1, lo, hi, ws))
        for blk in blocks:
            ws = [w for _, _, line_words in blk.lines for w in line_words]
            x0 = snap_left(blk.x0)
            if blk.row is not None:  # a row's own label: it reaches the figures
                cells.append((base + blk.row, 1, x0, seg.bounds[0], ws))
                continue
            covered = [r for r, (leaf, _) in enumerate(seg_rows)
                       if leaf is not None and leaf.top < blk.bottom and blk.top < leaf.bottom]
            if not covered:
                return None
            right = [snap_left(o.x0) for o in blocks if blk.beside(o)]
            cells.append((base + covered[0], covered[-1] - covered[0] + 1, x0,
                          min(right, default=seg.bounds[0]), ws))
    xs = _cluster_values([c[2] for c in cells] + [c[3] for c in cells], settings.coord_tol)
    snap = lambda v: min(xs, key=lambda x: abs(x - v))  # noqa: E731
    cells = [(r, n, snap(x0), snap(x1), ws) for r, n, x0, x1, ws in cells if snap(x1) > snap(x0)]
    all_words = [w for ln in lines for w in ln.words]
    bbox = (xs[0], min(w.top for w in all_words), xs[-1], max(w.bottom for w in all_words))
    return cells, len(rows), xs, bbox


def _segment_rows(seg: _Segment, size: float, settings: LayoutSettings):
    """The rows of a block: [(leaf label block or None, its figure chunks)] and the label blocks
    (a row's own label has `row` set); None if a figure cannot be placed in one row and column.

    A label line goes on the block above it that it overlaps (a wrapped label, left-aligned or
    centred), unless it starts with an enumeration or brings figures while that block already
    has its own; any other label line starts a block."""
    left = seg.bounds[0] + settings.cell_slack
    blocks: list[_Block] = []
    figures: dict = {}  # id(block) → the figure chunks of its row
    loose: list = []  # figures with no label at all (table 四 prints none)
    for ln in seg.body:
        labels = [c for c in ln.chunks if _span(c)[1] <= left]
        values = [c for c in ln.chunks if _span(c)[1] > left]
        touched: list = []
        for k, chunk in enumerate(labels):
            x0, x1 = _span(chunk)
            top = min(w.top for w in chunk)
            above = [b for b in blocks if b not in touched and 0 <= top - b.bottom + 0.5 * size
                     and top - b.bottom <= settings.label_gap * size and min(b.x1, x1) > max(b.x0, x0)]
            blk = min(above, key=lambda b: abs((b.x0 + b.x1) - (x0 + x1))) if above else None
            own = k == len(labels) - 1
            if blk is None or _ENUM.match(_text(chunk)) or (own and values and blk.band):
                blk = _Block([])
                blocks.append(blk)
            blk.lines.append((top, max(w.bottom for w in chunk), chunk))
            touched.append(blk)
        if not values:
            continue
        # The figures belong to the rightmost label beside them (a group label's line may share
        # their line; figures centred beside a label of several lines sit between its lines).
        cy = (ln.top + ln.bottom) / 2
        near = [b for b in blocks if b.top - 0.6 * size <= cy <= b.bottom + 0.6 * size]
        if not near:
            if blocks:
                return None
            loose.append(values)
            continue
        target = max(near, key=lambda b: (b.x0, b.top))
        if target.band:
            return None  # two rows of figures beside one label
        target.band = True
        figures[id(target)] = values
    leaves = sorted((b for b in blocks if not any(b.beside(o) for o in blocks if o is not b)),
                    key=lambda b: b.top)
    for i, b in enumerate(leaves):
        b.row = i
    rows = [(b, figures.get(id(b), [])) for b in leaves]
    if any(figures.get(id(b)) for b in blocks if b.row is None):
        return None  # figures beside a group label: no row to put them in
    if loose and leaves:
        return None
    rows += [(None, values) for values in loose]
    # A figure must sit inside one column.
    for _, values in rows:
        for chunk in values:
            x0, x1 = _span(chunk)
            if not any(lo - settings.cell_slack <= x0 and x1 <= hi + settings.cell_slack
                       for lo, hi in zip(seg.bounds, seg.bounds[1:])):
                return None
    return rows, blocks


def _header_rows(seg: _Segment, left: float, settings: LayoutSettings) -> list:
    """The header lines of a block as rows of (rowspan, x0, x1, words): labels spanning several
    columns each on a row of their own, then one row of column labels (a wrapped label's lines
    joined); the header's own label cell at the left spans them all."""
    if not seg.header:
        return []
    bounds, slack = seg.bounds, settings.cell_slack
    label, columns, spanning = [], {}, []
    n = len(bounds) - 1
    heads = []
    titles = {id(c): ln.chunks for ln in seg.header for c in ln.chunks}
    middle = (left + bounds[-1]) / 2
    for ln in seg.header:
        for chunk in ln.chunks:
            (label.extend(chunk) if _span(chunk)[1] <= bounds[0] + slack else heads.append(chunk))
    # Bottom up: a label's columns are those of the labels under it (a spanning label heads
    # several), or, for the lowest, the columns it covers; it joins a column's label when it
    # heads that column alone (a column label wrapped over lines).
    place: dict = {}
    for chunk in sorted(heads, key=lambda c: -min(w.top for w in c)):
        x0, x1 = _span(chunk)
        bottom = max(w.bottom for w in chunk)
        under = [place[id(o)] for o in heads if id(o) in place
                 and min(w.top for w in o) >= bottom - 1 and min(_span(o)[1], x1) > max(_span(o)[0], x0)]
        if under:
            j0, j1 = min(a for a, _ in under), max(b for _, b in under)
        else:
            inside = [j for j in range(n) if x0 <= (bounds[j] + bounds[j + 1]) / 2 <= x1]
            if not inside:
                cx = (x0 + x1) / 2
                inside = [min(range(n), key=lambda j: abs((bounds[j] + bounds[j + 1]) / 2 - cx))]
            j0, j1 = inside[0], inside[-1]
        # A title centred over the whole table (第二十条第（一）项) heads every column.
        if len(titles.get(id(chunk), ())) == 1 and abs((x0 + x1) / 2 - middle) <= 2 * _size(chunk[0]):
            j0, j1 = 0, n - 1
        place[id(chunk)] = (j0, j1)
        if j0 == j1 and bounds[j0] - slack <= (x0 + x1) / 2 <= bounds[j0 + 1] + slack:
            columns.setdefault(j0, []).extend(chunk)
        else:
            spanning.append((j0, j1, chunk))
    spanning.reverse()  # top down
    rows: list = []
    for j0, j1, chunk in spanning:  # each on the first row where its columns are free
        for row in rows:
            if all(j1 < a or b < j0 for a, b, _ in row):
                row.append((j0, j1, chunk))
                break
        else:
            rows.append([(j0, j1, chunk)])
    out = [[(1, bounds[j0], bounds[j1 + 1], chunk) for j0, j1, chunk in row] for row in rows]
    if columns:
        out.append([(1, bounds[j], bounds[j + 1], ws) for j, ws in sorted(columns.items())])
    if not out:
        out.append([])
    if label:
        out[0].append((len(out), min(left, min(w.x0 for w in label)), bounds[0], label))
    return out
