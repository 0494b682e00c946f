"""PDF reader: text PDFs (WPS, LibreOffice and Word exports) → Document.

Per page, its printed objects from one of two sources (pdfobjects.py: pdfium by default,
pdfplumber for what pdfium cannot read exactly), then their words and their ruled tables; everything
else is geometry on those. This module turns them into the layout stage's inputs (layout.py,
shared with the OCR reader): the words become `Word`s, and each table's cell rectangles a `Grid`,
its rows and columns the distinct ruling coordinates. The layout stage places the words into the
cells, groups the rest into lines and paragraphs, and joins tables continued over a page break.
"""
from __future__ import annotations

import bisect
import mmap
import re
import unicodedata
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Optional

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ..document import Document, ReadError
from . import images, layout
from .layout import PDF_SETTINGS, Grid, Page, Word
from .pdfobjects import DEFAULT_ENGINE, ENGINES, PageObjects, TooManyObjects, from_plumber, pdfium_page

# NFKC only for Kangxi radicals and CJK compatibility ideographs ("⼀" → "一"); applied to the whole
# text it would also turn full-width punctuation （）：， into ASCII.
_CJK_COMPAT = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for lo, hi in ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    for cp in range(lo, hi + 1)
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
# CJK radicals-supplement forms that fonts map simplified ideographs to (Chromium PDFs print
# 民政厅 as "⺠政厅"); NFKC leaves them alone.
_CJK_COMPAT.update({0x2EA0: "民", 0x2EC5: "见", 0x2ED3: "长", 0x2ED4: "门", 0x2EDC: "飞",
                    0x2EE2: "马", 0x2EDB: "风", 0x2EC9: "贝", 0x2ECB: "车", 0x2EC4: "西",
                    0x2EE9: "黄", 0x2EEA: "黾", 0x2EE3: "骨", 0x2EDA: "页", 0x2EE4: "鬼"})
