"""`xxgk serve`: browse a database in datasette (extractor/serve.py). datasette and uvicorn are
imported inside the verb, so `xxgk --help` stays fast."""
from __future__ import annotations

from typing import Annotated

import typer

from .options import DEFAULT_DB, Db


def serve(
    db: Db = DEFAULT_DB,
    host: Annotated[str, typer.Option(
        "--host", help="监听地址。默认只允许本机访问；改成 0.0.0.0 会让局域网内的人都能看到数据")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8001,
    no_prepare: Annotated[bool, typer.Option(
        "--no-prepare", help="不更新视图和搜索索引（数据库文件只读时使用）")] = False,
):
    """在浏览器中查看审核结果（datasette）：哪些报告有错误、为什么、每张表说了什么，并记录审核决定。"""
    from .. import views as V
    from ..serve import is_loopback, port_free, serve as run

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
