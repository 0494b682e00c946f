"""Cross-year checks (spec §C.9, X01–X07) and copied text across reports, over the SQLite store.

    flags = run_crossyear(db, sha256)   # after store.save_report(db, report), in the writer process

A report is compared with every stored report of the same issuer (extractor/issuers.py) for the
year before and the year after, whichever of the two was stored first: adding 2024 then 2023 gives
the same flags as 2023 then 2024. Its sections 一/五/六 are also compared with every other issuer's
report of the same year (X04 at info level: boilerplate shared across departments).

Storage: `crossyear_flags` holds one row per finding about a PAIR of reports: `report` is the later
report (for the same-year comparison: the one with the smaller sha256) and `other_report` the
earlier one. store._delete removes every row that names a report when that report is re-audited or
removed, and run_crossyear deletes and recomputes every pair of the report it is given (and of
reports whose issuer changed), so nothing stale survives and re-auditing either side of a pair
recomputes it. `crossyear_text` keeps a MinHash signature of each report's masked sections
一/五/六 and `crossyear_lsh` its LSH band buckets: finding same-year look-alikes is an indexed
lookup, never a comparison of all pairs of texts.

X04 text similarity: sections 一、五、六 with whitespace removed, digits, years and the issuer's own
name masked, then the Jaccard index of the sets of character 5-grams. Between two years of one
issuer it is computed exactly; between issuers of the same year it is estimated from 128-value
MinHash signatures (error about ±0.04), after LSH (32 bands × 4 rows) has picked the candidates.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

from .. import issuers as I
from ..schema import replace_views
from ..status import READ_STATUSES

NGRAM = 5
X04_WARN = 0.80  # spec: ≥ 0.8 warning
X04_HIGH = 0.95  # spec: ≥ 0.95 "error-worthy", reported as a warning with the score
PEER_MIN = 0.80  # same year, other issuer: info from this (MinHash estimate)
MIN_CHARS = 100  # masked characters of 一+五+六 below which similarity means nothing ("无。")
MIN_CHARS_SEC5 = 60
N_PERM, BANDS = 128, 32
ROWS = N_PERM // BANDS
_PRIME = (1 << 32) + 15  # a prime above every crc32 value
SIG_VERSION = 1  # bump when masking or hashing changes: stored signatures are then recomputed

APPLICANT_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
COL_ZH = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构",
          "social_welfare": "社会公益组织", "legal_service": "法律服务机构", "other_org": "其他", "total": "总计"}
T1_ROWS_ZH = {"regulations": "规章", "normative_docs": "行政规范性文件"}
TEXT_SECTIONS = ("overview", "problems", "other")

# The X block of the check catalog (spec §C.9). rules/checks.toml holds §C.1–C.8 for the
# per-report engine; these run over pairs of stored reports, so they are described here.
def _catalog() -> dict[str, dict]:
    """The cross-year entries of rules/checks.toml (one source of truth with the engine)."""
    from .engine import load_catalog
    return {cid: {"severity": s.severity, "message": s.message, "variants": s.variants}
            for cid, s in load_catalog().checks.items() if s.pairwise}


@dataclass
class CrossFlag:
    check: str
    severity: str
    message: str  # Chinese, names both reports
    report: str  # sha256 of the later report (same-year pairs: the smaller sha256)
    other_report: str
    scope: str  # "year" (Y−1 vs Y, same issuer) | "peer" (same year, other issuer)
    report_year: Optional[int] = None
    other_year: Optional[int] = None
    issuer_id: Optional[int] = None
    score: Optional[float] = None
    cells: list[str] = field(default_factory=list)  # keys in `report`
    other_cells: list[str] = field(default_factory=list)  # keys in `other_report`

    @property
    def fingerprint(self) -> str:
        basis = "|".join([self.check, self.scope, self.report, self.other_report, ",".join(sorted(self.cells)),
                          ",".join(sorted(self.other_cells))])
        return hashlib.sha1(basis.encode()).hexdigest()[:16]

    def to_json(self) -> dict:
        return {"check": self.check, "severity": self.severity, "message": self.message, "report": self.report,
                "other_report": self.other_report, "scope": self.scope, "report_year": self.report_year,
                "other_year": self.other_year, "score": self.score, "cells": self.cells,
                "other_cells": self.other_cells, "fingerprint": self.fingerprint}


# ----------------------------------------------------------------------------- schema



def _conn(db):
    return getattr(db, "conn", db)


# ----------------------------------------------------------------------------- one stored report

@dataclass
class Stored:
    sha: str
    name: str
    year: Optional[int]
    template: Optional[str]
    status: str
    issuer_id: Optional[int]
    issuer_name: Optional[str]
    issuer_kind: Optional[str]
    cells: dict  # key → number (blank and text count as 0)
    texts: dict  # section → text (headings left out)
    names: list  # strings masked as the issuer's own name
    printed: Optional[str] = None  # the issuer's name as this report prints it

    @property
    def label(self) -> str:
        return f"{self.year}年《{self.name}》" if self.year else f"《{self.name}》"


def _load(conn, sha: str, cache: dict) -> Optional[Stored]:
    if sha in cache:
        return cache[sha]
    row = conn.execute("SELECT name, report_year, template, status, issuer, title FROM reports WHERE sha256 = ?",
                       [sha]).fetchone()
    if row is None:
        cache[sha] = None
        return None
    iss = conn.execute("SELECT i.id, i.name, i.kind, ri.body, ri.chain, ri.printed FROM report_issuers ri "
                       "LEFT JOIN issuers i ON i.id = ri.issuer_id WHERE ri.report = ?", [sha]).fetchone()
    cells = {k: (n if n is not None else 0) for k, n in conn.execute(
        "SELECT key, number FROM cells WHERE report = ?", [sha])}
    texts: dict[str, list[str]] = {}
    for sec, text in conn.execute("SELECT section, text FROM paragraphs WHERE report = ? AND NOT is_heading "
                                  "ORDER BY idx", [sha]):
        texts.setdefault(sec, []).append(text or "")
    # the report's own names only (not the issuer's other aliases), so that its masked text, and the
    # signature stored for it, depend on nothing but the report
    names = {row[4] or ""}
    if iss:
        chain = json.loads(iss[4] or "[]")
        names |= {iss[5] or "", "".join(chain) + (iss[3] or ""), *chain}
    names = sorted({I.normalise_name(n) for n in names if n and len(I.normalise_name(n)) >= 2}, key=len,
                   reverse=True)
    s = Stored(sha, row[0] or sha[:12], row[1], row[2], row[3] or "", iss[0] if iss else None,
               iss[1] if iss else None, iss[2] if iss else None, cells,
               {k: "\n".join(v) for k, v in texts.items()}, names, iss[5] if iss else row[4])
    cache[sha] = s
    return s


# ----------------------------------------------------------------------------- text similarity

_YEAR = re.compile(r"(?:19|20)\d{2}\s*年?|[〇○零一二三四五六七八九]{4}\s*年")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_SELF = re.compile(r"[我本](?:局|委|厅|办|区|市|县|镇|乡|街道|中心|院|会|署|单位|机关|部门)"
                   r"|[省市县区镇乡](?:人民)?政府(?:办公[室厅])?")


def mask(text: str, names: Iterable[str] = ()) -> str:
    """Text for comparison: no whitespace; years → 年, other numbers → #, the issuer's own names and
    self-references (我局, 区政府) → □."""
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r"\s+", "", s)
    for n in names:
        if n:
            s = s.replace(n, "□")
    s = _YEAR.sub("年", s)
    s = _NUM.sub("#", s)
    s = _SELF.sub("□", s)
    return s


def shingles(masked: str, n: int = NGRAM) -> set[str]:
    return {masked[i:i + n] for i in range(len(masked) - n + 1)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _masked_sections(s: Stored) -> dict[str, str]:
    return {k: mask(s.texts.get(k, ""), s.names) for k in TEXT_SECTIONS}


def _combined(m: dict[str, str]) -> str:
    return "¶".join(m[k] for k in TEXT_SECTIONS)


@lru_cache(maxsize=1)
def _perms():
    import numpy as np

    rng = np.random.default_rng(20240601)
    a = rng.integers(1, 1 << 31, size=N_PERM, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=N_PERM, dtype=np.uint64)
    return a, b


def minhash(sh: set[str]):
    """N_PERM-value MinHash signature (numpy uint64) of a set of shingles."""
    import numpy as np

    a, b = _perms()
    h = np.fromiter((zlib.crc32(x.encode("utf-8")) for x in sh), dtype=np.uint64, count=len(sh))
    out = np.empty(N_PERM, dtype=np.uint64)
    step = 4096
    out[:] = np.iinfo(np.uint64).max
    for i in range(0, len(h), step):
        part = (a[:, None] * h[None, i:i + step] + b[:, None]) % np.uint64(_PRIME)
        np.minimum(out, part.min(axis=1), out=out)
    return out


def _bands(sig) -> list[int]:
    return [zlib.crc32(sig[k * ROWS:(k + 1) * ROWS].tobytes()) ^ (k << 24) for k in range(BANDS)]


def _update_text(conn, s: Stored) -> None:
    import numpy as np

    conn.execute("DELETE FROM crossyear_lsh WHERE report = ?", [s.sha])
    conn.execute("DELETE FROM crossyear_text WHERE report = ?", [s.sha])
    combined = _combined(_masked_sections(s)) if s.status in READ_STATUSES else ""
    sig = None
    if s.year is not None and len(combined) >= MIN_CHARS:
        sig = minhash(shingles(combined))
        conn.executemany("INSERT INTO crossyear_lsh (report, report_year, band, bucket) VALUES (?, ?, ?, ?)",
                         [(s.sha, s.year, k, b) for k, b in enumerate(_bands(sig))])
    conn.execute("INSERT INTO crossyear_text (report, report_year, n_chars, minhash, version, computed_at) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 [s.sha, s.year, len(combined), None if sig is None else sig.astype(np.uint64).tobytes(),
                  SIG_VERSION, time.strftime("%Y-%m-%dT%H:%M:%S")])


def _peer_candidates(conn, s: Stored, sig) -> list[tuple[str, bytes]]:
    """Same-year reports sharing at least one LSH band with this one (indexed lookups)."""
    found: set[str] = set()
    for band, bucket in enumerate(_bands(sig)):
        found.update(r for (r,) in conn.execute(
            "SELECT report FROM crossyear_lsh WHERE report_year = ? AND band = ? AND bucket = ?",
            [s.year, band, bucket]))
    found.discard(s.sha)
    out: list[tuple[str, bytes]] = []
    shas = sorted(found)
    for k in range(0, len(shas), 500):
        part = shas[k:k + 500]
        out += conn.execute(f"SELECT report, minhash FROM crossyear_text WHERE report IN ({','.join('?' * len(part))}) "
                            "AND minhash IS NOT NULL ORDER BY report", part).fetchall()
    return out


# ----------------------------------------------------------------------------- the checks

def _fmt(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _flag(check: str, later: Stored, earlier: Stored, scope: str = "year", variant: Optional[str] = None,
          severity: Optional[str] = None, cells: Iterable[str] = (), other_cells: Iterable[str] = (),
          score: Optional[float] = None, **fields) -> CrossFlag:
    spec = _catalog()[check]
    template = spec["variants"][variant] if variant else spec["message"]
    if scope == "year":
        who = f"（本报告 {later.label}，上一年报告 {earlier.label}）"
    else:
        # the names as printed (not the issuer's display name, which a later regrouping may change)
        who = f"（{later.label}，{later.printed or '发布机关未识别'}；{earlier.label}，" \
              f"{earlier.printed or '发布机关未识别'}）"
    return CrossFlag(check, severity or spec["severity"], f"{check} {template.format(**fields)}{who}",
                     later.sha, earlier.sha, scope, later.year, earlier.year, later.issuer_id,
                     None if score is None else round(score, 3), list(cells), list(other_cells))


def _has(s: Stored, key: str) -> bool:
    return key in s.cells


def check_pair(prev: Stored, cur: Stored) -> list[CrossFlag]:
    """X01–X07 for two reports of one issuer, prev for year Y−1 and cur for year Y."""
    out: list[CrossFlag] = []
    a, b = "t2.carry_forward", "t2.carried_over"
    # X01 / X02: carry-over chain
    if _has(prev, f"{a}.total") and _has(cur, f"{b}.total"):
        p, c = prev.cells[f"{a}.total"], cur.cells[f"{b}.total"]
        if p != c:
            out.append(_flag("X01", cur, prev, cells=[f"{b}.total"], other_cells=[f"{a}.total"],
                             this=_fmt(c), prev=_fmt(p)))
    for col in APPLICANT_COLS:
        if _has(prev, f"{a}.{col}") and _has(cur, f"{b}.{col}"):
            p, c = prev.cells[f"{a}.{col}"], cur.cells[f"{b}.{col}"]
            if p != c:
                out.append(_flag("X02", cur, prev, cells=[f"{b}.{col}"], other_cells=[f"{a}.{col}"],
                                 col=COL_ZH[col], this=_fmt(c), prev=_fmt(p)))
    # X03: 现行有效 stock-flow (needs the 现行有效 column in both years)
    if prev.template != "v2019":
        for row, zh in T1_ROWS_ZH.items():
            keys = [f"t1.{row}.valid", f"t1.{row}.made", f"t1.{row}.repealed"]
            if not (_has(prev, keys[0]) and all(_has(cur, k) for k in keys)):
                continue
            v0, v, made, rep = prev.cells[keys[0]], cur.cells[keys[0]], cur.cells[keys[1]], cur.cells[keys[2]]
            expected = v0 + made - rep
            if v != expected:
                out.append(_flag("X03", cur, prev, cells=keys, other_cells=[keys[0]], row=zh, prev=_fmt(v0),
                                 made=_fmt(made), repealed=_fmt(rep), expected=_fmt(expected), valid=_fmt(v)))
    # X04: copied text
    mp, mc = _masked_sections(prev), _masked_sections(cur)
    cp, cc = _combined(mp), _combined(mc)
    if min(len(cp), len(cc)) >= MIN_CHARS:
        score = jaccard(shingles(cp), shingles(cc))
        ok5 = min(len(mp["problems"]), len(mc["problems"])) >= MIN_CHARS_SEC5
        score5 = jaccard(shingles(mp["problems"]), shingles(mc["problems"])) if ok5 else None
        top = max(score, score5 or 0.0)
        if top >= X04_WARN:
            out.append(_flag("X04", cur, prev, score=top, sim=f"{score:.2f}",
                             sim5="无法比较" if score5 is None else f"{score5:.2f}",
                             high="，几乎逐字相同" if top >= X04_HIGH else ""))
    # X05: identical numbers
    keys = sorted(k for k in set(prev.cells) | set(cur.cells)
                  if k.startswith(("t2.", "t3.")) and (prev.cells.get(k) or cur.cells.get(k)))
    if keys and all(k in prev.cells and k in cur.cells and prev.cells[k] == cur.cells[k] for k in keys):
        out.append(_flag("X05", cur, prev, cells=keys, other_cells=keys, n=len(keys)))
    # X06: template regression
    if prev.template == "v2021" and cur.template == "v2019":
        out.append(_flag("X06", cur, prev))
    # X07: last year's problems not followed up (government reports)
    if cur.issuer_kind == "government":
        phrases = problem_phrases(prev.texts.get("problems", ""))
        now = re.sub(r"\s+", "", cur.texts.get("problems", ""))
        if phrases and len(now) >= 20 and not any(p in now for p in phrases):
            out.append(_flag("X07", cur, prev, phrases="、".join(phrases[:6])))
    return out


# ----------------------------------------------------------------------------- X07 phrases

_MEASURE = re.compile(r"下一步|改进措施|整改措施|针对(?:上述|存在|以上|这些|此)|将采取|加以改进|拟从"
                      r"|(?:我们|我[局委厅办区市县镇乡]|本[局委厅办]|[市区县]政府)(?:将|要|会)")
_PROBLEM = re.compile(r"有待|不足|不够|欠缺|尚需|还需|仍需|需进一步|需要进一步|薄弱|单一|不高|不强|滞后|不到位"
                      r"|差距|短板|不规范|不完善|不及时|不精确|不准确|较少|较弱|不深入|不全面|问题")
_GENERIC = set("""政府信息公开 政府信息 信息公开 政务公开 公开 工作 问题 不足 存在 一定 差距 方面 进一步 有待 提高 提升 加强
需要 部分 个别 主要 对照 上级 要求 群众 期盼 取得 成绩 成效 虽然 但是 仍然 还有 一些 以下 几个 主要是 表现 具体
情况 水平 能力 政府 信息 单位 部门 我局 我区 我市 我县 全区 全市 全县 本年度 年度 今年 去年 当前 目前 不够 尚需
还需 仍需 有待于 完善 加大 力度 深化 推进 不断 持续 较为 比较 有所 形式 内容 质量 进一步加强 规范 不高 不强
单一 薄弱 滞后 欠缺 较少 较弱 存在的问题 主要问题 以下几个方面 一是 二是 三是 四是 五是 政府信息公开工作
信息公开工作 政务公开工作 实验区 新区 开发区 缺少 多个 多种 一些 有些 个别部门 部分单位""".split())
_INTRO = re.compile(r"取得|成绩|成效|^[^，,]*存在(?:一些|以下|的|着)?(?:问题|不足)")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def problem_phrases(text: str) -> list[str]:
    """Noun-like phrases naming last year's problems: the clauses of section 五 before the
    improvement measures that carry a problem cue, cut by jieba; adjacent content words joined
    (重点领域 + 信息公开深度 …) and single content words of four characters or more."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    m = _MEASURE.search(t)
    part = t[:m.start()] if m else t
    if not part:
        return []
    from ..segment import segment

    phrases: list[str] = []
    for clause in re.split(r"[。；;！!？?：:]|[一二三四五六七八九十]是", part):
        if not _PROBLEM.search(clause) or _INTRO.search(clause):
            continue
        words = segment(clause).split()
        content = [bool(_CJK.match(w)) and len(w) >= 2 and w not in _GENERIC for w in words]
        for k, w in enumerate(words):
            if content[k] and k + 1 < len(words) and content[k + 1]:
                phrases.append(w + words[k + 1])
            if content[k] and len(w) >= 4:
                phrases.append(w)
    return list(dict.fromkeys(phrases))


