"""Issuer identity: which reports come from the same 发布机关.

A printed issuer name is split into a chain of region tokens and a body:

    淮安市洪泽区人民政府   → chain (淮安市, 洪泽区), body 人民政府   (county government)
    洪泽区人民政府         → chain (洪泽区,),        body 人民政府   (same issuer, parent not printed)
    某市公安局 / 某县公安局 → chains (某市,) / (某县,), body 公安局   (different issuers)
    平潭综合实验区(管委会)  → chain (平潭综合实验区,), body "" or 管委会: both the zone's government

Matching is conservative. Two reports are the same issuer only when
- their bodies agree after canonicalisation (人民政府 = 政府 = 管委会 = "" for the government itself;
  政府办公室 = 人民政府办公室), and
- one region chain is a suffix of the other (a parent-region prefix is dropped), and that prefix is
  consistent: a short chain that fits two different longer chains (鼓楼区 under 南京市 and under
  福州市) is merged with neither. There is no fuzzy similarity anywhere.
A name without any region (公安局, 区教育局) matches nothing, except national bodies (国家…, …部),
whose names are unique. The title gives the name; the preamble and the signature only supply a
parent region that the title leaves out ("本报告由淮安市洪泽区人民政府办公室…编制" → 淮安市), and
only when they name exactly one. rules/issuer_aliases.toml settles what rules cannot.

Database: `issuers` (id, name, level, kind, aliases, key) and `report_issuers` (one row per report:
the parsed name and its issuer_id). Grouping is recomputed from all stored names of a group
(same last region token and body) whenever one of them changes, so the result does not depend on
the order in which reports were added. Reports whose issuer changes are returned to the caller
(checks/crossyear.py recomputes their pairs).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .resources import rules_path

LEVELS = ("central", "province", "city", "county", "township")
LEVEL_ZH = {"central": "中央", "province": "省级", "city": "市级", "county": "县级", "township": "乡镇级",
            None: "未知"}
KINDS = ("government", "department")
KIND_ZH = {"government": "政府", "department": "部门", None: "未知"}
ALIAS_FILE = rules_path("issuer_aliases.toml")
GOV = "#gov"  # canonical body of a region's own government (人民政府, 政府, 管委会, 办事处, nothing)

# ----------------------------------------------------------------------------- parsing names

# (suffix, level, longest stem): tried longest suffix first at each position
_SUFFIXES = [
    ("特别行政区", "province", 4), ("自治区", "province", 6), ("自治州", "city", 10), ("自治县", "county", 10),
    ("自治旗", "county", 8), ("地区", "city", 6), ("林区", "county", 4), ("街道", "township", 6),
    ("苏木", "township", 6), ("省", "province", 4), ("盟", "city", 6), ("市", "city", 6), ("州", "city", 5),
    ("区", "county", 10), ("县", "county", 6), ("旗", "county", 6), ("镇", "township", 6), ("乡", "township", 6),
]
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
# a suffix character followed by these starts a word, not the end of a place name (市场, 区域 ...)
_NOT_AFTER = {"市": "场容政民级直属委管区县辖长", "区": "域委级属直划长", "县": "域委级属直长", "州": "市区县",
              "省": "委级属直长", "镇": "长委", "乡": "长委村镇", "旗": "委"}
# one-character stems that make ordinary words, not places
_STOP_TOKENS = {"城市", "城乡", "社区", "园区", "景区", "市区", "山区", "县区", "市县", "省市", "全市", "全区",
                "全县", "全省", "本市", "本区", "本县", "我市", "我区", "我县", "各区", "各县", "各市", "辖区",
                "地区", "城镇", "乡镇", "小区", "街区", "老区", "片区", "校区", "营区", "厂区", "农村乡", "下乡"}
# characters that never occur in a place name but do in body names
_ORG_CHARS = set("局委办厅部处室队所站院会团党管督设务服障校司庭署心组科股")
# generic zone words: part of the preceding place, not a place of their own (苏州工业园区)
_GENERIC_ZONES = {"开发区", "经济开发区", "经济技术开发区", "高新区", "高新技术产业开发区", "高新技术开发区",
                  "工业园区", "产业园区", "新区", "综合保税区", "保税区", "旅游度假区", "度假区", "风景区",
                  "风景名胜区", "示范区", "实验区", "综合实验区", "工业区", "园区", "高新技术产业园区"}
_GOV_BODIES = {"", "人民政府", "政府", "管委会", "管理委员会", "人民政府办事处", "办事处", "街道办事处",
               "党工委管委会", "工委管委会", "管理委员会办公室"}
_TOWNSHIP_BODIES = {"", "人民政府", "政府", "办事处", "街道办事处", "人民政府办事处"}
_NATIONAL = re.compile(r"^(?:国家|国务院|中国|中华人民共和国|最高人民|全国)|^[^市区县省州]{2,8}部$")
_PUNCT = set("，。、；：:,.;（）()《》〈〉“”\"' \t\n")
# where a parent region printed before a place name starts ("本报告由淮安市洪泽区…")
_DELIMS = _PUNCT | set("由据经为是对在的及与向将把被从按照和")


def normalise_name(name: Optional[str]) -> str:
    """NFKC, no whitespace, no quotes or book-title marks, no bracketed remarks except 管委会."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"\s+", "", s)
    s = s.strip("《》〈〉“”\"'「」『』:：-—·")
    s = re.sub(r"\((管委会|管理委员会)\)", r"\1", s)  # 平潭综合实验区(管委会)
    s = re.sub(r"\([^()]{0,12}\)", "", s)  # （本级） (试行) ...
    return s


