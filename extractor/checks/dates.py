"""D01–D06: the report year, the statistics period, the publication date and its deadline."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Optional

from ..narrative import normalize
from ..report import Report
from ..template.metadata import RANGE, range_dates
from .engine import Context, check

_PERIOD_CUE = re.compile(r"统计(?:期限|时限|期间|区间|时间|周期)|数据统计")
_YEAR = re.compile(r"(\d{4})年")
ISSUER_TYPES = ("department", "government", "township", "other")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    text: str
    page: Optional[int]


def _parse_period(text: str, page: Optional[int]) -> Optional[Period]:
    m = RANGE.search(normalize(text))
    dates = range_dates(m) if m else None
    return Period(dates[0], dates[1], text, page) if dates else None


def period(ctx: Context) -> Optional[Period]:
    """The printed statistics period: the Report's own fields, else the 统计期限 sentence."""
    return ctx.shared("period", lambda: _find_period(ctx))


def _find_period(ctx: Context) -> Optional[Period]:
    report = ctx.report
    if report.period:
        start, end = (date.fromisoformat(x) for x in report.period)
        return Period(start, end, report.period_text or "", report.period_page)
    if report.period_text:
        return _parse_period(report.period_text, None)
    for s in ctx.sentences():
        if _PERIOD_CUE.search(s.text):
            found = _parse_period(s.text, s.page)
            if found:
                return found
    return None


def title_year(report: Report) -> Optional[int]:
    m = _YEAR.search(normalize(report.title or ""))
    return int(m.group(1)) if m else report.report_year


def report_year(ctx: Context) -> Optional[int]:
    if ctx.report.report_year:
        return ctx.report.report_year
    p = period(ctx)
    return title_year(ctx.report) or (p.start.year if p else None)


def issuer_type(ctx: Context) -> str:
    """department | government | township | other; config["issuer_type"] overrides."""
    forced = ctx.config.get("issuer_type")
    if forced is not None:
        if forced not in ISSUER_TYPES:
            raise ValueError(f"issuer_type must be one of {ISSUER_TYPES}, not {forced!r}")
        return forced
    # the issuer registry's reading of the name (extractor/issuers.py, aliases applied): one rule
    from ..issuers import identify

    ident = identify(ctx.report.issuer)
    return ident.issuer_type if ident else "other"


@check("D01")
def title_period_year(ctx: Context):
    p, ty = period(ctx), title_year(ctx.report)
    if p and ty and p.start.year != ty:
        yield ctx.flag(quote=normalize(p.text) or None, page=p.page, title_year=ty, period_year=p.start.year)


@check("D02")
def full_year(ctx: Context):
    p = period(ctx)
    if p and not (p.start == date(p.start.year, 1, 1) and p.end == date(p.start.year, 12, 31)):
        yield ctx.flag(quote=normalize(p.text) or None, page=p.page,
                       start=f"{p.start.year}年{p.start.month}月{p.start.day}日",
                       end=f"{p.end.year}年{p.end.month}月{p.end.day}日")


def _published_evidence(report: Report) -> dict:
    """Quote and page of the printed date the published date was read from."""
    return {"quote": report.published_text, "page": report.published_page}


def _year_and_published(ctx: Context) -> tuple[Optional[int], Optional[date]]:
    """The report year and the published date, or (year, None) when either is unknown."""
    y = report_year(ctx)
    if not (ctx.report.published and y):
        return y, None
    return y, date.fromisoformat(ctx.report.published)


@check("D03")
def published_after_period(ctx: Context):
    y, published = _year_and_published(ctx)
    if published is None:
        return
    if published < date(y + 1, 1, 1):
        yield ctx.flag(year=y, published=published.isoformat(), **_published_evidence(ctx.report))
    elif published >= date(y + 2, 1, 1):
        yield ctx.flag("late", severity="warning", year=y, published=published.isoformat(),
                       **_published_evidence(ctx.report))


@check("D04")
def deadline(ctx: Context):
    y, published = _year_and_published(ctx)
    if published is None:
        return
    kind = issuer_type(ctx)
    statutory = ctx.params["deadlines"]
    rules = {**statutory, **ctx.config.get("deadlines", {})}
    label = ctx.params["labels"][kind]

    def on(mm_dd: str) -> date:
        month, day = mm_dd.split("-")
        return date(y + 1, int(month), int(day))

    if rules.get(kind):
        due = on(rules[kind])
        if published > due:
            yield ctx.flag(issuer_type=label, year=y, deadline=due.isoformat(), published=published.isoformat(),
                           **_published_evidence(ctx.report))
    else:
        earliest = min(on(v) for v in statutory.values())
        if published > earliest:
            yield ctx.flag("unknown", severity="info", issuer_type=label, deadline=earliest.isoformat(),
                           published=published.isoformat())


@check("D05")
def stale_years(ctx: Context):
    y = report_year(ctx)
    if not y:
        return
    prev = re.compile(rf"^{y - 1}年[，,]")
    future = re.compile(rf"{y}年[^。；]{{0,12}}?(?:{ctx.params['future']})")
    stale = [s for s in ctx.sentences() if s.section in ("overview", "problems", "other")
             and (prev.search(s.text) or future.search(s.text))]
    if len(stale) > ctx.params["threshold"]:
        yield ctx.flag(quote=stale[0].text, page=stale[0].page, count=len(stale), prev=y - 1, year=y,
                       example=stale[0].text[:40])


@check("D06")
def fee_window(ctx: Context):
    y = report_year(ctx)
    text = normalize(ctx.report.section_text("other"))
    if y and y >= 2021 and text and "信息处理费" not in text:
        yield ctx.flag()
