"""What a text PDF page prints, as objects: characters, ruling lines, rectangles, curves and
pictures, in page points with the origin at the top left (pdfplumber's shape: dicts with x0, top,
x1, bottom, …). Two sources give them, and pdf.py does not know which one read a page:

- pdfium (the default): PDFium, C++, through pypdfium2's raw API. Characters from its text page,
  paths and pictures from the page's objects (inside form XObjects too). About 5× faster than
  pdfminer's interpreter, which is most of pdfplumber's time.
- pdfplumber (`--pdf-engine pdfplumber`): the reference, and the fallback for what the fast source
  does not reproduce exactly: pages with /Rotate or an offset MediaBox/CropBox, characters that
  are turned or mirrored, Type3 fonts (pdfium gives them no name), fonts without a ToUnicode map
  (pdfminer's "(cid:NNN)" is what the reader's messages count). `pdfium_page` returns None for
  such a page, and pdf.py reads it with pdfplumber.

Both give a character the same box: its advance across, the ideographic em box up and down
(EM_ASCENT). Paths are split at each move-to and each piece classified as a line, a rectangle or
a curve by pdfminer's rules, since table finding, page frames and invisible rectangles are told
apart by those kinds. Words and tables are then made by pdfplumber's algorithms (`words`,
`find_tables`: the same results, faster), whichever source read the page.
tests/test_pdf_engines.py reads every PDF of the corpora both ways and compares the Documents.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from itertools import chain, groupby
from operator import itemgetter
from typing import Callable, Optional

import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table, TableSettings, cells_to_tables, edges_to_intersections, merge_edges
from pdfplumber.utils import curve_to_edges, filter_edges, line_to_edge, rect_to_edges
from pdfplumber.utils.text import WordExtractor

ENGINES = ("pdfium", "pdfplumber")
DEFAULT_ENGINE = "pdfium"

# pdfplumber's extract_words() as the reader calls it; the same on both sources' characters.
# Words split where the font changes: "font" is the font's identity (pdfplumber: its name; pdfium:
# the font object, since pdfium drops some subset tags that tell two subsets apart).
_WORDS = WordExtractor(keep_blank_chars=False, use_text_flow=False, extra_attrs=["font", "size"])
_TABLES = TableSettings.resolve(None)


@dataclass
class PageObjects:
    """One page's printed objects, whichever source read them."""
    number: int
    width: float
    height: float
    chars: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    rects: list = field(default_factory=list)
    curves: list = field(default_factory=list)
    images: list = field(default_factory=list)
    rotation: int = 0  # the /Rotate the objects were read with (pictures are rendered alike)

    def words(self) -> list[dict]:
        """pdfplumber's words (x_tolerance 3, y_tolerance 3, split at blanks, at a change of font
        or size), each with its characters."""
        return words(self.chars)

    def tables(self, keep: Callable[[dict], bool]) -> list:
        """pdfplumber's tables (ruling lines strategy) from the drawn objects `keep` accepts."""
        edges = list(chain(
            (line_to_edge(o) for o in self.lines if keep(o)),
            chain.from_iterable(rect_to_edges(o) for o in self.rects if keep(o)),
            chain.from_iterable(curve_to_edges(o) for o in self.curves if keep(o))))
        return find_tables(edges, (0, 0, self.width, self.height))


def find_tables(edges: list, bbox: tuple) -> list:
    """pdfplumber's TableFinder with its default settings on these edges, the same tables in the
    same order; only the search for cells is indexed (pdfplumber scans every later point for each
    intersection, and rebuilds each intersection's edge sets at every comparison)."""
    s = _TABLES
    page = _Edges(edges, bbox)
    found = merge_edges(filter_edges(edges, "v", min_length=s.edge_min_length_prefilter)
                        + filter_edges(edges, "h", min_length=s.edge_min_length_prefilter),
                        snap_x_tolerance=s.snap_x_tolerance, snap_y_tolerance=s.snap_y_tolerance,
                        join_x_tolerance=s.join_x_tolerance, join_y_tolerance=s.join_y_tolerance)
    found = filter_edges(found, min_length=s.edge_min_length)
    points = edges_to_intersections(found, s.intersection_x_tolerance, s.intersection_y_tolerance)
    return [Table(page, group) for group in cells_to_tables(_cells(points))]


