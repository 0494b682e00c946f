"""DOCX reader: paragraphs and tables in body order, each merged cell once with its spans.

python-docx's `table.cell(r, c)` repeats a merged cell's text at every grid position it covers,
so tables are read from the XML: gridBefore/gridSpan give the grid column, and a
vMerge="continue" cell extends the rowspan of the cell above it.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.styles.style import StyleFactory
from lxml import etree

from ..document import Block, Cell, Document, ReadError, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC = W + "p", W + "tbl", W + "tr", W + "tc"
# Containers that only wrap body content or table rows/cells: content controls, custom XML.
_WRAPPERS = frozenset(W + t for t in ("sdt", "sdtContent", "customXml"))
_T, _TAB, _NBH, _B = W + "t", W + "tab", W + "noBreakHyphen", W + "rPr/" + W + "b"
# Runs of the paragraph itself: text boxes anchored in it and deleted (tracked) text do not print in its line.
_RUNS = ".//w:r[not(ancestor::w:txbxContent or ancestor::w:del)]"
_PIECE = _RUNS + "/*[self::w:t or self::w:tab or self::w:br or self::w:cr or self::w:noBreakHyphen]"
_NS = {"w": W[1:-1]}
_PIECES = etree.XPath(_PIECE, namespaces=_NS)
# A cell's paragraphs (nested tables included, flattened into lines) and their text, in one query.
_CELL_PIECES = etree.XPath(".//w:p[not(ancestor::w:txbxContent)] | " + _PIECE, namespaces=_NS)
_TEXT_RUNS = etree.XPath(_RUNS + "[w:t[normalize-space()]]", namespaces=_NS)
_TC_PROPS = etree.XPath("w:tcPr/*[self::w:gridSpan or self::w:vMerge or self::w:hMerge]", namespaces=_NS)
# python-docx parses every XML part on open, so a zip bomb must be refused before that.
_MAX_PART = 50 * 2**20
_MAX_TOTAL = 200 * 2**20
_MAX_GRID = 64


def read(path) -> Document:
    p = Path(path)
    _check_zip(p)
    try:
        d = docx.Document(str(p))
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:  # e.g. a part longer than its header says
        raise ReadError("error", f"{p.name} 不是有效的 DOCX 文件（ZIP 数据损坏：{e}）") from e
    except (PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError) as e:
        raise ReadError("error", f"{p.name} 不是可读取的 DOCX 文件：{e}") from e
    style_names: dict[str, str] = {}

    def style_name(style_id: str) -> str:
        if style_id not in style_names:
            el = d.styles.element.get_by_id(style_id)
            style_names[style_id] = StyleFactory(el).name if el is not None else style_id
        return style_names[style_id]

    blocks: list[Block] = []
    for el in _items(d.element.body):
        if el.tag == _TBL:
            table = _table(el)
            if table.cells:
                blocks.append(Block(kind="table", table=table))
            continue
        text = _text(el).replace("\n", "").strip()  # a paragraph's own line breaks are not paragraph breaks
        if not text:
            continue
        hints: dict = {}
        ppr = el.find(W + "pPr")
        if ppr is not None:
            ps = ppr.find(W + "pStyle")
            if ps is not None and ps.get(W + "val"):
                hints["style"] = style_name(ps.get(W + "val"))
            jc = ppr.find(W + "jc")
            if jc is not None and jc.get(W + "val") in ("center", "centre"):
                hints["align"] = "center"
        if _all_bold(el):
            hints["bold"] = True
        blocks.append(Block(kind="paragraph", text=text, hints=hints))
    meta = {}
    created = d.core_properties.created
    if created is not None:
        meta["creation_date"] = created.date().isoformat()
    return Document(path=str(p), format="docx", blocks=blocks, meta=meta)


def _check_zip(p: Path) -> None:
    try:
        with zipfile.ZipFile(p) as z:
            sizes = [i.file_size for i in z.infolist()]
    except (zipfile.BadZipFile, OSError) as e:
        raise ReadError("error", f"{p.name} 不是有效的 DOCX 文件（ZIP 结构损坏）") from e
    if max(sizes, default=0) > _MAX_PART or sum(sizes) > _MAX_TOTAL:
        raise ReadError("error", f"{p.name} 解压后过大（{sum(sizes) // 2**20} MB），拒绝读取")


def _items(parent, want=(_P, _TBL)):
    """Children of `parent` with a tag in `want`, in order, looking through wrapper elements."""
    for child in parent:
        if child.tag in want:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _items(child, want)


def _text(el, pieces=_PIECES) -> str:
    """Text of a paragraph (or of a cell's paragraphs); w:br and each paragraph start become a newline."""
    out: list[str] = []
    for c in pieces(el):
        tag = c.tag
        if tag == _T:
            out.append(c.text or "")
        elif tag == _TAB:
            out.append(" ")
        elif tag == _NBH:
            out.append("-")
        elif c.get(W + "type") not in ("page", "column"):  # w:p, w:br, w:cr
            out.append("\n")
    return "".join(out)


def _all_bold(p) -> bool:
    runs = _TEXT_RUNS(p)
    for r in runs:
        b = r.find(_B)
        if b is None or b.get(W + "val", "true").lower() in ("0", "false", "off"):
            return False
    return bool(runs)


def _cell_text(tc) -> str:
    return "\n".join(s for s in (line.strip() for line in _text(tc, _CELL_PIECES).split("\n")) if s)


def _span(el, least: int = 1) -> int:
    """gridSpan/gridBefore; Word tables have at most 63 columns, so larger values are corrupt
    (and would make the column bookkeeping below loop for ever)."""
    try:
        return min(max(least, int(el.get(W + "val"))), _MAX_GRID)
    except (TypeError, ValueError):
        return least


def _table(tbl) -> Table:
    cells: list[Cell] = []
    above: dict[int, Cell] = {}  # grid column -> the cell covering it in the rows so far
    n_cols = 0
    r = -1
    for r, tr in enumerate(_items(tbl, (_TR,))):
        before = tr.find(W + "trPr/" + W + "gridBefore")
        col = _span(before, 0) if before is not None else 0
        prev: Cell | None = None
        for tc in _items(tr, (_TC,)):
            span, vmerge, hmerge = 1, None, None
            for prop in _TC_PROPS(tc):
                if prop.tag == W + "gridSpan":
                    span = _span(prop)
                elif prop.tag == W + "vMerge":
                    vmerge = prop
                else:
                    hmerge = prop
            text = _cell_text(tc)
            owner = None
            if hmerge is not None and hmerge.get(W + "val") != "restart" and prev is not None:
                owner = prev  # legacy horizontal merge: widen the cell on the left
                owner.colspan += span
            elif vmerge is not None and vmerge.get(W + "val") != "restart":
                up = above.get(col)
                if up is not None and up.col == col and up.row + up.rowspan == r:
                    owner = up
                    owner.rowspan += 1
            if owner is not None:
                if text:  # unusual, but printed text is never dropped
                    owner.text = f"{owner.text}\n{text}" if owner.text else text
                for k in range(col, col + span):
                    above[k] = owner
                prev = owner if owner.row == r else None
            else:
                prev = Cell(row=r, col=col, text=text, colspan=span)
                cells.append(prev)
                for k in range(col, col + span):
                    above[k] = prev
            col += span
        n_cols = max(n_cols, col)
    return Table(cells=cells, n_rows=r + 1, n_cols=n_cols)
