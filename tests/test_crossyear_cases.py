"""X01–X07 by example: each cross-year check has a failing and a passing pair of reports, listed in
`CROSS_CASES` (tests/test_checks_catalog.py makes sure every one has both, built from the
repository alone).

The pairs are two years of one fictional issuer that corpus/samplegen.py writes at test time, read
by the real pipeline, stored with save_report and compared by run_crossyear, as `xxgk audit` does.
Generated years are independent draws, so where a case needs last year's figures to carry over
(or to break), `linked` makes them carry over the way a real issuer's reports do and the case
then changes what it is about. Pairs from the real reports of ../shared run beside them.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from conftest import extracted  # noqa: E402
from extractor import coverage  # noqa: E402
from extractor.checks import crossyear as X  # noqa: E402
from extractor.checks import load_catalog  # noqa: E402
from extractor.pipeline import extract  # noqa: E402
from extractor.report import Flag, Paragraph, Report  # noqa: E402
from extractor.store import open_db, save_report  # noqa: E402
from test_checks_support import samplegen, shared_path  # noqa: E402

COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
GOV = "雁汀县人民政府"
DEPT = "雁汀县教育局"


@lru_cache(maxsize=None)
def _read(spec_json: str) -> Report:
    spec = json.loads(spec_json)
    data, gold = samplegen.make_report(spec)
    with tempfile.TemporaryDirectory(prefix="xxgk-crossyear-") as tmp:
        path = Path(tmp) / gold["document"]
        path.write_bytes(data)
        return extract(str(path))


def generated(issuer: str, year: int, seed: int, **spec) -> Report:
    """The report samplegen writes for this issuer and year, as the pipeline reads it (a fresh copy)."""
    spec = {"issuer": issuer, "year": year, "seed": seed, "format": "html", **spec}
    return copy.deepcopy(_read(json.dumps(spec, sort_keys=True, ensure_ascii=False)))


def _set(report: Report, key: str, value) -> None:
    c = report.cells[key]
    c.value, c.raw = value, str(value)


def _add(report: Report, row: str, col: str, d: int) -> None:
    """Add d to a t2 cell and to its row's 总计."""
    for c in (col, "total"):
        _set(report, f"t2.{row}.{c}", report.num(f"t2.{row}.{c}") + d)


def linked(prev: Report, cur: Report) -> tuple[Report, Report]:
    """Make `cur` continue `prev`: 上年结转 = last year's 结转下年度 in every column, and 现行有效 =
    last year's + 本年制发 − 本年废止. `cur` stays consistent: carried-over applications added are
    processed (（七）总计 and 予以公开 grow), ones removed become new applications."""
    for col in COLS:
        d = prev.num(f"t2.carry_forward.{col}") - cur.num(f"t2.carried_over.{col}")
        if d:
            _add(cur, "carried_over", col, d)
            if d > 0:
                _add(cur, "total_processed", col, d)
                _add(cur, "open", col, d)
            else:
                _add(cur, "new", col, -d)
    for row in ("regulations", "normative_docs"):
        keys = [f"t1.{row}.{c}" for c in ("valid", "made", "repealed")]
        if all(k in cur.cells for k in keys) and keys[0] in prev.cells:
            _set(cur, keys[0], prev.num(keys[0]) + cur.num(keys[1]) - cur.num(keys[2]))
    return prev, cur


def rewrite(report: Report, section: str, *texts: str) -> Report:
    """Replace the body of one section with the given paragraphs."""
    at = next(i for i, p in enumerate(report.paragraphs) if p.section == section and not p.is_heading)
    kept = [p for p in report.paragraphs if not (p.section == section and not p.is_heading)]
    report.paragraphs = kept[:at] + [Paragraph(0, t, section=section) for t in texts] + kept[at:]
    for i, p in enumerate(report.paragraphs):
        p.index, p.tokens = i, ""
    return report


# Two independent years of the county government (last year carries 2 natural-person
# applications forward), and the same draw printed again for the next year.
def independent():
    return generated(GOV, 2022, 9), generated(GOV, 2023, 10)


def chained():
    return linked(*independent())


def reposted():
    """Last year's report published again with the year changed: same text, same tables."""
    return generated(GOV, 2022, 9), generated(GOV, 2023, 9)


