"""Audit a folder of reports: every file, every core, crash-safe and incremental.

`audit_folder(folder, db_path, ...)` is what `xxgk audit` runs.

* **Workers.** Files are read in a pool of worker processes (default: one per core). They are
  forked from a fork server that ran `extractor.pipeline.warm_up()` once (readers, jieba, the
  section classifier, the check catalog: extractor/_batch_preload.py), so a worker, or the
  replacement of one, starts warm in milliseconds. Each reads one file at a time, with the next
  one already queued (so it never waits for the writer), and sends the Report back. A worker's
  address space is capped (RLIMIT_AS, `memory_mb`); a worker that exceeds the per-file
  `timeout`, runs out of memory or dies is killed and replaced, and the file is stored with
  status "error" and a Chinese message saying 超时 / 内存不足 / 进程崩溃. No file stops the run.
* **One writer.** Only this (parent) process writes SQLite, one report per transaction
  (`store.save_report`), so a run killed at any point (even SIGKILL) leaves every stored report
  complete; running again finishes the job and gives the same database content as an
  uninterrupted run.
* **Incremental.** A file whose sha256 is stored, at the same path, by the same xxgk version and
  under the same check settings (`config`, whose digest is part of the stored version) is
  skipped, failed or not (`retry_failed=True` redoes the failed ones, `force=True` all); a
  changed file replaces its old report. Reports of files that
  are no longer in the folder are DELETED from the database and listed in the summary as 已删除,
  so the database always mirrors the folder. Files with identical content are one report (the
  database is keyed by sha256): the first path in sorted order owns it, the others are listed as
  重复. A file that cannot even be opened (dangling symlink, symlink loop, FIFO, no permission)
  is stored as status "error", keyed by the sha256 of its path.
* Paths are stored absolute. Symlinked files are read through the link when it leads to a file
  inside the folder; a link leading out of it (to /etc/passwd, say) is not read unless
  `follow_links`, and the summary counts it. Symlinked directories are not followed (no loops).
* A name that is not UTF-8 (GBK bytes) is stored decoded as GB18030, or, if that fails too, as
  an error row with the name escaped; a folder that cannot be listed (no permission, a path
  over PATH_MAX) is an error row too. A folder without any report file exits 1 (未找到报告文件).
* At the end, the cross-report checks (extractor/checks/crossyear.py `sync`) run for every report
  not yet through them, so a run killed before them catches up on the next run.
* `workers=0` reads in this process, with no time or memory limit (for debugging and profiling).
"""
from __future__ import annotations

import functools
import hashlib
import os
import signal
import sqlite3
import stat
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .status import READ_STATUSES, Severity, Status

# .docm (macro-enabled Word) is read like DOCX: its macros are never run (nothing ever is).
REPORT_SUFFIXES = {".pdf", ".docx", ".docm", ".doc", ".wps", ".html", ".htm", ".shtml", ".xhtml", ".txt"}
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml")
# A page saved "complete" keeps its images, styles and scripts in NAME_files/ (Chinese Word and
# IE: NAME.files/) beside NAME.html: the page's assets, not reports of their own.
ASSET_DIR_SUFFIXES = ("_files", ".files")
EMBEDDED_SUFFIXES = {".pdf", ".docx", ".docm", ".doc", ".wps"}  # kept from there: the page may embed its report
DEFAULT_TIMEOUT = 120.0  # seconds per file; a real report takes well under 10
DEFAULT_MEMORY_MB = 3072  # address space per worker (RLIMIT_AS); a worker normally peaks < 400 MB
MIN_MEMORY_MB = 768  # below this a warm worker (spaCy, jieba, pdfminer: ~450 MB mapped) cannot read
_STARTUP_TIMEOUT = 120.0  # a worker that is not ready after this long is replaced
_MAX_START_FAILURES = 3  # workers dying before they are ready, in a row: give up
_SEVERITIES = tuple((s.value, s.label) for s in Severity)
_FAILURES_SHOWN = 30
_PREFETCH = 2  # files queued at a worker: the next one is there when it finishes one


class UsageError(ValueError):
    """Bad arguments (folder missing, bad option): `xxgk audit` exits 2."""


class BatchError(RuntimeError):
    """The run cannot go on (e.g. no worker process can start)."""


@dataclass
class Summary:
    folder: str
    db: str
    workers: int
    files: int = 0  # report files found (candidates by extension)
    processed: int = 0  # read in this run
    unchanged: int = 0  # skipped: same content, same path, same xxgk version
    removed: list[str] = field(default_factory=list)  # stored paths no longer in the folder (deleted)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, same content as path)
    skipped: list[str] = field(default_factory=list)  # files with other extensions
    # (page, attachment): a page whose body only links to the report, and that report's file here
    attachments: list[tuple[str, str]] = field(default_factory=list)
    walk_errors: list[str] = field(default_factory=list)  # folders that could not be listed
    links_skipped: list[str] = field(default_factory=list)  # symlinks leading out of the folder (not followed)
    statuses: dict[str, int] = field(default_factory=dict)  # status → reports, whole folder
    flags: dict[str, int] = field(default_factory=dict)  # severity → flags, whole folder
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (path, status, message)
    this_run: dict[str, int] = field(default_factory=dict)  # status → reports read in this run
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # largest peak RSS of any worker (this process when workers=0)
    startup_seconds: float = 0.0  # until the first worker was ready to read (warm-up included)
    # format → [files, wall seconds, CPU seconds spent reading them in the workers] (bench)
    timing: dict[str, list] = field(default_factory=dict)
    worker_restarts: int = 0
    interrupted: bool = False
    crossyear: Optional[dict] = None  # extractor.checks.crossyear.sync's counts, when it ran
    notes: list[str] = field(default_factory=list)  # warnings that are not about one file

    @property
    def exit_code(self) -> int:
        """0 every report of the folder read; 1 some file failed, the folder held no report file,
        or the run was interrupted."""
        return 1 if (self.failures or self.interrupted or self.files == 0) else 0


