"""Reviewer-facing SQL on top of the store (extractor/store.py): views, full-text search over the
paragraphs, and the reviewer's decisions on flags.

- `ensure_views(db)` creates the `reviews` tables (if missing) and (re)creates every view. The views
  have Chinese column names; row and column labels come from rules/template.toml (and the printed
  labels of rules/checks.toml when that catalog is present), not from this file.
- `ensure_search(db)` fills paragraphs.tokens where the pipeline left it empty and keeps the FTS5
  index `paragraphs_fts` (external content, maintained by triggers) in step with it.
- `record_decision` / `import_decisions`: reviewer decisions live in `reviews`, keyed by the flag
  fingerprint (Flag.fingerprint: check + report sha256 + cells). `xxgk audit` deletes rows
  only from reports/sections/paragraphs/cells/flags, so decisions survive every re-run, and a flag
  that comes back with the same fingerprint shows its decision again.

Nothing here imports datasette; `xxgk review` and `xxgk audit` can call it cheaply.
"""
from __future__ import annotations

import csv
import getpass
import io
import time
from pathlib import Path
from typing import Optional, Union

import sqlite_utils

from .resources import load_rules as load
from .schema import FTS_TABLE, FTS_TRIGGERS, enable_search, ensure_schema, open_db, replace_views
from .status import Severity, Status

# ----------------------------------------------------------------------------- vocabulary

STATUS_LABELS = {"confirmed": "已确认", "dismissed": "已驳回"}
OPEN_LABEL = "待审核"
# Accepted spellings of a decision (CLI and CSV). "open" withdraws a decision.
STATUS_ALIASES = {
    "confirmed": "confirmed", "confirm": "confirmed", "确认": "confirmed", "已确认": "confirmed",
    "属实": "confirmed", "问题属实": "confirmed",
    "dismissed": "dismissed", "dismiss": "dismissed", "驳回": "dismissed", "已驳回": "dismissed",
    "排除": "dismissed", "误报": "dismissed", "不是问题": "dismissed",
    "open": "open", "reopen": "open", "撤销": "open", "撤销决定": "open",
}
# In an imported CSV these mean "no decision on this row": the row is skipped.
CSV_SKIP = ("", "待审核", "-", "—")
SEVERITY_LABELS = {s.value: s.label for s in Severity}
REPORT_STATUS_LABELS = {s.value: s.label for s in Status}
T3_GROUP_LABELS = {"review": "行政复议", "lit_direct": "行政诉讼（未经复议直接起诉）",
                   "lit_after_review": "行政诉讼（复议后起诉）"}
PREAMBLE_LABEL = "标题和前言"

# t1 columns printed by each template version (spec A.1 / A.2); the links to t1_wide hide the
# other version's columns.
T1_VERSION_COLUMNS = {
    "v2021": ["made", "repealed", "valid", "decisions", "amount_wan"],
    "v2019": ["new_made", "new_published", "total_published", "prev_items", "delta_items",
              "decisions", "projects", "amount"],
}

VIEW_NAMES = ("report_overview", "flag_review", "check_failures", "t1_wide", "t2_wide", "t3_wide",
              "issuer_trend", "paragraph_list", "review_orphans", "comparison_list")  # + coverage.VIEW_NAMES

DbLike = Union[sqlite_utils.Database, str, Path]


def _db(db: DbLike) -> sqlite_utils.Database:

    return db if isinstance(db, sqlite_utils.Database) else open_db(db)


def _q(s) -> str:
    """SQL literal."""
    if s is None:
        return "NULL"
    if isinstance(s, bool):
        return "1" if s else "0"
    if isinstance(s, (int, float)):
        return repr(s)
    return "'" + str(s).replace("'", "''") + "'"