def carried_over_more():
    prev, cur = chained()
    _add(cur, "carried_over", "natural_person", 2)
    _add(cur, "new", "natural_person", -2)
    return prev, cur


def reclassified():
    """One of last year's natural-person applications carried over as a company's (total unchanged)."""
    prev, cur = chained()
    _add(cur, "carried_over", "natural_person", -1)
    _add(cur, "new", "natural_person", 1)
    _add(cur, "carried_over", "commercial", 1)
    _add(cur, "total_processed", "commercial", 1)
    _add(cur, "open", "commercial", 1)
    return prev, cur


def valid_off():
    prev, cur = chained()
    _set(cur, "t1.normative_docs.valid", cur.num("t1.normative_docs.valid") + 5)
    return prev, cur


def reposted_one_number_changed():
    prev, cur = reposted()
    _add(cur, "new", "natural_person", 1)
    _add(cur, "open", "natural_person", 1)
    _add(cur, "total_processed", "natural_person", 1)
    return prev, cur


PROBLEMS_2022 = ("2022年，县政府政府信息公开工作取得一定成效，但仍存在一些不足：一是重点领域信息公开深度不够；"
                 "二是政策解读形式单一。下一步，县政府将加强培训，丰富解读形式。")
PROBLEMS_2023_GENERIC = "2023年，县政府将继续做好政府信息公开各项工作，认真贯彻落实条例，推动工作再上新台阶。"
PROBLEMS_2023_FOLLOW_UP = ("针对上年报告指出的重点领域信息公开深度不够的问题，县政府今年已逐项整改。"
                           "2023年，县政府政府信息公开工作仍存在政务新媒体更新不及时的问题，下一步将加强巡查。")


def problems(issuer: str, now: str):
    prev, cur = generated(issuer, 2022, 9), generated(issuer, 2023, 10)
    return rewrite(prev, "problems", PROBLEMS_2022.replace("县政府", "我局" if issuer == DEPT else "县政府")), \
        rewrite(cur, "problems", now)


# ----------------------------------------------------------------------------- ../shared (real reports)

def hongze():
    """淮安市洪泽区人民政府 2023 and 2024 as the pipeline reads them (0 carried forward → 0 carried over)."""
    a, b = (extracted(str(shared_path(f"real/huaian-hongze-{y}.pdf"))) for y in (2023, 2024))
    return copy.deepcopy(a), copy.deepcopy(b)


def hongze_planted():
    r23, r24 = hongze()
    r24.sha256 = hashlib.sha256(f"{r24.sha256}:planted".encode()).hexdigest()
    r24.document = r24.document.replace(".pdf", "-planted.pdf")
    for key in ("t2.carried_over.total", "t2.carried_over.natural_person"):
        _set(r24, key, 4)
    return r23, r24


# ----------------------------------------------------------------------------- the registry

@dataclass
class CrossCase:
    """One example for a cross-year check: `build` returns the reports for Y−1 and Y of one issuer;
    `fail` must raise a flag like the one described on that pair, `pass` none."""

    check: str
    outcome: str  # fail | pass
    build: Callable[[], tuple[Report, Report]]
    name: str = ""
    severity: Optional[str] = None  # for fail: the flag's severity (default: the catalog's)
    cells: tuple[str, ...] = ()  # for fail: keys in the later report the flag must name
    other_cells: tuple[str, ...] = ()  # for fail: keys in the earlier report
    message: Optional[str] = None  # for fail: text the message must contain

    def __str__(self) -> str:
        return f"{self.check}-{self.outcome}-{self.name}"


def cross_flags(pair: tuple[Report, Report]) -> list[Flag]:
    """Store both reports (earlier first) in a fresh database, run the cross-year checks after each
    as `xxgk audit` does, and return the flags that compare the two."""
    earlier, later = pair
    with tempfile.TemporaryDirectory(prefix="xxgk-crossyear-db-") as tmp:
        db = open_db(Path(tmp) / "x.db")
        try:
            for r in (earlier, later):
                save_report(db, r)
                X.run_crossyear(db, r.sha256)
            return [f for f in X.flags_for(db, later.sha256) if {f.pair.report, f.pair.other_report} == {earlier.sha256,
                                                                                            later.sha256}]
        finally:
            db.conn.close()


