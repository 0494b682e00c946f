"""Writes (sqlite-utils): one report per transaction, keyed by sha256. The structure of the
database (tables, version, migrations) belongs to extractor/schema.py; open_db is re-exported here
because opening and writing go together."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import sqlite_utils

from . import __version__
from .schema import SCHEMA_VERSION, open_db  # noqa: F401  (re-exported)
from .report import Report
from .status import READ_STATUSES
from .segment import index_tokens  # jieba tokens for full-text search (extractor/segment.py)

CHILD_TABLES = ("sections", "paragraphs", "cells", "flags")
# Per-report rows kept by extractor/issuers.py and extractor/checks/crossyear.py (when those tables
# exist): deleted with the report, so a re-audited or removed report leaves no stale issuer link or
# cross-year flag (a pair's flags go when either report goes; crossyear.run_crossyear recomputes).
LINKED_TABLES = (("report_issuers", "report"), ("crossyear_flags", "report"),
                 ("crossyear_flags", "other_report"), ("crossyear_text", "report"), ("crossyear_lsh", "report"),
                 ("comparisons", "report"), ("comparisons", "other_report"))  # extractor/compare.py


def _delete(db: sqlite_utils.Database, sha: str) -> None:
    for t in CHILD_TABLES:
        db.conn.execute(f"DELETE FROM {t} WHERE report = ?", [sha])
    present = {n for (n,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for t, col in LINKED_TABLES:
        if t in present:
            db.conn.execute(f"DELETE FROM {t} WHERE {col} = ?", [sha])
    db.conn.execute("DELETE FROM reports WHERE sha256 = ?", [sha])


def _cell_row(sha: str, c) -> dict:
    v = c.value
    number = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    return {
        "report": sha, "tbl": c.table, "key": c.key, "row_label": c.row_label,
        "col_label": c.col_label, "value": None if v is None else (str(v) if number is None else
                                                                     json.dumps(v)),
        "number": number, "blank": int(v is None), "raw": c.raw, "page": c.page,
        "bbox": json.dumps([round(x, 1) for x in c.bbox]) if c.bbox else None,
        "confidence": c.confidence,
    }


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """INSERT rows (dicts with the same keys) with one executemany. sqlite-utils' insert_all costs
    several times more per row, and a batch audit's single writer pays it for every report."""
    if not rows:
        return
    cols = list(rows[0])
    sql = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
           f"VALUES ({', '.join('?' * len(cols))})")
    db.conn.executemany(sql, [tuple(r[c] for c in cols) for r in rows])


def save_report(db: sqlite_utils.Database, report: Report, config: Optional[dict] = None) -> None:
    """Replace everything stored for this file (by sha256 and by path) in one transaction. A
    reviewer's corrections of misread cells (extractor/corrections.py) are applied first and the
    checks re-run on them (config: the checks' settings for that re-run)."""
    from .corrections import apply_corrections

    if report.status in READ_STATUSES:
        apply_corrections(db, report, config)
    sev = [f.severity for f in report.flags]
    sha = report.sha256
    with db.conn:
        _delete(db, sha)
        for (old,) in db.conn.execute("SELECT sha256 FROM reports WHERE path = ?", [report.document]).fetchall():
            _delete(db, old)  # the file changed since it was last audited
        _insert(db, "reports", [{
            "sha256": sha, "path": report.document, "name": Path(report.document).name,
            "format": report.format, "status": report.status, "message": "\n".join(report.messages),
            "issuer": report.issuer, "report_year": report.report_year, "template": report.template,
            "fingerprint": report.template_info.fingerprint, "published": report.published,
            "title": report.title,
            "period_start": report.period[0] if report.period else None,
            "period_end": report.period[1] if report.period else None,
            "n_pages": report.n_pages, "n_cells": len(report.cells),
            "n_errors": sev.count("error"), "n_warnings": sev.count("warning"),
            "n_infos": sev.count("info"), "xxgk_version": __version__,
            "audited_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }])
        _insert(db, "sections",
            [{"report": sha, "position": i, "key": s.key, "heading": s.heading, "number": s.number,
              "page": s.page, "starts_with": s.starts_with} for i, s in enumerate(report.sections)])
        _insert(db, "paragraphs",
            [{"report": sha, "idx": p.index, "section": p.section, "is_heading": int(p.is_heading),
              "text": p.text, "tokens": p.tokens or index_tokens(p.text), "page": p.page, "method": p.method,
              "confidence": p.confidence} for p in report.paragraphs])
        _insert(db, "cells", [_cell_row(sha, c) for c in report.cells.values()])
        _insert(db, "flags",
            [{"report": sha, "check_id": f.check, "severity": f.severity, "message": f.message,
              "cells": json.dumps([c.key for c in f.cells]), "page": f.page, "quote": f.quote,
              "fingerprint": f.fingerprint(sha)} for f in report.flags])



def audit_version(config: Optional[dict] = None) -> str:
    """xxgk's version, plus the digest of non-default check settings ("0.1.0+config.1a2b3c4d5e6f"):
    a report's xxgk_version."""
    from .config import digest

    d = digest(config)
    return f"{__version__}+config.{d}" if d else __version__


def record_check_settings(db: sqlite_utils.Database, config: Optional[dict]) -> None:
    """Keep non-default check settings by their digest (the "+config.…" of the reports audited
    under them)."""
    from .config import digest

    d = digest(config)
    if d:
        with db.conn:
            db.conn.execute("INSERT OR IGNORE INTO check_settings (digest, config) VALUES (?, ?)",
                            [d, json.dumps(config, ensure_ascii=False, sort_keys=True)])


def check_settings_of(db: sqlite_utils.Database, sha: str) -> Optional[dict]:
    """The settings a stored report was audited under: {} for the defaults, None when its
    xxgk_version names settings this database does not hold."""
    row = db.conn.execute("SELECT xxgk_version FROM reports WHERE sha256 = ?", [sha]).fetchone()
    _, sep, d = ((row[0] if row else None) or "").partition("+config.")
    if not sep:
        return {}
    found = db.conn.execute("SELECT config FROM check_settings WHERE digest = ?", [d]).fetchone()
    return json.loads(found[0]) if found else None


def delete_report(db: sqlite_utils.Database, sha: str) -> None:
    """Remove one report and everything stored for it, in one transaction."""
    with db.conn:
        _delete(db, sha)


def stored_reports(db: sqlite_utils.Database) -> dict[str, tuple[str, Optional[str], str]]:
    """sha256 → (path, xxgk_version, status) of every stored report (what an incremental audit
    compares)."""
    return {sha: (path, version, status) for sha, path, version, status in
            db.conn.execute("SELECT sha256, path, xxgk_version, status FROM reports")}