def _ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _values_cte(name: str, columns: list[str], rows: list[tuple]) -> str:
    if not rows:
        nulls = ", ".join(f"NULL AS {c}" for c in columns)
        return f"{name}({', '.join(columns)}) AS (SELECT {nulls} WHERE 0)"
    body = ",\n    ".join("(" + ", ".join(_q(v) for v in r) + ")" for r in rows)
    return f"{name}({', '.join(columns)}) AS (VALUES\n    {body})"


def _catalog() -> dict:
    """rules/checks.toml if it exists and parses (written by the checks engine), else {}."""
    try:
        return load("checks.toml")
    except Exception:  # absent or being edited: labels fall back to template.toml
        return {}


def _short(labels: list[str]) -> str:
    best = min(labels, key=len)
    if any("万元" in x for x in labels) and "万元" not in best:
        best += "（万元）"
    return best


# ----------------------------------------------------------------------------- template layout

def t2_rows() -> list[tuple[int, str, str, bool]]:
    """(order, row key, label, shown even when not printed) for t2 in template order.

    Every row of both versions is listed; the v2019 single row `other` and the v2021 rows `other.*`
    appear only when the report prints them, as do subtotal rows a report adds (spec A.1)."""
    tpl = load("template.toml")["t2"]
    printed = _catalog().get("labels", {}).get("t2_rows", {})
    groups = tpl.get("groups", {})
    rows, order = [], 0
    seq = list(tpl["rows"])
    for i, r in enumerate(seq):
        key, group = r["key"], r.get("group") or ""
        label = printed.get(key) or (f"{groups[group][0]}：{r['labels'][0]}" if group in groups
                                     else r["labels"][0])
        version_specific = key == "other" or group == "other"
        order += 1
        rows.append((order, key, label, not version_specific))
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        if group in groups and (nxt is None or (nxt.get("group") or "") != group):
            order += 1
            rows.append((order, f"{group}._subtotal", f"{groups[group][0]}小计（报告自加的行）", False))
    return rows


def t2_columns() -> list[tuple[str, str]]:
    """(column key, Chinese label) in printed order; the non-template 法人或其他组织小计 last."""
    cols = load("template.toml")["t2"]["columns"]
    printed = _catalog().get("labels", {}).get("t2_cols", {})
    out = [(k, printed.get(k) or v[0]) for k, v in cols.items() if k != "legal_subtotal"]
    if "legal_subtotal" in cols:
        out.append(("legal_subtotal", cols["legal_subtotal"][0]))
    return out


def t1_rows() -> list[tuple[int, str, str]]:
    rows = load("template.toml")["t1"]["rows"]
    return [(i + 1, k, v[0]) for i, (k, v) in enumerate(rows.items())]


def t1_columns() -> list[tuple[str, str]]:
    return [(k, _short(v)) for k, v in load("template.toml")["t1"]["columns"].items()]


def t3_layout() -> tuple[list[tuple[int, str, str]], list[tuple[str, str]]]:
    t3 = load("template.toml")["t3"]
    printed = _catalog().get("labels", {}).get("t3_groups", {})
    rows = [(i + 1, g, printed.get(g) or T3_GROUP_LABELS.get(g, g)) for i, g in enumerate(t3["groups"])]
    cols = list(zip(t3["results"], t3["result_labels"]))
    return rows, cols


def section_labels() -> dict[str, str]:
    labels = {}
    for s in load("sections.toml").get("section", []):
        std, num = s.get("standard") or s["key"], s.get("numeral") or ""
        labels[s["key"]] = std if not num or std.startswith(num) else f"{num}、{std}"
    labels["preamble"] = PREAMBLE_LABEL
    return labels


NAME_CHARS = 36  # a check's Chinese name on the web: the start of its catalog `what`


