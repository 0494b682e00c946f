"""The rule engine: reads rules/checks.toml once, expands the formula checks over the catalog's
sets, runs the registered function checks, and filters both by template version.

Nothing is caught here: a check that raises stops the run, so a bug is never mistaken for a
clean report.
"""
from __future__ import annotations

import operator
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Callable, Iterable, Optional, Union

from ..narrative import Sentence, sentences
from ..report import TABLE_NAMES, CellValue, Flag, Pair, Report, StoredReport
from ..resources import rules_path
from ..status import Severity

CATALOG_PATH = rules_path("checks.toml")
SEVERITIES = tuple(Severity)  # highest first
VERSIONS = ("all", "v2019", "v2021")
CONFIG_KEYS = ("groups", "checks", "disable", "issuer_type", "deadlines",
               "pdf_engine")  # pdf_engine: for the reader (config.py); no check reads it
UNCERTAIN = "存疑（UNCERTAIN）："
DOC_FIELDS = ("what", "why", "example")  # required in every catalog entry

Number = Union[int, float]
CheckFn = Callable[["Context"], Iterable[Flag]]
_REGISTRY: dict[str, CheckFn] = {}


def check(check_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register the function that implements catalog check `check_id`."""
    def register(fn: CheckFn) -> CheckFn:
        if check_id in _REGISTRY:
            raise ValueError(f"check {check_id} registered twice")
        _REGISTRY[check_id] = fn
        return fn
    return register


def lower(severity: str) -> str:
    """One step down: error → warning → info (for statements with an innocent reading)."""
    return Severity(severity).lowered()


# ----------------------------------------------------------------------------- formulas

@dataclass(frozen=True)
class Term:
    kind: str  # key | const | sum
    keys: tuple[str, ...] = ()
    const: Number = 0


@dataclass(frozen=True)
class Compare:
    lhs: tuple[tuple[int, Term], ...]  # (sign, term)
    op: str
    rhs: tuple[tuple[int, Term], ...]


@dataclass(frozen=True)
class Blank:
    key: str


@dataclass(frozen=True)
class Cond:
    atoms: tuple[Union[Compare, Blank], ...]
    joiner: str  # and | or (a condition uses one of them only)


_OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt,
        "<": operator.lt}
_TOKEN = re.compile(r"\s*(?:(?P<fn>sum|blank)\((?P<args>[^()]*)\)|(?P<key>t\d\.[\w.]+)|(?P<num>\d+(?:\.\d+)?)"
                    r"|(?P<op>==|!=|>=|<=|>|<)|(?P<sign>[+-])|(?P<bool>and|or))")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SUM = re.compile(r"sum\(([^()]*)\)")


def _tokens(text: str) -> list[tuple[str, str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse formula at {text[pos:]!r} in {text!r}")
        kind = m.lastgroup if m.lastgroup != "args" else "fn"
        out.append((kind, m.group(kind), m.group("args") or ""))
        pos = m.end()
    return out


def parse_cond(text: str) -> Cond:
    toks = _tokens(text)
    atoms, joiners, i = [], set(), 0
    while i < len(toks):
        if toks[i][0] == "fn" and toks[i][1] == "blank":
            atoms.append(Blank(toks[i][2].strip()))
            i += 1
        else:
            lhs, i = _linear(toks, i)
            if i >= len(toks) or toks[i][0] != "op":
                raise ValueError(f"comparison expected in {text!r}")
            op = toks[i][1]
            rhs, i = _linear(toks, i + 1)
            atoms.append(Compare(lhs, op, rhs))
        if i < len(toks):
            if toks[i][0] != "bool":
                raise ValueError(f"'and'/'or' expected in {text!r}")
            joiners.add(toks[i][1])
            i += 1
    if len(joiners) > 1:
        raise ValueError(f"mixing 'and' and 'or' is ambiguous: {text!r}")
    return Cond(tuple(atoms), joiners.pop() if joiners else "and")


def _linear(toks, i):
    terms, sign = [], 1
    while i < len(toks):
        kind, val, args = toks[i]
        if kind == "sign":
            sign = -1 if val == "-" else 1
        elif kind == "key":
            terms.append((sign, Term("key", (val,))))
        elif kind == "num":
            terms.append((sign, Term("const", const=float(val) if "." in val else int(val))))
        elif kind == "fn" and val == "sum":
            terms.append((sign, Term("sum", tuple(k.strip() for k in args.split(",")))))
        else:
            break
        if kind != "sign":
            sign = 1
        i += 1
    if not terms:
        raise ValueError("term expected")
    return tuple(terms), i


def _expand(text: str, bound: dict[str, str], sets: dict[str, list[str]]) -> str:
    """Substitute bound placeholders; inside sum(...) expand the unbound ones over their sets."""
    def one_sum(m: re.Match) -> str:
        pattern = m.group(1)
        free = [n for n in dict.fromkeys(_PLACEHOLDER.findall(pattern)) if n not in bound]
        keys = []
        for combo in product(*(sets[n] for n in free)):
            env = {**bound, **dict(zip(free, combo))}
            keys.append(_PLACEHOLDER.sub(lambda p: env[p.group(1)], pattern))
        return "sum(" + ",".join(keys) + ")"
    return _PLACEHOLDER.sub(lambda p: bound[p.group(1)], _SUM.sub(one_sum, text))


@dataclass(frozen=True)
class Instance:
    """One expanded rule, e.g. T2-01 for row `open`."""

    assertion: Compare
    when: Optional[Cond]
    message: str
    fields: dict  # placeholder values and their labels


def _value(terms, nums: dict[str, Number]) -> Optional[Number]:
    """`nums` holds every printed cell's arithmetic value (blank and text count as 0)."""
    total: Number = 0
    for sign, t in terms:
        if t.kind == "const":
            total += sign * t.const
        elif t.kind == "key":
            v = nums.get(t.keys[0])
            if v is None:
                return None  # the row is not printed: skip, never invent it
            total += sign * v
        else:
            present = [nums[k] for k in t.keys if k in nums]
            if not present:
                return None
            total += sign * sum(present)
    return total


def _holds(atom, cells, nums) -> Optional[bool]:
    if isinstance(atom, Blank):
        c = cells.get(atom.key)
        return None if c is None else c.was_blank
    a, b = _value(atom.lhs, nums), _value(atom.rhs, nums)
    return None if a is None or b is None else _OPS[atom.op](a, b)


def _cond(cond: Cond, cells, nums) -> Optional[bool]:
    results = [_holds(a, cells, nums) for a in cond.atoms]
    if None in results:
        return None
    return all(results) if cond.joiner == "and" else any(results)


def _involved(inst: Instance, cells) -> list[CellValue]:
    """Direct terms always; sum members only where non-zero, so the reviewer sees what counts."""
    keys: list[str] = []
    atoms = list(inst.when.atoms if inst.when else ()) + [inst.assertion]
    for atom in atoms:
        if isinstance(atom, Blank):
            keys.append(atom.key)
            continue
        for _, t in atom.lhs + atom.rhs:
            if t.kind == "key":
                keys.append(t.keys[0])
            elif t.kind == "sum":
                keys.extend(k for k in t.keys if k in cells and cells[k].number != 0)
    return [cells[k] for k in dict.fromkeys(keys) if k in cells]


# ----------------------------------------------------------------------------- catalog

@dataclass(frozen=True)
class CheckSpec:
    id: str
    name: str
    severity: str
    versions: tuple[str, ...]
    group: str
    doc: str
    message: str
    variants: dict = field(default_factory=dict)
    function: Optional[str] = None
    params: dict = field(default_factory=dict)
    instances: tuple[Instance, ...] = ()
    pairwise: bool = False  # compares two stored reports: run_pair on a PairContext, not run
    # Chinese, for docs/checks.md: what it compares, why a reviewer cares, one failing case
    what: str = ""
    why: str = ""
    example: str = ""

    def applies_to(self, template: Optional[str]) -> bool:
        return "all" in self.versions or template in self.versions


@dataclass(frozen=True)
class Catalog:
    checks: dict[str, CheckSpec]
    sets: dict[str, list[str]]
    labels: dict[str, dict[str, str]]
    narrative: dict


def _spec(raw: dict, sets, labels) -> CheckSpec:
    cid = raw["id"]
    missing = [k for k in DOC_FIELDS if not (isinstance(raw.get(k), str) and raw[k].strip())]
    if missing:
        raise ValueError(f"{cid}: the catalog entry needs non-empty {', '.join(missing)} (see docs/extending.md)")
    if raw["severity"] not in SEVERITIES or not set(raw["versions"]) <= set(VERSIONS):
        raise ValueError(f"{cid}: bad severity or versions")
    if raw.get("pairwise") and "function" not in raw:
        raise ValueError(f"{cid}: a pairwise check needs a `function` (it runs on a PairContext)")
    if ("function" in raw) == ("rule" in raw):
        raise ValueError(f"{cid}: needs exactly one of `function` and `rule`")
    instances = []
    for rule in raw.get("rule", []):
        over = rule.get("over", {})
        for combo in product(*(sets[s] for s in over.values())):
            bound = dict(zip(over, combo))
            fields = dict(bound)
            for var, set_name in over.items():
                fields[f"{var}_label"] = labels.get(set_name, {}).get(bound[var], bound[var])
            assertion = parse_cond(_expand(rule["assert"], bound, sets))
            if len(assertion.atoms) != 1 or not isinstance(assertion.atoms[0], Compare):
                raise ValueError(f"{cid}: `assert` must be one comparison")
            when = parse_cond(_expand(rule["when"], bound, sets)) if "when" in rule else None
            instances.append(Instance(assertion.atoms[0], when, rule.get("message", raw["message"]), fields))
    return CheckSpec(cid, raw["name"], raw["severity"], tuple(raw["versions"]), raw["group"], raw["doc"],
                     raw["message"], raw.get("variants", {}), raw.get("function"), raw.get("params", {}),
                     tuple(instances), bool(raw.get("pairwise")),
                     **{k: raw[k].strip() for k in DOC_FIELDS})


@lru_cache(maxsize=None)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    sets, labels = raw["sets"], raw.get("labels", {})
    checks: dict[str, CheckSpec] = {}
    for entry in raw["check"]:
        if entry["id"] in checks:
            raise ValueError(f"duplicate check id {entry['id']}")
        checks[entry["id"]] = _spec(entry, sets, labels)
    return Catalog(checks, sets, labels, raw.get("narrative", {}))


def _functions(catalog: Catalog) -> dict[str, CheckFn]:
    """Catalog function names and registered functions must agree both ways."""
    wanted = {cid: s.function for cid, s in catalog.checks.items() if s.function}
    if set(wanted) != set(_REGISTRY):
        raise LookupError(f"catalog and registry disagree: catalog only {sorted(set(wanted) - set(_REGISTRY))}, "
                          f"registry only {sorted(set(_REGISTRY) - set(wanted))}")
    for cid, name in wanted.items():
        fn = _REGISTRY[cid]
        if f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}" != name:
            raise LookupError(f"{cid}: catalog names {name}, registered {fn.__module__}.{fn.__name__}")
    return {cid: _REGISTRY[cid] for cid in wanted}


