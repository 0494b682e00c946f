"""Tables printed as images: a saved web page whose tables are <img>, a DOCX whose tables are
pasted pictures, a text PDF whose tables are embedded images.

The readers find the pictures and hand them here as `Picture`s, in document order: html.py
follows <img src> into the page's own folder (`html_picture`), docx.py the r:embed relationships
of drawings (`docx_pictures`), pdf.py the images of a page that has a text layer (`PdfPictures`:
only the image regions are rendered, with pdfium, and OCR'd; the text layer reads the rest, and the
tables' lines and pieces join the page's own in reading order). A picture is read with the OCR
reader's page reader (`ocr.read_image`: cells from the ruling lines, text boxes placed into the
cells, a confidence per cell) at the resolution its geometry is tuned for (ocr.DPI): the picture's
printed size (the <img> width, the drawing's extent, its place on the PDF page) gives its
resolution, and it is scaled to ocr.DPI when that differs by more than _DPI_TOLERANCE. The layout
stage makes its tables; a table cut into two pictures (the next picture with nothing printed
between them) is joined as across a page break.

Cheap tests come first, so a page full of logos and photos costs nothing: a picture that is small
(icons, logos, bullets) is skipped from its header alone, and one without the straight ruling lines
of a table is skipped after one look at its pixels. A picture that looks like a table but yields
no table, and every table picture when the OCR extra is missing, leaves a Chinese warning naming
the picture (and page), and the picture's name in Document.meta["unread_images"]: the report must
not pass as complete.
"""
from __future__ import annotations

import base64
import binascii
import io
import os
import re
import time
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Union

from ..document import Block
from . import layout
from .layout import OCR_SETTINGS, Line, Page, Piece, RawCell

# A picture smaller than this is an icon, a logo or a bullet, never a table.
MIN_WIDTH_PX, MIN_HEIGHT_PX = 150, 40
MIN_WIDTH_PT = 100.0  # … and one printed narrower than this (points)
MAX_BYTES = 30 * 2**20  # a picture file larger than this is not read
MAX_PIXELS = 40_000_000  # decompression bombs
MAX_PICTURES = 12  # table pictures OCR reads per document: a report prints three tables,
#                    each cut into a few pictures at most; more would run past the time limit
_DPI_TOLERANCE = 0.12  # a picture within this share of ocr.DPI is read as it is
_MAX_UPSCALE = 3.0
# "Looks like a table": thin dark lines across a good part of the picture.
_INK_CONTRAST = 60  # grey levels below the paper that count as ink
_H_RULE = 0.4  # a row with an unbroken run of ink this share of the print's width is a ruling
_V_RULE = 0.25  # a column with one this share of the print's height is a ruling
_MIN_RULE_PX = 30  # … and at least this long
_MAX_RULE_PX = 8  # a ruling is at most this thick (thicker: a filled band, a photo)
_MIN_H_RULES, _MIN_V_RULES = 3, 2
_EMU_PER_PT = 12700
_CSS_PX_PT = 0.75  # 1 CSS px = 0.75 pt (96 px to the inch)
_STACK_GAP = 30.0  # points between two pictures of one table pasted one below the other
_WORDS_OVER_IMAGE = 5  # a PDF image under this many text-layer words is already text (OCR'd PDF)

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_V = "{urn:schemas-microsoft-com:vml}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CSS_WIDTH = re.compile(r"(?:^|;)\s*width\s*:\s*([\d.]+)\s*(px|pt)?\s*(?:;|$)", re.I)
_CSS_HEIGHT = re.compile(r"(?:^|;)\s*height\s*:\s*([\d.]+)\s*(px|pt)?\s*(?:;|$)", re.I)


@dataclass
class Picture:
    """One picture as the document prints it. `data` is its file's bytes (or a function that
    reads them, so a picture skipped by its size is never read whole)."""

    name: str  # for messages: the file name as the document refers to it
    data: Union[bytes, Callable[[], bytes], None] = None
    width_pt: Optional[float] = None  # printed size, where the document says it
    height_pt: Optional[float] = None
    page: Optional[int] = None  # PDF: page and top-left corner on it, in points
    origin: Optional[tuple] = None
    image: object = None  # or the decoded picture (a PIL image) itself

    def load(self):
        """The decoded picture (PIL, RGB), or None if it cannot be decoded."""
        if self.image is not None:
            return self.image
        from PIL import Image

        data = self.data() if callable(self.data) else self.data
        if not data:
            return None
        try:
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                return None
            img.load()
        except Exception:  # noqa: BLE001 - Pillow raises many types on broken files
            return None
        return img