def check_names() -> list[tuple[str, str, str]]:
    """(id, Chinese name, Chinese description) of every check in the catalog (empty when there is
    no catalog). The catalog's `name`/`doc` are English notes for developers; a reviewer reads
    its `what`: the name is its first sentence, shortened."""
    import re

    out = []
    for c in _catalog().get("check", []):
        if isinstance(c, dict) and c.get("id"):
            what = (c.get("what") or "").strip()
            first = re.split(r"(?<=[。；])", what, maxsplit=1)[0].rstrip("。；")
            head = first.split("：", 1)[0]
            if head != first and head.count("（") == head.count("）") and len(head) >= 6:
                first = head  # "比较模板版本与报告年度：…" → the part before the colon
            name = first if len(first) <= NAME_CHARS else first[:NAME_CHARS - 1] + "…"
            out.append((c["id"], name, what))
    return out


# ----------------------------------------------------------------------------- SQL pieces

def _num(expr: str) -> str:
    """A stored number shown as an integer when it is one (cells.number is REAL)."""
    return (f"(CASE WHEN ({expr}) IS NULL THEN NULL WHEN ({expr}) = CAST(({expr}) AS INTEGER) "
            f"THEN CAST(({expr}) AS INTEGER) ELSE ({expr}) END)")


# the value as printed: the number when it is one, else the printed text; NULL for a blank cell
_CELL = f"(CASE WHEN c.number IS NULL THEN c.value ELSE {_num('c.number')} END)"


def _case(expr: str, mapping: dict[str, str], default: str) -> str:
    whens = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} ELSE {default} END)"


def _grid_view(tbl: str, rows: list[tuple], cols: list[tuple[str, str]], always_col: bool) -> str:
    """One row per template row of one report, one column per template column, values as printed."""
    rows = [r if always_col else (*r, False) for r in rows]
    row_cte = _values_cte("tpl", ["ord", "row_key", "label", "always"], rows)
    keys_cte = _values_cte("k", ["ord", "col", "key"],
                           [(r[0], c, f"{tbl}.{r[1]}.{c}") for r in rows for c, _ in cols])
    pivots = ",\n  ".join(f"MAX(CASE k.col WHEN {_q(c)} THEN {_CELL} END) AS {_ident(label)}"
                           for c, label in cols)
    return f"""WITH {row_cte},
{keys_cte}
SELECT r.issuer AS 发布机关, r.report_year AS 年度, tpl.ord AS 序号, tpl.label AS 行,
  {pivots},
  MAX(c.row_label) AS 原文行名, r.sha256 AS 报告, tpl.row_key AS 行键
FROM reports r
JOIN tpl
JOIN k ON k.ord = tpl.ord
LEFT JOIN cells c ON c.report = r.sha256 AND c.key = k.key
WHERE EXISTS (SELECT 1 FROM cells x WHERE x.report = r.sha256 AND x.tbl = '{tbl}')
GROUP BY r.issuer, r.report_year, r.sha256, tpl.ord
HAVING tpl.always OR COUNT(c.id) > 0
ORDER BY r.issuer, r.report_year, r.sha256, tpl.ord"""


def _check_cte() -> str:
    return _values_cte("ck", ["id", "name", "doc"], check_names())