# ----------------------------------------------------------------------------- running

def format_number(v: Number) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else format(v, "f").rstrip("0").rstrip(".")
    return str(v)


def show(cell: Optional[CellValue], zero_note: bool = False) -> str:
    """A cell as printed: 空 for a blank, the text in quotes for non-numbers."""
    if cell is None:
        return "—"
    note = "（按0计）" if zero_note else ""
    if cell.value is None:
        return "空" + note
    if isinstance(cell.value, str):
        return f"“{cell.value}”" + note
    return format_number(cell.value)


_CELL_REF = re.compile(r"\[\[([\w.]+)\]\]")


def render(template: str, fields: dict, cells: dict[str, CellValue]) -> str:
    return _CELL_REF.sub(lambda m: show(cells.get(m.group(1))), template.format(**fields))


@dataclass
class Context:
    """What a function check sees: the report, its catalog entry, the config and a per-run memo."""

    report: Report
    spec: CheckSpec
    catalog: Catalog
    config: dict
    memo: dict

    @property
    def params(self) -> dict:
        return self.spec.params

    def cells(self, *keys: str) -> list[CellValue]:
        return [self.report.cells[k] for k in keys if k in self.report.cells]

    def shared(self, name: str, build: Callable[[], object]):
        """Work several checks need (the parsed prose), done once per run."""
        if name not in self.memo:
            self.memo[name] = build()
        return self.memo[name]

    def sentences(self) -> list[Sentence]:
        """The report's body sentences, normalised (see extractor.narrative)."""
        return self.shared("sentences", lambda: sentences(self.report.paragraphs))

    def flag(self, variant: Optional[str] = None, *, severity: Optional[str] = None,
             cells: Iterable[CellValue] = (), quote: Optional[str] = None, page: Optional[int] = None,
             uncertain: bool = False, note: str = "", **fields) -> Flag:
        severity = Severity.INFO if uncertain else Severity(severity or self.spec.severity)
        if severity.rank < Severity(self.spec.severity).rank:
            raise ValueError(f"{self.spec.id}: {severity} is above the catalog severity {self.spec.severity}")
        template = self.spec.variants[variant] if variant else self.spec.message
        cells = list(cells)
        text = render(template, fields, self.report.cells)
        if page is None:
            page = next((c.page for c in cells if c.page is not None), None)
        return Flag(self.spec.id, severity, f"{self.spec.id} {UNCERTAIN if uncertain else ''}{text}{note}",
                    cells, page, quote)


