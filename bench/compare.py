"""Time comparing two reports already in a database (extractor/compare.py; target ≤ 0.5 s).

    python bench/compare.py reports.db [A B]     # A B: file names or sha256 prefixes; default every
                                                 # consecutive pair of each issuer's years

Each pair is timed cold (a fresh connection: the reports are read from SQLite) and the worst and
mean are printed with the target.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor import compare as C  # noqa: E402
from extractor.store import open_db  # noqa: E402

TARGET_S = 0.5


def main(db_path: str, refs: list[str]) -> None:
    db = open_db(db_path)
    pairs = [(C.resolve(db, refs[0]), C.resolve(db, refs[1]))] if refs else C.consecutive_pairs(db)
    C.compare_shas(db, *pairs[0])  # warm the label layout and imports
    times = []
    for a, b in pairs:
        fresh = open_db(db_path)
        t0 = time.perf_counter()
        c = C.compare_shas(fresh, a, b)
        times.append(time.perf_counter() - t0)
        print(f"{times[-1]:.3f} s  {c.a.label} → {c.b.label}")
    print(f"{len(times)} pairs: mean {sum(times) / len(times):.3f} s, worst {max(times):.3f} s "
          f"(target ≤ {TARGET_S} s)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
