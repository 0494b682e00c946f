"""`xxgk compare`: two reports year over year, or every consecutive pair in a database
(extractor/compare.py)."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import ConfigFile, Ignore, Select, check_settings, existing_db


class CompareFormat(StrEnum):
    TABLE = "table"
    HTML = "html"
    JSON = "json"


def _db_option(ctx: typer.Context, db: Optional[Path]) -> Optional[Path]:
    return None if db is None else existing_db(ctx, db)


def compare(
    reports: Annotated[Optional[list[str]], typer.Argument(
        metavar="A B", help="两份报告：两个文件；或加 --db 时为数据库中的两份报告（文件名、路径或 sha256 前缀）",
        show_default=False)] = None,
    db: Annotated[Optional[Path], typer.Option(
        "--db", callback=_db_option,
        help="SQLite 数据库文件（xxgk audit 生成）；不给 A B 时比较库中每个机关每两个相邻年度")] = None,
    issuer: Annotated[Optional[str], typer.Option(
        "--issuer", help="只比较名称含这些字的发布机关（与 --db 一起用，不给 A B 时）")] = None,
    fmt: Annotated[CompareFormat, typer.Option(
        "--format", "-f", case_sensitive=False,
        help="输出格式：table（终端）、html（可打印的单个网页文件，左右对照）或 json")] = CompareFormat.TABLE,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="写入文件（默认输出到屏幕）")] = None,
    select: Select = None,
    ignore: Ignore = None,
    config_file: ConfigFile = None,
):
    """年度对比：先列问题（两份报告各自的问题和跨年度衔接问题），再逐部分对照文字（相似度、逐字照抄的段落、改动的句子），最后逐格对照三张统计表（两年数值、变化、变化率、大幅变化）。

    例：xxgk compare 2023.pdf 2024.pdf -f html -o 对比.html；
    xxgk compare --db reports.db 平潭-2023.html 平潭-2024.html；xxgk compare --db reports.db --issuer 洪泽"""
    from .. import compare as C

    reports = reports or []
    if len(reports) not in (0, 2):
        typer.echo("请给两份报告（A B），或只给 --db 比较库中每个机关的相邻年度", err=True)
        raise typer.Exit(2)
    if not reports and db is None:
        typer.echo("缺少要比较的报告：给两份报告文件，或用 --db 指定数据库", err=True)
        raise typer.Exit(2)
    if issuer and reports:
        typer.echo("--issuer 只在不给 A B 时使用", err=True)
        raise typer.Exit(2)
    comparisons: list = []
    if db is not None:
        from ..store import open_db

        database = open_db(db)
        if reports:
            try:
                comparisons = [C.compare_stored(database, *reports)]
            except C.NotFound as e:
                typer.echo(str(e), err=True)
                raise typer.Exit(2)
        else:
            C.sync_comparisons(database)  # the comparisons table too, as xxgk audit leaves it
            cache: dict = {}
            comparisons = [C.compare_shas(database, a, b, cache)
                           for a, b in C.consecutive_pairs(database, issuer)]
            if not comparisons:
                typer.echo("数据库中没有同一机关相邻年度的两份报告" + (f"（发布机关含“{issuer}”）" if issuer else ""),
                           err=True)
                raise typer.Exit(1)
    else:
        missing = [p for p in reports if not Path(p).is_file()]
        if missing:
            typer.echo(f"文件不存在：{'，'.join(missing)}（比较数据库中的报告请加 --db）", err=True)
            raise typer.Exit(2)
        config = check_settings(select, ignore, config_file)
        comparisons = [C.compare_files(reports[0], reports[1], config)]
    _emit(comparisons, fmt, output)


def _emit(comparisons: list, fmt: CompareFormat, output: Optional[Path]) -> None:
    from .. import compare as C

    if fmt == CompareFormat.JSON:
        import json

        data = [c.to_json() for c in comparisons]
        text = json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2)
    elif fmt == CompareFormat.HTML:
        text = C.render_html(comparisons)
    else:
        from rich.console import Console

        if output is None:
            C.print_terminal(comparisons, Console())
            return
        with open(output, "w", encoding="utf-8") as f:
            C.print_terminal(comparisons, Console(file=f, width=160, color_system=None))
        typer.echo(f"已写入 {output}")
        return
    if output is None:
        typer.echo(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        typer.echo(f"已写入 {output}（{len(comparisons)} 组对比）")