def _side_show(terms, value: Number, cells: dict[str, CellValue]) -> str:
    """A side that is one cell shows as printed (空（按0计）); a sum shows its value."""
    if len(terms) == 1 and terms[0][1].kind == "key":
        return show(cells[terms[0][1].keys[0]], zero_note=True)
    return format_number(value)


def _instance_keys(inst: Instance) -> list[str]:
    """Every cell key an instance reads (sum members included)."""
    keys: list[str] = []
    for atom in list(inst.when.atoms if inst.when else ()) + [inst.assertion]:
        if isinstance(atom, Blank):
            keys.append(atom.key)
        else:
            keys.extend(k for _, t in atom.lhs + atom.rhs for k in t.keys)
    return keys


def not_evaluated(spec: CheckSpec, unsure: list[CellValue], unread: frozenset = frozenset()) -> Flag:
    """The info note for a check that needed a value extraction could not read as a number, or
    a cell of a row it could not read at all (`unread` keys): it is not evaluated (never
    counted as 0), so it accuses nothing."""
    printed = [c for c in unsure if c.key not in unread]
    parts = ["；".join(f"{c.where}印为“{c.value}”" for c in printed) + "，不是规范的数字"] if printed else []
    rows = dict.fromkeys(f"{TABLE_NAMES.get(c.table, c.table)}“{c.row_label}”行" for c in unsure if c.key in unread)
    parts += ["、".join(rows) + "未能逐格读出"] if rows else []
    cited = [c for c in unsure if c.key not in unread]  # an unread cell has no value to show
    page = next((c.page for c in unsure if c.page is not None), None)
    return Flag(spec.id, Severity.INFO, f"{spec.id} 无法核对：{'；'.join(parts)}，本项核对未进行（未按0计）",
                cited, page)


