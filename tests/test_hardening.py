"""Hostile inputs and operations beyond the bad-input suite (issue 14): odd file names, links and
folders, malformed DOCX merges, macro-enabled Word files, huge text, a foreign database file,
cross-site and rebinding requests to `xxgk serve`, and usage errors that must say the rule.

Everything is generated here, in tmp_path, from the repository's own samples (corpus/)."""
from __future__ import annotations

import asyncio
import errno
import io
import os
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from rich.console import Console
from typer.testing import CliRunner

from conftest import ROOT
from extractor import batch
from extractor import views as V
from extractor.batch import audit_folder, print_summary
from extractor.cli import app
from extractor.pipeline import extract
from extractor.store import open_db, save_report

SAMPLES = ROOT / "corpus"
HTML_A = SAMPLES / "sample-03-districtgov-2022.html"
HTML_B = SAMPLES / "sample-04-countydept-2021.html"
DOCX = SAMPLES / "sample-01-citydept-2023.docx"
FLAGGED = SAMPLES / "sample-06-citydept-2023.pdf"  # carries a planted R05 error
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
runner = CliRunner()


def _audit(folder, db, **kw):
    kw.setdefault("progress", False)
    kw.setdefault("workers", 0)
    return audit_folder(folder, db, **kw)


def _rows(db: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(str(db))
    try:
        return {p: (s, m) for p, s, m in conn.execute("SELECT path, status, message FROM reports")}
    finally:
        conn.close()


def _summary_text(summary) -> str:
    out = io.StringIO()
    print_summary(summary, Console(file=out, width=300))
    return out.getvalue()


def _write_bytes_name(folder: Path, name: bytes, data: bytes) -> None:
    """A file whose name is raw bytes (not UTF-8), as unzip leaves a GBK name on Linux."""
    fd = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


# ------------------------------------------------------------------- 1. file names that are not UTF-8

def test_gbk_file_name_is_read_and_an_undecodable_one_is_one_error_row(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    _write_bytes_name(folder, "区政府年报.html".encode("gbk"), HTML_A.read_bytes())
    _write_bytes_name(folder, b"caf\xe9-2021.html", HTML_B.read_bytes())  # Latin-1: not GB18030 either
    shutil.copyfile(DOCX, folder / DOCX.name)
    db = tmp_path / "r.db"
    s = _audit(folder, db, workers=1)  # the pool: the undecoded path travels to a worker
    rows = _rows(db)
    assert rows[str(folder / "区政府年报.html")][0] == "ok"  # decoded as GB18030, read
    bad = str(folder / "caf\\xe9-2021.html")  # stored escaped: storable and printable
    status, message = rows[bad]
    assert status == "error"
    assert message.startswith("caf\\xe9-2021.html：文件名不是有效的 UTF-8 编码（可能是 GBK）")
    assert rows[str(folder / DOCX.name)][0] == "ok"  # the batch went on
    assert len(rows) == 3 and s.crossyear is not None and s.exit_code == 1
    assert "caf\\xe9-2021.html" in _summary_text(s)
    again = _audit(folder, db)  # every re-run used to stop at the same name
    assert (again.processed, again.unchanged, again.removed) == (0, 3, [])


# ------------------------------------------------------------------- 2–3. xxgk serve: CSRF and Host

@pytest.fixture(scope="module")
def flagged_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hardening") / "reports.db"
    db = open_db(path)
    save_report(db, extract(FLAGGED))
    db.conn.close()
    V.prepare(path)
    return path


def _fingerprint(db: Path) -> str:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("SELECT fingerprint FROM flags WHERE check_id = 'R05'").fetchone()[0]
    finally:
        conn.close()


def _copy(db: Path, dst: Path) -> Path:
    with sqlite3.connect(db) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def test_review_post_from_another_site_is_refused(flagged_db, tmp_path):
    from extractor.serve import make_datasette

    path = _copy(flagged_db, tmp_path / "reports.db")
    fp = _fingerprint(path)
    ds = make_datasette(path, prepare=False)
    form = {"fp": fp, "status": "dismissed", "note": "跨站伪造", "next": "/reports/flag_review"}

    async def flow():
        await ds.invoke_startup()
        r = await ds.client.get("/-/xxgk/review", params={"fp": fp})
        token = r.cookies.get("ds_csrftoken") or re.search(r'name="csrftoken" value="([^"]+)"', r.text)[1]
        out = {}
        # the hostile cases: no cookie (asgi-csrf lets that through), text/plain, another origin
        out["evil, no cookie"] = await ds.client.post(
            "/-/xxgk/review", headers={"Origin": "http://evil.example"}, data=form)
        out["evil, text/plain"] = await ds.client.post(
            "/-/xxgk/review", headers={"Origin": "http://evil.example", "Content-Type": "text/plain"},
            content="&".join(f"{k}={v}" for k, v in form.items()).encode())
        out["evil referer"] = await ds.client.post(
            "/-/xxgk/review", headers={"Referer": "http://evil.example/page"}, data=form)
        out["no origin at all"] = await ds.client.post("/-/xxgk/review", data=form)
        out["same origin, no token"] = await ds.client.post(
            "/-/xxgk/review", headers={"Origin": "http://localhost"}, data=form)
        out["same origin, text/plain"] = await ds.client.post(
            "/-/xxgk/review", cookies={"ds_csrftoken": token},
            headers={"Origin": "http://localhost", "Content-Type": "text/plain"},
            content="&".join(f"{k}={v}" for k, v in {**form, "csrftoken": token}.items()).encode())
        refused = {k: (r.status_code, r.text) for k, r in out.items()}
        ok = await ds.client.post("/-/xxgk/review", cookies={"ds_csrftoken": token},
                                  headers={"Sec-Fetch-Site": "same-origin"},
                                  data={**form, "csrftoken": token, "note": "本站提交"})
        return refused, ok.status_code

    refused, ok = asyncio.run(flow())
    for case, (code, text) in refused.items():
        assert code == 403, case
        assert "拒绝" in text, (case, text)
    assert ok == 302
    assert V.decisions(path) == {fp: ("dismissed", "本站提交")}


@pytest.mark.parametrize("served,host,allowed", [
    ("127.0.0.1", "127.0.0.1:8001", True),
    ("127.0.0.1", "localhost:8001", True),
    ("127.0.0.1", "[::1]:8001", True),
    ("127.0.0.1", "evil.example:8001", False),  # DNS rebinding: evil.example now resolves to 127.0.0.1
    ("127.0.0.1", "192.168.1.5:8001", False),
    ("192.168.1.5", "192.168.1.5:8001", True),  # the host given with --host
    ("192.168.1.5", "evil.example", False),
    ("0.0.0.0", "10.0.0.7:8001", True),  # all interfaces: any address, never a foreign name
    ("0.0.0.0", "evil.example", False),
])
def test_host_header_is_checked(flagged_db, served, host, allowed):
    from extractor.serve import make_datasette

    ds = make_datasette(flagged_db, prepare=False, web_review=served == "127.0.0.1", host=served)

    async def get():
        await ds.invoke_startup()
        return await ds.client.get("/reports/report_overview", headers={"Host": host})

    r = asyncio.run(get())
    if allowed:
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 400 and "主机名" in r.text and "DNS 重绑定" in r.text


# ------------------------------------------------------------------- 4. DOCX vMerge malformed

def _edit_docx(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    edit(root)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return dst


def _continue(tc) -> None:
    """Make tc a vMerge continuation cell (text removed, as Word writes one)."""
    tcpr = tc.find(W + "tcPr")
    if tcpr is None:
        tcpr = etree.SubElement(tc, W + "tcPr")
        tc.remove(tcpr)
        tc.insert(0, tcpr)
    for old in tcpr.findall(W + "vMerge"):
        tcpr.remove(old)
    etree.SubElement(tcpr, W + "vMerge")  # no val: continue
    for t in tc.iter(W + "t"):
        t.text = ""


def _t2(root):
    return [t for t in root.iter(W + "tbl") if "本年新收" in "".join(x.text or "" for x in t.iter(W + "t"))][0]


def _errors(report) -> set[str]:
    return {f.check_id for f in report.flags if f.severity == "error"}


def test_docx_continuation_under_a_plain_cell_is_not_copied(tmp_path):
    def edit(root):
        rows = _t2(root).findall(W + "tr")
        row = next(r for r in rows if "上年结转" in "".join(t.text or "" for t in r.iter(W + "t")))
        for tc in row.findall(W + "tc")[1:]:  # its values continue 一、本年新收's plain cells
            _continue(tc)

    before = extract(DOCX)
    after = extract(_edit_docx(DOCX, tmp_path / "malformed-merge.docx", edit))
    assert before.cells["t2.new.total"].value == 29 and before.cells["t2.carried_over.total"].value == 1
    assert after.status == "partial"
    assert not any(k.startswith("t2.carried_over.") for k in after.cells)  # no value stored, none copied
    assert after.cells["t2.new.total"].value == 29
    assert any("纵向合并" in m and "未读取" in m and "没有沿用上方的值" in m for m in after.messages), after.messages
    assert any("上年结转" in m and "未记录该行" in m for m in after.messages), after.messages
    assert _errors(after) <= _errors(before)  # the copied 29 gave false arithmetic errors


def test_docx_continuation_in_the_first_row(tmp_path):
    def edit(root):
        first = _t2(root).find(W + "tr").find(W + "tc")  # the 勾稽关系 merge starts here
        _continue(first)

    before = extract(DOCX)
    after = extract(_edit_docx(DOCX, tmp_path / "first-row.docx", edit))
    assert after.status == "partial"
    assert any("纵向合并" in m and "第 1、2、3 行" in m for m in after.messages), after.messages
    assert {k: c.value for k, c in after.cells.items()} == {k: c.value for k, c in before.cells.items()}
    assert _errors(after) <= _errors(before)


# ------------------------------------------------------------------- 5. .docm

def _docm(dst: Path, src: Path = DOCX) -> Path:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                                    b"application/vnd.ms-word.document.macroEnabled.main+xml")
                assert b"macroEnabled" in data
            out.writestr(info, data)
        out.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    return dst


def _english(message: str, name: str) -> list[str]:
    """English words in a stored message, beyond the file name and format names."""
    words = re.findall(r"[A-Za-z]{3,}", message.replace(name, ""))
    return [w for w in words if w not in {"DOCX", "ZIP", "XML", "Word", "DOC", "WPS", "PDF", "HTML"}]


def test_docm_is_read_like_docx_and_messages_stay_chinese(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    docm = _docm(folder / "macro.docm")
    shutil.copyfile(docm, folder / "macro-renamed.docx")
    data = docm.read_bytes()
    (folder / "broken.docm").write_bytes(data[: len(data) // 2])  # cut: no ZIP directory
    (folder / "damaged.docm").write_bytes(data[:2000] + b"x" * 400 + data[2400:])  # a part's bytes overwritten
    gold = extract(DOCX)
    for p in (docm, folder / "macro-renamed.docx"):
        r = extract(p)
        assert (r.status, r.format) == ("ok", "docx")
        assert {k: c.value for k, c in r.cells.items()} == {k: c.value for k, c in gold.cells.items()}
    db = tmp_path / "r.db"
    s = _audit(folder, db)
    rows = {Path(p).name: v for p, v in _rows(db).items()}
    assert s.files == 4 and not s.skipped  # .docm is a report file, not "other type"
    assert rows["macro-renamed.docx"][0] == "ok"  # the same bytes: one report, the other 重复
    assert [Path(p).name for p, _ in s.duplicates] == ["macro.docm"]
    assert rows["broken.docm"][0] == "unsupported" and rows["damaged.docm"][0] == "error"
    for name in ("broken.docm", "damaged.docm"):
        message = rows[name][1]
        assert message.startswith(name) and _english(message, name) == [], message


# ------------------------------------------------------------------- 6. 25 MB on one line

def test_huge_one_line_text_gets_a_chinese_message(tmp_path):
    big = tmp_path / "one-line.txt"
    big.write_text("政府信息公开工作年度报告 " * (25 * 2**20 // 37), encoding="utf-8")
    assert big.stat().st_size > 24 * 2**20
    r = extract(big)
    assert r.status == "unsupported"
    assert r.messages and "文字过多" in r.messages[0] and "E088" not in " ".join(r.messages)
    assert _english(r.messages[0], big.name) == []


def test_the_classifier_reads_a_bounded_text():
    from extractor.sections.classifier import MAX_CHARS, get_model, prepare

    assert len(prepare("政府信息公开" * 400_000)) == MAX_CHARS
    model = get_model()
    if model is None:
        pytest.skip("no section model")
    probs = model.proba(["依申请公开" * 300_000])  # 1.5 M characters: beyond spaCy's max_length
    assert probs.shape == (1, 7)


# ------------------------------------------------------------------- 7. links out of the folder

def test_links_out_of_the_folder_are_not_followed_unless_asked(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copyfile(HTML_A, folder / HTML_A.name)
    shutil.copyfile(HTML_B, outside / HTML_B.name)
    (folder / "linked.html").symlink_to(outside / HTML_B.name)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "zz-inside.html").symlink_to(folder / HTML_A.name)  # inside: read (a duplicate)
    (folder / "etc").symlink_to("/etc", target_is_directory=True)
    db = tmp_path / "r.db"
    s = _audit(folder, db)
    names = {Path(p).name for p in _rows(db)}
    assert names == {HTML_A.name}
    assert sorted(Path(p).name for p in s.links_skipped) == ["etc", "linked.html", "passwd.txt"]
    assert [Path(p).name for p, _ in s.duplicates] == ["zz-inside.html"]
    assert "跳过 3 个指向文件夹外的符号链接" in _summary_text(s) and "--follow-links" in _summary_text(s)
    followed = _audit(folder, db, follow_links=True)
    rows = {Path(p).name: v for p, v in _rows(db).items()}
    assert rows["linked.html"][0] == "ok" and "passwd.txt" in rows
    assert [Path(p).name for p in followed.links_skipped] == ["etc"]  # folder links: never followed
    r = runner.invoke(app, ["audit", str(folder), "--db", str(tmp_path / "c.db"), "--workers", "0",
                            "--no-progress"])
    assert "跳过 3 个指向文件夹外的符号链接" in r.output


# ------------------------------------------------------------------- 8. folders that cannot be listed

def test_unlistable_folder_is_a_row_and_exit_1(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    (folder / "locked").mkdir(parents=True)
    shutil.copyfile(HTML_A, folder / HTML_A.name)
    real_walk = os.walk

    def walk(top, **kw):  # root cannot chmod a folder unreadable: os.walk reports it as it would
        for root, dirs, files in real_walk(top, **kw):
            if "locked" in dirs:
                dirs.remove("locked")
                kw["onerror"](PermissionError(errno.EACCES, "Permission denied", os.path.join(root, "locked")))
            yield root, dirs, files

    monkeypatch.setattr(batch.os, "walk", walk)
    db = tmp_path / "r.db"
    s = _audit(folder, db)
    status, message = _rows(db)[str(folder / "locked")]
    assert status == "error" and message == "locked：无法列出文件夹（没有读取权限），其中的文件未能审核"
    assert s.exit_code == 1 and s.walk_errors


def test_path_over_path_max_is_a_row_and_exit_1(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copyfile(HTML_A, folder / HTML_A.name)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    depth = 0
    try:
        while len(str(folder)) + depth * 201 < 4200:  # past PATH_MAX (4096), made one level at a time
            os.mkdir("d" * 200, dir_fd=fd)
            nfd = os.open("d" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, depth = nfd, depth + 1
    finally:
        os.close(fd)
    db = tmp_path / "r.db"
    s = _audit(folder, db)
    errors = [(p, m) for p, (st, m) in _rows(db).items() if st == "error"]
    assert len(errors) == 1 and "无法列出文件夹（路径过长（超过系统上限））" in errors[0][1]
    assert s.exit_code == 1


# ------------------------------------------------------------------- 9–12. usage

def test_review_prefix_shorter_than_six_says_the_rule(flagged_db, tmp_path):
    path = _copy(flagged_db, tmp_path / "reports.db")
    fp = _fingerprint(path)
    r = runner.invoke(app, ["review", fp[:4], "--status", "confirmed", "--db", str(path)])
    assert r.exit_code == 1 and "至少要 6 个字符" in r.output and "太短" in r.output
    r = runner.invoke(app, ["review", fp[:6], "--status", "confirmed", "--db", str(path)])
    assert r.exit_code == 0 and V.decisions(path)[fp][0] == "confirmed"


@pytest.mark.parametrize("args", [["flags"], ["serve"], ["coverage"], ["crossyear"],
                                  ["review", "abcdef", "--status", "confirmed"]])
def test_every_verb_refuses_a_file_that_is_not_sqlite(tmp_path, args):
    bogus = tmp_path / "report.db"
    bogus.write_bytes(HTML_A.read_bytes())
    r = runner.invoke(app, [*args, "--db", str(bogus)])
    assert r.exit_code == 2, r.output
    assert f"无法打开数据库 {bogus}：这不是 SQLite 数据库文件" in r.stderr
    assert "Traceback" not in r.output and isinstance(r.exception, SystemExit)


def test_audit_gives_the_same_not_sqlite_message(tmp_path):
    bogus = tmp_path / "report.db"
    bogus.write_bytes(HTML_A.read_bytes())
    (tmp_path / "f").mkdir()
    shutil.copyfile(HTML_A, tmp_path / "f" / HTML_A.name)
    r = runner.invoke(app, ["audit", str(tmp_path / "f"), "--db", str(bogus), "--workers", "0", "--no-progress"])
    assert r.exit_code == 2
    assert re.sub(r"\s", "", f"无法打开数据库 {bogus}：这不是 SQLite 数据库文件") in re.sub(r"\s", "", r.output)
    assert bogus.read_bytes() == HTML_A.read_bytes()  # untouched


def test_empty_folder_says_no_report_files(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.xlsx").write_bytes(b"x")
    r = runner.invoke(app, ["audit", str(tmp_path / "empty"), "--db", str(tmp_path / "e.db"), "--workers", "0",
                            "--no-progress"])
    assert r.exit_code == 1 and "未找到报告文件" in r.output


def test_unknown_check_filter_lists_the_valid_ids(flagged_db):
    r = runner.invoke(app, ["flags", "--db", str(flagged_db), "-c", "Z99"])
    assert r.exit_code == 2
    assert "没有编号为 Z99 的检查" in r.stderr and "R05" in r.stderr and "T2-01" in r.stderr
    r = runner.invoke(app, ["flags", "--db", str(flagged_db), "-c", "r05", "--format", "json"])
    assert r.exit_code == 0 and '"R05"' in r.stdout
    r = runner.invoke(app, ["flags", "--db", str(flagged_db), "-s", "fatal"])
    assert r.exit_code == 2 and "'fatal' 不是可用的值" in r.stderr
