"""The `xxgk show` and `xxgk flags` verbs on the project's own sample corpus."""
import csv
import io
import json
import re
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
    assert {(r["name"], r["check"]) for r in rows} == expected_errors()
    assert all(r["severity"] == "error" and r["message"].startswith(r["check"]) for r in rows)


def test_flags_filter_by_check_and_issuer(db):
    res = runner.invoke(app, ["flags", "--db", str(db), "--check", "R05", "--all", "--format", "json"])
    rows = json.loads(res.stdout)
    assert [(r["name"], r["check"]) for r in rows] == [("sample-06-citydept-2023.pdf", "R05")]
    assert rows[0]["cells"] and "t3.review.total" in rows[0]["cells"]
    res = runner.invoke(app, ["flags", "--db", str(db), "--issuer", "云岭县市场监督管理局", "-s", "error",
                              "--format", "json"])
    assert {r["check"] for r in json.loads(res.stdout)} == {"T2-01", "T2-02"}


def test_flags_csv_and_xlsx_hold_the_same_rows(db, tmp_path):
    res = runner.invoke(app, ["flags", "--db", str(db), "--all", "--format", "csv"])
    assert res.stdout.startswith("\ufeff")  # Excel needs the BOM
    table = list(csv.reader(io.StringIO(res.stdout.lstrip("\ufeff"))))
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


# ------------------------------------------------------------------ one module per verb (issue 12.5)

VERBS = ("audit", "show", "flags", "serve", "review", "export", "coverage", "crossyear", "compare", "train", "eval")


