"""A real browser on `xxgk serve`: headless Chromium loads the pages from 127.0.0.1.

Runs a canned query and a search for 行政复议 and checks what the page shows; saves the README
screenshot (to docs/screenshot.png when XXGK_UPDATE_SCREENSHOT=1). In CI (CI=true) a missing chromium is a failure, not a skip.
CI installs: apt-get install -y chromium chromium-driver fonts-noto-cjk
"""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
SCREENSHOT = ROOT / "docs" / "screenshot.png"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
START_TIMEOUT = 60  # seconds for `xxgk serve` to answer
BROWSER_TIMEOUT = 120  # seconds for one chromium run


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="module")
def chromium() -> str:
    explicit = os.environ.get("XXGK_CHROMIUM")
    for name in ([explicit] if explicit else []) + list(BROWSERS):
        path = shutil.which(name)
        if path:
            return path
    message = ("chromium not found: install it with "
               "`apt-get install -y chromium chromium-driver fonts-noto-cjk`")
    if _in_ci():
        pytest.fail(message)
    pytest.skip(message)


def _build_db(path: Path) -> Path:
    from extractor.pipeline import extract
    from extractor.store import open_db, save_report
    from extractor.views import prepare

    try:
        from conftest import extracted
    except ImportError:  # pragma: no cover
        extracted = None
    db = open_db(path)
    docs = sorted(p for p in REAL.iterdir() if p.is_file())
    assert docs, f"no documents in {REAL}"
    for doc in docs:
        save_report(db, extracted(str(doc)) if extracted else extract(doc))
    prepare(db)
    db.conn.close()
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium):
    """`xxgk serve` in a subprocess on a free port; always stopped."""
    tmp = tmp_path_factory.mktemp("browser")
    db = _build_db(tmp / "reports.db")
    port = _free_port()
    log = open(tmp / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "extractor.cli", "serve", "--db", str(db), "--port", str(port),
         "--no-prepare"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"xxgk serve exited with {proc.returncode}:\n{log.read()}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"xxgk serve did not answer within {START_TIMEOUT}s:\n{log.read()}")
            time.sleep(0.3)
        yield {"base": base, "db": db, "name": db.stem, "tmp": tmp}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _chromium(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{time.monotonic_ns()}"
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=BROWSER_TIMEOUT)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(chromium: str, server: dict, path: str) -> str:
    p = _chromium(chromium, server["tmp"], "--dump-dom", server["base"] + path)
    assert p.returncode == 0 and "<html" in p.stdout, p.stderr[-2000:]
    return p.stdout


def url(path: str, **params) -> str:
    if not params:
        return path
    return path + "?" + "&".join(f"{quote(k)}={quote(str(v))}" for k, v in params.items())


class Page(HTMLParser):
    """The parts of a datasette page the tests read: h1, h3, the search box and the result table."""

    def __init__(self, html: str):
        super().__init__()
        self.h1 = self.h3 = ""
        self.labels: list[str] = []
        self.search_value = None
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._tag = None
        self._in_table = False
        self._cell = None
        self._row = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h3", "label"):
            self._tag, self._text = tag, ""
        elif tag == "input" and a.get("name") == "_search":
            self.search_value = a.get("value")
        elif tag == "table" and "rows-and-columns" in (a.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._row = []
        elif self._in_table and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == self._tag:
            text = " ".join(self._text.split())
            if tag == "h1" and not self.h1:
                self.h1 = text
            elif tag == "h3" and not self.h3:
                self.h3 = text
            elif tag == "label":
                self.labels.append(text)
            self._tag = None
        elif self._in_table and tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()).replace(" ▼", "").replace(" ▲", ""))
            self._cell = None
        elif self._in_table and tag == "tr" and self._row is not None:
            if not self.headers:
                self.headers = self._row
            else:
                self.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._tag:
            self._text += data
        if self._cell is not None:
            self._cell += data

    def column(self, name: str) -> list[str]:
        i = self.headers.index(name)
        return [r[i] for r in self.rows]


def _query(db: Path, sql: str, params=()):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.mark.shared
def test_canned_query_in_the_browser(chromium, server):
    page = Page(dump_dom(chromium, server, f"/{server['name']}/correction_rate"))
    assert page.h1 == "复议纠错率最高的机关"
    expected = _query(server["db"], """
        SELECT r.issuer, ROUND(100.0 * COALESCE(c.number, 0) / t.number, 1) AS rate
        FROM reports r JOIN cells t ON t.report = r.sha256 AND t.key = 't3.review.total'
        LEFT JOIN cells c ON c.report = r.sha256 AND c.key = 't3.review.corrected'
        WHERE t.number > 0 ORDER BY rate DESC, t.number DESC""")
    assert expected, "the real reports have 行政复议 cases"
    assert page.column("发布机关") == [e[0] for e in expected]
    assert [float(x) for x in page.column("复议纠错率（%）")] == [e[1] for e in expected]


@pytest.mark.shared
def test_search_in_the_browser(chromium, server):
    expected = {r[0] for r in _query(server["db"],
                                     "SELECT id FROM paragraphs WHERE text LIKE '%行政复议%'")}
    assert len(expected) >= 5
    page = Page(dump_dom(chromium, server, url(f"/{server['name']}/paragraph_list", _search="行政复议")))
    assert page.search_value == "行政复议"
    assert "中文搜索：" in page.labels  # the xxgk page script ran in the browser
    assert page.h3.startswith(f"共 {len(expected)} 行 筛选条件：搜索“行政复议”")  # datasette's chrome in Chinese
    assert {int(x) for x in page.column("id")} == expected
    assert all("行政复议" in text for text in page.column("段落"))
    # the same search as a canned query
    page = Page(dump_dom(chromium, server, url(f"/{server['name']}/search", q="行政复议")))
    assert page.h1 == "搜索段落（中文分词）"
    assert len(page.rows) == len(expected)
    assert all("行政复议" in text for text in page.column("段落"))


@pytest.mark.shared
def test_report_overview_in_the_browser_and_screenshot(chromium, server):
    path = url(f"/{server['name']}/report_overview", _nofacet=1)
    page = Page(dump_dom(chromium, server, path))
    assert page.h1.startswith("报告一览")
    most = _query(server["db"], "SELECT MAX(n_errors) FROM reports")[0][0]
    assert int(page.column("错误")[0]) == most
    assert page.column("表三")[0] == "表三"  # a link to the report's t2 (表三) as printed
    shot = server["tmp"] / "screenshot.png"
    p = _chromium(chromium, server["tmp"], f"--screenshot={shot}", "--window-size=1280,900",
                  server["base"] + path)
    assert p.returncode == 0 and shot.is_file(), p.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 900)
    assert len(data) > 20_000  # a page, not a blank image
    if os.environ.get("XXGK_UPDATE_SCREENSHOT"):  # refresh the README's picture on request only
        shutil.copyfile(shot, SCREENSHOT)
