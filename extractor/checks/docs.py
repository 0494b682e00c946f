"""Render the check catalog as Markdown: `python -m extractor.checks.docs > docs/checks.md`."""
from __future__ import annotations

from .engine import Catalog, load_catalog

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


def render(catalog: Catalog) -> str:
    lines = [
        "# Checks",
        "",
        "Generated from `rules/checks.toml` by `python -m extractor.checks.docs`; do not edit by hand.",
        "Severity is the highest a check raises; statements with an innocent reading are lowered,",
        "and ambiguous readings become info-level UNCERTAIN notes. Spec: template-and-checks.md §C.",
        "",
        f"{len(catalog.checks)} checks.",
    ]
    for group, title in _GROUPS.items():
        specs = [s for s in catalog.checks.values() if s.group == group]
        lines += ["", f"## {title}", "", "| id | name | severity | versions | what it checks |", "|---|---|---|---|---|"]
        for s in specs:
            cells = (s.id, s.name, s.severity, ", ".join(s.versions), s.doc)
            lines.append("| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(load_catalog()), end="")
