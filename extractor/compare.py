"""Year over year: two reports compared so that a person can read the comparison (issue 16).

    c = compare_files("2023.pdf", "2024.pdf")         # extract both, run the pair's X01–X07 live
    c = compare_stored(db, "pingtan-2023.html", "a1b2c3")  # two stored reports (file name or sha prefix)
    c.to_json(); render_html([c]); print_terminal([c], console)

A Comparison puts the problems first (each report's flags, then the pair's cross-year flags), then
the six sections aligned by key (similarity on the text masked as X04 masks it, the passages copied
verbatim, a sentence diff), then the three tables cell by cell (both values as printed, the change,
the percentage change, large jumps). `sync_comparisons(db)` stores a summary row for every
consecutive pair of an issuer's stored years in the `comparisons` table (called at the end of
`xxgk audit`).

Report `a` is always the earlier one (by year), `b` the later one.
"""
from __future__ import annotations

import difflib
import html
import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Optional, Union

from .checks.engine import format_number, run_pair
from .checks.pairs import MIN_CHARS, combined_text, masked_sections
from .checks.similarity import jaccard, mask, shingles
from .report import SECTION_KEYS, TABLE_NAMES, Report, StoredReport
from .status import READ_STATUSES, Severity
from .template.normalize import malformed_number

MIN_RUN = 15  # characters (whitespace left out) a passage must share verbatim to count as copied
MIN_SECTION = 10  # masked characters below which a section's similarity means nothing ("无。")
BIG_RATIO, BIG_MIN = 5, 10  # a jump: ×5 or ÷5, both sides at least 10
COPY_LEVEL = 0.9  # 雷同: overall similarity from this
VERSION = 2  # bump when the stored summary changes meaning: stored rows are then recomputed
SEVERITY_ORDER = {s.value: i for i, s in enumerate(Severity)}
SEVERITY_ZH = {s.value: s.label for s in Severity}
SIDE_ZH = {"a": "前一份报告", "b": "后一份报告", "pair": "两份报告之间"}


# ----------------------------------------------------------------------------- model

@dataclass
class Side:
    label: str  # 2023年《file》
    name: str
    sha: str
    year: Optional[int]
    issuer: Optional[str]
    status: str
    template: Optional[str]

    def to_json(self) -> dict:
        return {"label": self.label, "name": self.name, "sha256": self.sha, "year": self.year,
                "issuer": self.issuer, "status": self.status, "template": self.template}


@dataclass
class Problem:
    side: str  # a | b | pair
    check: str
    severity: str
    message: str
    page: Optional[int] = None

    @property
    def text(self) -> str:
        """The message without its leading check id (shown in a column of its own)."""
        m = self.message or ""
        return m[len(self.check):].lstrip() if m.startswith(self.check) else m

    def to_json(self) -> dict:
        return {"side": self.side, "check": self.check, "severity": self.severity, "message": self.message,
                "page": self.page}


@dataclass
class SectionDiff:
    key: str
    title: str
    text_a: str
    text_b: str
    similarity: Optional[float]  # None: one side too short to compare
    copied_a: list[tuple[int, int]]  # [start, end) in text_a of passages also printed in text_b
    copied_b: list[tuple[int, int]]
    copied_share: float  # share of b's characters (whitespace left out) copied from a
    diff: list[dict]  # difflib opcodes over sentences: {"op", "a": [...], "b": [...]}

    def to_json(self) -> dict:
        return {"key": self.key, "title": self.title, "similarity": self.similarity,
                "copied_share": self.copied_share, "copied_a": [list(s) for s in self.copied_a],
                "copied_b": [list(s) for s in self.copied_b], "diff": self.diff,
                "text_a": self.text_a, "text_b": self.text_b}


