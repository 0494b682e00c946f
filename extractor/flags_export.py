"""`xxgk flags`: list stored flags as a table, CSV, JSON or XLSX, filtered."""
from __future__ import annotations

import csv
import io
import json
from typing import Optional

from .status import severity_rank

COLUMNS = ["name", "issuer", "report_year", "check_id", "severity", "message", "cells", "page",
           "quote", "fingerprint"]
HEADERS = {"name": "文件", "issuer": "发布单位", "report_year": "年度", "check_id": "检查",
           "severity": "级别", "message": "说明", "cells": "单元格", "page": "页", "quote": "原文",
           "fingerprint": "指纹"}


def query_flags(db, severity: Optional[list[str]] = None, check: Optional[list[str]] = None,
                issuer: Optional[str] = None) -> list[dict]:
    sql = ("SELECT r.name, r.issuer, r.report_year, f.check_id, f.severity, f.message, f.cells, "
           "f.page, f.quote, f.fingerprint FROM flags f JOIN reports r ON r.sha256 = f.report")
    where, params = [], []
    if severity:
        where.append(f"f.severity IN ({','.join('?' * len(severity))})")
        params += severity
    if check:
        where.append(f"f.check_id IN ({','.join('?' * len(check))})")
        params += check
    if issuer:
        where.append("r.issuer LIKE ?")
        params.append(f"%{issuer}%")
    if where:
        sql += " WHERE " + " AND ".join(where)
    if "crossyear_flags" in db.table_names():
        # Cross-year flags (X01–X07) name two reports; they are listed under the later one.
        sql += (" UNION ALL SELECT r.name, r.issuer, r.report_year, f.check_id, f.severity, f.message, "
                "f.cells, NULL, NULL, f.fingerprint FROM crossyear_flags f JOIN reports r ON r.sha256 = f.report")
        if where:
            sql += " WHERE " + " AND ".join(where)
        params = params * 2
    rows = [dict(zip(COLUMNS, r)) for r in db.conn.execute(sql, params).fetchall()]
    for r in rows:
        r["cells"] = ", ".join(json.loads(r["cells"] or "[]"))
    rows.sort(key=lambda r: (r["name"] or "", severity_rank(r["severity"]), r["check_id"]))
    return rows


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS)
    w.writerow(HEADERS)
    w.writerows(rows)
    return buf.getvalue()


def to_xlsx(rows: list[dict], path: str) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "flags"
    ws.append([HEADERS[c] for c in COLUMNS])
    for r in rows:
        ws.append([r[c] for c in COLUMNS])
    wb.save(path)


def print_table(rows: list[dict], console) -> None:
    from rich.table import Table

    t = Table(title=f"检查结果（{len(rows)} 条）")
    t.add_column(HEADERS["name"], overflow="fold", max_width=28)
    for c in ("check_id", "severity"):
        t.add_column(HEADERS[c], no_wrap=True)
    t.add_column(HEADERS["message"], overflow="fold", ratio=1)
    t.add_column(HEADERS["page"], no_wrap=True)
    style = {"error": "red", "warning": "yellow", "info": "cyan"}
    for r in rows:
        t.add_row(r["name"], r["check_id"], f"[{style.get(r['severity'], '')}]{r['severity']}[/]",
                  r["message"], "" if r["page"] is None else str(r["page"]))
    console.print(t)