def read(path, engine: str = DEFAULT_ENGINE) -> Document:
    """A text PDF → Document. engine: "pdfium" (fast; pages it cannot read exactly, and files
    it cannot open, go to pdfplumber) or "pdfplumber" (the reference: every page)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}")
    p = Path(path)
    source = _Source(p, engine)
    pictures = images.PdfPictures(p, source.pdfium)
    warnings = source.warnings
    try:
        pages: list[Page] = []
        blank: list[int] = []  # pages without a text layer
        undecodable: list[int] = []  # pages whose text is mostly (cid:NNN): read like scans
        crowded: list[int] = []  # pages with too many objects to parse (MAX_PAGE_OBJECTS)
        for number in range(1, source.n_pages + 1):
            objs = source.page(number)
            if objs is None:  # too many objects: refused before pdfminer parses it, not after
                crowded.append(number)
                width, height = source.size(number)
                pages.append(layout.page(number, width, height, [], [], PDF_SETTINGS))
                continue
            words = objs.words()
            tables = objs.tables(_drawn_filter(objs))
            if words and _undecodable(objs):  # its rulings, too, wait for OCR
                words, tables = [], []
                undecodable.append(number)
            if not words:
                blank.append(number)
            pages.append(_read_page(objs, words, tables, warnings))
            pictures.add(pages[-1], objs, words)  # tables printed as pictures (images.py)
        meta = source.meta()
    finally:
        pictures.close()
        source.close()
    warnings += pictures.reader.warnings
    meta |= pictures.reader.meta()
    name = p.name
    if crowded:
        what = f"页面对象超过{MAX_PAGE_OBJECTS}个（正常报告页只有几千个），为避免耗尽时间和内存未解析"
        if len(crowded) == len(pages):
            raise ReadError("unsupported", f"无法读取PDF文件 {name}：每一页的{what}")
        warnings.append(f"第{'、'.join(map(str, crowded))}页的{what}，这些页的内容未读取")
        pages_left = [pg for pg in pages if pg.number not in crowded]
    else:
        pages_left = pages
    if len(blank) == len(pages_left):
        if undecodable:
            raise ReadError("needs_ocr", f"{name} 的文字无法解码（字体缺少ToUnicode映射，文字层显示为"
                                         f"(cid:NNN)），需要OCR识别")
        raise ReadError("needs_ocr", f"{name} 是扫描件（没有文字层），需要OCR识别")
    if blank:
        meta["pages_without_text"] = blank  # readers.read OCRs them when the OCR extra is there
        scans = [n for n in blank if n not in undecodable]
        if undecodable:  # "没有文字层" in both: readers.read replaces them once OCR has read the pages
            warnings.append(f"第{'、'.join(map(str, undecodable))}页的文字无法解码（字体缺少ToUnicode映射，"
                            f"显示为(cid:NNN)），按没有文字层处理，这些页的内容未读取")
        if scans:
            warnings.append(f"第{'、'.join(map(str, scans))}页没有文字层（可能是扫描图片），这些页的内容未读取")
    warnings += [w for pg in pages for w in pg.warnings]  # tables the layout could not read
    return Document(path=str(path), format="pdf", blocks=layout.assemble(pages, PDF_SETTINGS),
                    n_pages=len(pages), meta=meta, warnings=warnings, notices=pictures.reader.notices)


class _Source:
    """Where a file's pages come from: pdfium page by page, pdfplumber (opened only when needed)
    for the pages and files pdfium cannot read exactly. Both give PageObjects."""

    def __init__(self, p: Path, engine: str):
        self.path, self.name = p, p.name
        self.plumber = None
        self.warnings: list[str] = []
        # A file cut short goes to pdfplumber, which says so (pdfium would repair it silently).
        self.pdfium = _pdfium(p) if engine == "pdfium" and _complete(p) else None
        if self.pdfium is None:
            self.plumber, self.pdfium, self.warnings = _open(p, self.name)
            try:
                self.plumber_pages = self.plumber.pages
            except Exception as exc:
                self.close()
                raise ReadError("error", f"无法读取PDF文件 {self.name}：页面结构已损坏{_why(exc)}") from exc
            self.n_pages = len(self.plumber_pages)
            self.only_plumber = True
        else:
            self.n_pages = len(self.pdfium)
            self.only_plumber = False
        self.objects = _object_counter(self.pdfium)

    def page(self, number: int) -> Optional[PageObjects]:
        """The page's objects; None if it has more than MAX_PAGE_OBJECTS."""
        if not self.only_plumber:
            try:
                page = self.pdfium[number - 1]
            except Exception:  # noqa: BLE001 - a page pdfium fails on is pdfminer's to read or reject
                page = None
            if page is not None:
                try:
                    objs = pdfium_page(page, number, MAX_PAGE_OBJECTS)
                except TooManyObjects:
                    return None
                except Exception:  # noqa: BLE001 - as above
                    objs = None
                finally:
                    page.close()
                if objs is not None:
                    return objs
        elif self.objects(number) > MAX_PAGE_OBJECTS:
            return None
        page = self._plumber_page(number)
        try:
            page = _upright(self.plumber, page)
            return from_plumber(page, number)
        except Exception as exc:  # pdfminer raises many unrelated types on broken files
            raise ReadError("error", f"无法读取PDF文件 {self.name}：第{number}页已损坏或不完整{_why(exc)}") from exc

    def _plumber_page(self, number: int):
        if self.plumber is None:
            try:
                self.plumber = pdfplumber.open(str(self.path))
                self.plumber_pages = self.plumber.pages
            except Exception as exc:  # pdfium read the file; pdfminer may still choke on it
                raise ReadError("error", f"无法读取PDF文件 {self.name}：第{number}页已损坏或不完整{_why(exc)}") from exc
        return self.plumber_pages[number - 1]

    def size(self, number: int) -> tuple:
        if self.only_plumber:
            page = self.plumber_pages[number - 1]
            return float(page.width), float(page.height)
        width, height = self.pdfium[number - 1].get_size()
        return float(width), float(height)

    def meta(self) -> dict:
        if self.only_plumber:
            return _meta(self.plumber.metadata)
        return _meta({"CreationDate": self.pdfium.get_metadata_value("CreationDate")})

    def close(self) -> None:
        if self.plumber is not None:
            _close(self.plumber)
        if self.pdfium is not None:
            self.pdfium.close()


# A page's objects (text runs, paths, images; inside form XObjects too) bound pdfminer's work on
# it: its time and memory grow with them (issue 14: 200,000 "(x) Tj" in an 11.5 KB file took 92 s
# and 718 MB). A real report page has a few thousand; pdfium counts them in C, ~70x faster and
# with ~6x less memory than pdfminer parsing them (0.17 s, 85 MB for 200,000).
MAX_PAGE_OBJECTS = 50_000


