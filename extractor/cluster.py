"""Audit on a Dask cluster: `xxgk audit FOLDER --cluster tcp://scheduler:8786` (or `local:N`).

A second engine behind extractor/batch.py's runner seam, not a second batch: this process still
lists and hashes the files, decides what to read (incremental by sha256 + version), is the only
writer (one transaction per report, so a killed client loses nothing stored) and shows the same
progress bar and summary. Only the reading moves to the cluster:

* Each file is read in a Dask task (`read_files_on_worker`; up to 8 files a task while many
  are left: a worker holds only the task it runs, so each task costs it a round trip to the
  scheduler, ~10 ms idle). The worker reads it from the path the client
  sees (the folder must be mounted at the same path on every node) or, with `ship_files`, from
  bytes the client sends.
* Limits as in the built-in pool. Dask cannot stop a running task, so the task does not read the
  file itself: it hands it to a child process of the worker (started once per worker thread as
  soon as the cluster is there, `warm_readers`, and kept, warm), which runs the built-in pool's
  worker loop (batch.serve_worker: RLIMIT_AS, warm-up).
  A child over the time limit is killed (超时); a child that dies mid-file is a crash: the file is
  read once more, in a fresh child, and a second crash stores it as error (进程崩溃).
* A Dask worker that dies itself (node lost, killed by the system) is replaced by its nanny and
  the scheduler reruns its tasks; once the scheduler gives up (KilledWorker: `allowed-failures`,
  set to 1 for `local:N`) the file is stored as error (进程崩溃).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Optional

from .batch import BatchError, UsageError, crash_message, error_report, main_hidden, serve_worker

_STARTUP_TIMEOUT = 120.0  # a worker's child that is not ready after this long is a failure
_CONNECT_TIMEOUT = 60.0  # seconds to reach the scheduler and see a first worker
_IN_FLIGHT_PER_THREAD = 3  # tasks queued per worker thread: the next file is always there
_RESIZE_SECONDS = 10.0  # how often the client asks how many worker threads there are
_CRASH_RETRIES = 1  # a file whose reader dies is read once more, then stored as error
_MAX_GROUP = 8  # files per task at most (each task costs a scheduler round trip: ~10 ms of a worker idle)
# For local:N (workers started here, with this process's settings): the workers' own sampling
# profiler (a stack walk of the running task every 10 ms), a 20 ms event-loop tick and a 0.5 s
# system monitor cost each worker about 5 % of a core, time taken from reading; nobody looks at
# them (no dashboard). On your own cluster, set the first there (docs/cluster.md).
_LOCAL_CONFIG = {"distributed.worker.profile.enabled": False,
                 "distributed.admin.tick.interval": "500ms",
                 "distributed.admin.system-monitor.interval": "2s"}


def _install_hint() -> str:
    return "使用 --cluster 需要安装 dask.distributed：pip install 'xxgk[cluster]'"


class ClusterEngine:
    """Reads the files on a Dask cluster. address: a scheduler ("tcp://host:8786") or "local:N"
    (a LocalCluster of N single-threaded worker processes on this machine)."""

    def __init__(self, address: str, ship_files: bool = False):
        address = (address or "").strip()
        self.local: Optional[int] = None
        if address.startswith("local:") or address == "local":
            n = address.partition(":")[2]
            if not n.isdigit() or int(n) < 1:
                raise UsageError(f"--cluster local:N 中的 N 必须是正整数（收到 {address}）")
            self.local = int(n)
        elif not address:
            raise UsageError("--cluster 需要调度器地址（如 tcp://host:8786）或 local:N")
        try:
            import distributed  # noqa: F401
        except ImportError as e:
            raise UsageError(_install_hint()) from e
        self.address = address
        self.ship_files = ship_files
        self.threads = 0  # worker threads seen at the start (the summary's "workers")

    # -- the seam: batch._Runner.run calls this -----------------------------------------

    def run(self, runner, todo: deque) -> None:
        # Local workers are spawned, at the start and whenever the nanny replaces one: not from
        # the caller's script (an unguarded one would run again in each).
        with main_hidden():
            self._start_and_run(runner, todo)

    def _start_and_run(self, runner, todo: deque) -> None:
        import dask
        from distributed import Client, LocalCluster

        cluster = None
        t0 = time.monotonic()
        # For local:N (its scheduler runs here): a task whose worker dies is rerun once, and a
        # worker holds only the task it runs, so a crash never counts against a bystander file.
        with dask.config.set({"distributed.scheduler.allowed-failures": _CRASH_RETRIES,
                              "distributed.scheduler.worker-saturation": 1.0,
                              **(_LOCAL_CONFIG if self.local is not None else {})}):
            try:
                if self.local is not None:
                    # No dashboard (a port may be taken); memory is capped per file (RLIMIT_AS in
                    # the reading child), not by Dask pausing or killing the worker.
                    cluster = LocalCluster(n_workers=self.local, threads_per_worker=1, processes=True,
                                           dashboard_address=None, memory_limit=0)
                    client = Client(cluster)
                else:
                    client = Client(self.address, timeout=_CONNECT_TIMEOUT)
                    client.wait_for_workers(1, timeout=_CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as e:
                if cluster is not None:
                    cluster.close()
                raise BatchError(f"无法连接到 Dask 集群 {self.address}：{type(e).__name__}: {e}") from e
        try:
            try:  # the reading children warm up now, while the first tasks are submitted
                client.run(warm_readers, runner.memory_mb, runner.extract_fn)
            except Exception:  # noqa: BLE001 - a worker that cannot: its first task starts one, or says why
                pass
            self.threads = sum(client.nthreads().values())
            runner.summary.workers = self.threads
            if not runner.summary.startup_seconds:
                runner.summary.startup_seconds = time.monotonic() - t0
            self._run(client, runner, todo)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _run(self, client, runner, todo: deque) -> None:
        from distributed import KilledWorker, as_completed

        limit = max(2, _IN_FLIGHT_PER_THREAD * self.threads)
        polled = time.monotonic()
        crashes: dict[int, int] = {}
        solo: set[int] = set()  # files to send alone (their group's worker died)
        running: dict = {}  # future → [(idx, item)]
        # Results are fetched by the client's event loop as tasks finish, while this thread
        # stores the previous ones (fetching in this thread would make the writer wait).
        done = as_completed(with_results=True, raise_errors=False)

        def submit(group: list) -> None:
            files, sent = [], []
            for idx, item in group:
                data = None
                if self.ship_files:
                    try:
                        data = Path(item.disk).read_bytes()
                    except OSError as e:
                        runner.store(error_report(item.path, item.sha, f"{Path(item.path).name}：本机无法读取文件，未能发送给集群（{type(e).__name__}）"), item)
                        continue
                files.append((item.disk, Path(item.disk).name, data))
                sent.append((idx, item))
            if not sent:
                return
            fut = client.submit(read_files_on_worker, files, runner.extract_fn, runner.timeout,
                                runner.memory_mb, self.local is not None, pure=False,
                                key=f"xxgk-read-{sent[0][0]}-{uuid.uuid4().hex}")
            running[fut] = sent
            done.add(fut)

        def fill() -> None:
            nonlocal limit, polled
            if time.monotonic() - polled > _RESIZE_SECONDS:  # the cluster may have grown (scale, adapt)
                polled = time.monotonic()
                limit = max(2, _IN_FLIGHT_PER_THREAD * sum(client.nthreads().values()))
            while todo and len(running) < limit:
                # Small groups of files per task while many are left (a task costs the scheduler
                # about as much as reading a small DOCX); one per task towards the end, so the
                # last files spread over every worker.
                size = max(1, min(_MAX_GROUP, len(todo) // (2 * limit)))
                group = [todo.popleft()]
                while len(group) < size and todo and group[0][0] not in solo and todo[0][0] not in solo:
                    group.append(todo.popleft())
                submit(group)
            names = [Path(it.path).name for group in list(running.values()) for _, it in group[:1]]
            runner.current(names[:max(1, self.threads)])

        fill()
        for fut, res in done:
            group = running.pop(fut)
            error = res[1] if fut.status == "error" else res if fut.cancelled() else None
            fut.release()
            if isinstance(error, KilledWorker):
                if len(group) > 1:  # which file killed it is unknown: each again, alone
                    solo.update(idx for idx, _ in group)
                    todo.extendleft(reversed(group))
                    fill()
                    continue
                outs = [("killed",)]
            elif error is not None:  # a task the cluster could not run: keep the files' rows
                outs = [("failed", f"{type(error).__name__}: {error}")] * len(group)
            else:
                outs = res
            for (idx, item), out in zip(group, outs):
                self._settle(runner, idx, item, out, crashes, todo)
            fill()

    def _settle(self, runner, idx: int, item, out: tuple, crashes: dict, todo: deque) -> None:
        """Store one file's outcome, or queue it once more after a crash."""
        kind = out[0]
        if kind == "crash" and crashes.get(idx, 0) < _CRASH_RETRIES:
            crashes[idx] = crashes.get(idx, 0) + 1
            runner.summary.worker_restarts += 1
            todo.appendleft((idx, item))  # once more, in a fresh reader
        elif kind == "done":
            _, report, elapsed, peak = out
            runner.summary.peak_rss_mb = max(runner.summary.peak_rss_mb, peak)
            runner.store(report, item, elapsed)
        else:
            if kind in ("crash", "timeout", "oom"):
                runner.summary.worker_restarts += 1
            runner.store(error_report(item.path, item.sha, self._message(Path(item.path).name, out, runner)), item)

    def _message(self, name: str, out: tuple, runner) -> str:
        kind = out[0]
        if kind == "timeout":
            return f"{name}：处理超时（超过 {runner.timeout:g} 秒），工作进程已终止"
        if kind == "oom":
            return f"{name}：内存不足（超过每个工作进程 {runner.memory_mb} MB 的限制），已换用新的工作进程"
        if kind == "crash":
            return crash_message(name, out[1], runner.memory_mb) + f"（已重试 {_CRASH_RETRIES} 次）"
        if kind == "killed":
            return f"{name}：处理时集群工作进程崩溃（已重试 {_CRASH_RETRIES} 次）"
        if kind == "unreachable":
            return (f"{name}：集群工作节点 {out[1]} 上无法读取此文件（{out[2]}）；请让所有节点以相同路径"
                    "访问该文件夹，或使用 --ship-files 由本机发送文件内容")
        if kind == "nostart":
            return f"{name}：集群工作节点 {out[1]} 上的工作进程无法启动（{out[2]}）"
        return f"{name}：集群任务失败（{out[1]}）"


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (a local worker, its client)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except Exception:  # noqa: BLE001 - not Linux: workers outlive a killed client
        pass


