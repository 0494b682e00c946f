"""`xxgk coverage`: issuers × years, the missing years marked (extractor/coverage.py)."""
from __future__ import annotations

import csv
import io
import sys

import typer

from .options import DEFAULT_DB, Db, Output, TableFormat, TableFormatOpt


def coverage(
    db: Db = DEFAULT_DB,
    fmt: TableFormatOpt = TableFormat.TABLE,
    output: Output = None,
):
    """列出发布机关 × 年度的报告覆盖情况，标出缺失的年度。"""
    from ..coverage import coverage as _coverage
    from ..store import open_db

    cov = _coverage(open_db(db))
    if fmt == TableFormat.CSV:
        text = coverage_csv(cov)
        if output:
            output.write_text(text, encoding="utf-8-sig")
            typer.echo(f"已写入 {len(cov['rows'])} 个发布机关到 {output}")
        else:
            sys.stdout.write(text)
        return
    from rich.console import Console

    if output:
        with open(output, "w", encoding="utf-8") as f:
            print_coverage(cov, Console(file=f, width=200))
        typer.echo(f"已写入 {output}")
    else:
        print_coverage(cov, Console())


def coverage_csv(cov: dict) -> str:
    from ..issuers import KIND_ZH, LEVEL_ZH
    from ..coverage import coverage_cell

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["机关编号", "发布机关", "级别", "类型", *[f"{y}年" for y in cov["years"]], "缺失年度", "年度不明"])
    for r in cov["rows"]:
        w.writerow([r["issuer_id"], r["name"], LEVEL_ZH.get(r["level"], "未知"), KIND_ZH.get(r["kind"], "未知"),
                    *[coverage_cell(r, y) for y in cov["years"]], "、".join(map(str, r["missing"])),
                    r["no_year"] or ""])
    un = cov["unidentified"]
    if un:
        w.writerow(["", "（未识别发布机关）", "", "", *[str(un.get(y, "") or "") for y in cov["years"]], "",
                    un.get(None, "") or ""])
    return out.getvalue()


def print_coverage(cov: dict, console) -> None:
    from rich.table import Table
    from ..issuers import KIND_ZH, LEVEL_ZH
    from ..coverage import coverage_cell

    t = Table(title="发布机关 × 年度（✓ 有报告，✓×n 有 n 份，缺 = 首末年份之间缺少的年度）", show_lines=False)
    for col in ("发布机关", "级别", "类型"):
        t.add_column(col, no_wrap=col != "发布机关")
    for y in cov["years"]:
        t.add_column(str(y), justify="center")
    t.add_column("缺失年度")
    for r in cov["rows"]:
        cells = []
        for y in cov["years"]:
            c = coverage_cell(r, y)
            cells.append(f"[bold red]{c}[/bold red]" if c == "缺" else c)
        t.add_row(r["name"], LEVEL_ZH.get(r["level"], "未知"), KIND_ZH.get(r["kind"], "未知"), *cells,
                  "、".join(map(str, r["missing"])))
    un = cov["unidentified"]
    if un:
        t.add_row("（未识别发布机关）", "", "", *[str(un.get(y, "") or "") for y in cov["years"]], "")
    console.print(t)
    n_missing = sum(len(r["missing"]) for r in cov["rows"])
    no_year = sum(r["no_year"] for r in cov["rows"]) + (un.get(None) or 0)
    console.print(f"{len(cov['rows'])} 个发布机关，{len(cov['years'])} 个年度，缺失 {n_missing} 个年度"
                  + (f"；另有 {no_year} 份报告未识别年度" if no_year else ""), markup=False)
