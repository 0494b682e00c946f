"""The layout stage of both PDF readers: positioned text and ruled grids → paragraphs and tables.

The text-PDF reader (pdf.py) hands it pdfplumber's words and the grids of pdfplumber's ruled
cells; the OCR reader (ocr.py) hands it RapidOCR's text boxes and the grids of the rulings it
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
    max_header_rows: int = 6  # a header block repeated on a continuation page: at most this tall


PDF_SETTINGS = LayoutSettings()
# OCR knows no font size: a line's size is the height of its boxes (about 1.1× the font size, more
# with tall glyphs), which varies from line to line, and two boxes on one line are apart (else the
# recogniser had made them one box).
OCR_SETTINGS = LayoutSettings(word_space=None, size_step=0.0, size_ratio=0.35)


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

    @property
    def top(self) -> float:
        return self.bbox[1]


@dataclass
class Page:
    number: int
    width: float
    height: float
    items: list = field(default_factory=list)  # Line and Piece, top to bottom


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
    hints["size"] = round(lines[0].size, 1)
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

    def _match(self, x: float) -> Optional[float]:
        best = min(self.xs, key=lambda b: abs(b - x))
        return best if abs(best - x) <= self.settings.join_tol else None

    def compatible(self, piece: Piece) -> bool:
        """Same outer edges, and one piece's column boundaries are a subset of the other's."""
        if self._match(piece.xs[0]) != self.xs[0] or self._match(piece.xs[-1]) != self.xs[-1]:
            return False
        inner = piece.xs[1:-1]
        if all(self._match(x) is not None for x in inner):
            return True
        return all(any(abs(b - x) <= self.settings.join_tol for x in inner) for b in self.xs[1:-1])

    def append(self, piece: Piece) -> None:
        snap = {}
        for x in piece.xs:
            snap[x] = self._match(x)
            if snap[x] is None:
                snap[x] = x
                bisect.insort(self.xs, x)
        cells = [RawCell(c.row, c.rowspan, snap[c.x0], snap[c.x1], c.text, c.page, c.bbox,
                         c.confidence) for c in piece.cells]
        skip = self._repeated_header(cells, piece.n_rows)
        cells = [c for c in cells if c.row >= skip]
        bottom = {(c.x0, c.x1): c for c in self.cells if c.row + c.rowspan == self.n_rows}
        for c in cells:
            above = bottom.get((c.x0, c.x1)) if c.row == skip else None
            if above is not None and cut_cell(above, c):
                above.rowspan += c.rowspan
                if c.text:
                    above.text = "\n".join(filter(None, (above.text, c.text)))
                    if above.confidence is not None and c.confidence is not None:
                        above.confidence = min(above.confidence, c.confidence)
                continue
            c.row += self.n_rows - skip
            self.cells.append(c)
        self.n_rows += piece.n_rows - skip
        self.last_page = piece.page

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


def cut_cell(above: RawCell, below: RawCell) -> bool:
    """Is `below`, first on the new page, the rest of the merged cell `above` cut by the break?

    Only group cells are cut this way, and they span several rows on at least one side of the
    break; the rest is empty or a text fragment, never a number or a new enumerated label.
    """
    if above.rowspan == 1 and below.rowspan == 1:
        return False
    text = re.sub(r"\s", "", below.text)
    return not text or not (_NUMBERISH.match(text) or _ENUM.match(text))
