"""Report: what extraction knows about one annual report, independent of its file format.

`xxgk show --json` prints `Report.to_json()`, which is the gold format of
../shared/spec/gold-format.md plus `flags`. Checks read only a Report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from .document import BBox
from .template.normalize import malformed_number

Value = Union[int, float, str, None]

TABLE_NAMES = {"t1": "表二", "t2": "表三", "t3": "表四"}  # as the template numbers them
SECTION_KEYS = ("overview", "active", "requests", "review_litigation", "problems", "other")
# What a paragraph can belong to: the title and preamble before 一, then the six sections.
SECTION_LABELS = ("preamble",) + SECTION_KEYS


@dataclass
class CellValue:
    key: str  # e.g. "t2.new.natural_person" (spec A.1 / A.2)
    value: Value  # as printed: number, None for an empty cell, else the printed string
    raw: str  # the cell text exactly as extracted
    row_label: str = ""
    col_label: str = ""
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    confidence: Optional[float] = None  # OCR only

    @property
    def table(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def was_blank(self) -> bool:
        return self.value is None

    @property
    def where(self) -> str:
        """Where it is printed, in words: 表三“一、本年新收…”行“自然人”列（第2页）."""
        page = f"（第{self.page}页）" if self.page is not None else ""
        return f"{TABLE_NAMES.get(self.table, self.table)}“{self.row_label}”行“{self.col_label}”列{page}"

    @property
    def unsure(self) -> bool:
        """Printed like a number but not a clean one ("1,52", "1.5.2"): extraction cannot say
        what it is, so no check counts it (the engine reports the check as not evaluated)."""
        return malformed_number(self.value)

    @property
    def number(self) -> Union[int, float]:
        """Value for arithmetic: blank counts as 0 (spec C conventions); text that is not a
        number ("/", "—", "无") also counts as 0. Never read for an `unsure` cell."""
        v = self.value
        if isinstance(v, bool) or v is None:
            return 0
        if isinstance(v, (int, float)):
            return v
        return 0


@dataclass
class TemplateInfo:
    """What the template mapping stage (extractor/template/mapping.py) found out about the tables;
    the V checks read it. None: that stage did not run (or found no t2 to compare rows with)."""

    fingerprint: Optional[str] = None  # v2021 | v2019 | hybrid | pre2019_or_custom
    template: Optional[str] = None  # the majority version: v2021 | v2019 | other
    scores: dict[str, int] = field(default_factory=dict)  # version → number of its features seen
    features: dict[str, list[str]] = field(default_factory=dict)  # version → the features seen
    tables_found: Optional[dict[str, bool]] = None  # t1/t2/t3 → a table of that kind was mapped
    missing_rows: list[str] = field(default_factory=list)  # t2 rows the version requires, not printed
    extra_rows: list[str] = field(default_factory=list)  # printed rows the template lacks (小计)
    extra_cols: list[str] = field(default_factory=list)
    misprinted: list[dict] = field(default_factory=list)  # {key, printed, expected}
    # Cells of rows printed but not read cell by cell ({key, row_label, col_label, page}): no
    # value is stored, and no check counts them as 0.
    unread: list[dict] = field(default_factory=list)
    published_source: Optional[str] = None  # signature | date_line | page_date (metadata stage)


@dataclass
class StoredReport:
    """A stored report as cross-report checks see it: its cells and section texts, its issuer."""

    sha: str
    name: str
    year: Optional[int]
    template: Optional[str]
    status: str
    issuer_id: Optional[int]
    issuer_name: Optional[str]
    issuer_kind: Optional[str]
    cells: dict[str, CellValue]
    texts: dict[str, str]  # section key → text (headings left out)
    names: list[str]  # strings masked as the issuer's own name
    printed: Optional[str] = None  # the issuer's name as this report prints it

    @property
    def label(self) -> str:
        return f"{self.year}年《{self.name}》" if self.year else f"《{self.name}》"


@dataclass
class Paragraph:
    index: int  # position among the report's paragraphs, 0-based
    text: str
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    section: str = "preamble"  # one of SECTION_KEYS or "preamble"
    is_heading: bool = False
    method: str = "rule"  # rule | classifier | position
    confidence: float = 1.0
    tokens: str = ""  # jieba-segmented text, space separated, for search


@dataclass
class Section:
    key: str
    heading: str  # as printed, whitespace removed
    page: Optional[int] = None
    starts_with: str = ""
    number: str = ""  # the printed numeral, e.g. "五" (numbering checks read it)

    def to_json(self) -> dict:
        return {"key": self.key, "heading": self.heading, "page": self.page,
                "starts_with": self.starts_with}


@dataclass
class Pair:
    """What a cross-report flag compares: `report` (the later one; same year: the smaller sha256)
    with `other_report`. The flag's own cells are in `report`; `other_cells` are keys in the other."""

    report: str
    other_report: str
    scope: str  # "year" (Y−1 vs Y, same issuer) | "peer" (same year, another issuer)
    report_year: Optional[int] = None
    other_year: Optional[int] = None
    issuer_id: Optional[int] = None
    score: Optional[float] = None  # X04 similarity
    other_cells: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"report": self.report, "other_report": self.other_report, "scope": self.scope,
                "report_year": self.report_year, "other_year": self.other_year, "score": self.score,
                "other_cells": self.other_cells}


