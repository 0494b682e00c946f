"""OCR reader: scanned PDFs (pages without a text layer) → Document, format "ocr".

Offline and deterministic. Each page is rendered at 150 dpi with pdfium (it comes with
pdfplumber), turned upright if it was scanned sideways or upside down (`orientation`: the
direction of its text lines, then rapidocr's 0°/180° classifier), levelled if it was scanned
askew (the slope of its long rulings), and read by RapidOCR (detection + recognition, one
inference thread) with the ONNX models packaged in its wheel: every model path is given and
rapidocr's downloader is disabled, so nothing is ever fetched. Detection sees only the page's
printed bands, not its margins and blank stretches (`_detect`); recognition reads the short
crops of a table's cells side by side in strips instead of padding each to rapidocr's minimum
width (`_recognize`), and reads one alone again only when the strip left it unsure: a page
costs under half of rapidocr's own full-page call (bench/ocr.py).

Tables come from the page's ruling lines, found with OpenCV: marks darker than the paper around
them, opened with long horizontal and vertical kernels. A short vertical run is a ruling only if
it joins two horizontal rulings, is no stroke of an OCR text box (in a tight table the "1" of
a number or the left stroke of 行 nearly touches the rulings), and either lines up with a long
ruling or fills its row (a "1" the detector missed is about 0.6 of the row's height, however
close a 100-dpi scan's blur brings it to the rulings); a ruling's end that runs into a character
is cut off. The distinct ruling positions of a table give its grid; a grid boundary
that is not drawn merges the cells on either side (merged cells and their spans). A table cut
by the page break has no ruling at the cut: its verticals end there, and that end closes it.

The text boxes (as `Word`s) and the grids go to the layout stage the text-PDF reader uses too
(readers/layout.py, with OCR_SETTINGS): it puts each box into the cell holding its centre (a box
over a drawn ruling is split by its characters), groups the boxes outside tables into lines and
paragraphs, and joins tables continued on the next page. What this reader adds is how a cell is
read: a cell with print that no box covers, or with a box over two of its lines, is read again
on its own; a lone "1" that leans is a "/", a lone 一/丨 that stands is a "1".

Every OCR'd cell carries `confidence`: the lowest score of the boxes in it; print that could not
be read leaves 0, and a value inferred from a look-alike character at most 0.5. Paragraphs and
tables carry it in hints["confidence"].
"""
from __future__ import annotations

import os
import re
from functools import lru_cache, partial
from pathlib import Path
from typing import Optional

from ..document import Document, ReadError
from . import layout
from .layout import OCR_SETTINGS, Grid, Page, Word

DPI = 150
MAX_PAGES = 300  # OCR takes seconds a page; an annual report has tens of pages
# One inference thread: onnxruntime's results then do not depend on the machine's core count.
# XXGK_OCR_THREADS=n trades that for speed.
THREADS = int(os.environ["XXGK_OCR_THREADS"]) if os.environ.get("XXGK_OCR_THREADS", "").isdigit() else 1
# Detection on the page scaled to at most 1280 px (recognition still reads the full-size crops):
# half the time of full-size detection, and as exact on these reports' 9-pt table text.
DET_PARAMS: dict = {"Det.limit_type": "max", "Det.limit_side_len": 1280}
_INSTALL_HINT = "请安装 OCR 组件后重试：pip install 'xxgk[ocr]'"

# Geometry, in pixels at DPI.
_H_KERNEL = 40  # a horizontal ruling is a run of at least this many dark pixels (0.27 in)
_V_KERNEL = 15  # vertical runs shorter than this are never rulings
_V_LONG = 60  # a vertical run this long is a ruling even if it does not join two rulings
_H_LONG = 100  # a horizontal run this long is a ruling even if no vertical ruling meets it
_MAX_THICK = 10  # a ruling is at most this thick (thicker runs are fills or glyph blobs)
_CLEAR = 3  # a ruling inside a text box has this many blank pixels on either side
_TOUCH = 3  # a vertical ruling's ends lie within this of a horizontal ruling
_ROW_SPAN = 0.75  # a short vertical ruling spans this share of its row (rulings' centre lines)
_CLUSTER = 6  # rulings closer than this are the same grid line
_OPEN_EDGE = 8  # rulings running this far past the outermost crossing ruling: an open edge
_MIN_DRAWN = 0.6  # a grid boundary is drawn where this share of it is ruled
_INK_CONTRAST = 50  # grey levels below the paper that count as printed
_SKEW_LINE = 300  # rulings at least this long measure the page's skew
_MIN_SKEW = 0.1  # degrees; less is left as scanned
_INK_PIXELS = 12  # printed pixels in a cell OCR found empty: something unread is printed
_UNREAD_PIXELS = 25  # printed pixels outside every text box of a cell: something went unread
_INSET = 3  # cell contents start this far inside the rulings (erased ±2 px around them)
_MAX_REREAD = 40  # ink taller than this in a cell is more than one line: not re-read alone

_DET_MARGIN = 32  # paper around the printed bands given to the detector (in its pixels)
_DET_GAP = 96  # blank rows (in the detector's pixels) that end a band
_STRIP_WIDTH = 960  # short text crops are recognised side by side in strips this wide
_STRIP_GAP = 32  # grey pixels between them (and before the first)
_TALL = 1.5  # a crop this many times the page's median crop height is not put in a strip
# Nor one longer than this share of rapidocr's minimum width: a label of five or six characters
# reads as rapidocr reads it (padded, alone), and most of the saving is in the cells' numbers.
_PACK = 0.5
# A line of text longer than this many of its heights is read at _LINE_HEIGHT on paper up to the
# recogniser's 48 (see _on_paper); shorter ones as rapidocr reads them.
_LONG_LINE = 10.0
_LINE_HEIGHT = 36
_SURE = 0.99  # a crop read in a strip with a lower score is read again alone
_SURE_CJK = 0.999  # … and one with Chinese characters read with a lower score
# … but a number (a cell's "0", most crops of a table) only below this: its strip score is a
# little lower than alone (the neighbours' grey), not its digits — of the 1858 short crops of
# the real and synthetic reports' scans, every number read in a strip at ≥ 0.9 read the same
# alone; re-reading them cost a third of recognition. A lower score is one the checks distrust
# (checks/ocr_confidence.py THRESHOLD, 0.9): such a number is read again alone.
_SURE_NUMBER = 0.9
_NUMBER = re.compile(r"[0-9]+")
_SIDEWAYS = 2.0  # text lines running down the page this many times those across: turned 90°
_ORIENT_LINES = 8  # text lines the angle classifier looks at for upright or upside down

