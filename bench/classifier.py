"""Section classifier throughput on one core: paragraphs per second (target ≥ 1,000/s).

    .venv/bin/python bench/classifier.py [--n 20000] [--batch 256] [--min 1000]

Paragraphs are those of the labelled corpus (../shared/corpus real + synthetic, corpus/ samples),
repeated to --n. Timed: `SectionClassifier.proba` = prepare + jieba (domain dictionary) + spaCy
`nlp.pipe` with the BOW textcat (no torch), batched; and the same plus the monotone smoothing as
assign.py runs it per document. Model loading and the first batch are excluded (warm-up).
Exit status 1 when the rate is below --min.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def one_core() -> str:
    try:
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    except (AttributeError, OSError):
        return "not pinned (sched_setaffinity unavailable)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000, help="paragraphs to classify")
    ap.add_argument("--batch", type=int, default=256, help="nlp.pipe batch size")
    ap.add_argument("--min", type=float, default=1000.0, help="fail below this many paragraphs/s")
    args = ap.parse_args()
    pinned = one_core()

    from extractor.sections import classifier as C
    from extractor.sections.evaluate import load_documents

    docs = load_documents()
    per_doc = [[text for text, _ in d.ld.examples] for d in docs]
    texts = [t for ts in per_doc for t in ts]
    if not texts:
        print("no labelled paragraphs found", file=sys.stderr)
        return 2
    reps = -(-args.n // len(texts))
    work = (texts * reps)[: args.n]
    chars = sum(len(t) for t in work)

    t0 = time.perf_counter()
    model = C.get_model()
    if model is None:
        print(f"no model in {C.MODEL_DIR}; run `xxgk train`", file=sys.stderr)
        return 2
    model.proba(texts[: args.batch], batch_size=args.batch)  # warm-up
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    model.proba(work, batch_size=args.batch)
    dt = time.perf_counter() - t0
    rate = len(work) / dt

    # With sequence smoothing, one document at a time (as assign.py does).
    import numpy as np
    docs_work = (per_doc * reps)
    n_done, t0 = 0, time.perf_counter()
    for ts in docs_work:
        if n_done >= args.n:
            break
        lp = model.log_proba(ts)
        C.monotone_decode(np.asarray(lp), 0, len(C.LABELS) - 1)
        n_done += len(ts)
    rate_doc = n_done / (time.perf_counter() - t0)

    size = sum(f.stat().st_size for f in C.MODEL_DIR.rglob("*") if f.is_file())
    print(f"section classifier, one core ({pinned}); model {size / 1e6:.2f} MB, load+warm-up {load_s:.2f} s")
    print(f"  batched nlp.pipe (batch {args.batch}): {len(work)} paragraphs ({chars / len(work):.0f} chars avg) "
          f"in {dt:.2f} s = {rate:,.0f} paragraphs/s")
    print(f"  per document + monotone smoothing: {n_done} paragraphs = {rate_doc:,.0f} paragraphs/s")
    ok = min(rate, rate_doc) >= args.min
    print(f"  target ≥ {args.min:,.0f}/s: {'ok' if ok else 'BELOW TARGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
