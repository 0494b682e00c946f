"""The reviewer's workbench (issue 15): one flag shape in every output, the report page, evidence
images, corrections of misread cells, review packets, one cause one group, Chinese everywhere.

Uses the project's own sample corpus (corpus/): sample-06-citydept-2023.pdf says it had no
行政复议 while 表四 counts 2 (R05), so it has a PDF flag on 表四 cells. The browser test runs
headless Chromium on `xxgk serve` like tests/test_browser.py.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared" / "corpus"
runner = CliRunner()
PDF = "sample-06-citydept-2023.pdf"
# What a reviewer must never read: internal keys and datasette's English
FORBIDDEN = ("t1.", "t2.", "t3.", "(view)", "rows", "error", "warning", "Custom SQL query", "returning",
             "Powered by")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Evidence images and patched templates go to a throwaway cache, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


def _audit(folder: Path, db: Path, *extra: str) -> None:
    res = runner.invoke(app, ["audit", str(folder), "--db", str(db), "--workers", "0", "--no-progress", *extra])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wb-corpus")
    for p in CORPUS.iterdir():
        if p.suffix in (".pdf", ".docx", ".html"):
            shutil.copy(p, folder / p.name)
    return folder


@pytest.fixture(scope="module")
def db(corpus_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wb-db") / "reports.db"
    _audit(corpus_dir, path)
    return path


@pytest.fixture
def db_copy(db, tmp_path) -> Path:
    out = tmp_path / "reports.db"
    src = sqlite3.connect(db)
    dst = sqlite3.connect(out)
    src.backup(dst)
    src.close()
    dst.close()
    return out


def sha_of(db: Path, name: str) -> str:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT sha256 FROM reports WHERE name = ?", [name]).fetchone()[0]


class Text(HTMLParser):
    """The text a reader sees: no script, style or hidden SQL."""

    SKIP = ("script", "style", "textarea", "pre")

    def __init__(self):
        super().__init__()
        self.skip, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in self.SKIP

    def handle_endtag(self, tag):
        self.skip -= tag in self.SKIP

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = Text()
    p.feed(html)
    return " ".join(p.parts)


def english_in(text: str) -> list[str]:
    return [w for w in FORBIDDEN if w in text]


# ------------------------------------------------------------------ 1. one flag shape

def test_cells_in_words():
    from extractor.cellwords import cell_words, cells_words, part_words, severity_word

    assert cell_words("t3.review.total") == "表四 行政复议 总计"
    assert cell_words("t2.new.natural_person") == "表三 一、本年新收政府信息公开申请数量 自然人"
    assert cell_words("t1.regulations.made") == "表二 规章 本年制发件数"
    assert cells_words(["t3.review.total", "t3.review.upheld"]) == "表四 行政复议：总计、结果维持"
    assert part_words("t2.deny._subtotal") == "表三 不予公开小计"
    assert [severity_word(s) for s in ("error", "warning", "info")] == ["错误", "警告", "提示"]


def test_flags_json_has_the_shape_of_show_json(db):
    res = runner.invoke(app, ["flags", "--db", str(db), "--all", "-f", "json"])
    rows = [r for r in json.loads(res.stdout) if r["name"] == PDF]
    shown = json.loads(runner.invoke(app, ["show", "--json", str(CORPUS / PDF)]).stdout)["flags"]
    assert {(f["check"], tuple(f["cells"])) for f in shown} == {(r["check"], tuple(r["cells"])) for r in rows}
    for r in rows:
        assert set(shown[0]) <= set(r)  # every key of show --json
        assert isinstance(r["cells"], list) and r["severity_label"] in ("错误", "警告", "提示")
    r05 = next(r for r in rows if r["check"] == "R05")
    total = next(d for d in r05["cell_details"] if d["key"] == "t3.review.total")
    assert (total["table"], total["row"], total["column"], total["value"], total["page"]) == ("表四", "行政复议", "总计", 2, 3)
    assert r05["where"] == "表四 行政复议：结果维持、尚未审结、总计"


def test_flags_table_csv_and_xlsx_speak_words(db, tmp_path):
    res = runner.invoke(app, ["flags", "--db", str(db)], env={"COLUMNS": "250"})
    assert "错误" in res.stdout and "表四 行政复议" in res.stdout
    assert not english_in(res.stdout.replace(str(db), ""))
    text = runner.invoke(app, ["flags", "--db", str(db), "--all", "-f", "csv"]).stdout
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0] == ["文件", "发布单位", "年度", "检查", "级别", "说明", "涉及单元格", "页", "原文", "标记指纹"]
    assert {row[4] for row in table[1:]} <= {"错误", "警告", "提示"}
    assert not english_in(text)
    xlsx = tmp_path / "flags.xlsx"
    assert runner.invoke(app, ["flags", "--db", str(db), "--all", "-f", "xlsx", "-o", str(xlsx)]).exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions
    assert ws.column_dimensions["F"].width >= 40  # 说明
    values = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "表四 行政复议：结果维持、尚未审结、总计" in values and not english_in(" ".join(values))


# ------------------------------------------------------------------ 2/3. report page, evidence

def _get(ds, path: str):
    async def go():
        return await ds.client.get(path)
    return asyncio.run(go())


def test_report_page_highlights_flagged_cells_and_shows_evidence(db):
    from extractor.serve import make_datasette

    ds = make_datasette(db)
    sha = sha_of(db, PDF)
    r = _get(ds, f"/-/xxgk/report/{sha}")
    assert r.status_code == 200
    html = r.text
    # the three flagged 表四 cells are highlighted as errors, with the message on hover
    flagged = re.findall(r'<td class="num sev0[^"]*" title="([^"]*)"', html)
    assert len(flagged) == 3 and all("R05 正文称未发生行政复议" in t for t in flagged)
    # the flag beside the tables: cells in words, page, the quote marked in its paragraph
    text = visible_text(html)
    assert "表四 行政复议 总计：2（第 3 页）" in text
    assert re.search(r"<mark>[^<]*行政复议[^<]*</mark>", html)
    assert not english_in(text), english_in(text)
    # the evidence image of the PDF flag: a PNG crop, cached by the file's sha256
    img = re.search(r'src="(/-/xxgk/evidence/%s/[0-9a-f]{16}\.png)"' % sha, html).group(1)
    png = _get(ds, img)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    from extractor.evidence import evidence_dir

    assert list((evidence_dir() / sha).glob("*.png"))
    # reached from the lists: the report overview and the flag list link to it
    name = ds._xxgk["database"]
    for view in ("report_overview", "flag_review"):
        assert f"/-/xxgk/report/{sha}" in _get(ds, f"/{name}/{view}").text


def test_flag_list_and_overview_have_no_english_chrome(db):
    from extractor.serve import make_datasette

    ds = make_datasette(db)
    name = ds._xxgk["database"]
    sha = sha_of(db, PDF)
    for path in (f"/{name}/flag_review", f"/{name}/report_overview", f"/{name}/search?q=行政复议",
                 f"/{name}/flag_review?报告={sha}"):
        text = visible_text(_get(ds, path).text)
        assert not english_in(text), (path, english_in(text))
    # a filter on a report shows its file name, not its hash
    assert PDF in visible_text(_get(ds, f"/{name}/flag_review?报告={sha}").text)


def test_every_datasette_template_patch_applies():
    """A datasette upgrade that changes a template must fail here, not show English again."""
    import datasette

    from extractor.serve import TEMPLATE_PATCHES, chinese_templates

    src = Path(datasette.__file__).parent / "templates"
    missing = [(name, old[:40]) for name, pairs in TEMPLATE_PATCHES.items()
               for old, _ in pairs if old not in (src / name).read_text(encoding="utf-8")]
    assert not missing
    out = chinese_templates()
    assert "(view)" not in (out / "table.html").read_text(encoding="utf-8")


@pytest.mark.shared
def test_evidence_of_a_sideways_scan_is_upright(tmp_path):
    """hard-03 is scanned sideways: OCR reads it turned, and the evidence crop is turned the same
    way, so the outlined boxes sit on the cells (the crop is wider than tall, like a table row)."""
    from conftest import need_shared

    need_shared("corpus/hard")
    doc = SHARED / "hard" / "hard-03-street-2021.pdf"
    if not doc.exists():
        pytest.skip(f"{doc} missing")
    db = tmp_path / "scan.db"
    _audit(doc, db)
    sha = sha_of(db, doc.name)
    with sqlite3.connect(db) as c:  # a flag on 表三 一、本年新收 (the scan's own flags are info notes)
        c.execute("INSERT INTO flags (report, check_id, severity, message, cells, fingerprint) VALUES "
                  "(?, 'T2-01', 'error', '测试', '[\"t2.new.total\", \"t2.new.natural_person\"]', 'feedfacefeedface')",
                  [sha])
    from PIL import Image

    from extractor.evidence import render_evidence

    path = render_evidence(db, sha, "feedfacefeedface")
    img = Image.open(path).convert("RGB")
    assert img.width > img.height
    red = [(x, y) for x in range(img.width) for y in range(0, img.height, 2) if img.getpixel((x, y)) == (220, 0, 0)]
    assert red  # the outlines are drawn
    # two boxes on one printed row: the red pixels span one band of rows
    ys = sorted({y for _, y in red})
    assert ys[-1] - ys[0] < 80


# ------------------------------------------------------------------ 4. corrections

def _flags(db: Path, sha: str) -> dict[str, str]:
    with sqlite3.connect(db) as c:
        return {k: m for k, m in c.execute("SELECT check_id, message FROM flags WHERE report = ?", [sha])}


def test_a_correction_reruns_the_checks_and_survives_a_reaudit(db_copy, corpus_dir):
    from extractor.corrections import CorrectionError
    from extractor.workbench import record_correction, withdraw_correction

    sha = sha_of(db_copy, PDF)
    assert "T3-01" not in _flags(db_copy, sha)
    res = record_correction(db_copy, sha, "t3.review.total", "3", reviewer="王五")
    flags = _flags(db_copy, sha)
    # 结果维持1 + 尚未审结1 = 2 ≠ 3: T3-01 appears, and says the value was corrected and by whom
    assert "T3-01" in flags and "表四 行政复议 总计 已由 王五 更正为 3（原读出 2）" in flags["T3-01"]
    # R05 quotes the corrected 总计, not the sum of the parts that disagrees with it
    assert "王五" in flags["R05"] and "表中行政复议总计为3件" in flags["R05"]
    assert res["errors"] == res["errors_before"] + 1
    # the correction is kept apart from extraction and survives `xxgk audit --force`
    _audit(corpus_dir, db_copy, "--force")
    assert "王五" in _flags(db_copy, sha)["T3-01"]
    with sqlite3.connect(db_copy) as c:
        assert c.execute("SELECT value, original, reviewer FROM corrections").fetchall() == [("3", "2", "王五")]
        assert c.execute("SELECT number FROM cells WHERE report = ? AND key = 't3.review.total'", [sha]).fetchone() == (3.0,)
    with pytest.raises(CorrectionError):
        record_correction(db_copy, sha, "t3.review.total", "三件")
    withdraw_correction(db_copy, sha, "t3.review.total")
    assert "T3-01" not in _flags(db_copy, sha) and "王五" not in _flags(db_copy, sha)["R05"]


def test_a_correction_rechecks_under_the_settings_of_the_audit(corpus_dir, tmp_path):
    """Audited with R05 ignored: the re-check after a correction (from the web page, which knows
    no settings) ignores it too, and the report still counts as audited under those settings."""
    from extractor.corrections import CorrectionError
    from extractor.workbench import record_correction

    db = tmp_path / "reports.db"
    _audit(corpus_dir, db, "--ignore", "R05")
    sha = sha_of(db, PDF)
    with sqlite3.connect(db) as c:
        version = c.execute("SELECT xxgk_version FROM reports WHERE sha256 = ?", [sha]).fetchone()[0]
    assert "+config." in version and "R05" not in _flags(db, sha)
    record_correction(db, sha, "t3.review.total", "3", reviewer="王五")
    flags = _flags(db, sha)
    assert "T3-01" in flags and "R05" not in flags
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT xxgk_version FROM reports WHERE sha256 = ?", [sha]).fetchone()[0] == version
    from extractor.batch import audit_folder
    from extractor.config import resolve

    again = audit_folder(corpus_dir, db, workers=0, progress=False, config=resolve(ignore=["R05"]))
    assert (again.processed, again.unchanged) == (0, 6)
    # A database whose audit kept no record of its settings (an older xxgk): the correction is
    # stored, the re-check waits for the next audit, and the message says so.
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM check_settings")
    with pytest.raises(CorrectionError, match="检查设置没有记录"):
        record_correction(db, sha, "t3.review.total", "4", reviewer="王五")
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT value FROM corrections").fetchall() == [("4",)]


def test_correction_post_needs_origin_and_token(db_copy):
    from extractor.serve import make_datasette

    ds = make_datasette(db_copy)
    sha = sha_of(db_copy, PDF)

    async def go():
        form = {"sha": sha, "key": "t3.review.total", "value": "3", "reviewer": "攻击者"}
        foreign = await ds.client.post("/-/xxgk/correct", data=form,
                                       headers={"Origin": "http://evil.example", "Host": "localhost"})
        no_token = await ds.client.post("/-/xxgk/correct", data=form,
                                        headers={"Origin": "http://localhost", "Host": "localhost"})
        return foreign.status_code, no_token.status_code

    foreign, no_token = asyncio.run(go())
    assert foreign == 403 and no_token == 403
    with sqlite3.connect(db_copy) as c:
        assert c.execute("SELECT COUNT(*) FROM corrections").fetchone() == (0,)


# ------------------------------------------------------------------ 5. packets

def test_packets_by_issuer(db, tmp_path):
    out = tmp_path / "packets"
    res = runner.invoke(app, ["export", "--by-issuer", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    from docx import Document
    from openpyxl import load_workbook

    docx = out / "审核意见-青禾市卫生健康委员会.docx"
    doc = Document(str(docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "R05 正文称未发生行政复议，但表中行政复议总计为2件" in text
    assert "位置：表四 行政复议：结果维持、尚未审结、总计" in text and "页码：第 3 页" in text
    assert "请核对：" in text
    assert len(doc.inline_shapes) >= 1  # the evidence image of the PDF flag
    assert not english_in(text)
    # a web report has no printed page: its table rows, the flagged cells shaded
    web = Document(str(out / "审核意见-云岭县市场监督管理局.docx"))
    assert web.tables and not web.inline_shapes
    row = next(r for t in web.tables for r in t.rows if "本机关不掌握" in r.cells[0].text)
    shaded = [c.text for c in row.cells if "F8C9C4" in c._tc.xml]
    assert shaded == ["6", "7"]  # 自然人 6, 总计 7 (T2-01: 6 ≠ 7)
    wb = load_workbook(out / "审核意见汇总.xlsx")
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) >= 3
    summary = wb["汇总"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref
    header = [c.value for c in summary[1]]
    assert header == ["排名", "发布机关", "报告数", "错误", "警告", "合计"]
    errors = [row[3] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert errors == sorted(errors, reverse=True)
    assert (out / "审核意见汇总.csv").read_text(encoding="utf-8").startswith("\ufeff文件")
    if shutil.which("soffice"):
        pdf_dir = tmp_path / "pdf"
        p = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                            "--convert-to", "pdf", "--outdir", str(pdf_dir), str(docx)],
                           capture_output=True, timeout=180)
        assert p.returncode == 0 and (pdf_dir / docx.with_suffix(".pdf").name).stat().st_size > 1000


def test_dismissed_problems_are_left_out_of_packets(db_copy, tmp_path):
    with sqlite3.connect(db_copy) as c:
        fp = c.execute("SELECT fingerprint FROM flags WHERE check_id = 'R05'").fetchone()[0]
    assert runner.invoke(app, ["review", fp, "--status", "dismissed", "--db", str(db_copy)]).exit_code == 0
    out = tmp_path / "p"
    assert runner.invoke(app, ["export", "--by-issuer", str(out), "--db", str(db_copy)]).exit_code == 0
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out / "审核意见-青禾市卫生健康委员会.docx")).paragraphs)
    assert "R05" not in text and "D03" in text


# ------------------------------------------------------------------ 6. one cause, one group

@pytest.mark.shared
def test_a_blank_total_column_is_one_group(tmp_path):
    from conftest import need_shared

    need_shared("corpus/real")
    doc = SHARED / "real" / "shanghai-office-2019.html"
    if not doc.exists():
        pytest.skip(f"{doc} missing")
    db = tmp_path / "r.db"
    _audit(doc, db)
    from extractor.workbench import report_page

    page = report_page(db, sha_of(db, doc.name))
    errors = [g for g in page["groups"] if g["severity"] == "error"]
    # 11 N02 + 11 T2-01 + T2-02 from one blank 总计 column: one group under the first N02
    assert [g["check"] for g in errors] == ["N02"]
    followers = errors[0]["followers"]
    assert sum(f["severity"] == "error" for f in followers) == 22
    assert {f["check"] for f in followers} >= {"N02", "T2-01", "T2-02"}
    assert sum(f["severity"] == "error" for f in page["flags"]) == 23  # every instance is kept


# ------------------------------------------------------------------ the browser

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SCREENSHOT = ROOT / "docs" / "report-page.png"


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail("chromium not found")
    pytest.skip("chromium not found")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(db, chromium, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wb-browser")
    path = tmp / "reports.db"
    shutil.copy(db, path)
    port = _free_port()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "serve", "--db", str(path), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("xxgk serve did not start")
        yield {"base": base, "db": path, "tmp": tmp}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _browser(chromium: str, tmp: Path, *args: str) -> str:
    p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=8000", *args],
                       capture_output=True, text=True, timeout=120)
    return p.stdout


class Session:
    """What the browser does on a form: keeps the cookie, sends the page's token and its Origin."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=60).read().decode()

    def submit(self, form_page: str, fields: dict) -> str:
        html = self.get(form_page)
        token = re.search(r'name="csrftoken" value="([^"]+)"', html).group(1)
        action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        data = urllib.parse.urlencode({**hidden, "csrftoken": token, **fields}).encode()
        req = urllib.request.Request(self.base + action, data=data, headers={
            "Origin": self.base, "Content-Type": "application/x-www-form-urlencoded"})
        return self.opener.open(req, timeout=300).read().decode()