def _open(p: Path, name: str):
    """pdfplumber's PDF, pdfium's (None if pdfium cannot open it) and the reader's warnings.
    A file whose xref points beside its objects (pdfminer then finds pages without content and
    the file passes for a scan) or that pdfminer cannot open is repaired in memory by pdfium,
    which rebuilds the xref, and read from the repaired bytes: the same pages and text."""
    try:
        pdf = pdfplumber.open(str(p))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise _open_error(name, exc) from exc
        pdf = None
    except OSError as exc:
        raise ReadError("error", f"无法读取PDF文件 {name}：{exc.strerror or exc}") from exc
    if pdf is not None and _xref_ok(pdf, p):
        return pdf, _pdfium(p), []
    if pdf is not None:
        _close(pdf)
    doc = _pdfium(p)
    if doc is None:
        raise ReadError("error", f"无法读取PDF文件 {name}：PDF文件结构已损坏或不完整（交叉引用表无效），无法修复")
    try:
        buf = BytesIO()
        doc.save(buf)
        pdf = pdfplumber.open(BytesIO(buf.getvalue()))
    except Exception as exc:  # pdfium's output unreadable by pdfminer, or pdfium refuses to write
        raise ReadError("error", f"无法读取PDF文件 {name}：PDF文件结构已损坏或不完整，修复失败{_why(exc)}") from exc
    # A rebuilt xref loses nothing; a file cut short may have lost its last pages or objects.
    return pdf, doc, [] if _complete(p) else [
        f"{name} 不完整（文件末尾缺少%%EOF结束标记），已修复文件结构后读取，文件末尾的内容可能已丢失"]


def _complete(p: Path) -> bool:
    """Does the file end with its %%EOF marker (a few bytes of padding after it are common)?"""
    with open(p, "rb") as fh:
        fh.seek(max(0, p.stat().st_size - 1024))
        return b"%%EOF" in fh.read()


def _pdfium(p: Path):
    try:
        return pdfium.PdfDocument(str(p))
    except Exception:  # PdfiumError: damaged beyond repair (or a password pdfminer did not see)
        return None