def _unread_cells(report: Report) -> dict[str, CellValue]:
    """Stand-ins (no value) for the cells of rows the mapping saw but could not read."""
    info = report.template_info
    return {u["key"]: CellValue(key=u["key"], value=None, raw="", row_label=u["row_label"],
                                col_label=u["col_label"], page=u["page"])
            for u in (info.unread if info is not None else ()) if u["key"] not in report.cells}


def _formula_flags(spec: CheckSpec, report: Report, nums: dict[str, Number],
                   unsure_keys: frozenset = frozenset(), unread: Optional[dict] = None) -> list[Flag]:
    cells, out, unread = report.cells, [], unread or {}
    known = {**unread, **cells}
    skipped: dict[str, CellValue] = {}  # unsure cells that kept an instance from being evaluated
    for inst in spec.instances:
        unsure = [known[k] for k in _instance_keys(inst) if k in unsure_keys] if unsure_keys else ()
        if unsure:
            skipped.update((c.key, c) for c in unsure)
            continue
        if inst.when is not None and not _cond(inst.when, cells, nums):
            continue
        a = inst.assertion
        lhs, rhs = _value(a.lhs, nums), _value(a.rhs, nums)
        if lhs is None or rhs is None or _OPS[a.op](lhs, rhs):
            continue
        fields = {**inst.fields, "lhs": format_number(lhs), "rhs": format_number(rhs),
                  "lhs_show": _side_show(a.lhs, lhs, cells), "rhs_show": _side_show(a.rhs, rhs, cells)}
        involved = _involved(inst, cells)
        page = next((c.page for c in involved if c.page is not None), None)
        out.append(Flag(spec.id, spec.severity, f"{spec.id} {render(inst.message, fields, cells)}",
                        involved, page))
    if skipped:
        out.append(not_evaluated(spec, list(skipped.values()), frozenset(unread)))
    return out