@dataclass
class CellDiff:
    key: str
    table: str  # 表二 / 表三 / 表四
    row: str  # in words (catalog / template labels)
    col: str
    a: object  # the value as printed (None: blank); MISSING when the report has no such cell
    b: object
    shown_a: str
    shown_b: str
    delta: Optional[Union[int, float]] = None
    pct: Optional[float] = None
    changed: bool = False
    big: bool = False
    note: str = ""  # e.g. 空白→0

    def to_json(self) -> dict:
        return {"key": self.key, "table": self.table, "row": self.row, "column": self.col,
                "a": None if self.a is MISSING else self.a, "b": None if self.b is MISSING else self.b,
                "a_missing": self.a is MISSING, "b_missing": self.b is MISSING,
                "shown_a": self.shown_a, "shown_b": self.shown_b, "delta": self.delta, "pct": self.pct,
                "changed": self.changed, "big_jump": self.big, "note": self.note}


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass
class Comparison:
    a: Side
    b: Side
    similarity: Optional[float]
    problems: list[Problem]
    sections: list[SectionDiff]
    cells: list[CellDiff]
    notes: list[str] = field(default_factory=list)  # Chinese

    def where(self, p: Problem) -> str:
        """Which report a problem is about, in words (2023年报告 / 两年之间)."""
        side = self.a if p.side == "a" else self.b if p.side == "b" else None
        if side is None:
            return "两份报告之间"
        return f"{side.year}年报告" if side.year and self.a.year != self.b.year else SIDE_ZH[p.side]

    @property
    def changed(self) -> list[CellDiff]:
        return [c for c in self.cells if c.changed]

    @property
    def summary(self) -> dict:
        both = [c for c in self.cells if c.a is not MISSING and c.b is not MISSING]
        return {"similarity": self.similarity, "cells_compared": len(both),
                "cells_changed": sum(c.changed for c in both), "big_jumps": sum(c.big for c in self.cells),
                "problems": len(self.problems),
                "errors": sum(p.severity == "error" for p in self.problems)}

    def to_json(self) -> dict:
        return {"a": self.a.to_json(), "b": self.b.to_json(), "summary": self.summary,
                "problems": [p.to_json() for p in self.problems],
                "sections": [s.to_json() for s in self.sections],
                "cells": [c.to_json() for c in self.cells], "notes": self.notes}


# ----------------------------------------------------------------------------- text

_WS = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[。！？；!?;])|\n+")


def _squeeze(text: str) -> tuple[str, list[int]]:
    """NFKC text without whitespace, and the index in `text` of each of its characters."""
    chars, where = [], []
    for i, ch in enumerate(text):
        ch = unicodedata.normalize("NFKC", ch)
        if ch and not ch.isspace():
            chars.append(ch)
            where.extend([i] * len(ch))
    return "".join(chars), where


def _copied(text: str, other: str, n: int = MIN_RUN) -> tuple[list[tuple[int, int]], int, int]:
    """Spans of `text` (original indices) inside runs of ≥ n characters also printed in `other`
    (whitespace ignored); with the copied and total character counts."""
    s, where = _squeeze(text)
    o, _ = _squeeze(other)
    if len(s) < n or len(o) < n:
        return [], 0, len(s)
    grams = {o[i:i + n] for i in range(len(o) - n + 1)}
    covered = bytearray(len(s))
    for i in range(len(s) - n + 1):
        if s[i:i + n] in grams:
            covered[i:i + n] = b"\x01" * n
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(s):
        if covered[i]:
            j = i
            while j < len(s) and covered[j]:
                j += 1
            spans.append((where[i], where[j - 1] + 1))
            i = j
        else:
            i += 1
    return spans, sum(covered), len(s)


def _sentences(text: str) -> list[str]:
    return [t for t in (_WS.sub("", x) for x in _SENTENCE.split(text or "")) if t]


def _diff(a: str, b: str) -> list[dict]:
    sa, sb = _sentences(a), _sentences(b)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_opcodes():
        out.append({"op": op, "a": sa[i1:i2], "b": sb[j1:j2]})
    return out


def _similarity(ma: str, mb: str) -> Optional[float]:
    if min(len(ma), len(mb)) < MIN_SECTION:
        return None
    return round(jaccard(shingles(ma), shingles(mb)), 4)