# --------------------------------------------------------------------------- on the workers

# The reading children of this worker process that no task is using, kept between tasks (each
# starts warm once); a task takes one made with its settings, or starts one.
_idle: list["_Child"] = []
_idle_lock = threading.Lock()


def warm_readers(memory_mb: Optional[int], extract_fn, dask_worker=None) -> int:
    """Run on each worker as soon as the cluster is there (`client.run`): start one reading child
    per worker thread, so that their warm-up (~1 s: jieba, the readers, the rules) overlaps the rest
    of the start instead of delaying each worker's first file. Returns the children started.
    (A worker that joins or is restarted later starts its child with its first task.)"""
    import pickle

    spec = (memory_mb, pickle.dumps(extract_fn))
    n = max(1, int(getattr(getattr(dask_worker, "state", None), "nthreads", 1) or 1))
    with _idle_lock:
        n -= sum(1 for c in _idle if c.spec == spec and c.proc.poll() is None)
    started = 0
    for _ in range(n):
        try:
            child = _Child(memory_mb, extract_fn)
        except OSError:  # the first task tries again and says why
            break
        child.spec = spec
        _give_back(child)
        started += 1
    return started


def _take_child(spec: tuple) -> Optional["_Child"]:
    """An idle reading child with these settings (the others, and dead ones, are ended)."""
    with _idle_lock:
        found = None
        for child in list(_idle):
            if found is None and child.spec == spec and child.proc.poll() is None:
                found = child
                _idle.remove(child)
        # A child made with other settings is of no use to this run's tasks.
        stale = [c for c in _idle if c.spec != spec or c.proc.poll() is not None]
        for c in stale:
            _idle.remove(c)
    for c in stale:
        c.kill()
    return found