@dataclass
class _Read:
    """What OCR made of a picture: its page of lines and table pieces (in points from the
    top-left corner of the picture turned upright), what it cost, and how it was turned."""

    page: Optional[Page] = None
    seconds: float = 0.0
    turns: int = 0  # quarter turns counter-clockwise (np.rot90) that made it upright
    size: tuple = (0.0, 0.0)  # printed width and height in points, as it lies


@dataclass
class Pictures:
    """Reads one document's pictures; collects the warnings and the pictures not read."""

    document: str  # the document's file name, for messages
    problems: list = field(default_factory=list)  # a message per table picture not read
    unread: list = field(default_factory=list)  # names of table pictures not read
    read_tables: list = field(default_factory=list)  # names of pictures read as tables
    timings: list = field(default_factory=list)  # (name, seconds) per picture OCR'd
    _ocr_checked: Optional[bool] = None

    # ---- for readers without pages (HTML, DOCX) ----

    def into_blocks(self, items: list) -> list[Block]:
        """Blocks and Pictures in document order → blocks: each run of pictures with nothing
        between them read together (a table may go on from one picture to the next)."""
        out: list[Block] = []
        run: list[Picture] = []
        for item in items + [None]:
            if isinstance(item, Picture):
                run.append(item)
                continue
            if run:
                out.extend(self._run_blocks(run))
                run = []
            if item is not None:
                out.append(item)
        return out

    def _run_blocks(self, run: list[Picture]) -> list[Block]:
        pages = []
        for number, pic in enumerate(run, 1):  # one page each: a picture not read breaks a join
            got = self._read(pic, number)
            if got is not None:
                pages.append((pic, got.page))
        if not pages:
            return []
        blocks = layout.assemble([pg for _, pg in pages], OCR_SETTINGS)
        names = {pg.number: pic.name for pic, pg in pages}
        for b in blocks:
            # Pages and points mean nothing in a format without pages: the picture's name says
            # where the block came from.
            b.hints["image"] = names.get(b.page, "")
            b.page, b.bbox = None, None
            if b.table is not None:
                b.table.page, b.table.bbox = None, None
                for c in b.table.cells:
                    c.page, c.bbox = None, None
        return blocks

    # ---- for the PDF reader ----

    def add_to_page(self, target: Page, pics: list[Picture]) -> None:
        """OCR the table pictures of a PDF page and put their lines and table pieces among the
        page's own (its text layer), in reading order."""
        mine: set = set()
        for pic in pics:
            got = self._read(pic, target.number)
            if got is None:
                continue
            for it in got.page.items:
                moved = _to_page(it, pic.origin or (0.0, 0.0), got)
                mine.add(id(moved))
                target.items.append(moved)
        target.items.sort(key=lambda it: it.top)
        target.items = _join_stacked(target.items, mine)

    # ---- one picture ----

    def _read(self, pic: Picture, number: int) -> Optional[_Read]:
        where = f"第{pic.page}页的" if pic.page is not None else ""
        img = _sized(pic)
        if img is None:
            return None
        if not looks_like_table(img):
            return None
        if len(self.read_tables) + len(self.unread) >= MAX_PICTURES:
            self._unread(pic, f"{self.document} 中{where}图片 {pic.name} 像是表格，但文档中的表格图片过多"
                              f"（超过{MAX_PICTURES}张），未识别")
            return None
        if not self._ocr():
            self._unread(pic, f"{self.document} 中{where}图片 {pic.name} 像是表格，但未安装OCR组件，"
                              "未能识别其中的数据；请安装后重试：pip install 'xxgk[ocr]'")
            return None
        try:
            got = _ocr_picture(img, pic, number)
        except MemoryError:
            raise  # the batch reports 内存不足 for the file
        except Exception as exc:  # noqa: BLE001 - one picture OCR fails on must not lose the report
            self._unread(pic, f"{self.document} 中{where}图片 {pic.name} 像是表格，但OCR识别失败"
                              f"（{type(exc).__name__}），其中的数据未读取，请人工核对")
            return None
        self.timings.append((pic.name, round(got.seconds, 2)))
        pieces = [it for it in got.page.items if isinstance(it, Piece)] if got.page else []
        if not pieces:
            self._unread(pic, f"{self.document} 中{where}图片 {pic.name} 像是表格，但未能识别出表格的行列，"
                              "其中的数据未读取，请人工核对")
            return None
        self.read_tables.append(pic.name if pic.page is None else f"第{pic.page}页的{pic.name}")
        return got

    def _unread(self, pic: Picture, message: str) -> None:
        self.unread.append(pic.name if pic.page is None else f"第{pic.page}页的{pic.name}")
        self.problems.append(message)

    @property
    def warnings(self) -> list[str]:
        """The reader's warnings: the table pictures not read, each."""
        return list(self.problems)

    @property
    def notices(self) -> list[str]:
        """One line naming the table pictures OCR read (read, with a confidence per cell)."""
        if not self.read_tables:
            return []
        return [f"{self.document} 中的表格图片（{'、'.join(self.read_tables)}）由OCR识别；"
                "OCR识别的数值可能有误，置信度低的数值已标注，请人工核对"]

    def _ocr(self) -> bool:
        if self._ocr_checked is None:
            from . import ocr

            self._ocr_checked = ocr.available()
        return self._ocr_checked

    def meta(self) -> dict:
        """What the reader adds to Document.meta: the table pictures that were not read."""
        return {"unread_images": list(self.unread)} if self.unread else {}


