"""The `xxgk serve` and `xxgk review` commands. cli.py calls register(app).

Heavy modules (datasette, uvicorn, jieba) are imported inside the commands, so `xxgk --help` stays
fast.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def _missing_db(db: Path) -> None:
    typer.echo(f"数据库不存在：{db}。请先运行 xxgk audit 文件夹 --db {db}", err=True)
    raise typer.Exit(2)


def serve(
    db: Path = typer.Option(Path("reports.db"), "--db", help="xxgk audit 写入的 SQLite 数据库"),
    host: str = typer.Option("127.0.0.1", "--host",
                             help="监听地址。默认只允许本机访问；改成 0.0.0.0 会让局域网内的人都能看到数据"),
    port: int = typer.Option(8001, "--port", help="端口"),
    no_prepare: bool = typer.Option(False, "--no-prepare",
                                    help="不更新视图和搜索索引（数据库文件只读时使用）"),
):
    """在浏览器中查看审核结果（datasette）：哪些报告有错误、为什么、每张表说了什么，并记录审核决定。"""
    if not db.is_file():
        _missing_db(db)
    from . import views as V
    from .serve import is_loopback, port_free, serve as run

    if not port_free(host, port):
        typer.echo(f"端口 {port} 已被占用（可能 xxgk serve 已在运行），请用 --port 换一个端口", err=True)
        raise typer.Exit(2)
    if not no_prepare:
        try:
            info = V.prepare(db)
        except Exception as e:  # e.g. a read-only file: serve what is there
            typer.echo(f"无法更新数据库中的视图和搜索索引（{type(e).__name__}: {e}），按现有内容启动", err=True)
        else:
            if info["segmented"]:
                typer.echo(f"已为 {info['segmented']} 个段落建立中文分词索引")
    if not is_loopback(host):
        typer.echo(f"注意：正在 {host} 上监听，网络中的其他人可以浏览这些数据；网页审核已关闭，请用 xxgk review 记录决定。",
                   err=True)
    url_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"在浏览器中打开 http://{url_host}:{port}/{db.resolve().stem}  （按 Ctrl+C 停止）")
    run(db, host=host, port=port, prepare=False)


def review(
    fingerprint: Optional[str] = typer.Argument(
        None, help="问题的标记指纹（问题清单“标记指纹”列；唯一的前6位以上也可以）"),
    status: Optional[str] = typer.Option(
        None, "--status", help="confirmed（确认问题属实）、dismissed（驳回，不是问题）或 open（撤销决定）"),
    note: Optional[str] = typer.Option(None, "--note", help="审核意见"),
    import_csv: Optional[Path] = typer.Option(
        None, "--import", help="从 CSV 导入决定：列 fingerprint,status,note（或问题清单导出的“标记指纹/审核状态/审核意见”）"),
    reviewer: Optional[str] = typer.Option(None, "--by", help="审核人（默认为当前系统用户）"),
    db: Path = typer.Option(Path("reports.db"), "--db", help="xxgk audit 写入的 SQLite 数据库"),
):
    """记录审核人对问题（标记）的决定：确认或驳回，并写意见。决定按标记指纹保存，重新运行 xxgk audit 不会丢失。"""
    if not db.is_file():
        _missing_db(db)
    from . import views as V

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


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("review")(review)
