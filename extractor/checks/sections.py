"""S01–S08: the six sections, their numbering and what some of them must say."""
from __future__ import annotations

import re

from ..narrative import normalize
from ..report import SECTION_KEYS
from ..sections.rules import numbering_defects
from .dates import period, report_year
from .engine import Context, check



@check("S01")
def six_sections(ctx: Context):
    found = [s.key for s in ctx.report.sections if s.key in SECTION_KEYS]
    if not found:
        yield ctx.flag("none", severity="info")
        return
    headings = ctx.catalog.labels["sections"]
    for key in SECTION_KEYS:
        if key not in found:
            yield ctx.flag(heading=headings[key])
    present = [k for k in SECTION_KEYS if k in found]
    if found != present:
        yield ctx.flag("order", severity="warning", found=" → ".join(headings[k] for k in found))


@check("S02")
def numbering(ctx: Context):
    for d in numbering_defects(ctx.report.sections, ctx.report.paragraphs):
        yield ctx.flag(page=d.page, quote=d.heading, detail=d.message)


@check("S03")
def fee_reported(ctx: Context):
    text = normalize(ctx.report.section_text("other"))
    if text and not re.search(ctx.params["pattern"], text):
        yield ctx.flag(quote=text[:80], text=text[:40])


@check("S04")
def problems(ctx: Context):
    if not any(s.key == "problems" for s in ctx.report.sections):
        return  # S01 reports a missing section
    text = normalize(ctx.report.section_text("problems"))
    reasons = []
    if len(text) < ctx.params["min_chars"]:
        reasons.append(f"仅{len(text)}字")
    if not re.search(ctx.params["problem"], text):
        reasons.append("未写明存在的问题")
    if not re.search(ctx.params["improvement"], text):
        reasons.append("未写明改进措施")
    if reasons:
        yield ctx.flag(quote=text[:80] or None, reason="，".join(reasons))


@check("S05")
def boilerplate(ctx: Context):
    ss = [s for s in ctx.sentences() if s.section == "problems"]
    if len(ss) < 3:
        return  # too little text to call it boilerplate; S04 judges short sections
    specific = re.compile(ctx.params["specific"])
    generic = sum(1 for s in ss if not specific.search(s.text))
    if generic / len(ss) >= ctx.params["threshold"]:
        yield ctx.flag(page=ss[0].page, share=round(100 * generic / len(ss)))


@check("S06")
def government_accountability(ctx: Context):
    name = normalize(ctx.report.title or ctx.report.issuer or "")
    if not re.search(ctx.params["government"], name) or re.search(ctx.params["not_government"], name):
        return
    if not any(s.key == "overview" for s in ctx.report.sections):
        return
    text = normalize(ctx.report.section_text("overview"))
    missing = [term for term, pattern in ctx.params["terms"].items() if not re.search(pattern, text)]
    if missing:
        yield ctx.flag(missing="、".join(missing))


@check("S07")
def period_stated(ctx: Context):
    if period(ctx) is None:
        yield ctx.flag()


@check("S08")
def extra_items(ctx: Context):
    y = report_year(ctx)
    text = normalize(ctx.report.section_text("other"))
    if not (y and y >= 2021 and text):
        return
    missing = [item for item, pattern in ctx.params["items"].items() if not re.search(pattern, text)]
    if missing:
        yield ctx.flag(missing="、".join(missing))
