"""OCR seconds per page on one core.

    python bench/ocr.py [scan.pdf ...]

Without arguments, the real PDFs of ../shared/corpus are rasterised at 150 dpi into image-only
PDFs first (as tests/test_ocr.py does). onnxruntime runs with one intra-op thread and the
process is pinned to one CPU where the OS allows it. Prints wall and CPU seconds per page for
each document and overall; the target is ≤ 3 s/page.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TARGET = 3.0


def main(paths: list[str]) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import pypdfium2 as pdfium

    from extractor.readers import ocr

    engine = ocr._cached_engine(1)  # one intra-op thread, whatever XXGK_OCR_THREADS says
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-ocr-") as tmp:
        if not paths:
            from test_ocr import REAL_PDFS, make_scan

            paths = [str(make_scan(p, Path(tmp) / f"{p.stem}-scan.pdf")) for p in REAL_PDFS]
        warm = pdfium.PdfDocument(paths[0])
        ocr.read_image(warm[0].render(scale=ocr.DPI / 72).to_numpy(), 1, *warm[0].get_size(), engine)
        warm.close()
        total_wall = total_cpu = 0.0
        total_pages = 0
        for path in paths:
            pdf = pdfium.PdfDocument(path)
            wall0, cpu0 = time.perf_counter(), time.process_time()
            for i in range(len(pdf)):
                page = pdf[i]
                img = page.render(scale=ocr.DPI / 72).to_numpy()
                ocr.read_image(img, i + 1, *page.get_size(), engine)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            n = len(pdf)
            pdf.close()
            total_wall, total_cpu, total_pages = total_wall + wall, total_cpu + cpu, total_pages + n
            print(f"{Path(path).name:36s} {n:3d} pages {wall / n:5.2f} s/page wall {cpu / n:5.2f} s/page CPU")
    wall, cpu = total_wall / total_pages, total_cpu / total_pages
    print(f"{'all':36s} {total_pages:3d} pages {wall:5.2f} s/page wall {cpu:5.2f} s/page CPU "
          f"(target ≤ {TARGET} s/page; wall is {wall / TARGET:.0%} of it)")


if __name__ == "__main__":
    main(sys.argv[1:])
