"""Cell-level and table checks that are not a plain identity (the identities — N02, T2-01…T2-04,
T2-06, T3-*, T1-* — are formulas in rules/checks.toml, evaluated by the engine)."""
from __future__ import annotations

import re

from ..narrative import normalize
from .dates import issuer_type
from .engine import Context, check

_TABLES = {"t2": "三、收到和处理政府信息公开申请情况", "t3": "四、政府信息公开行政复议、行政诉讼情况"}


def _label(cell) -> str:
    labels = "·".join(x for x in (cell.row_label, cell.col_label) if x)
    return f"{labels}（{cell.key}）" if labels else cell.key


@check("N01")
def integer_cells(ctx: Context):
    decimal = set(ctx.params["decimal"])
    signed = re.compile(ctx.params["signed"])
    for key, cell in ctx.report.cells.items():
        v = cell.value
        if v is None or key[:3] not in ("t1.", "t2.", "t3."):
            continue
        if isinstance(v, str):
            # "/", "—", "无" are the template's ways of printing zero; digits in a count cell are
            # not. Amounts may print their unit ("251000元"): N04 judges the 万元 one.
            if key not in decimal and re.search(r"\d", v):
                yield ctx.flag("text", severity="info", cells=[cell], label=_label(cell), raw=v)
            continue
        integral = float(v).is_integer()
        if key in decimal:
            variant, bad = "decimal", v < 0
        elif signed.search(key):
            variant, bad = "signed", not integral
        else:
            variant, bad = None, v < 0 or not integral
        if bad:
            yield ctx.flag(variant, cells=[cell], label=_label(cell), raw=cell.raw or v)


@check("N03")
def blank_table(ctx: Context):
    for table, heading in _TABLES.items():
        cells = [c for k, c in ctx.report.cells.items() if k.startswith(table + ".")]
        if cells and all(c.was_blank for c in cells):
            yield ctx.flag(cells=cells[:1], table=heading)


@check("N04")
def fee_unit(ctx: Context):
    cell = ctx.report.cells.get("t1.admin_fees.amount_wan")
    if cell is None or cell.value is None:
        return
    raw = normalize(cell.raw or str(cell.value))
    decimals = re.search(r"\.(\d+)", raw)
    reasons = []
    if decimals and len(decimals.group(1)) > 4:
        reasons.append("小数超过4位")
    if "元" in raw and "万元" not in raw:
        reasons.append("单元格写有“元”，而本栏单位为万元")
    county = re.search(r"县|(?<!自治)区|旗", ctx.report.issuer or "")
    if county and issuer_type(ctx) == "department" and cell.number >= 10_000:
        reasons.append("县级部门收费达1亿元以上，可能按元填写")
    if reasons:
        yield ctx.flag(cells=[cell], raw=cell.raw or cell.value, reason="；".join(reasons))


@check("T2-05")
def unpaid_fee_reported(ctx: Context):
    cell = ctx.report.cells.get("t2.other.unpaid_fee.total")
    if cell is None or cell.number <= 0:
        return
    text = normalize(ctx.report.section_text("other"))
    if not text:
        return  # section 六 missing or empty: S01 reports that
    if not re.search(ctx.params["pattern"], text):
        yield ctx.flag(cells=[cell], value=cell.value)