# ------------------------------------------------------------------------------------ the files


def list_files(folder: Path, follow_links: bool = False,
               outside: Optional[list[str]] = None) -> tuple[list[Path], list[Path], list[tuple[str, str]]]:
    """(candidate report files, files with other extensions, (folder, Chinese reason) for each
    folder that could not be listed) below folder, in sorted order. Hidden files are ignored;
    symlinked folders are not followed. A symlink whose target lies outside the folder (say
    /etc/passwd) is not read unless follow_links: it is appended to `outside` instead."""
    found: list[Path] = []
    skipped: list[Path] = []
    errors: list[tuple[str, str]] = []
    real_root = os.path.realpath(folder)
    assets: list[str] = []  # the _files folders of saved pages
    for root, dirs, files in os.walk(folder, followlinks=False,
                                     onerror=lambda e: errors.append((e.filename, _os_reason(e)))):
        names = set(files)
        in_assets = any(root == a or root.startswith(a + os.sep) for a in assets)
        if in_assets:  # only a document there (a PDF the page embeds) can be the report itself
            names = {n for n in names if Path(n).suffix.lower() in EMBEDDED_SUFFIXES}
        else:
            assets += [os.path.join(root, d) for d in dirs if _page_assets(d, files)]
        for d in list(dirs):  # a folder link is never followed; say so when it leads out
            if outside is not None and os.path.islink(os.path.join(root, d)) \
                    and not _inside(os.path.join(root, d), real_root):
                outside.append(os.path.join(root, d))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            p = Path(root) / name
            if not follow_links and p.is_symlink() and not _inside(str(p), real_root):
                if outside is not None:
                    outside.append(str(p))
                continue
            suffix = p.suffix.lower()
            (found if suffix in REPORT_SUFFIXES or not suffix else skipped).append(p)
    return sorted(found, key=str), sorted(skipped, key=str), sorted(errors)


def _inside(link: str, real_root: str) -> bool:
    """The symlink `link` leads (through every link on the way) to a path inside real_root."""
    target = os.path.realpath(link)
    return target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)


_ERRNO_ZH = {"EACCES": "没有读取权限", "EPERM": "没有权限", "ENAMETOOLONG": "路径过长（超过系统上限）",
             "ENOENT": "不存在", "ENOTDIR": "不是文件夹", "ELOOP": "符号链接循环", "EIO": "读写错误（磁盘或网络故障）",
             "EMFILE": "打开的文件过多", "ENFILE": "打开的文件过多", "ENOMEM": "内存不足",
             "ESTALE": "网络文件已失效", "ENODEV": "设备不存在"}


def _os_reason(e: OSError) -> str:
    """An OSError's reason in Chinese (strerror is the C library's English)."""
    import errno

    name = errno.errorcode.get(e.errno or 0, "")
    return _ERRNO_ZH.get(name) or (f"系统错误 {name}" if name else "无法访问")


