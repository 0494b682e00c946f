"""`xxgk crossyear`: the cross-report checks (X01–X07) over a whole database
(extractor/checks/crossyear.py `sync`)."""
from __future__ import annotations

from typing import Annotated

import typer

from .options import DEFAULT_DB, ConfigFile, Db, Ignore, Select, check_settings


def crossyear(
    db: Db = DEFAULT_DB,
    all_: Annotated[bool, typer.Option("--all", help="全部报告重新做跨年度检查（默认只做尚未做过的）")] = False,
    relink: Annotated[bool, typer.Option(
        "--relink", help="重新识别全部报告的发布机关（修改 rules/issuer_aliases.toml 之后用）")] = False,
    show: Annotated[bool, typer.Option("--show/--no-show", help="列出跨年度检查发现的问题")] = True,
    select: Select = None,
    ignore: Ignore = None,
    config_file: ConfigFile = None,
):
    """跨年度检查（X01–X07）：同一机关相邻年度的结转衔接、现行有效件数、照抄文字和数字、模板倒退，
    以及同年度不同机关报告的雷同文字。"""
    from ..checks.crossyear import sync
    from ..store import open_db

    config = check_settings(select, ignore, config_file)
    database = open_db(db)
    counts = sync(database, full=all_ or relink, relink=relink, config=config)
    typer.echo(f"已检查 {counts['reports']} 份报告，{counts['issuers_changed']} 份报告的发布机关有变化；"
               f"数据库中共有 {counts['flags']} 条跨报告问题")
    if not show or not counts["flags"]:
        return
    from rich.console import Console
    from rich.table import Table

    from ..status import Severity

    t = Table(show_lines=False)
    for col in ("检查", "级别", "发布机关", "年度", "对比", "说明"):
        t.add_column(col, overflow="fold")
    for check, severity, issuer, year, other_year, message in database.conn.execute(
            "SELECT f.check_id, f.severity, i.name, f.report_year, f.other_year, f.message FROM crossyear_flags f "
            "LEFT JOIN issuers i ON i.id = f.issuer_id ORDER BY CASE f.severity WHEN 'error' THEN 0 "
            "WHEN 'warning' THEN 1 ELSE 2 END, f.check_id, i.name, f.report_year"):
        t.add_row(check, Severity(severity).label, issuer or "", str(year or ""), str(other_year or ""), message)
    Console().print(t)