def canonical_body(body: str) -> str:
    b = body
    if b in _GOV_BODIES:
        return GOV
    if b.startswith("政府") and not b.startswith("政府信息"):
        b = "人民" + b  # 政府办公室 → 人民政府办公室
    if b in ("人民政府办", "政府办"):
        b = "人民政府办公室"
    return b


@dataclass(frozen=True)
class Identity:
    """One printed issuer name, parsed."""

    printed: str  # normalised printed name (what the report says)
    chain: tuple[str, ...]  # region tokens, outermost first (possibly extended from the preamble)
    levels: tuple[str, ...]  # level of each token
    body: str  # printed body after the regions ("" for the region's government)
    source: str = "title"  # title | signature | preamble | alias
    parent_from: Optional[str] = None  # text that supplied the parent region, if any
    overrides: dict = field(default_factory=dict, compare=False, hash=False)  # alias file: level, kind

    @property
    def body_key(self) -> str:
        return canonical_body(self.body)

    @property
    def kind(self) -> str:
        return self.overrides.get("kind") or ("government" if self.body_key == GOV else "department")

    @property
    def level(self) -> Optional[str]:
        if self.overrides.get("level"):
            return self.overrides["level"]
        if not self.chain:
            return "central" if self.national and not re.search(r"[省市县区州镇乡]", self.body) else None
        return self.levels[-1]

    @property
    def issuer_type(self) -> str:
        """The issuer types of 条例第四十九条's deadlines (check D04): township (乡镇人民政府,
        街道办事处), government (本级人民政府, incl. 管委会 of a zone), department (a government
        department with a region or a national one), other (no region to place it: 某某大学)."""
        if self.level == "township":
            return "township"
        if self.kind == "government":
            return "government"
        return "department" if self.chain or self.national else "other"

    @property
    def national(self) -> bool:
        """A name without a region that is unique anyway: 教育部, 国家统计局, 国家税务总局X市税务局."""
        return not self.chain and bool(_NATIONAL.search(self.body))

    @property
    def name(self) -> str:
        """Display name: every region token, then the body as printed."""
        return "".join(self.chain) + self.body

    @property
    def key(self) -> str:
        return "/".join(self.chain) + "|" + self.body_key

    @property
    def group_key(self) -> Optional[str]:
        """Reports that can be the same issuer share this; None: matches nothing."""
        if self.chain:
            return self.chain[-1] + "|" + self.body_key
        if self.national:
            return "|" + self.body_key
        return None


def _token_at(name: str, i: int) -> Optional[tuple[int, str, str]]:
    """(end, token, level) of the region token starting at i, or None: the shortest piece that ends
    with a place suffix (longest suffix first) and is not a word (城市, 市场…, 社区) or part of a body."""
    n = len(name)
    for j in range(i + 2, min(n, i + 16) + 1):
        piece = name[i:j]
        for suffix, level, longest in _SUFFIXES:
            if not piece.endswith(suffix):
                continue
            stem = piece[:-len(suffix)]
            if not 1 <= len(stem) <= longest:
                continue
            nxt = name[j] if j < n else ""
            if nxt and nxt in _NOT_AFTER.get(suffix, ""):
                continue
            if piece in _STOP_TOKENS or _ORG_CHARS & set(stem) or _PUNCT & set(piece):
                continue
            if any(ch.isdigit() or ch.isascii() for ch in piece):
                continue
            return j, piece, level
    return None


