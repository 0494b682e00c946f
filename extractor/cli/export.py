"""`xxgk export --by-issuer OUTDIR`: review packets, one per issuing unit (extractor/packets.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import DEFAULT_DB, Db


def export(
    outdir: Annotated[Path, typer.Argument(help="输出文件夹（不存在时新建）")],
    by_issuer: Annotated[bool, typer.Option(
        "--by-issuer", help="按发布机关分别生成审核意见（目前唯一的导出方式，必须给出）")] = False,
    issuer: Annotated[Optional[str], typer.Option("--issuer", help="只导出名称包含此文字的发布机关")] = None,
    db: Db = DEFAULT_DB,
):
    """生成发给各发布机关的审核意见：每个机关一份 Word（问题、位置、页码、原文、原件截图、核对要点），
    一份 Excel 汇总（汇总表 + 每个机关一张表）和一份 CSV。已驳回的问题不列入。"""
    from ..packets import export_by_issuer
    from ..store import open_db

    if not by_issuer:
        typer.echo("请加 --by-issuer：xxgk export --by-issuer 输出文件夹 --db reports.db", err=True)
        raise typer.Exit(2)
    if outdir.exists() and not outdir.is_dir():
        typer.echo(f"{outdir} 不是文件夹", err=True)
        raise typer.Exit(2)
    res = export_by_issuer(open_db(db), outdir, db_path=str(db), issuer=issuer)
    typer.echo(f"已为 {res['issuers']} 个发布机关生成审核意见，共 {res['problems']} 个问题"
               f"（原件截图 {res['images']} 张）：{outdir}")