def _sections(a: StoredReport, b: StoredReport) -> tuple[list[SectionDiff], Optional[float]]:
    from .views import section_labels

    titles = section_labels()
    out = []
    for key in SECTION_KEYS:
        ta, tb = a.texts.get(key, ""), b.texts.get(key, "")
        spans_a, _, _ = _copied(ta, tb)
        spans_b, n_copied, n_b = _copied(tb, ta)
        out.append(SectionDiff(key, titles.get(key, key), ta, tb, _similarity(mask(ta, a.names), mask(tb, b.names)),
                               spans_a, spans_b, round(n_copied / n_b, 4) if n_b else 0.0, _diff(ta, tb)))
    # overall: X04's own number (sections 一+五+六, masked), so that this list and X04 agree
    ja, jb = combined_text(masked_sections(a)), combined_text(masked_sections(b))
    overall = None if min(len(ja), len(jb)) < MIN_CHARS else round(jaccard(shingles(ja), shingles(jb)), 4)
    return out, overall


# ----------------------------------------------------------------------------- tables

def _layout() -> dict[str, tuple[int, str, str, str]]:
    """Cell key → (order, table in words, row in words, column in words), template order."""
    from . import views as V

    out: dict[str, tuple[int, str, str, str]] = {}
    n = 0
    t1_cols = V.t1_columns()
    for _, row, rlabel in V.t1_rows():
        for col, clabel in t1_cols:
            n += 1
            out[f"t1.{row}.{col}"] = (n, TABLE_NAMES["t1"], rlabel, clabel)
    t2_cols = V.t2_columns()
    for _, row, rlabel, _always in V.t2_rows():
        for col, clabel in t2_cols:
            n += 1
            out[f"t2.{row}.{col}"] = (n, TABLE_NAMES["t2"], rlabel, clabel)
    rows, cols = V.t3_layout()
    for _, row, rlabel in rows:
        for col, clabel in cols:
            n += 1
            out[f"t3.{row}.{col}"] = (n, TABLE_NAMES["t3"], rlabel, clabel)
    return out


_LAYOUT: dict = {}


def _kind(v) -> str:
    if v is MISSING:
        return "missing"
    if v is None:
        return "blank"
    if isinstance(v, (int, float)) and not isinstance(v, bool) and not malformed_number(v):
        return "number"
    return "text"


def shown(v) -> str:
    """A value as a reader sees it: the number, the printed text, （空白） or （未读出）."""
    k = _kind(v)
    if k == "missing":
        return "（未读出）"
    if k == "blank":
        return "（空白）"
    if k == "number":
        return format_number(v)
    return f"“{v}”"


def _cells(a: StoredReport, b: StoredReport) -> list[CellDiff]:
    if not _LAYOUT:
        _LAYOUT.update(_layout())
    keys = {k for k in (*a.cells, *b.cells) if k.split(".", 1)[0] in TABLE_NAMES}
    out = []
    for key in sorted(keys, key=lambda k: (_LAYOUT[k][0], k) if k in _LAYOUT else (10 ** 6, k)):
        ca, cb = a.cells.get(key), b.cells.get(key)
        va = MISSING if ca is None else ca.value
        vb = MISSING if cb is None else cb.value
        if key in _LAYOUT:
            _, table, row, col = _LAYOUT[key]
        else:  # a row the report adds (not in the template): its printed labels
            c = ca or cb
            table, row, col = TABLE_NAMES.get(c.table, c.table), c.row_label or "（未命名行）", c.col_label or ""
        d = CellDiff(key, table, row, col, va, vb, shown(va), shown(vb))
        ka, kb = _kind(va), _kind(vb)
        if ka == kb == "number":
            d.delta = vb - va
            if isinstance(d.delta, float):
                d.delta = round(d.delta, 6)
                if d.delta.is_integer() and isinstance(va, int) == isinstance(vb, int):
                    d.delta = int(d.delta)
            d.pct = round(100.0 * d.delta / va, 1) if va else None
            d.changed = d.delta != 0
            d.big = min(va, vb) >= BIG_MIN and (vb >= BIG_RATIO * va or vb * BIG_RATIO <= va)
        elif "missing" not in (ka, kb):
            d.changed = ka != kb or va != vb
            if ka != kb:
                d.note = f"{shown(va)}→{shown(vb)}"
        out.append(d)
    return out


