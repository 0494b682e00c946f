"""Which pairs of stored reports the cross-report checks (spec §C.9, X01–X07; functions in
checks/pairs.py, run by the engine's run_pair) compare, and where their flags are kept.

    flags = run_crossyear(db, sha256)   # after store.save_report(db, report), in the writer process

A report is compared with every stored report of the same issuer (extractor/issuers.py) for the
year before and the year after, whichever of the two was stored first: adding 2024 then 2023 gives
the same flags as 2023 then 2024. Its sections 一/五/六 are also compared with every other issuer's
report of the same year (X04 at info level: boilerplate shared across departments).

Storage: `crossyear_flags` holds one row per finding about a PAIR of reports: `report` is the later
report (for the same-year comparison: the one with the smaller sha256) and `other_report` the
earlier one. store._delete removes every row that names a report when that report is re-audited or
removed, and run_crossyear deletes and recomputes every pair of the report it is given (and of
reports whose issuer changed), so nothing stale survives and re-auditing either side of a pair
recomputes it. `crossyear_text` keeps a MinHash signature of each report's masked sections
一/五/六 and `crossyear_lsh` its LSH band buckets: finding same-year look-alikes is an indexed
lookup, never a comparison of all pairs of texts.

X04 text similarity (checks/similarity.py): sections 一、五、六 with whitespace removed, digits, years
and the issuer's own name masked, then the Jaccard index of the sets of character 5-grams. Between
two years of one issuer it is computed exactly; between issuers of the same year it is estimated
from 128-value MinHash signatures (error about ±0.04), after LSH (32 bands × 4 rows) has picked the
candidates.
"""
from __future__ import annotations

import json
import time
from typing import Optional

from .. import issuers as I
from ..report import CellValue, Flag, Pair, StoredReport
from ..status import READ_STATUSES
from .engine import run_pair
from .pairs import MIN_CHARS, combined_text, masked_sections
from .similarity import N_PERM, SIG_VERSION, bands, estimate, minhash, shingles

PEER_MIN = 0.80  # same year, other issuer: info from this (MinHash estimate)


def _conn(db):
    return getattr(db, "conn", db)


# ----------------------------------------------------------------------------- one stored report

def _cell(key, value, number, blank, raw, row_label, col_label, page) -> CellValue:
    shown = None if blank else (number if number is not None else value)
    if isinstance(shown, float) and shown.is_integer() and "." not in (raw or ""):
        shown = int(shown)
    return CellValue(key, shown, raw or "", row_label or "", col_label or "", page)


def load_stored(conn, sha: str, cache: dict) -> Optional[StoredReport]:
    if sha in cache:
        return cache[sha]
    row = conn.execute("SELECT name, report_year, template, status, issuer, title FROM reports WHERE sha256 = ?",
                       [sha]).fetchone()
    if row is None:
        cache[sha] = None
        return None
    iss = conn.execute("SELECT i.id, i.name, i.kind, ri.body, ri.chain, ri.printed FROM report_issuers ri "
                       "LEFT JOIN issuers i ON i.id = ri.issuer_id WHERE ri.report = ?", [sha]).fetchone()
    cells = {r[0]: _cell(*r) for r in conn.execute(
        "SELECT key, value, number, blank, raw, row_label, col_label, page FROM cells WHERE report = ?", [sha])}
    texts: dict[str, list[str]] = {}
    for sec, text in conn.execute("SELECT section, text FROM paragraphs WHERE report = ? AND NOT is_heading "
                                  "ORDER BY idx", [sha]):
        texts.setdefault(sec, []).append(text or "")
    # the report's own names only (not the issuer's other aliases), so that its masked text, and the
    # signature stored for it, depend on nothing but the report
    names = {row[4] or ""}
    if iss:
        chain = json.loads(iss[4] or "[]")
        names |= {iss[5] or "", "".join(chain) + (iss[3] or ""), *chain}
    names = sorted({I.normalise_name(n) for n in names if n and len(I.normalise_name(n)) >= 2}, key=len,
                   reverse=True)
    s = StoredReport(sha, row[0] or sha[:12], row[1], row[2], row[3] or "", iss[0] if iss else None,
                     iss[1] if iss else None, iss[2] if iss else None, cells,
                     {k: "\n".join(v) for k, v in texts.items()}, names, iss[5] if iss else row[4])
    cache[sha] = s
    return s


def _meta(conn, sha: str) -> Optional[StoredReport]:
    """A stored report without cells and text (for naming a same-year look-alike)."""
    row = conn.execute(
        "SELECT r.name, r.report_year, r.template, r.status, i.id, i.name, i.kind, "
        "COALESCE(ri.printed, r.issuer) FROM reports r "
        "LEFT JOIN report_issuers ri ON ri.report = r.sha256 LEFT JOIN issuers i ON i.id = ri.issuer_id "
        "WHERE r.sha256 = ?", [sha]).fetchone()
    if row is None:
        return None
    return StoredReport(sha, row[0] or sha[:12], row[1], row[2], row[3] or "", row[4], row[5], row[6], {}, {},
                        [], row[7])