def verify_cross(case: CrossCase, pair: Optional[tuple[Report, Report]] = None) -> None:
    earlier, later = pair or case.build()
    found = [f for f in cross_flags((earlier, later)) if f.check == case.check]
    if case.outcome == "pass":
        assert not found, [f.message for f in found]
        return
    severity = case.severity or load_catalog().checks[case.check].severity
    matching = [f for f in found if f.severity == severity and f.pair.scope == "year"
                and (f.pair.report, f.pair.other_report) == (later.sha256, earlier.sha256)
                and set(case.cells) <= {c.key for c in f.cells} and set(case.other_cells) <= set(f.pair.other_cells)
                and (case.message is None or case.message in f.message)]
    assert matching, [(f.severity, f.pair.scope, f.message, f.cells, f.pair.other_cells) for f in found]
    for f in matching:
        assert f.message.startswith(case.check + " ")
        assert (f.pair.report_year, f.pair.other_year) == (later.report_year, earlier.report_year)


CROSS_CASES = [
    # X01 / X02: 上年结转 = last year's 结转下年度
    CrossCase("X01", "fail", carried_over_more, "generated-2-more-carried-over",
              cells=("t2.carried_over.total",), other_cells=("t2.carry_forward.total",),
              message="总计为 4，上一年报告“四、结转下年度继续办理”总计为 2"),
    CrossCase("X01", "pass", chained, "generated-chain-holds"),
    CrossCase("X01", "pass", reclassified, "generated-reclassified-total-holds"),
    CrossCase("X01", "fail", hongze_planted, "hongze-planted", cells=("t2.carried_over.total",),
              other_cells=("t2.carry_forward.total",)),
    CrossCase("X01", "pass", hongze, "hongze"),
    CrossCase("X02", "fail", reclassified, "generated-reclassified", cells=("t2.carried_over.commercial",),
              other_cells=("t2.carry_forward.commercial",), message="“商业企业”列上年结转与上一年报告不衔接：本报告上年结转 1"),
    CrossCase("X02", "fail", carried_over_more, "generated-natural-person", cells=("t2.carried_over.natural_person",),
              other_cells=("t2.carry_forward.natural_person",)),
    CrossCase("X02", "pass", chained, "generated-chain-holds"),
    CrossCase("X02", "pass", hongze, "hongze"),
    # X03: 现行有效 stock-flow
    CrossCase("X03", "fail", valid_off, "generated-5-more-valid",
              cells=("t1.normative_docs.valid", "t1.normative_docs.made", "t1.normative_docs.repealed"),
              other_cells=("t1.normative_docs.valid",)),
    CrossCase("X03", "pass", chained, "generated-stock-flow-holds"),
    CrossCase("X03", "pass", lambda: (generated(GOV, 2020, 9), generated(GOV, 2021, 10)), "generated-last-year-v2019-no-valid-column"),
    CrossCase("X03", "pass", hongze, "hongze"),
    # X04: copied text; X05: identical numbers
    CrossCase("X04", "fail", reposted, "generated-reposted", message="几乎逐字相同"),
    CrossCase("X04", "fail", reposted_one_number_changed, "generated-reposted-new-number"),
    CrossCase("X04", "pass", independent, "generated-independent-years"),
    CrossCase("X04", "pass", hongze, "hongze-reworded"),
    CrossCase("X05", "fail", reposted, "generated-reposted", cells=("t2.new.total", "t2.new.natural_person"),
              other_cells=("t2.new.total",)),
    CrossCase("X05", "pass", reposted_one_number_changed, "generated-one-number-changed"),
    CrossCase("X05", "pass", independent, "generated-independent-years"),
    # X06: template regression
    CrossCase("X06", "fail", lambda: (generated(GOV, 2022, 9), generated(GOV, 2023, 9, template="v2019")),
              "generated-v2021-then-v2019"),
    CrossCase("X06", "pass", lambda: (generated(GOV, 2020, 9), generated(GOV, 2021, 10)), "generated-v2019-then-v2021"),
    CrossCase("X06", "pass", independent, "generated-v2021-both-years"),
    # X07: last year's problems not followed up (government reports)
    CrossCase("X07", "fail", lambda: problems(GOV, PROBLEMS_2023_GENERIC), "generated-generic-five",
              message="重点领域"),
    CrossCase("X07", "pass", lambda: problems(GOV, PROBLEMS_2023_FOLLOW_UP), "generated-followed-up"),
    CrossCase("X07", "pass", lambda: problems(DEPT, PROBLEMS_2023_GENERIC.replace("县政府", "我局")),
              "generated-department"),
]