def _sized(pic: Picture):
    """The decoded picture, or None if it is too small to be a table (or cannot be decoded)."""
    if pic.width_pt is not None and pic.width_pt < MIN_WIDTH_PT:
        return None
    img = pic.load()
    if img is None or img.width < MIN_WIDTH_PX or img.height < MIN_HEIGHT_PX:
        return None
    return img


def looks_like_table(img) -> bool:
    """Straight thin dark lines across the picture, at least three across and two down: the
    rulings of a table. Photos, logos and text have none (a photo's dark band is thick)."""
    import numpy as np

    gray = np.asarray(_on_white(img).convert("L"))
    # Ink is darker than the paper (most of the picture; grey in a photographed page).
    dark = gray < float(np.median(gray)) - _INK_CONTRAST
    rows, cols = np.nonzero(dark.any(axis=1))[0], np.nonzero(dark.any(axis=0))[0]
    if rows.size < 2 or cols.size < 2:
        return False
    dark = dark[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]  # the print, without blank margins
    h, w = dark.shape
    across = _rules(_longest_runs(dark) >= max(_MIN_RULE_PX, _H_RULE * w))
    down = _rules(_longest_runs(dark.T) >= max(_MIN_RULE_PX, _V_RULE * h))
    # Either way round: a table printed sideways (a landscape table on a portrait page) is
    # still one, and must not be skipped unread.
    return (across >= _MIN_H_RULES and down >= _MIN_V_RULES) or \
        (down >= _MIN_H_RULES and across >= _MIN_V_RULES)