def _give_back(child: "_Child") -> None:
    with _idle_lock:
        _idle.append(child)


class _Child:
    """A reading process started by a Dask worker: a fresh interpreter (a Dask worker may be a
    daemon process, which multiprocessing refuses to give children) speaking the built-in pool's
    protocol over a socket."""

    def __init__(self, memory_mb: Optional[int], extract_fn):
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen([sys.executable, "-m", "extractor.cluster", str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(mine.detach())
        self.conn.send((memory_mb, extract_fn))
        self.ready = False
        self.spec: tuple = ()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self.conn.close()


def read_files_on_worker(files: list, extract_fn, timeout: float, memory_mb: Optional[int],
                         local: bool = False) -> list:
    """The Dask task: read (path, name, bytes or None) files one by one, each within the time
    limit (a crash or timeout costs that file only: the next gets a fresh reader)."""
    return [read_on_worker(path, name, data, extract_fn, timeout, memory_mb, local)
            for path, name, data in files]


def read_on_worker(path: str, name: str, data: Optional[bytes], extract_fn, timeout: float,
                   memory_mb: Optional[int], local: bool = False) -> tuple:
    """Read one file in this worker's reading child, within the time limit.
    Returns ("done", report, elapsed, peak MB) or a failure: ("timeout",), ("crash", exitcode),
    ("oom",), ("unreachable", host, reason), ("nostart", host, reason).
    local: the worker is the client's child (local:N), and dies with it (a killed client, a
    replacement worker too, leaves nothing behind)."""
    if local:
        _die_with_parent()
    tmp = None
    try:
        if data is not None:  # shipped: a private copy under the file's own name (messages name it)
            tmp = tempfile.mkdtemp(prefix="xxgk-")
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
        elif not os.access(path, os.R_OK):
            return ("unreachable", socket.gethostname(), "文件不存在或没有读取权限")
        return _read_in_child(path, extract_fn, timeout, memory_mb)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _read_in_child(path: str, extract_fn, timeout: float, memory_mb: Optional[int]) -> tuple:
    import pickle

    spec = (memory_mb, pickle.dumps(extract_fn))  # compared as bytes: a partial has no __eq__
    child = _take_child(spec)
    if child is None:
        try:
            child = _Child(memory_mb, extract_fn)
        except OSError as e:
            return ("nostart", socket.gethostname(), f"{type(e).__name__}: {e}")
        child.spec = spec
    if not child.ready:
        try:
            if not child.conn.poll(_STARTUP_TIMEOUT):
                raise EOFError
            child.conn.recv()  # ("ready", pid, peak)
            child.ready = True
        except (EOFError, OSError):
            child.kill()
            return ("nostart", socket.gethostname(), f"退出码 {child.proc.returncode}")
    try:
        child.conn.send((0, path))
        if not child.conn.poll(timeout):
            child.kill()
            return ("timeout",)
        msg = child.conn.recv()
    except (EOFError, OSError):  # died mid-file
        child.kill()
        return ("crash", child.proc.returncode)
    kind, _, report, peak, recycle, elapsed = msg
    if recycle:  # over half its memory limit, or out of memory: it exits; the next file gets a fresh one
        child.kill()
    else:
        _give_back(child)
    if kind == "oom":
        return ("oom",)
    return ("done", report, elapsed, peak)


def _child_main(fd: int) -> None:
    from multiprocessing.connection import Connection

    conn = Connection(fd)
    memory_mb, extract_fn = conn.recv()
    # A reader here forks nothing that could share the section model: it loads it when a
    # document first needs it (headings that do not settle the sections), not for every reader.
    serve_worker(conn, memory_mb, extract_fn, model=False)


if __name__ == "__main__":
    _child_main(int(sys.argv[1]))