@dataclass
class Flag:
    """One finding. Per-report checks leave `pair` None; cross-report checks (X01–X07) set it."""

    check: str
    severity: str  # error | warning | info
    message: str  # Chinese, for the reviewer
    cells: list[CellValue] = field(default_factory=list)
    page: Optional[int] = None
    quote: Optional[str] = None
    pair: Optional[Pair] = None

    def fingerprint(self, sha: str) -> str:
        """Stable across re-runs (reviews are keyed by it): the check, the report and the cells it
        names (or its quote); for a pair, both reports and both sides' cells."""
        import hashlib

        keys = ",".join(sorted(c.key for c in self.cells))
        if self.pair is None:
            basis = [self.check, sha, keys, self.quote or ""]
        else:
            p = self.pair
            basis = [self.check, p.scope, p.report, p.other_report, keys, ",".join(sorted(p.other_cells))]
        return hashlib.sha1("|".join(basis).encode()).hexdigest()[:16]

    def to_json(self) -> dict:
        if self.pair is not None:
            return {"check": self.check, "severity": self.severity, "message": self.message,
                    "cells": [c.key for c in self.cells], **self.pair.to_json(),
                    "fingerprint": self.fingerprint(self.pair.report)}
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "cells": [c.key for c in self.cells],
            "cell_details": [
                {"key": c.key, "row": c.row_label, "column": c.col_label, "value": c.value,
                 "raw": c.raw, "page": c.page}
                for c in self.cells
            ],
            "page": self.page,
            "quote": self.quote,
        }


@dataclass
class Report:
    document: str  # path as given
    sha256: str
    format: str
    issuer: Optional[str] = None
    report_year: Optional[int] = None
    template: Optional[str] = None  # v2021 | v2019 | hybrid | other
    published: Optional[str] = None  # ISO date printed on the report (or the page's date line)
    title: Optional[str] = None
    period: Optional[tuple[str, str]] = None  # statistics period (ISO start, ISO end) as printed
    period_text: Optional[str] = None  # the sentence that states the period
    period_page: Optional[int] = None
    published_text: Optional[str] = None  # the printed date line (or the page's date), quoted by checks
    published_page: Optional[int] = None
    n_pages: Optional[int] = None
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    cells: dict[str, CellValue] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    # Template facts the checks need (version fingerprint, rows/columns found, extra rows...).
    template_info: TemplateInfo = field(default_factory=TemplateInfo)
    status: str = "ok"  # ok | partial | error | unsupported | not_a_report | needs_ocr | ...
    messages: list[str] = field(default_factory=list)  # Chinese, for the user

    def value(self, key: str) -> Value:
        c = self.cells.get(key)
        return c.value if c else None

    def num(self, key: str) -> Union[int, float]:
        c = self.cells.get(key)
        return c.number if c else 0

    def section_text(self, key: str) -> str:
        return "\n".join(p.text for p in self.paragraphs if p.section == key and not p.is_heading)

    def to_json(self) -> dict:
        return {
            "document": self.document,
            "sha256": self.sha256,
            "issuer": self.issuer,
            "report_year": self.report_year,
            "template": self.template,
            "published": self.published,
            "sections": [s.to_json() for s in self.sections],
            "cells": {k: c.value for k, c in self.cells.items()},
            "flags": [f.to_json() for f in self.flags],
            "status": self.status,
            "messages": self.messages,
        }