def parse_name(printed: str, source: str = "title") -> Identity:
    """Split a normalised issuer name into region tokens and body (no database, no aliases)."""
    name = normalise_name(printed)
    tokens: list[str] = []
    levels: list[str] = []
    i = 0
    while i < len(name):
        t = _token_at(name, i)
        if t is None:
            break
        j, tok, level = t
        if tok in _GENERIC_ZONES and tokens:
            tokens[-1] += tok  # 苏州 + 工业园区
            i = j
            continue
        tokens.append(tok)
        levels.append(level)
        i = j
    body = name[i:]
    # a township token needs its own government after it (城乡建设局 is not a township)
    while tokens and levels[-1] == "township" and body not in _TOWNSHIP_BODIES:
        body = tokens.pop() + body
        levels.pop()
    levels = _fix_levels(tokens, levels)
    return Identity(printed=name, chain=tuple(tokens), levels=tuple(levels), body=body, source=source)


def _fix_levels(tokens: list[str], levels: list[str]) -> list[str]:
    out = []
    for k, (tok, lev) in enumerate(zip(tokens, levels)):
        if tok in MUNICIPALITIES:
            lev = "province"
        elif lev == "city" and k > 0 and out[-1] in ("city",) and tokens[k - 1] not in MUNICIPALITIES:
            lev = "county"  # 苏州市昆山市: a county-level city
        elif lev == "city" and k > 0 and tokens[k - 1] in MUNICIPALITIES:
            lev = "county"
        out.append(lev)
    return out


_EXTEND = 14  # characters looked at before the place name when searching the preamble