def _on_white(img):
    """The picture in RGB, transparent parts white (as a page shows them; dropping the alpha
    channel would turn them black)."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")


def _longest_runs(dark):
    """Per row, the longest unbroken run of ink (a one-pixel gap bridged): a ruling is one long
    run, a line of text many short ones."""
    import numpy as np

    a = dark.copy()
    a[:, 1:-1] |= dark[:, :-2] & dark[:, 2:]
    n = a.shape[1]
    last_gap = np.maximum.accumulate(np.where(a, -1, np.arange(n)), axis=1)
    return np.where(a, np.arange(n) - last_gap, 0).max(axis=1)


def _rules(ruled) -> int:
    """Groups of consecutive ruled lines (rows or columns), each at most _MAX_RULE_PX thick."""
    n = run = 0
    for s in list(ruled) + [False]:
        if s:
            run += 1
            continue
        if 0 < run <= _MAX_RULE_PX:
            n += 1
        run = 0
    return n


def _ocr_picture(img, pic: Picture, number: int) -> _Read:
    """OCR one picture at ocr.DPI: its page of lines and table pieces, in points from its
    top-left corner."""
    import numpy as np

    from . import ocr

    rgb = _on_white(img)
    width_pt, height_pt = _printed_size(pic, img)
    dpi = rgb.width * 72.0 / width_pt
    factor = ocr.DPI / dpi
    if abs(factor - 1) > _DPI_TOLERANCE:
        from PIL import Image

        factor = min(factor, _MAX_UPSCALE)
        size = (max(1, round(rgb.width * factor)), max(1, round(rgb.height * factor)))
        rgb = rgb.resize(size, Image.Resampling.LANCZOS if factor > 1 else Image.Resampling.BOX)
    bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
    start = time.perf_counter()
    # A table pasted sideways (a landscape table on a portrait page) or upside down: read it
    # upright.
    turns = ocr.orientation(bgr)
    upright = (width_pt, height_pt)
    if turns:
        bgr = np.ascontiguousarray(np.rot90(bgr, turns))
        if turns % 2:
            upright = (height_pt, width_pt)
    page = ocr.read_image(bgr, number, *upright)
    return _Read(page, time.perf_counter() - start, turns, (width_pt, height_pt))


def _printed_size(pic: Picture, img) -> tuple[float, float]:
    """The picture's printed width and height in points: as the document gives them (one side
    gives the other by the aspect ratio), else from its stored resolution, else at 96 dpi."""
    w, h = pic.width_pt, pic.height_pt
    if w and h:
        return w, h
    if w:
        return w, w * img.height / img.width
    if h:
        return h * img.width / img.height, h
    dpi = img.info.get("dpi") if hasattr(img, "info") else None
    try:
        d = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        d = 0.0
    if not 50 <= d <= 1200:
        d = 96.0  # a web picture shown at its natural size
    return img.width * 72.0 / d, img.height * 72.0 / d


def _join_stacked(items: list, mine: set) -> list:
    """A table pasted as two pictures one below the other (nothing printed between them, and
    the same columns) is one table, as if the second went on from a page break."""
    out: list = []
    for it in items:
        prev = out[-1] if out else None
        if (isinstance(it, Piece) and isinstance(prev, Piece) and id(it) in mine
                and id(prev) in mine and 0 <= it.top - prev.bbox[3] <= _STACK_GAP):
            joined = layout.TableBuilder(prev, OCR_SETTINGS)
            if joined.compatible(it):
                joined.append(it)
                bbox = (min(prev.bbox[0], it.bbox[0]), prev.bbox[1], max(prev.bbox[2], it.bbox[2]),
                        it.bbox[3])
                merged = Piece(joined.cells, joined.n_rows, joined.xs, prev.page, bbox)
                mine.add(id(merged))
                out[-1] = merged
                continue
        out.append(it)
    return out


def _to_page(item, origin: tuple, got: _Read):
    """A line or table piece of a picture moved to where the picture sits on its page: boxes
    where they are printed (turned back if the picture was read turned). A piece's column
    boundaries stay in the upright picture's frame, moved to its corner: they describe the
    table's structure, for joining it with its next part."""
    dx, dy = origin
    w, h = got.size
    k = got.turns % 4

    def box(b):
        u0, v0, u1, v1 = b
        if k == 1:
            u0, v0, u1, v1 = w - v1, u0, w - v0, u1
        elif k == 2:
            u0, v0, u1, v1 = w - u1, h - v1, w - u0, h - v0
        elif k == 3:
            u0, v0, u1, v1 = v0, h - u1, v1, h - u0
        return (round(u0 + dx, 2), round(v0 + dy, 2), round(u1 + dx, 2), round(v1 + dy, 2))

    if isinstance(item, Line):
        x0, top, x1, bottom = box((item.x0, item.top, item.x1, item.bottom))
        return replace(item, x0=x0, x1=x1, top=top, bottom=bottom)
    cells = [RawCell(c.row, c.rowspan, round(c.x0 + dx, 2), round(c.x1 + dx, 2), c.text, c.page,
                     box(c.bbox), c.confidence) for c in item.cells]
    return Piece(cells, item.n_rows, [round(x + dx, 2) for x in item.xs], item.page, box(item.bbox))


# ---- finding the pictures: saved web pages -------------------------------------------------