# ----------------------------------------------------------------------------- pairs and peers

def _meta(conn, sha: str) -> Optional[Stored]:
    """A stored report without cells and text (for naming a same-year look-alike)."""
    row = conn.execute(
        "SELECT r.name, r.report_year, r.template, r.status, i.id, i.name, i.kind, "
        "COALESCE(ri.printed, r.issuer) FROM reports r "
        "LEFT JOIN report_issuers ri ON ri.report = r.sha256 LEFT JOIN issuers i ON i.id = ri.issuer_id "
        "WHERE r.sha256 = ?", [sha]).fetchone()
    if row is None:
        return None
    return Stored(sha, row[0] or sha[:12], row[1], row[2], row[3] or "", row[4], row[5], row[6], {}, {}, [], row[7])


def _peer_flags(conn, s: Stored) -> list[CrossFlag]:
    import numpy as np

    row = conn.execute("SELECT minhash FROM crossyear_text WHERE report = ?", [s.sha]).fetchone()
    if not row or row[0] is None:
        return []
    sig = np.frombuffer(row[0], dtype=np.uint64)
    cands = _peer_candidates(conn, s, sig)
    if not cands:
        return []
    sims = (np.frombuffer(b"".join(blob for _, blob in cands), dtype=np.uint64).reshape(len(cands), N_PERM)
            == sig).mean(axis=1)
    out = []
    for (other, _), est in zip(cands, sims):
        if est < PEER_MIN:
            continue
        o = _meta(conn, other)
        if o is None or o.status not in READ_STATUSES or o.year != s.year:
            continue
        if s.issuer_id is not None and o.issuer_id == s.issuer_id:
            continue  # the same issuer twice in one year (a duplicate file), not boilerplate
        a, b = sorted([s, o], key=lambda r: r.sha)
        out.append(_flag("X04", a, b, scope="peer", variant="peer", severity="info", score=float(est),
                         sim=f"{est:.2f}"))
    return out