_SLASH_LEAN = 0.15  # rightward lean (per unit height) above which a "1" is a "/"
_GUESSED = 0.5  # confidence of a digit inferred from a look-alike character
_ONE_LIKE = set("一丨|lI")
_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1"})
_DIGITS_WITH_LOOKALIKES = re.compile(r"[0-9Oo〇lI|]+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_HALF_PUNCT = {"(": "（", ")": "）", ":": "：", ";": "；", ",": "，", "?": "？", "!": "！"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s*([(),:;?!])|([(),:;?!])\s*(?=[{_CJK}])")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def available() -> bool:
    """Is the OCR extra installed (rapidocr, onnxruntime and the packaged models)?"""
    try:
        _model_paths()
    except ReadError:
        return False
    return True


def read(path, only_pages: Optional[set[int]] = None, why: Optional[str] = None) -> Document:
    """OCR a scanned PDF; `only_pages` (1-based) limits it to those pages of a mixed PDF. `why`:
    the text reader's reason the file needs OCR ("… 的文字无法解码…，需要OCR识别"), said again
    when OCR is not installed and in the warning that the text was OCR'd."""
    p = Path(path)
    name = p.name
    why = why or f"{name} 是扫描件（没有文字层），需要OCR识别"
    engine = _engine(why)
    import numpy as np
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(p))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ReadError("unsupported", f"无法读取PDF文件 {name}：文件已加密，需要密码才能打开") from exc
        raise ReadError("error", f"无法读取PDF文件 {name}：文件已损坏或不完整（{exc}）") from exc
    pages: list[Page] = []
    try:
        if len(pdf) > MAX_PAGES:
            raise ReadError("unsupported", f"{name} 是扫描件，页数过多（{len(pdf)} 页，OCR识别上限为 "
                                           f"{MAX_PAGES} 页），不像是一份年度报告，未识别")
        meta = _meta(pdf.get_metadata_dict())
        for i in range(len(pdf)):
            if only_pages is not None and i + 1 not in only_pages:
                continue
            page = pdf[i]
            width, height = page.get_size()
            img = page.render(scale=DPI / 72).to_numpy()
            turns = orientation(img, engine)
            if turns:  # scanned sideways or upside down: read the upright page
                img = np.ascontiguousarray(np.rot90(img, turns))
                if turns % 2:
                    width, height = height, width
            pages.append(read_image(img, i + 1, width, height, engine))
    except _DownloadRefused as exc:
        raise ReadError("needs_ocr", f"{name} 需要OCR识别，但 rapidocr 要下载安装包中没有的模型文件"
                                     f"（{exc}），已拒绝；请重新安装：pip install --force-reinstall 'xxgk[ocr]'") from None
    finally:
        pdf.close()
    blocks = layout.assemble(pages, OCR_SETTINGS)
    if only_pages is None:
        what = f"{why.removesuffix('，需要OCR识别')}，内容由OCR识别（共{len(pages)}页）"
    else:  # the scanned pages of a mixed PDF, whose text pages the text-PDF reader read
        what = f"{name} 第{'、'.join(str(pg.number) for pg in pages)}页是扫描图片，内容由OCR识别"
    # how the pages were read (a notice); what could not be read (warnings: the report is partial)
    notices = [what + "；OCR识别的数值可能有误，置信度低的数值已标注，请人工核对"]
    warnings = []
    low = sorted({b.page for b in blocks if b.kind == "table" and b.table is not None
                  for c in b.table.cells if c.confidence is not None and c.confidence < 0.5
                  and not c.text})
    if low:
        warnings.append(f"第{'、'.join(map(str, low))}页的表格中有单元格印有内容但OCR未能识别，请人工核对")
    return Document(path=str(path), format="ocr", blocks=blocks, n_pages=len(pages), meta=meta,
                    warnings=warnings, notices=notices)


def _meta(metadata: dict) -> dict:
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(metadata.get("CreationDate") or ""))
    return {"creation_date": f"{m[1]}-{m[2]}-{m[3]}"} if m else {}


# ---- the engine ----------------------------------------------------------------------------