@pytest.mark.parametrize("case", CROSS_CASES, ids=str)
def test_case(case):
    verify_cross(case)


def test_linked_years_stay_consistent():
    """The helper changes a generated year only in ways the year's own table still adds up."""
    from extractor.checks import run_checks
    for pair in (chained(), carried_over_more(), reclassified()):
        _, cur = pair
        assert not [f.message for f in run_checks(cur, {"groups": ["t2"]}) if f.severity == "error"]
    prev, cur = chained()
    assert prev.num("t2.carry_forward.total") == cur.num("t2.carried_over.total") == 2


def test_x01_message_names_both_reports_and_values():
    prev, cur = carried_over_more()
    (f,) = [f for f in cross_flags((prev, cur)) if f.check == "X01"]
    assert f.message == ("X01 上年结转与上一年报告不衔接：本报告“二、上年结转政府信息公开申请数量”总计为 4，"
                         "上一年报告“四、结转下年度继续办理”总计为 2"
                         f"（本报告 2023年《{Path(cur.document).name}》，上一年报告 2022年《{Path(prev.document).name}》）")


# ----------------------------------------------------------------------------- storage, in the repository

def _all_flags(db) -> set[tuple]:
    return set(db.conn.execute("SELECT check_id, severity, message, report, other_report, scope, score, cells, "
                               "other_cells FROM crossyear_flags"))


def _store(db, *reports):
    for r in reports:
        save_report(db, r)
        X.run_crossyear(db, r.sha256)


def test_order_independence_and_reaudit(tmp_path):
    """Three years of one issuer stored in either order give the same flags; re-auditing a report
    recomputes its pairs, and a report that changes takes its stale flags with it."""
    y22, y23 = carried_over_more()  # X01 between 2022 and 2023
    y24 = generated(GOV, 2024, 9)  # 2022's draw again: X04/X05 would need 2023's
    forward, backward = open_db(tmp_path / "f.db"), open_db(tmp_path / "b.db")
    _store(forward, y22, y23, y24)
    _store(backward, y24, y23, y22)
    flags = _all_flags(forward)
    assert {(f[0], f[3], f[4]) for f in flags} >= {("X01", y23.sha256, y22.sha256)}
    assert flags == _all_flags(backward)
    _store(forward, y23)
    assert _all_flags(forward) == flags
    fixed = copy.deepcopy(y22)
    _set(fixed, "t2.carry_forward.total", y23.num("t2.carried_over.total"))
    _store(forward, fixed)  # same file, same sha256: the report changed, its pairs are recomputed
    assert ("X01", y23.sha256, y22.sha256) not in {(f[0], f[3], f[4]) for f in _all_flags(forward)}


def test_boilerplate_shared_with_another_issuer_same_year(tmp_path):
    """Two counties printing the same generated text in one year: X04 at info level, scope peer."""
    a = generated(GOV, 2023, 10)
    b = generated("栖梧县人民政府", 2023, 10)
    db = open_db(tmp_path / "peer.db")
    _store(db, a, b)
    assert X.flags_for(db, a.sha256) == X.flags_for(db, b.sha256)
    (f,) = X.flags_for(db, a.sha256)
    assert (f.check, f.severity, f.pair.scope) == ("X04", "info", "peer") and f.pair.score >= X.PEER_MIN
    assert {f.pair.report, f.pair.other_report} == {a.sha256, b.sha256}
    assert "栖梧县人民政府" in f.message and GOV in f.message


def test_coverage_of_generated_years(tmp_path):
    db = open_db(tmp_path / "cov.db")
    _store(db, *(generated(DEPT, y, y) for y in (2020, 2021, 2023)), generated(GOV, 2023, 10))
    rows = {r["name"]: r for r in coverage.coverage(db)["rows"]}
    assert sorted(rows[DEPT]["years"]) == [2020, 2021, 2023] and rows[DEPT]["missing"] == [2022]
    assert (rows[DEPT]["level"], rows[DEPT]["kind"]) == ("county", "department")
    assert sorted(rows[GOV]["years"]) == [2023] and rows[GOV]["missing"] == []
    assert coverage.coverage_cell(rows[DEPT], 2022) == "缺" and coverage.coverage_cell(rows[DEPT], 2021) == "✓"
