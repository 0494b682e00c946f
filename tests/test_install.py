"""Installable anywhere (issue 11): data found through the package, the version, the database's
schema version and its migration. The wheel itself is built, installed and run by .ci/check-install."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import extractor
from extractor import resources
from extractor.cli import app
from extractor.errors import SchemaError
from extractor.schema import SCHEMA_VERSION, open_db, schema_version

from conftest import ROOT, extracted

CORPUS = ROOT / "corpus"


def test_every_subpackage_ships_in_the_wheel():
    """pyproject lists packages by hand (rules/ and models/ are mapped into the package): a new
    subpackage of extractor/ left off the list would be missing from the wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "extractor").rglob("__init__.py")}
    assert set(config["packages"]) == on_disk | {"extractor.rules", "extractor.models"}
    assert config["package-dir"] == {"extractor.rules": "rules", "extractor.models": "models"}


def test_rules_and_models_are_found_through_the_package():
    checkout = Path(extractor.__file__).resolve().parents[1]  # editable install: the checkout's own folders
    assert resources.rules_dir().samefile(checkout / "rules")
    assert resources.model_dir().samefile(checkout / "models" / "sections")
    assert resources.rule_files() == sorted(p.name for p in (ROOT / "rules").glob("*.toml"))
    assert resources.load_rules("checks.toml")["check"]
    shipped = {p.name for p in (ROOT / "rules").iterdir() if p.suffix in (".toml", ".txt")}
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    assert {"*.toml", "*.txt"} == set(data["extractor.rules"]) and shipped  # every rules file matches a pattern


def test_no_module_finds_data_through_its_own_path():
    """One loader: no module walks up from __file__ to rules/ or models/."""
    offenders = [p for p in (ROOT / "extractor").rglob("*.py")
                 if "__file__" in (text := p.read_text(encoding="utf-8")) and ("rules" in text or "models" in text)
                 and "parents[" in text]
    assert not offenders


def test_version():
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.output.strip() == f"xxgk {extractor.__version__}（数据库结构版本 {SCHEMA_VERSION}）"


# ------------------------------------------------------------------------------------------------
# Schema version


def _stored_sample(path: Path):
    from extractor.store import save_report
    from extractor.views import record_decision

    db = open_db(path)
    report = extracted(str(CORPUS / "sample-06-citydept-2023.pdf"))
    save_report(db, report)
    fingerprint = db.conn.execute("SELECT fingerprint FROM flags WHERE check_id = 'R05'").fetchone()[0]
    record_decision(db, fingerprint, "confirmed", "正文与表四矛盾", reviewer="测试")
    return db, fingerprint


def test_a_new_database_records_its_schema_version(tmp_path):
    db = open_db(tmp_path / "new.db")
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert schema_version(db) == SCHEMA_VERSION


def test_a_first_release_database_is_migrated_in_place_keeping_decisions(tmp_path):
    path = tmp_path / "old.db"
    db, fingerprint = _stored_sample(path)
    cells = db.conn.execute("SELECT count(*) FROM cells").fetchone()[0]
    # what the first release wrote: no recorded version, and (its earlier builds) no OCR confidence
    db.conn.execute("ALTER TABLE cells DROP COLUMN confidence")
    db.conn.execute("PRAGMA user_version = 0")
    db.conn.commit()
    db.conn.close()
    assert schema_version(open_raw(path)) == 1

    db = open_db(path)
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "confidence" in db["cells"].columns_dict
    assert db.conn.execute("SELECT count(*) FROM cells").fetchone()[0] == cells
    review = db.conn.execute("SELECT status, note FROM reviews WHERE fingerprint = ?", [fingerprint]).fetchone()
    assert review == ("confirmed", "正文与表四矛盾")
    # and the migrated database is used as usual: xxgk flags lists the confirmed flag
    res = CliRunner().invoke(app, ["flags", "--db", str(path), "-f", "json"])
    assert res.exit_code == 0, res.output
    assert "R05" in {f["check"] for f in json.loads(res.output)}


def open_raw(path: Path):
    import sqlite_utils

    return sqlite_utils.Database(path)


def test_a_database_from_a_newer_xxgk_is_refused_naming_both_versions(tmp_path):
    path = tmp_path / "future.db"
    open_db(path).conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaError) as e:
        open_db(path)
    assert f"数据库结构版本为 {SCHEMA_VERSION + 1}" in str(e.value)
    assert f"支持的版本 {SCHEMA_VERSION}" in str(e.value)
    # every verb says so in Chinese with exit code 2, no traceback, and leaves the file alone
    for args in (["flags", "--db", str(path)], ["audit", str(CORPUS / "sample-01-citydept-2023.docx"),
                                                "--db", str(path), "--workers", "0"]):
        r = subprocess.run([sys.executable, "-m", "extractor.cli", *args], capture_output=True, text=True,
                           timeout=300, env={**os.environ, "COLUMNS": "300"})
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert f"数据库结构版本为 {SCHEMA_VERSION + 1}" in r.stdout + r.stderr
        assert "Traceback" not in r.stderr
    assert open_raw(path).conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert not open_raw(path).conn.execute("SELECT count(*) FROM reports").fetchone()[0]


def test_a_sqlite_file_that_is_not_xxgks_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    with pytest.raises(SchemaError, match="不是 xxgk 的数据库"):
        open_db(path)
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]
