"""The check catalog (rules/checks.toml, spec §C.1–C.8) run over one Report.

    flags = run_checks(report)                       # every check that applies
    run_checks(report, {"groups": ["t2", "t3"]})      # only some catalog groups
    run_checks(report, {"issuer_type": "township", "deadlines": {"township": "02-20"}})

Config keys: groups, checks (ids to run), disable (ids to skip), issuer_type
(department | government | township | other), deadlines (MM-DD per issuer type).
"""
from __future__ import annotations

from typing import Optional

from ..report import Flag, Report
from . import arithmetic, dates, narrative, pairs, sections, template  # noqa: F401  (register the functions)
from .engine import load_catalog, run


def run_checks(report: Report, config: Optional[dict] = None) -> list[Flag]:
    """Run the catalog on `report`, store the flags on it and return them."""
    report.flags = run(report, config)
    return report.flags


__all__ = ["load_catalog", "run_checks"]
