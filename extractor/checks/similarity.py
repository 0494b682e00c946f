"""Text similarity for X04 (copied text): masking, character n-grams, Jaccard, MinHash and LSH bands.

Pure functions on strings; extractor/checks/crossyear.py stores the signatures and finds candidates.

    m = mask(text, names=["某某县人民政府"])    # years → 年, numbers → #, own names → □
    jaccard(shingles(m1), shingles(m2))        # exact, for two years of one issuer
    (minhash(s1) == minhash(s2)).mean()        # estimate (±0.04), for same-year look-alikes
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache
from typing import Iterable

NGRAM = 5
N_PERM, BANDS = 128, 32
ROWS = N_PERM // BANDS
SIG_VERSION = 1  # bump when masking or hashing changes: stored signatures are then recomputed
_PRIME = (1 << 32) + 15  # a prime above every crc32 value

_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?|[〇○零一二三四五六七八九]{4}\s*年")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_SELF = re.compile(r"[我本](?:局|委|厅|办|区|市|县|镇|乡|街道|中心|院|会|署|单位|机关|部门)"
                   r"|[省市县区镇乡](?:人民)?政府(?:办公[室厅])?")


def mask(text: str, names: Iterable[str] = ()) -> str:
    """Text for comparison: no whitespace; years → 年, other numbers → #, the issuer's own names and
    self-references (我局, 区政府) → □."""
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r"\s+", "", s)
    for n in names:
        if n:
            s = s.replace(n, "□")
    s = _YEAR.sub("年", s)
    s = _NUM.sub("#", s)
    s = _SELF.sub("□", s)
    return s


def shingles(masked: str, n: int = NGRAM) -> set[str]:
    return {masked[i:i + n] for i in range(len(masked) - n + 1)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=1)
def _perms():
    import numpy as np

    rng = np.random.default_rng(20240601)
    a = rng.integers(1, 1 << 31, size=N_PERM, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=N_PERM, dtype=np.uint64)
    return a, b


def minhash(sh: set[str]):
    """N_PERM-value MinHash signature (numpy uint64) of a set of shingles."""
    import numpy as np

    a, b = _perms()
    h = np.fromiter((zlib.crc32(x.encode("utf-8")) for x in sh), dtype=np.uint64, count=len(sh))
    out = np.empty(N_PERM, dtype=np.uint64)
    step = 4096
    out[:] = np.iinfo(np.uint64).max
    for i in range(0, len(h), step):
        part = (a[:, None] * h[None, i:i + step] + b[:, None]) % np.uint64(_PRIME)
        np.minimum(out, part.min(axis=1), out=out)
    return out


def bands(sig) -> list[int]:
    """The LSH bucket of each of the BANDS bands of a signature (equal buckets: a candidate pair)."""
    return [zlib.crc32(sig[k * ROWS:(k + 1) * ROWS].tobytes()) ^ (k << 24) for k in range(BANDS)]


def estimate(sig, others):
    """Estimated Jaccard of `sig` with each row of `others` (an n × N_PERM array)."""
    return (others == sig).mean(axis=1)
