"""Cross-report checks X01–X07 (spec §C.9): functions of a PairContext, registered like the
per-report checks and described in rules/checks.toml (`pairwise = true`).

extractor/checks/crossyear.py decides which pairs exist (an issuer's neighbouring years, same-year
look-alikes) and stores the flags; these functions only compare two StoredReports.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from ..report import Flag, StoredReport
from .engine import PairContext, check, format_number, load_catalog
from .similarity import jaccard, mask, shingles

X04_WARN = 0.80  # spec: ≥ 0.8 warning
X04_HIGH = 0.95  # spec: ≥ 0.95 "error-worthy", reported as a warning with the score
MIN_CHARS = 100  # masked characters of 一+五+六 below which similarity means nothing ("无。")
MIN_CHARS_SEC5 = 60
TEXT_SECTIONS = ("overview", "problems", "other")
CARRY_FORWARD, CARRIED_OVER = "t2.carry_forward", "t2.carried_over"


def _labels(name: str) -> dict[str, str]:
    return load_catalog().labels[name]


def masked_sections(s: StoredReport) -> dict[str, str]:
    return {k: mask(s.texts.get(k, ""), s.names) for k in TEXT_SECTIONS}


def combined_text(m: dict[str, str]) -> str:
    """Sections 一+五+六, masked, as one string (what X04 and the same-year signatures compare)."""
    return "¶".join(m[k] for k in TEXT_SECTIONS)


def _num(s: StoredReport, key: str):
    return s.cells[key].number


@check("X01")
def x01_carry_over_total(ctx: PairContext) -> Iterator[Flag]:
    prev, cur = ctx.prev, ctx.cur
    a, b = f"{CARRY_FORWARD}.total", f"{CARRIED_OVER}.total"
    if ctx.scope == "year" and a in prev.cells and b in cur.cells and _num(prev, a) != _num(cur, b):
        yield ctx.flag(cells=[b], other_cells=[a], this=format_number(_num(cur, b)),
                       prev=format_number(_num(prev, a)))


@check("X02")
def x02_carry_over_columns(ctx: PairContext) -> Iterator[Flag]:
    if ctx.scope != "year":
        return
    prev, cur = ctx.prev, ctx.cur
    for col in load_catalog().sets["applicant"]:
        a, b = f"{CARRY_FORWARD}.{col}", f"{CARRIED_OVER}.{col}"
        if a in prev.cells and b in cur.cells and _num(prev, a) != _num(cur, b):
            yield ctx.flag(cells=[b], other_cells=[a], col=_labels("t2_cols")[col],
                           this=format_number(_num(cur, b)), prev=format_number(_num(prev, a)))


@check("X03")
def x03_valid_stock_flow(ctx: PairContext) -> Iterator[Flag]:
    prev, cur = ctx.prev, ctx.cur
    if ctx.scope != "year" or prev.template == "v2019":  # v2019 prints no 现行有效 column
        return
    for row, zh in _labels("t1_docs").items():
        keys = [f"t1.{row}.valid", f"t1.{row}.made", f"t1.{row}.repealed"]
        if not (keys[0] in prev.cells and all(k in cur.cells for k in keys)):
            continue
        v0, v, made, rep = _num(prev, keys[0]), _num(cur, keys[0]), _num(cur, keys[1]), _num(cur, keys[2])
        expected = v0 + made - rep
        if v != expected:
            yield ctx.flag(cells=keys, other_cells=[keys[0]], row=zh, prev=format_number(v0),
                           made=format_number(made), repealed=format_number(rep),
                           expected=format_number(expected), valid=format_number(v))


@check("X04")
def x04_copied_text(ctx: PairContext) -> Iterator[Flag]:
    if ctx.scope == "peer":
        # same year, another issuer: the estimate from the signature index is the finding
        if ctx.estimate is not None:
            yield ctx.flag("peer", severity="info", score=ctx.estimate, sim=f"{ctx.estimate:.2f}")
        return
    mp, mc = masked_sections(ctx.prev), masked_sections(ctx.cur)
    cp, cc = combined_text(mp), combined_text(mc)
    if min(len(cp), len(cc)) < MIN_CHARS:
        return
    score = jaccard(shingles(cp), shingles(cc))
    ok5 = min(len(mp["problems"]), len(mc["problems"])) >= MIN_CHARS_SEC5
    score5 = jaccard(shingles(mp["problems"]), shingles(mc["problems"])) if ok5 else None
    top = max(score, score5 or 0.0)
    if top >= X04_WARN:
        yield ctx.flag(score=top, sim=f"{score:.2f}", sim5="无法比较" if score5 is None else f"{score5:.2f}",
                       high="，几乎逐字相同" if top >= X04_HIGH else "")


@check("X05")
def x05_identical_numbers(ctx: PairContext) -> Iterator[Flag]:
    prev, cur = ctx.prev, ctx.cur
    if ctx.scope != "year":
        return
    keys = sorted(k for k in set(prev.cells) | set(cur.cells)
                  if k.startswith(("t2.", "t3.")) and ((k in prev.cells and _num(prev, k))
                                                       or (k in cur.cells and _num(cur, k))))
    if keys and all(k in prev.cells and k in cur.cells and _num(prev, k) == _num(cur, k) for k in keys):
        yield ctx.flag(cells=keys, other_cells=keys, n=len(keys))


@check("X06")
def x06_template_regression(ctx: PairContext) -> Iterator[Flag]:
    if ctx.scope == "year" and ctx.prev.template == "v2021" and ctx.cur.template == "v2019":
        yield ctx.flag()


@check("X07")
def x07_problems_not_followed_up(ctx: PairContext) -> Iterator[Flag]:
    prev, cur = ctx.prev, ctx.cur
    if ctx.scope != "year" or cur.issuer_kind != "government":
        return
    phrases = problem_phrases(prev.texts.get("problems", ""))
    now = re.sub(r"\s+", "", cur.texts.get("problems", ""))
    if phrases and len(now) >= 20 and not any(p in now for p in phrases):
        yield ctx.flag(phrases="、".join(phrases[:6]))


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
