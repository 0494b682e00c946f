"""Cell keys in words, for every reviewer-facing output (CLI, CSV, JSON, XLSX, web, packets).

A key such as `t3.review.total` is internal; a reviewer reads 表四 行政复议 总计. Table numbers
follow the report's own parts (t1 = 表二 in part 二, t2 = 表三, t3 = 表四); row and column
words come from rules/checks.toml [labels] (the printed labels) and rules/template.toml, never
from this file. Also the one place that turns a stored severity into 错误/警告/提示.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional

from .resources import load_rules
from .status import Severity

TABLE_WORDS = {"t1": "表二", "t2": "表三", "t3": "表四"}
TABLE_TITLES = {"t1": "二、主动公开政府信息情况", "t2": "三、收到和处理政府信息公开申请情况",
                "t3": "四、政府信息公开行政复议、行政诉讼情况"}


def severity_word(value: Optional[str]) -> str:
    """错误/警告/提示 for a stored severity; an unknown value is shown as stored."""
    try:
        return Severity(value).label
    except ValueError:
        return value or ""


def _labels(name: str) -> dict:
    try:
        return load_rules("checks.toml").get("labels", {}).get(name, {})
    except Exception:  # catalog being edited: the template's words are enough
        return {}


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    tpl = load_rules("template.toml")
    t1_rows = {k: v[0] for k, v in tpl["t1"]["rows"].items()}
    t1_rows.update(_labels("t1_docs"))
    t1_rows.update(_labels("t1_v2019_items"))
    t1_cols = {k: min(v, key=len) for k, v in tpl["t1"]["columns"].items()}
    t1_cols["amount_wan"] = "本年收费金额（万元）"
    groups = tpl["t2"].get("groups", {})
    t2_rows = {}
    for r in tpl["t2"]["rows"]:
        g = r.get("group") or ""
        t2_rows[r["key"]] = (f"{groups[g][0]}：{r['labels'][0]}" if g in groups else r["labels"][0])
    for g, words in groups.items():
        t2_rows.setdefault(g, words[0])
        t2_rows[f"{g}._subtotal"] = f"{words[0]}小计"
    t2_rows.update(_labels("t2_rows"))
    t2_cols = {k: v[0] for k, v in tpl["t2"]["columns"].items()}
    t2_cols.update(_labels("t2_cols"))
    t3 = tpl["t3"]
    t3_rows = {"review": "行政复议", "lit_direct": "行政诉讼（未经复议直接起诉）",
               "lit_after_review": "行政诉讼（复议后起诉）"}
    t3_rows.update(_labels("t3_groups"))
    t3_cols = dict(zip(t3["results"], t3["result_labels"]))
    t3_cols.update(_labels("t3_parts"))
    return {"t1": (t1_rows, t1_cols), "t2": (t2_rows, t2_cols), "t3": (t3_rows, t3_cols)}


def split_key(key: str) -> tuple[str, str, str]:
    """(table, row key, column key): the column is the last dotted part, the row what is between."""
    tbl, _, rest = key.partition(".")
    row, _, col = rest.rpartition(".")
    return tbl, row, col


def cell_parts(key: str) -> tuple[str, str, str]:
    """(表, 行, 列) in words; an unknown key keeps its pieces so nothing is lost."""
    tbl, row, col = split_key(key)
    if tbl not in TABLE_WORDS:
        return "", key, ""
    rows, cols = _vocabulary()[tbl]
    return TABLE_WORDS[tbl], rows.get(row, row), cols.get(col, col)


def cell_words(key: str) -> str:
    """表四 行政复议 总计."""
    return " ".join(p for p in cell_parts(key) if p)


def cells_words(keys: Iterable[str]) -> str:
    """Several cells, one table and row written once: 表四 行政复议：总计、结果维持；表三 …"""
    groups: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        tbl, row, col = cell_parts(key)
        groups.setdefault((tbl, row), []).append(col)
    out = []
    for (tbl, row), cols in groups.items():
        head = " ".join(p for p in (tbl, row) if p)
        cols = [c for c in cols if c]
        out.append(f"{head}：{'、'.join(cols)}" if cols else head)
    return "；".join(out)


def part_words(key: str) -> str:
    """A row or column of a table, not one cell: t2.deny._subtotal → 表三 不予公开小计;
    t2.*.legal_subtotal (a column on every row) → 表三 法人或其他组织小计 列."""
    tbl, _, rest = key.partition(".")
    if tbl not in TABLE_WORDS:
        return key
    rows, cols = _vocabulary()[tbl]
    if rest.startswith("*."):
        col = rest[2:]
        return f"{TABLE_WORDS[tbl]} {cols.get(col, col)}列"
    return f"{TABLE_WORDS[tbl]} {rows.get(rest) or cols.get(rest) or rest}"