# ----------------------------------------------------------------------------- same-year signatures

def _update_text(conn, s: StoredReport) -> None:
    import numpy as np

    conn.execute("DELETE FROM crossyear_lsh WHERE report = ?", [s.sha])
    conn.execute("DELETE FROM crossyear_text WHERE report = ?", [s.sha])
    combined = combined_text(masked_sections(s)) if s.status in READ_STATUSES else ""
    sig = None
    if s.year is not None and len(combined) >= MIN_CHARS:
        sig = minhash(shingles(combined))
        conn.executemany("INSERT INTO crossyear_lsh (report, report_year, band, bucket) VALUES (?, ?, ?, ?)",
                         [(s.sha, s.year, k, b) for k, b in enumerate(bands(sig))])
    conn.execute("INSERT INTO crossyear_text (report, report_year, n_chars, minhash, version, computed_at) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 [s.sha, s.year, len(combined), None if sig is None else sig.astype(np.uint64).tobytes(),
                  SIG_VERSION, time.strftime("%Y-%m-%dT%H:%M:%S")])


def _peer_candidates(conn, s: StoredReport, sig) -> list[tuple[str, bytes]]:
    """Same-year reports sharing at least one LSH band with this one (indexed lookups)."""
    found: set[str] = set()
    for band, bucket in enumerate(bands(sig)):
        found.update(r for (r,) in conn.execute(
            "SELECT report FROM crossyear_lsh WHERE report_year = ? AND band = ? AND bucket = ?",
            [s.year, band, bucket]))
    found.discard(s.sha)
    out: list[tuple[str, bytes]] = []
    shas = sorted(found)
    for k in range(0, len(shas), 500):
        part = shas[k:k + 500]
        out += conn.execute(f"SELECT report, minhash FROM crossyear_text WHERE report IN ({','.join('?' * len(part))}) "
                            "AND minhash IS NOT NULL ORDER BY report", part).fetchall()
    return out


def _peer_flags(conn, s: StoredReport, config: Optional[dict]) -> list[Flag]:
    import numpy as np

    row = conn.execute("SELECT minhash FROM crossyear_text WHERE report = ?", [s.sha]).fetchone()
    if not row or row[0] is None:
        return []
    sig = np.frombuffer(row[0], dtype=np.uint64)
    cands = _peer_candidates(conn, s, sig)
    if not cands:
        return []
    sims = estimate(sig, np.frombuffer(b"".join(blob for _, blob in cands), dtype=np.uint64)
                    .reshape(len(cands), N_PERM))
    out: list[Flag] = []
    for (other, _), est in zip(cands, sims):
        if est < PEER_MIN:
            continue
        o = _meta(conn, other)
        if o is None or o.status not in READ_STATUSES or o.year != s.year:
            continue
        if s.issuer_id is not None and o.issuer_id == s.issuer_id:
            continue  # the same issuer twice in one year (a duplicate file), not boilerplate
        a, b = sorted([s, o], key=lambda r: r.sha)
        out += run_pair(b, a, config, scope="peer", estimate=float(est))
    return out


# ----------------------------------------------------------------------------- pairs

def neighbours(conn, s: StoredReport) -> list[str]:
    """Stored readable reports of the same issuer for the years Y−1 and Y+1."""
    if s.issuer_id is None or s.year is None:
        return []
    marks = ", ".join("?" * len(READ_STATUSES))
    return [sha for (sha,) in conn.execute(
        "SELECT r.sha256 FROM report_issuers ri JOIN reports r ON r.sha256 = ri.report WHERE ri.issuer_id = ? "
        f"AND r.report_year IN (?, ?) AND r.status IN ({marks}) ORDER BY r.report_year, r.sha256",
        [s.issuer_id, s.year - 1, s.year + 1, *READ_STATUSES])]


def check_pair(prev: StoredReport, cur: StoredReport, config: Optional[dict] = None) -> list[Flag]:
    """X01–X07 for two reports of one issuer, prev for year Y−1 and cur for year Y."""
    return run_pair(prev, cur, config)


def _recompute(conn, sha: str, cache: dict, config: Optional[dict]) -> None:
    """Delete and recompute every pair that involves this report."""
    conn.execute("DELETE FROM crossyear_flags WHERE report = ? OR other_report = ?", [sha, sha])
    s = load_stored(conn, sha, cache)
    if s is None or s.status not in READ_STATUSES or s.year is None:
        return
    flags: list[Flag] = []
    for n_sha in neighbours(conn, s):
        n = load_stored(conn, n_sha, cache)
        prev, cur = (n, s) if n.year < s.year else (s, n)
        flags += run_pair(prev, cur, config)
    flags += _peer_flags(conn, s, config)
    _insert(conn, flags)