def neighbours(conn, s: Stored) -> list[str]:
    """Stored readable reports of the same issuer for the years Y−1 and Y+1."""
    if s.issuer_id is None or s.year is None:
        return []
    return [sha for (sha,) in conn.execute(
        "SELECT r.sha256 FROM report_issuers ri JOIN reports r ON r.sha256 = ri.report WHERE ri.issuer_id = ? "
        "AND r.report_year IN (?, ?) AND r.status IN ('ok', 'partial') ORDER BY r.report_year, r.sha256",
        [s.issuer_id, s.year - 1, s.year + 1])]


def _recompute(conn, sha: str, cache: dict) -> None:
    """Delete and recompute every pair that involves this report."""
    conn.execute("DELETE FROM crossyear_flags WHERE report = ? OR other_report = ?", [sha, sha])
    s = _load(conn, sha, cache)
    if s is None or s.status not in READ_STATUSES or s.year is None:
        return
    flags: list[CrossFlag] = []
    for n_sha in neighbours(conn, s):
        n = _load(conn, n_sha, cache)
        prev, cur = (n, s) if n.year < s.year else (s, n)
        flags += check_pair(prev, cur)
    flags += _peer_flags(conn, s)
    _insert(conn, flags)


def _insert(conn, flags: list[CrossFlag]) -> None:
    conn.executemany(
        "INSERT INTO crossyear_flags (check_id, severity, message, report, other_report, scope, issuer_id, "
        "report_year, other_year, score, cells, other_cells, fingerprint) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(f.check, f.severity, f.message, f.report, f.other_report, f.scope, f.issuer_id, f.report_year,
          f.other_year, f.score, json.dumps(f.cells), json.dumps(f.other_cells), f.fingerprint) for f in flags])


