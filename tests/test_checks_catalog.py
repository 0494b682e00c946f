"""The catalog is the one source of truth: every id has examples that run from the repository
alone, docs are generated from it, and the engine expands, filters and validates exactly what it says."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
import conftest  # noqa: E402
import test_checks_arithmetic  # noqa: E402
import test_checks_dates  # noqa: E402
import test_checks_narrative  # noqa: E402
import test_checks_sections  # noqa: E402
import test_checks_support as support  # noqa: E402
import test_checks_template  # noqa: E402
import test_crossyear_cases  # noqa: E402
from extractor.checks import engine, load_catalog, run_checks  # noqa: E402
from extractor.checks.docs import render  # noqa: E402
from test_checks_support import cell, flags_of, make_report, sample, verify, with_cells  # noqa: E402

MODULES = (test_checks_arithmetic, test_checks_dates, test_checks_narrative, test_checks_sections,
           test_checks_template)
CASES = [c for m in MODULES for c in m.CASES]
CROSS_CASES = test_crossyear_cases.CROSS_CASES


class SharedRead(Exception):
    """A builder opened a file of ../shared other than through gold_file / shared_path."""


_guard = {"on": False, "root": os.path.realpath(conftest.SHARED)}


def _audit(event, args):
    # Installed once, inert unless a catalog test is building its cases (see _without_shared).
    if not _guard["on"] or event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.path.realpath(os.fsdecode(args[0]))
    if path == _guard["root"] or path.startswith(_guard["root"] + os.sep):
        raise SharedRead(path)


sys.addaudithook(_audit)


def _without_shared(monkeypatch, tmp_path):
    """Make ../shared unreachable, as in a clone without it: gold_file and shared_path find nothing
    and need_shared skips (never fails, whatever CI says); a file opened under ../shared by any
    other way raises SharedRead."""
    def unreachable(what: str = "") -> None:
        pytest.skip(f"{conftest.SHARED_MISSING}: {what}")
    monkeypatch.setattr(support, "CORPUS", tmp_path / "no-shared" / "corpus")
    monkeypatch.setattr(support, "need_shared", unreachable)
    monkeypatch.setattr(conftest, "SHARED_PRESENT", False)
    monkeypatch.setattr(conftest, "IN_CI", False)
    monkeypatch.setattr(conftest, "CORPUS", tmp_path / "no-shared" / "corpus")


def _in_repo(cases, monkeypatch, tmp_path) -> list[tuple[object, object]]:
    """(case, what its builder returned) for every case that builds with ../shared out of reach."""
    _without_shared(monkeypatch, tmp_path)
    built = []
    _guard["on"] = True
    try:
        for case in cases:
            try:
                built.append((case, case.build()))
            except (pytest.skip.Exception, SharedRead):
                continue
    finally:
        _guard["on"] = False
    return built


def _run(cases_built, verifier) -> dict[str, set[str]]:
    """Verify every built case; return check id → the outcomes that were verified."""
    failures, outcomes = [], {}
    for case, built in cases_built:
        try:
            verifier(case, built)
        except AssertionError as e:
            failures.append(f"{case}: {e}")
            continue
        outcomes.setdefault(case.check, set()).add(case.outcome)
    assert not failures, "\n".join(failures)
    return outcomes


def test_every_check_has_an_in_repo_failing_and_passing_example(monkeypatch, tmp_path):
    """Decided by running, not by a label: with ../shared out of reach, build every case, verify the
    ones that built, and require a failing and a passing one for each per-report check. The result
    is the same with or without ../shared beside the repository."""
    outcomes = _run(_in_repo(CASES, monkeypatch, tmp_path), verify)
    catalog = load_catalog().checks
    missing = {cid: sorted({"fail", "pass"} - outcomes.get(cid, set()))
               for cid, spec in catalog.items() if not spec.pairwise}
    assert not {cid: m for cid, m in missing.items() if m}
    assert {c.check for c in CASES} <= {cid for cid, spec in catalog.items() if not spec.pairwise}


def test_every_crossyear_check_has_an_in_repo_failing_and_passing_example(monkeypatch, tmp_path):
    """The same rule for X01–X07 and the pairs of tests/test_crossyear_cases.py."""
    outcomes = _run(_in_repo(CROSS_CASES, monkeypatch, tmp_path), test_crossyear_cases.verify_cross)
    catalog = load_catalog().checks
    pairwise = sorted(cid for cid, spec in catalog.items() if spec.pairwise)
    assert pairwise == [f"X0{i}" for i in range(1, 8)]
    missing = {cid: sorted({"fail", "pass"} - outcomes.get(cid, set())) for cid in pairwise}
    assert not {cid: m for cid, m in missing.items() if m}
    assert {c.check for c in CROSS_CASES} <= set(pairwise)


def test_cases_from_shared_are_left_out_when_it_is_unreachable(monkeypatch, tmp_path):
    """The rule above tells repository cases from ../shared ones: a gold of ../shared skips, a
    sample builds, and a file of ../shared opened behind gold_file's back is caught too."""
    shared = support.Case("N01", "pass", lambda: support.from_gold("pingtan-2024"), "shared-gold")
    repo = support.Case("N01", "pass", lambda: sample(1), "sample")
    sneaky = support.Case("N01", "pass", lambda: (conftest.SHARED / "corpus" / "gold" / "x.json").open(), "sneaky")
    built = _in_repo([shared, repo, sneaky], monkeypatch, tmp_path)
    assert [c.name for c, _ in built] == ["sample"]


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
    v2019 = with_cells(sample(2), t1__normative_docs__made=14, t1__normative_docs__valid=0)  # v2021 keys
    assert not flags_of(v2019, "T1-02")  # v2021-only check does not run on a v2019 report
    v2019.template = "v2021"
    assert flags_of(v2019, "T1-02")  # …and would flag these cells on a v2021 one
    broken = with_cells(sample(2), t2__open__total=None)  # 9 natural-person 予以公开, blank 总计
    assert {f.check for f in run_checks(broken, {"groups": ["t2", "t3", "t1"]})} == {"T2-01", "T2-02"}
    broken.template = "other"
    assert not run_checks(broken, {"groups": ["t2", "t3", "t1"]})  # pre-2019/custom: no template identities
    assert [f.check for f in flags_of(broken, "N02")] == ["N02"]  # "all" checks still run


