"""Builders shared by tests/test_checks_*.py (this module holds no tests).

Reports are built in code: cells from gold files (read in place, never copied), paragraphs from
sentences the documents print. The project's own samples (corpus/sample-*.json) and reports that
corpus/samplegen.py writes at test time are always there; the real reports of ../shared/corpus are
reached only through `gold_file` and `shared_path`, which skip the test (fail it when CI=true)
when ../shared is absent. Each check module lists its examples as `CASES`;
tests/test_checks_catalog.py makes sure every catalog id has a failing and a passing one that
builds from the repository alone.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from conftest import CORPUS, ROOT, need_shared
from extractor.checks import load_catalog, run_checks
from extractor.report import CellValue, Flag, Paragraph, Report, Section

sys.path.insert(0, str(ROOT / "corpus"))
import make_samples  # noqa: E402
import samplegen  # noqa: E402

SAMPLES = ROOT / "corpus"
HEADINGS = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def gold_file(stem: str) -> Path:
    """A project sample's gold (corpus/<stem>.json), else a gold or synthetic file of ../shared."""
    sample = SAMPLES / f"{stem}.json"
    if sample.exists():
        return sample
    for folder in ("gold", "synthetic"):
        path = CORPUS / folder / f"{stem}.json"
        if path.exists():
            return path
    need_shared(f"gold {stem}")
    raise FileNotFoundError(f"no gold file {stem}.json in {SAMPLES} or under {CORPUS}")


def shared_path(relative: str) -> Path:
    """A file of ../shared/corpus (e.g. "real/huaian-hongze-2023.pdf"); skips the test without it."""
    path = CORPUS / relative
    if not path.exists():
        need_shared(relative)
        raise FileNotFoundError(path)
    return path


def load_gold(stem: str) -> dict:
    return json.loads(gold_file(stem).read_text(encoding="utf-8"))


def sample_stems() -> list[str]:
    return sorted(p.stem for p in SAMPLES.glob("sample-*.json"))


def gold_stems() -> list[str]:
    """Every stem gold_file finds: the project's samples, then ../shared's (none without it)."""
    shared = sorted(p.stem for folder in ("gold", "synthetic") for p in (CORPUS / folder).glob("*.json"))
    return sample_stems() + shared


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


def _printed_text(blocks) -> tuple:
    """(section, text) of samplegen's paragraphs in document order: the preamble before the first
    heading, the signature lines in 六; headings and tables left out (from_gold keeps no headings)."""
    section, out = "preamble", []
    for b in blocks:
        if b.kind == "heading":
            section = b.key
        elif b.kind in ("para", "sign"):
            out.append((section, b.text))
    return tuple(out)


def sample_spec(number: int) -> dict:
    """The spec corpus/make_samples.py wrote sample number 1–6 from."""
    (spec,) = [s for s in make_samples.SAMPLES if s["stem"].startswith(f"sample-{number:02d}-")]
    return spec


def sample(number: int, *paragraphs, text: bool = False, **meta) -> Report:
    """The project's sample number 1–6 (corpus/sample-0N-*.json, see corpus/README.md): its gold
    cells and metadata, then (text=True) the title and every paragraph the document prints, as
    samplegen wrote them, then the (section, text) paragraphs given."""
    (stem,) = [s for s in sample_stems() if s.startswith(f"sample-{number:02d}-")]
    if text:
        blocks = samplegen.build(sample_spec(number))[1]
        paragraphs = _printed_text(blocks) + paragraphs
        meta.setdefault("title", blocks[0].text)
        meta.setdefault("published_text", blocks[-1].text)  # the date under the signature
    return from_gold(stem, paragraphs, **meta)


def from_spec(spec: dict, *paragraphs, **meta) -> Report:
    """A report corpus/samplegen.py writes for `spec`, built as `sample(..., text=True)` builds one:
    the generated gold's cells and metadata, the generated title and paragraphs, then the
    (section, text) paragraphs given."""
    _, blocks, g = samplegen.build(spec)
    fields = dict(issuer=g["issuer"], report_year=g["report_year"], template=g["template"],
                  published=g["published"], title=blocks[0].text, published_text=blocks[-1].text)
    fields.update(meta)
    r = make_report(g["cells"], _printed_text(blocks) + paragraphs, sections=[s["key"] for s in g["sections"]],
                    **fields)
    r.document = g["document"]
    for s, gs in zip(r.sections, g["sections"]):
        s.heading, s.starts_with = gs["heading"], gs["starts_with"]
    return r


def spec_gold(spec: dict) -> dict:
    """The gold samplegen writes for `spec` (its expected_flags name the planted defects)."""
    return samplegen.build(spec)[2]


def single_other_row(report: Report) -> Report:
    """Print （六）其他处理 as one row, as 洪泽 2023/2024 do (a v2021 table with the v2019 row):
    t2.other.<col> = the sum of the three v2021 sub-rows, which are removed."""
    subs = [k for k in report.cells if k.startswith("t2.other.") and k.count(".") == 3]
    for col in load_catalog().sets["t2_cols"]:
        total = sum(report.cells[k].number for k in subs if k.endswith("." + col))
        report.cells[f"t2.other.{col}"] = cell(f"t2.other.{col}", total)
    for k in subs:
        del report.cells[k]
    return report


def with_subtotals(report: Report) -> Report:
    """Add the 小计 rows some reports print under （三）–（六）, and a 法人或其他组织小计 column,
    each the sum of what it covers (T2-04 holds)."""
    sets = load_catalog().sets
    groups = {"deny": sets["deny"], "unable": sets["unable"], "reject": sets["reject"]}
    if any(k.startswith("t2.other.no_correction.") for k in report.cells):
        groups["other"] = sets["other_sub"]
    for group, rows in groups.items():
        for col in sets["t2_cols"]:
            key = f"t2.{group}._subtotal.{col}"
            report.cells[key] = cell(key, sum(report.num(f"t2.{r}.{col}") for r in rows))
    for row in {k.rsplit(".", 1)[0] for k in report.cells if k.startswith("t2.") and k.endswith(".total")}:
        key = f"{row}.legal_subtotal"
        report.cells[key] = cell(key, sum(report.num(f"{row}.{c}") for c in sets["legal"]))
    return report


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


def verify(case: Case, report: Optional[Report] = None) -> None:
    """Run the case's check on its report (built here unless given) and judge the outcome."""
    found = flags_of(case.build() if report is None else report, case.check, case.config)
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