# ----------------------------------------------------------------------------- building

def _side(s: StoredReport) -> Side:
    return Side(s.label, s.name, s.sha, s.year, s.issuer_name or s.printed, s.status, s.template)


def _ordered(x, y):
    """Earlier report first (by year; equal years keep the given order). x, y: StoredReports, or
    tuples whose first item is one."""
    ya, yb = (x[0] if isinstance(x, tuple) else x).year, (y[0] if isinstance(y, tuple) else y).year
    if ya is not None and yb is not None and yb < ya:
        return y, x
    return x, y


def build(a: StoredReport, b: StoredReport, problems: list[Problem], notes: Optional[list[str]] = None) -> Comparison:
    sections, overall = _sections(a, b)
    problems = sorted(problems, key=lambda p: (SEVERITY_ORDER.get(p.severity, 9), ("pair", "a", "b").index(p.side),
                                               p.check))
    return Comparison(_side(a), _side(b), overall, problems, sections, _cells(a, b), notes or [])


def stored_from_report(r: Report) -> StoredReport:
    """A Report as the cross-report checks see it (what crossyear.load_stored gives for a stored one)."""
    from . import issuers as I

    preamble = [p.text for p in r.paragraphs if p.section == "preamble"][:20]
    tail = [p.text for p in r.paragraphs[-8:]]
    ident = I.identify(r.issuer, r.title, preamble, tail)
    names = {r.issuer or ""}
    if ident is not None:
        names |= {ident.printed, "".join(ident.chain) + ident.body, *ident.chain}
    names = sorted({I.normalise_name(n) for n in names if n and len(I.normalise_name(n)) >= 2}, key=len,
                   reverse=True)
    texts = {k: r.section_text(k) for k in SECTION_KEYS}
    name = re.split(r"[\\/]", r.document)[-1]
    return StoredReport(r.sha256, name, r.report_year, r.template, r.status, None,
                        ident.printed if ident else r.issuer, ident.kind if ident else None, dict(r.cells),
                        texts, names, r.issuer)


def _pair_notes(a: StoredReport, b: StoredReport) -> list[str]:
    notes = []
    for s in (a, b):
        if s.status not in READ_STATUSES:
            notes.append(f"{s.label}未能读出（状态 {s.status}），比较不完整")
        elif s.status != "ok":
            notes.append(f"{s.label}只读出了一部分（状态 {s.status}）：缺少的单元格显示为“未读出”")
    if a.year is None or b.year is None or b.year != a.year + 1:
        notes.append("两份报告不是同一机关的相邻年度，未做跨年度衔接检查（X01–X07）"
                     if a.year != b.year else "两份报告是同一年度的，只比较文字和数字，未做跨年度衔接检查")
    return notes


def compare_reports(ra: Report, rb: Report, config: Optional[dict] = None) -> Comparison:
    """Two extracted reports: their own flags, and X01–X07 run now when they are consecutive years."""
    (a, ra), (b, rb) = _ordered((stored_from_report(ra), ra), (stored_from_report(rb), rb))
    problems = [Problem(side, f.check, f.severity, f.message, f.page)
                for side, r in (("a", ra), ("b", rb)) for f in r.flags]
    notes = _pair_notes(a, b)
    if a.year is not None and b.year == a.year + 1 and a.status in READ_STATUSES and b.status in READ_STATUSES:
        problems += [Problem("pair", f.check, f.severity, f.message) for f in run_pair(a, b, config)]
    return build(a, b, problems, notes)


def compare_files(path_a, path_b, config: Optional[dict] = None) -> Comparison:
    from .pipeline import extract

    return compare_reports(extract(str(path_a)), extract(str(path_b)), config)


