"""`xxgk flags`: list stored flags as a table, CSV, JSON or XLSX, filtered.

One flag shape everywhere: a row carries the keys of `show --json` (`check`, `severity`,
`message`, `cells` as a list of keys, `cell_details`, `page`, `quote`) plus where it was found
(file, issuer, year, report sha256), the severity in words and the cells in words
(表四 行政复议 总计). The tabular outputs (terminal, CSV, XLSX) show only the words.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Optional

from .cellwords import cell_parts, cells_words, severity_word
from .status import severity_rank

# tabular columns (CSV, XLSX, terminal): words only, never an internal key
COLUMNS = ["name", "issuer", "report_year", "check", "severity_label", "message", "where", "page",
           "quote", "fingerprint"]
HEADERS = {"name": "文件", "issuer": "发布单位", "report_year": "年度", "check": "检查",
           "severity_label": "级别", "message": "说明", "where": "涉及单元格",
           "page": "页", "quote": "原文", "fingerprint": "标记指纹"}
WIDTHS = {"name": 28, "issuer": 24, "report_year": 7, "check": 8,
          "severity_label": 6, "message": 60, "where": 40, "page": 5, "quote": 50, "fingerprint": 18}
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it


def _details(db, report: str, keys: list[str]) -> list[dict]:
    found = {}
    if keys and report:
        marks = ",".join("?" * len(keys))
        for key, row, col, value, number, raw, page in db.conn.execute(
                f"SELECT key, row_label, col_label, value, number, raw, page FROM cells "
                f"WHERE report = ? AND key IN ({marks})", [report, *keys]):
            found[key] = (row, col, value, number, raw, page)
    out = []
    for key in keys:
        tbl, row, col = cell_parts(key)
        printed_row, printed_col, value, number, raw, page = found.get(key, (None,) * 6)
        if number is not None and float(number).is_integer():
            value = int(number)
        out.append({"key": key, "table": tbl, "row": row, "column": col,
                    "where": " ".join(p for p in (tbl, row, col) if p),
                    "printed_row": printed_row, "printed_column": printed_col,
                    "value": value, "raw": raw, "page": page})
    return out


def query_flags(db, severity: Optional[list[str]] = None, check: Optional[list[str]] = None,
                issuer: Optional[str] = None, report: Optional[str] = None) -> list[dict]:
    cols = ("r.name, r.issuer, r.report_year, f.check_id, f.severity, f.message, f.cells, {page}, "
            "{quote}, f.fingerprint, r.sha256")
    sql = (f"SELECT {cols.format(page='f.page', quote='f.quote')} FROM flags f "
           "JOIN reports r ON r.sha256 = f.report")
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
    if report:
        where.append("r.sha256 = ?")
        params.append(report)
    if where:
        sql += " WHERE " + " AND ".join(where)
    if "crossyear_flags" in db.table_names():
        # Cross-year flags (X01–X07) name two reports; they are listed under the later one.
        sql += (f" UNION ALL SELECT {cols.format(page='NULL', quote='NULL')} FROM crossyear_flags f "
                "JOIN reports r ON r.sha256 = f.report")
        if where:
            sql += " WHERE " + " AND ".join(where)
        params = params * 2
    rows = []
    for (name, iss, year, check_id, sev, message, cells, page, quote, fp,
         sha) in db.conn.execute(sql, params).fetchall():
        keys = json.loads(cells or "[]")
        rows.append({"name": name, "issuer": iss, "report_year": year, "report": sha,
                     "check": check_id,
                     "severity": sev, "severity_label": severity_word(sev), "message": message,
                     "cells": keys, "cell_details": _details(db, sha, keys),
                     "where": cells_words(keys), "page": page, "quote": quote, "fingerprint": fp})
    rows.sort(key=lambda r: (r["name"] or "", severity_rank(r["severity"]), r["check"]))
    return rows


def tabular(row: dict) -> list:
    return [row[c] for c in COLUMNS]


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    buf.write(BOM)
    w = csv.writer(buf)
    w.writerow([HEADERS[c] for c in COLUMNS])
    w.writerows(tabular(r) for r in rows)
    return buf.getvalue()


def style_sheet(ws, widths: list[int]) -> None:
    """Header bold and frozen, a filter on every column, readable widths, long text wrapped."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 20:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if ws.max_row >= 1 and ws.max_column >= 1:
        ws.auto_filter.ref = ws.dimensions


def write_sheet(ws, rows: list[dict]) -> None:
    ws.append([HEADERS[c] for c in COLUMNS])
    for r in rows:
        ws.append(tabular(r))
    style_sheet(ws, [WIDTHS[c] for c in COLUMNS])


def to_xlsx(rows: list[dict], path: str) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    write_sheet(ws, rows)
    wb.save(path)


def print_table(rows: list[dict], console) -> None:
    from rich.table import Table

    t = Table(title=f"检查结果（{len(rows)} 条）")
    t.add_column(HEADERS["name"], overflow="fold", max_width=28)
    for c in ("check", "severity_label"):
        t.add_column(HEADERS[c], no_wrap=True)
    t.add_column(HEADERS["message"], overflow="fold", ratio=2)
    t.add_column(HEADERS["where"], overflow="fold", ratio=1)
    t.add_column(HEADERS["page"], no_wrap=True)
    style = {"error": "red", "warning": "yellow", "info": "cyan"}
    for r in rows:
        t.add_row(r["name"], r["check"], f"[{style.get(r['severity'], '')}]{r['severity_label']}[/]",
                  r["message"], r["where"], "" if r["page"] is None else str(r["page"]))
    console.print(t)