@dataclass
class _Counted(CellValue):
    """An unsure cell as a function check sees it: reading its `number` is logged, so the
    engine knows the check counted a value that is not one."""

    log: list = field(default_factory=list, repr=False, compare=False)

    @property
    def number(self) -> Number:
        self.log.append(self.key)
        return 0


def _function_flags(spec: CheckSpec, fn: CheckFn, report: Report, catalog: Catalog, config: dict,
                    memo: dict, unsure_keys: frozenset = frozenset(), unread: Optional[dict] = None) -> list[Flag]:
    """A function check's flags; if it did arithmetic on an unsure cell (or a cell of an unread
    row), only the note that it could not be evaluated (its findings would rest on a value
    counted as 0)."""
    if not unsure_keys:
        return list(fn(Context(report, spec, catalog, config, memo)))
    log: list[str] = []
    known = {**(unread or {}), **report.cells}
    seen = dict(report.cells)
    for k in unsure_keys:
        c = known[k]
        seen[k] = _Counted(**{f.name: getattr(c, f.name) for f in fields(CellValue)}, log=log)
    flags = list(fn(Context(replace(report, cells=seen), spec, catalog, config, memo)))
    if log:
        return [not_evaluated(spec, [known[k] for k in dict.fromkeys(log)], frozenset(unread or {}))]
    for flag in flags:  # cite the report's own cells, not the logging copies
        flag.cells = [report.cells.get(c.key, c) for c in flag.cells]
    return flags


def selected(catalog: Catalog, config: dict, pairwise: bool = False) -> list[CheckSpec]:
    """The per-report (or, pairwise=True, the cross-report) checks the config selects."""
    unknown = set(config) - set(CONFIG_KEYS)
    if unknown:
        raise ValueError(f"unknown config keys: {sorted(unknown)}")
    for key in ("checks", "disable"):
        missing = set(config.get(key, ())) - set(catalog.checks)
        if missing:
            raise ValueError(f"config `{key}` names unknown checks: {sorted(missing)}")
    missing = set(config.get("groups", ())) - {s.group for s in catalog.checks.values()}
    if missing:
        raise ValueError(f"config `groups` names unknown groups: {sorted(missing)}")
    specs = [s for s in catalog.checks.values() if s.pairwise == pairwise]
    if "groups" in config:
        specs = [s for s in specs if s.group in config["groups"]]
    if "checks" in config:
        specs = [s for s in specs if s.id in config["checks"]]
    return [s for s in specs if s.id not in config.get("disable", ())]