# ----------------------------------------------------------------------------- stored reports

def _conn(db):
    return getattr(db, "conn", db)


class NotFound(LookupError):
    """A reference that names no stored report, or several (message in Chinese)."""


def resolve(db, ref: str) -> str:
    """The sha256 of the stored report named by a sha256 prefix, a file name or a path."""
    conn = _conn(db)
    ref = str(ref).strip()
    rows = conn.execute("SELECT sha256, name, report_year FROM reports WHERE name = ? OR path = ?", [ref, ref]).fetchall()
    if not rows:
        base = re.split(r"[\\/]", ref)[-1]
        rows = conn.execute("SELECT sha256, name, report_year FROM reports WHERE name = ?", [base]).fetchall()
    if not rows and re.fullmatch(r"[0-9a-fA-F]{4,64}", ref):
        rows = conn.execute("SELECT sha256, name, report_year FROM reports WHERE sha256 LIKE ?",
                            [ref.lower() + "%"]).fetchall()
    if not rows:
        raise NotFound(f"数据库中没有这份报告：{ref}（可写文件名、路径或 sha256 前缀）")
    if len(rows) > 1:
        listed = "；".join(f"{r[1]}（{r[2] or '年度不明'}，{r[0][:12]}）" for r in rows[:6])
        raise NotFound(f"“{ref}”对应多份报告：{listed}；请改用 sha256 前缀")
    return rows[0][0]


def _stored_problems(conn, a: StoredReport, b: StoredReport) -> list[Problem]:
    out = []
    for side, s in (("a", a), ("b", b)):
        out += [Problem(side, *r) for r in conn.execute(
            "SELECT check_id, severity, message, page FROM flags WHERE report = ? ORDER BY id", [s.sha])]
    out += [Problem("pair", *r) for r in conn.execute(
        "SELECT check_id, severity, message FROM crossyear_flags WHERE scope = 'year' AND "
        "((report = ? AND other_report = ?) OR (report = ? AND other_report = ?)) ORDER BY id",
        [b.sha, a.sha, a.sha, b.sha])]
    return out


def compare_shas(db, sha_a: str, sha_b: str, cache: Optional[dict] = None) -> Comparison:
    from .checks.crossyear import load_stored

    conn = _conn(db)
    cache = {} if cache is None else cache
    a, b = _ordered(load_stored(conn, sha_a, cache), load_stored(conn, sha_b, cache))
    notes = _pair_notes(a, b)
    return build(a, b, _stored_problems(conn, a, b), notes)


def compare_stored(db, ref_a: str, ref_b: str) -> Comparison:
    """Two reports already in the database, by file name, path or sha256 prefix."""
    return compare_shas(db, resolve(db, ref_a), resolve(db, ref_b))


def consecutive_pairs(db, issuer: Optional[str] = None) -> list[tuple[str, str]]:
    """(earlier sha, later sha) for every pair of neighbouring years among each issuer's stored,
    readable reports (2022 → 2023, and 2023 → 2025 when 2024 is missing). issuer: part of its name."""
    conn = _conn(db)
    marks = ", ".join("?" * len(READ_STATUSES))
    args: list = [*READ_STATUSES]
    where = ""
    if issuer:
        where = " AND (i.name LIKE ? OR ri.printed LIKE ? OR CAST(i.id AS TEXT) = ?)"
        args += [f"%{issuer}%", f"%{issuer}%", issuer]
    rows = conn.execute(
        "SELECT ri.issuer_id, r.report_year, r.sha256 FROM report_issuers ri JOIN reports r ON r.sha256 = ri.report "
        f"JOIN issuers i ON i.id = ri.issuer_id WHERE r.report_year IS NOT NULL AND r.status IN ({marks}){where} "
        "ORDER BY i.name, ri.issuer_id, r.report_year, r.sha256", args).fetchall()
    by_issuer: dict[int, dict[int, list[str]]] = {}
    for iid, year, sha in rows:
        by_issuer.setdefault(iid, {}).setdefault(year, []).append(sha)
    pairs = []
    for years in by_issuer.values():
        ys = sorted(years)
        for y0, y1 in zip(ys, ys[1:]):
            pairs += [(p, c) for p in years[y0] for c in years[y1]]
    return pairs


