"""The one document model every reader returns.

A Document is an ordered list of blocks: paragraphs and tables. Nothing after the readers knows
which format a report came in. Pages are 1-based and `None` for formats without pages; bounding
boxes are (x0, top, x1, bottom) in PDF points, `None` where the format has no geometry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from .status import Status

BBox = tuple[float, float, float, float]


@dataclass
class Cell:
    """One printed cell of a table: a merged cell appears once, with its spans."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    # Set only for cells read by OCR (0..1); None means the text layer was read exactly.
    confidence: Optional[float] = None


@dataclass
class Table:
    """A grid of cells; a table continued over a page break is one Table."""

    cells: list[Cell]
    n_rows: int
    n_cols: int
    page: Optional[int] = None  # page where the table starts
    bbox: Optional[BBox] = None  # bbox on its first page

    def grid(self) -> list[list[Optional[Cell]]]:
        """Every grid position points at the cell covering it (None where nothing is printed)."""
        g: list[list[Optional[Cell]]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, min(c.row + c.rowspan, self.n_rows)):
                for k in range(c.col, min(c.col + c.colspan, self.n_cols)):
                    g[r][k] = c
        return g

    def rows(self) -> list[list[Cell]]:
        """Cells that start in each grid row, left to right (merged cells only where they start)."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out

    def text_rows(self) -> list[list[str]]:
        """The grid as text, merged cells repeated where they span; handy for debugging and tests."""
        return [[c.text if c else "" for c in row] for row in self.grid()]

    @property
    def pages(self) -> list[int]:
        return sorted({c.page for c in self.cells if c.page is not None})


@dataclass
class Block:
    kind: Literal["paragraph", "table"]
    text: str = ""  # paragraph text as printed (line breaks inside a paragraph removed)
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    table: Optional[Table] = None
    # Reader hints: e.g. {"style": "Heading 1"}, {"tag": "h2"}, {"bold": True}, {"align": "center"}
    hints: dict = field(default_factory=dict)


@dataclass
class Document:
    path: str
    format: str  # pdf | docx | html | txt | ocr | doc | wps
    blocks: list[Block]
    n_pages: Optional[int] = None
    # Facts the container states outside the body, e.g. a saved page's own date line
    # {"page_date": "2025-03-10"} or a PDF's metadata {"creation_date": "..."}.
    meta: dict = field(default_factory=dict)
    # Reader warnings: things it could not read exactly (kept, shown, never silently dropped); any
    # warning makes the report `partial`.
    warnings: list[str] = field(default_factory=list)
    # Reader notices: how something was read that a reviewer should know (tables read by OCR, with
    # a confidence per cell); shown with the messages, the status stays what the reading earned.
    notices: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b.table for b in self.blocks if b.kind == "table" and b.table is not None]

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "paragraph"]


class ReadError(Exception):
    """A file that cannot be read as a report. `status` is stored; `message` is Chinese for users."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = Status(status)  # anything but ok/partial: error, unsupported, needs_ocr, …
        self.message = message
