"""Extraction speed per format, and for PDFs the ratio to pdfplumber's bare parse.

    python bench/extract.py [FOLDER ...]    (default: corpus/ and, if present, ../shared/corpus)

For each PDF the baseline is, in the same process, `page.extract_words()` plus
`page.find_tables()` on every page: the least any pdfplumber-based extractor must do. The
whole extraction (read → sections → template mapping → metadata → checks) should cost at most
1.5× that. Each measurement is the best of --repeat runs so that one noisy run does not decide.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extractor.pipeline import extract  # noqa: E402
from timing import bare_pdfplumber, best_of  # noqa: E402
from extractor.readers import sniff  # noqa: E402




def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    folders = args.folders or [p for p in (ROOT / "corpus", ROOT.parent / "shared" / "corpus")
                               if p.is_dir()]
    files = sorted(p for f in folders for p in f.rglob("*")
                   if p.is_file() and p.suffix.lower() in {".pdf", ".docx", ".html", ".htm", ".txt"}
                   and p.name != "README.md")
    extract(files[0])  # warm up imports and rule loading once
    per_format: dict[str, list[float]] = defaultdict(list)
    ratios = []
    print(f"{'file':42} {'format':6} {'extract s':>10} {'bare s':>8} {'ratio':>6}")
    for path in files:
        fmt = sniff(str(path))
        t = best_of(args.repeat, lambda: extract(path))
        per_format[fmt].append(t)
        line = f"{path.name[:42]:42} {fmt:6} {t:10.4f}"
        if fmt == "pdf":
            b = best_of(args.repeat, lambda: bare_pdfplumber(path))
            ratios.append(t / b)
            line += f" {b:8.4f} {t / b:6.2f}"
        print(line)
    print()
    for fmt, ts in sorted(per_format.items()):
        print(f"{fmt}: {len(ts)} reports, mean {statistics.mean(ts):.4f} s/report, "
              f"{1 / statistics.mean(ts):.1f} reports/s")
    if ratios:
        print(f"pdf: extraction / bare pdfplumber = mean {statistics.mean(ratios):.2f}×, "
              f"max {max(ratios):.2f}× (target ≤ 1.5×)")


if __name__ == "__main__":
    main()
