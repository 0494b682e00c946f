"""The reviewer's report page (served by extractor/serve.py at /-/xxgk/report/<sha256>): the
report's metadata, its three tables laid out as printed with every flagged cell highlighted, the
flags beside them (表/行/列 in words, page, the quote marked in its paragraph, the evidence
image), flags that follow from one omission grouped under their first cause, and the previous and
next report with errors.

Nothing here imports datasette: `report_page(db_path, sha)` returns the data, serve.py renders it.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Optional

import sqlite_utils

from . import views as V
from .cellwords import TABLE_TITLES, TABLE_WORDS
from .corrections import CorrectionError, corrections_for, delete_correction, store_correction
from .flags_export import query_flags
from .status import severity_rank

SEVERITY_CLASS = {"error": "sev0", "warning": "sev1", "info": "sev2"}


def open_ro(db_path: str | Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    return sqlite_utils.Database(conn)


def _fmt(number, value) -> str:
    if number is not None:
        return str(int(number)) if float(number).is_integer() else f"{number:g}"
    return "" if value is None else str(value)


def _grids(db, sha: str, template: Optional[str], marks: dict[str, dict],
           fixes: dict[str, dict]) -> list[dict]:
    cells = {key: (number, value, page) for key, number, value, page in db.conn.execute(
        "SELECT key, number, value, page FROM cells WHERE report = ?", [sha])}

    def cell(key: str) -> dict:
        number, value, page = cells.get(key, (None, None, None))
        m = marks.get(key)
        fix = fixes.get(key)
        return {"key": key, "text": _fmt(number, value), "present": key in cells, "page": page,
                "fixed": (f"{fix['reviewer'] or '审核人'} 更正（原读出 {fix['original'] or '空白'}）"
                          if fix else ""),
                "cls": SEVERITY_CLASS.get(m["severity"], "") if m else "",
                "tip": "\n".join(m["messages"]) if m else "",
                "anchors": m["anchors"] if m else []}

    out = []
    keep = set(V.T1_VERSION_COLUMNS.get(template or "", [])) or None
    t1_cols = [(k, label) for k, label in V.t1_columns() if keep is None or k in keep]
    t1_rows = [(k, label) for _, k, label in V.t1_rows()]
    t2_rows = [(k, label) for _, k, label, always in V.t2_rows()
               if always or any(c.startswith(f"t2.{k}.") for c in cells)]
    t3_rows, t3_cols = V.t3_layout()
    specs = [("t1", t1_rows, t1_cols), ("t2", t2_rows, V.t2_columns()),
             ("t3", [(k, label) for _, k, label in t3_rows], t3_cols)]
    for tbl, rows, cols in specs:
        if keep is None and tbl == "t1":  # unknown version: only the columns the report prints
            cols = [(k, label) for k, label in cols if any(c.startswith("t1.") and c.endswith(f".{k}")
                                                           for c in cells)] or cols
        if tbl == "t2":
            cols = [(k, label) for k, label in cols if k != "legal_subtotal"
                    or any(c.endswith(".legal_subtotal") for c in cells)]
        grid = [{"label": label, "cells": [cell(f"{tbl}.{rk}.{ck}") for ck, _ in cols]}
                for rk, label in rows]
        found = any(c["present"] for r in grid for c in r["cells"])
        out.append({"tbl": tbl, "name": TABLE_WORDS[tbl], "title": TABLE_TITLES[tbl],
                    "columns": [label for _, label in cols], "rows": grid, "found": found})
    return out


def _paragraph(db, sha: str, quote: Optional[str]) -> Optional[dict]:
    """The paragraph that holds the quote, split around it so the page can mark it."""
    if not quote:
        return None
    q = quote.strip()
    for text, page in db.conn.execute(
            "SELECT text, page FROM paragraphs WHERE report = ? ORDER BY is_heading, idx", [sha]):
        at = (text or "").find(q)
        if at >= 0:
            return {"before": text[:at], "quote": q, "after": text[at + len(q):], "page": page}
    return {"before": "", "quote": q, "after": "", "page": None}


# Checks that follow from a blank 总计 column or a missing table: grouped under their first cause
# when they name the same row (or, for a blank total, the same 总计 cells).
CAUSE_CHECKS = ("N02", "V03", "N03")


def group_by_cause(flags: list[dict]) -> list[dict]:
    """Flags that follow from one omission under their first cause: a flag on a row whose 总计 is
    blank (T2-01, R12 …) or on the 总计 column of 表三 (T2-02 …) joins the first N02;
    flags on a table V03/N03 says is missing join that flag. Returns the top-level flags, each with
    `followers` (possibly empty). Every instance stays in the flags table."""
    blank_total: set[str] = set()
    missing_tables: set[str] = set()
    for f in flags:
        if f["check"] == "N02":
            blank_total |= {k for k in f["cells"] if k.endswith(".total")}
        elif f["check"] in ("V03", "N03"):
            missing_tables |= {k.split(".")[0] for k in f["cells"]} | {
                t for t, w in TABLE_WORDS.items() if w in (f["message"] or "")}
    cause_n02 = next((f for f in flags if f["check"] == "N02"), None)
    tops, followers = [], {}
    for f in flags:
        f.setdefault("followers", [])
        head = None
        if f["check"] not in CAUSE_CHECKS and f["cells"]:
            totals = [k for k in f["cells"] if k.endswith(".total")]
            # a check on a row whose 总计 is blank, or on the 总计 column of 表三 (its sum
            # counts the blanks as 0): both follow from the blank 总计 cells
            if cause_n02 and totals and (any(k in blank_total for k in totals)
                                         or all(k.startswith("t2.") for k in totals)):
                head = cause_n02
            elif all(k.split(".")[0] in missing_tables for k in f["cells"]):
                head = next((g for g in flags if g["check"] in ("V03", "N03")), None)
        elif f["check"] == "N02" and cause_n02 is not None and f is not cause_n02:
            head = cause_n02
        if head is not None and head is not f:
            followers.setdefault(id(head), []).append(f)
        else:
            tops.append(f)
    for f in tops:
        f["followers"] = followers.get(id(f), [])
    return tops


def report_page(db_path: str | Path, sha: str) -> Optional[dict]:
    db = open_ro(db_path)
    try:
        row = db.conn.execute(
            "SELECT name, issuer, report_year, format, status, message, template, title, published, "
            "period_start, period_end, n_pages, n_errors, n_warnings, n_infos, path FROM reports "
            "WHERE sha256 = ?", [sha]).fetchone()
        if row is None:
            return None
        (name, issuer, year, fmt, status, message, template, title, published, p0, p1, n_pages,
         n_err, n_warn, n_info, path) = row
        flags = query_flags(db, None, None, None, report=sha)
        fixes = corrections_for(db, sha)
        decisions = V.decisions(db) if "reviews" in db.table_names() else {}
        marks: dict[str, dict] = {}
        for i, f in enumerate(flags):
            f["anchor"] = f"f{i + 1}"
            f["cls"] = SEVERITY_CLASS.get(f["severity"], "")
            f["paragraph"] = _paragraph(db, sha, f["quote"])
            dec = decisions.get(f["fingerprint"])
            f["decision"] = V.STATUS_LABELS.get(dec[0], dec[0]) if dec else V.OPEN_LABEL
            f["note"] = dec[1] if dec else None
            for k in f["cells"]:
                m = marks.setdefault(k, {"severity": f["severity"], "messages": [], "anchors": []})
                if severity_rank(f["severity"]) < severity_rank(m["severity"]):
                    m["severity"] = f["severity"]
                m["messages"].append(f"{f['severity_label']}：{f['message']}")
                m["anchors"].append(f["anchor"])
        with_errors = [r[0] for r in db.conn.execute(
            "SELECT sha256 FROM reports WHERE n_errors > 0 ORDER BY issuer, report_year, name")]
        prev_sha = next_sha = None
        if sha in with_errors:
            i = with_errors.index(sha)
            prev_sha = with_errors[i - 1] if i > 0 else None
            next_sha = with_errors[i + 1] if i + 1 < len(with_errors) else None
        elif with_errors:
            next_sha = with_errors[0]
        meta = [("发布机关", issuer), ("报告年度", year), ("标题", title), ("文件", name),
                ("格式", fmt), ("读取状态", V.REPORT_STATUS_LABELS.get(status, status)),
                ("读取说明", message), ("模板", template), ("发布日期", published),
                ("统计期限", f"{p0} 至 {p1}" if p0 or p1 else None), ("页数", n_pages),
                ("问题", f"错误 {n_err or 0}，警告 {n_warn or 0}，提示 {n_info or 0}")]
        return {"sha": sha, "name": name, "issuer": issuer, "year": year, "format": fmt,
                "path": path, "meta": [(k, v) for k, v in meta if v not in (None, "")],
                "tables": _grids(db, sha, template, marks, fixes), "flags": flags,
                "groups": group_by_cause([f for f in flags if f["severity"] != "info"]),
                "infos": [f for f in flags if f["severity"] == "info"],
                "prev": prev_sha, "next": next_sha}
    finally:
        db.conn.close()


# ----------------------------------------------------------------------------- corrections

def record_correction(db_path: str | Path, sha: str, key: str, value: Optional[str],
                      reviewer: Optional[str] = None, note: Optional[str] = None,
                      config: Optional[dict] = None) -> dict:
    """Store a reviewer's correction of a misread cell and re-check the report at once."""
    from .schema import open_db

    db = open_db(db_path)
    try:
        store_correction(db, sha, key, value, reviewer, note)
        return recheck(db, sha, config)
    finally:
        db.conn.close()


