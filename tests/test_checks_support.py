"""Builders shared by tests/test_checks_*.py (this module holds no tests).

Reports are built in code: cells from the gold files of the corpus (read in place, never copied),
paragraphs from sentences the documents print. Each check module lists its examples as `CASES`;
tests/test_checks_catalog.py makes sure every catalog id has a failing and a passing one.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pytest

from extractor.checks import load_catalog, run_checks
from extractor.report import CellValue, Flag, Paragraph, Report, Section

CORPUS = Path(os.environ.get("XXGK_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
HEADINGS = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def gold_file(stem: str) -> Path:
    for folder in ("gold", "synthetic"):
        path = CORPUS / folder / f"{stem}.json"
        if path.exists():
            return path
    pytest.skip(f"corpus file {stem}.json not found under {CORPUS}")


def load_gold(stem: str) -> dict:
    return json.loads(gold_file(stem).read_text(encoding="utf-8"))


def gold_stems() -> list[str]:
    return sorted(p.stem for folder in ("gold", "synthetic") for p in (CORPUS / folder).glob("*.json"))


_LABEL_SETS = {"t1": ("t1_docs", "t1_v2019_items"), "t2": ("t2_rows", "t2_cols"), "t3": ("t3_groups", "t3_parts")}


def cell(key: str, value, page: Optional[int] = None) -> CellValue:
    """A CellValue with the template's labels, as the mapping stage would fill it."""
    labels = load_catalog().labels
    table, rest = key.split(".", 1)
    row, col = rest.rsplit(".", 1)
    rows, cols = _LABEL_SETS[table]
    row_label = labels[rows].get(row) or labels.get("t1_v2019_items", {}).get(row, row)
    raw = "" if value is None else str(value)
    return CellValue(key, value, raw, row_label, labels.get(cols, {}).get(col, col), page)


def make_report(cells: Optional[dict] = None, paragraphs: tuple = (), *, template: str = "v2021",
                report_year: int = 2023, sections: Optional[list[str]] = None, **meta) -> Report:
    """`paragraphs` are (section key, text) pairs; `sections` defaults to all six, in order."""
    keys = list(HEADINGS) if sections is None else sections
    r = Report(document="test", sha256="", format="test", template=template, report_year=report_year, **meta)
    r.cells = {k: cell(k, v) for k, v in (cells or {}).items()}
    r.sections = [Section(k, HEADINGS[k]) for k in keys]
    r.paragraphs = [Paragraph(i, text, section=sec) for i, (sec, text) in enumerate(paragraphs)]
    return r


def from_gold(stem: str, paragraphs: tuple = (), **meta) -> Report:
    """A Report with a gold file's metadata and cells; `meta` overrides fields."""
    g = load_gold(stem)
    fields = dict(issuer=g["issuer"], report_year=g["report_year"], template=g["template"],
                  published=g["published"])
    fields.update(meta)
    r = make_report(g["cells"], paragraphs, sections=[s["key"] for s in g["sections"]], **fields)
    for s, gs in zip(r.sections, g["sections"]):
        s.heading, s.page, s.starts_with = gs["heading"], gs["page"], gs["starts_with"]
    return r


def with_cells(report: Report, **changes) -> Report:
    """Change cells in place; keyword names use '__' for '.' (t2__new__total=5)."""
    for name, value in changes.items():
        key = name.replace("__", ".")
        report.cells[key] = cell(key, value)
    return report


def flags_of(report: Report, check_id: str, config: Optional[dict] = None) -> list[Flag]:
    return run_checks(report, {"checks": [check_id], **(config or {})})


@dataclass
class Case:
    """One example for a check: `fail` must raise a flag like the one described, `pass` none."""

    check: str
    outcome: str  # fail | pass
    build: Callable[[], Report]
    name: str = ""
    severity: Optional[str] = None  # for fail: the flag's severity (default: the catalog's)
    cells: tuple[str, ...] = ()  # for fail: keys the flag must include
    quote: Optional[str] = None  # for fail: text the quote must contain
    config: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.check}-{self.outcome}-{self.name}"


def verify(case: Case) -> None:
    found = flags_of(case.build(), case.check, case.config)
    if case.outcome == "pass":
        assert not found, [f.message for f in found]
        return
    severity = case.severity or load_catalog().checks[case.check].severity
    matching = [f for f in found if f.severity == severity
                and set(case.cells) <= {c.key for c in f.cells}
                and (case.quote is None or case.quote in (f.quote or ""))]
    assert matching, [(f.severity, f.message, [c.key for c in f.cells], f.quote) for f in found]
    for f in matching:
        assert f.message.startswith(case.check + " ")