def test_workbench_in_the_browser(chromium, server):
    base, tmp = server["base"], server["tmp"]
    sha = sha_of(server["db"], PDF)
    page = f"/-/xxgk/report/{sha}"
    dom = _browser(chromium, tmp, "--dump-dom", base + page)
    # flagged cells highlighted, an evidence image for the PDF flag, and no English or keys
    assert len(re.findall(r'<td class="num sev0', dom)) == 3
    img = re.search(r'<img src="([^"]+\.png)"', dom).group(1)
    assert urllib.request.urlopen(base + img, timeout=60).read()[:4] == b"\x89PNG"
    assert not english_in(visible_text(dom))
    # the flag list: no English or keys either
    flag_list = _browser(chromium, tmp, "--dump-dom", base + "/reports/flag_review")
    assert not english_in(visible_text(flag_list))
    s = Session(base)
    # confirm one flag
    fp = re.search(r'class="xxgk-flag sev0" id="f\d+" data-fingerprint="([0-9a-f]{16})"', dom).group(1)
    after = s.submit(f"/-/xxgk/review?fp={fp}&next={urllib.parse.quote(page)}", {"status": "confirmed", "note": "属实"})
    assert "已确认" in after
    # correct one cell and see the checks re-run: T3-01 appears, saying who corrected what
    after = s.submit(f"/-/xxgk/correct?sha={sha}&key=t3.review.total", {"value": "3", "reviewer": "王五"})
    assert "已重新检查" in after and "T3-01" in after and "已由 王五 更正为 3" in after
    # download a packet
    out = tmp / "packets"
    res = subprocess.run([sys.executable, "-m", "extractor.cli", "export", "--by-issuer", str(out),
                          "--db", str(server["db"])], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "XDG_CACHE_HOME": str(tmp / "cache")}, timeout=300)
    assert res.returncode == 0, res.stderr
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out / "审核意见-青禾市卫生健康委员会.docx")).paragraphs)
    assert "T3-01" in text and not english_in(text)
    # the README screenshot of the report page
    shot = tmp / "report.png"
    _browser(chromium, tmp, f"--screenshot={shot}", "--window-size=1400,1500", base + page)
    assert shot.stat().st_size > 20000
    if os.environ.get("XXGK_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, SCREENSHOT)