def _cells(intersections: dict) -> list:
    """pdfplumber.table.intersections_to_cells, indexed: for each point (in sorted order) the
    first cell it opens, trying the points below it nearest first, then those to its right."""
    def bboxes(edges):
        return frozenset((e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges)

    vs = {pt: bboxes(v["v"]) for pt, v in intersections.items()}
    hs = {pt: bboxes(v["h"]) for pt, v in intersections.items()}

    def connects(p1, p2) -> bool:
        return bool((p1[0] == p2[0] and not vs[p1].isdisjoint(vs[p2]))
                    or (p1[1] == p2[1] and not hs[p1].isdisjoint(hs[p2])))

    points = sorted(intersections)
    by_x: dict = {}
    by_y: dict = {}
    for pt in points:  # sorted by x then y: each list is in the order pdfplumber scans it
        by_x.setdefault(pt[0], []).append(pt)
        by_y.setdefault(pt[1], []).append(pt)
    cells = []
    for pt in points:
        column, row = by_x[pt[0]], by_y[pt[1]]
        below = column[column.index(pt) + 1:]
        right = row[row.index(pt) + 1:]
        cell = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    cell = (pt[0], pt[1], corner[0], corner[1])
                    break
            if cell:
                break
        if cell:
            cells.append(cell)
    return cells


def words(chars: list) -> list[dict]:
    """pdfplumber's WordExtractor as _WORDS is set up, the same words in the same order, written
    out for upright characters (every pdfium character; nearly every pdfplumber one): it costs a
    third of the general one's time. Turned characters go through pdfplumber's."""
    out: list[dict] = []
    for (upright, _, _), group in groupby(chars, _GROUP):
        group = list(group)
        if not upright:
            out += [{**w, "chars": c} for w, c in _WORDS.iter_extract_tuples(group)]
            continue
        # lines: characters whose tops chain within y_tolerance, in order of their tops
        tops = sorted(set(c["top"] for c in group))
        line_of, line, last = {}, 0, tops[0]
        for t in tops:
            if t > last + _WORDS.y_tolerance:
                line += 1
            line_of[t] = line
            last = t
        lines: dict = {}
        for c in group:
            lines.setdefault(line_of[c["top"]], []).append(c)
        for k in sorted(lines):
            word: list = []
            for c in sorted(lines[k], key=_X0):
                if c["text"].isspace():
                    if word:
                        out.append(_merge(word))
                    word = []
                    continue
                if word:
                    prev = word[-1]
                    if c["x0"] < prev["x0"] or c["x0"] > prev["x1"] + _WORDS.x_tolerance \
                            or abs(c["top"] - prev["top"]) > _WORDS.y_tolerance:
                        out.append(_merge(word))
                        word = []
                word.append(c)
            if word:
                out.append(_merge(word))
    return out


_GROUP = itemgetter("upright", "font", "size")
_X0 = itemgetter("x0")


def _merge(chars: list) -> dict:
    first = chars[0]
    x0, top, x1, bottom = first["x0"], first["top"], first["x1"], first["bottom"]
    for c in chars:
        if c["x0"] < x0:
            x0 = c["x0"]
        if c["top"] < top:
            top = c["top"]
        if c["x1"] > x1:
            x1 = c["x1"]
        if c["bottom"] > bottom:
            bottom = c["bottom"]
    expand = _WORDS.expansions
    text = "".join(expand.get(c["text"], c["text"]) for c in chars) if len(chars) > 1 \
        else expand.get(first["text"], first["text"])
    return {"text": text, "x0": x0, "x1": x1,
            "top": top, "doctop": top + first["doctop"] - first["top"], "bottom": bottom,
            "upright": True, "height": bottom - top, "width": x1 - x0, "direction": "ltr",
            "font": first["font"], "size": first["size"], "chars": chars}


class _Edges:
    """What pdfplumber's Table (and TableFinder with the "lines" strategy) asks of a page."""

    def __init__(self, edges: list, bbox: tuple):
        self.edges = edges
        self.bbox = bbox


def from_plumber(page, number: int) -> PageObjects:
    """A pdfplumber page's objects (parsed by pdfminer on first access)."""
    return PageObjects(number, float(page.width), float(page.height), [em_box(ch) for ch in page.chars],
                       page.lines, page.rects, page.curves, page.images, int(page.rotation or 0) % 360)


# ---- the pdfium source ------------------------------------------------------------------


def pdfium_page(page, number: int, limit: int) -> Optional[PageObjects]:
    """A pypdfium2 PdfPage as objects; None when only pdfplumber reads the page exactly (see the
    module's doc). Raises TooManyObjects past `limit` page objects (form XObjects' included),
    before reading any character."""
    if page.get_rotation() % 360:
        return None
    box = page.get_mediabox()
    if box[0] or box[1] or tuple(page.get_cropbox()) != tuple(box):
        return None
    width, height = float(box[2]), float(box[3])
    out = PageObjects(number, width, height)
    walk(page, height, out, limit)
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage.raw, height)
    finally:
        textpage.close()
    if chars is None:
        return None
    out.chars = chars
    return out


