"""The `xxgk show` and `xxgk flags` verbs on the project's own sample corpus."""
import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
runner = CliRunner()


def expected_errors() -> set[tuple[str, str]]:
    """(file, check) of every error the sample golds expect (all their expected flags are errors)."""
    out = set()
    for gold in CORPUS.glob("*.json"):
        g = json.loads(gold.read_text())
        out |= {(g["document"], f["check"]) for f in g["expected_flags"]}
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for p in CORPUS.iterdir():
        if p.suffix in (".pdf", ".docx", ".html"):
            shutil.copy(p, folder / p.name)
    path = folder / "reports.db"
    res = runner.invoke(app, ["audit", str(folder), "--db", str(path), "--workers", "0", "--no-progress"])
    assert res.exit_code == 0, res.output
    return path


def test_flags_json_lists_exactly_the_planted_errors(db):
    res = runner.invoke(app, ["flags", "--db", str(db), "-s", "error", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {(r["name"], r["check_id"]) for r in rows} == expected_errors()
    assert all(r["severity"] == "error" and r["message"].startswith(r["check_id"]) for r in rows)


def test_flags_filter_by_check_and_issuer(db):
    res = runner.invoke(app, ["flags", "--db", str(db), "--check", "R05", "--all", "--format", "json"])
    rows = json.loads(res.stdout)
    assert [(r["name"], r["check_id"]) for r in rows] == [("sample-06-citydept-2023.pdf", "R05")]
    assert rows[0]["cells"] and "t3.review.total" in rows[0]["cells"]
    res = runner.invoke(app, ["flags", "--db", str(db), "--issuer", "云岭县市场监督管理局", "-s", "error",
                              "--format", "json"])
    assert {r["check_id"] for r in json.loads(res.stdout)} == {"T2-01", "T2-02"}


def test_flags_csv_and_xlsx_hold_the_same_rows(db, tmp_path):
    res = runner.invoke(app, ["flags", "--db", str(db), "--all", "--format", "csv"])
    table = list(csv.reader(io.StringIO(res.stdout)))
    assert table[0][:4] == ["文件", "发布单位", "年度", "检查"]
    xlsx = tmp_path / "flags.xlsx"
    res = runner.invoke(app, ["flags", "--db", str(db), "--all", "--format", "xlsx", "-o", str(xlsx)])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook
    sheet = load_workbook(xlsx).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1:] == [
        [None if v == "" else (int(v) if v.isdigit() else v) for v in row] for row in table[1:]]


def test_flags_default_hides_info_notes(db):
    plain = json.loads(runner.invoke(app, ["flags", "--db", str(db), "--format", "json"]).stdout)
    every = json.loads(runner.invoke(app, ["flags", "--db", str(db), "--all", "--format", "json"]).stdout)
    assert {r["severity"] for r in plain} <= {"error", "warning"}
    assert "info" in {r["severity"] for r in every} and len(every) > len(plain)
    assert [r for r in every if r["severity"] != "info"] == plain


def test_flags_usage_errors(tmp_path):
    assert runner.invoke(app, ["flags", "--db", str(tmp_path / "none.db")]).exit_code == 2


def test_show_json_is_the_gold_format():
    gold = json.loads((CORPUS / "sample-01-citydept-2023.json").read_text())
    res = runner.invoke(app, ["show", str(CORPUS / gold["document"]), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for field in ("sha256", "report_year", "template", "published", "cells"):
        assert out[field] == gold[field], field
    assert [(s["key"], s["heading"], s["page"]) for s in out["sections"]] == [
        (s["key"], s["heading"], s["page"]) for s in gold["sections"]]
    assert not [f for f in out["flags"] if f["severity"] == "error"]


def test_show_table_names_the_report():
    res = runner.invoke(app, ["show", str(CORPUS / "sample-06-citydept-2023.pdf")], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "青禾市卫生健康委员会" in res.stdout and "R05" in res.stdout and "t2.new.total" in res.stdout