def _view_sql(db: sqlite_utils.Database) -> dict[str, str]:
    sev = _case("f.severity", SEVERITY_LABELS, "f.severity")
    dec = _case("v.status", STATUS_LABELS, _q(OPEN_LABEL))
    rstatus = _case("r.status", REPORT_STATUS_LABELS, "r.status")
    t3_rows, t3_cols = t3_layout()
    views = {}

    views["report_overview"] = f"""SELECT r.issuer AS 发布机关, r.report_year AS 年度,
  r.n_errors AS 错误, r.n_warnings AS 警告, r.n_infos AS 提示,
  (SELECT COUNT(*) FROM flags f LEFT JOIN reviews v ON v.fingerprint = f.fingerprint
    WHERE f.report = r.sha256 AND v.status IS NULL) AS 待审核,
  (SELECT COUNT(*) FROM flags f JOIN reviews v ON v.fingerprint = f.fingerprint
    WHERE f.report = r.sha256 AND v.status = 'confirmed') AS 已确认,
  (SELECT COUNT(*) FROM flags f JOIN reviews v ON v.fingerprint = f.fingerprint
    WHERE f.report = r.sha256 AND v.status = 'dismissed') AS 已驳回,
  r.sha256 AS 问题, r.sha256 AS 表二, r.sha256 AS 表三, r.sha256 AS 表四, r.sha256 AS 段落,
  {rstatus} AS 读取状态, r.template AS 模板, r.name AS 文件, r.title AS 标题,
  r.published AS 发布日期, r.period_start AS 统计起, r.period_end AS 统计止, r.n_pages AS 页数,
  r.n_cells AS 单元格数, r.message AS 读取说明, r.audited_at AS 审核时间, r.sha256 AS 报告
FROM reports r
ORDER BY r.n_errors DESC, r.n_warnings DESC, r.issuer, r.report_year"""

    views["flag_review"] = f"""WITH {_check_cte()}
SELECT r.issuer AS 发布机关, r.report_year AS 年度, f.check_id AS 检查, ck.name AS 检查名称,
  {sev} AS 级别, f.message AS 说明, f.cells AS 涉及单元格, f.page AS 页码, f.quote AS 原文,
  {dec} AS 审核状态, v.note AS 审核意见, v.reviewer AS 审核人, v.decided_at AS 审核时间,
  f.fingerprint AS 标记指纹, r.name AS 文件, r.sha256 AS 报告, f.id AS 标记编号
FROM flags f
JOIN reports r ON r.sha256 = f.report
LEFT JOIN reviews v ON v.fingerprint = f.fingerprint
LEFT JOIN ck ON ck.id = f.check_id
ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
  r.issuer, r.report_year, f.check_id, f.id"""

    views["check_failures"] = f"""WITH {_check_cte()}
SELECT f.check_id AS 检查, ck.name AS 检查名称,
  (CASE MIN(CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END)
    WHEN 0 THEN '错误' WHEN 1 THEN '警告' ELSE '提示' END) AS 级别,
  r.issuer AS 发布机关, r.report_year AS 年度, COUNT(*) AS 次数,
  SUM(v.status IS NULL) AS 待审核, SUM(v.status = 'confirmed') AS 已确认,
  SUM(v.status = 'dismissed') AS 已驳回, MIN(f.message) AS 说明示例, r.name AS 文件, r.sha256 AS 报告
FROM flags f
JOIN reports r ON r.sha256 = f.report
LEFT JOIN reviews v ON v.fingerprint = f.fingerprint
LEFT JOIN ck ON ck.id = f.check_id
GROUP BY f.check_id, r.sha256
ORDER BY f.check_id, r.issuer, r.report_year"""

    views["t1_wide"] = _grid_view("t1", t1_rows(), t1_columns(), always_col=False)
    views["t2_wide"] = _grid_view("t2", t2_rows(), t2_columns(), always_col=True)
    views["t3_wide"] = _grid_view("t3", [(*r, True) for r in t3_rows], t3_cols, always_col=True)

    figures = {  # column name: cell key
        "本年新收": "t2.new.total", "上年结转": "t2.carried_over.total",
        "予以公开": "t2.open.total", "办理总计": "t2.total_processed.total",
        "结转下年度": "t2.carry_forward.total", "行政复议": "t3.review.total",
        "复议纠正": "t3.review.corrected", "直接起诉": "t3.lit_direct.total",
        "复议后起诉": "t3.lit_after_review.total", "行政许可决定": "t1.licensing.decisions",
        "行政处罚决定": "t1.penalty.decisions",
    }
    pivot = ",\n    ".join(f"MAX(CASE WHEN key = {_q(k)} THEN number END) AS {_ident(n)}"
                           for n, k in figures.items())
    key_list = ", ".join(_q(k) for k in figures.values())
    views["issuer_trend"] = f"""WITH v AS (
  SELECT report,
    {pivot}
  FROM cells WHERE key IN ({key_list}) GROUP BY report)
SELECT COALESCE(i.name, r.issuer) AS 发布机关, r.report_year AS 年度, r.template AS 模板,
  {_num('v.本年新收')} AS 本年新收,
  {_num('v.本年新收 - LAG(v.本年新收) OVER w')} AS 新收比上年,
  {_num('v.上年结转')} AS 上年结转,
  {_num('LAG(v.结转下年度) OVER w')} AS 上年报告结转下年度,
  {_num('v.予以公开')} AS 予以公开, {_num('v.办理总计')} AS 办理总计,
  {_num('v.结转下年度')} AS 结转下年度, {_num('v.行政复议')} AS 行政复议,
  {_num('v.复议纠正')} AS 复议纠正,
  ROUND(100.0 * COALESCE(v.复议纠正, 0) / NULLIF(v.行政复议, 0), 1) AS "复议纠错率（%）",
  {_num('v.直接起诉 + v.复议后起诉')} AS 行政诉讼,
  {_num('v.行政许可决定')} AS 行政许可决定, {_num('v.行政处罚决定')} AS 行政处罚决定,
  r.n_errors AS 错误, r.sha256 AS 报告
FROM reports r LEFT JOIN v ON v.report = r.sha256 {ISSUER_JOIN}
WHERE r.status IN ('ok', 'partial')
WINDOW w AS (PARTITION BY COALESCE(i.id, r.issuer) ORDER BY r.report_year)
ORDER BY 1, r.report_year"""

    sec = _case("p.section", section_labels(), "p.section")
    views["paragraph_list"] = f"""SELECT p.id AS id, r.issuer AS 发布机关, r.report_year AS 年度,
  {sec} AS 部分, p.page AS 页码, p.idx AS 段序,
  CASE WHEN p.is_heading THEN '标题' ELSE '' END AS 类型, p.text AS 段落, r.sha256 AS 报告
FROM paragraphs p JOIN reports r ON r.sha256 = p.report
ORDER BY r.issuer, r.report_year, p.report, p.idx"""

    views["review_orphans"] = f"""SELECT v.fingerprint AS 标记指纹, {dec} AS 审核状态, v.note AS 审核意见,
  v.reviewer AS 审核人, v.decided_at AS 审核时间, v.check_id AS 检查, v.issuer AS 发布机关,
  v.report_year AS 年度, v.message AS 决定时的说明, v.report AS 报告
FROM reviews v
WHERE NOT EXISTS (SELECT 1 FROM flags f WHERE f.fingerprint = v.fingerprint)
ORDER BY v.decided_at DESC"""
    views["comparison_list"] = COMPARISON_LIST
    return views


