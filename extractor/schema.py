"""The one owner of the database's structure: every table, index, view, FTS table and trigger is
created here, with the schema version and the migrations from older versions. Other modules read
and write rows; they ask this module for structure (ensure_schema on open, replace_views,
enable_search) and never create any themselves."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from . import __version__
from .errors import SchemaError

# The database records the schema version that wrote it (PRAGMA user_version). Version 1 is the
# first release's layout, which recorded no version (user_version 0); MIGRATIONS[n] brings a
# version-n database to n + 1 in place, keeping every row (reviewer decisions included).
SCHEMA_VERSION = 5  # 2: every table created at once, versioned; 3: comparisons (extractor/compare.py);
# 4: corrections (extractor/corrections.py); 5: the check settings reports were audited under
FIRST_VERSION = 1



SQLITE_HEADER = b"SQLite format 3\x00"


def not_sqlite(path: str | Path) -> str | None:
    """Chinese reason why an existing file cannot be an SQLite database (None if it can be, or if
    it does not exist / is empty: SQLite creates a database there). Read before sqlite3 touches
    it, so that every verb refuses it with the same words instead of "file is not a database"."""
    p = Path(path)
    try:
        if p.is_dir():
            return "这是一个文件夹，不是数据库文件"
        if not p.exists():
            return None
        with open(p, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        return f"无法读取文件（{e.strerror or e}）"
    if head and head != SQLITE_HEADER:
        return "这不是 SQLite 数据库文件（文件头不符），可能是报告或其他文件"
    return None


def db_refusal(path: str | Path, reason: str) -> str:
    """The one message every verb gives for a file it cannot use as its database."""
    return f"无法打开数据库 {path}：{reason}"


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (or create) a database at SCHEMA_VERSION: an older one is migrated in place."""
    if isinstance(path, (str, Path)) and (reason := not_sqlite(path)):
        raise SchemaError(db_refusal(path, reason))
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
            _create_all(db)
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
    _create_all(db)  # IF NOT EXISTS: only what is missing (a table, an index)
    for table in ALL_TABLES:
        have = set(db[table].columns_dict)
        for name, kind in scratch[table].columns_dict.items():
            if name not in have:
                db.conn.execute(f"ALTER TABLE [{table}] ADD COLUMN [{name}] {_SQL_TYPES[kind]}")


def _add_comparisons(db: sqlite_utils.Database) -> None:
    """2 → 3: the year-over-year comparisons table (empty: `xxgk audit` fills it)."""
    _run_script(db.conn, COMPARISONS_SQL)


def _add_corrections(db: sqlite_utils.Database) -> None:
    """3 → 4: the reviewers' corrections of misread cells (empty)."""
    _run_script(db.conn, CORRECTIONS_SQL)


def _add_check_settings(db: sqlite_utils.Database) -> None:
    """4 → 5: the check settings of audits (empty: reports audited before under non-default
    settings are re-checked after a correction only by the next xxgk audit)."""
    _run_script(db.conn, CHECK_SETTINGS_SQL)


_SQL_TYPES = {int: "INTEGER", float: "FLOAT", str: "TEXT", bytes: "BLOB"}
MIGRATIONS = {1: _add_missing_columns, 2: _add_comparisons, 3: _add_corrections, 4: _add_check_settings}


def _create_all(db: sqlite_utils.Database) -> None:
    _create_schema(db)
    for script in (ISSUERS_SQL, CROSSYEAR_SQL, REVIEWS_SQL, SEARCH_SQL, COMPARISONS_SQL,
                   CORRECTIONS_SQL, CHECK_SETTINGS_SQL):
        _run_script(db.conn, script)


def _run_script(conn, script: str) -> None:
    """Statement by statement: executescript() would first COMMIT the caller's open transaction."""
    for stmt in script.split(";"):
        if stmt.strip():
            conn.execute(stmt)


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