def _insert(conn, flags: list[Flag]) -> None:
    conn.executemany(
        "INSERT INTO crossyear_flags (check_id, severity, message, report, other_report, scope, issuer_id, "
        "report_year, other_year, score, cells, other_cells, fingerprint) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(f.check, f.severity, f.message, f.pair.report, f.pair.other_report, f.pair.scope, f.pair.issuer_id,
          f.pair.report_year, f.pair.other_year, f.pair.score, json.dumps([c.key for c in f.cells]),
          json.dumps(f.pair.other_cells), f.fingerprint(f.pair.report)) for f in flags])


def _forget(conn, sha: str) -> None:
    for t, col in (("crossyear_flags", "report"), ("crossyear_flags", "other_report"), ("crossyear_text", "report"),
                   ("crossyear_lsh", "report"), ("report_issuers", "report")):
        conn.execute(f"DELETE FROM {t} WHERE {col} = ?", [sha])


def flags_for(db, sha: str) -> list[Flag]:
    """Every stored cross-report flag that names this report (on either side), its cells as stored."""
    conn = _conn(db)
    rows = conn.execute(
        "SELECT check_id, severity, message, report, other_report, scope, report_year, other_year, issuer_id, "
        "score, cells, other_cells FROM crossyear_flags WHERE report = ? OR other_report = ? "
        "ORDER BY check_id, report_year, other_year, report, other_report, id", [sha, sha]).fetchall()
    out, cache = [], {}
    for r in rows:
        keys = json.loads(r[10] or "[]")
        s = load_stored(conn, r[3], cache)
        cells = [s.cells[k] if s and k in s.cells else CellValue(k, None, "") for k in keys]
        page = next((c.page for c in cells if c.page is not None), None)
        pair = Pair(r[3], r[4], r[5], r[6], r[7], r[8], r[9], json.loads(r[11] or "[]"))
        out.append(Flag(r[0], r[1], r[2], cells, page, pair=pair))
    return out


# ----------------------------------------------------------------------------- entry points

def run_crossyear(db, sha256: str, config: Optional[dict] = None) -> list[Flag]:
    """Cross-report checks for one stored report: link its issuer, then recompute every pair with
    its neighbour years (same issuer, Y−1 and Y+1) and its same-year look-alikes, in either order of
    arrival. Call it after store.save_report in the writer process. One transaction. Returns every
    cross-report flag that now names this report. config: the engine's (--select/--ignore)."""
    conn = _conn(db)
    with conn:
        if conn.execute("SELECT 1 FROM reports WHERE sha256 = ?", [sha256]).fetchone() is None:
            _forget(conn, sha256)
            return []
        affected = {sha256} | I.link_reports(conn, [sha256])
        cache: dict = {}
        _update_text(conn, load_stored(conn, sha256, cache))
        for sha in sorted(affected):
            _recompute(conn, sha, cache, config)
    return flags_for(conn, sha256)


def sync(db, full: bool = False, relink: bool = False, config: Optional[dict] = None) -> dict:
    """Bring a whole database up to date: link reports that have no issuer yet, and run the
    cross-report checks for reports that have not been through them (all of them with full=True;
    relink=True also recomputes every issuer, e.g. after editing rules/issuer_aliases.toml).
    Returns counts."""
    conn = _conn(db)
    with conn:
        changed = I.relink_all(conn) if relink else I.link_missing(conn)
        stale = [s for (s,) in conn.execute(
            "SELECT r.sha256 FROM reports r LEFT JOIN crossyear_text t ON t.report = r.sha256 "
            "WHERE t.report IS NULL OR t.version IS NOT ? ORDER BY r.sha256", [SIG_VERSION])]
        conn.execute("DELETE FROM crossyear_flags WHERE report NOT IN (SELECT sha256 FROM reports) "
                     "OR other_report NOT IN (SELECT sha256 FROM reports)")
    todo = [s for (s,) in conn.execute("SELECT sha256 FROM reports ORDER BY sha256")] if full \
        else sorted(set(stale) | changed)
    cache: dict = {}
    for sha in todo:  # signatures first, so that the same-year lookups see every report
        with conn:
            _update_text(conn, load_stored(conn, sha, cache))
    for sha in todo:
        with conn:
            _recompute(conn, sha, cache, config)
    n = conn.execute("SELECT COUNT(*) FROM crossyear_flags").fetchone()[0]
    return {"reports": len(todo), "issuers_changed": len(changed), "flags": n}