# Year-over-year comparisons (extractor/compare.py, table `comparisons`) and same-year look-alikes of
# other issuers (X04 at info level, crossyear_flags): one list, to find 雷同 reports (similarity ≥ 0.9).
COMPARISON_LIST = """SELECT * FROM (
SELECT '同一机关相邻年度' AS 比较, CASE WHEN c.similarity >= 0.9 THEN '雷同' ELSE '' END AS 雷同,
  ROUND(c.similarity, 3) AS 相似度, i.name AS 发布机关, c.report_year AS 年度, i.name AS 对比机关,
  c.other_year AS 对比年度, c.cells_changed AS 变化单元格, c.big_jumps AS 大幅变化, c.problems AS 问题数,
  r1.name AS 文件, r2.name AS 对比文件, c.report || '/' || c.other_report AS 对照, c.report AS 报告,
  c.other_report AS 对比报告
FROM comparisons c JOIN reports r1 ON r1.sha256 = c.report JOIN reports r2 ON r2.sha256 = c.other_report
LEFT JOIN issuers i ON i.id = c.issuer_id
UNION ALL
SELECT '同年度不同机关', CASE WHEN f.score >= 0.9 THEN '雷同' ELSE '' END, ROUND(f.score, 3),
  COALESCE(i1.name, r1.issuer), f.report_year, COALESCE(i2.name, r2.issuer), f.other_year, NULL, NULL, NULL,
  r1.name, r2.name, f.report || '/' || f.other_report, f.report, f.other_report
FROM crossyear_flags f JOIN reports r1 ON r1.sha256 = f.report JOIN reports r2 ON r2.sha256 = f.other_report
LEFT JOIN report_issuers ri1 ON ri1.report = f.report LEFT JOIN issuers i1 ON i1.id = ri1.issuer_id
LEFT JOIN report_issuers ri2 ON ri2.report = f.other_report LEFT JOIN issuers i2 ON i2.id = ri2.issuer_id
WHERE f.scope = 'peer' AND f.check_id = 'X04'
) ORDER BY 相似度 DESC, 发布机关, 年度"""