_FONT_BUF = ctypes.create_string_buffer(512)

# A character's box, for both sources: its advance across, and the ideographic em box up and down
# (0.88 of the size above the baseline, 0.12 below), its size to a thousandth of a point.
# pdfminer takes the descent from the font descriptor, which Chromium and Cairo write as 0 and
# pdfium replaces with the font program's, so the same character sat up to a fifth of its size
# apart in the two; the em box is neither.
EM_ASCENT = 0.88


def em_box(ch: dict) -> dict:
    """A pdfplumber character with the em box, in the shape pdfium's characters have (upright
    characters; turned ones keep pdfminer's box and every key)."""
    a, b, c, d, e, f = ch["matrix"]
    # turned, or written vertically (pdfminer then centres the box on the origin: x0 != e)
    if b or c or not ch.get("upright") or abs(ch["x0"] - e) > 1e-6:
        return {**ch, "font": ch["fontname"]}
    size = round(ch["size"], 3)
    baseline = ch["bottom"] + ch["y0"] - f  # pdfminer's box bottom sits the descent below f
    top = baseline - EM_ASCENT * size
    return {"text": ch["text"], "x0": ch["x0"], "x1": ch["x1"], "top": top, "bottom": top + size,
            "doctop": top, "upright": True, "fontname": ch["fontname"], "font": ch["fontname"],
            "size": size}


def _native(name: str, restype, *argtypes):
    """pdfium's function `name` taking and returning plain addresses and numbers: pypdfium2's
    typed pointers cost more per call than the call itself, and a page has thousands of chars."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


def _bare(name: str, restype=ctypes.c_int):
    """pdfium's function `name` without argument conversion and without releasing the GIL: a
    quarter of a typed call's cost, for the calls made per character and per path segment. Its
    pointer arguments must be ctypes.c_void_p objects (a bare int would pass as a C int)."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return ctypes.PYFUNCTYPE(restype)(address)


_P, _I = ctypes.c_void_p, ctypes.c_int
_count_chars = _native("FPDFText_CountChars", _I, _P)
_get_text = _native("FPDFText_GetText", _I, _P, _I, _I, _P)
_is_generated = _bare("FPDFText_IsGenerated")
_map_error = _bare("FPDFText_HasUnicodeMapError")
_text_object = _bare("FPDFText_GetTextObject", _P)
_loose_box = _bare("FPDFText_GetLooseCharBox")
_char_matrix = _native("FPDFText_GetMatrix", _I, _P, _I, _P)
_font_size = _native("FPDFText_GetFontSize", ctypes.c_double, _P, _I)
_unicode = _native("FPDFText_GetUnicode", ctypes.c_uint, _P, _I)
_char_origin = _bare("FPDFText_GetCharOrigin")
_text_font = _native("FPDFTextObj_GetFont", _P, _P)
_glyph_width = _native("FPDFFont_GetGlyphWidth", _I, _P, ctypes.c_uint32, ctypes.c_float, _P)