def run(report: Report, config: Optional[dict] = None) -> list[Flag]:
    config = config or {}
    catalog = load_catalog()
    functions = _functions(catalog)
    memo: dict = {}
    nums = {k: c.number for k, c in report.cells.items()}
    unread = _unread_cells(report)
    unsure = frozenset(k for k, c in report.cells.items() if isinstance(c.value, str) and c.unsure) | set(unread)
    flags: list[Flag] = []
    for spec in selected(catalog, config):
        if not spec.applies_to(report.template):
            continue
        if spec.function:
            flags.extend(_function_flags(spec, functions[spec.id], report, catalog, config, memo,
                                         unsure, unread))
        else:
            flags.extend(_formula_flags(spec, report, nums, unsure, unread))
    return flags


# ----------------------------------------------------------------------------- pairs of reports

@dataclass
class PairContext:
    """What a cross-report check sees: two stored reports and its catalog entry. scope "year": `prev`
    is the issuer's report for Y−1 and `cur` for Y; scope "peer": two issuers' reports of one year
    (`cur` the one with the smaller sha256). Flags are about `cur`, naming `prev` as the other side."""

    prev: StoredReport
    cur: StoredReport
    spec: CheckSpec
    scope: str = "year"
    estimate: Optional[float] = None  # scope "peer": the MinHash similarity that made them a candidate

    def flag(self, variant: Optional[str] = None, *, severity: Optional[str] = None, cells: Iterable[str] = (),
             other_cells: Iterable[str] = (), score: Optional[float] = None, **fields) -> Flag:
        severity = Severity(severity or self.spec.severity)
        if severity.rank < Severity(self.spec.severity).rank:
            raise ValueError(f"{self.spec.id}: {severity} is above the catalog severity {self.spec.severity}")
        later, earlier = self.cur, self.prev
        template = self.spec.variants[variant] if variant else self.spec.message
        if self.scope == "year":
            who = f"（本报告 {later.label}，上一年报告 {earlier.label}）"
        else:
            # the names as printed (not the issuer's display name, which a later regrouping may change)
            who = f"（{later.label}，{later.printed or '发布机关未识别'}；{earlier.label}，" \
                  f"{earlier.printed or '发布机关未识别'}）"
        own = [later.cells[k] for k in cells if k in later.cells]
        pair = Pair(later.sha, earlier.sha, self.scope, later.year, earlier.year, later.issuer_id,
                    None if score is None else round(score, 3), list(other_cells))
        page = next((c.page for c in own if c.page is not None), None)
        return Flag(self.spec.id, severity, f"{self.spec.id} {template.format(**fields)}{who}", own, page,
                    pair=pair)


PairFn = Callable[[PairContext], Iterable[Flag]]


def run_pair(prev: StoredReport, cur: StoredReport, config: Optional[dict] = None,
             scope: str = "year", estimate: Optional[float] = None) -> list[Flag]:
    """The cross-report checks the config selects, for one pair (see PairContext), filtered by the
    template version of `cur`. A check decides itself which scopes it covers (X04 runs in both)."""
    config = config or {}
    catalog = load_catalog()
    fns = _functions(catalog)
    flags: list[Flag] = []
    for spec in selected(catalog, config, pairwise=True):
        if spec.applies_to(cur.template):
            flags.extend(fns[spec.id](PairContext(prev, cur, spec, scope, estimate)))
    return flags
