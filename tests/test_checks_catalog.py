"""The catalog is the one source of truth: every id has examples, docs are generated from it, and
the engine expands, filters and validates exactly what it says."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
import test_checks_arithmetic  # noqa: E402
import test_checks_dates  # noqa: E402
import test_checks_narrative  # noqa: E402
import test_checks_sections  # noqa: E402
import test_checks_template  # noqa: E402
from extractor.checks import engine, load_catalog, run_checks  # noqa: E402
from extractor.checks.docs import render  # noqa: E402
from test_checks_support import flags_of, from_gold, make_report  # noqa: E402

MODULES = (test_checks_arithmetic, test_checks_dates, test_checks_narrative, test_checks_sections,
           test_checks_template)


def test_every_check_has_a_failing_and_a_passing_example():
    cases = [c for m in MODULES for c in m.CASES]
    for cid, spec in load_catalog().checks.items():
        if spec.pairwise:
            continue  # cross-year checks have their examples in tests/test_crossyear.py
        outcomes = {c.outcome for c in cases if c.check == cid}
        assert outcomes == {"fail", "pass"}, cid
    assert {c.check for c in cases} <= set(load_catalog().checks)


def test_catalog_shape():
    catalog = load_catalog()
    assert len(catalog.checks) == 57
    assert sorted(c for c, s in catalog.checks.items() if s.pairwise) == [f"X0{i}" for i in range(1, 8)]
    for spec in catalog.checks.values():
        assert spec.doc and spec.message and spec.name
        assert "\n" not in spec.doc  # one line in docs/checks.md
    # formula expansion: T2-01 once per t2 row key (25 v2021 rows + the v2019 （六） row), T2-02/03 per column
    sizes = {cid: len(catalog.checks[cid].instances) for cid in ("T2-01", "T2-02", "T2-03", "T3-01", "T2-04")}
    assert sizes == {"T2-01": 26, "T2-02": 7, "T2-03": 7, "T3-01": 3, "T2-04": 4 * 7 + 26}


def test_docs_are_generated_from_the_catalog():
    docs = Path(__file__).resolve().parents[1] / "docs" / "checks.md"
    assert docs.read_text(encoding="utf-8") == render(load_catalog())
    for cid in load_catalog().checks:
        assert f"| {cid} |" in docs.read_text(encoding="utf-8")


def test_version_filter():
    v2019 = from_gold("shanghai-office-2019")
    v2019.cells["t1.normative_docs.made"] = v2019.cells["t1.normative_docs.new_made"]  # a v2021 key, made 60
    assert not flags_of(v2019, "T1-02")  # v2021-only check does not run on a v2019 report
    other = from_gold("shanghai-office-2019", template="other")
    assert not run_checks(other, {"groups": ["t2", "t3", "t1"]})  # pre-2019/custom: no template identities
    assert flags_of(other, "N02")  # "all" checks still run


def test_config_is_validated():
    report = make_report()
    with pytest.raises(ValueError):
        run_checks(report, {"grups": ["t2"]})
    with pytest.raises(ValueError):
        run_checks(report, {"checks": ["X01"]})  # cross-year checks compare two reports


def test_run_checks_sets_report_flags_and_disable_works():
    report = from_gold("shanghai-office-2019")
    flags = run_checks(report, {"disable": ["T2-01"]})
    assert report.flags is flags
    assert flags and not any(f.check == "T2-01" for f in flags)


def test_check_errors_propagate(monkeypatch):
    def period_stated(ctx):
        raise RuntimeError("boom")
    period_stated.__module__ = "extractor.checks.sections"
    monkeypatch.setitem(engine._REGISTRY, "S07", period_stated)
    with pytest.raises(RuntimeError):
        run_checks(make_report())


def test_registry_must_match_the_catalog(monkeypatch):
    monkeypatch.delitem(engine._REGISTRY, "S07")
    with pytest.raises(LookupError):
        run_checks(make_report())


def test_a_function_may_not_raise_its_severity():
    spec = load_catalog().checks["S04"]  # warning
    ctx = engine.Context(make_report(), spec, load_catalog(), {}, {})
    with pytest.raises(ValueError):
        ctx.flag(severity="error", reason="x")
    assert ctx.flag(uncertain=True, reason="x").message.startswith("S04 存疑（UNCERTAIN）：")


@pytest.mark.parametrize("formula", ["t2.new.total ==", "t2.new.total == 1 and 2 > 1 or 1 > 0", "foo(1) == 1"])
def test_bad_formulas_are_rejected(formula):
    with pytest.raises(ValueError):
        engine.parse_cond(formula)


def test_absent_cells_skip_the_instance_but_not_the_sum():
    report = from_gold("xingtai-gxj-2023")
    del report.cells["t2.open.total"]  # a direct term: T2-01 for （一） cannot run, nothing invented
    report.cells["t2.open.natural_person"].value = 9
    assert not [f for f in flags_of(report, "T2-01") if "（一）予以公开" in f.message]
    del report.cells["t2.deny.state_secret.natural_person"]  # a sum member: just left out
    assert [f.message for f in flags_of(report, "T2-02")] == ["T2-02 自然人列：各办理结果之和为12，但（七）总计为3"]
