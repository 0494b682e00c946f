"""DOCX reader: paragraphs and tables in body order, each merged cell once with its spans.

python-docx's `table.cell(r, c)` repeats a merged cell's text at every grid position it covers,
so tables are read from the XML: gridBefore/gridSpan give the grid column, and a
vMerge="continue" cell extends the rowspan of the merge above it (started by vMerge="restart");
a continuation with no merge to continue is malformed: left unread, with a warning, never a
copy of the value above. Macro-enabled documents (.docm) and templates are read the same way.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import PartFactory
from docx.package import Package
from docx.parts.document import DocumentPart
from docx.styles.style import StyleFactory
from lxml import etree

from ..document import Block, Cell, Document, ReadError, Table
from ..sections.rules import numbered_section
from . import images

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
    d = _open(p)
    style_names: dict[str, str] = {}

    def style_name(style_id: str) -> str:
        if style_id not in style_names:
            el = d.styles.element.get_by_id(style_id)
            style_names[style_id] = StyleFactory(el).name if el is not None else style_id
        return style_names[style_id]

    blocks: list = []  # Blocks, and Pictures that images.py reads (tables pasted as pictures)
    merge_warnings: list[str] = []  # tables with malformed vertical merges (cells left unread)
    for el in _body_items(d.element.body):
        if el.tag == _TBL:
            table = _table(el, merge_warnings)
            if not any(c.text for c in table.cells) and images.has_docx_picture(el):
                blocks += images.docx_pictures(el, d.part)  # a picture framed in a table
            elif table.cells:
                blocks.append(Block(kind="table", table=table))
            continue
        pics = images.docx_pictures(el, d.part) if images.has_docx_picture(el) else []
        text = _text(el).replace("\n", "").strip()  # a paragraph's own line breaks are not paragraph breaks
        if not text:
            blocks += pics
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
        blocks += pics
    pictures = images.Pictures(p.name)
    blocks = pictures.into_blocks(blocks)
    meta = pictures.meta()
    created = d.core_properties.created
    if created is not None:
        meta["creation_date"] = created.date().isoformat()
    warnings = [f"{p.name}：{w}" for w in merge_warnings] + pictures.warnings
    return Document(path=str(p), format="docx", blocks=blocks, meta=meta, warnings=warnings,
                    notices=pictures.notices)


# The main part of a Word document, a macro-enabled one (.docm) and their templates: all the
# same WordprocessingML. python-docx accepts only the first; the others are read the same way
# (macros are never run: nothing in a file is ever executed).
_MAIN_TYPES = (CT.WML_DOCUMENT_MAIN, "application/vnd.ms-word.document.macroEnabled.main+xml",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
               "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
for _ct in _MAIN_TYPES:
    PartFactory.part_type_for.setdefault(_ct, DocumentPart)


def _open(p: Path):
    """The python-docx Document of p; a ReadError with a Chinese-only message otherwise (the
    libraries' English never reaches a stored message)."""
    try:
        part = Package.open(str(p)).main_document_part
        if part.content_type not in _MAIN_TYPES:
            raise ReadError("unsupported", f"{p.name} 不是 Word 文档（ZIP 包的主部件不是 Word 正文），无法读取")
        return part.document
    except ReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:  # e.g. a part longer than its header says
        raise ReadError("error", f"{p.name} 不是有效的 DOCX 文件（ZIP 数据损坏）") from e
    except (PackageNotFoundError, KeyError) as e:
        raise ReadError("error", f"{p.name} 不是可读取的 DOCX 文件（缺少 Word 文档必需的部件）") from e
    except etree.XMLSyntaxError as e:
        raise ReadError("error", f"{p.name} 不是可读取的 DOCX 文件（XML 结构损坏）") from e
    except (ValueError, AttributeError, TypeError) as e:
        raise ReadError("error", f"{p.name} 不是可读取的 DOCX 文件（文档结构不符合规范）") from e


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


def _body_items(parent):
    """Paragraphs and tables of the body in reading order, with the content of layout tables
    in place of the tables themselves: a page laid out in a table (a frame around the whole
    report, a column of navigation beside it) holds the report's own paragraphs and tables in
    its cells, read row by row, cell by cell."""
    for el in _items(parent):
        if el.tag == _TBL and _is_layout_table(el):
            for tr in _items(el, (_TR,)):
                for tc in _items(tr, (_TC,)):
                    yield from _body_items(tc)
        else:
            yield el


def _is_layout_table(tbl) -> bool:
    """A table that lays out a page rather than printing data (as the HTML reader tells them):
    one that holds tables in its cells, one whose every row is a single cell (a frame or box
    around text; no report table has one column), or one with a section heading in a cell."""
    if next(tbl.iterdescendants(_TBL), None) is not None:
        return True
    rows = [list(_items(tr, (_TC,))) for tr in _items(tbl, (_TR,))]
    if rows and all(len(cells) == 1 for cells in rows):
        return True
    return any(numbered_section(line) for cells in rows for tc in cells
               for line in _text(tc, _CELL_PIECES).split("\n"))


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


def _table(tbl, warnings: list[str] | None = None) -> Table:
    """The table's cells. A vMerge continuation extends the cell above only when that cell is a
    merge started with vMerge="restart" (or already continued) and ends in the row above. A
    continuation without one (in the first row, under a plain cell, under a gap) is malformed:
    what Word shows there is not defined, so no cell is made for it (nothing is read, the value
    above is never copied into it) and `warnings` gets a Chinese line naming the table."""
    cells: list[Cell] = []
    above: dict[int, Cell | None] = {}  # grid column -> the cell covering it (None: unread)
    merged: set[int] = set()  # id() of the cells that started with vMerge="restart"
    malformed: list[int] = []  # rows (0-based) with a malformed continuation
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
                if up is not None and id(up) in merged and up.col == col and up.row + up.rowspan == r:
                    owner = up
                    owner.rowspan += 1
                else:  # nothing to continue: leave the grid positions unread
                    malformed.append(r)
                    for k in range(col, col + span):
                        above[k] = None
                    prev = None
                    col += span
                    continue
            if owner is not None:
                if text:  # unusual, but printed text is never dropped
                    owner.text = f"{owner.text}\n{text}" if owner.text else text
                for k in range(col, col + span):
                    above[k] = owner
                prev = owner if owner.row == r else None
            else:
                prev = Cell(row=r, col=col, text=text, colspan=span)
                cells.append(prev)
                if vmerge is not None:
                    merged.add(id(prev))
                for k in range(col, col + span):
                    above[k] = prev
            col += span
        n_cols = max(n_cols, col)
    if malformed and warnings is not None:
        first = next((c.text.replace("\n", "") for c in cells if c.text.strip()), "")
        head = f"以“{first[:12]}”开头的" if first else ""
        rows = "、".join(str(x + 1) for x in dict.fromkeys(malformed))
        warnings.append(f"{head}表格第 {rows} 行有 {len(malformed)} 个单元格标为纵向合并的延续，但上方没有合并的起点"
                        "（合并格式错误）：这些单元格的值无法确定，未读取，也没有沿用上方的值")
    return Table(cells=cells, n_rows=r + 1, n_cols=n_cols)
