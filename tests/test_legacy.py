"""Legacy Word reader (issue 8): a .doc (or .wps) reads exactly like the DOCX it was saved from.

The .doc is made at test time from a sample DOCX with LibreOffice. Without soffice these tests
skip locally and fail in CI (CI=true), where `apt-get install libreoffice-writer-nogui` must
have run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import ROOT
from extractor.document import ReadError
from extractor.readers import legacy

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The repository's own v2019 county report: its blank t2 zero cells must stay blank through .doc.
SAMPLE = ROOT / "corpus" / "sample-02-countygov-2020.docx"


def require_soffice() -> str:
    exe = legacy.soffice()
    if exe is None:
        if CI:
            pytest.fail("LibreOffice is not installed in CI: apt-get install libreoffice-writer-nogui")
        pytest.skip("LibreOffice (soffice) not installed")
    return exe


@pytest.fixture(scope="module")
def doc_file(tmp_path_factory) -> Path:
    """SAMPLE saved as Word 97 (.doc) by LibreOffice, with a private profile."""
    exe = require_soffice()
    tmp = tmp_path_factory.mktemp("legacy")
    subprocess.run([exe, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "doc:MS Word 97", "--outdir", str(tmp), str(SAMPLE)],
                   check=True, capture_output=True, timeout=300, env=dict(os.environ, HOME=str(tmp)))
    out = tmp / (SAMPLE.stem + ".doc")
    assert out.is_file() and out.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    return out


@lru_cache(maxsize=None)
def report_of(path: str, via_legacy: bool):
    from extractor.pipeline import build_report
    from extractor.readers import docx

    doc = legacy.read(path) if via_legacy else docx.read(path)
    return doc, build_report(doc, path, "")


def _sections(report):
    return [(s.key, s.heading, s.page, s.starts_with) for s in report.sections]


def test_doc_extracts_like_the_docx(doc_file):
    doc, report = report_of(str(doc_file), True)
    _, want = report_of(str(SAMPLE), False)
    assert doc.format == "doc" and doc.path == str(doc_file)
    assert want.cells, "the sample DOCX maps no cells"
    assert {k: c.value for k, c in report.cells.items()} == {k: c.value for k, c in want.cells.items()}
    assert _sections(report) == _sections(want)
    assert [p.text for p in report.paragraphs] == [p.text for p in want.paragraphs]
    assert (report.template, report.report_year, report.published) == (want.template, want.report_year, want.published)


def test_wps_and_dispatch(doc_file, tmp_path):
    from extractor.readers import read

    wps = tmp_path / "年报.wps"
    shutil.copyfile(doc_file, wps)
    doc = read(wps)
    assert doc.format == "wps" and doc.path == str(wps)
    assert read(doc_file).format == "doc"
    _, want = report_of(str(SAMPLE), False)
    from extractor.pipeline import build_report

    assert {k: c.value for k, c in build_report(doc, str(wps), "").cells.items()} == \
        {k: c.value for k, c in want.cells.items()}


def test_unconvertible_file_is_an_error(tmp_path):
    require_soffice()
    f = tmp_path / "坏文件.doc"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(ReadError) as e:
        legacy.read(f)
    assert e.value.status == "error" and "坏文件.doc" in e.value.message


def test_without_soffice_needs_soffice(tmp_path, monkeypatch):
    monkeypatch.setattr(legacy, "soffice", lambda: None)
    f = tmp_path / "年报.doc"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(ReadError) as e:
        legacy.read(f)
    assert e.value.status == "needs_soffice"
    assert "年报.doc" in e.value.message and "libreoffice-writer-nogui" in e.value.message


def _dead(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie has been killed; only its parent's wait is missing


@pytest.mark.skipif(os.name != "posix" or not Path("/proc").is_dir(), reason="POSIX with /proc")
def test_hung_conversion_is_killed(tmp_path, monkeypatch):
    """A conversion over the time limit is killed with everything it started."""
    fake = tmp_path / "soffice"
    pids = tmp_path / "pids"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pids}\necho $$ >> {pids}\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("XXGK_SOFFICE", str(fake))
    monkeypatch.setattr(legacy, "TIMEOUT", 1)
    f = tmp_path / "卡住.doc"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    start = time.monotonic()
    with pytest.raises(ReadError) as e:
        legacy.read(f)
    assert time.monotonic() - start < 20
    assert e.value.status == "error" and "超时" in e.value.message and "卡住.doc" in e.value.message
    deadline = time.monotonic() + 5
    ids = [int(x) for x in pids.read_text().split()]
    while not all(_dead(p) for p in ids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_dead(p) for p in ids), ids