def _chars(tp, height: float) -> Optional[list]:
    """The page's characters in content order; None if one is turned or mirrored, or its font
    has no name (Type3) or no Unicode map (see the module's doc)."""
    tp = ctypes.cast(tp, ctypes.c_void_p).value
    n = _count_chars(tp)
    if n <= 0:
        return []
    buf = (ctypes.c_uint16 * (n + 1))()
    _get_text(tp, 0, n, ctypes.addressof(buf))
    text = bytes(buf)[:2 * n].decode("utf-16-le", "replace")
    if len(text) != n:  # characters outside the BMP: one index each, two UTF-16 units
        text = "".join(chr(_unicode(tp, i)) for i in range(n))
    rect, m, width = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX(), ctypes.c_float()
    m_at, width_at = ctypes.addressof(m), ctypes.addressof(width)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    # for the bare calls: pointers as c_void_p objects, made once
    page_p, rect_p = ctypes.c_void_p(tp), ctypes.c_void_p(ctypes.addressof(rect))
    ox_p, oy_p = ctypes.c_void_p(ctypes.addressof(ox)), ctypes.c_void_p(ctypes.addressof(oy))
    objects: dict = {}  # text object → (font name, size, font identity, top, vertical)
    names: dict = {}  # font → name
    out = []
    for i, ch in enumerate(text):
        if ch in " \r\n\x02" and _is_generated(page_p, i) == 1:  # pdfium's own spaces and breaks
            continue
        if _map_error(page_p, i) == 1:
            return None
        obj = _text_object(page_p, i)
        got = objects.get(obj)
        if got is None:
            # One text object: one font, size and matrix; its characters share the baseline.
            _char_matrix(tp, i, m_at)
            if m.b or m.c or m.a <= 0 or m.d <= 0:
                return None
            font = _text_font(obj)
            name = names.get(font)
            if name is None:
                name = names[font] = _font_name(font)
            font_size = _font_size(tp, i)
            if not name or not _glyph_width(font, ord(ch), font_size, width_at):
                return None
            size = round(font_size * m.d, 3)  # pdfium's matrix is float32: 15.9500002 for 15.95
            got = objects[obj] = (name, size, font, height - m.f - EM_ASCENT * size, width.value < 0)
        name, size, font, top, vertical = got
        if vertical:
            # Written downwards (a vertical CMap; its advance is negative): pdfminer's box is the
            # em square centred under the origin, and pdfium's origin is that square's lower left.
            _char_origin(page_p, i, ox_p, oy_p)
            x0, x1, top = ox.value, ox.value + size, height - oy.value - size
        else:
            _loose_box(page_p, i, rect_p)
            x0, x1 = rect.left, rect.right
        # what words are made of (pdfplumber's WordExtractor) and pdf.py reads
        out.append({"text": ch, "x0": x0, "x1": x1, "top": top, "bottom": top + size, "doctop": top,
                    "upright": True, "fontname": name, "font": font, "size": size})
    return out


_base_font_name = _native("FPDFFont_GetBaseFontName", ctypes.c_ulong, _P, _P, ctypes.c_ulong)


def _font_name(font) -> str:
    if not font:
        return ""
    n = _base_font_name(font, ctypes.addressof(_FONT_BUF), len(_FONT_BUF))
    return _FONT_BUF.raw[:max(0, n - 1)].decode("utf-8", "replace") if n else ""


_Matrix = tuple  # (a, b, c, d, e, f), PDF's order


def _mult(m: _Matrix, n: Optional[_Matrix]) -> _Matrix:
    """m then n (m maps into the space n maps from)."""
    if n is None:
        return m
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


_count_page = _native("FPDFPage_CountObjects", _I, _P)
_page_object = _native("FPDFPage_GetObject", _P, _P, _I)
_count_form = _native("FPDFFormObj_CountObjects", _I, _P)
_form_object = _native("FPDFFormObj_GetObject", _P, _P, ctypes.c_ulong)
_object_type = _bare("FPDFPageObj_GetType")
_get_matrix = _bare("FPDFPageObj_GetMatrix")
_draw_mode = _bare("FPDFPath_GetDrawMode")
_fill_color = _bare("FPDFPageObj_GetFillColor")
_count_segments = _bare("FPDFPath_CountSegments")
_segment = _bare("FPDFPath_GetPathSegment", _P)
_segment_point = _bare("FPDFPathSegment_GetPoint")
_segment_type = _bare("FPDFPathSegment_GetType")
_segment_close = _bare("FPDFPathSegment_GetClose")
_PATH, _IMAGE, _FORM = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM
_MOVETO, _BEZIERTO = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO


class TooManyObjects(Exception):
    """A page with more objects than the reader's limit (pdf.MAX_PAGE_OBJECTS)."""


class _Scratch:
    """ctypes out-parameters reused across calls, and their addresses for the bare calls."""

    def __init__(self):
        self.m = pdfium_c.FS_MATRIX()
        self.m_p = ctypes.c_void_p(ctypes.addressof(self.m))
        self.ints = (ctypes.c_uint * 4)()
        self.i_p = [ctypes.c_void_p(ctypes.addressof(self.ints) + k * ctypes.sizeof(ctypes.c_uint))
                    for k in range(4)]
        self.xy = (ctypes.c_float * 2)()
        self.x_p = ctypes.c_void_p(ctypes.addressof(self.xy))
        self.y_p = ctypes.c_void_p(ctypes.addressof(self.xy) + ctypes.sizeof(ctypes.c_float))

    def matrix(self, obj) -> _Matrix:
        _get_matrix(obj, self.m_p)
        m = self.m
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def color(self, obj, getter) -> Optional[tuple]:
        if not getter(obj, *self.i_p):
            return None
        r, g, b, _ = self.ints
        return (r / 255, g / 255, b / 255)


