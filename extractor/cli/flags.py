"""`xxgk flags`: the flags stored in a database, filtered, as a table, CSV, JSON or xlsx."""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..status import Severity
from .options import DEFAULT_DB, Db, Format, FormatOpt, Output, SeverityOpt, console


def flags(
    db: Db = DEFAULT_DB,
    severity: SeverityOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部级别，包括提示（info）")] = False,
    check: Annotated[Optional[list[str]], typer.Option(
        "--check", "-c", help="只列出该检查编号，如 R05，可重复")] = None,
    issuer: Annotated[Optional[str], typer.Option("--issuer", help="发布单位名称包含此文字")] = None,
    fmt: FormatOpt = Format.TABLE,
    output: Output = None,
):
    """列出数据库中的检查结果（矛盾与问题），可按级别、检查编号、发布单位筛选。"""
    from ..flags_export import print_table, query_flags, to_csv, to_json, to_xlsx
    from ..store import open_db

    if fmt == Format.XLSX and output is None:
        typer.echo("--format xlsx 需要 --output 文件名", err=True)
        raise typer.Exit(2)
    levels = None if show_all else [str(s) for s in (severity or (Severity.ERROR, Severity.WARNING))]
    rows = query_flags(open_db(db), levels, _check_ids(check), issuer)
    if fmt == Format.XLSX:
        to_xlsx(rows, str(output))
        typer.echo(f"已写入 {len(rows)} 条到 {output}")
        return
    if fmt == Format.TABLE:
        print_table(rows, console())
        return
    text = to_csv(rows) if fmt == Format.CSV else to_json(rows)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _check_ids(values: Optional[list[str]]) -> Optional[list[str]]:
    """--check values as catalog ids (R05, r05, prefixes such as T2; commas allowed); an unknown
    one is a usage error that lists the valid ids, never an empty list with exit 0."""
    if not values:
        return None
    from ..config import check_ids, split_ids

    known = check_ids()
    out: list[str] = []
    for code in split_ids(values):
        hits = [cid for cid in known if cid == code or cid.startswith(code)]
        if not hits:
            typer.echo(f"--check 的值无效：没有编号为 {code} 的检查。可用的编号：{'、'.join(known)}"
                       "（也可以用前缀，如 T2、R）", err=True)
            raise typer.Exit(2)
        out.extend(h for h in hits if h not in out)
    return out
