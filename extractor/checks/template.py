"""V01–V05: the template version and structure, read from report.template_info (filled by the
template mapping stage: fingerprint, scores, features, tables_found, missing_rows, misprinted,
extra_rows, extra_cols)."""
from __future__ import annotations

import re

from ..cellwords import part_words
from .engine import Context, check

_TABLE_SECTIONS = {"t1": "active", "t2": "requests", "t3": "review_litigation"}


def _row_label(ctx: Context, key: str) -> str:
    """'t2.other.no_correction' → its template label; other keys as they are."""
    row = key.split(".", 1)[1] if key.startswith("t2.") else key
    return ctx.catalog.labels["t2_rows"].get(row, key)


def _row_cell(ctx: Context, row_key: str):
    """The cell that stands for a printed row: its 总计, else its first cell."""
    cells = ctx.report.cells
    if f"{row_key}.total" in cells:
        return cells[f"{row_key}.total"]
    return next((c for k, c in cells.items() if k.startswith(row_key + ".")), None)


@check("V01")
def version(ctx: Context):
    info = ctx.report.template_info
    if info.fingerprint:
        yield ctx.flag(fingerprint=info.fingerprint, v2021=info.scores.get("v2021", 0),
                       v2019=info.scores.get("v2019", 0))


@check("V02")
def version_year(ctx: Context):
    info, year = ctx.report.template_info, ctx.report.report_year
    fingerprint = info.fingerprint or ctx.report.template
    if fingerprint == "hybrid":
        major = ctx.report.template
        minority = "v2019" if major == "v2021" else "v2021"
        evidence = re.compile(ctx.params[f"{minority}_only"])
        cells = [c for k, c in ctx.report.cells.items() if evidence.search(k)]
        features = "、".join(info.features.get(minority, [])) or "—"
        yield ctx.flag("hybrid", severity="warning", cells=cells, template=major, minority=minority,
                       features=features)
    elif year and year >= 2021 and fingerprint == "v2019":
        evidence = re.compile(ctx.params["v2019_only"])
        yield ctx.flag(cells=[c for k, c in ctx.report.cells.items() if evidence.search(k)], year=year)
    elif year and year <= 2020 and fingerprint == "v2021":
        evidence = re.compile(ctx.params["v2021_only"])
        yield ctx.flag("anachronism", severity="warning",
                       cells=[c for k, c in ctx.report.cells.items() if evidence.search(k)], year=year)


@check("V03")
def table_missing(ctx: Context):
    info = ctx.report.template_info
    if info.tables_found is None:
        return  # the mapping stage did not run: nothing to judge
    present = {s.key: s for s in ctx.report.sections}
    headings = ctx.catalog.labels["sections"]
    for table, section in _TABLE_SECTIONS.items():
        if section not in present or info.tables_found.get(table, False):
            continue
        if any(c.table == table for c in ctx.report.cells.values()):
            continue  # cells were mapped, so the table exists
        page = present[section].page
        if ctx.report.status != "ok":
            # a table the reader saw but could not read (an image without OCR, cells it could not
            # place): the report is partial and the document may be fine
            yield ctx.flag("unreadable", severity="info", page=page, heading=headings[section], table=table)
        else:
            yield ctx.flag(page=page, heading=headings[section], table=table)


@check("V04")
def rows_missing(ctx: Context):
    info = ctx.report.template_info
    if info.fingerprint == "pre2019_or_custom":
        return  # no template to compare with
    details, cells = [], []
    missing = info.missing_rows
    if missing:
        details.append("缺少行 " + "、".join(_row_label(ctx, k) for k in missing))
        # a v2021 sub-row replaced by its printed v2019 parent row (t2.other): show the parent
        parents = (ctx.report.cells.get(k.rsplit(".", 1)[0] + ".total") for k in missing)
        cells.extend(c for c in parents if c)
    for m in info.misprinted:
        details.append(f"行名印为“{m['printed']}”，模板为“{m['expected']}”")
        cell = _row_cell(ctx, m["key"])
        if cell:
            cells.append(cell)
    if details:
        version = ctx.report.template or info.fingerprint or ""
        yield ctx.flag(cells=list({id(c): c for c in cells}.values()), version=version, details="；".join(details))


@check("V05")
def additions(ctx: Context):
    info = ctx.report.template_info
    extras = info.extra_rows + info.extra_cols
    if extras:
        cells = [c for c in (_row_cell(ctx, k) for k in info.extra_rows) if c]
        # in words (表三 不予公开小计), never the internal keys: the message is for reviewers
        yield ctx.flag(cells=cells, extras="、".join(part_words(k) for k in extras))
