"""OCR seconds per page on one core, against rapidocr's own full-page call.

    python bench/ocr.py [scan.pdf ...]

Without arguments, the real PDFs of ../shared/corpus are rasterised at 150 dpi into image-only
PDFs first (as tests/test_ocr.py does), and the table pictures of the saved page, DOCX and PDF
in ../shared/corpus/hard that carry them are timed too: each picture as the reader hands it to
OCR (on white, at 150 dpi), captured by reading the document. onnxruntime runs with one intra-op thread and the
process is pinned to one CPU where the OS allows it. For every page it times two things on the
same rendered image:

- rapidocr: `RapidOCR()(image)` with rapidocr's defaults (full-size detection, the angle
  classifier, recognition), only the model paths (the wheel's) and one thread given;
- xxgk: what the OCR reader does to read a scanned page (ocr.orientation + ocr.read_image:
  orientation, levelling, detection, recognition, rulings, cells, re-reads).

Prints CPU seconds per page (or picture) for each document and overall, and the ratio
xxgk / rapidocr; the target (issue 13) is a ratio ≤ 0.5 for scanned pages and table pictures
alike.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TARGET = 0.5


def rapidocr_default(ocr):
    """rapidocr as it comes (its defaults), with the wheel's models and one thread."""
    from rapidocr import RapidOCR

    paths = ocr._model_paths()
    params = {"Global.log_level": "critical", "Det.model_path": paths["det"], "Rec.model_path": paths["rec"],
              "EngineConfig.onnxruntime.intra_op_num_threads": 1,
              "EngineConfig.onnxruntime.inter_op_num_threads": 1}
    if "cls" in paths:
        params["Cls.model_path"] = paths["cls"]
    return RapidOCR(params=params)


def main(paths: list[str]) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import numpy as np
    import pypdfium2 as pdfium

    from extractor.readers import ocr

    engine = ocr._cached_engine(1)  # one intra-op thread, whatever XXGK_OCR_THREADS says
    plain = rapidocr_default(ocr)

    def xxgk(img, number, size):
        turns = ocr.orientation(img, engine)
        if turns:
            img = np.ascontiguousarray(np.rot90(img, turns))
            size = size[::-1] if turns % 2 else size
        ocr.read_image(img, number, *size, engine)

    def timed(fn, *args) -> float:
        cpu0 = time.process_time()
        fn(*args)
        return time.process_time() - cpu0

    def compare(name: str, images: list) -> tuple[float, float]:
        """(xxgk, rapidocr) CPU seconds over the images [(img, number, (width, height))]."""
        ours = theirs = 0.0
        for img, number, size in images:
            theirs += timed(plain, img)
            ours += timed(xxgk, img, number, size)
        n = len(images)
        print(f"{name:36s} {n:3d} images rapidocr {theirs / n:5.2f} s/image xxgk {ours / n:5.2f} s/image "
              f"ratio {ours / theirs:4.2f}")
        return ours, theirs

    def total(name: str, runs: list) -> None:
        if not runs:
            return
        n = sum(k for k, _o, _t in runs)
        ours, theirs = sum(o for _k, o, _t in runs) / n, sum(t for _k, _o, t in runs) / n
        print(f"{name:36s} {n:3d} images rapidocr {theirs:5.2f} s/image xxgk {ours:5.2f} s/image "
              f"ratio {ours / theirs:4.2f} (target ≤ {TARGET})")

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-ocr-") as tmp:
        pictures = []
        if not paths:
            from test_ocr import REAL_PDFS, make_scan

            paths = [str(make_scan(p, Path(tmp) / f"{p.stem}-scan.pdf")) for p in REAL_PDFS]
            pictures = table_pictures(ocr)
        warm = pdfium.PdfDocument(paths[0])
        img = warm[0].render(scale=ocr.DPI / 72).to_numpy()
        xxgk(img, 1, warm[0].get_size())
        plain(img)
        warm.close()
        pages = []
        for path in paths:
            pdf = pdfium.PdfDocument(path)
            rendered = [(pdf[i].render(scale=ocr.DPI / 72).to_numpy(), i + 1, pdf[i].get_size())
                        for i in range(len(pdf))]
            pdf.close()
            pages.append((len(rendered), *compare(Path(path).name, rendered)))
        total("scanned pages", pages)
        runs = [(len(images), *compare(name, images)) for name, images in pictures]
        total("table pictures", runs)


def table_pictures(ocr) -> list:
    """[(document name, [(image, number, (width, height)), …])]: what the readers hand to
    ocr.read_image when they read the hard corpus's documents whose tables are pictures."""
    from conftest import SHARED

    from extractor import readers

    hard = SHARED / "corpus" / "hard"
    docs = sorted(p for p in hard.glob("*") if p.suffix in (".html", ".docx", ".pdf")
                  and "tables-as-images" in manifest(hard).get(p.name, ""))
    captured: list = []
    real = ocr.read_image

    def capture(img, number, width, height, engine=None):
        captured.append((img.copy(), number, (width, height)))
        return real(img, number, width, height, engine)

    ocr.read_image = capture
    try:
        out = []
        for doc in docs:
            captured.clear()
            readers.read(doc)
            if captured:
                out.append((doc.name, list(captured)))
        return out
    finally:
        ocr.read_image = real


def manifest(folder: Path) -> dict:
    """File name → its layout variations, from the corpus's MANIFEST.tsv."""
    rows = (line.split("\t") for line in (folder / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:])
    return {Path(r[0]).name: r[7] for r in rows if len(r) > 7}

if __name__ == "__main__":
    main(sys.argv[1:])
