"""Shared by the bench scripts: the measurements every ratio is taken against."""
from __future__ import annotations

import time
from pathlib import Path


def best_of(n: int, fn) -> float:
    """The fastest of n runs, in seconds: one noisy run must not decide a ratio."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bare_pdfplumber(path: Path) -> None:
    """The least any pdfplumber-based extractor must do: words and tables of every page."""
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words()
            page.find_tables()
