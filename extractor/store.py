"""SQLite schema and writes (sqlite-utils). One report per transaction, keyed by sha256."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import sqlite_utils

from . import __version__
from .errors import SchemaError
from .report import Report
from .segment import index_tokens  # jieba tokens for full-text search (extractor/segment.py)

# The database records the schema version that wrote it (PRAGMA user_version). Version 1 is the
# first release's layout, which recorded no version (user_version 0); MIGRATIONS[n] brings a
# version-n database to n + 1 in place, keeping every row (reviewer decisions included).
SCHEMA_VERSION = 2
FIRST_VERSION = 1


def open_db(path: str | Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA journal_mode=WAL")
    db.conn.execute("PRAGMA synchronous=NORMAL")
    ensure_schema(db)
    return db


ALL_TABLES = ("reports", "sections", "paragraphs", "cells", "flags")


def schema_version(db: sqlite_utils.Database) -> int | None:
    """The schema version of a database: None for an empty one."""
    recorded = db.conn.execute("PRAGMA user_version").fetchone()[0]
    if recorded:
        return recorded
    return FIRST_VERSION if "reports" in db.table_names() else None


def check_version(db: sqlite_utils.Database, path: str | Path = "") -> int | None:
    """Raise SchemaError for a database written by a newer xxgk, or one that is not xxgk's."""
    where = f"{path}：" if path else ""
    version = schema_version(db)
    if version is None and db.table_names():
        raise SchemaError(f"{where}这不是 xxgk 的数据库（没有 reports 表，也没有记录结构版本），拒绝写入")
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(f"{where}数据库结构版本为 {version}，比本程序（xxgk {__version__}）支持的版本 "
                          f"{SCHEMA_VERSION} 新：请升级 xxgk 后再打开，或换一个数据库文件")
    return version


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables and indexes of a new database, or migrate an older one, in ONE
    transaction (SQLite DDL is transactional), so a run killed meanwhile leaves the database as it
    was or fully at SCHEMA_VERSION."""
    version = check_version(db, db.conn.execute("PRAGMA database_list").fetchone()[2])
    if version == SCHEMA_VERSION:
        return
    db.conn.execute("BEGIN IMMEDIATE")  # Python's sqlite3 would otherwise autocommit each CREATE
    try:
        if version is None:
            _create_schema(db)
        else:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](db)
        db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def _add_missing_columns(db: sqlite_utils.Database) -> None:
    """1 → 2: databases of the first release's earlier builds lack columns added later (cells'
    OCR confidence, paragraphs' search tokens, …): add them empty, keep every row."""
    scratch = sqlite_utils.Database(memory=True)
    _create_schema(scratch)
    _create_schema(db)  # IF NOT EXISTS: only what is missing (a table, an index)
    for table in ALL_TABLES:
        have = set(db[table].columns_dict)
        for name, kind in scratch[table].columns_dict.items():
            if name not in have:
                db.conn.execute(f"ALTER TABLE [{table}] ADD COLUMN [{name}] {_SQL_TYPES[kind]}")


_SQL_TYPES = {int: "INTEGER", float: "FLOAT", str: "TEXT", bytes: "BLOB"}
MIGRATIONS = {1: _add_missing_columns}


def _create_schema(db: sqlite_utils.Database) -> None:
    db["reports"].create({
        "sha256": str, "path": str, "name": str, "format": str, "status": str, "message": str,
        "issuer": str, "report_year": int, "template": str, "fingerprint": str,
        "published": str, "title": str, "period_start": str, "period_end": str,
        "n_pages": int, "n_cells": int, "n_errors": int, "n_warnings": int, "n_infos": int,
        "xxgk_version": str, "audited_at": str,
    }, pk="sha256", if_not_exists=True)
    db["sections"].create({
        "id": int, "report": str, "position": int, "key": str, "heading": str, "number": str,
        "page": int, "starts_with": str,
    }, pk="id", foreign_keys=[("report", "reports", "sha256")], if_not_exists=True)
    db["paragraphs"].create({
        "id": int, "report": str, "idx": int, "section": str, "is_heading": int, "text": str,
        "tokens": str, "page": int, "method": str, "confidence": float,
    }, pk="id", foreign_keys=[("report", "reports", "sha256")], if_not_exists=True)
    db["cells"].create({
        "id": int, "report": str, "tbl": str, "key": str, "row_label": str, "col_label": str,
        "value": str, "number": float, "blank": int, "raw": str, "page": int, "bbox": str,
        "confidence": float,
    }, pk="id", foreign_keys=[("report", "reports", "sha256")], if_not_exists=True)
    db["flags"].create({
        "id": int, "report": str, "check_id": str, "severity": str, "message": str,
        "cells": str, "page": int, "quote": str, "fingerprint": str,
    }, pk="id", foreign_keys=[("report", "reports", "sha256")], if_not_exists=True)
    _create_indexes(db)


def _create_indexes(db: sqlite_utils.Database) -> None:
    for t in ("sections", "paragraphs", "cells", "flags"):
        db[t].create_index(["report"], if_not_exists=True)
    db["cells"].create_index(["key"], if_not_exists=True)
    db["flags"].create_index(["check_id"], if_not_exists=True)
    db["reports"].create_index(["path"], if_not_exists=True)


CHILD_TABLES = ("sections", "paragraphs", "cells", "flags")
# Per-report rows kept by extractor/issuers.py and extractor/checks/crossyear.py (when those tables
# exist): deleted with the report, so a re-audited or removed report leaves no stale issuer link or
# cross-year flag (a pair's flags go when either report goes; crossyear.run_crossyear recomputes).
LINKED_TABLES = (("report_issuers", "report"), ("crossyear_flags", "report"),
                 ("crossyear_flags", "other_report"), ("crossyear_text", "report"), ("crossyear_lsh", "report"))


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


def flag_fingerprint(sha: str, flag) -> str:
    """Stable across re-runs: the check, the report and the cells it names (or its quote)."""
    import hashlib
    basis = "|".join([flag.check, sha, ",".join(sorted(c.key for c in flag.cells)), flag.quote or ""])
    return hashlib.sha1(basis.encode()).hexdigest()[:16]


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """INSERT rows (dicts with the same keys) with one executemany. sqlite-utils' insert_all costs
    several times more per row, and a batch audit's single writer pays it for every report."""
    if not rows:
        return
    cols = list(rows[0])
    sql = (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
           f"VALUES ({', '.join('?' * len(cols))})")
    db.conn.executemany(sql, [tuple(r[c] for c in cols) for r in rows])


def save_report(db: sqlite_utils.Database, report: Report) -> None:
    """Replace everything stored for this file (by sha256 and by path) in one transaction."""
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
            "fingerprint": report.template_info.get("fingerprint"), "published": report.published,
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
              "fingerprint": flag_fingerprint(sha, f)} for f in report.flags])



def delete_report(db: sqlite_utils.Database, sha: str) -> None:
    """Remove one report and everything stored for it, in one transaction."""
    with db.conn:
        _delete(db, sha)


def stored_reports(db: sqlite_utils.Database) -> dict[str, tuple[str, Optional[str], str]]:
    """sha256 → (path, xxgk_version, status) of every stored report (what an incremental audit
    compares)."""
    return {sha: (path, version, status) for sha, path, version, status in
            db.conn.execute("SELECT sha256, path, xxgk_version, status FROM reports")}