def test_config_is_validated():
    report = make_report()
    with pytest.raises(ValueError):
        run_checks(report, {"grups": ["t2"]})
    with pytest.raises(ValueError):
        run_checks(report, {"checks": ["Z99"]})
    # one selection for both kinds: a cross-report id selects no per-report check
    assert run_checks(report, {"checks": ["X01"]}) == []


def test_run_checks_sets_report_flags_and_disable_works():
    report = sample(4)  # planted: T2-01 on the 本机关不掌握 row, and T2-02 from it
    flags = run_checks(report, {"disable": ["T2-01"]})
    assert report.flags is flags
    assert "T2-02" in {f.check for f in flags} and not any(f.check == "T2-01" for f in flags)
    assert "T2-01" in {f.check for f in run_checks(report)}


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
    report = sample(1)  # 予以公开: 9 natural persons, 总计 9; （七）总计 29
    del report.cells["t2.open.total"]  # a direct term: T2-01 for （一） cannot run, nothing invented
    report.cells["t2.open.natural_person"] = cell("t2.open.natural_person", 19)
    assert not [f for f in flags_of(report, "T2-01") if "（一）予以公开" in f.message]
    # a sum member: just left out (the 总计 column now sums to 29 − 9)
    assert [f.message for f in flags_of(report, "T2-02")] == ["T2-02 自然人列：各办理结果之和为39，但（七）总计为29",
                                                              "T2-02 总计列：各办理结果之和为20，但（七）总计为29"]
