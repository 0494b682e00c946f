"""`xxgk coverage` and `xxgk crossyear`: issuers × years, and the cross-report checks (X01–X07)
over a whole database. Registered on the main app by extractor/cli.py (`register(app)`)."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Optional

import typer


def _open(db: Path):
    from .store import open_db

    if not db.is_file():
        typer.echo(f"数据库不存在：{db}（先运行 xxgk audit）", err=True)
        raise typer.Exit(2)
    return open_db(db)


def coverage_csv(cov: dict) -> str:
    from .issuers import KIND_ZH, LEVEL_ZH
    from .checks.crossyear import coverage_cell

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
    from .issuers import KIND_ZH, LEVEL_ZH
    from .checks.crossyear import coverage_cell

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


def register(app: typer.Typer) -> None:
    @app.command()
    def coverage(
        db: Path = typer.Option(Path("reports.db"), "--db", help="SQLite 数据库文件（xxgk audit 生成）"),
        fmt: str = typer.Option("table", "--format", "-f", help="table（表格）或 csv"),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="写入文件（默认输出到屏幕）"),
    ):
        """列出发布机关 × 年度的报告覆盖情况，标出缺失的年度。"""
        from .checks.crossyear import coverage as _coverage

        if fmt not in ("table", "csv"):
            typer.echo("--format 只能是 table 或 csv", err=True)
            raise typer.Exit(2)
        cov = _coverage(_open(db))
        if fmt == "csv":
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

    @app.command()
    def crossyear(
        db: Path = typer.Option(Path("reports.db"), "--db", help="SQLite 数据库文件（xxgk audit 生成）"),
        all_: bool = typer.Option(False, "--all", help="全部报告重新做跨年度检查（默认只做尚未做过的）"),
        relink: bool = typer.Option(False, "--relink",
                                    help="重新识别全部报告的发布机关（修改 rules/issuer_aliases.toml 之后用）"),
        show: bool = typer.Option(True, "--show/--no-show", help="列出跨年度检查发现的问题"),
    ):
        """跨年度检查（X01–X07）：同一机关相邻年度的结转衔接、现行有效件数、照抄文字和数字、模板倒退，
        以及同年度不同机关报告的雷同文字。"""
        from .checks.crossyear import sync

        database = _open(db)
        counts = sync(database, full=all_ or relink, relink=relink)
        typer.echo(f"已检查 {counts['reports']} 份报告，{counts['issuers_changed']} 份报告的发布机关有变化；"
                   f"数据库中共有 {counts['flags']} 条跨报告问题")
        if not show or not counts["flags"]:
            return
        from rich.console import Console
        from rich.table import Table

        from .status import Severity

        t = Table(show_lines=False)
        for col in ("检查", "级别", "发布机关", "年度", "对比", "说明"):
            t.add_column(col, overflow="fold")
        for check, severity, issuer, year, other_year, message in database.conn.execute(
                "SELECT f.check_id, f.severity, i.name, f.report_year, f.other_year, f.message FROM crossyear_flags f "
                "LEFT JOIN issuers i ON i.id = f.issuer_id ORDER BY CASE f.severity WHEN 'error' THEN 0 "
                "WHEN 'warning' THEN 1 ELSE 2 END, f.check_id, i.name, f.report_year"):
            t.add_row(check, Severity(severity).label, issuer or "", str(year or ""), str(other_year or ""), message)
        Console().print(t)
