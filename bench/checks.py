"""Time run_checks on already extracted reports (gold cells + the documents' sentences).

    python bench/checks.py [repeats]

Prints milliseconds per report for each document and the mean; the target is < 5 ms.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the report builders live with the tests

from extractor.checks import run_checks  # noqa: E402
from test_checks_gold import DOCS, build  # noqa: E402

TARGET_MS = 5.0


def main(repeats: int = 200) -> None:
    times = {}
    for stem in sorted(DOCS):
        report = build(stem)
        run_checks(report)  # warm the catalog and regex caches
        start = time.perf_counter()
        for _ in range(repeats):
            run_checks(report)
        times[stem] = (time.perf_counter() - start) * 1000 / repeats
        print(f"{stem:28s} {len(report.cells):4d} cells {len(report.paragraphs):3d} paragraphs "
              f"{times[stem]:6.2f} ms/report")
    mean = sum(times.values()) / len(times)
    print(f"{'mean':28s} {mean:6.2f} ms/report (target < {TARGET_MS} ms, {mean / TARGET_MS:.0%} of it)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