# ----------------------------------------------------------------------------- structure
# Tables, indexes, views and the FTS index are created by extractor/schema.py; this module gives it
# the views' SQL and fills the search tokens.

ISSUER_JOIN = ("LEFT JOIN report_issuers ri ON ri.report = r.sha256 "
               "LEFT JOIN issuers i ON i.id = ri.issuer_id")


def ensure_views(db: DbLike) -> list[str]:
    """(Re)create the reviewer views (and the reviews tables they join). Returns the view names."""
    db = _db(db)
    ensure_schema(db)
    from .coverage import view_sql as coverage_sql
    sql = {**_view_sql(db), **coverage_sql(db)}
    with db.conn:
        replace_views(db.conn, sql)
    return list(sql)


def ensure_search(db: DbLike, rebuild: bool = False) -> int:
    """Segment paragraphs whose tokens are empty and keep paragraphs_fts complete.

    Returns the number of paragraphs that were segmented here."""
    from .segment import index_tokens

    from .segment import tokens_signature

    db = _db(db)
    ensure_schema(db)
    row = db.execute("SELECT value FROM search_meta WHERE key = 'tokens'").fetchone()
    signature = tokens_signature()
    stale = row is not None and row[0] != signature  # tokens made by another segmenter version
    where = "" if stale else "(tokens IS NULL OR tokens = '') AND "
    todo = db.execute(f"SELECT id, text FROM paragraphs WHERE {where}"
                      "text IS NOT NULL AND text != ''").fetchall()
    with db.conn:
        db.conn.executemany("UPDATE paragraphs SET tokens = ? WHERE id = ?",
                            [(index_tokens(t), i) for i, t in todo])
        db.conn.execute("INSERT OR REPLACE INTO search_meta (key, value) VALUES ('tokens', ?)",
                        [signature])
    names = set(db.table_names())
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    if FTS_TABLE not in names or not set(FTS_TRIGGERS) <= triggers:
        enable_search(db)
        rebuild = True
    elif not rebuild:
        indexed = db.execute(f"SELECT COUNT(*) FROM {FTS_TABLE}_docsize").fetchone()[0]
        rebuild = indexed != db.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
    if rebuild:
        with db.conn:
            db.conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return len(todo)


def prepare(db: DbLike) -> dict:
    """Everything `xxgk serve` needs in the database: reviews tables, search index, issuer links
    and the cross-year views, views."""
    db = _db(db)
    from .coverage import ensure_coverage_views
    ensure_schema(db)
    ensure_coverage_views(db)
    segmented = ensure_search(db)
    views = ensure_views(db)
    return {"segmented": segmented, "views": views}