def parent_evidence(ident: Identity, texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Longer chains that the texts print for this issuer's first region token: "淮安市洪泽区"
    found in "本报告由淮安市洪泽区人民政府办公室…" gives (淮安市, 洪泽区)."""
    if not ident.chain:
        return set()
    first = ident.chain[0]
    found: set[tuple[str, ...]] = set()
    for text in texts:
        text = normalise_name(text) if text else ""
        for m in re.finditer(re.escape(first), text):
            before = text[max(0, m.start() - _EXTEND):m.start()]
            cut = max((k for k, ch in enumerate(before) if ch in _DELIMS), default=-1)
            before = before[cut + 1:]
            if not before:
                continue
            parsed = parse_name(before + "".join(ident.chain) + ident.body)
            if len(parsed.chain) > len(ident.chain) and parsed.chain[-len(ident.chain):] == ident.chain \
                    and "".join(parsed.chain[:-len(ident.chain)]) == before:
                found.add(parsed.chain)
    return found


# ----------------------------------------------------------------------------- aliases

@lru_cache(maxsize=4)
def load_aliases(path: Optional[str] = None) -> dict[str, dict]:
    """normalised alias or canonical name → {"name", "level", "kind"} from rules/issuer_aliases.toml."""
    import tomllib

    p = Path(path) if path else ALIAS_FILE
    if not p.is_file():
        return {}
    with open(p, "rb") as f:
        raw = tomllib.load(f)
    out: dict[str, dict] = {}
    for entry in raw.get("issuer", []):
        name = normalise_name(entry["name"])
        info = {"name": name, "level": entry.get("level"), "kind": entry.get("kind")}
        if info["level"] not in (None, *LEVELS) or info["kind"] not in (None, *KINDS):
            raise ValueError(f"{p.name}: {entry['name']}: level 应为 {LEVELS} 之一，kind 应为 {KINDS} 之一")
        for alias in [name, *entry.get("aliases", [])]:
            a = normalise_name(alias)
            if a in out and out[a]["name"] != name:
                raise ValueError(f"{p.name}: 别名“{alias}”同时属于“{out[a]['name']}”和“{name}”")
            out[a] = info
    return out


def _apply_alias(ident: Identity, aliases: dict[str, dict]) -> Identity:
    entry = aliases.get(ident.printed) or aliases.get(ident.name)
    if not entry:
        return ident
    canon = parse_name(entry["name"], source=ident.source)
    over = {k: entry[k] for k in ("level", "kind") if entry.get(k)}
    return replace(canon, printed=ident.printed, source=ident.source + "+alias", overrides=over)


# ----------------------------------------------------------------------------- one report

_SIGN_BAD = re.compile(r"[，。；：:,;！？!?（）()《》、]|\d|年|月|日|报告|情况|页")
_BODY_END = re.compile(r"(?:人民政府|政府|管委会|管理委员会|办事处|局|委员会|委|厅|办公室|办|署|中心|院|会)$")


def _looks_like_name(text: str) -> bool:
    t = normalise_name(text)
    return 3 <= len(t) <= 30 and not _SIGN_BAD.search(t) and bool(_BODY_END.search(t) or parse_name(t).chain)


def identify(issuer: Optional[str], title: Optional[str] = None, preamble: Iterable[str] = (),
             tail: Iterable[str] = (), aliases: Optional[dict] = None) -> Optional[Identity]:
    """The issuer of one report from its metadata issuer (the title), preamble and last paragraphs
    (signature). Returns None when nothing names an issuer."""
    preamble, tail = list(preamble), list(tail)
    aliases = load_aliases() if aliases is None else aliases
    ident = None
    if issuer and normalise_name(issuer):
        ident = parse_name(issuer, "title")
    else:
        for t in reversed(tail):  # the signature block: the issuer's name on a line of its own
            if _looks_like_name(t):
                ident = parse_name(t, "signature")
                break
    if ident is None:
        return None
    ident = _apply_alias(ident, aliases)
    # the title may leave out the parent region that the preamble or the signature prints
    chains = parent_evidence(ident, [title or "", *preamble, *tail])
    if len(chains) == 1:
        chain = next(iter(chains))
        full = parse_name("".join(chain) + ident.body)
        if full.chain == chain:
            where = "preamble" if any("".join(chain) in normalise_name(p) for p in preamble) else "signature"
            ident = replace(ident, chain=full.chain, levels=full.levels, parent_from=where)
    return ident


# ----------------------------------------------------------------------------- clustering

def _is_suffix(short: tuple, long: tuple) -> bool:
    return len(short) <= len(long) and long[len(long) - len(short):] == short


def cluster(idents: list[Identity]) -> list[tuple[tuple[str, ...], list[int]]]:
    """Group identities that share a group_key: [(the cluster's chain, member indexes)].

    A chain joins the longest chain it is a suffix of when there is exactly one such maximal chain;
    a chain that fits two (鼓楼区 under 南京市 and 福州市) stays on its own. Identities without a
    group key are singletons. The result depends only on the set of identities."""
    out: list[tuple[tuple[str, ...], list[int]]] = []
    groups: dict[str, list[int]] = {}
    for k, ident in enumerate(idents):
        gk = ident.group_key
        if gk is None:
            out.append((ident.chain, [k]))
        else:
            groups.setdefault(gk, []).append(k)
    for gk in sorted(groups):
        members = groups[gk]
        chains = sorted({idents[k].chain for k in members})
        maximal = [c for c in chains if not any(c != d and _is_suffix(c, d) for d in chains)]
        by_chain: dict[tuple, list[int]] = {}
        for k in members:
            c = idents[k].chain
            fits = [m for m in maximal if _is_suffix(c, m)]
            by_chain.setdefault(fits[0] if len(fits) == 1 else c, []).append(k)
        out.extend(sorted(by_chain.items()))
    return out


def same_issuer(a: str | Identity, b: str | Identity) -> bool:
    """Whether two names are the same issuer on their own (no other reports to disambiguate)."""
    ia = a if isinstance(a, Identity) else _apply_alias(parse_name(a), load_aliases())
    ib = b if isinstance(b, Identity) else _apply_alias(parse_name(b), load_aliases())
    if ia.group_key is None or ia.group_key != ib.group_key:
        return False
    return _is_suffix(ia.chain, ib.chain) or _is_suffix(ib.chain, ia.chain)


# ----------------------------------------------------------------------------- database

def _conn(db):
    return getattr(db, "conn", db)


def identity_from_db(db, sha: str, aliases: Optional[dict] = None) -> Optional[Identity]:
    conn = _conn(db)
    row = conn.execute("SELECT issuer, title FROM reports WHERE sha256 = ?", [sha]).fetchone()
    if row is None:
        return None
    pre = [t for (t,) in conn.execute(
        "SELECT text FROM paragraphs WHERE report = ? AND section = 'preamble' ORDER BY idx LIMIT 8", [sha])]
    tail = [t for (t,) in conn.execute(
        "SELECT text FROM (SELECT idx, text FROM paragraphs WHERE report = ? ORDER BY idx DESC LIMIT 6) "
        "ORDER BY idx", [sha])]
    return identify(row[0], row[1], pre, tail, aliases)


def _row_identity(row) -> Identity:
    printed, chain, levels, body, source, parent_from, overrides = row
    return Identity(printed=printed, chain=tuple(json.loads(chain)), levels=tuple(json.loads(levels)),
                    body=body, source=source, parent_from=parent_from,
                    overrides=json.loads(overrides or "{}"))


def _store_identity(conn, sha: str, ident: Optional[Identity]) -> Optional[str]:
    """Write the report's parsed name; returns its group key (None if it matches nothing)."""
    if ident is None:
        conn.execute("DELETE FROM report_issuers WHERE report = ?", [sha])
        return None
    gk = ident.group_key or f"report:{sha}"
    conn.execute(
        "INSERT INTO report_issuers (report, issuer_id, printed, chain, levels, body, body_key, group_key, "
        "source, parent_from, overrides) VALUES (?, (SELECT issuer_id FROM report_issuers WHERE report = ?), "
        "?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(report) DO UPDATE SET printed = excluded.printed, "
        "chain = excluded.chain, levels = excluded.levels, body = excluded.body, body_key = excluded.body_key, "
        "group_key = excluded.group_key, source = excluded.source, parent_from = excluded.parent_from, "
        "overrides = excluded.overrides",
        [sha, sha, ident.printed, json.dumps(ident.chain, ensure_ascii=False),
         json.dumps(ident.levels), ident.body, ident.body_key, gk, ident.source, ident.parent_from,
         json.dumps(ident.overrides, ensure_ascii=False)])
    return gk


def _regroup(conn, group_key: str, aliases: dict) -> set[str]:
    """Recompute the issuers of one group; returns the reports whose issuer_id changed."""
    rows = conn.execute(
        "SELECT ri.report, ri.issuer_id, ri.printed, ri.chain, ri.levels, ri.body, ri.source, ri.parent_from, "
        "ri.overrides FROM report_issuers ri JOIN reports r ON r.sha256 = ri.report "
        "WHERE ri.group_key = ? ORDER BY ri.report", [group_key]).fetchall()
    shas = [r[0] for r in rows]
    old_ids = {r[0]: r[1] for r in rows}
    idents = [_row_identity(r[2:9]) for r in rows]
    single = group_key.startswith("report:")
    clusters = ([(idents[0].chain, list(range(len(idents))))] if idents else []) if single else cluster(idents)
    plans = []  # (key, values, members)
    for chain, members in clusters:
        ms = [idents[k] for k in members]
        bodies = Counter(m.body for m in ms if m.chain == chain)
        body = sorted(bodies.items(), key=lambda bc: (-bc[1], bc[0]))[0][0] if bodies else ms[0].body
        levels = next((m.levels for m in ms if m.chain == chain), ())
        rep = Identity(printed="".join(chain) + body, chain=chain, levels=tuple(levels), body=body)
        over: dict = {}
        for m in sorted(ms, key=lambda m: m.printed):
            over.update(m.overrides)
        entry = aliases.get(rep.name)
        if entry:
            over.update({k: entry[k] for k in ("level", "kind") if entry.get(k)})
        rep = replace(rep, overrides=over)
        names = {m.printed for m in ms}
        if entry:
            names |= {a for a, e in aliases.items() if e["name"] == entry["name"]}
        values = [rep.name, rep.level, rep.kind, json.dumps(sorted(names - {rep.name}), ensure_ascii=False)]
        plans.append((group_key if single else rep.key, values, members))
    # ids: an issuer already holding the key keeps it; otherwise reuse an id the members had
    # (a name that grew its parent region keeps its issuer), unless reports elsewhere still use it
    new_keys = {key for key, _, _ in plans}
    ids: dict[str, int] = {}
    for key, _, _ in plans:
        row = conn.execute("SELECT id FROM issuers WHERE key = ?", [key]).fetchone()
        if row:
            ids[key] = row[0]
    used = set(ids.values())
    for key, _, members in plans:
        if key in ids:
            continue
        for cand in sorted({old_ids[shas[k]] for k in members} - {None} - used):
            row = conn.execute("SELECT key FROM issuers WHERE id = ?", [cand]).fetchone()
            elsewhere = conn.execute("SELECT 1 FROM report_issuers WHERE issuer_id = ? AND "
                                     "(group_key IS NOT ?) LIMIT 1", [cand, group_key]).fetchone()
            if row and row[0] not in new_keys and not elsewhere:
                ids[key] = cand
                used.add(cand)
                break
    changed: set[str] = set()
    for key, values, members in plans:
        iid = ids.get(key)
        if iid is None:
            iid = conn.execute("INSERT INTO issuers (name, level, kind, aliases, key) VALUES (?, ?, ?, ?, ?)",
                               values + [key]).lastrowid
            ids[key] = iid
        else:
            conn.execute("UPDATE issuers SET name = ?, level = ?, kind = ?, aliases = ?, key = ? WHERE id = ?",
                         values + [key, iid])
        for k in members:
            if old_ids[shas[k]] != iid:
                changed.add(shas[k])
                conn.execute("UPDATE report_issuers SET issuer_id = ? WHERE report = ?", [iid, shas[k]])
    for i in {i for i in old_ids.values() if i is not None} - set(ids.values()):
        if not conn.execute("SELECT 1 FROM report_issuers WHERE issuer_id = ? LIMIT 1", [i]).fetchone():
            conn.execute("DELETE FROM issuers WHERE id = ?", [i])
    return changed


def link_reports(db, shas: Iterable[str], aliases: Optional[dict] = None) -> set[str]:
    """Parse and store the issuer of each report, regroup what they touch. Returns every report
    whose issuer_id changed (the given ones included when they are new). Does not commit."""
    conn = _conn(db)
    aliases = load_aliases() if aliases is None else aliases
    groups: set[str] = set()
    for sha in shas:
        old = conn.execute("SELECT group_key FROM report_issuers WHERE report = ?", [sha]).fetchone()
        if old and old[0]:
            groups.add(old[0])
        gk = _store_identity(conn, sha, identity_from_db(conn, sha, aliases))
        if gk:
            groups.add(gk)
    changed: set[str] = set()
    for gk in sorted(groups):
        changed |= _regroup(conn, gk, aliases)
    return changed


def link_report(db, sha: str, aliases: Optional[dict] = None) -> set[str]:
    return link_reports(db, [sha], aliases)


def link_missing(db) -> set[str]:
    """Link every stored report that has no issuer row yet (databases audited before this module,
    or by a command that does not call the cross-year hook); drop rows of deleted reports."""
    conn = _conn(db)
    conn.execute("DELETE FROM report_issuers WHERE report NOT IN (SELECT sha256 FROM reports)")
    conn.execute("DELETE FROM issuers WHERE id NOT IN (SELECT issuer_id FROM report_issuers "
                 "WHERE issuer_id IS NOT NULL)")
    todo = [s for (s,) in conn.execute(
        "SELECT sha256 FROM reports WHERE sha256 NOT IN (SELECT report FROM report_issuers) ORDER BY sha256")]
    return link_reports(conn, todo) if todo else set()


def relink_all(db) -> set[str]:
    """Recompute every report's issuer (after editing rules/issuer_aliases.toml)."""
    conn = _conn(db)
    load_aliases.cache_clear()
    shas = [s for (s,) in conn.execute("SELECT sha256 FROM reports ORDER BY sha256")]
    conn.execute("DELETE FROM report_issuers WHERE report NOT IN (SELECT sha256 FROM reports)")
    return link_reports(conn, shas)


def issuer_of(db, sha: str) -> Optional[dict]:
    row = _conn(db).execute(
        "SELECT i.id, i.name, i.level, i.kind, i.aliases FROM report_issuers ri JOIN issuers i "
        "ON i.id = ri.issuer_id WHERE ri.report = ?", [sha]).fetchone()
    if row is None:
        return None
    return {"id": row[0], "name": row[1], "level": row[2], "kind": row[3], "aliases": json.loads(row[4] or "[]")}
