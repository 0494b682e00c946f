"""`xxgk audit --cluster` (extractor/cluster.py): the same database as the built-in pool, a killed
client resumes, a reader that dies is retried once, a Dask worker that dies too, and limits hold.
Skips visibly without dask.distributed (`pip install -e '.[cluster]'`); fails in CI."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from badfiles import db_dump
from conftest import IN_CI, ROOT
from extractor.batch import UsageError, audit_folder

try:
    import distributed  # noqa: F401
    HAVE_DASK = True
except ImportError:
    HAVE_DASK = False

CORPUS = ROOT / "corpus"
HTML = "sample-03-districtgov-2022.html"


@pytest.fixture(autouse=True)
def _need_dask():
    if HAVE_DASK:
        return
    reason = "needs dask.distributed (pip install -e '.[cluster]')"
    if IN_CI:
        pytest.fail(reason + " — CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(reason)


def _engine(address="local:2", **kw):
    from extractor.cluster import ClusterEngine
    return ClusterEngine(address, **kw)


@pytest.fixture(scope="module")
def pool_db(tmp_path_factory) -> Path:
    """The built-in pool's database of corpus/ (2 workers): what the cluster must reproduce."""
    db = tmp_path_factory.mktemp("pool") / "pool.db"
    s = audit_folder(CORPUS, db, workers=2, progress=False)
    assert s.exit_code == 0 and s.processed == 6
    return db


def _cli(folder: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "extractor.cli", "audit", str(folder), "--db", str(db), "--no-progress", *extra]


def test_local_cluster_stores_what_the_pool_stores(pool_db, tmp_path):
    db = tmp_path / "cluster.db"
    done = subprocess.run(_cli(CORPUS, db, "--cluster", "local:2"), capture_output=True, timeout=300)
    out = done.stdout.decode()
    assert done.returncode == 0, out + done.stderr.decode()
    assert "2 个工作进程" in out
    dump = db_dump(db)
    assert len(dump["reports"]) == 6 and dump["cells"] and dump["flags"]
    assert dump == db_dump(pool_db)
    # A re-run reads nothing: incremental by sha256 + version, as with the pool.
    again = audit_folder(CORPUS, db, engine=_engine(), progress=False)
    assert (again.processed, again.unchanged) == (0, 6)


def test_ship_files_reads_bytes_sent_by_the_client(pool_db, tmp_path):
    db = tmp_path / "shipped.db"
    s = audit_folder(CORPUS, db, engine=_engine("local:1", ship_files=True), progress=False)
    assert s.exit_code == 0 and s.processed == 6
    assert db_dump(db) == db_dump(pool_db)


def _stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def slow_extract(path):
    """extract(), a little slower: a run of 6 files lasts long enough to be killed mid-way."""
    time.sleep(0.4)
    from extractor.pipeline import extract
    return extract(path)