# Issuer identity (extractor/issuers.py)
ISSUERS_SQL = """
CREATE TABLE IF NOT EXISTS issuers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,            -- display name: every region token + the body as printed
  level TEXT,                    -- central | province | city | county | township | NULL (unknown)
  kind TEXT,                     -- government | department
  aliases TEXT,                  -- JSON list of other printed names (and alias-file names)
  key TEXT NOT NULL UNIQUE       -- region chain + canonical body: what the grouping compares
);
CREATE TABLE IF NOT EXISTS report_issuers (
  report TEXT PRIMARY KEY REFERENCES reports(sha256),
  issuer_id INTEGER REFERENCES issuers(id),
  printed TEXT,                  -- the name as the report prints it (normalised)
  chain TEXT,                    -- JSON list of region tokens (after the preamble's parent, aliases)
  levels TEXT,                   -- JSON list, one level per token
  body TEXT,
  body_key TEXT,
  group_key TEXT,                -- NULL: matches no other report
  source TEXT,                   -- title | signature (+alias)
  parent_from TEXT,              -- preamble | signature when the parent region came from there
  overrides TEXT                 -- JSON: level/kind from rules/issuer_aliases.toml
);
CREATE INDEX IF NOT EXISTS report_issuers_issuer ON report_issuers(issuer_id);
CREATE INDEX IF NOT EXISTS report_issuers_group ON report_issuers(group_key);
"""

# Cross-report checks (extractor/checks/crossyear.py)
CROSSYEAR_SQL = """
CREATE TABLE IF NOT EXISTS crossyear_flags (
  id INTEGER PRIMARY KEY,
  check_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT,
  report TEXT NOT NULL REFERENCES reports(sha256),        -- later report (same year: smaller sha256)
  other_report TEXT NOT NULL REFERENCES reports(sha256),  -- earlier report / the other issuer's
  scope TEXT NOT NULL,          -- year | peer
  issuer_id INTEGER,            -- the issuer of `report`
  report_year INTEGER,
  other_year INTEGER,
  score REAL,                   -- X04 similarity
  cells TEXT,                   -- JSON cell keys in report
  other_cells TEXT,             -- JSON cell keys in other_report
  fingerprint TEXT
);
CREATE INDEX IF NOT EXISTS crossyear_flags_report ON crossyear_flags(report);
CREATE INDEX IF NOT EXISTS crossyear_flags_other ON crossyear_flags(other_report);
CREATE INDEX IF NOT EXISTS crossyear_flags_check ON crossyear_flags(check_id);
CREATE TABLE IF NOT EXISTS crossyear_text (
  report TEXT PRIMARY KEY REFERENCES reports(sha256),
  report_year INTEGER,
  n_chars INTEGER,              -- masked characters of sections 一+五+六
  minhash BLOB,                 -- N_PERM unsigned 64-bit values, NULL when too short to compare
  version INTEGER,
  computed_at TEXT
);
CREATE TABLE IF NOT EXISTS crossyear_lsh (
  report TEXT NOT NULL REFERENCES reports(sha256),
  report_year INTEGER NOT NULL,
  band INTEGER NOT NULL,
  bucket INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS crossyear_lsh_bucket ON crossyear_lsh(report_year, band, bucket);
CREATE INDEX IF NOT EXISTS crossyear_lsh_report ON crossyear_lsh(report);
"""

# Year-over-year comparisons (extractor/compare.py): one summary row per consecutive pair of an
# issuer's stored years, filled at the end of `xxgk audit`
COMPARISONS_SQL = """
CREATE TABLE IF NOT EXISTS comparisons (
  report TEXT NOT NULL REFERENCES reports(sha256),        -- the later report
  other_report TEXT NOT NULL REFERENCES reports(sha256),  -- the earlier report
  issuer_id INTEGER,
  report_year INTEGER,
  other_year INTEGER,
  similarity REAL,              -- sections 一+五+六 masked: X04's number (NULL: too short to compare)
  sections TEXT,                -- JSON {section key: similarity or null}
  cells_compared INTEGER,       -- table cells present in both reports
  cells_changed INTEGER,
  big_jumps INTEGER,            -- ×5 or ÷5, both sides at least 10
  problems INTEGER,             -- both reports' flags + the pair's cross-year flags
  errors INTEGER,
  version INTEGER,
  computed_at TEXT,
  PRIMARY KEY (report, other_report)
);
CREATE INDEX IF NOT EXISTS comparisons_other ON comparisons(other_report);
"""