def _model_paths() -> dict:
    """The ONNX models inside the installed rapidocr wheel (3.x ships det, rec and cls)."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr
    except ImportError as exc:
        raise ReadError("needs_ocr", f"未安装OCR组件（{exc.name}）。{_INSTALL_HINT}") from None
    models = Path(rapidocr.__file__).resolve().parent / "models"
    found = {}
    for task in ("det", "rec", "cls"):
        files = sorted(models.glob(f"*{task}*.onnx"))
        if files:
            found[task] = str(files[0])
    if "det" not in found or "rec" not in found:
        raise ReadError("needs_ocr", f"rapidocr 安装包中缺少OCR模型文件（{models}），"
                                     f"请重新安装：pip install --force-reinstall 'xxgk[ocr]'")
    return found


@lru_cache(maxsize=2)
def _cached_engine(threads: int):
    from rapidocr import RapidOCR

    paths = _model_paths()
    # model_path set for every model: rapidocr then loads the file and never looks for (or
    # downloads) a default model.
    params = {
        "Global.log_level": "critical",
        "Global.use_cls": False,  # pages are upright; the angle classifier only costs time
        "Det.model_path": paths["det"],
        "Rec.model_path": paths["rec"],
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    if "cls" in paths:
        params["Cls.model_path"] = paths["cls"]
    params.update(DET_PARAMS)
    _refuse_downloads()
    return RapidOCR(params=params)


class _DownloadRefused(RuntimeError):
    pass


def _refuse_downloads() -> None:
    """Make rapidocr's downloader raise: with every model path given it is never called, and if
    some version ever wanted a file that is not in the wheel, reading must fail, not fetch it."""
    from rapidocr.utils import download_file

    def refuse(cls, params):
        raise _DownloadRefused(getattr(params, "file_url", "?"))

    download_file.DownloadFile.run = classmethod(refuse)


def _engine(why: str):
    try:
        _model_paths()
    except ReadError as e:
        raise ReadError("needs_ocr", f"{why}。{e.message}") from None
    return _cached_engine(THREADS)


# ---- one page ------------------------------------------------------------------------------


def read_image(img, number: int, width: float, height: float, engine=None) -> Page:
    """One rendered page (BGR or grey numpy array) → lines and table pieces in page points."""
    import cv2
    import numpy as np

    engine = engine if engine is not None else _cached_engine(THREADS)
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    scale = width / gray.shape[1]  # pixels → points
    angle = _skew(gray)
    if abs(angle) >= _MIN_SKEW:  # a page scanned askew: level it (rulings must run straight)
        h, w = gray.shape
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, rot, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        img = cv2.warpAffine(img, rot, (w, h), flags=cv2.INTER_LINEAR,
                             borderValue=255 if img.ndim == 2 else (255, 255, 255))
    # OCR reads the page as printed (the rulings help it keep cells apart); its text boxes
    # tell the strokes of characters from short rulings. `ink` is what is printed besides the
    # rulings, for the cells OCR found empty or read as a look-alike.
    boxes = _ocr(engine, img)
    bw = _binary(gray)
    hs, vs, ruled = _rulings(bw, boxes)
    grids = _tables(hs, vs, ruled)
    ink = bw.copy()
    ink[cv2.dilate(ruled, np.ones((5, 5), np.uint8)) > 0] = 0
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # scanner speckle

    heights = sorted(b.bottom - b.top for b in boxes)
    line = heights[len(heights) // 2] if heights else 0.0

    def read_cell(rect: tuple, parts: list[Word]) -> tuple[str, float]:
        """A cell's text and confidence from its boxes, re-reading print they miss."""
        text = _cell_text(parts)
        if parts:
            conf = min(b.score for b in parts)
            unread = _uncovered(ink, parts, *rect) >= _UNREAD_PIXELS
            if unread or any(b.bottom - b.top > _TALL * line for b in parts):
                # Print that no box covers (a line squeezed against a ruling), or one box over
                # two lines of a narrow cell (recognition reads one line of it): read the cell
                # alone; keep that reading only if it extends the first one.
                more, more_conf = _reread_cell(engine, gray, *rect)
                if len(_squash(more)) > len(_squash(text)) and _squash(text) in _squash(more):
                    text, conf = more, more_conf
                elif unread:
                    conf = min(conf, _GUESSED)
        elif _has_ink(ink, *rect):
            # Printed but not detected (a lone small digit, say): read the cell alone, then its
            # ink alone.
            text, conf = _reread_cell(engine, gray, *rect)
            if not text:
                text, conf = _reread(engine, gray, ink, *rect)
        else:
            conf = 1.0
        if text:
            text, conf = _lookalikes(text, conf, ink, *rect)
        return text, round(conf, 4)

    page = layout.page(number, width, height, boxes, grids, OCR_SETTINGS, scale=scale,
                       clean=normalize, read_cell=read_cell)
    for box in boxes:  # characters no ruling asked for: let go of the crops they would read
        if callable(box.parts):
            box.parts = []
    return page


def _ocr(engine, img) -> list[Word]:
    """Text boxes of the page: rapidocr's detection, then recognition of the boxes' crops as
    _recognize does it. Kept as rapidocr keeps them (text, score ≥ its text_score); a box's
    characters (to split it at a ruling) are placed by rapidocr when the layout asks for them."""
    img = engine.load_img(img)  # three channels, as rapidocr reads any image
    quads = _detect(engine, img)
    if quads is None:
        # Every switch given on every call: rapidocr keeps the last call's switches.
        det = engine(img, use_det=True, use_cls=False, use_rec=False, return_word_box=False)
        quads = getattr(det, "boxes", None)
    if quads is None or not len(quads):
        return []
    crops = engine.crop_text_regions(img, quads)
    out = []
    for quad, crop, (text, score, info) in zip(quads, crops, _recognize(engine, crops)):
        if not text.strip() or score < engine.text_score:
            continue
        xs_, ys_ = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
        out.append(Word(text, min(xs_), min(ys_), max(xs_), max(ys_), score=float(score),
                        parts=partial(_characters, engine, crop, quad, text, score, info)))
    return out


