"""OCR seconds per page on one core, against rapidocr's own full-page call.

    python bench/ocr.py [scan.pdf ...]

Without arguments, the real PDFs of ../shared/corpus are rasterised at 150 dpi into image-only
PDFs first (as tests/test_ocr.py does). onnxruntime runs with one intra-op thread and the
process is pinned to one CPU where the OS allows it. For every page it times two things on the
same rendered image:

- rapidocr: `RapidOCR()(image)` with rapidocr's defaults (full-size detection, the angle
  classifier, recognition), only the model paths (the wheel's) and one thread given;
- xxgk: what the OCR reader does to read a scanned page (ocr.orientation + ocr.read_image:
  orientation, levelling, detection, recognition, rulings, cells, re-reads).

Prints CPU seconds per page for each document and overall, and the ratio xxgk / rapidocr; the
target (issue 13) is a ratio ≤ 0.5.
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

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-ocr-") as tmp:
        if not paths:
            from test_ocr import REAL_PDFS, make_scan

            paths = [str(make_scan(p, Path(tmp) / f"{p.stem}-scan.pdf")) for p in REAL_PDFS]
        warm = pdfium.PdfDocument(paths[0])
        img = warm[0].render(scale=ocr.DPI / 72).to_numpy()
        xxgk(img, 1, warm[0].get_size())
        plain(img)
        warm.close()
        total_ours = total_plain = 0.0
        total_pages = 0
        for path in paths:
            pdf = pdfium.PdfDocument(path)
            ours = theirs = 0.0
            for i in range(len(pdf)):
                page = pdf[i]
                img = page.render(scale=ocr.DPI / 72).to_numpy()
                theirs += timed(plain, img)
                ours += timed(xxgk, img, i + 1, page.get_size())
            n = len(pdf)
            pdf.close()
            total_ours, total_plain, total_pages = total_ours + ours, total_plain + theirs, total_pages + n
            print(f"{Path(path).name:36s} {n:3d} pages  rapidocr {theirs / n:5.2f} s/page  "
                  f"xxgk {ours / n:5.2f} s/page  ratio {ours / theirs:4.2f}")
    ours, theirs = total_ours / total_pages, total_plain / total_pages
    print(f"{'all':36s} {total_pages:3d} pages  rapidocr {theirs:5.2f} s/page  xxgk {ours:5.2f} s/page  "
          f"ratio {ours / theirs:4.2f} (target ≤ {TARGET})")


if __name__ == "__main__":
    main(sys.argv[1:])