def html_picture(el, page_path: Path) -> Optional[Picture]:
    """An <img> of a saved page → a Picture of the local file its src names, inside the page's
    folder (a page saved "complete" keeps its pictures in NAME_files/), or a data: URI. None for
    a picture that is not there, lies outside the folder, or is printed too small to be a table."""
    src = (el.get("src") or el.get("data-src") or "").strip()
    if not src:
        return None
    width_pt, height_pt = _html_size(el)
    if width_pt is not None and width_pt < MIN_WIDTH_PT:
        return None
    if src[:5].lower() == "data:":
        data = _data_uri(src)
        name = f"<img>（{el.get('alt') or '内嵌图片'}）"
        return Picture(name, data, width_pt, height_pt) if data else None
    found = _local_file(src, page_path)
    if found is None:
        return None
    path, name = found
    if not _big_enough(path):
        return None

    def read() -> bytes:
        with open(path, "rb") as f:
            return f.read(MAX_BYTES + 1)

    return Picture(name, read, width_pt, height_pt)


def _big_enough(path) -> bool:
    """From the file's header alone: is it a picture large enough to be a table? (So an icon
    inside a line of text does not break the line's paragraph.)"""
    from PIL import Image

    try:
        with Image.open(path) as img:
            w, h = img.size
    except Exception:  # noqa: BLE001 - not a picture Pillow knows
        return False
    return w >= MIN_WIDTH_PX and h >= MIN_HEIGHT_PX


def _html_size(el) -> tuple[Optional[float], Optional[float]]:
    """The printed size from width/height attributes (CSS pixels) or the style; None where it
    is not given in pixels or points (a percentage depends on the window)."""
    style = el.get("style") or ""
    out = []
    for attr, css in (("width", _CSS_WIDTH), ("height", _CSS_HEIGHT)):
        value = None
        m = css.search(style)
        if m:
            value = float(m.group(1)) * (1.0 if (m.group(2) or "px").lower() == "pt" else _CSS_PX_PT)
        else:
            raw = (el.get(attr) or "").strip().lower().removesuffix("px")
            if re.fullmatch(r"\d+(?:\.\d+)?", raw):
                value = float(raw) * _CSS_PX_PT
        out.append(value if value and value > 0 else None)
    return out[0], out[1]


def _data_uri(src: str) -> Optional[bytes]:
    head, _, payload = src.partition(",")
    if ";base64" not in head.lower() or len(payload) > MAX_BYTES * 4 // 3 + 4:
        return None
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        return None


def _local_file(src: str, page_path: Path) -> Optional[tuple]:
    """The file an <img src> names, if it is a regular file inside the page's folder: (path,
    name). The src may be percent-encoded in UTF-8 or GBK, and the file's name on disk may be
    stored in either (a page saved on Windows and unpacked elsewhere). A remote URL is looked
    for under its file name in the page's folder and its NAME_files folder, where a browser
    saves it."""
    src = src.replace("\\", "/").split("#", 1)[0].split("?", 1)[0]
    # A remote or site-absolute src ("/images/t1.png"): a browser saves the file beside the page.
    remote = re.match(r"^[a-z][a-z0-9+.-]*:|^/", src, re.I)
    if remote and not src.lower().startswith("file:"):
        base = src.rstrip("/").rsplit("/", 1)[-1]
        rels = [base, f"{page_path.stem}_files/{base}"] if base else []
    elif remote:
        return None  # a file: URL points at the saver's disk, not at this folder
    else:
        rels = [src]
    folder = os.path.realpath(page_path.parent)
    raw_folder = os.fsencode(folder)
    for rel in rels:
        raw = urllib.parse.unquote_to_bytes(rel)
        names: list[bytes] = [raw]
        for enc in ("utf-8", "gb18030"):
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError:
                continue
            for out_enc in ("utf-8", "gb18030"):
                try:
                    names.append(text.encode(out_enc))
                except UnicodeEncodeError:
                    pass
        for name in dict.fromkeys(names):
            if name.startswith(b"/") or b"\x00" in name:
                continue
            path = os.path.realpath(os.path.join(raw_folder, name))
            # Only inside the page's folder (after following links): a page must not make the
            # reader open files elsewhere on the disk.
            if os.path.commonpath([raw_folder, path]) != raw_folder or not os.path.isfile(path):
                continue
            if os.path.getsize(path) > MAX_BYTES:
                continue
            try:
                shown = os.path.basename(path).decode("utf-8")
            except UnicodeDecodeError:
                shown = os.path.basename(path).decode("gb18030", errors="replace")
            return path, shown
    return None


# ---- finding the pictures: DOCX ------------------------------------------------------------