# Reviewer decisions (extractor/views.py): never touched by audit
REVIEWS_SQL = """
CREATE TABLE IF NOT EXISTS reviews (
  fingerprint TEXT PRIMARY KEY,   -- flags.fingerprint (Flag.fingerprint)
  status TEXT NOT NULL CHECK (status IN ('confirmed', 'dismissed')),
  note TEXT,
  reviewer TEXT,
  decided_at TEXT,
  -- what the flag said when the decision was made (kept if the flag later disappears)
  check_id TEXT, report TEXT, issuer TEXT, report_year INTEGER, message TEXT
);
CREATE TABLE IF NOT EXISTS review_history (
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL,           -- confirmed | dismissed | open (decision withdrawn)
  note TEXT,
  reviewer TEXT,
  decided_at TEXT,
  source TEXT                     -- cli | csv:<file>
);
CREATE INDEX IF NOT EXISTS review_history_fingerprint ON review_history(fingerprint);
CREATE INDEX IF NOT EXISTS flags_fingerprint ON flags(fingerprint);
-- the wide views look cells up by (report, key)
CREATE INDEX IF NOT EXISTS cells_report_key ON cells(report, key);
"""

# Reviewers' corrections of misread cells (extractor/corrections.py): kept apart from extraction,
# keyed by the file's sha256 and the cell key, never touched by audit (save_report applies them)
CORRECTIONS_SQL = """
CREATE TABLE IF NOT EXISTS corrections (
  report TEXT NOT NULL,           -- the file's sha256 (no foreign key: outlives a re-audit)
  key TEXT NOT NULL,              -- cell key, e.g. t3.review.total
  value TEXT,                     -- the corrected value as typed, empty = the cell is blank
  original TEXT,                  -- what extraction had read (cells.raw)
  reviewer TEXT,
  note TEXT,
  corrected_at TEXT,
  PRIMARY KEY (report, key)
)
"""

# The check settings a report was audited under (xxgk.toml, --select, …), by the digest its
# xxgk_version carries ("0.1.0+config.<digest>"): a correction re-checks the report under them.
CHECK_SETTINGS_SQL = """
CREATE TABLE IF NOT EXISTS check_settings (
  digest TEXT PRIMARY KEY,        -- config.digest() of the settings
  config TEXT NOT NULL            -- the settings as JSON (config.resolve())
)
"""

# Full-text search bookkeeping (extractor/views.py): which segmenter made paragraphs.tokens
SEARCH_SQL = """
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT)
"""

FTS_TABLE = "paragraphs_fts"
FTS_TRIGGERS = ("paragraphs_ai", "paragraphs_ad", "paragraphs_au")


def enable_search(db: sqlite_utils.Database) -> None:
    """(Re)create the FTS5 index over paragraphs.tokens (jieba-segmented text) and its triggers."""
    db["paragraphs"].enable_fts(["tokens"], fts_version="FTS5", create_triggers=True, replace=True)


def replace_views(conn, views: dict[str, str]) -> None:
    """Drop and recreate the named SQL views (their SQL comes from views.py and crossyear.py), in
    the caller's transaction."""
    for name, body in views.items():
        quoted = '"' + name.replace('"', '""') + '"'
        conn.execute(f"DROP VIEW IF EXISTS {quoted}")
        conn.execute(f"CREATE VIEW {quoted} AS\n{body}")