def walk(page, height: float, out: PageObjects, limit: int) -> None:
    """Paths and pictures of a pypdfium2 page into `out`, inside form XObjects too; raises
    TooManyObjects past `limit` objects."""
    handle = ctypes.cast(page.raw, ctypes.c_void_p).value
    _walk(handle, _count_page, _page_object, None, height, out, _Scratch(), [limit], 0)


def _walk(handle, count_of, object_at, outer: Optional[_Matrix], height: float, out: PageObjects,
          scratch: _Scratch, budget: list, depth: int) -> None:
    n = count_of(handle)
    budget[0] -= n
    if budget[0] < 0:
        raise TooManyObjects
    for i in range(n):
        obj = ctypes.c_void_p(object_at(handle, i))  # for the bare calls
        kind = _object_type(obj)
        if kind == _PATH:
            _path(obj, _mult(scratch.matrix(obj), outer), height, out, scratch)
        elif kind == _IMAGE:
            _image(_mult(scratch.matrix(obj), outer), height, out)
        elif kind == _FORM and depth < 8:
            _walk(obj, _count_form, _form_object, _mult(scratch.matrix(obj), outer), height, out,
                  scratch, budget, depth + 1)


def _image(m: _Matrix, height: float, out: PageObjects) -> None:
    a, b, c, d, e, f = m
    xs = (e, a + e, c + e, a + c + e)
    ys = (f, b + f, d + f, b + d + f)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    out.images.append({"object_type": "image", "x0": x0, "x1": x1, "top": height - y1,
                       "bottom": height - y0, "width": x1 - x0, "height": y1 - y0})


def _path(obj, m: _Matrix, height: float, out: PageObjects, scratch: _Scratch) -> None:
    """A path object → pdfminer's lines, rectangles and curves (converter.paint_path's rules)."""
    _draw_mode(obj, scratch.i_p[0], scratch.i_p[1])
    fill_mode, stroke = scratch.ints[0], scratch.ints[1]
    if not stroke and not fill_mode:  # pdfminer paints no path ended by "n"
        return
    # what pdf.py asks of a drawing (is it painted, and in what fill colour)
    paint = {"stroke": bool(stroke), "fill": fill_mode != 0,
             "non_stroking_color": scratch.color(obj, _fill_color) if fill_mode else None}
    a, b, c, d, e, f = m
    xy, x_p, y_p = scratch.xy, scratch.x_p, scratch.y_p
    ops: list = []  # (shape letter, point) per operator, as pdfminer sees the path
    pending_curve = 0
    for i in range(_count_segments(obj)):
        seg = ctypes.c_void_p(_segment(obj, i))
        _segment_point(seg, x_p, y_p)
        kind = _segment_type(seg)
        x, y = xy[0], xy[1]
        pt = (a * x + c * y + e, b * x + d * y + f)
        if kind == _MOVETO:
            ops.append(("m", pt))
        elif kind == _BEZIERTO:
            pending_curve += 1  # pdfium keeps a curve's three points; pdfminer its end point
            if pending_curve == 3:
                ops.append(("c", pt))
                pending_curve = 0
        else:
            ops.append(("l", pt))
        if _segment_close(seg):
            ops.append(("h", None))
    start = 0
    for j in range(1, len(ops) + 1):  # pdfminer paints each subpath (from an "m") on its own
        if j == len(ops) or ops[j][0] == "m":
            _subpath(ops[start:j], paint, height, out)
            start = j


def _subpath(ops: list, paint: dict, height: float, out: PageObjects) -> None:
    if not ops or ops[0][0] != "m":
        return
    shape = "".join(o[0] for o in ops)
    pts = [o[1] if o[0] != "h" else ops[0][1] for o in ops]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    kind = "curve"
    if shape in ("mlh", "ml"):
        kind = "line"
        pts = pts[:2]
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                 or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
            kind = "rect"
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    obj = {"object_type": kind, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": height - y1,
           "bottom": height - y0, "doctop": height - y1, "width": x1 - x0, "height": y1 - y0, **paint}
    if kind == "rect":
        out.rects.append(obj)
        return
    obj["pts"] = [(px, height - py) for px, py in pts]
    (out.lines if kind == "line" else out.curves).append(obj)