def _forget(conn, sha: str) -> None:
    for t, col in (("crossyear_flags", "report"), ("crossyear_flags", "other_report"), ("crossyear_text", "report"),
                   ("crossyear_lsh", "report"), ("report_issuers", "report")):
        conn.execute(f"DELETE FROM {t} WHERE {col} = ?", [sha])


def flags_for(db, sha: str) -> list[CrossFlag]:
    """Every stored cross-report flag that names this report (on either side)."""
    rows = _conn(db).execute(
        "SELECT check_id, severity, message, report, other_report, scope, report_year, other_year, issuer_id, "
        "score, cells, other_cells FROM crossyear_flags WHERE report = ? OR other_report = ? "
        "ORDER BY check_id, report_year, other_year, report, other_report, id", [sha, sha]).fetchall()
    return [CrossFlag(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], json.loads(r[10] or "[]"),
                      json.loads(r[11] or "[]")) for r in rows]


# ----------------------------------------------------------------------------- entry points

def run_crossyear(db, sha256: str) -> list[CrossFlag]:
    """Cross-report checks for one stored report: link its issuer, then recompute every pair with
    its neighbour years (same issuer, Y−1 and Y+1) and its same-year look-alikes, in either order of
    arrival. Call it after store.save_report in the writer process. One transaction. Returns every
    cross-report flag that now names this report."""
    conn = _conn(db)
    with conn:
        if conn.execute("SELECT 1 FROM reports WHERE sha256 = ?", [sha256]).fetchone() is None:
            _forget(conn, sha256)
            return []
        affected = {sha256} | I.link_reports(conn, [sha256])
        cache: dict = {}
        _update_text(conn, _load(conn, sha256, cache))
        for sha in sorted(affected):
            _recompute(conn, sha, cache)
    return flags_for(conn, sha256)


