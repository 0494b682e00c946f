"""`xxgk show`: one report, read and checked, printed (or as gold-format JSON)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .options import ConfigFile, Ignore, PdfEngineOpt, Select, check_settings, console


def show(
    report: Annotated[Path, typer.Argument(help="一份报告文件")],
    as_json: Annotated[bool, typer.Option("--json", help="按 gold 格式输出 JSON（含 flags）")] = False,
    select: Select = None,
    ignore: Ignore = None,
    config_file: ConfigFile = None,
    pdf_engine: PdfEngineOpt = None,
):
    """显示一份报告的提取结果：元数据、章节、三张表的单元格和检查结果。"""
    from ..pipeline import extract
    from ..status import Status

    if not report.is_file():
        typer.echo(f"文件不存在：{report}", err=True)
        raise typer.Exit(2)
    config = check_settings(select, ignore, config_file, pdf_engine)
    r = extract(report, config=config or None)
    if as_json:
        sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        from ..render import print_report
        print_report(r, console())
    raise typer.Exit(0 if Status(r.status).is_read else 1)
