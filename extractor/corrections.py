"""A reviewer's correction of a misread cell (an OCR 8 read as 3): stored apart from extraction in
the `corrections` table, keyed by the file's sha256 and the cell key, so it survives every re-run.

- `store_correction` / `delete_correction` write the table; extractor/workbench.py's
  `record_correction` stores one and re-checks the report at once (the file is read again and
  saved: save_report applies the corrections and runs the checks on them).
- `apply_corrections` is what store.save_report calls for every report it saves (xxgk audit
  included): a report without corrections is untouched; one with corrections is checked again on
  the corrected values, and a flag resting on a corrected value says so and by whom.
Extraction itself never reads this table: `xxgk show FILE` shows what the file says.
"""
from __future__ import annotations

import re
import time
from typing import Optional

import sqlite_utils

from .cellwords import cell_parts, cell_words
from .report import CellValue, Report


class CorrectionError(ValueError):
    """A correction that cannot be stored; the message is Chinese."""


def corrections_for(db: sqlite_utils.Database, sha: str) -> dict[str, dict]:
    if "corrections" not in db.table_names():
        return {}
    cols = ("key", "value", "original", "reviewer", "note", "corrected_at")
    return {r[0]: dict(zip(cols, r)) for r in db.conn.execute(
        f"SELECT {', '.join(cols)} FROM corrections WHERE report = ?", [sha])}


def parse_value(text: Optional[str]):
    """The typed value as a cell holds it: blank → None, 12 / 1,234 / 3.5 → a number."""
    t = (text or "").strip().replace(",", "").replace("，", "")
    if not t:
        return None
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    if re.fullmatch(r"-?\d+\.\d+", t):
        return float(t)
    raise CorrectionError(f"“{text}”不是数字：更正只接受数字（留空表示报告上此格空白）")


def _show(value) -> str:
    return "空白" if value is None else str(value)


def apply_corrections(db: sqlite_utils.Database, report: Report, config: Optional[dict] = None) -> int:
    """Replace the values read by the reviewers' corrections and run the checks again on them.
    Returns how many cells were corrected (0: the report is left exactly as extracted)."""
    fixes = corrections_for(db, report.sha256)
    if not fixes:
        return 0
    from .pipeline import run_checks

    for key, fix in fixes.items():
        old = report.cells.get(key)
        value = parse_value(fix["value"])
        tbl, row, col = cell_parts(key)
        report.cells[key] = CellValue(
            key=key, value=value, raw=fix["value"] or "",
            row_label=old.row_label if old else row, col_label=old.col_label if old else col,
            page=old.page if old else None, bbox=old.bbox if old else None)
    report.flags = []
    run_checks(report, config)
    for flag in report.flags:
        notes = [f"{cell_words(c.key)} 已由 {fixes[c.key]['reviewer'] or '审核人'} 更正为 "
                 f"{_show(parse_value(fixes[c.key]['value']))}（原读出 {fixes[c.key]['original'] or '空白'}）"
                 for c in flag.cells if c.key in fixes]
        if notes:
            flag.message += "（依据更正后的数值：" + "；".join(notes) + "）"
    report.messages.append(f"审核人更正了 {len(fixes)} 个读错的单元格，检查按更正后的数值重新运行")
    return len(fixes)


def store_correction(db: sqlite_utils.Database, sha: str, key: str, value: Optional[str],
                     reviewer: Optional[str] = None, note: Optional[str] = None) -> None:
    """Store (or replace) one correction; value "" or None = the cell is blank on the page."""
    tbl, row, col = cell_parts(key)
    if not tbl or not row or not col or row == key:
        raise CorrectionError(f"没有这个单元格：{key}")
    parse_value(value)  # refuse a non-number before anything is written
    if db.conn.execute("SELECT 1 FROM reports WHERE sha256 = ?", [sha]).fetchone() is None:
        raise CorrectionError("数据库中没有这份报告")
    cell = db.conn.execute("SELECT raw FROM cells WHERE report = ? AND key = ?", [sha, key]).fetchone()
    old = db.conn.execute("SELECT original FROM corrections WHERE report = ? AND key = ?", [sha, key]).fetchone()
    original = old[0] if old else (cell[0] if cell else None)  # what extraction read, kept on a re-correction
    with db.conn:
        db.conn.execute(
            "INSERT INTO corrections (report, key, value, original, reviewer, note, corrected_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (report, key) DO UPDATE SET value = excluded.value, "
            "reviewer = excluded.reviewer, note = excluded.note, corrected_at = excluded.corrected_at",
            [sha, key, (value or "").strip(), original, reviewer, note, time.strftime("%Y-%m-%dT%H:%M:%S")])


def delete_correction(db: sqlite_utils.Database, sha: str, key: str) -> None:
    with db.conn:
        db.conn.execute("DELETE FROM corrections WHERE report = ? AND key = ?", [sha, key])
