"""Plain-text reader for reports rendered one table cell per line.

Layout (real/xingtai-gxj-2023.txt): paragraphs are lines; a table is a run of tab-indented
lines, one cell per line, with a blank line between rows. A merged cell leaves an empty tab
line, and a line without the tab right after a cell continues it ("商业" / "企业"). Spans are
not written, so every printed line-cell gets its own grid position.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..document import Block, Cell, Document, ReadError, Table

_ARTEFACT = re.compile(r"\[bookmark: [^\]]*\]")  # Word bookmarks leaked by the text conversion
_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_MAX_CONTINUATION = 12  # a wrapped label is short; a longer untabbed line is a paragraph
_MAX_CELL = 100  # table cells are labels and numbers; a longer tabbed line is an indented paragraph
# An annual report is some 10,000–60,000 characters; a text far longer is something else (a log,
# a dump, one 25 MB line) and would only cost minutes of segmentation: refused, in Chinese.
MAX_CHARS = 1_000_000


def read(path) -> Document:
    p = Path(path)
    text, lossy = decode(p.read_bytes())
    if len(text) > MAX_CHARS:
        raise ReadError("unsupported", f"{p.name} 文字过多（约 {len(text) // 10000} 万字，超过 "
                                       f"{MAX_CHARS // 10000} 万字的上限），不像一份年度报告，未读取")
    blocks: list[Block] = []
    rows: list[list[str]] = []  # the table being read
    row: list[str] = []
    after_cell = False  # the previous line was a cell (no blank line since)

    def end_row():
        nonlocal row
        if row:
            rows.append(row)
            row = []

    def end_table():
        end_row()
        cells = [c for r in rows for c in r]
        if len(rows) >= 2 and max(map(len, rows)) >= 2 and max(map(len, cells)) <= _MAX_CELL:
            blocks.append(Block(kind="table", table=_table(rows)))
        else:  # tab-indented paragraphs, not a table
            blocks.extend(Block(kind="paragraph", text=c.replace("\n", "")) for c in cells if c)
        rows.clear()

    for raw in text.splitlines():
        line = _ARTEFACT.sub("", raw)
        if line.startswith("\t"):
            row.append(line.strip())
            after_cell = True
            continue
        stripped = line.strip()
        if not stripped:
            end_row()
            after_cell = False
            continue
        if after_cell and len(stripped) <= _MAX_CONTINUATION and not _HEADING.match(stripped):
            row[-1] = f"{row[-1]}\n{stripped}" if row[-1] else stripped
            continue
        if rows or row:
            end_table()
        after_cell = False
        blocks.append(Block(kind="paragraph", text=stripped))
    end_table()
    warnings = [f"{p.name} 不是有效的 UTF-8 或 GB18030 文本，无法解码的字节已替换"] if lossy else []
    return Document(path=str(p), format="txt", blocks=blocks, warnings=warnings)


def decode(data: bytes) -> tuple[str, bool]:
    """(text, lossy): UTF-8 (BOM optional), else GB18030 as Chinese Windows tools write it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), False
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), False
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace"), True


def _table(rows: list[list[str]]) -> Table:
    cells = [Cell(row=r, col=c, text=t) for r, row in enumerate(rows) for c, t in enumerate(row)]
    return Table(cells=cells, n_rows=len(rows), n_cols=max(len(row) for row in rows))