def record(conn, c: Comparison, issuer_id: Optional[int] = None) -> None:
    s = c.summary
    conn.execute(
        "INSERT OR REPLACE INTO comparisons (report, other_report, issuer_id, report_year, other_year, similarity, "
        "sections, cells_compared, cells_changed, big_jumps, problems, errors, version, computed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [c.b.sha, c.a.sha, issuer_id, c.b.year, c.a.year, c.similarity,
         json.dumps({x.key: x.similarity for x in c.sections}), s["cells_compared"], s["cells_changed"],
         s["big_jumps"], s["problems"], s["errors"], VERSION, time.strftime("%Y-%m-%dT%H:%M:%S")])


def sync_comparisons(db) -> int:
    """Store a comparison for every consecutive pair that has none yet (or whose reports were
    audited again since, or whose summary is of an older VERSION); drop rows naming a report that
    is gone. Returns the number computed. One transaction."""
    conn = _conn(db)
    with conn:
        conn.execute("DELETE FROM comparisons WHERE version IS NOT ? OR report NOT IN (SELECT sha256 FROM reports) "
                     "OR other_report NOT IN (SELECT sha256 FROM reports) OR EXISTS (SELECT 1 FROM reports r "
                     "WHERE r.sha256 IN (comparisons.report, comparisons.other_report) "
                     "AND r.audited_at > comparisons.computed_at)", [VERSION])
        have = set(conn.execute("SELECT other_report, report FROM comparisons").fetchall())
        pairs = [p for p in consecutive_pairs(conn) if p not in have]
        cache: dict = {}
        for prev, cur in pairs:
            iid = conn.execute("SELECT issuer_id FROM report_issuers WHERE report = ?", [cur]).fetchone()
            record(conn, compare_shas(conn, prev, cur, cache), iid[0] if iid else None)
            cache = {cur: cache[cur]}  # the next pair usually starts from this one; keep memory flat
    return len(pairs)


# ----------------------------------------------------------------------------- terminal

def _pct(x: Optional[float]) -> str:
    return "—" if x is None else f"{x:.2f}"


def _change(d: CellDiff) -> str:
    if d.delta is None:
        return d.note
    sign = "+" if d.delta > 0 else ""
    return f"{sign}{format_number(d.delta)}"


def _rate(d: CellDiff) -> str:
    if d.pct is None:
        return ""
    return f"{'+' if d.pct > 0 else ''}{d.pct:.1f}%"