def sync(db, full: bool = False, relink: bool = False) -> dict:
    """Bring a whole database up to date: link reports that have no issuer yet, and run the
    cross-report checks for reports that have not been through them (all of them with full=True;
    relink=True also recomputes every issuer, e.g. after editing rules/issuer_aliases.toml).
    Returns counts."""
    conn = _conn(db)
    with conn:
        changed = I.relink_all(conn) if relink else I.link_missing(conn)
        stale = [s for (s,) in conn.execute(
            "SELECT r.sha256 FROM reports r LEFT JOIN crossyear_text t ON t.report = r.sha256 "
            "WHERE t.report IS NULL OR t.version IS NOT ? ORDER BY r.sha256", [SIG_VERSION])]
        conn.execute("DELETE FROM crossyear_flags WHERE report NOT IN (SELECT sha256 FROM reports) "
                     "OR other_report NOT IN (SELECT sha256 FROM reports)")
    todo = [s for (s,) in conn.execute("SELECT sha256 FROM reports ORDER BY sha256")] if full \
        else sorted(set(stale) | changed)
    cache: dict = {}
    for sha in todo:  # signatures first, so that the same-year lookups see every report
        with conn:
            _update_text(conn, _load(conn, sha, cache))
    for sha in todo:
        with conn:
            _recompute(conn, sha, cache)
    n = conn.execute("SELECT COUNT(*) FROM crossyear_flags").fetchone()[0]
    return {"reports": len(todo), "issuers_changed": len(changed), "flags": n}


