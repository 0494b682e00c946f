"""Report: what extraction knows about one annual report, independent of its file format.

`xxgk show --json` prints `Report.to_json()`, which is the gold format of
../shared/spec/gold-format.md plus `flags`. Checks read only a Report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from .document import BBox

Value = Union[int, float, str, None]

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
    def number(self) -> Union[int, float]:
        """Value for arithmetic: blank counts as 0 (spec C conventions); text that is not a
        number ("/", "—", "无") also counts as 0."""
        v = self.value
        if isinstance(v, bool) or v is None:
            return 0
        if isinstance(v, (int, float)):
            return v
        return 0


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
class Flag:
    check: str
    severity: str  # error | warning | info
    message: str  # Chinese, for the reviewer
    cells: list[CellValue] = field(default_factory=list)
    page: Optional[int] = None
    quote: Optional[str] = None

    def to_json(self) -> dict:
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
    template_info: dict = field(default_factory=dict)
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
