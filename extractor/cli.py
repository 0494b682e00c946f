"""The `xxgk` command: one thin function per verb. Heavy modules are imported inside verbs so
that `xxgk --help` starts fast."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="xxgk：政府信息公开工作年度报告审核工具（提取章节、统计表并检查矛盾）")

REPORT_SUFFIXES = {".pdf", ".docx", ".doc", ".wps", ".html", ".htm", ".shtml", ".xhtml", ".txt"}


def _console():
    from rich.console import Console
    return Console()


def _files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(candidate report files, skipped files) below folder; symlink loops are not followed."""
    import os

    found, skipped = [], []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            p = Path(root) / name
            if name.startswith("."):
                continue
            (found if p.suffix.lower() in REPORT_SUFFIXES or not p.suffix else skipped).append(p)
    return found, skipped


@app.command()
def audit(
    folder: Path = typer.Argument(..., help="报告所在文件夹（递归查找 PDF、DOCX、HTML、TXT）"),
    db: Path = typer.Option(Path("reports.db"), "--db", help="SQLite 数据库文件"),
    force: bool = typer.Option(False, "--force", help="重新处理未改变的文件"),
):
    """审核一个文件夹中的全部报告，写入 SQLite 数据库。"""
    from .pipeline import extract, sha256_file
    from .store import open_db, save_report, stored_version
    from . import __version__
    from .report import Report

    console = _console()
    if not folder.exists():
        console.print(f"[red]文件夹不存在：{folder}[/red]")
        raise typer.Exit(2)
    files, skipped = _files(folder) if folder.is_dir() else ([folder], [])
    database = open_db(db)
    counts: dict[str, int] = {}
    failed = 0
    for path in files:
        try:
            sha = sha256_file(path)
            if not force and stored_version(database, sha) == __version__:
                counts["unchanged"] = counts.get("unchanged", 0) + 1
                continue
            report = extract(path)
        except Exception as e:  # one bad file must not stop the batch
            report = Report(document=str(path), sha256=_safe_sha(path), format="", status="error",
                            messages=[f"处理 {path.name} 时出错：{type(e).__name__}: {e}"])
        save_report(database, report)
        counts[report.status] = counts.get(report.status, 0) + 1
        sev = [f.severity for f in report.flags]
        line = (f"{path.name}: {report.status} · {len(report.cells)} 个单元格 · "
                f"错误 {sev.count('error')} · 警告 {sev.count('warning')}")
        if report.status not in ("ok", "partial"):
            failed += 1
            line += f" · {report.messages[0] if report.messages else ''}"
        console.print(line, markup=False)
    summary = "，".join(f"{k} {v}" for k, v in sorted(counts.items()))
    console.print(f"完成：{len(files)} 个文件（{summary}），另有 {len(skipped)} 个非报告文件被跳过；数据库 {db}",
                  markup=False)
    raise typer.Exit(1 if failed else 0)


def _safe_sha(path: Path) -> str:
    import hashlib
    try:
        from .pipeline import sha256_file
        return sha256_file(path)
    except OSError:
        return hashlib.sha256(str(path).encode()).hexdigest()


@app.command()
def show(
    report: Path = typer.Argument(..., help="一份报告文件"),
    as_json: bool = typer.Option(False, "--json", help="按 gold 格式输出 JSON（含 flags）"),
):
    """显示一份报告的提取结果：元数据、章节、三张表的单元格和检查结果。"""
    from .pipeline import extract

    if not report.is_file():
        typer.echo(f"文件不存在：{report}", err=True)
        raise typer.Exit(2)
    r = extract(report)
    if as_json:
        sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        from .render import print_report
        print_report(r, _console())
    raise typer.Exit(0 if r.status in ("ok", "partial") else 1)


@app.command()
def flags(
    db: Path = typer.Option(Path("reports.db"), "--db", help="SQLite 数据库文件"),
    severity: Optional[list[str]] = typer.Option(None, "--severity", "-s",
                                                 help="只列出该级别（error / warning / info），可重复"),
    check: Optional[list[str]] = typer.Option(None, "--check", "-c", help="只列出该检查编号，如 R05，可重复"),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="发布单位名称包含此文字"),
    fmt: str = typer.Option("table", "--format", "-f", help="table / csv / json / xlsx"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="写入文件（xlsx 必填）"),
):
    """列出数据库中的检查结果（矛盾与问题），可按级别、检查编号、发布单位筛选。"""
    from .flags_export import print_table, query_flags, to_csv, to_xlsx
    from .store import open_db

    if not db.is_file():
        typer.echo(f"数据库不存在：{db}（先运行 xxgk audit）", err=True)
        raise typer.Exit(2)
    if fmt not in ("table", "csv", "json", "xlsx") or (fmt == "xlsx" and output is None):
        typer.echo("--format 只能是 table、csv、json 或 xlsx；xlsx 需要 --output 文件名", err=True)
        raise typer.Exit(2)
    rows = query_flags(open_db(db), severity, check, issuer)
    if fmt == "xlsx":
        to_xlsx(rows, str(output))
        typer.echo(f"已写入 {len(rows)} 条到 {output}")
        return
    if fmt == "table":
        print_table(rows, _console())
        return
    text = to_csv(rows) if fmt == "csv" else json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