def print_terminal(comparisons: list[Comparison], console, max_diff: int = 6) -> None:
    from rich.markup import escape
    from rich.table import Table

    for c in comparisons:
        s = c.summary
        console.rule(f"[bold]{escape(c.a.label)} → {escape(c.b.label)}")
        console.print(f"发布机关：{escape(c.b.issuer or c.a.issuer or '未识别')}；文字相似度（一、五、六部分）{_pct(c.similarity)}"
                      f"{'（雷同）' if (c.similarity or 0) >= COPY_LEVEL else ''}；统计表共同单元格 {s['cells_compared']} 个，"
                      f"变化 {s['cells_changed']} 个，大幅变化 {s['big_jumps']} 个")
        for n in c.notes:
            console.print(f"[yellow]注意：{escape(n)}")
        if c.problems:
            t = Table(title="问题", title_justify="left", show_lines=False)
            for col in ("所在", "检查", "级别", "说明"):
                t.add_column(col, overflow="fold")
            for p in c.problems:
                t.add_row(c.where(p), p.check, SEVERITY_ZH.get(p.severity, p.severity), escape(p.text))
            console.print(t)
        else:
            console.print("问题：无")
        t = Table(title="各部分文字", title_justify="left")
        for col in ("部分", "相似度", "照抄比例", "删去句", "新增句"):
            t.add_column(col)
        for sec in c.sections:
            removed = sum(len(d["a"]) for d in sec.diff if d["op"] != "equal")
            added = sum(len(d["b"]) for d in sec.diff if d["op"] != "equal")
            t.add_row(sec.title, _pct(sec.similarity), f"{sec.copied_share:.0%}", str(removed), str(added))
        console.print(t)
        for sec in c.sections:
            changes = [d for d in sec.diff if d["op"] != "equal"][:max_diff]
            if not changes or sec.similarity is None:
                continue
            console.print(f"[bold]{sec.title}[/bold] 改动（前 {len(changes)} 处）：")
            for d in changes:
                for x in d["a"]:
                    console.print(f"  [red]− {escape(x[:120])}")
                for x in d["b"]:
                    console.print(f"  [green]+ {escape(x[:120])}")
        changed = c.changed
        if changed:
            t = Table(title=f"统计表变化（{len(changed)} 个单元格）", title_justify="left")
            for col in ("表", "行", "列", c.a.label, c.b.label, "变化", "变化率", ""):
                t.add_column(col, overflow="fold")
            for d in changed:
                t.add_row(d.table, d.row, d.col, d.shown_a, d.shown_b, _change(d), _rate(d),
                          "[bold red]大幅变化" if d.big else "")
            console.print(t)
        else:
            console.print("统计表：两份报告共同的单元格数值相同")


# ----------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
 margin:24px;color:#222;font-size:14px;line-height:1.6}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;border-bottom:2px solid #345;padding-bottom:2px;margin-top:28px}