def _displayable(path: str) -> tuple[str, Optional[str]]:
    """(the path to store and show, a Chinese problem or None) for a path os.walk gave. A name that is not
    UTF-8 (GBK bytes, from a ZIP made on Chinese Windows and unpacked on Linux) comes as a str
    with surrogates, which SQLite and the terminal refuse: each such component is decoded as
    GB18030 when that is valid; otherwise the path is shown escaped and a Chinese problem
    returned (the file is stored as error, the batch goes on)."""
    if not _has_surrogates(path):
        return path, None
    parts = []
    for part in path.split(os.sep):
        if _has_surrogates(part):
            try:
                part = os.fsencode(part).decode("gb18030")
            except UnicodeDecodeError:
                shown = escape_surrogates(path)
                return shown, (f"{Path(shown).name}：文件名不是有效的 UTF-8 编码（可能是 GBK），"
                               "按 GB18030 也无法解读，未读取（无法解读的字节显示为 \\xNN）")
        parts.append(part)
    return os.sep.join(parts), None


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def escape_surrogates(text: str) -> str:
    """Undecodable bytes kept by surrogateescape, shown as \\xNN (storable, printable)."""
    if not _has_surrogates(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _page_assets(dirname: str, files: list[str]) -> bool:
    """dirname is the assets folder of a saved page among files (报告_files beside 报告.html)."""
    stem = next((dirname[:-len(x)] for x in ASSET_DIR_SUFFIXES if dirname.lower().endswith(x)), "")
    names = {f.lower() for f in files}
    return bool(stem) and any((stem + x).lower() in names for x in PAGE_SUFFIXES)


def path_sha(path: str) -> str:
    """Key for a file whose content cannot be read: the sha256 of its path."""
    return hashlib.sha256(("unreadable:" + path).encode("utf-8", "surrogateescape")).hexdigest()


def _unreadable(p: Path, name: Optional[str] = None) -> Optional[str]:
    """Chinese reason why p cannot be opened as a file, or None if it is a readable regular file.
    Never opens anything that could block (a FIFO or a device). name: the name to show."""
    name = name or p.name
    try:
        st = os.stat(p)
    except OSError as e:
        if p.is_symlink():
            import errno
            if e.errno == errno.ELOOP:
                return f"{name} 是循环的符号链接，无法读取"
            if e.errno == errno.ENOENT:
                return f"{name} 是失效的符号链接（指向的文件不存在：{os.readlink(p)}）"
        return f"{name} 无法打开：{_os_reason(e)}"
    if not stat.S_ISREG(st.st_mode):
        kind = ("目录" if stat.S_ISDIR(st.st_mode) else "命名管道（FIFO）" if stat.S_ISFIFO(st.st_mode)
                else "套接字" if stat.S_ISSOCK(st.st_mode) else "设备文件"
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "特殊文件")
        return f"{name} 不是普通文件（{kind}），无法读取"
    if not os.access(p, os.R_OK):
        return f"{name} 无法打开：没有读取权限"
    return None


def _sha_file(p: Path) -> str:
    from .pipeline import sha256_file
    return sha256_file(p)


@dataclass
class _Item:
    path: str  # absolute, as stored and shown
    sha: str
    problem: Optional[str] = None  # set: cannot be opened; stored as error without a worker
    source: Optional[str] = None  # the path on disk, when it differs (a GBK name decoded)

    @property
    def disk(self) -> str:
        return self.source or self.path


def _error_report(path: str, sha: str, message: str, status: str = "error"):
    from .report import Report
    return Report(document=path, sha256=sha, format="", status=status, messages=[message])


# ------------------------------------------------------------------------------------- workers


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the parent dies (even by SIGKILL)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the worker exits when its pipe closes
        pass


def _rss_mb() -> float:
    """Current resident set size of this process in MB (Linux /proc; else the peak)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return _peak_rss_mb()


def _peak_rss_mb() -> float:
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _fill_tokens(report) -> None:
    """jieba tokens for full-text search, computed here in the worker so the single writer does
    not segment every paragraph (store.save_report only fills tokens that are empty)."""
    if not report.paragraphs:
        return
    try:
        from .segment import index_tokens
    except ImportError:
        return
    for p in report.paragraphs:
        if not p.tokens and p.text:
            p.tokens = index_tokens(p.text)


def _read_one(path: str, extract_fn: Optional[Callable]) -> object:
    """One file → Report; an exception from the extractor becomes an "error" Report."""
    from .pipeline import extract

    fn = extract_fn or extract
    try:
        report = fn(path)
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
        return _error_report(path, _safe_sha(path), _exception_message(Path(path).name, e))
    _fill_tokens(report)
    return report


def _exception_message(name: str, e: BaseException) -> str:
    """Chinese message for an exception a reader did not turn into a ReadError."""
    import zipfile

    chain, x = [], e
    while x is not None and len(chain) < 10:
        chain.append(x)
        x = x.__cause__ or x.__context__
    detail = f"{type(e).__name__}: {_short(e)}"
    if any(isinstance(x, MemoryError) for x in chain):
        return f"{name}：内存不足（{detail}）"
    if any(isinstance(x, RecursionError) for x in chain):
        return f"{name}：文件结构嵌套过深，无法读取（文件已损坏或是恶意构造的）（{detail}）"
    if any(isinstance(x, zipfile.BadZipFile) for x in chain):
        return f"{name}：ZIP 结构损坏，无法读取（{detail}）"
    if any(isinstance(x, OSError) for x in chain):
        return f"{name}：无法读取文件（{detail}）"
    return f"{name}：处理时出错（{detail}）"


def _short(e: BaseException, limit: int = 300) -> str:
    text = escape_surrogates(str(e).replace("\n", " "))
    return text if len(text) <= limit else text[:limit] + "…"


def _safe_sha(path: str) -> str:
    try:
        return _sha_file(Path(path))
    except OSError:
        return path_sha(path)


def _worker_main(conn, memory_mb: Optional[int], extract_fn: Optional[Callable], model: bool = True) -> None:
    """A worker process: warm up, then read files sent by the parent until told to stop."""
    _die_with_parent()  # (under a fork server, its death: it exits when the audit process dies)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if memory_mb:
        import resource
        limit = memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    from .pipeline import warm_up
    warm_up(model)  # nothing left to do when forked from the warm fork server
    conn.send(("ready", os.getpid(), _peak_rss_mb()))
    recycle_mb = (memory_mb or 0) / 2
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        idx, path = task
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            report = _read_one(path, extract_fn)
            out = ("done", idx, report)
        except MemoryError:
            report = None
            out = ("oom", idx, None)
        elapsed = (time.perf_counter() - t0, time.process_time() - c0)
        recycle = out[0] == "oom" or bool(recycle_mb and _rss_mb() > recycle_mb)
        try:
            try:
                conn.send(out + (_peak_rss_mb(), recycle, elapsed))
            except MemoryError:
                conn.send(("oom", idx, None, _peak_rss_mb(), True, elapsed))
            except (OSError, EOFError):
                raise
            except Exception as e:  # noqa: BLE001 - e.g. a report that cannot be pickled
                conn.send(("done", idx, _error_report(path, _safe_sha(path),
                                                      f"{Path(path).name}：处理结果无法传回（{type(e).__name__}: {_short(e)}）"),
                           _peak_rss_mb(), True, elapsed))
        except (OSError, EOFError):  # the parent is gone
            return
        if recycle:
            return


def _pool_context():
    """The multiprocessing context of the pool. Workers fork from a fork server that warmed up
    once (extractor/_batch_preload.py); not from this process, which has threads (rich) and an
    open database."""
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["extractor._batch_preload"])
    return ctx


def start_fork_server() -> None:
    """Start the pool's fork server now, without waiting for it: its warm-up (~1.5 s: spaCy, jieba,
    the readers) runs while this process still reads its settings, hashes and plans, so the first
    worker is ready sooner. Called again by audit_folder: once running, it is left alone."""
    ctx = _pool_context()
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    try:
        with _main_hidden():
            forkserver.ensure_running()
    except (OSError, ValueError):  # the pool tries again when it starts, and says why it cannot
        pass


class _main_hidden:
    """While starting a worker, hide the parent's __main__ (a script, `python -m pytest`, a
    notebook, stdin) from multiprocessing: a worker needs nothing from it, and re-importing it
    costs time or fails (`python - < script`: there is no file to import)."""

    def __enter__(self):
        self.main = sys.modules.get("__main__")
        self.saved = {a: self.main.__dict__[a] for a in ("__spec__", "__file__")
                      if self.main is not None and a in self.main.__dict__}
        if "__spec__" in self.saved:
            self.main.__spec__ = None
        if "__file__" in self.saved:
            del self.main.__file__
        return self

    def __exit__(self, *exc):
        for a, v in self.saved.items():
            setattr(self.main, a, v)
        return False


class _Worker:
    """One worker process and the files sent to it (in order; the first is being read)."""

    def __init__(self, ctx, memory_mb, extract_fn):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_mb, extract_fn),
                                daemon=True, name="xxgk-worker")
        with _main_hidden():
            self.proc.start()
        child.close()
        self.started = time.monotonic()
        self.ready = False
        self.tasks: deque = deque()  # (idx, _Item)
        self.deadline = 0.0  # for the first task
        self.peak_mb = 0.0

    @property
    def current(self) -> Optional[_Item]:
        return self.tasks[0][1] if self.tasks else None

    def send(self, idx: int, item: _Item, timeout: float) -> None:
        self.conn.send((idx, item.disk))
        self.tasks.append((idx, item))
        if len(self.tasks) == 1:
            self.deadline = time.monotonic() + timeout

    def finished(self, timeout: float) -> _Item:
        """The first task is done: the next one (already sent) starts now."""
        _, item = self.tasks.popleft()
        if self.tasks:
            self.deadline = time.monotonic() + timeout
        return item

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        self.kill()


def _crash_message(name: str, exitcode: Optional[int], memory_mb: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            sig = signal.Signals(-exitcode).name
        except ValueError:
            sig = f"信号 {-exitcode}"
        how = f"被信号 {sig} 终止"
        if -exitcode == signal.SIGKILL:
            how += "，可能是系统内存不足"
    else:
        how = f"退出码 {exitcode}"
    return f"{name}：处理时进程崩溃（{how}），已换用新的工作进程"


# ------------------------------------------------------------------------- for other engines
# What an engine that reads elsewhere (extractor/cluster.py) shares with the built-in pool.


def error_report(path: str, sha: str, message: str, status: str = "error"):
    """A Report that stores only a failure: status and Chinese message."""
    return _error_report(path, sha, message, status)


def crash_message(name: str, exitcode: Optional[int], memory_mb: Optional[int]) -> str:
    """Chinese message for a file whose worker process died (exit code or signal)."""
    return _crash_message(name, exitcode, memory_mb)


def main_hidden():
    """Context manager: the parent's __main__ hidden from processes started meanwhile by spawn or
    forkserver (an unguarded script would run again in each of them)."""
    return _main_hidden()


def serve_worker(conn, memory_mb: Optional[int], extract_fn: Optional[Callable], model: bool = True) -> None:
    """Be a worker process on `conn` (a multiprocessing Connection): the built-in pool's
    protocol, limits (RLIMIT_AS) and warm-up, in a process some other engine started.
    model=False: the section classifier is loaded when a document first needs it (see warm_up)."""
    _worker_main(conn, memory_mb, extract_fn, model)


# ------------------------------------------------------------------------------------ the run


def audit_folder(folder, db_path, workers: Optional[int] = None, force: bool = False,
                 timeout: float = DEFAULT_TIMEOUT, memory_mb: Optional[int] = DEFAULT_MEMORY_MB,
                 progress: bool = True, console=None, retry_failed: bool = False,
                 extract_fn: Optional[Callable] = None, config: Optional[dict] = None,
                 follow_links: bool = False, engine=None) -> Summary:
    """Audit every report file below `folder` (or one file) into the SQLite database `db_path`.

    workers: processes (None: all cores; 0: in this process, without time/memory limits).
    timeout: seconds per file. memory_mb: address-space limit per worker (None: no limit).
    force: read every file again. retry_failed: read again the unchanged files whose stored
    status is not ok/partial (e.g. after a timeout on a busy machine).
    extract_fn: replaces `extractor.pipeline.extract` (a picklable top-level function; tests).
    follow_links: read files whose symlink leads out of the folder (default: skipped and counted).
    engine: reads the files elsewhere instead of the built-in pool (extractor/cluster.py: a Dask
    cluster); this process still plans, stores and summarises (see `Runner`).
    config: the checks' settings (extractor/config.py resolve(); plain data, sent to the workers).
    Its digest is stored with each report as part of xxgk_version ("0.1.0+config.…"), so a file
    audited under other settings is not "unchanged": it is read and checked again.
    Raises UsageError for bad arguments; never raises because of a file.
    """
    folder = Path(folder)
    if workers is None:
        workers = _cores()
    if not isinstance(workers, int) or workers < 0:
        raise UsageError(f"--workers 必须是不小于 0 的整数（收到 {workers}）")
    if not timeout or timeout <= 0:
        raise UsageError(f"--timeout 必须大于 0 秒（收到 {timeout}）")
    if memory_mb is not None and memory_mb < MIN_MEMORY_MB:
        raise UsageError(f"--memory-mb 至少为 {MIN_MEMORY_MB}（收到 {memory_mb}）")
    if not folder.exists() and not folder.is_symlink():
        raise UsageError(f"文件夹不存在：{folder}")
    if workers > 0 and engine is None:
        # The pool's fork server warms up (~1.5 s of one core) while this process imports, lists,
        # hashes and plans. Wasted only when no file needs reading (a re-run, nothing changed).
        start_fork_server()
    from .errors import SchemaError
    from .store import open_db

    if console is None:
        from rich.console import Console
        console = Console(stderr=False)

    if config and extract_fn is None:
        from .pipeline import extract
        extract_fn = functools.partial(extract, config=config)  # picklable: a top-level function + data
    version = _version(config)

    t0 = time.monotonic()
    summary = Summary(folder=str(folder), db=str(db_path), workers=workers)
    root = Path(os.path.abspath(folder))
    unlisted: dict[str, str] = {}  # folders that could not be listed → their error row's message
    if root.is_dir():
        files, skipped, errors = list_files(root, follow_links, summary.links_skipped)
        for path, reason in errors:
            shown = escape_surrogates(path)
            summary.walk_errors.append(f"{shown}：{reason}")
            unlisted[path] = f"{Path(shown).name}：无法列出文件夹（{reason}），其中的文件未能审核"
        files = sorted(files + [Path(p) for p in unlisted], key=str)
    else:
        files, skipped = [root], []
    summary.files = len(files)
    summary.skipped = [str(p) for p in skipped]
    try:
        db = open_db(db_path)
    except sqlite3.Error as e:
        raise UsageError(f"无法打开数据库 {db_path}：{e}") from e
    except SchemaError as e:
        raise UsageError(str(e)) from e
    # A WAL checkpoint (with its fsync) every ~40 MB instead of every 4 MB: the single writer
    # spends less time in commits. Still one transaction per report, safe against kills.
    db.conn.execute("PRAGMA wal_autocheckpoint=10000")
    from .store import record_check_settings
    record_check_settings(db, config)  # a correction re-checks a report under its audit's settings
    try:
        present = _plan_and_run(summary, db, root, files, force, retry_failed, console, progress,
                                timeout, memory_mb, extract_fn, workers, version, unlisted, engine)
        if not summary.interrupted:
            _cross_year(summary, db, config)
        _fill_summary(summary, db, present - {p for p, _ in summary.duplicates})
        if summary.processed or summary.removed:
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # leave a small WAL behind
    finally:
        db.conn.close()
    summary.seconds = time.monotonic() - t0
    if summary.workers == 0:
        summary.peak_rss_mb = _peak_rss_mb()
    return summary


def _plan_and_run(summary: Summary, db, root: Path, files: list[Path], force: bool, retry_failed: bool,
                  console, progress: bool, timeout: float, memory_mb: Optional[int], extract_fn,
                  workers: int, version: Optional[str] = None,
                  unlisted: Optional[dict[str, str]] = None, engine=None) -> set[str]:
    """Hash every file; decide what to read, what is unchanged, duplicate or removed; read.
    unlisted: folders that could not be listed, stored as error rows with their message."""
    from .store import delete_report, stored_reports

    stored = stored_reports(db)
    version = version or _version()
    by_sha: dict[str, str] = {}
    items: list[_Item] = []
    present: set[str] = set()
    status = console.status(f"检查 {len(files)} 个文件…") if progress and len(files) > 200 else None
    if status is not None:
        status.start()
    try:
        for p in files:
            source = str(p)
            path, problem = _displayable(source)
            problem = problem or (unlisted or {}).get(source)
            present.add(path)
            if problem is None:
                problem = _unreadable(p, Path(path).name)
            sha = None
            if problem is None:
                try:
                    sha = _sha_file(p)
                except OSError as e:
                    problem = f"{Path(path).name} 无法打开：{_os_reason(e)}"
            if problem is not None:
                sha = path_sha(path)
            if sha in by_sha:
                summary.duplicates.append((path, by_sha[sha]))
                continue
            by_sha[sha] = path
            old = stored.get(sha)
            if (not force and old is not None and old[0] == path and old[1] == version
                    and not (retry_failed and old[2] not in READ_STATUSES)):
                summary.unchanged += 1
                continue
            items.append(_Item(path, sha, problem, source if source != path else None))
    finally:
        if status is not None:
            status.stop()
    shown_root = _displayable(str(root))[0]  # stored paths are the displayable ones
    prefix = shown_root + os.sep
    for sha, (path, _, _) in sorted(stored.items(), key=lambda kv: kv[1][0] or ""):
        # Gone from the folder (a file renamed or moved inside it keeps its report: by_sha).
        if path and (path == shown_root or path.startswith(prefix)) and path not in present and sha not in by_sha:
            delete_report(db, sha)
            summary.removed.append(path)

    runner = _Runner(summary, db, console, progress, timeout, memory_mb, extract_fn, version, engine)
    try:
        runner.run(items, workers)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        runner.close()
    return present


def _cross_year(summary: Summary, db, config: Optional[dict] = None) -> None:
    """The cross-report checks (X01–X07, extractor/checks/crossyear.py) for every stored report
    that has not been through them: the reports read now, and any left by a killed run."""
    try:
        from .checks.crossyear import sync
    except ImportError:
        return
    try:
        summary.crossyear = sync(db, config=config)
    except Exception as e:  # noqa: BLE001 - the reports are stored; only the pairwise checks failed
        summary.notes.append(f"跨年度检查出错（{type(e).__name__}: {_short(e)}），可稍后运行 xxgk crossyear")
        return
    try:  # then the year-over-year comparisons of every new consecutive pair (extractor/compare.py)
        from .compare import sync_comparisons

        sync_comparisons(db)
    except Exception as e:  # noqa: BLE001 - as above: only the comparisons failed
        summary.notes.append(f"年度对比出错（{type(e).__name__}: {_short(e)}），可稍后运行 xxgk compare --db")


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def _version(config: Optional[dict] = None) -> str:
    from .store import audit_version

    return audit_version(config)


class _Runner:
    """Sends files to workers, stores what comes back, replaces workers that hang or die.

    The seam for another engine (extractor/cluster.py): `engine.run(runner, todo)` gets the
    files to read, as (index, item) with item.path (stored, shown), item.sha and item.disk (the
    file to open), reads them wherever it likes, and hands each Report to `runner.store(report,
    item, elapsed)` in this process: the single writer, progress bar and summary stay here.
    `runner.timeout`, `runner.memory_mb`, `runner.extract_fn` are the limits and the extractor;
    `runner.current(names)` shows the files being read."""

    def __init__(self, summary: Summary, db, console, progress: bool, timeout: float,
                 memory_mb: Optional[int], extract_fn, version: Optional[str] = None, engine=None):
        self.summary, self.db, self.console = summary, db, console
        self.version = version
        self.engine = engine
        self.timeout, self.memory_mb, self.extract_fn = timeout, memory_mb, extract_fn
        self.counts = {"ok": 0, "failed": 0}
        self.pool: list[_Worker] = []
        self.bar = None
        self.task = None
        self.show_progress = progress
        self.t0 = time.monotonic()

    # -- storing ---------------------------------------------------------------------------

    def store(self, report, item: _Item, elapsed: Optional[tuple] = None) -> None:
        from .store import save_report

        if elapsed is not None:
            t = self.summary.timing.setdefault(report.format or report.status, [0, 0.0, 0.0])
            t[0] += 1
            t[1] += elapsed[0]
            t[2] += elapsed[1]

        if report.document != item.path:  # a custom extractor may echo another form of the path
            report.document = item.path
        if item.source:  # the reader named the file by its undecoded name: show the decoded one
            name, shown = Path(item.source).name, Path(item.path).name
            report.messages = [m.replace(item.source, item.path).replace(name, shown) for m in report.messages]
        report.messages = [escape_surrogates(m) for m in report.messages]
        try:
            save_report(self.db, report)
        except Exception as e:  # noqa: BLE001 - e.g. a value SQLite cannot store: keep the file's row
            report = _error_report(item.path, item.sha, f"{Path(item.path).name}：保存结果时出错（{type(e).__name__}: {_short(e)}）")
            try:
                save_report(self.db, report)
            except Exception as e2:  # the database itself fails (disk full, locked): stop
                raise BatchError(f"无法写入数据库 {self.summary.db}：{type(e2).__name__}: {_short(e2)}") from e2
        if self.version and self.version != _version():  # checked under non-default settings: say which
            with self.db.conn:
                self.db.conn.execute("UPDATE reports SET xxgk_version = ? WHERE sha256 = ?",
                                     [self.version, report.sha256])
        s = self.summary
        s.processed += 1
        s.this_run[report.status] = s.this_run.get(report.status, 0) + 1
        ok = report.status in READ_STATUSES
        # An attachment page is settled in the summary (is the attachment in the folder?).
        attachment = report.status == Status.ATTACHMENT
        if not attachment:
            self.counts["ok" if ok else "failed"] += 1
        if not ok and self.show_progress:
            msg = report.messages[0] if report.messages else ""
            self.console.print(f"{'↪' if attachment else '✗'} {Path(item.path).name}: {report.status} · {msg}",
                               markup=False, highlight=False)
        self.advance()

    # -- progress --------------------------------------------------------------------------

    def start_progress(self, total: int) -> None:
        if not self.show_progress or total == 0:
            return
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self.bar = Progress(TextColumn("[bold]审核[/bold]"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("[green]成功 {task.fields[ok]}[/green] [red]失败 {task.fields[failed]}[/red]"),
                            TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
                            TextColumn("{task.fields[current]}", markup=False),
                            console=self.console, transient=False)
        self.bar.start()
        self.task = self.bar.add_task("audit", total=total, ok=0, failed=0, current="")

    def current(self, names: list[str]) -> None:
        if self.bar is not None:
            text = "，".join(names)
            self.bar.update(self.task, current=text if len(text) <= 60 else text[:59] + "…")

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, **self.counts)

    def close(self) -> None:
        for w in self.pool:
            w.kill()
        self.pool.clear()
        if self.bar is not None:
            self.current([])
            self.bar.stop()
            self.bar = None

    # -- running ---------------------------------------------------------------------------

    def run(self, items: list[_Item], workers: int) -> None:
        self.start_progress(len(items))
        todo = deque()
        for idx, item in enumerate(items):
            if item.problem is not None:  # nothing a worker could read: stored at once
                self.store(_error_report(item.path, item.sha, item.problem), item)
            else:
                todo.append((idx, item))
        if not todo:
            return
        if self.engine is not None:
            self.engine.run(self, todo)
        elif workers == 0:
            self.run_inline(todo)
        else:
            self.run_pool(todo, min(workers, len(todo)))

    def run_inline(self, todo: deque) -> None:
        for _, item in todo:
            self.current([Path(item.path).name])
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                report = _read_one(item.disk, self.extract_fn)
            except MemoryError:
                report = _error_report(item.path, item.sha, f"{Path(item.path).name}：内存不足")
            self.store(report, item, (time.perf_counter() - t0, time.process_time() - c0))

    def run_pool(self, todo: deque, n: int) -> None:
        from multiprocessing.connection import wait

        ctx = _pool_context()
        start_failures = 0
        self.pool = [_Worker(ctx, self.memory_mb, self.extract_fn) for _ in range(n)]
        while todo or any(w.tasks for w in self.pool):
            # Keep PREFETCH files queued at each ready worker, so that it never waits for this
            # process to store the previous report.
            for w in self.pool:
                while w.ready and len(w.tasks) < _PREFETCH and todo:
                    idx, item = todo.popleft()
                    try:
                        w.send(idx, item, self.timeout)
                    except (OSError, ValueError):  # died between messages: handled below
                        todo.appendleft((idx, item))
                        break
            self.current([Path(w.current.path).name for w in self.pool if w.current is not None])
            now = time.monotonic()
            deadlines = [w.deadline for w in self.pool if w.tasks]
            deadlines += [w.started + _STARTUP_TIMEOUT for w in self.pool if not w.ready]
            wait_for = max(0.0, min(deadlines) - now) if deadlines else None
            waitables = [w.conn for w in self.pool] + [w.proc.sentinel for w in self.pool]
            ready = set(wait(waitables, timeout=wait_for))
            replace: list[_Worker] = []
            for w in self.pool:
                if w.conn in ready:
                    try:
                        msg = w.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    if msg is not None:
                        kind = msg[0]
                        if kind == "ready":
                            if not self.summary.startup_seconds:
                                self.summary.startup_seconds = time.monotonic() - self.t0
                            w.ready = True
                            start_failures = 0
                            w.peak_mb = max(w.peak_mb, msg[2])
                            continue
                        _, idx, report, peak, recycle, elapsed = msg
                        w.peak_mb = max(w.peak_mb, peak)
                        self.summary.peak_rss_mb = max(self.summary.peak_rss_mb, w.peak_mb)
                        item = w.finished(self.timeout)
                        if kind == "oom":
                            report = _error_report(item.path, item.sha, f"{Path(item.path).name}：内存不足（超过每个工作进程 {self.memory_mb} MB 的限制），已换用新的工作进程")
                        self.store(report, item, elapsed)
                        if recycle:
                            replace.append(w)
                        continue
                if w.proc.sentinel in ready or (w.conn in ready and not w.proc.is_alive()):
                    w.proc.join(5)
                    if w not in replace:
                        replace.append(w)
                        if w.tasks:
                            item = w.finished(self.timeout)
                            self.store(_error_report(item.path, item.sha,
                                                     _crash_message(Path(item.path).name, w.proc.exitcode, self.memory_mb)), item)
                        elif not w.ready:
                            start_failures += 1
            now = time.monotonic()
            for w in self.pool:
                if w in replace:
                    continue
                if w.tasks and now >= w.deadline:
                    item = w.finished(self.timeout)
                    w.kill()
                    self.store(_error_report(item.path, item.sha, f"{Path(item.path).name}：处理超时（超过 {self.timeout:g} 秒），工作进程已终止"), item)
                    replace.append(w)
                elif not w.ready and now >= w.started + _STARTUP_TIMEOUT:
                    start_failures += 1
                    replace.append(w)
            if start_failures >= _MAX_START_FAILURES:
                raise BatchError(f"工作进程无法启动（连续 {start_failures} 次失败）；"
                                 f"可以试试更大的 --memory-mb（现为 {self.memory_mb}）或 --workers 0")
            for w in replace:
                w.kill()
                self.pool.remove(w)
                self.summary.worker_restarts += 1
                todo.extendleft(reversed(w.tasks))  # sent but not started: to another worker
                w.tasks.clear()
                if todo:  # a replacement (forked from the warm server: cheap)
                    self.pool.append(_Worker(ctx, self.memory_mb, self.extract_fn))
        for w in self.pool:
            self.summary.peak_rss_mb = max(self.summary.peak_rss_mb, w.peak_mb)
            w.stop()
        self.pool.clear()


# ---------------------------------------------------------------------------------- summary


def _fill_summary(summary: Summary, db, present: set[str]) -> None:
    """Statuses, flags and failures of every report of the folder (read or unchanged)."""
    rows = db.conn.execute(
        "SELECT path, status, message, n_errors, n_warnings, n_infos FROM reports").fetchall()
    flags = {sev: 0 for sev, _ in _SEVERITIES}
    for path, status, message, n_err, n_warn, n_info in rows:
        if path not in present:
            continue
        summary.statuses[status] = summary.statuses.get(status, 0) + 1
        for (sev, _), n in zip(_SEVERITIES, (n_err, n_warn, n_info)):
            flags[sev] += n or 0
        if status == Status.ATTACHMENT:
            found = _attachment_in_folder(path, present)
            if found:  # the report itself is audited from its own file: the page is no failure
                summary.attachments.append((path, found))
                continue
        if status not in READ_STATUSES:
            summary.failures.append((path, status, (message or "").split("\n")[0]))
    summary.flags = flags
    summary.failures.sort()
    summary.attachments.sort()


def _attachment_in_folder(page: str, present: set[str]) -> Optional[str]:
    """The file among present that a page's attachment link names: the link resolved beside the
    page first, then a file of that name anywhere in the folder (saved downloads keep the name)."""
    from .readers.html import attachment_links

    try:
        links = attachment_links(page)
    except OSError:
        return None
    here = Path(page).parent
    by_name: dict[str, list[str]] = {}
    for p in sorted(present):
        if p != page:
            by_name.setdefault(Path(p).name.lower(), []).append(p)
    for link in links:
        for name in link.files:
            beside = str(here / name)
            if beside in present and beside != page:
                return beside
        for name in link.files:
            if by_name.get(name.lower()):
                return by_name[name.lower()][0]
    return None


def print_summary(s: Summary, console) -> None:
    """The end-of-run summary, in Chinese."""
    def p(text: str, style: Optional[str] = None) -> None:
        console.print(text, markup=False, highlight=False, style=style)

    reports = sum(s.statuses.values())
    head = (f"完成：{s.files} 个报告文件，本次读取 {s.processed}，未改变跳过 {s.unchanged}"
            f"，重复 {len(s.duplicates)}，已删除 {len(s.removed)}，其他类型文件 {len(s.skipped)}")
    p(head, "bold")
    if s.files == 0:
        p(f"未找到报告文件：{s.folder} 中没有 PDF、DOCX、DOC/WPS、HTML 或 TXT 文件", "red")
    if s.interrupted:
        p("已中断：已保存的报告完好，再次运行会继续处理其余文件", "yellow")
    p(f"报告 {reports} 份：" + ("，".join(f"{k} {v}" for k, v in sorted(s.statuses.items())) or "无"))
    p("检查结果：" + "，".join(f"{label} {s.flags.get(sev, 0)}" for sev, label in _SEVERITIES))
    if s.failures:
        by_status: dict[str, int] = {}
        for _, status, _ in s.failures:
            by_status[status] = by_status.get(status, 0) + 1
        p(f"未能审核 {len(s.failures)} 个文件：" + "，".join(f"{k} {v}" for k, v in sorted(by_status.items())), "red")
        for path, status, message in s.failures[:_FAILURES_SHOWN]:
            p(f"  {status:<13} {message or Path(path).name}")
        if len(s.failures) > _FAILURES_SHOWN:
            p(f"  ……另有 {len(s.failures) - _FAILURES_SHOWN} 个，见数据库 reports 表的 status/message")
    for page, report in s.attachments[:10]:
        p(f"  附件页：{Path(page).name} 的正文只链接到附件，报告按附件 {Path(report).name} 审核")
    if len(s.attachments) > 10:
        p(f"  ……另有 {len(s.attachments) - 10} 个附件页")
    for path, same in s.duplicates[:10]:
        p(f"  重复：{Path(path).name} 与 {Path(same).name} 内容相同，只保存一份")
    for path in s.removed[:10]:
        p(f"  已删除：{path} 已不在文件夹中，其报告已从数据库删除")
    if len(s.removed) > 10:
        p(f"  ……另有 {len(s.removed) - 10} 个已删除")
    for err in s.walk_errors[:10]:
        p(f"  无法列出文件夹：{err}", "yellow")
    if s.links_skipped:
        p(f"  跳过 {len(s.links_skipped)} 个指向文件夹外的符号链接（未读取；要读取请加 --follow-links）：" +
          "，".join(escape_surrogates(Path(x).name) for x in s.links_skipped[:5]) +
          ("……" if len(s.links_skipped) > 5 else ""), "yellow")
    if s.crossyear is not None:
        p(f"跨年度检查：本次检查 {s.crossyear.get('reports', 0)} 份报告，数据库中共有 "
          f"{s.crossyear.get('flags', 0)} 条跨报告问题（xxgk crossyear 列出）")
    for note in s.notes:
        p(f"  {note}", "yellow")
    rate = s.processed / s.seconds if s.seconds else 0.0
    workers = "本进程内" if s.workers == 0 else f"{s.workers} 个工作进程"
    extra = f"，工作进程重启 {s.worker_restarts} 次" if s.worker_restarts else ""
    p(f"用时 {s.seconds:.1f} 秒（{workers}，每秒 {rate:.1f} 份{extra}）；数据库 {s.db}")