def test_client_killed_mid_run_then_rerun_gives_the_same_database(pool_db, tmp_path):
    db = tmp_path / "killed.db"
    # An unguarded script (python -c) as the client: its local workers must not run it again.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from test_cluster import slow_extract; "
            "from extractor.batch import audit_folder; from extractor.cluster import ClusterEngine; "
            "audit_folder(sys.argv[2], sys.argv[3], engine=ClusterEngine('local:2'), extract_fn=slow_extract, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(Path(__file__).parent), str(CORPUS), str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while _stored(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    stored = _stored(db)
    assert 1 <= stored < 6, f"killed after {stored} reports: not mid-run"
    done = subprocess.run(_cli(CORPUS, db, "--cluster", "local:2"), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert f"未改变跳过 {stored}" in done.stdout.decode()
    assert db_dump(db) == db_dump(pool_db)


def failing_extract(path):
    """extract(), except for files whose name says how to fail (runs in the workers' readers):
    crash-once / crash-always kill the reader, kill-once / kill-always kill its Dask worker,
    hang sleeps. "once": only the first time (a marker in the folder's parent)."""
    name = Path(path).name
    marker = Path(path).parent.parent / "markers" / name
    once = "once" in name and not marker.exists()
    if once:
        marker.parent.mkdir(exist_ok=True)
        marker.write_text("")
    if name.startswith("crash") and (once or "always" in name):
        os._exit(3)
    if name.startswith("kill") and (once or "always" in name):
        os.kill(os.getppid(), signal.SIGKILL)  # the Dask worker (our reader dies with it)
        time.sleep(60)
    if name.startswith("hang"):
        time.sleep(3600)
    from extractor.pipeline import extract
    return extract(path)


def test_crashes_are_retried_once_then_stored_as_error(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    names = ["ok.html", "crash-once.html", "crash-always.html", "kill-once.html", "kill-always.html", "hang.html"]
    for i, n in enumerate(names):  # different content each: one report per file
        (folder / n).write_bytes((CORPUS / HTML).read_bytes() + f"<!-- {i} -->".encode())
    db = tmp_path / "f.db"
    s = audit_folder(folder, db, engine=_engine(), extract_fn=failing_extract, timeout=5, progress=False)
    conn = sqlite3.connect(str(db))
    rows = {Path(p).name: (st, m) for p, st, m in conn.execute("SELECT path, status, message FROM reports")}
    conn.close()
    assert set(rows) == set(names)
    for n in ("ok.html", "crash-once.html", "kill-once.html"):  # the retry read them
        assert rows[n][0] == "ok", (n, rows[n])
    assert rows["crash-always.html"][0] == "error" and "进程崩溃" in rows["crash-always.html"][1]
    assert "退出码 3" in rows["crash-always.html"][1]
    assert rows["kill-always.html"][0] == "error" and "进程崩溃" in rows["kill-always.html"][1]
    assert rows["hang.html"][0] == "error" and "超时" in rows["hang.html"][1]
    assert sorted(s.failures)[0][0].endswith("crash-always.html") and len(s.failures) == 3
    assert s.worker_restarts >= 3  # crash-once, crash-always twice, hang


def test_bad_cluster_addresses_are_usage_errors():
    for bad in ("local:0", "local:x", ""):
        with pytest.raises(UsageError):
            _engine(bad)


def test_cli_usage_errors(tmp_path):
    from typer.testing import CliRunner

    from extractor.cli import app

    for args in (["--cluster", "local:2", "--workers", "2"], ["--ship-files"], ["--cluster", "local:0"]):
        r = CliRunner().invoke(app, ["audit", str(CORPUS), "--db", str(tmp_path / "x.db"), *args])
        assert r.exit_code == 2, (args, r.output)


def test_a_worker_killed_by_one_file_of_a_group_costs_only_that_file(tmp_path):
    """Many files go a few per task; a task's worker killed (twice) by one of them: each file of
    the group is sent again alone, and only the killer is stored as error."""
    folder = tmp_path / "reports"
    folder.mkdir()
    html = (CORPUS / HTML).read_bytes()
    names = ["kill-always.html"] + [f"report-{i:02d}.html" for i in range(29)]  # sorted: the killer first
    for i, n in enumerate(names):
        (folder / n).write_bytes(html + f"<!-- {i} -->".encode())
    db = tmp_path / "g.db"
    s = audit_folder(folder, db, engine=_engine(), extract_fn=failing_extract, progress=False)
    conn = sqlite3.connect(str(db))
    rows = {Path(p).name: (st, m) for p, st, m in conn.execute("SELECT path, status, message FROM reports")}
    conn.close()
    assert len(rows) == 30
    assert rows["kill-always.html"][0] == "error" and "进程崩溃" in rows["kill-always.html"][1]
    assert {st for n, (st, _) in rows.items() if n != "kill-always.html"} == {"ok"}
    assert [f[0] for f in s.failures] == [str(folder / "kill-always.html")]


def test_readers_are_started_warm_before_the_first_task_and_kept():
    """warm_readers (run on every worker when the cluster is there) starts one reading child per
    worker thread; a task then reads with it instead of starting one, and gives it back."""
    from extractor.cluster import read_on_worker, warm_readers

    memory_mb = 2999  # settings no other test's reader has
    assert warm_readers(memory_mb, None) == 1
    assert warm_readers(memory_mb, None) == 0  # one per thread is there already
    out = read_on_worker(str(CORPUS / HTML), HTML, None, None, 120.0, memory_mb)
    assert out[0] == "done" and out[1].status == "ok"
    # The task used that child and gave it back (alive): a worker of two threads lacks just one.
    two = SimpleNamespace(state=SimpleNamespace(nthreads=2))
    assert warm_readers(memory_mb, None, dask_worker=two) == 1
    assert warm_readers(memory_mb, None, dask_worker=two) == 0
    assert read_on_worker(str(CORPUS / HTML), HTML, None, None, 120.0, memory_mb)[0] == "done"
