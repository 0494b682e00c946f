"""Issuers × years: which reports a database holds, and which years are missing — defined once.

`ISSUER_YEARS` is the one query every coverage view and `xxgk coverage` start from: one row per
(issuer, year) with the number of reports, errors and unread files. An issuer is the one
extractor/issuers.py identified across reports (洪泽区人民政府 and 淮安市洪泽区人民政府 are one);
an unlinked report falls back to its printed name (issuer_id NULL).

    cov = coverage(db)                 # what `xxgk coverage` prints
    views = view_sql(conn)             # issuer_coverage, issuer_coverage_matrix, coverage, …
"""
from __future__ import annotations

from . import issuers as I
from .schema import replace_views
from .status import READ_STATUSES

UNIDENTIFIED = "（未识别发布机关）"
_READ = ", ".join(f"'{s}'" for s in READ_STATUSES)

ISSUER_YEARS = f"""SELECT ri.issuer_id AS issuer_id,
  COALESCE(CAST(ri.issuer_id AS TEXT), 'name:' || r.issuer, 'none') AS issuer_key,
  COALESCE(i.name, r.issuer, '{UNIDENTIFIED}') AS name, i.level AS level, i.kind AS kind,
  r.report_year AS year, COUNT(*) AS n, SUM(COALESCE(r.n_errors, 0)) AS n_errors,
  SUM(r.status NOT IN ({_READ})) AS n_unread, group_concat(r.name, '；') AS files
FROM reports r LEFT JOIN report_issuers ri ON ri.report = r.sha256 LEFT JOIN issuers i ON i.id = ri.issuer_id
GROUP BY issuer_key, r.report_year"""


def _conn(db):
    return getattr(db, "conn", db)


def _span(years) -> list[int]:
    years = [y for y in years if y is not None]
    return list(range(min(years), max(years) + 1)) if years else []


def coverage(db, link: bool = True) -> dict:
    """{"years": [...], "rows": [{issuer_id, name, level, kind, years: {year: n}, missing: [...],
    no_year: n}], "unidentified": {year: n}} for identified issuers. Missing = a year between the
    issuer's first and last report without a report."""
    conn = _conn(db)
    if link:
        with conn:
            I.link_missing(conn)
    rows: dict[int, dict] = {}
    unidentified: dict = {}
    for iid, name, level, kind, year, n in conn.execute(
            f"SELECT issuer_id, name, level, kind, year, n FROM ({ISSUER_YEARS})"):
        if iid is None:
            unidentified[year] = unidentified.get(year, 0) + n
            continue
        row = rows.setdefault(iid, {"issuer_id": iid, "name": name, "level": level, "kind": kind,
                                    "years": {}, "no_year": 0})
        if year is None:
            row["no_year"] += n
        else:
            row["years"][year] = n
    for row in rows.values():
        ys = _span(row["years"])
        row["missing"] = [y for y in ys if y not in row["years"]]
    years = _span([y for r in rows.values() for y in r["years"]] + list(unidentified))
    ordered = sorted(rows.values(), key=lambda r: (r["name"], r["issuer_id"]))
    return {"years": years, "rows": ordered, "unidentified": unidentified}


def coverage_cell(row: dict, year: int) -> str:
    n = row["years"].get(year, 0)
    if n:
        return "✓" if n == 1 else f"✓×{n}"
    return "缺" if year in row["missing"] else ""


# ----------------------------------------------------------------------------- views (datasette)

def _zh_case(col: str, mapping: dict) -> str:
    return "CASE " + col + " " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items() if k) + \
        " ELSE '未知' END"


def _matrix(span: list[int], cell: str, where: str, head: str, order: str) -> str:
    """One row per issuer, one column per year; `cell` is an expression over y (the year) and the
    aggregates SUM(iy.n …) of ISSUER_YEARS rows."""
    cols = ",\n  ".join(cell.format(y=y) + f' AS "{y}年"' for y in span)
    return f"""WITH iy AS ({ISSUER_YEARS})
SELECT {head}{',' if span else ''}
  {cols}
FROM iy {where}
GROUP BY iy.issuer_key
ORDER BY {order}"""


def _in_year(expr: str) -> str:
    return f"SUM(CASE WHEN iy.year = {{y}} THEN {expr} ELSE 0 END)"


