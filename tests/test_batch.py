"""`xxgk audit` at folder scale: workers, incremental runs, failures of workers, exit codes and
crash safety (SIGKILL at random points, then a re-run, gives the same database)."""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badfiles import db_dump, faulty_extract
from conftest import ROOT
from extractor.batch import UsageError, audit_folder
from extractor.cli import app

SAMPLES = ROOT / "corpus"  # the repository's own samples (corpus/README.md)
# Two of each format: DOCX, DOCX, HTML, HTML, PDF, PDF.
SIX = ["sample-01-citydept-2023.docx", "sample-02-countygov-2020.docx", "sample-03-districtgov-2022.html",
       "sample-04-countydept-2021.html", "sample-05-citygov-2023.pdf", "sample-06-citydept-2023.pdf"]
DOCX_A, DOCX_B, HTML_A, HTML_B, PDF_A, PDF_B = SIX


def _copy(names, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copyfile(SAMPLES / n, folder / n)
    return folder


@pytest.fixture
def six(tmp_path) -> Path:
    return _copy(SIX, tmp_path / "reports")


def _audit(folder, db, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("workers", 0)  # in-process: the cheapest where the pool is not the point
    return audit_folder(folder, db, **kw)


def _core(dump: dict) -> dict:
    """The tables audit writes per report (an issuer registry keeps its ids across runs)."""
    return {t: dump[t] for t in ("reports", "sections", "paragraphs", "cells", "flags")}


def _rows(db) -> dict[str, tuple]:
    conn = sqlite3.connect(str(db))
    try:
        return {Path(p).name: (s, m) for p, s, m in conn.execute("SELECT path, status, message FROM reports")}
    finally:
        conn.close()


def test_one_and_two_workers_store_the_same(six, tmp_path):
    s1 = _audit(six, tmp_path / "one.db", workers=1)
    s2 = _audit(six, tmp_path / "two.db", workers=2)
    s0 = _audit(six, tmp_path / "inline.db", workers=0)
    assert s1.processed == s2.processed == s0.processed == 6
    assert s1.statuses == s2.statuses and set(s1.statuses) <= {"ok", "partial"}
    assert s1.exit_code == s2.exit_code == 0
    one = db_dump(tmp_path / "one.db")
    assert one == db_dump(tmp_path / "two.db") == db_dump(tmp_path / "inline.db")
    assert len(one["reports"]) == 6 and len(one["cells"]) > 6 * 100
    assert s2.peak_rss_mb > 0
    # Paths are stored absolute and the tokens were filled by the workers.
    conn = sqlite3.connect(str(tmp_path / "two.db"))
    assert all(Path(p).is_absolute() for (p,) in conn.execute("SELECT path FROM reports"))
    assert conn.execute("SELECT count(*) FROM paragraphs WHERE tokens = '' OR tokens IS NULL").fetchone()[0] == 0
    conn.close()


def test_incremental_skip_replace_remove_duplicate(six, tmp_path):
    db = tmp_path / "r.db"
    first = _audit(six, db)
    assert (first.processed, first.unchanged) == (6, 0)
    again = _audit(six, db)
    assert (again.processed, again.unchanged, again.removed) == (0, 6, [])
    assert again.statuses == first.statuses and again.flags == first.flags  # the folder's state
    def stamps():
        conn = sqlite3.connect(str(db))
        out = {Path(p).name: a for p, a in conn.execute("SELECT path, audited_at FROM reports")}
        conn.close()
        return out

    before = stamps()
    time.sleep(1.1)  # audited_at has one-second resolution

    html = six / HTML_A
    html.write_bytes(html.read_bytes() + b"\n<!-- edited -->\n")  # changed: replaced
    (six / PDF_B).unlink()  # removed: deleted from the db, listed
    shutil.copyfile(six / DOCX_A, six / "zz-copy.docx")  # duplicate content
    (six / DOCX_B).rename(six / "renamed.docx")  # same content, new path
    third = _audit(six, db, workers=2)
    assert third.processed == 2  # the edited page and the renamed file
    assert third.unchanged == 3
    assert [Path(p).name for p in third.removed] == [PDF_B]
    assert [(Path(a).name, Path(b).name) for a, b in third.duplicates] == [("zz-copy.docx", DOCX_A)]
    assert sum(third.statuses.values()) == 5
    # Unchanged reports were not rewritten.
    after = stamps()
    for name in (DOCX_A, HTML_B, PDF_A):
        assert after[name] == before[name]
    assert after[HTML_A] != before[HTML_A]
    # The incremental database holds exactly the reports a fresh audit of the folder holds.
    fresh = _audit(six, tmp_path / "fresh.db")
    assert _core(db_dump(db)) == _core(db_dump(tmp_path / "fresh.db"))
    assert fresh.duplicates == third.duplicates

    forced = _audit(six, db, force=True)
    assert forced.processed == 5 and forced.unchanged == 0
    # A new xxgk version redoes everything.
    conn = sqlite3.connect(str(db))
    with conn:
        conn.execute("UPDATE reports SET xxgk_version = '0.0.0'")
    conn.close()
    assert _audit(six, db).processed == 5


def test_worker_that_hangs_crashes_or_runs_out_of_memory(tmp_path):
    folder = _copy(SIX[:2] + SIX[2:3], tmp_path / "reports")
    for name in ("hang.html", "crash.html", "exit.html", "oom.html", "raise.html"):
        (folder / name).write_text(f"<html><body><p>{name}</p></body></html>", encoding="utf-8")
    t0 = time.monotonic()
    s = _audit(folder, tmp_path / "f.db", workers=2, timeout=4, memory_mb=1024, extract_fn=faulty_extract)
    assert time.monotonic() - t0 < 300  # the hang (3600 s) was cut at the 4 s limit
    rows = _rows(tmp_path / "f.db")
    assert len(rows) == 8
    for good in SIX[:3]:
        assert rows[good][0] in ("ok", "partial")
    expect = {"hang.html": "超时", "crash.html": "进程崩溃", "exit.html": "进程崩溃", "oom.html": "内存不足",
              "raise.html": "出错"}
    for name, word in expect.items():
        status, message = rows[name]
        assert status == "error" and word in message and name in message, (name, message)
    assert "SIGSEGV" in rows["crash.html"][1]
    assert s.worker_restarts >= 4  # hang, crash, exit, oom
    assert s.exit_code == 1 and len(s.failures) == 5
    assert {Path(p).name for p, _, _ in s.failures} == set(expect)


def test_usage_errors(tmp_path):
    with pytest.raises(UsageError):
        audit_folder(tmp_path / "missing", tmp_path / "x.db", progress=False)
    with pytest.raises(UsageError):
        audit_folder(tmp_path, tmp_path / "x.db", workers=-1, progress=False)
    with pytest.raises(UsageError):
        audit_folder(tmp_path, tmp_path / "x.db", timeout=0, progress=False)
    with pytest.raises(UsageError):
        audit_folder(tmp_path, tmp_path / "x.db", memory_mb=10, progress=False)


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    good = _copy(SIX[2:4], tmp_path / "good")
    db = str(tmp_path / "c.db")
    r = runner.invoke(app, ["audit", str(good), "--db", db, "--workers", "0", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "完成" in r.output and "ok" in r.output
    bad = _copy(SIX[2:3], tmp_path / "bad")
    (bad / "empty.pdf").write_bytes(b"")
    r = runner.invoke(app, ["audit", str(bad), "--db", db, "--workers", "0", "--no-progress"])
    assert r.exit_code == 1, r.output
    assert "empty.pdf" in r.output and "空文件" in r.output
    r = runner.invoke(app, ["audit", str(bad), "--db", db, "--workers", "0", "--no-progress"])
    assert r.exit_code == 1 and "本次读取 0" in r.output  # unchanged, failed files included
    r = runner.invoke(app, ["audit", str(bad), "--db", db, "--workers", "0", "--no-progress", "--retry-failed"])
    assert r.exit_code == 1 and "本次读取 1" in r.output  # only the failed one is read again
    for args in (["audit", str(tmp_path / "missing"), "--db", db],
                 ["audit", str(good), "--db", db, "--workers", "-1"],
                 ["audit", str(good), "--db", db, "--timeout", "0"],
                 ["audit", str(good), "--db", db, "--memory-mb", "100"],
                 ["audit", str(good), "--db", db, "--no-such-option"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    s = _audit(tmp_path / "empty", tmp_path / "e.db")
    assert s.files == 0 and s.exit_code == 1  # 未找到报告文件 (issue 14)


# ------------------------------------------------------------- saved pages: assets and attachments


def test_saved_page_assets_are_not_entries(tmp_path):
    """A page saved "complete" (报告.html + 报告_files/, or Word's 报告.files/): its images, styles,
    scripts and frames are the page's assets, not files of the batch; a _files folder without its
    page is an ordinary folder."""
    folder = _copy([HTML_A], tmp_path / "r")
    page = Path(HTML_A).stem
    for assets in (folder / f"{page}_files", folder / f"{page}.files"):
        assets.mkdir()
        for name in ("t1.png", "logo.gif", "style.css", "app.js", "frame.htm"):
            (assets / name).write_bytes(b"x")
    orphan = folder / "old_files"
    orphan.mkdir()
    (orphan / "a.png").write_bytes(b"x")
    shutil.copyfile(SAMPLES / HTML_B, orphan / HTML_B)
    s = _audit(folder, tmp_path / "a.db")
    assert (s.files, s.processed, s.exit_code) == (2, 2, 0)
    assert s.skipped == [str(orphan / "a.png")]
    assert set(_rows(tmp_path / "a.db")) == {HTML_A, HTML_B}


ATTACHED = "某某市人民政府2023年政府信息公开工作年度报告.pdf"
ATTACHMENT_PAGE = f"""<html><head><meta charset="utf-8"><title>某某市人民政府2023年政府信息公开工作年度报告</title>
</head><body><div class="content"><h1>某某市人民政府2023年政府信息公开工作年度报告</h1>
<p>附件：<a href="/attach/2024/0412.pdf">{ATTACHED}</a></p></div></body></html>"""


def test_attachment_page_is_audited_through_its_attachment(tmp_path):
    folder = tmp_path / "r"
    (folder / "pages").mkdir(parents=True)
    page = folder / "pages" / "2023年报.html"
    page.write_text(ATTACHMENT_PAGE, encoding="utf-8")
    shutil.copyfile(SAMPLES / PDF_A, folder / ATTACHED)  # downloaded elsewhere in the folder
    db = tmp_path / "a.db"
    s = _audit(folder, db)
    assert s.statuses == {"attachment": 1, "ok": 1}
    assert s.failures == [] and s.exit_code == 0
    assert s.attachments == [(str(page), str(folder / ATTACHED))]
    status, message = _rows(db)[page.name]
    assert status == "attachment" and ATTACHED in message
    # Without the attachment the page is a failure whose message names the file to fetch.
    (folder / ATTACHED).unlink()
    s = _audit(folder, db)
    assert s.statuses == {"attachment": 1} and s.attachments == [] and s.exit_code == 1
    assert [(p, st) for p, st, _ in s.failures] == [(str(page), "attachment")]
    assert ATTACHED in s.failures[0][2]


def test_attachment_found_beside_the_page_by_its_link(tmp_path):
    """Saved under the link's own name (0412.pdf), beside the page."""
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "p.html").write_text(ATTACHMENT_PAGE, encoding="utf-8")
    shutil.copyfile(SAMPLES / PDF_A, folder / "0412.pdf")
    s = _audit(folder, tmp_path / "a.db")
    assert s.attachments == [(str(folder / "p.html"), str(folder / "0412.pdf"))] and s.exit_code == 0


def test_page_embedding_its_report_from_its_files_folder(tmp_path):
    """A page saved "complete" that shows its report in a PDF viewer: the PDF in 报告_files/ is
    the report (audited), the rest of the folder is assets, and the page is no failure."""
    folder = tmp_path / "r"
    (folder / "报告_files").mkdir(parents=True)
    (folder / "报告.html").write_text(
        '<html><body><h1>某某局2023年政府信息公开工作年度报告</h1>'
        '<iframe src="报告_files/viewer.html?file=%E6%8A%A5%E5%91%8A.pdf"></iframe></body></html>', encoding="utf-8")
    shutil.copyfile(SAMPLES / PDF_A, folder / "报告_files" / "报告.pdf")
    for name in ("viewer.html", "viewer.js", "logo.png"):
        (folder / "报告_files" / name).write_bytes(b"x")
    s = _audit(folder, tmp_path / "a.db")
    assert (s.files, s.skipped) == (2, [])
    assert s.statuses == {"attachment": 1, "ok": 1} and s.exit_code == 0
    assert s.attachments == [(str(folder / "报告.html"), str(folder / "报告_files" / "报告.pdf"))]


# ------------------------------------------------------------------------------ SIGKILL at random points

KILL_POINTS = 20
KILL_FOLDER = SIX[:5]


def _cli(folder: Path, db: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "extractor.cli", "audit", str(folder), "--db", str(db),
            "--workers", str(workers), "--no-progress"]


def _fork_audit(folder: Path, db: Path, workers: int) -> int:
    """`xxgk audit` in a forked child of this (already warm) process; returns its pid. Far cheaper
    than a fresh interpreter, so 20 kill points cost seconds, not minutes, and the kill delays
    fall on the reading and writing rather than on start-up."""
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 3
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            import multiprocessing.forkserver as fs
            if fs._forkserver._forkserver_pid is not None:
                # Workers come from pytest's warm fork server (not this child's child: no waitpid
                # on it). They exit when this child dies, as their pipe closes.
                fs._forkserver.ensure_running = lambda: None
            from extractor.cli import app
            try:
                app(["audit", str(folder), "--db", str(db), "--workers", str(workers), "--no-progress"],
                    prog_name="xxgk")
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 3
        finally:
            os._exit(code)
    return pid


def _timed_fork(folder: Path, db: Path, workers: int) -> float:
    t0 = time.monotonic()
    _, status = os.waitpid(_fork_audit(folder, db, workers), 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return time.monotonic() - t0


def test_sigkill_at_random_points_then_rerun_gives_the_same_database(tmp_path):
    """Kill `xxgk audit` (SIGKILL) after a random delay, run it again to completion, and compare
    the database with an uninterrupted run's: same content, for 20 random kill points. Killed runs
    read in the main process or in a pool of 1 or 2 workers; the first and last go through a
    fresh `python -m extractor.cli` process."""
    folder = _copy(KILL_FOLDER, tmp_path / "reports")
    base = tmp_path / "base.db"
    done = subprocess.run(_cli(folder, base, 2), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    expected = db_dump(base)
    assert len(expected["reports"]) == len(KILL_FOLDER)
    # Warm this process's fork server (the forked runs share it), then time an uninterrupted
    # run per way of reading: the kill delays span it.
    assert audit_folder(folder, tmp_path / "warm.db", workers=2, progress=False).exit_code == 0
    full = {w: _timed_fork(folder, tmp_path / f"full-{w}.db", w) for w in (0, 1, 2)}
    for w in full:
        assert db_dump(tmp_path / f"full-{w}.db") == expected

    rng = random.Random(int(os.environ.get("XXGK_KILL_SEED", "7")))
    modes = [0, 0, 2, 0, 1]
    killed_mid_run = 0
    for i in range(KILL_POINTS):
        db = tmp_path / f"kill-{i}.db"
        workers = modes[i % len(modes)]
        fresh = i in (0, KILL_POINTS - 1)
        if fresh:
            proc = subprocess.Popen(_cli(folder, db, workers), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            delay = rng.uniform(0.05, full[workers] + 1.0)  # + interpreter start-up
        else:
            pid = _fork_audit(folder, db, workers)
            delay = rng.uniform(0.0, full[workers])
        time.sleep(delay)
        if fresh:
            if proc.poll() is None:
                killed_mid_run += 1
            proc.kill()
            proc.wait()
        elif os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running (else: reaped just now)
            killed_mid_run += 1
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        if db.exists():  # whatever was committed is complete
            partial = db_dump(db)
            for table, rows in partial.items():
                assert set(rows) <= set(expected.get(table, [])), (i, table)
        if fresh:
            again = subprocess.run(_cli(folder, db, 0), capture_output=True, timeout=300)
            assert again.returncode == 0, again.stdout.decode() + again.stderr.decode()
        else:
            assert audit_folder(folder, db, workers=0, progress=False).exit_code == 0
        assert db_dump(db) == expected, f"kill point {i} ({delay:.2f} s, workers {workers})"
    assert killed_mid_run >= KILL_POINTS // 2