def _xref_ok(pdf, p: Path) -> bool:
    """Does every object the xref places directly in the file start where it says ("N G obj")?
    Objects inside object streams are checked by pdfminer when it reads them."""
    want = re.compile(rb"\s*(\d+)\s+\d+\s+obj")
    try:
        with open(p, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for xref in pdf.doc.xrefs:
                for objid in xref.get_objids():
                    strmid, pos, _ = xref.get_pos(objid)
                    if strmid is not None:
                        continue
                    m = want.match(data, pos, pos + 64)
                    if m is None or int(m[1]) != objid:
                        return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _object_counter(doc):
    """Page number → its objects, counted inside form XObjects too (WPS puts whole pages in one
    form); stops counting past MAX_PAGE_OBJECTS. 0 when pdfium cannot read the page."""
    def count(number: int) -> int:
        if doc is None or number > len(doc):
            return 0
        try:
            page = doc[number - 1]
        except Exception:
            return 0
        try:
            return _count(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject)
        finally:
            page.close()
    return count


def _count(handle, count_of, object_at, depth: int = 0) -> int:
    n = count_of(handle)
    if n > MAX_PAGE_OBJECTS or depth > 8:
        return n
    for i in range(n):
        obj = object_at(handle, i)
        if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM:
            n += _count(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, depth + 1)
            if n > MAX_PAGE_OBJECTS:
                break
    return n


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


def _read_page(objs: PageObjects, words: list, tables: list, warnings: list[str]) -> Page:
    number = objs.number
    cid = sum(w["text"].count("(cid:") for w in words)
    if cid:
        warnings.append(f"第{number}页有{cid}个字符无法解码为文字（显示为(cid:NNN)），该页文本不完整")
    grids = []
    for t in tables:
        grid = _grid(t)
        if grid is not None:  # a one-column "table" is a ruled box around text, not a table
            grids.append(grid)
    return layout.page(number, objs.width, objs.height, [_word(w) for w in words], grids,
                       PDF_SETTINGS)


def _undecodable(page: PageObjects) -> bool:
    """Is most of the page's text (cid:NNN), a font without a ToUnicode map? Such a page says
    nothing readable; OCR reads it like a scan."""
    chars = page.chars
    cid = sum(1 for ch in chars if ch["text"].startswith("(cid:"))
    return 2 * cid > len(chars)


def _upright(pdf, page):
    """The page turned so that its text runs left to right. pdfminer applies /Rotate, so a page
    whose upright text carries /Rotate 90 (shown sideways) comes out with every character
    turned; then the page is read again with the /Rotate that cancels the characters' turn (the
    direction most of them run; a few turned labels in a table do not count)."""
    turns: dict[int, int] = {}
    for ch in page.chars:
        a, b = ch["matrix"][:2]
        quarter = 0 if abs(a) >= abs(b) and a > 0 else 180 if abs(a) >= abs(b) else 90 if b > 0 else 270
        turns[quarter] = turns.get(quarter, 0) + 1
    quarter = max(turns, key=lambda q: (turns[q], q == 0), default=0)
    if quarter == 0 or 2 * turns[quarter] <= sum(turns.values()):
        return page
    obj = page.page_obj
    obj.rotate = obj.attrs["Rotate"] = (page.rotation + quarter) % 360
    return pdfplumber.page.Page(pdf, obj, page_number=page.page_number, initial_doctop=page.initial_doctop)


def _word(w: dict) -> Word:
    """A pdfplumber word, Kangxi radicals normalised; its characters made only if the layout
    stage splits the word at a ruling (few words need it, and they are many objects)."""
    size, font = float(w["size"]), _font_name(w["chars"][0]["fontname"])

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
    verticals: dict = {}  # int(x) → [(x, top, bottom)]: a ruling is looked up near x, not scanned for
    painted = {id(o): _paints(o) for o in page.rects}

    def add(x, top, bottom):
        verticals.setdefault(int(x), []).append((x, top, bottom))

    for o in page.lines:
        if abs(o["x0"] - o["x1"]) <= 1:
            add(o["x0"], o["top"], o["bottom"])
    for o in page.rects:
        if painted[id(o)]:
            add(o["x0"], o["top"], o["bottom"])
            add(o["x1"], o["top"], o["bottom"])

    def ruled(x, top, bottom):
        near = (v for k in range(int(x) - 4, int(x) + 5) for v in verticals.get(k, ()))
        covered = sum(max(0.0, min(b, bottom) - max(t, top)) for vx, t, b in near if abs(vx - x) <= 3)
        return covered >= 0.9 * (bottom - top)

    frame = page_frame(page)

    def keep(o):
        if frame and object_key(o) in frame:
            return False
        if o["object_type"] != "rect" or (painted[id(o)] if id(o) in painted else _paints(o)):
            return True
        return ruled(o["x0"], o["top"], o["bottom"]) and ruled(o["x1"], o["top"], o["bottom"])

    return keep


def object_key(o) -> tuple:
    """A drawn object's identity by kind and position, the same in page.lines and page.filter."""
    return (o["object_type"], o["x0"], o["top"], o["x1"], o["bottom"])


_FRAME_SNAP = 4.0  # pdfplumber welds rulings closer than its 3-point snap/join tolerance


def page_frame(page) -> set:
    """The drawn objects of a page frame (Word's page border w:pgBorders, a WPS frame): a closed
    rectangle over most of the page with something ruled just inside one of its sides. A table
    ruled to the text margin would otherwise be welded to the frame, and the whole page read as
    one table. A frame with nothing near it is left alone (it is a one-cell table, ignored). Outer
    rectangle first, so a double border loses both lines when a table runs along the inner one."""
    width, height = float(page.width), float(page.height)
    segs = []  # (orientation, position, start, end, key)
    for o in list(page.lines) + list(page.rects):
        x0, x1, top, bottom, key = o["x0"], o["x1"], o["top"], o["bottom"], object_key(o)
        if x1 - x0 <= 2 < bottom - top:
            segs.append(("v", (x0 + x1) / 2, top, bottom, key))
        elif bottom - top <= 2 < x1 - x0:
            segs.append(("h", (top + bottom) / 2, x0, x1, key))
        elif o["object_type"] == "rect" and o.get("stroke") and x1 - x0 >= width / 2:
            segs += [("h", top, x0, x1, key), ("h", bottom, x0, x1, key),
                     ("v", x0, top, bottom, key), ("v", x1, top, bottom, key)]
    frame: set = set()
    for _ in range(3):
        rest = [s for s in segs if s[4] not in frame]
        hs = [s for s in rest if s[0] == "h" and s[3] - s[2] >= width / 2]
        vs = [s for s in rest if s[0] == "v" and s[3] - s[2] >= height / 2]
        if len(hs) < 2 or len(vs) < 2:
            break
        top, bottom = min(hs, key=lambda s: s[1]), max(hs, key=lambda s: s[1])
        left, right = min(vs, key=lambda s: s[1]), max(vs, key=lambda s: s[1])
        corners = ((top[2], left[1]), (top[3], right[1]), (bottom[2], left[1]), (bottom[3], right[1]),
                   (left[2], top[1]), (left[3], bottom[1]), (right[2], top[1]), (right[3], bottom[1]))
        if any(abs(a - b) > _FRAME_SNAP for a, b in corners):
            break
        sides = (top, bottom, left, right)
        keys = {s[4] for s in sides}

        def along(side, inward: int) -> bool:
            return any(s[0] == side[0] and s[4] not in keys and 0 < (s[1] - side[1]) * inward <= _FRAME_SNAP
                       and s[2] >= side[2] - _FRAME_SNAP and s[3] <= side[3] + _FRAME_SNAP for s in rest)

        if not (along(top, 1) or along(bottom, -1) or along(left, 1) or along(right, -1)):
            break
        frame |= keys
    return frame


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