h3{font-size:15px;margin:16px 0 6px}
.meta{color:#555} .sim{font-size:18px;font-weight:bold} .copyflag{color:#b00}
table{border-collapse:collapse;width:100%;margin:6px 0} th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top}
th{background:#eef2f6;text-align:left} th.k{white-space:nowrap} td.n{text-align:right;white-space:nowrap} td.k{white-space:nowrap}
.error{color:#b00;font-weight:bold} .warning{color:#a60} .info{color:#357}
.side{width:50%} .text{white-space:pre-wrap;word-break:break-all}
mark{background:#ffe08a} .big{background:#fdd;font-weight:bold} .kind{background:#e8e0f8}
.note{background:#fff6d6;border-left:4px solid #e0b000;padding:4px 8px;margin:4px 0}
.legend mark{padding:0 4px} .cmp{page-break-after:always}
.del{color:#b00} .ins{color:#070}
@media print{body{margin:0;font-size:11px} h2{page-break-after:avoid} tr{page-break-inside:avoid}}
"""


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in spans:
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _html_one(c: Comparison) -> str:
    e = html.escape
    s = c.summary
    parts = [f"<section class='cmp'><h1>{e(c.a.label)} → {e(c.b.label)}</h1>",
             f"<p class='meta'>发布机关：{e(c.b.issuer or c.a.issuer or '未识别')}　模板：{e(c.a.template or '—')} → "
             f"{e(c.b.template or '—')}</p>",
             f"<p><span class='sim'>文字相似度（一、五、六部分）{_pct(c.similarity)}</span>"
             f"{'<span class=copyflag>（雷同：≥ 0.90）</span>' if (c.similarity or 0) >= COPY_LEVEL else ''}　"
             f"统计表共同单元格 {s['cells_compared']} 个，变化 {s['cells_changed']} 个，"
             f"大幅变化（×5 或 ÷5）{s['big_jumps']} 个</p>"]
    parts += [f"<p class='note'>注意：{e(n)}</p>" for n in c.notes]
    parts.append("<h2>一、问题</h2>")
    if c.problems:
        parts.append("<table><tr><th>所在</th><th>检查</th><th>级别</th><th>说明</th><th class='k'>页码</th></tr>")
        for p in c.problems:
            parts.append(f"<tr><td class='k'>{e(c.where(p))}</td><td class='k'>{e(p.check)}</td>"
                         f"<td class='k {e(p.severity)}'>{e(SEVERITY_ZH.get(p.severity, p.severity))}</td>"
                         f"<td>{e(p.text)}</td><td class='n'>{'' if p.page is None else p.page}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>两份报告均未发现问题。</p>")
    parts.append("<h2>二、各部分文字对照</h2><p class='legend'>"
                 f"<mark>黄色底纹</mark> = 与另一份报告逐字相同的段落（连续 {MIN_RUN} 字以上）。"
                 "相似度按屏蔽数字、年份和本机关名称后的文字计算（与检查 X04 相同）；"
                 "上方的文字相似度是第一、五、六部分合计，即 X04 的数值。</p>")
    parts.append("<table><tr><th>部分</th><th>相似度</th><th>照抄比例</th></tr>")
    for sec in c.sections:
        parts.append(f"<tr><td>{e(sec.title)}</td><td class='n'>{_pct(sec.similarity)}</td>"
                     f"<td class='n'>{sec.copied_share:.0%}</td></tr>")
    parts.append("</table>")
    for sec in c.sections:
        if not sec.text_a.strip() and not sec.text_b.strip():
            parts.append(f"<h3>{e(sec.title)}</h3><p class='meta'>两份报告这一部分都没有正文（只有统计表）。</p>")
            continue
        removed = sum(len(d["a"]) for d in sec.diff if d["op"] != "equal")
        added = sum(len(d["b"]) for d in sec.diff if d["op"] != "equal")
        parts.append(f"<h3>{e(sec.title)}　相似度 {_pct(sec.similarity)}，照抄比例 {sec.copied_share:.0%}，"
                     f"删去 {removed} 句，新增 {added} 句</h3>")
        parts.append(f"<table><tr><th class='side'>{e(c.a.label)}</th><th class='side'>{e(c.b.label)}</th></tr>"
                     f"<tr><td class='text'>{_marked(sec.text_a, sec.copied_a) or '（无）'}</td>"
                     f"<td class='text'>{_marked(sec.text_b, sec.copied_b) or '（无）'}</td></tr></table>")
    parts.append("<h2>三、统计表逐格对照</h2>")
    changed = c.changed
    for table in TABLE_NAMES.values():
        rows = [d for d in changed if d.table == table]
        same = sum(1 for d in c.cells if d.table == table and not d.changed)
        parts.append(f"<h3>{e(table)}：变化 {len(rows)} 格，其余 {same} 格相同或无法比较</h3>")
        if not rows:
            continue
        parts.append("<table><colgroup><col style='width:34%'><col style='width:14%'><col style='width:14%'>"
                     "<col style='width:14%'><col style='width:14%'><col style='width:10%'></colgroup>"
                     f"<tr><th>行</th><th>列</th><th>{e(c.a.label)}</th><th>{e(c.b.label)}</th>"
                     "<th>变化</th><th>变化率</th></tr>")
        for d in rows:
            cls = " class='big'" if d.big else (" class='kind'" if d.note else "")
            parts.append(f"<tr{cls}><td>{e(d.row)}</td><td>{e(d.col)}</td><td class='n'>{e(d.shown_a)}</td>"
                         f"<td class='n'>{e(d.shown_b)}</td><td class='n'>{e(_change(d))}"
                         f"{'（大幅变化）' if d.big else ''}</td><td class='n'>{e(_rate(d))}</td></tr>")
        parts.append("</table>")
    parts.append("<p class='meta'>“（空白）”= 报告上此格空白；“（未读出）”= 该报告没有这一格或未能读出；"
                 "空白、0 与“/”分开显示，不互相折算。</p></section>")
    return "\n".join(parts)


def render_html(comparisons: list[Comparison], title: str = "年度报告对比") -> str:
    """One self-contained, printable HTML page (no scripts, no external files)."""
    body = "\n".join(_html_one(c) for c in comparisons) or "<p>没有可比较的报告。</p>"
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n")