def _detect(engine, img):
    """rapidocr's text detection on the printed bands of the page only: the page is scaled as
    the detector scales it, each band of rows with print (with _DET_MARGIN of paper around it,
    on the network's 32-pixel grid) goes through the network as an image of its own, and the
    outputs are put into an empty output for the whole page, which rapidocr's post-processing
    turns into boxes in page pixels. The margins and blank stretches of a page (a fifth to two
    thirds of it) cost nothing. The network sees a band a little differently from the whole
    page (its boxes move by a few pixels, and may join two lines of a narrow cell: read_image
    reads such a cell again). None where rapidocr would first resize or pad the image itself
    (then it detects as usual)."""
    import cv2
    import numpy as np

    h, w = img.shape[:2]
    g = engine.cfg.Global
    if (max(h, w) > g.max_side_len or min(h, w) < g.min_side_len or h <= g.min_height
            or (g.width_height_ratio != -1 and w / h > g.width_height_ratio)):
        return None
    det = engine._load_det_model()
    pre = det.get_preprocess()
    small = pre.resize(img)
    if small is None:
        return None
    rh, rw = small.shape[:2]
    printed = _binary(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)) > 0
    rows = np.flatnonzero(printed.any(axis=1))
    cols = np.flatnonzero(printed.any(axis=0))
    if not rows.size:
        return np.zeros((0, 4, 2), np.float32)
    grid = 32  # the network's stride: a band starting on it keeps the page's pixel grid

    def snap(lo: int, hi: int, n: int) -> tuple[int, int]:
        return (max(0, (lo - _DET_MARGIN) // grid * grid),
                min(n, -(-(hi + 1 + _DET_MARGIN) // grid) * grid))

    x0, x1 = snap(int(cols[0]), int(cols[-1]), rw)
    bands = []
    start = prev = int(rows[0])
    for y in rows[1:]:
        if y - prev > _DET_GAP:
            bands.append(snap(start, prev, rh))
            start = int(y)
        prev = int(y)
    bands.append(snap(start, prev, rh))
    pred = np.zeros((1, 1, rh, rw), np.float32)
    for y0, y1 in bands:
        part = pre.permute(pre.normalize(small[y0:y1, x0:x1]))[None].astype(np.float32)
        pred[:, :, y0:y1, x0:x1] = det.session(part)
    boxes, _scores = det.postprocess_op(pred, (h, w))
    return det.sorted_boxes(boxes) if len(boxes) else np.zeros((0, 4, 2), np.float32)


def _characters(engine, crop, quad, text: str, score: float, info) -> list[Word]:
    """The characters of one text box, placed by rapidocr from the recogniser's columns."""
    from rapidocr.ch_ppocr_rec import TextRecOutput

    placed = engine.calc_word_boxes([crop], quad[None].copy(),
                                    TextRecOutput(txts=(text,), scores=[score], word_results=(info,)))
    parts = []
    for part in (placed[0] if placed else ()):
        try:
            ptext, _pscore, pquad = part
            pxs, pys = [float(q[0]) for q in pquad], [float(q[1]) for q in pquad]
        except (TypeError, ValueError):
            return []
        parts.append(Word(ptext, min(pxs), min(pys), max(pxs), max(pys), score=float(score)))
    return parts


def _recognize(engine, crops: list) -> list[tuple]:
    """(text, score, rapidocr's word info) for each text box's crop, as rapidocr's recogniser reads
    it, without the padding that costs most of its time on a table: it widens every crop to at
    least 320 × 48 (a cell's "0" is about 40 wide) and every crop of a batch to the widest. Crops
    much narrower than that are read side by side in strips, grey (rapidocr's padding) between them,
    and each one's share of the strip's output is decoded as if it had been read alone (its
    characters' columns too). Longer crops are read one at a time, unpadded; so are crops
    taller than a line."""
    from rapidocr.ch_ppocr_rec import TextRecInput

    rec = engine._load_rec_model()
    _c, height, min_width = rec.rec_image_shape[:3]
    results: list = [None] * len(crops)
    short = []
    line = sorted(crop.shape[0] for crop in crops)[len(crops) // 2]
    for i, crop in enumerate(crops):
        ratio = crop.shape[1] / max(1, crop.shape[0])
        # A box taller than a line holds several (a narrow cell's wrapped label): read alone and
        # padded, it scores as low as rapidocr would score it, and the cell is read again.
        if height * ratio < _PACK * min_width and crop.shape[0] <= _TALL * line:
            short.append((i, ratio))
            continue
        if ratio >= _LONG_LINE and crop.shape[0] <= _TALL * line:
            crop = _on_paper(crop, height)
        one = rec(TextRecInput(img=[crop], return_word_box=True))
        results[i] = (one.txts[0], one.scores[0], one.word_results[0])
    strip, placed, x = [], [], _STRIP_GAP
    for i, ratio in short:
        norm = rec.resize_norm_img(crops[i], ratio)  # (3, 48, w): as rapidocr would, unpadded
        w = norm.shape[2]
        if strip and x + w + _STRIP_GAP > _STRIP_WIDTH:
            _read_strip(rec, strip, placed, results)
            strip, placed, x = [], [], _STRIP_GAP
        strip.append((x, norm))
        placed.append((i, ratio, x, w))
        x += -(-(w + _STRIP_GAP) // 8) * 8  # next crop on the model's 8-pixel column grid
    if strip:
        _read_strip(rec, strip, placed, results)
    for i, _ratio in short:
        # Read in a strip with less than full confidence: read again alone, as rapidocr reads
        # it, and keep that. Chinese text (a few labels) must be surer than numbers (most of
        # the strips): a label's small "、" can go missing beside the neighbours' grey.
        text, score = results[i][:2]
        if _NUMBER.fullmatch(text):
            again = score < _SURE_NUMBER
        else:
            again = score < _SURE or (score < _SURE_CJK and _HAS_CJK.search(text))
        if again:
            one = rec(TextRecInput(img=[crops[i]], return_word_box=True))
            results[i] = (one.txts[0], one.scores[0], one.word_results[0])
    return results


def _on_paper(crop, height: int):
    """A line's crop scaled to _LINE_HEIGHT and centred on its own paper, `height` high: the
    recogniser costs in proportion to the width it reads, and a long line at 3/4 of the usual
    scale reads as well (on the real, synthetic and sample reports' scans, the characters of
    998 long lines had 97 edits against their text layer either way) at 3/4 of the cost. The
    width is the crop's, scaled: the characters' columns still place them on the crop. Not for
    short crops: a cell's number read smaller comes out wrong more often."""
    import cv2
    import numpy as np

    h, w = crop.shape[:2]
    small = cv2.resize(crop, (max(1, round(w * _LINE_HEIGHT / h)), _LINE_HEIGHT),
                       interpolation=cv2.INTER_AREA)
    paper = np.median(np.concatenate([crop[0], crop[-1]]), axis=0)  # the rows above and below the text
    top = (height - _LINE_HEIGHT) // 2
    return cv2.copyMakeBorder(small, top, height - _LINE_HEIGHT - top, 0, 0, cv2.BORDER_CONSTANT,
                              value=[float(v) for v in np.atleast_1d(paper)])


def _read_strip(rec, strip: list, placed: list, results: list) -> None:
    import numpy as np

    x, norm = strip[-1]
    # The last strip of a page is short: as wide as its crops, but never narrower than rapidocr
    # pads a crop to (its recogniser reads a lone narrow crop less well).
    width = max(rec.rec_image_shape[2], -(-(x + norm.shape[2] + _STRIP_GAP) // 8) * 8)
    batch = np.zeros((1, 3, norm.shape[1], width), np.float32)  # grey, as rapidocr pads
    for x, norm in strip:
        batch[0, :, :, x:x + norm.shape[2]] = norm
    preds = rec.session(batch)
    step = width / preds.shape[1]  # pixels per output column
    ids, probs = preds.argmax(axis=2)[0], preds.max(axis=2)[0]
    chars = rec.postprocess_op.character
    for i, ratio, x, w in placed:
        # The crop's columns and half the gap on either side (a character at a crop's edge may
        # come out a column early or late); what the grey gap itself reads as (a space) is not
        # the crop's. Decoded as rapidocr's CTC decoder does: repeats and blanks dropped.
        t0 = max(0, int((x - _STRIP_GAP / 2) // step))
        t1 = min(len(ids), int(-(-(x + w + _STRIP_GAP / 2) // step)))
        first, last = x / step, (x + w) / step
        cols, text, confs = [], [], []
        for t in range(t0, t1):
            k = int(ids[t])
            if k == 0 or (t > 0 and k == ids[t - 1]):
                continue
            ch = chars[k]
            if ch.isspace() and not first <= t < last:
                continue
            cols.append(t - t0)
            text.append(ch)
            confs.append(round(float(probs[t]), 5))
        text = "".join(text)
        selection = np.zeros(t1 - t0, bool)
        selection[cols] = True
        info = rec.postprocess_op.get_word_info(text, selection)
        shift = first - t0  # columns before the crop's first pixel
        info.word_cols = [[c - shift for c in group] for group in info.word_cols]
        info.line_txt_len = w / step
        info.confs = confs
        results[i] = (text, round(float(np.mean(confs)), 5) if confs else 0.0, info)


# ---- rulings and grids ---------------------------------------------------------------------


def _binary(gray):
    """Dark marks on the paper (255) and the rest (0): darker by _INK_CONTRAST than the paper
    around them, the paper being the brightest level within 8 px. Unlike a local-mean threshold
    this keeps a light ruling whole where text crowds it, and ignores light cell shading."""
    import cv2
    import numpy as np

    paper = cv2.dilate(gray, np.ones((17, 17), np.uint8))
    return np.where(cv2.subtract(paper, gray) > _INK_CONTRAST, 255, 0).astype(np.uint8)


def orientation(img, engine=None) -> int:
    """How many quarter turns counter-clockwise (np.rot90's k) make a scanned page upright.

    Sideways or not: Chinese characters are square, so the page's character size is the same
    either way, and smearing the print along the lines by half a character joins each text line
    into one long, one-character-high bar; across the lines it joins nothing (the lines are
    further apart than the characters). Whichever direction makes more such bars is the line
    direction. Upright or upside down: rapidocr's angle classifier (0°/180°, in the wheel) on
    pieces of the longest lines, summed over them. A page without text lines stays as it is."""
    import cv2
    import numpy as np

    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    bw = _binary(small)
    rulings = (cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 1)))
               | cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 25))))
    bw = cv2.subtract(bw, rulings)
    _n, _l, stats, _c = cv2.connectedComponentsWithStats(cv2.dilate(bw, np.ones((3, 3), np.uint8)))
    sizes = [max(w, h) for _x, _y, w, h, _a in stats[1:] if 4 <= max(w, h) <= 40 and 2 * min(w, h) >= max(w, h)]
    if not sizes:
        return 0
    em = float(np.median(sizes))
    across = _text_lines(bw, em)
    along = _text_lines(np.ascontiguousarray(bw.T), em)  # the page turned on its side
    if sum(w for *_, w, _h in along) > _SIDEWAYS * max(1, sum(w for *_, w, _h in across)):
        turns, bw, lines = 1, np.ascontiguousarray(np.rot90(bw, 1)), None
    elif across:
        turns, lines = 0, across
    else:
        return 0
    if lines is None:
        lines = _text_lines(bw, em)
        gray = np.rot90(gray, 1)
    if engine is None:
        engine = _cached_engine(THREADS)
    vote = 0.0
    for x, y, w, h in sorted(lines, key=lambda b: (-b[2], b[1], b[0]))[:_ORIENT_LINES]:
        # A piece about five characters long from the middle of the line, at full size: the
        # classifier squeezes anything longer into its 192 × 48 input.
        piece = min(w, 5 * h)
        x0 = x + (w - piece) // 2
        crop = np.ascontiguousarray(gray[max(0, 2 * y - 4):2 * (y + h) + 4, 2 * x0:2 * (x0 + piece)])
        res = engine(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR), use_det=False, use_cls=True,
                     use_rec=False, return_word_box=False)
        for label, score in getattr(res, "cls_res", None) or ():
            vote += float(score) if "180" in str(label) else -float(score)
    return (turns + 2) % 4 if vote > 0 else turns


def _text_lines(bw, em: float) -> list[tuple]:
    """Bars of print one character high and at least four long, after joining the characters
    along the rows: (x, y, w, h) each."""
    import cv2

    k = max(2, round(0.5 * em))
    joined = cv2.dilate(bw, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    _n, _l, stats, _c = cv2.connectedComponentsWithStats(joined, connectivity=8)
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h, _a in stats[1:]
            if w >= 4 * h and 0.6 * em <= h <= 2.0 * em]


def _skew(gray) -> float:
    """The page's skew in degrees (counter-clockwise rotation that levels it), from its long
    horizontal rulings; 0 if it has none."""
    import cv2
    import numpy as np

    runs = cv2.morphologyEx(_binary(gray), cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (25, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    slopes = []
    for i in range(1, n):
        x, y, w, h, _a = stats[i]
        if w < _SKEW_LINE or h > 0.09 * w:  # long, and within ±5°
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
        slopes.append((float(np.polyfit(xs.astype(float), ys.astype(float), 1)[0]), int(w)))
    if not slopes:
        return 0.0
    slopes.sort()
    half, acc = sum(w for _, w in slopes) / 2, 0
    for slope, w in slopes:  # the length-weighted median
        acc += w
        if acc >= half:
            return round(float(np.degrees(np.arctan(slope))), 2)
    return 0.0


def _rulings(bw, boxes: list | None = None):
    """Horizontal segments (y, x0, x1, ytop, ybottom), vertical segments (x, y0, y1) and a mask
    of the ruling pixels, from the binarised page (dark = 255). A short vertical run counts
    only if it joins two horizontal rulings and lies inside no OCR text box (in a tightly
    ruled table the strokes of "1", "（" or "中" nearly touch the rulings above and below)."""
    import cv2
    import numpy as np

    hmask = cv2.morphologyEx(bw, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (_H_KERNEL, 1)))
    hmask = cv2.morphologyEx(hmask, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (7, 1)))
    vmask = cv2.morphologyEx(bw, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (1, _V_KERNEL)))
    vmask = cv2.morphologyEx(vmask, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    hs = []  # candidates: a long run, or a shorter one (a bold stroke?) that meets a vertical
    n, hlabels, stats, _ = cv2.connectedComponentsWithStats(hmask, connectivity=8)
    for i in range(1, n):
        x, y, w, h, _a = stats[i]
        if w >= _H_KERNEL and h <= _MAX_THICK:
            hs.append((y + (h - 1) / 2, float(x), float(x + w - 1), float(y), float(y + h - 1), i))
    hs.sort()

    def touches(x: float, y: float) -> bool:
        return any(t - _TOUCH <= y <= b + _TOUCH and x0 - _TOUCH <= x <= x1 + _TOUCH
                   for _, x0, x1, t, b, _i in hs)

    def in_text(x: float, y0: float, y1: float) -> bool:
        return any(b.top < y1 and b.bottom > y0 and _in_glyph(bw, b, x, y0, y1) for b in boxes or ())

    def centre(x: float, y: float) -> float:  # of the horizontal ruling at (x, y)
        return next(yc for yc, x0, x1, t, b, _i in hs
                    if t - _TOUCH <= y <= b + _TOUCH and x0 - _TOUCH <= x <= x1 + _TOUCH)

    accepted, short = [], []
    for x, a, b in _vertical_runs(vmask):
        a, b = _trim(bw, x, a, b, boxes or ())
        if b - a + 1 < _V_KERNEL:
            continue
        if b - a + 1 >= _V_LONG:
            accepted.append((x, a, b))
        elif touches(x, a) and touches(x, b) and not in_text(x, a, b):
            short.append((x, a, b))
    # A short run between two rulings is a ruling if it lines up with a long one nearby (a
    # column boundary broken where text touches it) or fills the row from ruling to ruling (a
    # row split in two, at the foot of a page). A digit squeezed into a row is neither: "1" is
    # about 0.6 of the row's height at any resolution, however close blur brings it to the
    # rulings at 100 dpi (an undetected "1" taken for a ruling lost a whole row of table 三).
    longs = list(accepted)
    for x, a, b in short:
        if (b - a + 1 >= _ROW_SPAN * (centre(x, b) - centre(x, a))
                or any(abs(x - lx) <= _CLUSTER and la - _V_LONG <= b and lb + _V_LONG >= a
                       for lx, la, lb in longs)):
            accepted.append((x, a, b))
    vs = []
    vruled = np.zeros_like(bw)
    for x0, x1, y0, y1, x in _join_runs(accepted):
        if x1 - x0 + 1 > _MAX_THICK:  # a filled area, not a ruling
            continue
        vs.append((x, y0, y1))
        vruled[int(y0):int(y1) + 1, int(x0):int(x1) + 1] = vmask[int(y0):int(y1) + 1,
                                                                 int(x0):int(x1) + 1]
    vs.sort()

    def crossed(seg) -> bool:
        y, x0, x1, t, b, _i = seg
        return any(x0 - _TOUCH <= x <= x1 + _TOUCH and y0 - _TOUCH <= b and y1 + _TOUCH >= t
                   for x, y0, y1 in vs)

    hs = [s for s in hs if s[2] - s[1] >= _H_LONG or crossed(s)]
    hkeep = np.zeros(int(hlabels.max()) + 1, bool)
    for s in hs:
        hkeep[s[5]] = True
    ruled = np.where(hkeep[hlabels] | (vruled > 0), 255, 0).astype(np.uint8)
    hs = [s[:5] for s in hs]
    return hs, vs, ruled


def _vertical_runs(vmask) -> list[tuple]:
    """Vertical runs of the mask, column by column: (x, y0, y1), at least _V_KERNEL long.
    Runs, not connected components: a character touching a ruling would make one wide blob of
    the two."""
    import numpy as np

    m = (vmask > 0).astype(np.int8)
    pad = np.zeros((1, m.shape[1]), np.int8)
    d = np.diff(np.vstack([pad, m, pad]), axis=0)
    sy, sx = np.nonzero(d == 1)
    ey, ex = np.nonzero(d == -1)
    so, eo = np.lexsort((sy, sx)), np.lexsort((ey, ex))
    return [(float(x), float(a), float(b - 1)) for x, a, b in zip(sx[so], sy[so], ey[eo])
            if b - a >= _V_KERNEL]


def _in_glyph(bw, box: Word, x: float, a: float, b: float, strict: bool = False) -> bool:
    """Is the vertical run at x from a to b a stroke of the box's text? Not if it stands clear
    of ink on both sides (a ruling between two cells' text that OCR read as one box). With
    `strict`, only if ink is close on both sides: the box is padded and may reach over the
    ruling beside its first or last character, whose ink is close on one side only."""
    if not box.x0 + 1 < x < box.x1 - 1:
        return False
    # Not the rows where horizontal rulings cross it.
    top, bottom = int(max(a, box.top)) + 3, int(min(b, box.bottom)) - 2
    xi = int(x)
    if bottom - top < 3:
        return True
    left = bw[top:bottom, max(0, xi - _CLEAR - 2):max(0, xi - 2)]
    right = bw[top:bottom, xi + 3:xi + _CLEAR + 3]
    if not (left.size and right.size):
        return True
    return bool(left.any() and right.any()) if strict else bool(left.any() or right.any())


def _trim(bw, x: float, a: float, b: float, boxes) -> tuple[float, float]:
    """A vertical run without its ends inside text boxes: a stroke of a character that touches
    a ruling runs on into it. A run through a whole box (a ruling under two cells' text read as
    one box) is kept; a run inside a box goes entirely (returned with b < a)."""
    for box in boxes:
        if b <= box.top or a >= box.bottom or not _in_glyph(bw, box, x, a, b, strict=True):
            continue
        if a >= box.top and b <= box.bottom:
            return a, a - 1
        if a >= box.top:
            a = box.bottom
        elif b <= box.bottom:
            b = box.top
    return a, b


def _join_runs(runs: list[tuple]) -> list[tuple]:
    """Runs in neighbouring columns that overlap are one ruling (two pixels wide, say):
    (x0, x1, y0, y1, x) each, x the column with the most run pixels."""
    segments: list[list] = []  # [x0, x1, y0, y1, {column: pixels}]
    ending: dict[float, list] = {}  # column → segments whose last column it is
    for x, a, b in sorted(runs):
        seg = next((g for g in ending.get(x - 1, []) + ending.get(x, []) if g[2] <= b and a <= g[3]),
                   None)
        if seg is None:
            seg = [x, x, a, b, {}]
            segments.append(seg)
        elif seg[1] != x:
            ending[seg[1]].remove(seg)
        seg[1], seg[2], seg[3] = x, min(seg[2], a), max(seg[3], b)
        seg[4][x] = seg[4].get(x, 0) + b - a + 1
        if seg not in ending.setdefault(x, []):
            ending[x].append(seg)
    return [(g[0], g[1], g[2], g[3], max(g[4], key=lambda c: (g[4][c], -c))) for g in segments]


def _tables(hs: list, vs: list, ruled) -> list[Grid]:
    """Group rulings into tables (connected drawings) and make each a grid of cells."""
    import cv2
    import numpy as np

    if not hs or not vs:
        return []
    joined = cv2.dilate(ruled, np.ones((7, 7), np.uint8))
    _, labels = cv2.connectedComponents(joined, connectivity=8)
    h, w = ruled.shape

    def label_of(x: float, y: float) -> int:
        return int(labels[min(h - 1, max(0, round(y))), min(w - 1, max(0, round(x)))])

    groups: dict[int, tuple[list, list]] = {}
    for seg in hs:
        groups.setdefault(label_of((seg[1] + seg[2]) / 2, seg[0]), ([], []))[0].append(seg)
    for seg in vs:
        groups.setdefault(label_of(seg[0], (seg[1] + seg[2]) / 2), ([], []))[1].append(seg)
    grids = []
    for key in sorted(groups, key=lambda k: min([s[0] for s in groups[k][0]] +
                                               [s[1] for s in groups[k][1]])):
        gh, gv = groups[key]
        grid = _grid(gh, gv, ruled)
        if grid is not None:
            grids.append(grid)
    return grids


def _cluster(values: list) -> list:
    """Sorted values → one value per group of values closer than _CLUSTER (the group mean)."""
    groups: list[list] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= _CLUSTER:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _grid(hs: list, vs: list, ruled) -> Optional[Grid]:
    if len(vs) < 2 or not hs:
        return None
    ys = _cluster([s[0] for s in hs])
    xs = _cluster([s[0] for s in vs])
    # Open edges: a table cut by a page break has no ruling at the cut, but its verticals (or
    # horizontals) run to it.
    virtual_y, virtual_x = set(), set()
    top, bottom = min(s[1] for s in vs), max(s[2] for s in vs)
    left, right = min(s[1] for s in hs), max(s[2] for s in hs)
    if top < ys[0] - _OPEN_EDGE:
        ys.insert(0, top)
        virtual_y.add(0)
    if bottom > ys[-1] + _OPEN_EDGE:
        ys.append(bottom)
        virtual_y.add(len(ys) - 1)
    if left < xs[0] - _OPEN_EDGE:
        xs.insert(0, left)
        virtual_x.add(0)
    if right > xs[-1] + _OPEN_EDGE:
        xs.append(right)
        virtual_x.add(len(xs) - 1)
    if len(xs) < 3 or len(ys) < 2:  # one column: a ruled box around text, not a table
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1

    def v_drawn(k: int, r: int) -> bool:  # vertical boundary xs[k] between ys[r] and ys[r+1]
        return k in virtual_x or _drawn(ruled, xs[k], ys[r], ys[r + 1], vertical=True)

    def h_drawn(r: int, c: int) -> bool:  # horizontal boundary ys[r] between xs[c] and xs[c+1]
        return r in virtual_y or _drawn(ruled, ys[r], xs[c], xs[c + 1], vertical=False)

    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not v_drawn(c + 1, r):
                union(r * n_cols + c, r * n_cols + c + 1)
            if r + 1 < n_rows and not h_drawn(r + 1, c):
                union(r * n_cols + c, (r + 1) * n_cols + c)
    # Every merged cell must be a rectangle: merge groups until no group's bounding box holds
    # another group's position.
    while True:
        boxes: dict[int, list] = {}
        for r in range(n_rows):
            for c in range(n_cols):
                b = boxes.setdefault(find(r * n_cols + c), [r, r, c, c])
                b[0], b[1] = min(b[0], r), max(b[1], r)
                b[2], b[3] = min(b[2], c), max(b[3], c)
        changed = False
        for root, (r0, r1, c0, c1) in boxes.items():
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if find(r * n_cols + c) != find(root):
                        union(root, r * n_cols + c)
                        changed = True
        if not changed:
            break
    cells = []
    index: dict = {}
    for root, (r0, r1, c0, c1) in sorted(boxes.items(), key=lambda kv: (kv[1][0], kv[1][2])):
        cells.append((r0, r1 + 1, c0, c1 + 1))
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                index[(r, c)] = len(cells) - 1
    if len({c[2] for c in cells} | {c[3] for c in cells}) < 3:
        return None  # every row is one cell: a box around text
    return Grid(xs, ys, cells, index, (xs[0], ys[0], xs[-1], ys[-1]))


def _drawn(ruled, at: float, start: float, end: float, vertical: bool) -> bool:
    """Is the stretch from start to end along the line `at` ruled (mostly dark in the mask)?"""
    a, b = int(round(start)) + 3, int(round(end)) - 3
    if b <= a:
        return True
    lo, hi = int(round(at)) - 3, int(round(at)) + 4
    if vertical:
        band = ruled[a:b, max(0, lo):hi]
        covered = band.max(axis=1) if band.size else band
    else:
        band = ruled[max(0, lo):hi, a:b]
        covered = band.max(axis=0) if band.size else band
    return bool(covered.size) and (covered > 0).mean() >= _MIN_DRAWN


def _ink(ink, x0: float, y0: float, x1: float, y1: float):
    """The printed pixels inside a cell, as a boolean array (from _INSET inside the rulings)."""
    a, b = int(y0) + _INSET, int(y1) - _INSET + 1
    c, d = int(x0) + _INSET, int(x1) - _INSET + 1
    if b <= a or d <= c:
        return ink[0:0, 0:0] > 0
    return ink[a:b, c:d] > 0


def _has_ink(ink, x0: float, y0: float, x1: float, y1: float) -> bool:
    return int(_ink(ink, x0, y0, x1, y1).sum()) >= _INK_PIXELS


def _uncovered(ink, boxes: list[Word], x0, y0, x1, y1) -> int:
    """Printed pixels of a cell outside all its text boxes."""
    m = _ink(ink, x0, y0, x1, y1).copy()
    top, left = int(y0) + _INSET, int(x0) + _INSET
    for b in boxes:
        m[max(0, int(b.top) - 2 - top):max(0, int(b.bottom) + 3 - top),
          max(0, int(b.x0) - 2 - left):max(0, int(b.x1) + 3 - left)] = False
    return int(m.sum())


def _reread_cell(engine, gray, x0, y0, x1, y1) -> tuple[str, float]:
    """Detection and recognition on one cell alone (inside its rulings, on a white margin):
    (text, lowest score), ("", 0.0) if nothing is read."""
    import cv2
    import numpy as np

    a, b, c, d = int(y0) + _INSET, int(y1) - _INSET + 1, int(x0) + _INSET, int(x1) - _INSET + 1
    if b - a < 8 or d - c < 8:
        return "", 0.0
    crop = cv2.copyMakeBorder(np.ascontiguousarray(gray[a:b, c:d]), 12, 12, 12, 12,
                              cv2.BORDER_CONSTANT, value=255)
    res = engine(crop, use_det=True, use_cls=False, use_rec=True, return_word_box=False)
    if getattr(res, "boxes", None) is None or not res.txts:
        return "", 0.0
    boxes = []
    for quad, t, sc in zip(res.boxes, res.txts, res.scores):
        qx, qy = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
        boxes.append(Word(t, min(qx), min(qy), max(qx), max(qy), score=float(sc)))
    text = _cell_text(boxes)
    return (text, round(min(b.score for b in boxes), 4)) if text else ("", 0.0)


def _reread(engine, gray, ink, x0, y0, x1, y1) -> tuple[str, float]:
    """Recognition alone on the ink of a cell detection found empty: (text, score), or
    ("", 0.0) if nothing is read or the ink is taller than one line of text."""
    import numpy as np

    rows, cols = np.nonzero(_ink(ink, x0, y0, x1, y1))
    if rows.size < _INK_PIXELS or rows.max() - rows.min() > _MAX_REREAD:
        return "", 0.0
    top, left = int(y0) + _INSET, int(x0) + _INSET
    a, b = max(0, top + rows.min() - 4), top + rows.max() + 5
    c, d = max(0, left + cols.min() - 4), left + cols.max() + 5
    res = engine(np.ascontiguousarray(gray[a:b, c:d]), use_det=False, use_cls=False, use_rec=True,
                 return_word_box=False)
    txts, scores = getattr(res, "txts", None) or (), getattr(res, "scores", None) or ()
    text = normalize(" ".join(t for t in txts if t and t.strip()))
    if not text:
        return "", 0.0
    return text, round(min(float(x) for x in scores), 4)


def _lookalikes(text: str, conf: float, ink, x0, y0, x1, y1) -> tuple[str, float]:
    """Digits the recogniser read as look-alike letters, in a cell that is otherwise a number:
    "1O5" → "105"; a lone "一"/"丨"/"l" whose ink is a tall stroke → "1" (a flat one is a dash
    and stays). A value changed here is an inference: its confidence drops to _GUESSED."""
    t = text.strip()
    if _DIGITS_WITH_LOOKALIKES.fullmatch(t) and re.search(r"\d", t):
        fixed = t.translate(_TO_DIGIT)
        if fixed != t:
            return fixed, min(conf, _GUESSED)
    if len(t) == 1 and (t in _ONE_LIKE or t == "1"):
        import numpy as np

        rows, cols = np.nonzero(_ink(ink, x0, y0, x1, y1))
        if rows.size >= _INK_PIXELS:
            h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
            # "/" leans right: its top quarter is well right of its bottom quarter; a "1"
            # stands upright (its flag even pulls the top left).
            top = cols[rows <= rows.min() + h / 4].mean()
            bottom = cols[rows >= rows.max() - h / 4].mean()
            if (top - bottom) / h > _SLASH_LEAN:
                return "/", min(conf, _GUESSED)
            if t != "1" and h >= 1.8 * w:
                return "1", min(conf, _GUESSED)
    return text, conf


# ---- text ----------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """OCR text as printed: no spaces between Chinese characters, full-width punctuation next
    to Chinese (the recogniser prints "(一)" for the printed "（一）")."""
    text = _CJK_SPACE.sub("", text.strip())
    return _PUNCT_NEAR_CJK.sub(lambda m: _HALF_PUNCT[m.group(1) or m.group(2)], text)


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def _cell_text(boxes: list[Word]) -> str:
    return layout.cell_text(boxes, OCR_SETTINGS, normalize)
