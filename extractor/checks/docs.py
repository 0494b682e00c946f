"""Render the check catalog as Markdown: `python -m extractor.checks.docs > docs/checks.md`.

The summary tables come first (one per group, English one-liners), then one section per check
with the catalog's Chinese `what` / `why` / `example`. tests/test_checks_catalog.py fails when
docs/checks.md is not exactly this output.
"""
from __future__ import annotations

from ..status import Severity
from .engine import Catalog, CheckSpec, load_catalog

_GROUPS = {
    "template": "C.1 Parsing, version, structure",
    "cells": "C.2 Cell level",
    "t2": "C.3 t2 identities (收到和处理申请)",
    "t3": "C.4 t3 identities (复议/诉讼)",
    "t1": "C.5 t1 (主动公开)",
    "narrative": "C.6 Narrative vs table",
    "dates": "C.7 Dates and periods",
    "sections": "C.8 Sections",
    "crossyear": "C.9 Cross-year (two reports of one issuer; `xxgk audit` runs them when a neighbour year is stored)",
}

# Where each group's failing and passing examples live (a list of Case / CrossCase per file).
CASE_FILES = {
    "template": "tests/test_checks_template.py",
    "cells": "tests/test_checks_arithmetic.py",
    "t2": "tests/test_checks_arithmetic.py",
    "t3": "tests/test_checks_arithmetic.py",
    "t1": "tests/test_checks_arithmetic.py",
    "narrative": "tests/test_checks_narrative.py",
    "dates": "tests/test_checks_dates.py",
    "sections": "tests/test_checks_sections.py",
    "crossyear": "tests/test_crossyear_cases.py",
}


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def _versions(spec: CheckSpec) -> str:
    return "所有版本（all）" if "all" in spec.versions else "、".join(spec.versions)


def _implementation(spec: CheckSpec) -> str:
    if spec.function:
        return f"函数 `extractor/checks/{spec.function.split('.')[0]}.py` 的 `{spec.function.split('.', 1)[1]}`"
    return f"公式（`rules/checks.toml` 中的 {len(spec.instances)} 个展开实例）"


def _section(spec: CheckSpec) -> list[str]:
    severity = Severity(spec.severity)
    return [
        "",
        f"### {spec.id} — {spec.name}",
        "",
        f"级别：{severity.label}（{severity.value}） · 适用版本：{_versions(spec)} · 实现：{_implementation(spec)}"
        f" · 用例：`{CASE_FILES[spec.group]}`",
        "",
        f"**检查内容**：{spec.what}",
        "",
        f"**为何重要**：{spec.why}",
        "",
        f"**示例**：{spec.example}",
    ]


def render(catalog: Catalog) -> str:
    unknown = {s.group for s in catalog.checks.values()} - set(_GROUPS)
    if unknown:
        raise ValueError(f"checks in groups docs.py does not know: {sorted(unknown)}")
    lines = [
        "# Checks",
        "",
        "Generated from `rules/checks.toml` by `python -m extractor.checks.docs`; do not edit by hand.",
        "Severity is the highest a check raises; statements with an innocent reading are lowered,",
        "and ambiguous readings become info-level UNCERTAIN notes. A check that needs a cell extraction",
        "could not read as a number, or a cell of a row it saw but could not read cell by cell, is not",
        "evaluated: it leaves an info note (无法核对), never a finding.",
        "Spec: template-and-checks.md §C.",
        "How to add a check: [extending.md](extending.md).",
        "",
        f"{len(catalog.checks)} checks.",
    ]
    for group, title in _GROUPS.items():
        specs = [s for s in catalog.checks.values() if s.group == group]
        lines += ["", f"## {title}", "", "| id | name | severity | versions | what it checks |", "|---|---|---|---|---|"]
        for s in specs:
            cells = (s.id, s.name, s.severity, ", ".join(s.versions), s.doc)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## 各项检查说明", "",
              "每项：检查内容（比较哪些单元格、哪些说法），为何重要（对审核人意味着什么，以及特意不报的情形），",
              "一个会被报出的例子（报告中的写法 → 报出的消息）。"]
    for group in _GROUPS:
        for s in catalog.checks.values():
            if s.group == group:
                lines += _section(s)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(load_catalog()), end="")
