"""Options several verbs share, defined once: the database (`--db`), the output format, the flag
severity, and the check settings (`--select`, `--ignore`, `--config`; see extractor/config.py)."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..status import Severity

DEFAULT_DB = Path("reports.db")


def existing_db(ctx: typer.Context, db: Path) -> Path:
    """The one existence check of every verb that reads a database."""
    if ctx.resilient_parsing:
        return db
    if not db.is_file():
        typer.echo(f"数据库不存在：{db}（先运行 xxgk audit）", err=True)
        raise typer.Exit(2)
    from ..schema import db_refusal, not_sqlite

    reason = not_sqlite(db)  # a report or any other file given as --db: the words audit gives
    if reason:
        typer.echo(db_refusal(db, reason), err=True)
        raise typer.Exit(2)
    return db


# For the verbs that read what `xxgk audit` wrote (flags, serve, review, coverage, crossyear).
Db = Annotated[Path, typer.Option("--db", callback=existing_db, help="SQLite 数据库文件（xxgk audit 生成）")]
# For `xxgk audit`, which creates the database (or adds to it).
NewDb = Annotated[Path, typer.Option("--db", help="SQLite 数据库文件（不存在时新建，已有时增量更新）")]


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


class TableFormat(StrEnum):
    """The formats of a verb that prints a table only (coverage)."""

    TABLE = "table"
    CSV = "csv"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", case_sensitive=False,
                                           help="输出格式：table（表格）、csv、json 或 xlsx（xlsx 需要 --output）")]
TableFormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", case_sensitive=False,
                                                     help="输出格式：table（表格）或 csv")]
Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="写入文件（默认输出到屏幕；xlsx 必须写入文件）")]

_LEVELS = "、".join(f"{s.value}（{s.label}）" for s in Severity)
SeverityOpt = Annotated[Optional[list[Severity]], typer.Option(
    "--severity", "-s", case_sensitive=False,
    help=f"只列出该级别：{_LEVELS}，可重复；默认列出错误和警告（提示用 -s info 或 --all）")]

Select = Annotated[Optional[list[str]], typer.Option(
    "--select", metavar="编号",
    help="只运行这些检查：编号或编号前缀，逗号分隔或重复，如 --select R05,T2（T2 即 T2-01…T2-06，D 即全部日期检查）；"
         "取代配置文件中的 select")]
Ignore = Annotated[Optional[list[str]], typer.Option(
    "--ignore", metavar="编号",
    help="不运行这些检查：编号或编号前缀，逗号分隔或重复，如 --ignore D04,R1")]
ConfigFile = Annotated[Optional[Path], typer.Option(
    "--config", metavar="文件",
    help="检查设置文件（默认：当前目录的 xxgk.toml，或 pyproject.toml 中的 tool.xxgk 表）；见 docs/config.md")]


class PdfEngine(StrEnum):
    PDFIUM = "pdfium"
    PDFPLUMBER = "pdfplumber"


PdfEngineOpt = Annotated[Optional[PdfEngine], typer.Option(
    "--pdf-engine", case_sensitive=False,
    help="文本PDF的读取方式：pdfium（默认，快）或 pdfplumber（参照实现，慢约5倍）；两者读出的内容相同")]


def check_settings(select: Optional[list[str]], ignore: Optional[list[str]],
                   config_file: Optional[Path], pdf_engine: Optional[str] = None) -> dict:
    """The checks' config from the command line and the settings file; a bad setting exits 2."""
    from ..config import ConfigError, resolve

    try:
        return resolve(select, ignore, config_file, pdf_engine=str(pdf_engine) if pdf_engine else None)
    except ConfigError as e:
        typer.echo(f"设置有误：{e}", err=True)
        raise typer.Exit(2)


def console():
    from rich.console import Console

    return Console()


# The section classifier's verbs (train, eval) read a source checkout: run them from the repository root.
CORPUS_DIR = Path("corpus")
SHARED_CORPUS = Path("../shared/corpus")
Corpus = Annotated[Path, typer.Option("--corpus", help="项目自带样本目录（文档旁有 gold JSON；在仓库根目录运行）")]
Shared = Annotated[Path, typer.Option("--shared", help="共享语料目录（使用 gold/ 与 synthetic/，不使用 unlabelled/）")]
