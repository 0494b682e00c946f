"""Broken, hostile and odd files in the audited folder (all generated here, in tmp_path).

Each one ends as exactly one row with a status (error / unsupported / not_a_report / needs_ocr)
and a Chinese message naming the file and the cause; the run goes on, and reports stored before
are untouched."""
from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

import badfiles as bf
from conftest import ROOT
from extractor.batch import audit_folder

SAMPLES = ROOT / "corpus"  # the repository's own samples (corpus/README.md)
GOOD = ["sample-01-citydept-2023.docx", "sample-03-districtgov-2022.html"]
PDF_TO_TRUNCATE = "sample-05-citygov-2023.pdf"
PDF_AS_DOCX = "sample-06-citydept-2023.pdf"  # a PDF saved under a .docx name
UTF8_HTML = "sample-03-districtgov-2022.html"  # re-encoded as GBK without its charset

# name → (allowed statuses, a word the message must contain)
EXPECT: dict[str, tuple[set, str]] = {
    "empty.pdf": ({"error"}, "空文件"),
    "truncated.pdf": ({"error"}, "损坏"),
    "locked.pdf": ({"unsupported"}, "加密"),
    "scanned.pdf": ({"needs_ocr"}, "OCR"),
    "twenty-thousand-pages.pdf": ({"unsupported"}, "页数过多"),
    "deep-page-tree.pdf": ({"error"}, "嵌套过深"),
    "deep-nesting.pdf": ({"not_a_report", "error"}, ""),
    "five-hundred-pages.pdf": ({"not_a_report"}, "不是政府信息公开工作年度报告"),
    "maintenance.pdf": ({"not_a_report"}, "不是政府信息公开工作年度报告"),
    "owner-only.pdf": ({"not_a_report"}, "不是政府信息公开工作年度报告"),  # decrypted with the empty password
    "meeting-notice.docx": ({"not_a_report"}, "不是政府信息公开工作年度报告"),
    "zip-bomb.docx": ({"error"}, "解压后过大"),
    "zip-bomb-lying.docx": ({"error"}, "ZIP"),
    "zip-bomb-types.docx": ({"unsupported"}, "格式无法识别"),
    "billion-laughs.docx": ({"error", "not_a_report"}, ""),
    "billion-laughs.html": ({"not_a_report", "error"}, ""),
    "deep-nesting.html": ({"not_a_report", "error"}, ""),
    "pipe.pdf": ({"error"}, "命名管道"),
    "gone.pdf": ({"error"}, "失效的符号链接"),
    "loop-a.pdf": ({"error"}, "循环的符号链接"),
    "loop-b.pdf": ({"error"}, "循环的符号链接"),
}
# Files that are fine despite their form: read as reports.
READABLE = {"really-a-pdf.docx": "pdf", "gbk-no-charset.html": "html"}


def _ocr_wired() -> bool:
    """True when scanned PDFs go to the OCR reader (then a blank scan is read, and not_a_report)."""
    if importlib.util.find_spec("extractor.readers.ocr") is None:
        return False
    from extractor.readers import ocr
    return bool(getattr(ocr, "available", lambda: False)())


def _build(folder: Path) -> None:
    bf.make_truncated_pdf(folder, SAMPLES / PDF_TO_TRUNCATE)
    (folder / "empty.pdf").write_bytes(b"")
    bf.make_encrypted_pdf(folder)
    (folder / "owner-only.pdf").write_bytes(bf.encrypted_pdf(bf.NOT_A_REPORT_LINES, user_password=""))
    bf.make_image_only_pdf(folder)
    bf.make_huge_page_count_pdf(folder)
    bf.make_deep_page_tree_pdf(folder)
    bf.make_deep_nesting_pdf(folder)
    bf.make_many_pages_pdf(folder, 500)
    bf.make_not_a_report_pdf(folder)
    bf.make_not_a_report_docx(folder)
    bf.make_zip_bomb_docx(folder)
    bf.make_lying_zip_bomb_docx(folder)
    bf.make_content_types_bomb_docx(folder)
    bf.make_billion_laughs_docx(folder)
    bf.make_billion_laughs_html(folder)
    bf.make_deep_html(folder)
    shutil.copyfile(SAMPLES / PDF_AS_DOCX, folder / "really-a-pdf.docx")
    bf.make_gbk_html_without_charset(folder, SAMPLES / UTF8_HTML)
    bf.make_fifo(folder)
    bf.make_dangling_symlink(folder)
    bf.make_symlink_loop(folder)  # also sub/up → .. (a folder loop, not followed)
    (folder / "folder-named.pdf").mkdir()  # a directory with a report's extension: not a file


def _rows(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(str(db))
    conn.row_factory = sqlite3.Row
    try:
        return {r["path"]: dict(r) for r in conn.execute("SELECT * FROM reports")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """Good reports audited first; then the hostile files are added and the folder audited again."""
    tmp = tmp_path_factory.mktemp("bad")
    folder = tmp / "reports"
    folder.mkdir()
    for n in GOOD:
        shutil.copyfile(SAMPLES / n, folder / n)
    db = tmp / "bad.db"
    first = audit_folder(folder, db, workers=2, progress=False)
    assert first.exit_code == 0
    before = _rows(db)
    _build(folder)
    summary = audit_folder(folder, db, workers=2, timeout=90, progress=False)
    return folder, db, before, summary


def test_every_bad_file_is_one_row_with_a_status_and_a_message(audited):
    folder, db, _, summary = audited
    rows = _rows(db)
    by_name = {Path(p).name: r for p, r in rows.items()}
    for name, (statuses, word) in EXPECT.items():
        row = by_name.get(name)
        assert row is not None, f"no row for {name}"
        if name == "scanned.pdf" and _ocr_wired():
            statuses = statuses | {"not_a_report"}
            word = ""
        assert row["status"] in statuses, (name, row["status"], row["message"])
        assert name in row["message"], (name, row["message"])  # the message names the file
        assert word in row["message"], (name, row["message"])
        assert row["path"] == str(folder / name)
    assert sum(1 for p in rows if Path(p).name in EXPECT) == len(EXPECT)


def test_readable_despite_their_form(audited):
    folder, db, _, _ = audited
    by_name = {Path(p).name: r for p, r in _rows(db).items()}
    for name, fmt in READABLE.items():
        row = by_name[name]
        assert row["status"] in ("ok", "partial"), (name, row["message"])
        assert row["format"] == fmt
    gold = json.loads((SAMPLES / UTF8_HTML).with_suffix(".json").read_text(encoding="utf-8"))
    assert by_name["gbk-no-charset.html"]["issuer"] == gold["issuer"]  # no mojibake


def test_the_run_goes_on_and_stored_reports_are_intact(audited):
    folder, db, before, summary = audited
    after = _rows(db)
    for path, row in before.items():
        assert after[path] == row  # not re-read, not rewritten (same audited_at)
    assert summary.unchanged == len(GOOD)
    assert summary.exit_code == 1
    assert len(summary.failures) == len(EXPECT)
    # Folder loops are not followed and directories are not files.
    assert not any("/sub/" in p for p in after)
    assert not any(Path(p).name == "folder-named.pdf" for p in after)
    # Every status the summary reports comes from the rows of this folder.
    assert sum(summary.statuses.values()) == len(after)


def test_a_second_run_skips_the_bad_files_too(audited):
    folder, db, _, _ = audited
    again = audit_folder(folder, db, workers=1, progress=False)
    assert again.processed == 0
    assert again.exit_code == 1  # the folder still holds files that failed