def test_every_verb_is_an_importable_function_registered_on_the_app():
    import importlib

    from extractor.cli import COMMANDS

    names = {c.name: c.callback for c in app.registered_commands}
    assert list(COMMANDS) == list(VERBS) and set(names) == set(VERBS)
    for verb in VERBS:
        module = importlib.import_module(f"extractor.cli.{verb}")
        fn = COMMANDS[verb]
        assert fn.__module__ == module.__name__ and getattr(module, fn.__name__) is fn
        assert names[verb] is fn


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_chinese_help(verb):
    res = runner.invoke(app, [verb, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert any("\u4e00" <= ch <= "\u9fff" for ch in res.stdout)


def test_reading_verbs_share_one_missing_database_message(tmp_path):
    missing = tmp_path / "none.db"
    for args in (["flags"], ["serve"], ["review", "abcdef", "--status", "confirmed"], ["coverage"], ["crossyear"]):
        res = runner.invoke(app, [*args, "--db", str(missing)])
        assert res.exit_code == 2, (args, res.output)
        assert f"数据库不存在：{missing}（先运行 xxgk audit）" in res.stderr, args


def test_format_and_severity_are_choices(db):
    assert runner.invoke(app, ["flags", "--db", str(db), "--format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["flags", "--db", str(db), "--format", "xlsx"]).exit_code == 2  # needs -o
    assert runner.invoke(app, ["flags", "--db", str(db), "-s", "fatal"]).exit_code == 2
    assert runner.invoke(app, ["coverage", "--db", str(db), "--format", "json"]).exit_code == 2
    res = runner.invoke(app, ["flags", "--db", str(db), "-s", "INFO", "--format", "json"])
    assert res.exit_code == 0 and {r["severity"] for r in json.loads(res.stdout)} == {"info"}


@pytest.fixture
def db_copy(db, tmp_path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copy(db, path)
    return path


def test_coverage_and_crossyear_on_the_sample_database(db_copy):
    res = runner.invoke(app, ["coverage", "--db", str(db_copy), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert next(csv.reader(io.StringIO(res.stdout)))[:4] == ["机关编号", "发布机关", "级别", "类型"]
    res = runner.invoke(app, ["coverage", "--db", str(db_copy)], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "发布机关" in res.stdout
    res = runner.invoke(app, ["crossyear", "--db", str(db_copy), "--all"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("已检查 ")
    # the cross-report checks take the same --select/--ignore as the per-report ones
    res = runner.invoke(app, ["crossyear", "--db", str(db_copy), "--all", "--ignore", "X"])
    assert res.exit_code == 0 and "共有 0 条跨报告问题" in res.stdout, res.output
    res = runner.invoke(app, ["crossyear", "--db", str(db_copy), "--all", "--select", "X9"])
    assert res.exit_code == 2 and "未知的检查编号 X9" in res.stderr


def test_review_and_serve_on_the_sample_database(db_copy, monkeypatch):
    rows = json.loads(runner.invoke(app, ["flags", "--db", str(db_copy), "--format", "json"]).stdout)
    fp = rows[0]["fingerprint"]
    res = runner.invoke(app, ["review", fp, "--status", "dismissed", "--note", "测试", "--db", str(db_copy)])
    assert res.exit_code == 0 and "已驳回" in res.stdout, res.output

    import extractor.serve as S
    served = {}
    monkeypatch.setattr(S, "serve", lambda db, **kw: served.update(db=db, **kw))
    monkeypatch.setattr(S, "port_free", lambda host, port: True)
    res = runner.invoke(app, ["serve", "--db", str(db_copy), "--port", "8999"])
    assert res.exit_code == 0, res.output
    assert served == {"db": db_copy, "host": "127.0.0.1", "port": 8999, "prepare": False}
    assert f"http://127.0.0.1:8999/{db_copy.stem}" in res.stdout


def test_train_and_eval_without_a_corpus_say_so(tmp_path):
    none = ["--corpus", str(tmp_path / "none"), "--shared", str(tmp_path / "none")]
    res = runner.invoke(app, ["train", "--out", str(tmp_path / "model"), *none])
    assert res.exit_code == 2 and "没有找到带 gold 的文档" in res.stderr, res.output
    res = runner.invoke(app, ["eval", *none])
    assert res.exit_code == 2 and "没有找到带 gold 的文档" in res.stderr, res.output


def test_python_dash_m_runs_the_package():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "extractor.cli", "--version"], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("xxgk "), r.stderr


# ------------------------------------------------------------------ check settings (issue 12.7)

SIX = CORPUS / "sample-06-citydept-2023.pdf"  # planted R05 and D03 errors


def _checks(*args: str) -> set[str]:
    res = runner.invoke(app, ["show", "--json", str(SIX), *args])
    assert res.exit_code == 0, res.output
    return {f["check"] for f in json.loads(res.stdout)["flags"]}


@pytest.fixture(scope="module")
def all_checks() -> set[str]:
    got = _checks()
    assert {"R05", "D03"} <= got
    return got


def test_select_and_ignore_on_the_command_line(all_checks):
    assert _checks("--ignore", "R05") == all_checks - {"R05"}
    assert _checks("--select", "D") == {c for c in all_checks if c.startswith("D")} == {"D03"}
    assert _checks("--select", "R05,D03") == {"R05", "D03"}
    assert _checks("--select", "r05", "--select", "D") == {"R05", "D03"}
    assert _checks("--select", "R,D", "--ignore", "D03") == {"R05"}


def test_settings_file_in_the_current_directory(all_checks, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "xxgk.toml").write_text('ignore = ["R05"]\n', encoding="utf-8")
    assert _checks() == all_checks - {"R05"}
    assert _checks("--select", "R05") == {"R05"}  # the command line's --select replaces the file's selection
    (tmp_path / "xxgk.toml").write_text('select = ["D"]\n', encoding="utf-8")
    assert _checks() == {"D03"}
    (tmp_path / "xxgk.toml").unlink()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.xxgk]\nignore = ["D03", "R"]\n',
                                             encoding="utf-8")
    assert _checks() == all_checks - {"R05", "D03"}
    other = tmp_path / "other.toml"
    other.write_text('select = ["R05"]\n', encoding="utf-8")
    assert _checks("--config", str(other)) == {"R05"}


def test_issuer_type_and_deadlines_reach_d04(tmp_path, monkeypatch):
    """sample-01, a city department's 2023 report, was published on 2024-01-20: on time for the
    statutory 01-31, late for a deadline of 01-15."""
    monkeypatch.chdir(tmp_path)
    one = str(CORPUS / "sample-01-citydept-2023.docx")

    def d04() -> list[str]:
        res = runner.invoke(app, ["show", "--json", one])
        assert res.exit_code == 0, res.output
        return [f["message"] for f in json.loads(res.stdout)["flags"] if f["check"] == "D04"]

    assert d04() == []
    (tmp_path / "xxgk.toml").write_text('deadlines = { department = "01-15" }\n', encoding="utf-8")
    assert len(d04()) == 1 and "2024-01-15" in d04()[0]
    (tmp_path / "xxgk.toml").write_text('deadlines = { government = "01-15" }\nissuer_type = "government"\n',
                                        encoding="utf-8")
    assert len(d04()) == 1 and "本级人民政府" in d04()[0]
    (tmp_path / "xxgk.toml").write_text('deadlines = { department = "01-15" }\nissuer_type = "township"\n',
                                        encoding="utf-8")
    assert d04() == []  # a township has no deadline unless one is set


def test_help_is_chinese():
    for verb in ([], *[[v] for v in VERBS]):
        res = runner.invoke(app, [*verb, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0 and "显示本帮助后退出" in res.stdout and "用法：" in res.stdout
        assert not re.search(r"Show this message|Usage:|Options|Arguments|Commands|\[default", res.stdout)


@pytest.mark.parametrize("args,chinese", [
    (["flags", "--db", "{db}", "--format", "bogus"], "'--format' / '-f' 的值无效：'bogus' 不是可用的值"),
    (["flags", "--db", "{db}", "-s", "huge"], "'--severity' / '-s' 的值无效：'huge' 不是可用的值"),
    (["audit", "{db}", "--workers", "abc"], "'--workers' / '-w' 的值无效：应为整数"),
    (["show", "--bogus", "x"], "没有这个选项：--bogus"),
    (["show"], "缺少参数 'report'"),
])
def test_click_usage_errors_are_chinese(db, args, chinese):
    res = runner.invoke(app, [a.replace("{db}", str(db)) for a in args])
    assert res.exit_code == 2
    flat = re.sub(r"[\s│╭╮╰╯─]", "", res.stderr)  # the error panel wraps long lines
    assert re.sub(r"\s", "", chinese) in flat and "用法：" in res.stderr and "错误" in res.stderr
    assert not re.search(r"Invalid|No such|Missing|Usage|Input should", flat)


@pytest.mark.parametrize("args,named", [
    (["--select", "Q99"], "Q99"),
    (["--ignore", "R05,ZZ"], "ZZ"),
    (["--select", "X9"], "X9"),
])
def test_unknown_ids_are_usage_errors(args, named):
    res = runner.invoke(app, ["show", "--json", str(SIX), *args])
    assert res.exit_code == 2
    assert "未知的检查编号" in res.stderr and named in res.stderr


@pytest.mark.parametrize("text,named", [
    ('selekt = ["R05"]\n', "selekt"),
    ('ignore = ["R99"]\n', "R99"),
    ('issuer_type = "city"\n', "issuer_type"),
    ('deadlines = { department = "1月31日" }\n', "deadlines"),
    ('select = \n', "TOML"),
])
def test_bad_settings_files_are_usage_errors(tmp_path, monkeypatch, text, named):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "xxgk.toml").write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["show", "--json", str(SIX)])
    assert res.exit_code == 2 and "设置有误" in res.stderr and named in res.stderr, res.output
    res = runner.invoke(app, ["audit", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert res.exit_code == 2 and not (tmp_path / "x.db").exists()


def test_pdf_engine_option_and_setting(tmp_path, monkeypatch):
    """`--pdf-engine pdfplumber` (or pdf_engine in xxgk.toml) reads the PDF with the reference
    source: the same report; a bad value is a usage error; the default is not a setting."""
    from extractor.config import digest, resolve

    monkeypatch.chdir(tmp_path)
    five = str(CORPUS / "sample-05-citygov-2023.pdf")

    def shown(*args) -> dict:
        res = runner.invoke(app, ["show", "--json", five, *args])
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)

    fast = shown()
    assert shown("--pdf-engine", "pdfplumber") == fast and shown("--pdf-engine", "PDFium") == fast
    assert resolve(pdf_engine="pdfplumber") == {"pdf_engine": "pdfplumber"}
    assert resolve(pdf_engine="pdfium") == {} and digest(resolve(pdf_engine="pdfium")) == ""
    (tmp_path / "xxgk.toml").write_text('pdf_engine = "pdfplumber"\n', encoding="utf-8")
    assert resolve() == {"pdf_engine": "pdfplumber"} and shown() == fast
    assert resolve(pdf_engine="pdfium") == {}  # the command line wins over the file
    (tmp_path / "xxgk.toml").write_text('pdf_engine = "poppler"\n', encoding="utf-8")
    res = runner.invoke(app, ["show", "--json", five])
    assert res.exit_code == 2 and "pdf_engine 只能是 pdfium、pdfplumber" in res.stderr
    res = runner.invoke(app, ["show", "--json", five, "--pdf-engine", "poppler"])
    assert res.exit_code == 2 and "'--pdf-engine'的值无效" in re.sub(r"[\s│╭╮╰╯─]", "", res.stderr)


def test_missing_config_file(tmp_path):
    res = runner.invoke(app, ["show", str(SIX), "--config", str(tmp_path / "none.toml")])
    assert res.exit_code == 2 and "配置文件不存在" in res.stderr


def test_changed_settings_make_an_incremental_audit_recheck(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(SIX, folder / SIX.name)
    path = tmp_path / "r.db"

    def audit(*args: str) -> str:
        res = runner.invoke(app, ["audit", str(folder), "--db", str(path), "--workers", "0", "--no-progress", *args])
        assert res.exit_code == 0, res.output
        return res.stdout

    def stored() -> set[str]:
        res = runner.invoke(app, ["flags", "--db", str(path), "--all", "--format", "json"])
        return {r["check"] for r in json.loads(res.stdout)}

    assert "本次读取 1" in audit() and "R05" in stored()
    assert "本次读取 0" in audit()
    assert "本次读取 1" in audit("--ignore", "R05") and "R05" not in stored()
    assert "本次读取 0" in audit("--ignore", "R05")
    import sqlite3
    version = sqlite3.connect(path).execute("SELECT xxgk_version FROM reports").fetchone()[0]
    assert "+config." in version
    assert "本次读取 1" in audit() and "R05" in stored()  # back to the defaults: checked again
