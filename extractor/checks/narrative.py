"""R01–R14: what the prose states against what the tables print.

A statement is compared with every table value it may mean (收到 may include 上年结转, a blank
总计 is compared through its row), and is only wrong if it matches none of them. Where the prose
itself is unsure — the same figure stated differently elsewhere, a denial with an unexplained
qualifier — the finding is an info-level UNCERTAIN note, never an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator, Union

from ..narrative import Claim, ClaimPattern, Negation, Sentence, clauses, find_claims, negations
from ..report import Flag
from .engine import Context, check, format_number, lower

Number = Union[int, float]


@dataclass(frozen=True)
class Prose:
    sentences: list[Sentence]
    claims: list[Claim]
    negations: list[Negation]


def _prose(ctx: Context) -> Prose:
    return ctx.shared("prose", lambda: _read(ctx))


def _read(ctx: Context) -> Prose:
    vocab = ctx.catalog.narrative
    patterns = [ClaimPattern(re.compile(c["pattern"]), tuple(c["kinds"]), c.get("money", False),
                             re.compile(c["after"]) if "after" in c else None)
                for c in vocab["claims"].values()]
    gap, cue = re.compile(vocab["gap"]), re.compile(vocab["negation"])
    cue_after, contrast = re.compile(vocab["negation_after"]), re.compile(vocab["contrast"])
    ss = ctx.sentences()
    found, denied = [], []
    for s in ss:
        for c in clauses(s):
            found.extend(find_claims(c, patterns, gap))
            denied.extend(negations(c, cue, cue_after, contrast))
    return Prose(ss, found, denied)


# ----------------------------------------------------------------------------- table values

def _row(ctx: Context, table: str, row: str, parts: list[str]) -> set[Number]:
    """What a row may be said to hold: its printed total (unless blank) and the sum of its parts."""
    cells = ctx.report.cells
    out = set()
    total = cells.get(f"{table}.{row}.total")
    if total is not None and not total.was_blank:
        out.add(total.number)
    present = [cells[k] for k in (f"{table}.{row}.{p}" for p in parts) if k in cells]
    if present:
        out.add(sum(c.number for c in present))
    return out


def _t2(ctx: Context, row: str) -> set[Number]:
    return _row(ctx, "t2", row, ctx.catalog.sets["applicant"])


def _t3(ctx: Context, group: str) -> set[Number]:
    return _row(ctx, "t3", group, ctx.catalog.sets["t3_parts"])


def _plus(a: set[Number], b: set[Number]) -> set[Number]:
    return {x + y for x in a for y in b} if a and b else set()


def _t1(ctx: Context, row: str, cols: tuple[str, ...]) -> set[Number]:
    cells = ctx.report.cells
    return {cells[k].number for k in (f"t1.{row}.{c}" for c in cols)
            if k in cells and not cells[k].was_blank and not isinstance(cells[k].value, str)}


_T1_DOC_COLS = ("made", "new_made", "new_published")  # v2021 本年制发; v2019 本年新制作/新公开
_LIT = ["t3.lit_direct.total", "t3.lit_after_review.total"]
# kind → (the table values a stated number of that kind may equal, the cells that show them)
_EXPECTED: dict[str, Callable[[Context], tuple[set[Number], list[str]]]] = {
    "received": lambda ctx: (_t2(ctx, "new") | _plus(_t2(ctx, "new"), _t2(ctx, "carried_over")),
                             ["t2.new.total", "t2.carried_over.total"]),
    "processed": lambda ctx: (_t2(ctx, "total_processed"), ["t2.total_processed.total"]),
    "carried_forward": lambda ctx: (_t2(ctx, "carry_forward"), ["t2.carry_forward.total"]),
    "review": lambda ctx: (_t3(ctx, "review"), ["t3.review.total"]),
    "litigation": lambda ctx: (_plus(_t3(ctx, "lit_direct"), _t3(ctx, "lit_after_review")), _LIT),
    "open": lambda ctx: (_t2(ctx, "open"), ["t2.open.total"]),
    "open_partial": lambda ctx: (_plus(_t2(ctx, "open"), _t2(ctx, "partial")), ["t2.open.total", "t2.partial.total"]),
    "regulations": lambda ctx: (_t1(ctx, "regulations", _T1_DOC_COLS),
                                [f"t1.regulations.{c}" for c in _T1_DOC_COLS]),
    "normative_docs": lambda ctx: (_t1(ctx, "normative_docs", _T1_DOC_COLS),
                                   [f"t1.normative_docs.{c}" for c in _T1_DOC_COLS]),
    "licensing": lambda ctx: (_t1(ctx, "licensing", ("decisions",)), ["t1.licensing.decisions"]),
    "penalty": lambda ctx: (_t1(ctx, "penalty", ("decisions",)), ["t1.penalty.decisions"]),
    "coercion": lambda ctx: (_t1(ctx, "coercion", ("decisions",)), ["t1.coercion.decisions"]),
}


def _count(values: set[Number]) -> Number:
    """A count that every reading agrees is above zero (0 when any reading says 0)."""
    return min(values) if values else 0


def _total(ctx: Context, table: str, row: str, count: Number) -> Number:
    """What a message says the row's 总计 is: the printed total; the count where it is blank.
    (`count` decides whether there is a contradiction; a total that disagrees with its parts,
    or a corrected one, is still quoted as printed or corrected.)"""
    cell = ctx.report.cells.get(f"{table}.{row}.total")
    return cell.number if cell is not None and not cell.was_blank else count


# ----------------------------------------------------------------------------- stated counts

def _scope_note(ctx: Context, text: str) -> str:
    m = re.search(ctx.catalog.narrative["scope"], text)
    return ctx.catalog.narrative["scoped_note"].format(scope=text) if m else ""


def _judge(ctx: Context, kinds: tuple[str, ...]) -> Iterator[Flag]:
    """Flags for the stated counts whose first reading belongs to this check."""
    prose, labels = _prose(ctx), ctx.catalog.labels["kinds"]
    seen = set()
    for claim in prose.claims:
        if claim.kinds[0] not in kinds:
            continue
        readings = {k: _EXPECTED[k](ctx) for k in claim.kinds}
        readings = {k: v for k, v in readings.items() if v[0]}
        if not readings or any(claim.value in values for values, _ in readings.values()):
            continue
        s = claim.clause.sentence
        if (s.text, claim.value) in seen:
            continue
        seen.add((s.text, claim.value))
        unit = claim.number.unit
        fields = dict(
            keyword=claim.keyword, stated=format_number(claim.value), unit=unit, what=labels[claim.kinds[0]],
            table="，".join(f"{labels[k]}为{'或'.join(format_number(v) for v in sorted(vals))}{unit}"
                           for k, (vals, _) in readings.items()))
        cells = ctx.cells(*(key for _, keys in readings.values() for key in keys))
        stated = sorted({c.value for c in prose.claims if c.kinds[0] == claim.kinds[0]})
        if len(stated) > 1:
            yield ctx.flag("uncertain", uncertain=True, cells=cells, quote=s.text, page=s.page,
                           all_values="、".join(format_number(v) for v in stated), **fields)
        elif claim.kinds[0] in ("review", "litigation") and not _about_disclosure(ctx, s):
            yield ctx.flag("context", uncertain=True, cells=cells, quote=s.text, page=s.page, **fields)
        else:
            note = _scope_note(ctx, claim.prefix)
            severity = lower(ctx.spec.severity) if note else ctx.spec.severity
            yield ctx.flag(severity=severity, cells=cells, quote=s.text, page=s.page, note=note, **fields)


def _about_disclosure(ctx: Context, s: Sentence) -> bool:
    """A 人民政府 also decides 行政复议 on other matters: count only cases tied to 信息公开."""
    return s.section == "review_litigation" or bool(re.search(ctx.params["context"], s.text))


@check("R01")
def stated_received(ctx: Context):
    yield from _judge(ctx, ("received",))


@check("R02")
def stated_processed(ctx: Context):
    yield from _judge(ctx, ("processed",))


@check("R03")
def stated_carried_forward(ctx: Context):
    yield from _judge(ctx, ("carried_forward",))


@check("R09")
def stated_cases(ctx: Context):
    yield from _judge(ctx, ("review", "litigation"))


@check("R12")
def stated_open(ctx: Context):
    yield from _judge(ctx, ("open", "open_partial"))
    ratio, tolerance = re.compile(ctx.params["ratio"]), ctx.params["tolerance"]
    # the base of a share may be the processed total, the new total or new + carried over
    bases = sorted({v for k in ("processed", "received") for v in _EXPECTED[k](ctx)[0] if v > 0})
    for claim in _prose(ctx).claims:
        if claim.kinds[0] not in ("open", "open_partial"):
            continue
        s = claim.clause.sentence
        m = ratio.match(s.text[claim.clause.start + claim.number.end:])
        if not m or not bases:
            continue
        percent = float(m.group(1))
        computed = [100 * claim.value / b for b in bases]
        if all(abs(c - percent) > tolerance for c in computed):
            yield ctx.flag("ratio", cells=ctx.cells("t2.total_processed.total", "t2.new.total"), quote=s.text,
                           page=s.page, stated=format_number(claim.value), percent=m.group(1),
                           bases="、".join(format_number(b) for b in bases),
                           computed="、".join(f"{c:.2f}%" for c in computed))


@check("R13")
def stated_documents(ctx: Context):
    yield from _judge(ctx, ("regulations", "normative_docs"))


@check("R14")
def stated_decisions(ctx: Context):
    yield from _judge(ctx, ("licensing", "penalty", "coercion"))


@check("R10")
def fee_amount(ctx: Context):
    cell = ctx.report.cells.get("t1.admin_fees.amount_wan")
    if cell is None or cell.was_blank or isinstance(cell.value, str):
        return
    cue = re.compile(ctx.catalog.narrative["negation"])
    for claim in _prose(ctx).claims:
        if claim.kinds[0] != "fee" or cue.search(claim.prefix):
            continue
        yuan = claim.value * (10_000 if claim.number.unit == "万元" else 1)
        if yuan > 0 and cell.number < yuan / 10_000 - 0.5:
            s = claim.clause.sentence
            yield ctx.flag(cells=[cell], quote=s.text, page=s.page,
                           stated=f"{format_number(claim.value)}{claim.number.unit}", table=format_number(cell.number))


# ----------------------------------------------------------------------------- denials

def _applicant_scope(ctx: Context, text: str) -> tuple[list[str], str]:
    """Columns a denial is limited to (未收到法人申请 → the five organisation columns)."""
    cols, words = [], []
    legal = ctx.catalog.sets["legal"]
    for name, pattern in ctx.catalog.narrative["applicants"].items():
        m = re.search(pattern, text)
        if m:
            words.append(m.group())
            cols.extend(legal if name == "legal" else [name])
    return list(dict.fromkeys(cols)), "、".join(words)


def _denials(ctx: Context, target: str, verbs: str, filler: str = "") -> Iterator[tuple[Negation, str]]:
    """Denials whose negated span mentions `target` near the cue, with what is left once the
    usual words (filler) are removed: a non-empty rest is a qualifier we cannot place."""
    verbs_re, target_re = re.compile(f"^(?:{verbs})"), re.compile(target)
    filler_re = re.compile(filler) if filler else None
    reach = ctx.catalog.narrative["reach"]
    seen = set()
    for neg in _prose(ctx).negations:
        m = target_re.search(neg.span)
        if not (m and neg.near(m.start(), m.end(), reach)):
            continue
        if neg.cue in ("未", "从未") and not verbs_re.match(neg.span):
            continue  # 未经复议, 未按时答复申请: not a denial that something happened
        key = (neg.clause.sentence.text, neg.span)
        if key not in seen:
            seen.add(key)
            yield neg, filler_re.sub("", neg.span) if filler_re else ""


@check("R04")
def no_applications(ctx: Context):
    vocab = ctx.catalog.narrative
    applicants = "|".join(vocab["applicants"].values())
    for neg, rest in _denials(ctx, ctx.params["target"], vocab["request_verbs"], vocab["request_filler"]):
        if re.search(ctx.params["not_about"], neg.span):
            continue
        cols, who = _applicant_scope(ctx, neg.subject + neg.span)
        rest = re.sub(applicants, "", rest)
        if cols:
            cells = ctx.cells(*(f"t2.new.{c}" for c in cols))
            value = sum(c.number for c in cells)
            column = "、".join(ctx.catalog.labels["t2_cols"][c] for c in cols)
        else:
            cells, value, column = ctx.cells("t2.new.total"), _count(_t2(ctx, "new")), "总计"
        if value <= 0:
            continue
        if not cols:
            value = _total(ctx, "t2", "new", value)
        s = neg.clause.sentence
        fields = dict(who=who, column=column, value=format_number(value), span=neg.span)
        if rest:
            yield ctx.flag("uncertain", uncertain=True, cells=cells, quote=s.text, page=s.page, **fields)
        else:
            note = _scope_note(ctx, neg.subject)
            yield ctx.flag(severity=lower(ctx.spec.severity) if note else None, cells=cells, quote=s.text,
                           page=s.page, note=note, **fields)


def _no_cases(ctx: Context, groups: tuple[str, ...]) -> Iterator[Flag]:
    counts = {g: _count(_t3(ctx, g)) for g in groups}
    if sum(counts.values()) <= 0:
        return
    value = sum(_total(ctx, "t3", g, n) for g, n in counts.items())
    cells = [c for g in groups for c in ctx.cells(*(f"t3.{g}.{p}" for p in ctx.catalog.sets["t3_parts"]),
                                                     f"t3.{g}.total") if c.number or c.key.endswith(".total")]
    vocab = ctx.catalog.narrative
    for neg, rest in _denials(ctx, ctx.params["target"], vocab["case_verbs"], vocab["case_filler"]):
        s = neg.clause.sentence
        if rest:
            yield ctx.flag("uncertain", uncertain=True, cells=cells, quote=s.text, page=s.page,
                           span=neg.span, value=format_number(value))
        else:
            note = _scope_note(ctx, neg.subject)
            yield ctx.flag(severity=lower(ctx.spec.severity) if note else None, cells=cells, quote=s.text,
                           page=s.page, note=note, value=format_number(value))


@check("R05")
def no_review(ctx: Context):
    yield from _no_cases(ctx, ("review",))


@check("R06")
def no_litigation(ctx: Context):
    yield from _no_cases(ctx, ("lit_direct", "lit_after_review"))


@check("R11")
def no_fee_notice(ctx: Context):
    cell = ctx.report.cells.get("t2.other.unpaid_fee.total")
    if cell is None or cell.number <= 0:
        return
    for neg, _ in _denials(ctx, ctx.params["target"], ctx.params["verbs"]):
        s = neg.clause.sentence
        yield ctx.flag(cells=[cell], quote=s.text, page=s.page, span=neg.clause.text,
                       value=format_number(cell.number))


# ----------------------------------------------------------------------------- phrases

@check("R07")
def all_upheld(ctx: Context):
    upheld, won = re.compile(ctx.params["upheld"]), re.compile(ctx.params["won"])
    labels = ctx.catalog.labels
    cells = ctx.report.cells
    for s in _prose(ctx).sentences:
        phrases = [m.group() for m in upheld.finditer(s.text)] + [m.group() for m in won.finditer(s.text)]
        if not phrases:
            continue
        bad: dict[str, list[str]] = {}  # group → the parts that contradict the phrase
        if upheld.search(s.text):
            groups = (["review"] if "复议" in s.text else []) + \
                     (["lit_direct", "lit_after_review"] if "诉讼" in s.text else [])
            for g in groups:
                bad.setdefault(g, []).extend(["corrected", "other", "pending"])
        if won.search(s.text):
            for g in ("lit_direct", "lit_after_review"):
                bad.setdefault(g, []).append("corrected")
        found, details = [], []
        for g, parts in bad.items():
            hits = [cells[k] for k in dict.fromkeys(f"t3.{g}.{p}" for p in parts) if k in cells and cells[k].number > 0]
            if hits:
                found.extend(hits + ctx.cells(f"t3.{g}.total"))
                details.extend(f"{labels['t3_groups'][g]}{labels['t3_parts'][c.key.rsplit('.', 1)[1]]}"
                               f"{format_number(c.number)}件" for c in hits)
        if found:
            yield ctx.flag(cells=found, quote=s.text, page=s.page, phrase="、".join(dict.fromkeys(phrases)),
                           details="，".join(details))


@check("R08")
def all_finished(ctx: Context):
    value = _count(_t2(ctx, "carry_forward"))
    if value <= 0:
        return
    pattern = re.compile(ctx.params["pattern"])
    for s in _prose(ctx).sentences:
        m = pattern.search(s.text)
        if m:
            yield ctx.flag(cells=ctx.cells("t2.carry_forward.total"), quote=s.text, page=s.page,
                           phrase=m.group(), value=format_number(value))