def search_paragraphs(db: DbLike, query: str) -> list[int]:
    """paragraph ids whose text contains every word of query (the FTS5 index, jieba words)."""
    from .segment import fts_query

    match = fts_query(query)
    if not match:
        return []
    db = _db(db)
    return [r[0] for r in db.execute(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? ORDER BY rowid", [match])]


# ----------------------------------------------------------------------------- decisions

class ReviewError(ValueError):
    """A decision that cannot be recorded (message in Chinese)."""


def normalise_status(status: str) -> str:
    s = STATUS_ALIASES.get((status or "").strip().lower()) or STATUS_ALIASES.get((status or "").strip())
    if not s:
        raise ReviewError(f"无法识别的审核结论“{status}”：应为 confirmed（确认问题属实）、"
                          "dismissed（驳回，不是问题）或 open（撤销决定）")
    return s


MIN_PREFIX = 6  # shortest fingerprint prefix `xxgk review` accepts


def resolve_fingerprint(db: DbLike, fingerprint: str) -> str:
    """The full fingerprint of an existing flag; a unique prefix of at least 6 characters works."""
    db = _db(db)
    fp = (fingerprint or "").strip()
    if not fp:
        raise ReviewError("缺少标记指纹（flags.fingerprint，可在“问题清单”的“标记指纹”列复制）")
    if db.execute("SELECT 1 FROM flags WHERE fingerprint = ? LIMIT 1", [fp]).fetchone():
        return fp
    if len(fp) >= MIN_PREFIX:
        found = [r[0] for r in db.execute(
            "SELECT DISTINCT fingerprint FROM flags WHERE fingerprint LIKE ? || '%' LIMIT 3", [fp])]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ReviewError(f"指纹前缀 {fp} 对应多个标记，请输入完整指纹")
    else:  # too short to be taken as a prefix, even when only one flag starts with it: say the rule
        raise ReviewError(f"指纹前缀 {fp} 太短：只有 {len(fp)} 个字符，前缀至少要 {MIN_PREFIX} 个字符"
                          "（且只对应一个标记），或输入完整的标记指纹")
    raise ReviewError(f"数据库中没有指纹为 {fp} 的标记（问题）。请在“问题清单”中复制“标记指纹”列的值")


def _flag_context(db: sqlite_utils.Database, fp: str) -> dict:
    row = db.execute(
        "SELECT f.check_id, f.report, r.issuer, r.report_year, f.message FROM flags f "
        "LEFT JOIN reports r ON r.sha256 = f.report WHERE f.fingerprint = ? ORDER BY f.id LIMIT 1",
        [fp]).fetchone()
    if not row:
        return {}
    return dict(zip(("check_id", "report", "issuer", "report_year", "message"), row))


def reviewer_name(reviewer: Optional[str]) -> str:
    if reviewer:
        return reviewer
    try:
        return getpass.getuser()
    except Exception:
        return ""


def record_decision(db: DbLike, fingerprint: str, status: str, note: Optional[str] = None,
                    reviewer: Optional[str] = None, source: str = "cli",
                    require_flag: bool = True) -> str:
    """Store one decision (confirmed | dismissed; open withdraws it). Returns the fingerprint.

    Every call is also appended to review_history."""
    db = _db(db)
    ensure_schema(db)  # the reviewer tables
    status = normalise_status(status)
    fp = resolve_fingerprint(db, fingerprint) if require_flag else (fingerprint or "").strip()
    if not fp:
        raise ReviewError("缺少标记指纹")
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    who = reviewer_name(reviewer)
    note = (note or "").strip() or None
    with db.conn:
        if status == "open":
            db.conn.execute("DELETE FROM reviews WHERE fingerprint = ?", [fp])
        else:
            ctx = _flag_context(db, fp)
            old = db.execute("SELECT check_id, report, issuer, report_year, message FROM reviews "
                             "WHERE fingerprint = ?", [fp]).fetchone()
            if not ctx and old:  # flag gone: keep what the earlier decision recorded
                ctx = dict(zip(("check_id", "report", "issuer", "report_year", "message"), old))
            db.conn.execute(
                "INSERT INTO reviews (fingerprint, status, note, reviewer, decided_at, check_id, "
                "report, issuer, report_year, message) VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(fingerprint) DO UPDATE SET status = excluded.status, "
                "note = excluded.note, reviewer = excluded.reviewer, "
                "decided_at = excluded.decided_at, check_id = excluded.check_id, "
                "report = excluded.report, issuer = excluded.issuer, "
                "report_year = excluded.report_year, message = excluded.message",
                [fp, status, note, who, now, ctx.get("check_id"), ctx.get("report"),
                 ctx.get("issuer"), ctx.get("report_year"), ctx.get("message")])
        db.conn.execute("INSERT INTO review_history (fingerprint, status, note, reviewer, decided_at, "
                        "source) VALUES (?,?,?,?,?,?)", [fp, status, note, who, now, source])
    return fp


# CSV headers accepted for each field (the English names, and the flag_review view's columns, so
# that a CSV exported from the 问题清单 page can be edited and imported as it is).
CSV_FIELDS = {
    "fingerprint": ("fingerprint", "标记指纹", "指纹"),
    "status": ("status", "审核状态", "结论", "决定"),
    "note": ("note", "审核意见", "意见", "备注"),
    "reviewer": ("reviewer", "审核人"),
}


def _read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReviewError(f"{path.name} 的编码无法识别（应为 UTF-8 或 GBK）")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    cols = {}
    for field, names in CSV_FIELDS.items():
        for h in reader.fieldnames or []:
            if h.strip().lower() in names:
                cols[field] = h
                break
    if "fingerprint" not in cols or "status" not in cols:
        raise ReviewError(f"{path.name} 缺少列：需要 fingerprint（或“标记指纹”）和 status（或“审核状态”），"
                          f"现有列：{'、'.join(header) or '（无）'}")
    return [{f: (row.get(h) or "").strip() for f, h in cols.items()} for row in reader]


def import_decisions(db: DbLike, path: Union[str, Path], reviewer: Optional[str] = None) -> dict:
    """Import decisions from a CSV file (columns fingerprint,status,note; see CSV_FIELDS).

    Rows whose status is blank or 待审核 are skipped (status open/撤销 withdraws a decision); rows
    identical to the stored decision are skipped. Unknown fingerprints are stored too (the flag may
    come back in a later audit) and counted. Returns counts; raises ReviewError for a bad file or
    bad status (nothing is written then)."""
    db = _db(db)
    ensure_schema(db)  # the reviewer tables
    path = Path(path)
    rows = _read_csv(path)
    plan, problems = [], []
    for n, row in enumerate(rows, start=2):
        fp = row.get("fingerprint", "")
        st = row.get("status", "")
        if not fp or st in CSV_SKIP:
            continue
        try:
            plan.append((n, fp, normalise_status(st), row.get("note") or None,
                         row.get("reviewer") or reviewer))
        except ReviewError as e:
            problems.append(f"第{n}行：{e}")
    if problems:
        raise ReviewError("；".join(problems[:5]) + (f"；另有{len(problems) - 5}处" if len(problems) > 5 else ""))
    counts = {"recorded": 0, "withdrawn": 0, "unchanged": 0, "unknown": 0}
    for n, fp, st, note, who in plan:
        try:
            full = resolve_fingerprint(db, fp)
        except ReviewError:
            full = fp
            if st != "open":
                counts["unknown"] += 1
        old = db.execute("SELECT status, note FROM reviews WHERE fingerprint = ?", [full]).fetchone()
        if st == "open":
            if old is None:
                counts["unchanged"] += 1
                continue
        elif old is not None and old[0] == st and (old[1] or None) == note:
            counts["unchanged"] += 1
            continue
        record_decision(db, full, st, note, who, source=f"csv:{path.name}", require_flag=False)
        counts["withdrawn" if st == "open" else "recorded"] += 1
    return counts


def decisions(db: DbLike) -> dict[str, tuple[str, Optional[str]]]:
    """fingerprint → (status, note) of every stored decision."""
    db = _db(db)
    if "reviews" not in db.table_names():
        return {}
    return {fp: (st, note) for fp, st, note in db.execute("SELECT fingerprint, status, note FROM reviews")}
