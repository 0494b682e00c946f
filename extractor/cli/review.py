"""`xxgk review`: a reviewer's decision on a flag, or decisions imported from a CSV (extractor/views.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import DEFAULT_DB, Db


def review(
    fingerprint: Annotated[Optional[str], typer.Argument(
        help="问题的标记指纹（问题清单“标记指纹”列；唯一的前6位以上也可以）")] = None,
    status: Annotated[Optional[str], typer.Option(
        "--status", help="confirmed（确认问题属实）、dismissed（驳回，不是问题）或 open（撤销决定）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="审核意见")] = None,
    import_csv: Annotated[Optional[Path], typer.Option(
        "--import", help="从 CSV 导入决定：列 fingerprint,status,note（或问题清单导出的“标记指纹/审核状态/审核意见”）")] = None,
    reviewer: Annotated[Optional[str], typer.Option("--by", help="审核人（默认为当前系统用户）")] = None,
    db: Db = DEFAULT_DB,
):
    """记录审核人对问题（标记）的决定：确认或驳回，并写意见。决定按标记指纹保存，重新运行 xxgk audit 不会丢失。"""
    from .. import views as V

    if import_csv is not None:
        if fingerprint or status:
            typer.echo("--import 不能和标记指纹、--status 同时使用", err=True)
            raise typer.Exit(2)
        if not import_csv.is_file():
            typer.echo(f"文件不存在：{import_csv}", err=True)
            raise typer.Exit(2)
        try:
            counts = V.import_decisions(db, import_csv, reviewer=reviewer)
        except V.ReviewError as e:
            typer.echo(f"没有导入任何决定：{e}", err=True)
            raise typer.Exit(1)
        msg = (f"已导入 {counts['recorded']} 条决定，撤销 {counts['withdrawn']} 条，"
               f"{counts['unchanged']} 条与已有决定相同未改动")
        if counts["unknown"]:
            msg += f"；其中 {counts['unknown']} 条对应的问题当前不在数据库中（决定已保存，问题再次出现时生效）"
        typer.echo(msg)
        raise typer.Exit(0)
    if not fingerprint or not status:
        typer.echo("用法：xxgk review 标记指纹 --status confirmed|dismissed --note \"意见\" --db reports.db\n"
                   "  或：xxgk review --import 决定.csv --db reports.db", err=True)
        raise typer.Exit(2)
    try:
        fp = V.record_decision(db, fingerprint, status, note, reviewer, source="cli")
        label = V.STATUS_LABELS.get(V.normalise_status(status), "已撤销决定，改回待审核")
    except V.ReviewError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1)
    typer.echo(f"{fp}：{label}" + (f"（{note}）" if note and V.normalise_status(status) != "open" else ""))
