"""`xxgk audit`: every report of a folder into the SQLite database (extractor/batch.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import DEFAULT_DB, ConfigFile, Ignore, NewDb, PdfEngineOpt, Select, check_settings, console


def audit(
    folder: Annotated[Path, typer.Argument(help="报告所在文件夹（递归查找 PDF、DOCX、HTML、TXT），也可以是一个文件")],
    db: NewDb = DEFAULT_DB,
    force: Annotated[bool, typer.Option("--force", help="重新处理未改变的文件")] = False,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="重新处理上次未能审核（状态不是 ok/partial）的未改变文件")] = False,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", "-w", min=0,
        help="并行工作进程数（默认：全部 CPU 核心；0：在本进程内逐个处理，不限时间和内存）")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.001, help="每个文件的时间上限（秒），超时记为 error")] = 120.0,
    memory_mb: Annotated[int, typer.Option("--memory-mb", min=768, help="每个工作进程的内存上限（MB），超出记为 error")] = 3072,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="显示进度条")] = True,
    follow_links: Annotated[bool, typer.Option(
        "--follow-links", help="也读取指向文件夹以外的符号链接（默认跳过，并在汇总中说明）")] = False,
    cluster: Annotated[Optional[str], typer.Option(
        "--cluster", help="在 Dask 集群上读取文件：调度器地址（tcp://host:8786）或 local:N（本机 N 个工作进程）；"
                          "本进程仍是唯一写入数据库的进程（见 docs/cluster.md）")] = None,
    ship_files: Annotated[bool, typer.Option(
        "--ship-files", help="与 --cluster 一起使用：由本机把文件内容发送给工作节点（节点无法以相同路径访问文件夹时）")] = False,
    select: Select = None,
    ignore: Ignore = None,
    config_file: ConfigFile = None,
    pdf_engine: PdfEngineOpt = None,
):
    """审核一个文件夹中的全部报告，写入 SQLite 数据库（可中断，再次运行只处理新增和改变的文件）。

    检查设置（--select、--ignore、xxgk.toml）改变后，未改变的文件也会重新检查。

    退出码：0 全部成功；1 有文件未能审核或没有找到报告文件；2 用法错误（文件夹不存在、选项或设置无效）。"""
    from ..batch import BatchError, UsageError, audit_folder, print_summary, start_fork_server

    if workers != 0 and not cluster:  # the pool's fork server warms up while the settings are read
        start_fork_server()
    config = check_settings(select, ignore, config_file, pdf_engine)
    out = console()
    try:
        engine = None
        if cluster:
            if workers is not None:
                raise UsageError("--workers 不能与 --cluster 同时使用：工作进程由集群提供")
            from ..cluster import ClusterEngine
            engine = ClusterEngine(cluster, ship_files=ship_files)
        elif ship_files:
            raise UsageError("--ship-files 只能与 --cluster 一起使用")
        summary = audit_folder(folder, db, workers=workers, force=force, timeout=timeout,
                               memory_mb=memory_mb, progress=progress, console=out,
                               retry_failed=retry_failed, config=config or None,
                               follow_links=follow_links, engine=engine)
    except UsageError as e:
        out.print(str(e), style="red", markup=False, highlight=False)
        raise typer.Exit(2)
    except BatchError as e:
        out.print(str(e), style="red", markup=False, highlight=False)
        raise typer.Exit(1)
    except KeyboardInterrupt:  # before the files were being read; what is stored is complete
        out.print("[yellow]已中断[/yellow]")
        raise typer.Exit(130)
    print_summary(summary, out)
    raise typer.Exit(130 if summary.interrupted else summary.exit_code)
