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


def _version(value: bool) -> None:
    if value:
        from . import __version__
        from .schema import SCHEMA_VERSION

        typer.echo(f"xxgk {__version__}（数据库结构版本 {SCHEMA_VERSION}）")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="显示版本号后退出")):
    """xxgk：政府信息公开工作年度报告审核工具（提取章节、统计表并检查矛盾）"""


def _console():
    from rich.console import Console
    return Console()


@app.command()
def audit(
    folder: Path = typer.Argument(..., help="报告所在文件夹（递归查找 PDF、DOCX、HTML、TXT），也可以是一个文件"),
    db: Path = typer.Option(Path("reports.db"), "--db", help="SQLite 数据库文件"),
    force: bool = typer.Option(False, "--force", help="重新处理未改变的文件"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="重新处理上次未能审核（状态不是 ok/partial）的未改变文件"),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=0,
                                          help="并行工作进程数（默认：全部 CPU 核心；0：在本进程内逐个处理，不限时间和内存）"),
    timeout: float = typer.Option(120.0, "--timeout", min=0.001, help="每个文件的时间上限（秒），超时记为 error"),
    memory_mb: int = typer.Option(3072, "--memory-mb", min=768, help="每个工作进程的内存上限（MB），超出记为 error"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="显示进度条"),
):
    """审核一个文件夹中的全部报告，写入 SQLite 数据库（可中断，再次运行只处理新增和改变的文件）。

    退出码：0 全部成功；1 有文件未能审核；2 用法错误（文件夹不存在、选项无效）。"""
    from .batch import BatchError, UsageError, audit_folder, print_summary

    console = _console()
    try:
        summary = audit_folder(folder, db, workers=workers, force=force, timeout=timeout,
                               memory_mb=memory_mb, progress=progress, console=console,
                               retry_failed=retry_failed)
    except UsageError as e:
        console.print(str(e), style="red", markup=False, highlight=False)
        raise typer.Exit(2)
    except BatchError as e:
        console.print(str(e), style="red", markup=False, highlight=False)
        raise typer.Exit(1)
    except KeyboardInterrupt:  # before the files were being read; what is stored is complete
        console.print("[yellow]已中断[/yellow]")
        raise typer.Exit(130)
    print_summary(summary, console)
    raise typer.Exit(130 if summary.interrupted else summary.exit_code)


@app.command()
def show(
    report: Path = typer.Argument(..., help="一份报告文件"),
    as_json: bool = typer.Option(False, "--json", help="按 gold 格式输出 JSON（含 flags）"),
):
    """显示一份报告的提取结果：元数据、章节、三张表的单元格和检查结果。"""
    from .pipeline import extract
    from .status import Status

    if not report.is_file():
        typer.echo(f"文件不存在：{report}", err=True)
        raise typer.Exit(2)
    r = extract(report)
    if as_json:
        sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        from .render import print_report
        print_report(r, _console())
    raise typer.Exit(0 if Status(r.status).is_read else 1)


@app.command()
def flags(
    db: Path = typer.Option(Path("reports.db"), "--db", help="SQLite 数据库文件"),
    severity: Optional[list[str]] = typer.Option(None, "--severity", "-s",
                                                 help="只列出该级别（error / warning / info），可重复；"
                                                      "默认列出 error 和 warning（提示类 info 用 -s info 或 --all）"),
    show_all: bool = typer.Option(False, "--all", help="列出全部级别，包括提示（info）"),
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
    if not severity and not show_all:
        severity = ["error", "warning"]
    rows = query_flags(open_db(db), None if show_all else severity, check, issuer)
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

from .cli_serve import register as _register_serve
_register_serve(app)

from .cli_crossyear import register as _register_crossyear
_register_crossyear(app)

from .cli_sections import register as _register_sections
_register_sections(app)


def main() -> None:
    from .errors import SchemaError

    try:
        app()
    except SchemaError as e:  # a database from a newer xxgk, or not xxgk's: say so, no traceback
        typer.echo(str(e), err=True)
        raise SystemExit(2)


if __name__ == "__main__":
    main()