def withdraw_correction(db_path: str | Path, sha: str, key: str, config: Optional[dict] = None) -> dict:
    from .schema import open_db

    db = open_db(db_path)
    try:
        delete_correction(db, sha, key)
        return recheck(db, sha, config)
    finally:
        db.conn.close()


def recheck(db: sqlite_utils.Database, sha: str, config: Optional[dict] = None) -> dict:
    """Read the file again and save it: save_report applies the corrections and runs the checks on
    them, under the settings the report was audited with (unless `config` is given). The file
    must still be the one audited (same sha256)."""
    from .pipeline import extract, sha256_file
    from .store import audit_version, check_settings_of, record_check_settings, save_report

    audited = check_settings_of(db, sha)
    if config is None:
        if audited is None:
            raise CorrectionError("更正已保存，但这份报告审核时所用的检查设置没有记录在数据库中（由旧版 xxgk 审核），"
                                  "检查要等下次 xxgk audit 时重新运行")
        config = audited or None

    row = db.conn.execute("SELECT path, n_errors FROM reports WHERE sha256 = ?", [sha]).fetchone()
    path = row[0] if row else ""
    if not path or not Path(path).is_file():
        raise CorrectionError(f"更正已保存，但找不到报告文件 {path}，检查要等下次 xxgk audit 时重新运行")
    if sha256_file(path) != sha:
        raise CorrectionError(f"更正已保存，但文件 {path} 已改变，检查要等下次 xxgk audit 时重新运行")
    # with corrections, save_report runs the checks (on the corrected values); without, extract does
    report = extract(path, checks=not corrections_for(db, sha), config=config)
    save_report(db, report, config=config)
    # Checked under these settings: say which (an incremental audit under the same settings need
    # not read the file again, and the next correction re-checks under them too).
    record_check_settings(db, config)
    with db.conn:
        db.conn.execute("UPDATE reports SET xxgk_version = ? WHERE sha256 = ?", [audit_version(config), sha])
    after = db.conn.execute("SELECT n_errors, n_warnings FROM reports WHERE sha256 = ?", [sha]).fetchone()
    return {"errors_before": row[1], "errors": after[0], "warnings": after[1]}