# ----------------------------------------------------------------------------- coverage

def coverage(db, link: bool = True) -> dict:
    """Issuers × years: {"years": [...], "rows": [{issuer_id, name, level, kind, years: {year: n},
    missing: [...], no_year: n}], "unidentified": {year: n}}. Missing = a year between the issuer's
    first and last report without a report."""
    conn = _conn(db)
    if link:
        with conn:
            I.link_missing(conn)
    have_links = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'report_issuers'").fetchone()
    rows: dict[int, dict] = {}
    years: set[int] = set()
    if have_links:
        for iid, name, level, kind, year, n in conn.execute(
                "SELECT i.id, i.name, i.level, i.kind, r.report_year, COUNT(*) FROM report_issuers ri "
                "JOIN issuers i ON i.id = ri.issuer_id JOIN reports r ON r.sha256 = ri.report "
                "GROUP BY i.id, r.report_year"):
            row = rows.setdefault(iid, {"issuer_id": iid, "name": name, "level": level, "kind": kind,
                                        "years": {}, "no_year": 0})
            if year is None:
                row["no_year"] += n
            else:
                row["years"][year] = n
                years.add(year)
    unidentified: dict = {}
    sql = ("SELECT report_year, COUNT(*) FROM reports WHERE sha256 NOT IN (SELECT report FROM report_issuers "
           "WHERE issuer_id IS NOT NULL) GROUP BY report_year") if have_links else \
        "SELECT report_year, COUNT(*) FROM reports GROUP BY report_year"
    for year, n in conn.execute(sql):
        unidentified[year] = n
        if year is not None:
            years.add(year)
    for row in rows.values():
        ys = sorted(row["years"])
        row["missing"] = [y for y in range(ys[0], ys[-1] + 1) if y not in row["years"]] if ys else []
    span = list(range(min(years), max(years) + 1)) if years else []
    ordered = sorted(rows.values(), key=lambda r: (r["name"], r["issuer_id"]))
    return {"years": span, "rows": ordered, "unidentified": unidentified}


