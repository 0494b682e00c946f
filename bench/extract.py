"""Extraction speed per format; for PDFs against pdfplumber's bare parse and poppler's pdftotext.

    python bench/extract.py [FOLDER ...] [--repeat 5]   (default: corpus/ and, if present, ../shared/corpus)

For each file, the whole extraction (read → sections → template mapping → metadata → checks), with
the default PDF source (pdfium) and, for PDFs, with `--pdf-engine pdfplumber`. For each PDF two
baselines on the same file in the same run:

- pdfplumber's bare parse: `page.extract_words()` and `page.find_tables()` on every page, the
  least any pdfplumber-based extractor does;
- `pdftotext -layout FILE /dev/null` (poppler, C++), the floor: a fresh process each run, as
  a command-line user would call it.

PDFs that are read by OCR in part or whole (scans, tables printed as pictures) are listed as
"pdf+ocr" and left out of the ratios: their time is OCR's (bench/ocr.py measures it).

Targets (issue 18): on the real PDFs (../shared/corpus/real), the full extraction ≤ 3× pdftotext;
with pdfplumber as the source it stays ≤ 1.2× pdfplumber's bare parse. Each figure is the best
of --repeat runs, so that one run slowed by the machine does not decide a ratio; on a busy
machine run it twice. pdftotext missing (Debian: poppler-utils) leaves its column empty.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extractor.pipeline import extract  # noqa: E402
from extractor.readers import read, sniff  # noqa: E402
from timing import bare_pdfplumber, best_of  # noqa: E402

TARGET_PDFTOTEXT = 3.0
TARGET_PLUMBER = 1.2
PLUMBER = {"pdf_engine": "pdfplumber"}


def pdftotext(path: Path) -> None:
    subprocess.run(["pdftotext", "-layout", str(path), "/dev/null"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ocr(path: Path) -> bool:
    """Is some of the file read by OCR (a scanned page, a table printed as a picture)?"""
    doc = read(path)
    return doc.format == "ocr" or bool(doc.notices) or bool(doc.meta.get("pages_without_text"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    folders = args.folders or [p for p in (ROOT / "corpus", ROOT.parent / "shared" / "corpus")
                               if p.is_dir()]
    files = sorted(p for f in folders for p in f.rglob("*")
                   if p.is_file() and p.suffix.lower() in {".pdf", ".docx", ".html", ".htm", ".txt"}
                   and p.name != "README.md")
    has_pdftotext = shutil.which("pdftotext") is not None
    extract(files[0])  # warm up imports and rule loading once
    per_format: dict[str, list[float]] = defaultdict(list)
    floor_ratios, real_ratios, plumber_ratios = [], [], []
    print(f"{'file':34} {'format':6} {'xxgk s':>8} {'xxgk-plumber s':>14} {'bare plumber s':>14} "
          f"{'pdftotext s':>11} {'÷pdftotext':>10} {'plumber÷bare':>12}")
    for path in files:
        fmt = sniff(str(path))
        if fmt == "pdf" and _ocr(path):
            fmt = "pdf+ocr"  # a scan, or tables printed as pictures: OCR's time, not the PDF source's
        t = best_of(args.repeat, lambda: extract(path))
        per_format[fmt].append(t)
        line = f"{path.name[:34]:34} {fmt:6} {t:8.4f}"
        if fmt == "pdf":
            tp = best_of(max(2, args.repeat // 2), lambda: extract(path, config=PLUMBER))
            bare = best_of(max(2, args.repeat // 2), lambda: bare_pdfplumber(path))
            plumber_ratios.append(tp / bare)
            line += f" {tp:14.4f} {bare:14.4f}"
            if has_pdftotext:
                floor = best_of(args.repeat, lambda: pdftotext(path))
                floor_ratios.append(t / floor)
                if path.parent.name == "real":
                    real_ratios.append(t / floor)
                line += f" {floor:11.4f} {t / floor:10.2f}"
            else:
                line += f" {'':11} {'':10}"
            line += f" {tp / bare:12.2f}"
        print(line)
    print()
    for fmt, ts in sorted(per_format.items()):
        print(f"{fmt}: {len(ts)} reports, mean {statistics.mean(ts):.4f} s/report, "
              f"{1 / statistics.mean(ts):.1f} reports/s")
    if real_ratios:
        print(f"real PDFs: xxgk / pdftotext = mean {statistics.mean(real_ratios):.2f}×, "
              f"max {max(real_ratios):.2f}× (target ≤ {TARGET_PDFTOTEXT}×)")
    if floor_ratios:
        print(f"all PDFs: xxgk / pdftotext = mean {statistics.mean(floor_ratios):.2f}×, "
              f"max {max(floor_ratios):.2f}×")
    elif not has_pdftotext:
        print("pdftotext not found (Debian: apt install poppler-utils): no floor measured")
    if plumber_ratios:
        print(f"pdf with --pdf-engine pdfplumber: extraction / bare pdfplumber = mean "
              f"{statistics.mean(plumber_ratios):.2f}×, max {max(plumber_ratios):.2f}× "
              f"(target ≤ {TARGET_PLUMBER}×)")


if __name__ == "__main__":
    main()