def docx_pictures(paragraph, part) -> list[Picture]:
    """The pictures of a DOCX paragraph (inline or anchored drawings, old VML pictures) in
    order, with their printed size; `part` is the document part whose relationships name the
    media files."""
    out = []
    for el in paragraph.iter(_A + "blip", _V + "imagedata"):
        rid = el.get(_R + "embed") if el.tag == _A + "blip" else el.get(_R + "id")
        if not rid or any(True for _ in el.iterancestors(_MC_FALLBACK)):
            continue  # the old-Word copy (VML) of a drawing already read
        target = part.related_parts.get(rid) if hasattr(part, "related_parts") else None
        if target is None or not hasattr(target, "blob"):
            continue  # a linked (not embedded) picture: its file is not in the package
        width_pt = height_pt = None
        holder = next((a for a in el.iterancestors(_WP + "inline", _WP + "anchor")), None)
        extent = holder.find(_WP + "extent") if holder is not None else None
        if extent is not None:
            try:
                width_pt = int(extent.get("cx")) / _EMU_PER_PT
                height_pt = int(extent.get("cy")) / _EMU_PER_PT
            except (TypeError, ValueError):
                pass
        name = str(getattr(target, "partname", rid)).rsplit("/", 1)[-1]
        out.append(Picture(name, target.blob, width_pt or None, height_pt or None))
    return out


def has_docx_picture(paragraph) -> bool:
    return paragraph.find(".//" + _W + "drawing") is not None or \
        paragraph.find(".//" + _W + "pict") is not None


# ---- finding the pictures: PDF -------------------------------------------------------------


class PdfPictures:
    """The table pictures of a text PDF's pages, rendered from the PDF with pdfium (the reader's
    open document when it has one; else opened only when some page has a picture large enough to
    be a table)."""

    def __init__(self, path: Path, pdfium_doc=None):
        self.path = path
        self.reader = Pictures(Path(path).name)
        self._pdf = pdfium_doc
        self._own = pdfium_doc is None  # closed here only if opened here

    def add(self, target: Page, objs, words: list) -> None:
        """OCR the table pictures of one page (`objs`: pdfobjects.PageObjects) into `target` (the
        page's lines and pieces). A page without a text layer is left alone (the OCR reader reads
        it whole), and so is a picture the text layer already covers (an OCR'd scan). Pictures
        are named by their order on the page: both PDF sources see them in content order."""
        if not words:
            return
        pics = []
        for n, im in enumerate(objs.images, 1):
            x0, top, x1, bottom = (float(im[k]) for k in ("x0", "top", "x1", "bottom"))
            x0, top = max(0.0, x0), max(0.0, top)
            x1, bottom = min(float(objs.width), x1), min(float(objs.height), bottom)
            if x1 - x0 < MIN_WIDTH_PT or bottom - top < MIN_HEIGHT_PX * 72 / 150:
                continue
            inside = sum(1 for w in words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1
                         and top <= (w["top"] + w["bottom"]) / 2 <= bottom)
            if inside >= _WORDS_OVER_IMAGE:
                continue
            img = self._render(target.number, objs, (x0, top, x1, bottom))
            if img is None:
                continue
            pics.append(Picture(f"第{n}张图片", None, x1 - x0, bottom - top, target.number, (x0, top), img))
        if pics:
            self.reader.add_to_page(target, pics)

    def _render(self, number: int, objs, box: tuple):
        """The page region at ocr.DPI as a PIL image (what prints there, the picture as shown)."""
        try:
            import pypdfium2 as pdfium

            from . import ocr

            if self._pdf is None:
                self._pdf = pdfium.PdfDocument(str(self.path))
            page = self._pdf[number - 1]
            # pdfium renders the page as shown (its /Rotate applied) and crops that from each
            # edge; the box is in the objects' frame, whose rotation may differ from the file's
            # (pdf.py reads a page of sideways text with the /Rotate that makes it upright):
            # turn by the difference.
            turn = (int(objs.rotation or 0) - page.get_rotation()) % 360
            w, h = float(objs.width), float(objs.height)
            x0, top, x1, bottom = box
            bitmap = page.render(scale=ocr.DPI / 72, crop=(x0, h - bottom, w - x1, top),
                                 rotation=turn if turn in (90, 180, 270) else 0)
            return bitmap.to_pil().convert("RGB")
        except Exception:  # noqa: BLE001 - a picture pdfium cannot render is left unread
            return None

    def close(self) -> None:
        if self._pdf is not None and self._own:
            self._pdf.close()
        self._pdf = None