def coverage_cell(row: dict, year: int) -> str:
    n = row["years"].get(year, 0)
    if n:
        return "✓" if n == 1 else f"✓×{n}"
    return "缺" if year in row["missing"] else ""


# ----------------------------------------------------------------------------- views (datasette)

def _level_case(col: str) -> str:
    return "CASE " + col + " " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in I.LEVEL_ZH.items() if k) + \
        " ELSE '未知' END"


def _kind_case(col: str) -> str:
    return "CASE " + col + " " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in I.KIND_ZH.items() if k) + \
        " ELSE '未知' END"


def view_sql(db) -> dict[str, str]:
    conn = _conn(db)
    years = [y for (y,) in conn.execute(
        "SELECT DISTINCT r.report_year FROM reports r JOIN report_issuers ri ON ri.report = r.sha256 "
        "WHERE r.report_year IS NOT NULL ORDER BY 1")]
    span = list(range(years[0], years[-1] + 1)) if years else []
    views = {}
    views["issuer_coverage"] = f"""WITH RECURSIVE span(issuer_id, y, last) AS (
  SELECT ri.issuer_id, MIN(r.report_year), MAX(r.report_year)
  FROM report_issuers ri JOIN reports r ON r.sha256 = ri.report
  WHERE r.report_year IS NOT NULL AND ri.issuer_id IS NOT NULL GROUP BY ri.issuer_id
  UNION ALL SELECT issuer_id, y + 1, last FROM span WHERE y < last
),
have AS (
  SELECT ri.issuer_id, r.report_year AS y, COUNT(*) AS n, group_concat(r.name, '；') AS files
  FROM report_issuers ri JOIN reports r ON r.sha256 = ri.report
  WHERE r.report_year IS NOT NULL GROUP BY ri.issuer_id, r.report_year
)
SELECT i.id AS 机关编号, i.name AS 发布机关, {_level_case('i.level')} AS 级别, {_kind_case('i.kind')} AS 类型,
  s.y AS 年度, COALESCE(h.n, 0) AS 报告数, CASE WHEN h.n IS NULL THEN '缺失' ELSE '有' END AS 状态,
  h.files AS 文件
FROM span s JOIN issuers i ON i.id = s.issuer_id
LEFT JOIN have h ON h.issuer_id = s.issuer_id AND h.y = s.y
ORDER BY i.name, i.id, s.y"""
    cols = ",\n  ".join(
        f"""CASE WHEN SUM(r.report_year = {y}) > 1 THEN '✓×' || SUM(r.report_year = {y})
    WHEN SUM(r.report_year = {y}) = 1 THEN '✓'
    WHEN MIN(r.report_year) < {y} AND MAX(r.report_year) > {y} THEN '缺' ELSE '' END AS "{y}年\"""" for y in span)
    views["issuer_coverage_matrix"] = f"""SELECT i.id AS 机关编号, i.name AS 发布机关, {_level_case('i.level')} AS 级别,
  {_kind_case('i.kind')} AS 类型, COUNT(*) AS 报告数{',' if span else ''}
  {cols}
FROM issuers i JOIN report_issuers ri ON ri.issuer_id = i.id JOIN reports r ON r.sha256 = ri.report
GROUP BY i.id
ORDER BY i.name, i.id"""
    views["issuer_reports"] = f"""SELECT i.id AS 机关编号, i.name AS 发布机关, {_level_case('i.level')} AS 级别,
  {_kind_case('i.kind')} AS 类型, r.report_year AS 年度, ri.printed AS 报告所印名称, r.name AS 文件,
  r.status AS 读取状态, r.sha256 AS 报告
FROM report_issuers ri JOIN issuers i ON i.id = ri.issuer_id JOIN reports r ON r.sha256 = ri.report
ORDER BY i.name, i.id, r.report_year, r.name"""
    views["crossyear_flag_list"] = """SELECT f.check_id AS 检查,
  CASE f.severity WHEN 'error' THEN '错误' WHEN 'warning' THEN '警告' ELSE '提示' END AS 级别,
  CASE f.scope WHEN 'year' THEN '与上一年' ELSE '同年度其他机关' END AS 比较,
  f.message AS 说明, f.score AS 相似度, i.name AS 发布机关,
  f.report_year AS 年度, r1.name AS 文件, f.other_year AS 对比年度, r2.name AS 对比文件,
  f.cells AS 涉及单元格, f.other_cells AS 对比单元格, f.fingerprint AS 标记指纹,
  f.report AS 报告, f.other_report AS 对比报告
FROM crossyear_flags f
JOIN reports r1 ON r1.sha256 = f.report JOIN reports r2 ON r2.sha256 = f.other_report
LEFT JOIN issuers i ON i.id = f.issuer_id
ORDER BY f.check_id, i.name, f.report_year"""
    return views


VIEW_NAMES = ("issuer_coverage", "issuer_coverage_matrix", "issuer_reports", "crossyear_flag_list")


def ensure_crossyear_views(db, link: bool = True) -> list[str]:
    """Create the cross-report tables (if missing), link reports that have no issuer yet (link=True)
    and (re)create the views: issuer_coverage (issuer × year, one row per year from the issuer's
    first to last report, 状态 有/缺失), issuer_coverage_matrix (one row per issuer, one column per
    year: ✓ / ✓×n / 缺), issuer_reports and crossyear_flag_list. Needs a writable connection."""
    conn = _conn(db)
    with conn:
        if link:
            I.link_missing(conn)
        replace_views(conn, view_sql(conn))
    return list(VIEW_NAMES)
