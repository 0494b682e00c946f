"""`xxgk audit --cluster local:N` against the built-in pool with N workers, on one machine.

    python bench/cluster.py [--n 1000] [--seed 0] [--workers 2] [--corpus DIR] [--formats docx,html] [--repeat 2]

Builds (once, then reuses) N fictional reports with corpus/samplegen.py in DIR (default:
$TMPDIR/xxgk-bench-cluster-<N>-<seed>). DOCX and HTML by default: they are the fastest files to
read, so the engine's own cost per file (task, pickling, scheduler) weighs most on them; add pdf
for the mix bench/audit.py uses (needs LibreOffice, and minutes to build). Then audits the folder
into a fresh database with each engine, each run a fresh `xxgk audit` process, end to end
(start-up, warm-up, cross-report checks included), and
prints reports per second (best of --repeat runs each, in alternating order) and the
ratio cluster / pool. Target: ≥ 0.85. Also the CPU seconds all processes of each run used
(the fork server and workers, or the Dask workers and their reading children, included) and
their ratio: the engines' cost, whatever else the machine runs. Numbers, not a test; on a
shared or busy machine both runs slow down, not always alike: run it twice.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "corpus")]

TARGET = 0.85


def build(n: int, seed: int, out: Path, formats: tuple[str, ...]) -> Path:
    done = out / ".complete"
    if done.exists():
        return out
    import shutil

    import samplegen

    if out.exists():
        shutil.rmtree(out)
    print(f"building {n} reports ({', '.join(formats)}) in {out} …", flush=True)
    t = time.perf_counter()
    pdfs = []
    for i in range(n):
        spec = samplegen.random_spec(i, seed, formats=formats)
        data, gold = samplegen.make_report(spec, pdf=False)
        if spec["format"] == "pdf":
            pdfs.append((data, gold))
            continue
        samplegen.write_report(out, data, gold)
    for data, gold in samplegen.as_pdfs(pdfs):
        samplegen.write_report(out, data, gold)
    for j in out.glob("*.json"):  # gold labels: not needed here, and not report files
        j.unlink()
    done.write_text(f"{n} {seed}\n")
    print(f"  built in {time.perf_counter() - t:.0f} s", flush=True)
    return out


def _subreaper() -> bool:
    """Linux: orphaned descendants (a fork server, a Dask worker's reading child) are re-parented
    to this process, so that waiting for them adds their CPU time to RUSAGE_CHILDREN."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except Exception:  # noqa: BLE001 - elsewhere: CPU time of the audit process and what it waited for
        return False


def _cpu_children() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def _reap(deadline: float = 30.0) -> None:
    """Wait for every descendant left (they exit when the audit process is gone)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def run(folder: Path, db: Path, args: list[str]) -> tuple[float, int, float]:
    """One `xxgk audit` in a fresh process (each engine starts cold, as a user's run does):
    (reports/s, reports, CPU seconds of every process of the run)."""
    import sqlite3
    import subprocess

    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    c0 = _cpu_children()
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "extractor.cli", "audit", str(folder), "--db", str(db),
                           "--no-progress", *args], capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - t
    _reap()
    cpu = _cpu_children() - c0
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:]
    conn = sqlite3.connect(str(db))
    n = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    conn.close()
    return n / seconds, n, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--formats", default="docx,html")
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--repeat", type=int, default=2, help="runs of each engine (the best counts)")
    a = ap.parse_args()
    formats = tuple(a.formats.split(","))
    tmp = Path(os.environ.get("TMPDIR", tempfile.gettempdir()))
    folder = build(a.n, a.seed, a.corpus or tmp / f"xxgk-bench-cluster-{a.n}-{a.seed}-{'-'.join(formats)}", formats)

    reaper = _subreaper()
    load = os.getloadavg()[0]
    best = {"pool": 0.0, "cluster": 0.0}
    cpu = {"pool": float("inf"), "cluster": float("inf")}
    order = ["pool", "cluster"]
    for r in range(a.repeat):  # alternate the order: a busy spell should not favour one engine
        for which in (order if r % 2 == 0 else order[::-1]):
            args = ["--cluster", f"local:{a.workers}"] if which == "cluster" else ["--workers", str(a.workers)]
            rate, n, secs = run(folder, tmp / f"xxgk-bench-{which}.db", args)
            label = f"--cluster local:{a.workers}" if which == "cluster" else f"built-in pool, {a.workers} workers"
            print(f"  run {r + 1}: {label}: {n} reports, {rate:.1f} reports/s, {secs:.1f} s CPU "
                  f"({1000 * secs / n:.0f} ms a report)", flush=True)
            best[which] = max(best[which], rate)
            cpu[which] = min(cpu[which], secs)
    ratio = best["cluster"] / best["pool"]
    print(f"built-in pool ({a.workers} workers): {best['pool']:.1f} reports/s; --cluster local:{a.workers}: "
          f"{best['cluster']:.1f} reports/s (best of {a.repeat})")
    print(f"cluster / pool: {ratio:.2f} (target ≥ {TARGET}) {'ok' if ratio >= TARGET else 'BELOW TARGET'}"
          f"; load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end, on {os.cpu_count()} CPUs")
    # CPU time does not depend on what else runs on the machine (wall time does, a lot, on a shared one).
    print(f"CPU seconds, all processes of a run (least of {a.repeat}): pool {cpu['pool']:.1f}, cluster "
          f"{cpu['cluster']:.1f}; pool / cluster: {cpu['pool'] / cpu['cluster']:.2f}"
          + ("" if reaper else " (without a subreaper: processes that outlive the audit are not counted)"))

if __name__ == "__main__":
    main()
