"""Shared fixtures, and the rule for tests that read ../shared (the real reports with gold).

A test that needs ../shared/corpus carries `@pytest.mark.shared` (or a module sets
`pytestmark = pytest.mark.shared`), or calls `need_shared()` where it finds out late (a builder
that reads a shared gold file). Without ../shared such a test is skipped with a visible reason and
listed at the end of the run; with CI=true it fails instead, so CI cannot pass by skipping.
"""
import json
import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SHARED_PRESENT = CORPUS.is_dir()
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_MISSING = f"needs ../shared/corpus (not found at {CORPUS})"


def need_shared(what: str = "") -> None:
    """Skip the running test when ../shared/corpus is absent (fail when CI=true)."""
    if SHARED_PRESENT:
        return
    reason = SHARED_MISSING + (f": {what}" if what else "")
    if IN_CI:
        pytest.fail(reason + " — CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    config.addinivalue_line("markers", "shared: the test reads ../shared/corpus (skipped without it, fails in CI)")


def pytest_runtest_setup(item):
    if item.get_closest_marker("shared"):
        need_shared()


_skipped_for_shared: dict[str, list[str]] = defaultdict(list)


def pytest_runtest_logreport(report):
    if report.skipped and SHARED_MISSING in str(report.longrepr):
        path, _, name = report.nodeid.partition("::")
        _skipped_for_shared[path].append(name.split("[", 1)[0])


def pytest_terminal_summary(terminalreporter):
    if not _skipped_for_shared:
        return
    total = sum(len(v) for v in _skipped_for_shared.values())
    terminalreporter.section(f"{total} tests skipped: {SHARED_MISSING}")
    for path, names in sorted(_skipped_for_shared.items()):
        counts = {n: names.count(n) for n in dict.fromkeys(names)}
        listed = ", ".join(f"{n} ×{c}" if c > 1 else n for n, c in counts.items())
        terminalreporter.write_line(f"{path}: {listed}")


def shared_params(rows, ids, width: int = 1) -> list:
    """Parametrize rows drawn from ../shared: each marked `shared`; without ../shared a single
    placeholder row (`width` Nones) that skips visibly instead of vanishing from the run."""
    if not SHARED_PRESENT:
        return [pytest.param(*([None] * width), id="shared-corpus", marks=pytest.mark.shared)]
    return [pytest.param(*(row if width > 1 else (row,)), id=i, marks=pytest.mark.shared)
            for row, i in zip(rows, ids)]


def gold_documents() -> list[tuple[Path, Path]]:
    """(gold file, document) for every labelled document in ../shared/corpus ([] without it)."""
    pairs = []
    for folder in ("gold", "synthetic"):
        for gold in sorted((CORPUS / folder).glob("*.json")):
            g = json.loads(gold.read_text())
            pairs.append((gold, CORPUS / g["document"]))
    return pairs


def sample_documents() -> list[tuple[Path, Path]]:
    """(gold file, document) for the project's own samples in corpus/."""
    pairs = []
    for gold in sorted((ROOT / "corpus").glob("*.json")):
        g = json.loads(gold.read_text())
        pairs.append((gold, ROOT / "corpus" / g["document"]))
    return pairs


@lru_cache(maxsize=None)
def extracted(path: str):
    """Extract each document once per test session."""
    from extractor.pipeline import extract
    return extract(path)


@pytest.fixture
def shared_corpus() -> Path:
    need_shared()
    return CORPUS