def view_sql(db) -> dict[str, str]:
    """The coverage views; their year columns depend on the data (re-create after an audit)."""
    conn = _conn(db)
    all_years = _span([y for (y,) in conn.execute("SELECT DISTINCT report_year FROM reports")])
    linked_years = _span([y for (y,) in conn.execute(
        "SELECT DISTINCT r.report_year FROM reports r JOIN report_issuers ri ON ri.report = r.sha256")])
    level, kind = _zh_case("MAX(iy.level)", I.LEVEL_ZH), _zh_case("MAX(iy.kind)", I.KIND_ZH)
    views = {}
    views["issuer_coverage"] = f"""WITH RECURSIVE iy AS ({ISSUER_YEARS}),
span(issuer_id, y, last) AS (
  SELECT issuer_id, MIN(year), MAX(year) FROM iy WHERE year IS NOT NULL AND issuer_id IS NOT NULL
  GROUP BY issuer_id
  UNION ALL SELECT issuer_id, y + 1, last FROM span WHERE y < last
)
SELECT i.id AS 机关编号, i.name AS 发布机关, {_zh_case('i.level', I.LEVEL_ZH)} AS 级别,
  {_zh_case('i.kind', I.KIND_ZH)} AS 类型, s.y AS 年度, COALESCE(h.n, 0) AS 报告数,
  CASE WHEN h.n IS NULL THEN '缺失' ELSE '有' END AS 状态, h.files AS 文件
FROM span s JOIN issuers i ON i.id = s.issuer_id
LEFT JOIN iy h ON h.issuer_id = s.issuer_id AND h.year = s.y
ORDER BY i.name, i.id, s.y"""
    # ✓ / ✓×n / 缺 (a year between the issuer's first and last report): what `xxgk coverage` prints
    views["issuer_coverage_matrix"] = _matrix(
        linked_years,
        f"CASE WHEN {_in_year('iy.n')} > 1 THEN '✓×' || {_in_year('iy.n')} WHEN {_in_year('iy.n')} = 1 THEN '✓' "
        "WHEN MIN(iy.year) < {y} AND MAX(iy.year) > {y} THEN '缺' ELSE '' END",
        "WHERE iy.issuer_id IS NOT NULL",
        f"iy.issuer_id AS 机关编号, MAX(iy.name) AS 发布机关, {level} AS 级别, {kind} AS 类型, SUM(iy.n) AS 报告数",
        "发布机关, 机关编号")
    # the review home page's overview: ✓ / 错误 N / 未读出 / 缺, unlinked reports by printed name
    views["coverage"] = _matrix(
        all_years,
        f"(CASE WHEN {_in_year('iy.n')} = 0 AND MIN(iy.year) < {{y}} AND MAX(iy.year) > {{y}} THEN '缺' "
        f"WHEN {_in_year('iy.n')} = 0 THEN NULL WHEN {_in_year('iy.n_errors')} > 0 "
        f"THEN '错误 ' || {_in_year('iy.n_errors')} WHEN {_in_year('iy.n_unread')} > 0 THEN '未读出' ELSE '✓' END)",
        "",
        "MAX(iy.name) AS 发布机关, SUM(iy.n) AS 报告数, group_concat(DISTINCT iy.year) AS 已有年度, "
        "SUM(iy.n_errors) AS 错误",
        f"发布机关 = '{UNIDENTIFIED}', 发布机关")
    views["issuer_reports"] = f"""SELECT i.id AS 机关编号, i.name AS 发布机关, {_zh_case('i.level', I.LEVEL_ZH)} AS 级别,
  {_zh_case('i.kind', I.KIND_ZH)} AS 类型, r.report_year AS 年度, ri.printed AS 报告所印名称, r.name AS 文件,
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


VIEW_NAMES = ("issuer_coverage", "issuer_coverage_matrix", "coverage", "issuer_reports", "crossyear_flag_list")


def ensure_coverage_views(db, link: bool = True) -> list[str]:
    """Link reports that have no issuer yet (link=True) and (re)create the coverage and cross-report
    views: issuer_coverage (issuer × year, one row per year from the issuer's first to last report,
    状态 有/缺失), issuer_coverage_matrix (one row per issuer, one column per year: ✓ / ✓×n / 缺),
    coverage (every issuer, ✓ / 错误 N / 未读出), issuer_reports and crossyear_flag_list. Needs a
    writable connection."""
    conn = _conn(db)
    with conn:
        if link:
            I.link_missing(conn)
        replace_views(conn, view_sql(conn))
    return list(VIEW_NAMES)
