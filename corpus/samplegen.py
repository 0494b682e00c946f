"""Synthetic 政府信息公开工作年度报告 generator, with gold labels.

Everything here is invented: issuers, numbers and prose. One ``spec`` dict describes a report; the
same spec always gives the same document and the same gold (``random.Random(spec["seed"])`` drives
every choice). The gold follows the project's gold-label format (see corpus/README.md).

Spec keys (only ``issuer``, ``year`` and ``format`` are required):

    stem        file stem, e.g. "sample-01-citydept-2023" (default: derived from seed/kind/year)
    issuer      "青禾市交通运输局"             year      2023
    kind        citydept | countydept | citygov | countygov | districtgov | town   (default: guessed)
    template    v2021 | v2019 (default: v2019 for year <= 2020)
    format      docx | html | pdf (pdf = the docx converted by LibreOffice)
    encoding    html only: "utf-8" (default) or "gbk";  chrome: html site menus around the body
    published   ISO date printed under the signature (default: a date inside the legal deadline)
    seed        int; scale: small | medium | large
    zero_style  {"t1": "0", "t2": "", "t3": "/"}: how zero cells print ("" = blank cell)
    halfwidth   True: half-width brackets/colons in table labels; split_labels: "商业<br>企业"
    overview_paras  2..4 paragraphs in 一、总体情况
    traps       subset of TRAPS (things that must NOT flag)
    defects     subset of DEFECTS (planted; listed in gold expected_flags)

API: ``make_report(spec) -> (bytes, gold)``; ``random_spec(i, seed)`` for variety;
``generate_bulk(n, outdir, seed)`` writes n reports + golds (PDFs converted in one soffice run).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html as htmlmod
import io
import random
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

TRAPS = ("growth", "no_review_zero", "natural_only", "sidebar_links")
DEFECTS = ("T2-01", "T2-03", "T3-01", "R01", "R05", "D01", "D03")

# ----------------------------------------------------------------------------------------------
# Template (spec A.1 / A.2)
# ----------------------------------------------------------------------------------------------
COLS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
APPLICANTS = COLS[:-1]
ORG_LABELS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]

GROUP3 = "三、本年度办理结果"
_DENY = [("state_secret", "1.属于国家秘密"), ("law_forbidden", "2.其他法律行政法规禁止公开"),
         ("three_security", "3.危及“三安全一稳定”"), ("third_party", "4.保护第三方合法权益"),
         ("internal_affairs", "5.属于三类内部事务信息"), ("process_info", "6.属于四类过程性信息"),
         ("enforcement_file", "7.属于行政执法案卷"), ("admin_query", "8.属于行政查询事项")]
_UNABLE = [("not_held", "1.本机关不掌握相关政府信息"), ("need_creation", "2.没有现成信息需要另行制作"),
           ("unclear", "3.补正后申请内容仍不明确")]
_REJECT = [("petition", "1.信访举报投诉类申请"), ("duplicate", "2.重复申请"), ("publication", "3.要求提供公开出版物"),
           ("mass_repeat", "4.无正当理由大量反复申请"), ("confirm_reissue", "5.要求行政机关确认或重新出具已获取信息")]
_OTHER = [("no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
          ("unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
          ("other", "3.其他")]


def t2_rows(template: str) -> list[tuple[Optional[str], Optional[str], str, str]]:
    """(group, subgroup, label, row_key) for every t2 data row, in printed order."""
    g = GROUP3
    rows = [(None, None, "一、本年新收政府信息公开申请数量", "new"),
            (None, None, "二、上年结转政府信息公开申请数量", "carried_over"),
            (g, None, "（一）予以公开", "open"),
            (g, None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partial")]
    rows += [(g, "（三）不予公开", lab, "deny." + k) for k, lab in _DENY]
    rows += [(g, "（四）无法提供", lab, "unable." + k) for k, lab in _UNABLE]
    rows += [(g, "（五）不予处理", lab, "reject." + k) for k, lab in _REJECT]
    if template == "v2021":
        rows += [(g, "（六）其他处理", lab, "other." + k) for k, lab in _OTHER]
    else:
        rows += [(g, None, "（六）其他处理", "other")]
    rows += [(g, None, "（七）总计", "total_processed"), (None, None, "四、结转下年度继续办理", "carry_forward")]
    return rows


def decision_rows(template: str) -> list[str]:
    return [k for _, _, _, k in t2_rows(template) if k not in ("new", "carried_over", "total_processed", "carry_forward")]


T3_GROUPS = ["review", "lit_direct", "lit_after_review"]
T3_RES = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计")]

# t1 blocks: (caption, header labels, [(row label, row key)], value column keys, colspans of the value cells)
T1_V2021 = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
     [("规章", "regulations"), ("行政规范性文件", "normative_docs")], ["made", "repealed", "valid"], [1, 1, 1]),
    ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", "licensing")], ["decisions"], [3]),
    ("第二十条第（六）项", ["本年处理决定数量"], [("行政处罚", "penalty"), ("行政强制", "coercion")], ["decisions"], [3]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", "admin_fees")], ["amount_wan"], [3]),
]
_ITEMS = ["prev_items", "delta_items", "decisions"]
T1_V2019 = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("规章", "regulations"), ("规范性文件", "normative_docs")], ["new_made", "new_published", "total_published"], [1, 1, 1]),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政许可", "licensing"), ("其他对外管理服务事项", "other_mgmt_services")], _ITEMS, [1, 1, 1]),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政处罚", "penalty"), ("行政强制", "coercion")], _ITEMS, [1, 1, 1]),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], [("行政事业性收费", "admin_fees")], ["prev_items", "delta_items"], [1, 2]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额"], [("政府集中采购", "central_procurement")], ["projects", "amount"], [1, 2]),
]

SECTIONS = [
    ("overview", "一、总体情况"),
    ("active", "二、主动公开政府信息情况"),
    ("requests", "三、收到和处理政府信息公开申请情况"),
    ("review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
]
# Variants of B.1, used only when spec["heading_variants"] is true.
HEADING_VARIANTS = {
    "overview": ["一、总体工作情况"],
    "review_litigation": ["四、政府信息公开行政复议和行政诉讼情况", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"],
    "problems": ["五、存在问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"],
    "other": ["六、其他需要报告事项"],
}

_HALF = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "“": '"', "”": '"'})


def t1_keys(template: str) -> list[str]:
    keys = []
    for _, _, rows, vkeys, _ in (T1_V2021 if template == "v2021" else T1_V2019):
        keys += [f"t1.{rk}.{vk}" for _, rk in rows for vk in vkeys]
    return keys


def all_keys(template: str) -> list[str]:
    """Every printed cell key, in document order."""
    keys = t1_keys(template)
    keys += [f"t2.{rk}.{c}" for _, _, _, rk in t2_rows(template) for c in COLS]
    keys += [f"t3.{g}.{r}" for g in T3_GROUPS for r, _ in T3_RES]
    return keys


# ----------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------
_WEIGHTS_2021 = {"open": 34, "partial": 8, "deny.state_secret": 1, "deny.law_forbidden": 1, "deny.three_security": 1,
                 "deny.third_party": 3, "deny.internal_affairs": 2, "deny.process_info": 3, "deny.enforcement_file": 1,
                 "deny.admin_query": 3, "unable.not_held": 20, "unable.need_creation": 4, "unable.unclear": 3,
                 "reject.petition": 5, "reject.duplicate": 4, "reject.publication": 1, "reject.mass_repeat": 1,
                 "reject.confirm_reissue": 2, "other.no_correction": 3, "other.unpaid_fee": 0, "other.other": 2}
_SCALE = {"small": (3, 15, 0.75, 2), "medium": (15, 70, 0.5, 6), "large": (70, 300, 0.3, 25)}


def _gen_t2(spec: dict, rng: random.Random, v: dict) -> None:
    tpl = spec["template"]
    lo, hi, p_zero, org_hi = _SCALE[spec.get("scale", "medium")]
    natural_only = "natural_only" in spec.get("traps", [])
    weights = dict(_WEIGHTS_2021)
    if spec.get("fee_yuan", 0) > 0:
        weights["other.unpaid_fee"] = 1  # unpaid fee notices only where fees are charged at all
    if tpl == "v2019":
        for k in ("other.no_correction", "other.unpaid_fee", "other.other"):
            weights.pop(k)
        weights["other"] = 4
    dec = decision_rows(tpl)
    for c in APPLICANTS:
        if c == "natural_person":
            new = rng.randint(lo, hi)
            co = rng.choice([0, 0, 1, 2, 3]) if new > 5 else 0
        elif natural_only or rng.random() < p_zero:
            new, co = 0, 0
        else:
            new = rng.randint(0, org_hi)
            co = 1 if new and rng.random() < 0.15 else 0
        avail = new + co
        cf = min(avail, rng.choice([0, 0, 0, 1, 2])) if c == "natural_person" else (1 if avail and rng.random() < 0.1 else 0)
        v[f"t2.new.{c}"], v[f"t2.carried_over.{c}"], v[f"t2.carry_forward.{c}"] = new, co, cf
        counts = dict.fromkeys(dec, 0)
        for r in rng.choices(dec, weights=[weights[d] for d in dec], k=avail - cf):
            counts[r] += 1
        for r in dec:
            v[f"t2.{r}.{c}"] = counts[r]
        v[f"t2.total_processed.{c}"] = avail - cf
    for _, _, _, rk in t2_rows(tpl):
        v[f"t2.{rk}.total"] = sum(v[f"t2.{rk}.{c}"] for c in APPLICANTS)


def _gen_t3(spec: dict, rng: random.Random, v: dict) -> None:
    zero = "no_review_zero" in spec.get("traps", [])
    for g, top in (("review", 3), ("lit_direct", 2), ("lit_after_review", 1)):
        n = 0 if zero else rng.choice([0] * 3 + list(range(top + 1)))
        if g == "review" and ({"R05", "T3-01"} & set(spec.get("defects", []))):
            n = max(n, 2)  # the planted review defects need a non-zero review row
        parts = dict.fromkeys(["upheld", "corrected", "other", "pending"], 0)
        for r in rng.choices(list(parts), weights=[6, 1, 1, 2], k=n):
            parts[r] += 1
        for r, x in parts.items():
            v[f"t3.{g}.{r}"] = x
        v[f"t3.{g}.total"] = n


def _gen_t1(spec: dict, rng: random.Random, v: dict) -> None:
    kind, gov = spec["kind"], spec["kind"].endswith("gov") or spec["kind"] == "town"
    big = {"small": 0.2, "medium": 1, "large": 4}[spec.get("scale", "medium")]
    reg_made = rng.randint(0, 3) if kind == "citygov" else 0
    reg_prev = rng.randint(10, 60) if kind == "citygov" else 0
    nd_made = rng.randint(2, 18) if gov and kind != "town" else rng.randint(0, 6)
    nd_rep = rng.randint(0, min(nd_made, 4))
    nd_prev = rng.randint(5, 150 if gov else 40)
    lic, pen, coe = (int(rng.randint(20, 6000) * big), int(rng.randint(5, 1500) * big), int(rng.randint(0, 120) * big))
    if spec["template"] == "v2021":
        reg_rep = rng.randint(0, 1) if reg_made else 0
        v.update({"t1.regulations.made": reg_made, "t1.regulations.repealed": reg_rep,
                  "t1.regulations.valid": reg_prev + reg_made - reg_rep,
                  "t1.normative_docs.made": nd_made, "t1.normative_docs.repealed": nd_rep,
                  "t1.normative_docs.valid": nd_prev + nd_made - nd_rep,
                  "t1.licensing.decisions": lic, "t1.penalty.decisions": pen, "t1.coercion.decisions": coe})
        fee = 0.0 if rng.random() < 0.45 else round(rng.uniform(0.5, 900 * big), 2)
        v["t1.admin_fees.amount_wan"] = fee
    else:
        v.update({"t1.regulations.new_made": reg_made, "t1.regulations.new_published": reg_made,
                  "t1.regulations.total_published": reg_prev + reg_made,
                  "t1.normative_docs.new_made": nd_made, "t1.normative_docs.new_published": nd_made,
                  "t1.normative_docs.total_published": nd_prev + nd_made})
        for rk, dec in (("licensing", lic), ("other_mgmt_services", int(rng.randint(0, 800) * big)),
                        ("penalty", pen), ("coercion", coe), ("admin_fees", None)):
            prev = rng.randint(0, 12) if rk == "admin_fees" else rng.randint(5, 300)
            v[f"t1.{rk}.prev_items"] = prev
            v[f"t1.{rk}.delta_items"] = rng.randint(-min(prev, 5), 8)
            if dec is not None:
                v[f"t1.{rk}.decisions"] = dec
        v["t1.central_procurement.projects"] = rng.randint(0, 25)
        v["t1.central_procurement.amount"] = round(rng.uniform(5, 900), 2) if v["t1.central_procurement.projects"] else 0.0


# ----------------------------------------------------------------------------------------------
# Printing: numbers -> cell text
# ----------------------------------------------------------------------------------------------
def _fmt(key: str, x, zero: str) -> str:
    if key.endswith(".delta_items"):
        return "0" if x == 0 else f"{x:+d}"
    if key.endswith((".amount_wan", ".amount")):
        s = f"{x:.2f}".rstrip("0").rstrip(".")
        if key.endswith(".amount") and x:
            s += "万元"  # unit inside the cell, as some v2019 reports print it (spec A.5)
        return zero if x == 0 else s
    return zero if x == 0 else str(x)


def parse_printed(s: str):
    """Gold value of a printed cell: int / float / None (empty) / the string itself."""
    s = s.strip()
    if s == "":
        return None
    if re.fullmatch(r"[+-]?\d+", s):
        return int(s)
    if re.fullmatch(r"\d+\.\d+", s):
        return float(s)
    return s


def num(x) -> float:
    """Arithmetic value of a gold cell (blank, '/', '—' count as 0)."""
    if isinstance(x, (int, float)):
        return x
    m = re.match(r"[+-]?\d+(\.\d+)?", str(x or ""))
    return float(m.group()) if m else 0


# ----------------------------------------------------------------------------------------------
# Abstract table layout, rendered to DOCX and HTML
# ----------------------------------------------------------------------------------------------
@dataclass
class LCell:
    row: int
    col: int
    text: str
    rs: int = 1
    cs: int = 1
    label: bool = True


@dataclass
class Layout:
    n_rows: int
    n_cols: int
    cells: list[LCell] = field(default_factory=list)
    widths_cm: list[float] = field(default_factory=list)
    font_pt: float = 9

    def add(self, r, c, text, rs=1, cs=1, label=True):
        self.cells.append(LCell(r, c, text, rs, cs, label))


def _lab(spec: dict, s: str) -> str:
    if spec.get("halfwidth"):
        s = s.translate(_HALF)
    return s


def layout_t1(spec: dict, p: dict) -> Layout:
    blocks = T1_V2021 if spec["template"] == "v2021" else T1_V2019
    lay = Layout(sum(2 + len(b[2]) for b in blocks), 4, widths_cm=[5.0, 4.0, 4.0, 4.0], font_pt=10.5)
    r = 0
    for cap, heads, rows, vkeys, spans in blocks:
        lay.add(r, 0, _lab(spec, cap), cs=4)
        lay.add(r + 1, 0, "信息内容")
        col = 1
        for h, cs in zip(heads, spans if len(heads) > 1 else [3]):
            lay.add(r + 1, col, _lab(spec, h), cs=cs)
            col += cs
        r += 2
        for lab, rk in rows:
            lay.add(r, 0, _lab(spec, lab))
            col = 1
            for vk, cs in zip(vkeys, spans):
                lay.add(r, col, p[f"t1.{rk}.{vk}"], cs=cs, label=False)
                col += cs
            r += 1
    return lay


def layout_t2(spec: dict, p: dict) -> Layout:
    rows = t2_rows(spec["template"])
    lay = Layout(3 + len(rows), 10, widths_cm=[0.9, 2.1, 5.2] + [1.25] * 7)
    lay.add(0, 0, _lab(spec, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), rs=3, cs=3)
    lay.add(0, 3, "申请人情况", cs=7)
    lay.add(1, 3, "自然人", rs=2)
    lay.add(1, 4, "法人或其他组织", cs=5)
    lay.add(1, 9, "总计", rs=2)
    for i, lab in enumerate(ORG_LABELS):
        if spec.get("split_labels") and len(lab) == 4:
            lab = lab[:2] + "\n" + lab[2:]
        lay.add(2, 4 + i, lab)
    g_start = next(i for i, row in enumerate(rows) if row[0])
    g_len = sum(1 for row in rows if row[0])
    lay.add(3 + g_start, 0, GROUP3, rs=g_len)
    i = 0
    while i < len(rows):
        grp, sub, lab, rk = rows[i]
        r = 3 + i
        if sub:
            n = sum(1 for row in rows if row[1] == sub)
            lay.add(r, 1, _lab(spec, sub), rs=n)
            for j in range(n):
                _, _, lab_j, rk_j = rows[i + j]
                lay.add(r + j, 2, _lab(spec, lab_j))
                for k, c in enumerate(COLS):
                    lay.add(r + j, 3 + k, p[f"t2.{rk_j}.{c}"], label=False)
            i += n
            continue
        if grp:
            lay.add(r, 1, _lab(spec, lab), cs=2)
        else:
            lay.add(r, 0, _lab(spec, lab), cs=3)
        for k, c in enumerate(COLS):
            lay.add(r, 3 + k, p[f"t2.{rk}.{c}"], label=False)
        i += 1
    return lay


def layout_t3(spec: dict, p: dict) -> Layout:
    lay = Layout(4, 15, widths_cm=[1.13] * 15, font_pt=9)
    lay.add(0, 0, "行政复议", cs=5)
    lay.add(0, 5, "行政诉讼", cs=10)
    for k, (_, lab) in enumerate(T3_RES):
        lay.add(1, k, lab, rs=2)
    lay.add(1, 5, "未经复议直接起诉", cs=5)
    lay.add(1, 10, "复议后起诉", cs=5)
    for k, (_, lab) in enumerate(T3_RES * 2):
        lay.add(2, 5 + k, lab)
    for gi, g in enumerate(T3_GROUPS):
        for k, (r, _) in enumerate(T3_RES):
            lay.add(3, gi * 5 + k, p[f"t3.{g}.{r}"], label=False)
    return lay


# ----------------------------------------------------------------------------------------------
# Prose
# ----------------------------------------------------------------------------------------------
def guess_kind(issuer: str) -> str:
    if issuer.endswith(("镇人民政府", "乡人民政府", "街道办事处")):
        return "town"
    if issuer.endswith("区人民政府"):
        return "districtgov"
    if issuer.endswith("县人民政府"):
        return "countygov"
    if issuer.endswith("市人民政府"):
        return "citygov"
    return "countydept" if "县" in issuer else "citydept"


def self_ref(spec: dict) -> str:
    """How the report refers to its issuer ("我局", "县政府", ...)."""
    iss, kind = spec["issuer"], spec["kind"]
    if kind.endswith("gov"):
        return {"citygov": "市政府", "countygov": "县政府", "districtgov": "区政府"}[kind]
    if kind == "town":
        return "本街道" if iss.endswith("街道办事处") else "镇政府"
    for suf, we in (("局", "我局"), ("委员会", "我委"), ("委", "我委"), ("办公室", "我办"), ("中心", "我中心")):
        if iss.endswith(suf):
            return we
    return "本机关"


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def default_published(spec: dict, rng: random.Random) -> dt.date:
    y = spec["year"] + 1
    if spec["kind"].endswith("dept"):
        return dt.date(y, 1, rng.randint(10, 30))  # 部门: by 1月31日 (第四十九条)
    return dt.date(y, rng.choice([1, 2, 3]), rng.randint(5, 28))  # 本级政府: by 3月31日


_FOCUS = ["优化营商环境和民生保障", "重点领域信息公开", "政策解读和回应关切", "基层政务公开标准化规范化建设"]
_PLATFORM = ["门户网站政府信息公开专栏", "政务新媒体和门户网站", "政府信息公开平台和政务服务大厅公开专区"]
_PROBLEMS = ["部分栏目信息更新不够及时", "政策解读形式较为单一，图解、视频等解读占比不高",
             "依申请公开答复文书规范化水平有待提升", "基层工作人员业务能力与新形势要求还有差距",
             "公开内容与群众需求的匹配度还不够高"]
_MEASURES = ["健全信息发布审核和定期巡查机制，确保栏目内容及时准确",
             "丰富政策解读形式，加大图文、视频解读力度", "规范依申请公开办理流程，统一答复文书格式",
             "加强业务培训，提升工作人员依法公开意识和能力", "围绕群众关切，扩大重点领域信息公开范围"]


def _paragraphs(spec: dict, p: dict, rng: random.Random) -> dict[str, list[str]]:
    """Body paragraphs per section key, plus "preamble". `p` holds the printed cell texts."""
    Y, we, iss = spec["year"], spec["we"], spec["issuer"]
    gov = "人民政府" in iss and not re.search("办公室|局|委", iss)
    defects, traps = set(spec.get("defects", [])), set(spec.get("traps", []))
    n = {k: int(num(parse_printed(s))) for k, s in p.items() if not k.endswith(("amount_wan", ".amount"))}
    doc_no = "国办公开办函〔2021〕30号" if spec["template"] == "v2021" else "国办公开办函〔2019〕60号"
    period_year = Y - 1 if "D01" in defects else Y
    out: dict[str, list[str]] = {}
    out["preamble"] = [
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{doc_no}文件要求编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限为{period_year}年1月1日至12月31日。"
        f"本报告电子版可在{iss}门户网站“政府信息公开年报”栏目查阅或下载。如对本报告有疑问，请与{iss}办公室联系。"]

    # 一、总体情况: lead + request paragraph always; 主动公开 / 平台 / 监督保障 as room allows.
    lead = (f"{Y}年，{we}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的"
            f"部署要求，围绕{rng.choice(_FOCUS)}，持续深化政务公开，不断提升政府工作透明度。")
    big = {"small": 1, "medium": 2, "large": 4}[spec.get("scale", "medium")]
    made_key = "t1.normative_docs.made" if spec["template"] == "v2021" else "t1.normative_docs.new_made"
    verb = "制发" if spec["template"] == "v2021" else "印发"
    active = (f"主动公开。{we}依托{rng.choice(_PLATFORM)}，全年主动公开各类政府信息{rng.randint(150, 1200) * big}条，"
              f"发布政策解读{rng.randint(3, 60)}篇。")
    if n[made_key]:
        active += f"全年{verb}行政规范性文件{n[made_key]}件，均按规定在印发后及时公开。"
    new, co, tp, cf = n["t2.new.total"], n["t2.carried_over.total"], n["t2.total_processed.total"], n["t2.carry_forward.total"]
    if "R01" in defects:
        new_said = new + co + rng.randint(2, 5)  # stated number matches neither new nor new + carried_over
    else:
        new_said = new
    if new_said == 0:
        req = f"依申请公开。{Y}年，{we}未收到政府信息公开申请。"
    else:
        growth = ""
        if "growth" in traps:
            growth = "，较上年增长3件"
        elif rng.random() < 0.3:
            growth = rng.choice(["，与上年基本持平", f"，较上年减少{rng.randint(1, 4)}件"])
        req = f"依申请公开。{Y}年，{we}共收到政府信息公开申请{new_said}件{growth}"
        req += f"，上年结转{co}件。" if co else "。"
        if "natural_only" in traps:
            req += "申请人均为自然人，未收到法人或其他组织申请。"
        req += f"全年办结{tp}件，其中予以公开{n['t2.open.total']}件，部分公开{n['t2.partial.total']}件；"
        req += f"结转下年度继续办理{cf}件。" if cf else "所有申请均已在法定期限内办结。"
        req += "对每一件申请均严格按照《条例》规定的程序和时限办理，做到依法依规答复。"
    platform = (f"平台建设。{we}持续优化政府信息公开专栏设置，规范栏目名称和内容，推进政务新媒体与门户网站信息同步发布，"
                "做好政府信息公开查阅点的日常管理。")
    superv = (f"监督保障。{we}成立政务公开工作领导小组，主要负责同志亲自过问，明确专人负责信息发布审核。")
    if gov:
        superv += ("将政务公开工作纳入年度绩效考核，组织开展政务公开社会评议，广泛听取群众意见；"
                   "本年度未发生因政府信息公开工作引发的责任追究情况。")
    else:
        superv += "主动接受社会监督，认真对待群众意见建议，政府信息公开工作规范有序。"
    k = spec.get("overview_paras") or rng.randint(2, 4)
    picked = [req]
    if gov:
        picked.append(superv)
    for extra in (active, platform, superv):
        if len(picked) < k - 1 and extra not in picked:
            picked.append(extra)
    order = [active, req, platform, superv]
    picked.sort(key=order.index)
    nums = "（一）（二）（三）（四）（五）"
    out["overview"] = [lead] + [nums[3 * i:3 * i + 3] + para for i, para in enumerate(picked)]

    out["active"] = [f"{Y}年，{we}主动公开政府信息情况统计如下："]
    out["requests"] = [f"{Y}年，{we}收到和处理政府信息公开申请情况统计如下："]

    rv = n["t3.review.total"]
    lit = n["t3.lit_direct.total"] + n["t3.lit_after_review.total"]
    if "R05" in defects:
        s4 = "本年度未出现因政府信息公开引起的行政复议情况。"
    elif "T3-01" in defects:
        s4 = f"{Y}年，{we}政府信息公开行政复议、行政诉讼情况如下："
    elif rv == 0 and lit == 0:
        s4 = "本年度未出现因政府信息公开引起的行政复议、行政诉讼情况。"
    else:
        s4 = f"{Y}年，{we}因政府信息公开工作被申请行政复议{rv}件，" if rv else f"{Y}年，{we}未被申请行政复议，"
        s4 += f"被提起行政诉讼{lit}件。" if lit else "未被提起行政诉讼。"
    out["review_litigation"] = [s4]

    probs, meas = rng.sample(_PROBLEMS, 2), rng.sample(_MEASURES, 3)
    out["problems"] = [f"{Y}年，{we}政府信息公开工作取得了一定成效，但仍存在一些问题和不足：一是{probs[0]}；二是{probs[1]}。"
                       f"下一步，{we}将采取以下改进措施：一是{meas[0]}；二是{meas[1]}；三是{meas[2]}。"]
    if spec["template"] == "v2021":
        fee = spec.get("fee_yuan", 0)
        s6 = (f"依据《政府信息公开信息处理费管理办法》，{Y}年{we}"
              + (f"共收取信息处理费{fee}元。" if fee else "未收取信息处理费。"))
        s6 += f"{we}对照{Y}年政务公开工作要点逐项抓好落实，人大代表建议和政协提案办理结果按规定予以公开。"
    else:
        s6 = "无其他需要报告的事项。"
    out["other"] = [s6]
    return out


# ----------------------------------------------------------------------------------------------
# Document model: a list of blocks shared by the renderers
# ----------------------------------------------------------------------------------------------
@dataclass
class Blk:
    kind: str  # title | para | heading | table | sign
    text: str = ""
    key: str = ""
    table: Optional[Layout] = None


def build_blocks(spec: dict, p: dict, rng: random.Random) -> tuple[list[Blk], dict]:
    paras = _paragraphs(spec, p, rng)
    headings = dict(SECTIONS)
    if spec.get("heading_variants"):
        for k, vs in HEADING_VARIANTS.items():
            if rng.random() < 0.5:
                headings[k] = rng.choice(vs)
    blocks = [Blk("title", f"{spec['issuer']}{spec['year']}年政府信息公开工作年度报告")]
    blocks += [Blk("para", t) for t in paras["preamble"]]
    tables = {"active": layout_t1(spec, p), "requests": layout_t2(spec, p), "review_litigation": layout_t3(spec, p)}
    for key, _ in SECTIONS:
        blocks.append(Blk("heading", headings[key], key=key))
        blocks += [Blk("para", t) for t in paras[key]]
        if key in tables:
            blocks.append(Blk("table", table=tables[key], key=key))
    blocks.append(Blk("sign", spec["issuer"]))
    blocks.append(Blk("sign", _cn_date(dt.date.fromisoformat(spec["published"]))))
    return blocks, headings


# ----------------------------------------------------------------------------------------------
# DOCX renderer (tables written as raw WordprocessingML: fast, with real gridSpan / vMerge)
# ----------------------------------------------------------------------------------------------
def _run_xml(text: str, pt: float, font: str, bold=False) -> str:
    sz = int(round(pt * 2))
    b = "<w:b/>" if bold else ""
    parts = htmlmod.escape(text, quote=False).split("\n")
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{t}</w:t>' for t in parts)
    return (f'<w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}"/>{b}'
            f'<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr>{inner}</w:r>')


def _tbl_xml(lay: Layout) -> str:
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    tw = [int(w * 567) for w in lay.widths_cm]  # cm -> twips
    cover: dict[tuple[int, int], LCell] = {}
    for c in lay.cells:
        for r in range(c.row, c.row + c.rs):
            for k in range(c.col, c.col + c.cs):
                cover[(r, k)] = c
    rows = []
    for r in range(lay.n_rows):
        tcs, k = [], 0
        while k < lay.n_cols:
            c = cover[(r, k)]
            width = sum(tw[c.col:c.col + c.cs])
            pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
            if c.cs > 1:
                pr += f'<w:gridSpan w:val="{c.cs}"/>'
            if c.rs > 1:
                pr += '<w:vMerge w:val="restart"/>' if r == c.row else "<w:vMerge/>"
            pr += '<w:vAlign w:val="center"/>'
            body = _run_xml(c.text, lay.font_pt, "宋体") if r == c.row and c.text else ""
            tcs.append(f'<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" '
                       f'w:lineRule="auto"/><w:jc w:val="center"/></w:pPr>{body}</w:p></w:tc>')
            k += c.cs
        rows.append(f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{"".join(tcs)}</w:tr>')
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in tw)
    borders = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (f'<w:tbl {W}><w:tblPr><w:tblW w:w="{sum(tw)}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            f'<w:tblCellMar><w:left w:w="40" w:type="dxa"/><w:right w:w="40" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            f'<w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')


def _para_xml(text: str, pt: float, font: str, *, bold=False, align="both", indent=True, line=560) -> str:
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ind = f'<w:ind w:firstLine="{int(pt * 40)}"/>' if indent else ""
    return (f'<w:p {W}><w:pPr><w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>{ind}'
            f'<w:jc w:val="{align}"/></w:pPr>{_run_xml(text, pt, font, bold)}</w:p>')


def render_docx(spec: dict, blocks: list[Blk]) -> bytes:
    import docx
    from docx.oxml import parse_xml
    from docx.shared import Cm

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.5)
    body = d.element.body
    sect_pr = body[-1]
    for b in blocks:
        if b.kind == "title":
            xml = _para_xml(b.text, 20, "方正小标宋简体", align="center", indent=False, line=720)
        elif b.kind == "heading":
            xml = _para_xml(b.text, 16, "黑体", bold=True)
        elif b.kind == "para":
            xml = _para_xml(b.text, 16, "仿宋_GB2312")
        elif b.kind == "sign":
            xml = _para_xml(b.text, 16, "仿宋_GB2312", align="right", indent=False)
        else:
            xml = _tbl_xml(b.table)
        sect_pr.addprevious(parse_xml(xml))
    cp = d.core_properties
    cp.title = blocks[0].text
    cp.author = cp.last_modified_by = spec["issuer"]
    cp.created = cp.modified = dt.datetime.fromisoformat(spec["published"] + "T09:00:00")
    cp.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return _normalize_zip(buf.getvalue())


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite the DOCX zip with fixed timestamps so the same spec gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# ----------------------------------------------------------------------------------------------
# HTML renderer
# ----------------------------------------------------------------------------------------------
_CSS = """body{margin:0;font-family:"Microsoft YaHei","SimSun",sans-serif;color:#333;background:#f4f4f4}
.top{background:#0b4f9c;color:#fff;padding:10px 24px}.top .site{font-size:22px;font-weight:bold}
.nav{list-style:none;margin:8px 0 0;padding:0}.nav li{display:inline-block;margin-right:22px}
.crumb{padding:8px 24px;font-size:13px;color:#666}.wrap{display:flex;gap:16px;padding:0 24px}
.side{width:210px;background:#fff;font-size:14px;padding:10px}.side li{margin:6px 0}
.content{flex:1;background:#fff;padding:20px 40px}
h1{text-align:center;font-size:24px;color:#b10000;font-weight:normal}.meta{text-align:center;font-size:13px;color:#888}
p{text-indent:2em;line-height:1.9;font-size:16px;margin:6px 0}p.h{font-weight:bold;text-indent:2em}
p.sign{text-align:right}table{border-collapse:collapse;margin:10px auto;width:100%}
td{border:1px solid #000;text-align:center;font-size:13px;padding:3px}
.foot{margin-top:24px;background:#0b4f9c;color:#dfe8f5;font-size:12px;text-align:center;padding:14px}"""


def _table_html(lay: Layout) -> str:
    by_row: dict[int, list[LCell]] = {}
    for c in lay.cells:
        by_row.setdefault(c.row, []).append(c)
    out = ['<table border="1" cellspacing="0" cellpadding="0"><tbody>']
    for r in range(lay.n_rows):
        tds = []
        for c in sorted(by_row.get(r, []), key=lambda c: c.col):
            attrs = (f' rowspan="{c.rs}"' if c.rs > 1 else "") + (f' colspan="{c.cs}"' if c.cs > 1 else "")
            tds.append(f"<td{attrs}>{htmlmod.escape(c.text, quote=False).replace(chr(10), '<br>')}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(spec: dict, blocks: list[Blk]) -> bytes:
    enc = spec.get("encoding", "utf-8")
    iss, Y = spec["issuer"], spec["year"]
    body = []
    for b in blocks:
        t = htmlmod.escape(b.text, quote=False)
        if b.kind == "title":
            body.append(f"<h1>{t}</h1>")
            if spec.get("chrome"):
                body.append(f'<div class="meta">发布日期：{spec["published"]}　来源：{htmlmod.escape(iss)}　'
                            "字号：[大 中 小]　【打印本页】</div>")
        elif b.kind == "heading":
            body.append(f'<p class="h">{t}</p>')
        elif b.kind == "para":
            body.append(f"<p>{t}</p>")
        elif b.kind == "sign":
            body.append(f'<p class="sign">{t}</p>')
        else:
            body.append(_table_html(b.table))
    article = "\n".join(body)
    title = blocks[0].text
    if spec.get("chrome"):
        side = ["<h4>政府信息公开</h4><ul><li>政府信息公开指南</li><li>政府信息公开制度</li>"
                "<li>法定主动公开内容</li><li>政府信息公开年报</li></ul>"]
        if "sidebar_links" in spec.get("traps", []):
            side.append(f"<h4>相关报告</h4><ul><li><a href=\"#\">{iss}{Y - 1}年政府信息公开工作年度报告</a></li>"
                        f"<li><a href=\"#\">{iss}{Y - 2}年政府信息公开工作年度报告</a></li></ul>")
        page = (f'<div class="top"><div class="site">{iss}门户网站</div><ul class="nav"><li>首页</li><li>走进{iss[:3]}</li>'
                "<li>政务公开</li><li>政务服务</li><li>互动交流</li><li>专题专栏</li></ul></div>\n"
                '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>\n'
                f'<div class="wrap"><div class="side">{"".join(side)}</div>\n<div class="content">\n{article}\n'
                '<div class="tools">【打印本页】【关闭窗口】</div></div></div>\n'
                f'<div class="foot">主办单位：{iss}　承办：{iss}办公室　网站标识码：0000000000　X ICP备00000000号<br>'
                "本网站为演示用虚构页面</div>")
    else:
        page = f'<div class="content">\n{article}\n</div>'
    doc = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{enc}">\n<title>{title}</title>\n'
           f"<style>{_CSS}</style></head>\n<body>\n{page}\n</body></html>\n")
    return doc.encode(enc)  # strict: a character outside the declared charset is a generator bug


# ----------------------------------------------------------------------------------------------
# PDF: LibreOffice conversion and page lookup
# ----------------------------------------------------------------------------------------------
def docx_to_pdf(docx_paths: list[Path], outdir: Path) -> list[Path]:
    """Convert DOCX files with one headless soffice run and a private, throw-away profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("soffice not found (apt-get install -y libreoffice-writer-nogui)")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="lo-profile-xxgk-")
    try:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), *map(str, docx_paths)],
                       check=True, capture_output=True, timeout=120 + 10 * len(docx_paths))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = [outdir / (Path(p).stem + ".pdf") for p in docx_paths]
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"soffice did not produce {missing}")
    return out


def pdf_page_texts(pdf: Path | bytes) -> list[str]:
    import pdfplumber

    src = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    with pdfplumber.open(src) as doc:
        return [re.sub(r"\s+", "", pg.extract_text() or "") for pg in doc.pages]


def pdf_find_pages(pdf: Path | bytes, needles: list[str]) -> list[Optional[int]]:
    """1-based page of each needle, searched in order (each at or after the previous hit)."""
    texts = pdf_page_texts(pdf)
    out, start = [], 0
    for nd in needles:
        nd = re.sub(r"\s+", "", nd)
        hit = next((i for i in range(start, len(texts)) if nd in texts[i]), None)
        out.append(None if hit is None else hit + 1)
        start = hit if hit is not None else start
    return out


# ----------------------------------------------------------------------------------------------
# Defects and gold
# ----------------------------------------------------------------------------------------------
def _plant_tables(spec: dict, p: dict, rng: random.Random) -> list[dict]:
    """Change printed table cells for planted table defects; return their expected flags."""
    flags, defects = [], set(spec.get("defects", []))
    if "T2-01" in defects:
        # a row total off by one: breaks T2-01 on the row and T2-02 on the 总计 column
        cands = [r for r in decision_rows(spec["template"]) if num(parse_printed(p[f"t2.{r}.total"])) > 0]
        row = "unable.not_held" if "unable.not_held" in cands else rng.choice(cands)
        good = int(num(parse_printed(p[f"t2.{row}.total"])))
        p[f"t2.{row}.total"] = str(good + 1)
        parts = "+".join(str(int(num(parse_printed(p[f"t2.{row}.{c}"])))) for c in APPLICANTS)
        flags.append({"check": "T2-01", "cells": [f"t2.{row}.{c}" for c in COLS],
                      "why": f"row {row}: {parts} = {good}, but 总计 prints {good + 1}"})
        flags.append({"check": "T2-02", "cells": ["t2.total_processed.total", f"t2.{row}.total"],
                      "why": f"column total: decision rows sum to {_dec_sum(spec, p, 'total')}, "
                             f"（七）总计 prints {p['t2.total_processed.total']} (follows from the bad {row} total)"})
    if "T2-03" in defects:
        # one more carried forward in the 自然人 column, row total kept consistent: T2-03 on two columns
        for c in ("natural_person", "total"):
            k = f"t2.carry_forward.{c}"
            p[k] = str(int(num(parse_printed(p[k]))) + 1)
        for c in ("natural_person", "total"):
            cells = [f"t2.{r}.{c}" for r in ("new", "carried_over", "total_processed", "carry_forward")]
            a, b, t, f = (int(num(parse_printed(p[x]))) for x in cells)
            flags.append({"check": "T2-03", "cells": cells,
                          "why": f"column {c}: 新收 {a} + 上年结转 {b} ≠ 总计 {t} + 结转下年度 {f}"})
    if "T3-01" in defects:
        k = "t3.review.total"
        p[k] = str(int(num(parse_printed(p[k]))) + 1)
        parts = [int(num(parse_printed(p[f"t3.review.{r}"]))) for r, _ in T3_RES[:4]]
        flags.append({"check": "T3-01", "cells": [f"t3.review.{r}" for r, _ in T3_RES],
                      "why": f"review: {'+'.join(map(str, parts))} = {sum(parts)}, but 总计 prints {p[k]}"})
    return flags


def _dec_sum(spec: dict, p: dict, col: str) -> int:
    return int(sum(num(parse_printed(p[f"t2.{r}.{col}"])) for r in decision_rows(spec["template"])))


def _plant_text_flags(spec: dict, blocks: list[Blk], p: dict) -> list[dict]:
    flags, defects = [], set(spec.get("defects", []))
    paras = [b.text for b in blocks if b.kind == "para"]
    if "R01" in defects:
        q = next(s for t in paras for s in re.split("(?<=[。；])", t) if "共收到政府信息公开申请" in s)
        flags.append({"check": "R01", "cells": ["t2.new.total", "t2.carried_over.total"], "quote": q.strip("。；"),
                      "why": f"stated number matches neither t2.new.total = {p['t2.new.total']} nor new + carried_over"})
    if "R05" in defects:
        q = "本年度未出现因政府信息公开引起的行政复议情况"
        flags.append({"check": "R05", "cells": ["t3.review.total"], "quote": q,
                      "why": f"negates 行政复议 but t3.review.total = {p['t3.review.total']}"})
    if "D01" in defects:
        flags.append({"check": "D01", "cells": [], "quote": f"统计期限为{spec['year'] - 1}年1月1日至12月31日",
                      "why": f"title year {spec['year']} but statistics period year {spec['year'] - 1}"})
    if "D03" in defects:
        flags.append({"check": "D03", "cells": [], "quote": _cn_date(dt.date.fromisoformat(spec["published"])),
                      "why": f"published {spec['published']}, before the {spec['year']} reporting year ended"})
    return flags


_TRAP_NOTES = {
    "growth": "“较上年增长3件” follows the received count: 3 is not the number of applications",
    "no_review_zero": "“未出现…行政复议、行政诉讼情况” with an all-zero t3: consistent, must not flag R05/R06",
    "natural_only": "“未收到法人或其他组织申请” while only 自然人 applied: R04 must compare the org columns, not the total",
    "sidebar_links": "site sidebar lists the issuer's earlier reports (other years in report titles): not the report title",
}


def complete_spec(spec: dict) -> dict:
    """Fill defaults; the result is what actually gets rendered."""
    s = dict(spec)
    s.setdefault("seed", 0)
    s.setdefault("kind", guess_kind(s["issuer"]))
    s.setdefault("template", "v2019" if s["year"] <= 2020 else "v2021")
    s.setdefault("we", self_ref(s))
    s.setdefault("stem", f"gen-{s['seed']:05d}-{s['kind']}-{s['year']}")
    s.setdefault("traps", [])
    s.setdefault("defects", [])
    if "published" not in s:
        rng = random.Random(f"{s['seed']}-pub")
        d = default_published(s, rng)
        if "D03" in s["defects"]:
            d = dt.date(s["year"], 12, rng.randint(15, 28))
        s["published"] = d.isoformat()
    bad = set(s["defects"]) - set(DEFECTS) or set(s["traps"]) - set(TRAPS)
    if bad:
        raise ValueError(f"unknown defects/traps: {bad}")
    return s


def build(spec: dict) -> tuple[dict, list[Blk], dict]:
    """(completed spec, blocks, gold without sha256/pages)."""
    s = complete_spec(spec)
    rng = random.Random(s["seed"])
    v: dict = {}
    _gen_t1(s, rng, v)
    _gen_t2(s, rng, v)
    _gen_t3(s, rng, v)
    zs = {"t1": "0", "t2": "0", "t3": "0", **s.get("zero_style", {})}
    p = {k: _fmt(k, v[k], zs[k[:2]]) for k in all_keys(s["template"])}
    flags = _plant_tables(s, p, rng)
    blocks, headings = build_blocks(s, p, rng)
    flags += _plant_text_flags(s, blocks, p)
    ext = "html" if s["format"] == "html" else s["format"]
    sections = []
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            nxt = blocks[i + 1]
            first = nxt.text if nxt.kind == "para" else nxt.table.cells[0].text
            sections.append({"key": b.key, "heading": re.sub(r"\s+", "", b.text), "page": None,
                             "starts_with": re.sub(r"\s+", "", first)[:10]})
    traps = list(s["traps"])
    if "no_review_zero" not in traps and any(b.text.startswith("本年度未出现因政府信息公开引起的行政复议、行政诉讼") for b in blocks):
        traps.append("no_review_zero")  # the sentence came out naturally from an all-zero t3
    notes = [f"synthetic sample, fictional issuer; format {s['format']}"
             + (f" ({s.get('encoding', 'utf-8')})" if ext == "html" else "") + f"; seed {s['seed']}"]
    if s["defects"]:
        notes.append("planted: " + ", ".join(s["defects"]))
    if traps:
        notes.append("traps (must not flag): " + "; ".join(_TRAP_NOTES[t] for t in traps))
    zero_notes = [f"{t} zeros print as {'blank' if z == '' else repr(z)}" for t, z in zs.items() if z != "0"]
    if zero_notes:
        notes.append("; ".join(zero_notes))
    if s.get("notes"):
        notes.append(s["notes"])
    gold = {
        "document": f"{s['stem']}.{ext}",
        "sha256": None,
        "issuer": s["issuer"],
        "report_year": s["year"],
        "template": s["template"],
        "published": s["published"],
        "sections": sections,
        "cells": {k: parse_printed(p[k]) for k in all_keys(s["template"])},
        "expected_flags": flags,
        "notes": "; ".join(notes),
    }
    return s, blocks, gold


def make_report(spec: dict, pdf: bool = True) -> tuple[bytes, dict]:
    """Render one report. Returns (file bytes, gold). HTML bytes are in the declared charset.

    For format "pdf" with pdf=False, returns the intermediate DOCX bytes and a gold whose sha256 and
    section pages are None; finish it with `finish_pdf_gold` after converting (see generate_bulk).
    """
    s, blocks, gold = build(spec)
    if s["format"] == "html":
        data = render_html(s, blocks)
    else:
        data = render_docx(s, blocks)
        if s["format"] == "pdf" and pdf:
            with tempfile.TemporaryDirectory(prefix="xxgk-pdf-") as tmp:
                src = Path(tmp) / f"{s['stem']}.docx"
                src.write_bytes(data)
                data = docx_to_pdf([src], Path(tmp))[0].read_bytes()
            finish_pdf_gold(gold, data)
            return data, gold
    if s["format"] != "pdf":
        gold["sha256"] = hashlib.sha256(data).hexdigest()
    return data, gold


def finish_pdf_gold(gold: dict, pdf_bytes: bytes) -> dict:
    gold["sha256"] = hashlib.sha256(pdf_bytes).hexdigest()
    pages = pdf_find_pages(pdf_bytes, [s["heading"] for s in gold["sections"]])
    for sec, pg in zip(gold["sections"], pages):
        if pg is None:
            raise RuntimeError(f"heading {sec['heading']} not found in {gold['document']}")
        sec["page"] = pg
    return gold


# ----------------------------------------------------------------------------------------------
# Bulk generation
# ----------------------------------------------------------------------------------------------
_PLACES = ["青禾", "云岭", "桐湾", "雁汀", "栖梧", "沄川", "葭湾", "鹭屿", "蓼汀", "榆溪", "杉浦", "芩阳", "荻川", "楠湖"]
_DEPTS = ["交通运输局", "市场监督管理局", "卫生健康委员会", "自然资源和规划局", "教育局", "生态环境局", "人力资源和社会保障局",
          "住房和城乡建设局", "民政局", "统计局", "司法局", "农业农村局", "应急管理局", "医疗保障局"]
_TOWNS = ["柳塘镇人民政府", "石桥镇人民政府", "白沙乡人民政府", "东关街道办事处", "望江街道办事处"]


def random_spec(i: int, seed: int = 0, formats=("docx", "html"), defect_rate: float = 0.3) -> dict:
    """A varied, valid spec for report number i (deterministic in (i, seed))."""
    rng = random.Random(f"{seed}:{i}")
    city, county = rng.sample(_PLACES, 2)
    kind = rng.choice(["citydept", "countydept", "citygov", "countygov", "districtgov", "town"])
    issuer = {"citydept": f"{city}市{rng.choice(_DEPTS)}", "countydept": f"{county}县{rng.choice(_DEPTS)}",
              "citygov": f"{city}市人民政府", "countygov": f"{county}县人民政府",
              "districtgov": f"{city}市{county}区人民政府", "town": f"{county}县{rng.choice(_TOWNS)}"}[kind]
    year = rng.choice([2019, 2020] + list(range(2021, 2025)) * 2)
    fmt = rng.choice(list(formats))
    spec = {"stem": f"gen-{seed}-{i:05d}-{kind}-{year}", "issuer": issuer, "kind": kind, "year": year, "format": fmt,
            "seed": rng.randrange(1 << 30), "scale": rng.choice(["small", "medium", "medium", "large"]),
            "overview_paras": rng.randint(2, 4), "halfwidth": rng.random() < 0.25,
            "split_labels": rng.random() < 0.3, "heading_variants": rng.random() < 0.3,
            "zero_style": {t: rng.choice(["0", "0", "0", "", "/"]) for t in ("t1", "t2", "t3")},
            "traps": [t for t in ("growth", "no_review_zero", "natural_only") if rng.random() < 0.2],
            "defects": []}
    if fmt == "html":
        spec["encoding"] = rng.choice(["utf-8", "utf-8", "gbk"])
        spec["chrome"] = rng.random() < 0.6
        if spec["chrome"] and rng.random() < 0.5:
            spec["traps"].append("sidebar_links")
    if year >= 2021 and rng.random() < 0.2:
        spec["fee_yuan"] = rng.choice([50, 100, 380, 1200])
    if rng.random() < defect_rate:
        d = rng.choice(DEFECTS)
        spec["defects"] = [d]
        if d in ("R05", "T3-01"):
            spec["traps"] = [t for t in spec["traps"] if t != "no_review_zero"]
    return spec


def write_report(outdir: Path, data: bytes, gold: dict) -> Path:
    import json

    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / gold["document"]
    path.write_bytes(data)
    (outdir / (path.stem + ".json")).write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def as_pdfs(reports: list[tuple[bytes, dict]]) -> list[tuple[bytes, dict]]:
    """(DOCX bytes, gold) → (PDF bytes, gold with the PDF's sha256 and section pages), all printed
    by one soffice run."""
    if not reports:
        return []
    out = []
    with tempfile.TemporaryDirectory(prefix="xxgk-pdf-") as tmp:
        sources = []
        for data, gold in reports:
            src = Path(tmp) / (Path(gold["document"]).stem + ".docx")
            src.write_bytes(data)
            sources.append(src)
        for pdf, (_, gold) in zip(docx_to_pdf(sources, Path(tmp)), reports):
            data = pdf.read_bytes()
            out.append((data, finish_pdf_gold(gold, data)))
    return out


def generate_bulk(n: int, outdir: Path | str, seed: int = 0, **kw) -> list[dict]:
    """Write n varied reports with golds into outdir; PDFs are converted in a single soffice run."""
    outdir = Path(outdir)
    golds, pending = [], []
    for i in range(n):
        spec = random_spec(i, seed, **kw)
        data, gold = make_report(spec, pdf=False)
        if spec["format"] == "pdf":
            pending.append((data, gold))
        else:
            write_report(outdir, data, gold)
        golds.append(gold)
    for data, gold in as_pdfs(pending):
        write_report(outdir, data, gold)
    return golds
