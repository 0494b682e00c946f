"""xxgk serve / review: views, Chinese full-text search, metadata, reviewer decisions.

The database is built by the real pipeline from the real reports in ../shared/corpus/real."""
from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from extractor import views as V
from extractor.pipeline import extract
from extractor.store import open_db, save_report

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "corpus" / "real"
GOLD = SHARED / "corpus" / "gold"
XINGTAI = REAL / "xingtai-gxj-2023.txt"

try:  # share the session's extraction cache with the other tests when it is there
    from conftest import extracted as _extracted
except ImportError:  # pragma: no cover
    _extracted = None


def real_documents() -> list[Path]:
    docs = sorted(p for p in REAL.iterdir() if p.is_file())
    assert docs, f"no real documents in {REAL}"
    return docs


def extract_cached(path: Path):
    return _extracted(str(path)) if _extracted else extract(path)


def sample_documents() -> list[Path]:
    """The project's own samples (corpus/): what the decision tests run on, also in a bare clone."""
    return sorted(p for p in (ROOT / "corpus").glob("sample-*") if p.suffix != ".json")


def build_db(path: Path, documents=real_documents) -> Path:
    """Run the pipeline on every real document (or sample) and store it, as `xxgk audit` does."""
    db = open_db(path)
    for doc in documents():
        save_report(db, extract_cached(doc))
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = build_db(tmp_path_factory.mktemp("serve") / "reports.db")
    V.prepare(path)
    return path


@pytest.fixture(scope="module")
def sample_db_path(tmp_path_factory) -> Path:
    path = build_db(tmp_path_factory.mktemp("serve-samples") / "reports.db", sample_documents)
    V.prepare(path)
    return path


@pytest.fixture(scope="module")
def db(db_path):
    import sqlite_utils
    return sqlite_utils.Database(db_path)


def copy_db(src: Path, dst: Path) -> Path:
    """A consistent copy (the WAL included) of an SQLite file."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


def sha_of(db, name: str) -> str:
    row = db.execute("SELECT sha256 FROM reports WHERE name = ?", [name]).fetchone()
    assert row, f"{name} not stored"
    return row[0]


def gold(name: str) -> dict:
    return json.loads((GOLD / f"{Path(name).stem}.json").read_text())


def rows(db, sql, params=()) -> list[dict]:
    cur = db.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def run(coro):
    return asyncio.run(coro)


async def _get(ds, path, **params):
    await ds.invoke_startup()
    return await ds.client.get(path, params=params or None)


def get(ds, path, **params):
    return run(_get(ds, path, **params))


@pytest.fixture(scope="module")
def ds(db_path):
    from extractor.serve import make_datasette
    return make_datasette(db_path, prepare=False)


# ----------------------------------------------------------------------------- views

@pytest.mark.shared
def test_t2_wide_is_laid_out_as_printed(db):
    """xingtai-gxj-2023, t2 row 一、本年新收: 自然人 3, 总计 3 (its gold)."""
    sha = sha_of(db, XINGTAI.name)
    t2 = rows(db, "SELECT * FROM t2_wide WHERE 报告 = ?", [sha])
    assert [r["行键"] for r in t2][:2] == ["new", "carried_over"]
    assert [r["序号"] for r in t2] == sorted(r["序号"] for r in t2)  # template order
    new = t2[0]
    assert new["行"].startswith("一、本年新收")
    assert (new["自然人"], new["总计"]) == (3, 3)
    assert set(new) >= {"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}
    assert len(t2) == 25  # v2021: 25 rows × the applicant columns
    # every printed t2 and t3 value of the gold file, through the views
    g = gold(XINGTAI.name)["cells"]
    labels2 = dict(V.t2_columns())
    by_row2 = {r["行键"]: r for r in t2}
    t3 = {r["行键"]: r for r in rows(db, "SELECT * FROM t3_wide WHERE 报告 = ?", [sha])}
    labels3 = dict(V.t3_layout()[1])
    checked = 0
    for key, value in g.items():
        tbl, rest = key.split(".", 1)
        row_key, col = rest.rsplit(".", 1)
        if tbl == "t2":
            assert by_row2[row_key][labels2[col]] == value, key
        elif tbl == "t3":
            assert t3[row_key][labels3[col]] == value, key
        else:
            continue
        checked += 1
    assert checked == 175 + 15
    assert (t3["review"]["结果维持"], t3["review"]["总计"]) == (3, 3)


@pytest.mark.shared
def test_wide_views_show_every_stored_cell(db):
    """t1_wide / t2_wide / t3_wide hold exactly the values of the cells table, for every report."""
    layouts = {
        "t1": ("t1_wide", dict(V.t1_columns())),
        "t2": ("t2_wide", dict(V.t2_columns())),
        "t3": ("t3_wide", dict(V.t3_layout()[1])),
    }
    wide = {}
    for tbl, (view, _) in layouts.items():
        for r in rows(db, f"SELECT * FROM {view}"):
            wide[(tbl, r["报告"], r["行键"])] = r
    n = 0
    for c in rows(db, "SELECT report, tbl, key, value, number FROM cells WHERE tbl IN ('t1','t2','t3')"):
        view, cols = layouts[c["tbl"]]
        row_key, col = c["key"].split(".", 1)[1].rsplit(".", 1)
        r = wide.get((c["tbl"], c["report"], row_key))
        assert r is not None, f"{c['key']} of {c['report'][:8]} missing from {view}"
        shown = r[cols[col]]
        if c["number"] is not None:
            assert shown == c["number"], c["key"]
        else:
            assert shown == c["value"], c["key"]
        n += 1
    assert n > 500


@pytest.mark.shared
def test_report_overview_and_flag_views(db):
    for r in rows(db, "SELECT * FROM report_overview"):
        sev = dict(db.execute("SELECT severity, COUNT(*) FROM flags WHERE report = ? GROUP BY 1",
                              [r["报告"]]).fetchall())
        assert (r["错误"], r["警告"], r["提示"]) == (sev.get("error", 0), sev.get("warning", 0),
                                                  sev.get("info", 0))
    errors = [r["错误"] for r in rows(db, "SELECT 错误 FROM report_overview")]
    assert errors == sorted(errors, reverse=True)  # the reports with most errors come first
    n_flags = db.execute("SELECT COUNT(*) FROM flags").fetchone()[0]
    fr = rows(db, "SELECT * FROM flag_review")
    assert len(fr) == n_flags
    assert all(r["审核状态"] in ("待审核", "已确认", "已驳回") for r in fr)
    cf = rows(db, "SELECT 检查, 报告, 次数 FROM check_failures")
    assert sum(r["次数"] for r in cf) == n_flags


@pytest.mark.shared
def test_issuer_trend_and_coverage(db):
    trend = rows(db, "SELECT * FROM issuer_trend")
    assert trend
    for r in trend:
        cells = dict(db.execute("SELECT key, number FROM cells WHERE report = ?", [r["报告"]]).fetchall())
        assert r["本年新收"] == cells.get("t2.new.total")
        assert r["办理总计"] == cells.get("t2.total_processed.total")
        assert r["行政复议"] == cells.get("t3.review.total")
        total, corrected = cells.get("t3.review.total"), cells.get("t3.review.corrected")
        if total:
            assert r["复议纠错率（%）"] == round(100.0 * (corrected or 0) / total, 1)  # blank = 0
    cov = rows(db, "SELECT * FROM coverage")
    # issuers as identified across reports (洪泽区人民政府 2023 and 淮安市洪泽区人民政府 2024 are one)
    issuers = {r[0] for r in db.execute(
        "SELECT DISTINCT COALESCE(i.name, r.issuer) FROM reports r LEFT JOIN report_issuers ri "
        "ON ri.report = r.sha256 LEFT JOIN issuers i ON i.id = ri.issuer_id WHERE r.issuer IS NOT NULL")}
    assert issuers <= {r["发布机关"] for r in cov}
    xt = next(r for r in cov if r["发布机关"] == gold(XINGTAI.name)["issuer"])
    assert xt["2023年"] is not None and xt["2022年"] is None


@pytest.mark.shared
def test_paragraph_sections_in_chinese(db):
    secs = {r[0] for r in db.execute("SELECT DISTINCT 部分 FROM paragraph_list")}
    assert "四、政府信息公开行政复议、行政诉讼情况" in secs
    assert not secs & {"overview", "review_litigation"}


# ----------------------------------------------------------------------------- search

SEARCH_TERMS = ["行政复议", "行政诉讼", "信息处理费", "依申请公开", "政府信息公开", "政务公开",
                "复议", "人民政府", "门户网站", "诉"]


def like_ids(db, term: str) -> set[int]:
    return {r[0] for r in db.execute("SELECT id FROM paragraphs WHERE text LIKE ?", [f"%{term}%"])}


@pytest.mark.shared
def test_tokens_are_filled_with_jieba_words(db):
    empty = db.execute("SELECT COUNT(*) FROM paragraphs WHERE text != '' AND "
                       "(tokens IS NULL OR tokens = '')").fetchone()[0]
    assert empty == 0
    from extractor.segment import segment
    assert segment("四、政府信息公开行政复议、行政诉讼情况").split() == [
        "四", "政府信息公开", "行政复议", "行政诉讼", "情况"]


def test_index_tokens_cut_as_jieba_does():
    """index_tokens cuts a paragraph from the DAG it builds anyway (segment._cut) instead of
    letting jieba build it again: the words must be jieba's own, on every paragraph and cell of
    the project's samples and on text that mixes scripts, spaces, digits and full-width forms."""
    from extractor.readers import read
    from extractor.segment import _cut, tokenizer

    tk = tokenizer()
    texts = ["", " ", "a b", "2024年政府信息公开", "ABC123 行政复议 x", "（一）主动公开\n第二行\r\n",
             "e-mail: abc@x.cn，电话0517-1234", "＃全角 ＡＢＣ１２", "C++ & C# 50%", "政务公开 专栏"]
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("sample-*")):
        if path.suffix == ".json":
            continue
        for b in read(path).blocks:
            texts += [b.text] + ([c.text for c in b.table.cells] if b.table else [])
    assert len(texts) > 600
    for text in texts:
        assert _cut(tk, text, tk.get_DAG(text)) == tk.lcut(text, HMM=False), text


@pytest.mark.shared
@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_fts_finds_what_like_finds(db, term):
    expected = like_ids(db, term)
    assert set(V.search_paragraphs(db, term)) == expected


@pytest.mark.shared
def test_fts_search_for_xingzhengfuyi(db):
    expected = like_ids(db, "行政复议")
    assert len(expected) >= 5
    found = V.search_paragraphs(db, "行政复议")
    assert set(found) == expected
    # the FTS5 table itself (what datasette's search box uses), with the jieba query
    from extractor.segment import fts_query
    ids = {r[0] for r in db.execute("SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ?",
                                    [fts_query("行政复议")])}
    assert ids == expected
    # the default unicode61 tokenizer on the raw text would find nothing
    assert db.execute("SELECT COUNT(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH '\"行政复议\"' "
                      "AND rowid NOT IN (SELECT id FROM paragraphs)").fetchone()[0] == 0


@pytest.mark.shared
def test_search_index_follows_a_reaudit(tmp_path):
    path = build_db(tmp_path / "reports.db")
    V.prepare(path)
    db = open_db(path)
    before = set(V.search_paragraphs(db, "行政复议"))
    doc = XINGTAI
    save_report(db, extract_cached(doc))  # triggers keep paragraphs_fts in step
    after = set(V.search_paragraphs(db, "行政复议"))
    assert after == like_ids(db, "行政复议")
    assert len(after) == len(before)


@pytest.mark.shared
def test_datasette_search_box_and_canned_query(ds, db):
    expected = like_ids(db, "行政复议")
    name = ds._xxgk["database"]
    for table, key in (("paragraphs", "id"), ("paragraph_list", "id")):
        r = get(ds, f"/{name}/{table}.json", _search="行政复议", _shape="array", _size="max")
        assert r.status_code == 200, r.text
        assert {row[key] for row in r.json()} == expected, table
    r = get(ds, f"/{name}/search.json", q="行政复议", _shape="array", _size="max")
    assert r.status_code == 200, r.text
    got = r.json()
    assert len(got) == len(expected)
    assert all("行政复议" in row["段落"] for row in got)
    # two words: both must occur
    r = get(ds, f"/{name}/paragraph_list.json", _search="行政复议 信息处理费", _shape="array", _size="max")
    both = like_ids(db, "行政复议") & like_ids(db, "信息处理费")
    assert {row["id"] for row in r.json()} == both


# ----------------------------------------------------------------------------- datasette

@pytest.mark.shared
def test_metadata_describes_every_table_view_and_column(db, ds):
    from extractor.serve import build_metadata
    meta = build_metadata("reports", ds._xxgk["path"])["databases"]["reports"]
    tables = meta["tables"]
    for name in db.table_names() + db.view_names():
        if name.startswith("paragraphs_fts"):
            continue
        assert name in tables, f"no metadata for {name}"
        t = tables[name]
        assert re.search(r"[\u4e00-\u9fff]", t["title"]), name
        assert t.get("description"), name
        cols = [c[1] for c in db.execute(f'PRAGMA table_info("{name}")')]
        missing = [c for c in cols if c not in t.get("columns", {})]
        assert not missing, f"{name}: columns without description: {missing}"
    assert set(tables["reports"]["facets"]) == {"issuer", "report_year", "template", "status"}
    assert set(tables["flags"]["facets"]) >= {"check_id", "severity"}
    assert set(tables["flag_review"]["facets"]) >= {"发布机关", "年度", "检查", "级别", "审核状态"}
    assert tables["paragraphs"]["fts_table"] == "paragraphs_fts"
    assert {"errors_this_year", "contradictions", "correction_rate", "search"} <= set(meta["queries"])


@pytest.mark.shared
def test_every_page_and_canned_query_works(ds, db):
    name = ds._xxgk["database"]
    for path in ["/", f"/{name}"] + [f"/{name}/{t}" for t in db.table_names() + db.view_names()
                                     if not t.startswith("paragraphs_fts")]:
        r = get(ds, path)
        assert r.status_code == 200, path
    for q, params in (("errors_this_year", {"year": ""}), ("contradictions", {}),
                      ("correction_rate", {}), ("search", {"q": "行政复议"}),
                      ("failing_check", {"check": ""})):
        r = get(ds, f"/{name}/{q}.json", **params)
        assert r.status_code == 200, (q, r.text[:300])
        assert r.json()["ok"], q
    # R04/R05 contradictions: exactly the flags of those checks
    r = get(ds, f"/{name}/contradictions.json", _shape="array")
    n = db.execute("SELECT COUNT(*) FROM flags WHERE check_id IN ('R04','R05')").fetchone()[0]
    assert len(r.json()) == n
    # 复议纠错率: highest first, computed from t3.review.corrected / t3.review.total
    r = get(ds, f"/{name}/correction_rate.json", _shape="array")
    rates = [row["复议纠错率（%）"] for row in r.json()]
    assert rates and rates == sorted(rates, reverse=True)
    # errors this year: latest year by default
    latest = db.execute("SELECT MAX(report_year) FROM reports").fetchone()[0]
    r = get(ds, f"/{name}/errors_this_year.json", _shape="array", year="")
    assert all(row["年度"] == latest and row["错误"] > 0 for row in r.json())


@pytest.mark.shared
def test_links_from_flags_and_reports(ds, db):
    name = ds._xxgk["database"]
    sha = sha_of(db, XINGTAI.name)
    html = get(ds, f"/{name}/report_overview").text
    assert f"/{name}/t2_wide?%E6%8A%A5%E5%91%8A={sha}" in html  # 报告=sha
    assert f"/-/xxgk/report/{sha}" in html  # the reviewer's report page
    flag = db.execute("SELECT id, report, cells FROM flags WHERE cells != '[]' LIMIT 1").fetchone()
    if flag:
        html = get(ds, f"/{name}/flags").text
        first_key = json.loads(flag[2])[0]
        assert "key__in=" in html and first_key in html
        html = get(ds, f"/{name}/flag_review").text
        assert "/cells?report=" in html


@pytest.mark.shared
def test_datasette_opens_the_reports_database_read_only(ds, db_path):
    database = ds.get_database(ds._xxgk["database"])
    conn = database.connect()
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM reviews")
    conn.close()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    name = ds._xxgk["database"]
    for path in (f"/{name}/report_overview", f"/{name}/flag_review", f"/{name}/search?q=复议"):
        assert get(ds, path).status_code == 200
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


# ----------------------------------------------------------------------------- decisions

def _some_flags(db, n=3) -> list[str]:
    fps = [r[0] for r in db.execute("SELECT DISTINCT fingerprint FROM flags ORDER BY id LIMIT ?", [n])]
    assert len(fps) == n, "the real reports should raise at least a few flags"
    return fps


def test_decisions_survive_reaudit(tmp_path):
    path = build_db(tmp_path / "reports.db", sample_documents)
    V.prepare(path)
    db = open_db(path)
    a, b, c = _some_flags(db)
    V.record_decision(db, a, "confirmed", "表四有3件复议，正文说未发生", reviewer="张三")
    V.record_decision(db, b, "dismissed", "合计栏印刷如此，不是错误", reviewer="李四")
    V.record_decision(db, c, "confirmed", None)
    V.record_decision(db, c, "open")  # withdrawn: back to 待审核
    kept = V.decisions(db)
    assert set(kept) == {a, b}
    # re-run the audit: every report extracted again and saved again
    for doc in sample_documents():
        save_report(db, extract(doc))
    V.ensure_views(db)
    assert V.decisions(db) == kept
    shown = {r["标记指纹"]: r for r in rows(db, "SELECT * FROM flag_review")}
    assert shown[a]["审核状态"] == "已确认" and shown[a]["审核意见"] == "表四有3件复议，正文说未发生"
    assert shown[b]["审核状态"] == "已驳回" and shown[b]["审核人"] == "李四"
    assert shown[c]["审核状态"] == "待审核"
    assert [r[0] for r in db.execute("SELECT status FROM review_history WHERE fingerprint = ? "
                                     "ORDER BY id", [c])] == ["confirmed", "open"]
    over = rows(db, "SELECT SUM(已确认) AS c, SUM(已驳回) AS d FROM report_overview")[0]
    assert (over["c"], over["d"]) == (1, 1)


def test_decisions_survive_xxgk_audit_cli(tmp_path):
    """The real command: `xxgk audit FOLDER --db DB --force` after decisions were recorded."""
    from typer.testing import CliRunner

    from extractor.cli import app

    folder = tmp_path / "reports"
    folder.mkdir()
    for doc in sample_documents():
        (folder / doc.name).write_bytes(doc.read_bytes())
    db_file = tmp_path / "reports.db"
    runner = CliRunner()
    r = runner.invoke(app, ["audit", str(folder), "--db", str(db_file), "--workers", "0"])
    assert r.exit_code in (0, 1) and db_file.is_file(), r.output  # 1 = some file not read
    db = open_db(db_file)
    a, b = _some_flags(db, 2)
    r = runner.invoke(app, ["review", a, "--status", "confirmed", "--note", "属实", "--db", str(db_file)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["review", b[:8], "--status", "dismissed", "--note", "误报", "--db", str(db_file)])
    assert r.exit_code == 0, r.output
    db.conn.close()
    r = runner.invoke(app, ["audit", str(folder), "--db", str(db_file), "--force", "--workers", "0"])
    assert r.exit_code in (0, 1), r.output
    db = open_db(db_file)
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == len(sample_documents())
    assert V.decisions(db) == {a: ("confirmed", "属实"), b: ("dismissed", "误报")}
    V.ensure_views(db)
    shown = {r["标记指纹"]: r["审核状态"] for r in rows(db, "SELECT * FROM flag_review")}
    assert shown[a] == "已确认" and shown[b] == "已驳回"


def test_review_cli_messages_and_errors(sample_db_path, tmp_path):
    from typer.testing import CliRunner

    from extractor.cli import app

    path = tmp_path / "reports.db"
    copy_db(sample_db_path, path)
    db = open_db(path)
    fp = _some_flags(db, 1)[0]
    runner = CliRunner()
    r = runner.invoke(app, ["review", fp, "--status", "maybe", "--db", str(path)])
    assert r.exit_code == 1 and "confirmed" in r.output
    r = runner.invoke(app, ["review", "0000000000000000", "--status", "confirmed", "--db", str(path)])
    assert r.exit_code == 1 and "没有指纹" in r.output
    r = runner.invoke(app, ["review", "--db", str(path)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["review", fp, "--status", "确认", "--note", "中文结论也可以", "--db", str(path)])
    assert r.exit_code == 0 and "已确认" in r.output
    assert V.decisions(db)[fp] == ("confirmed", "中文结论也可以")
    r = runner.invoke(app, ["review", fp, "--status", "open", "--db", str(path)])
    assert r.exit_code == 0 and fp not in V.decisions(db)
    r = runner.invoke(app, ["review", fp, "--status", "confirmed", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 2


@pytest.mark.shared
def test_review_import_csv(db_path, tmp_path, ds):
    from typer.testing import CliRunner

    from extractor.cli import app

    path = tmp_path / "reports.db"
    copy_db(db_path, path)
    db = open_db(path)
    a, b, c = _some_flags(db)
    runner = CliRunner()
    # 1. the documented format: fingerprint,status,note (UTF-8)
    f = tmp_path / "decisions.csv"
    f.write_text(f"fingerprint,status,note\n{a},confirmed,核实属实\n{b},dismissed,\n,confirmed,空行\n"
                 "ffffffffffffffff,dismissed,旧问题\n", encoding="utf-8")
    r = runner.invoke(app, ["review", "--import", str(f), "--db", str(path)])
    assert r.exit_code == 0, r.output
    assert "已导入 3 条" in r.output and "1 条对应的问题当前不在数据库中" in r.output
    got = V.decisions(db)
    assert got[a] == ("confirmed", "核实属实") and got[b] == ("dismissed", None)
    assert "ffffffffffffffff" in {r[0] for r in db.execute("SELECT 标记指纹 FROM review_orphans")}
    # 2. the 问题清单 page exported as CSV by datasette, edited in Excel and saved as GBK
    name = ds._xxgk["database"]
    exported = get(ds, f"/{name}/flag_review.csv", _size="max").text
    reader = list(csv.DictReader(io.StringIO(exported)))
    assert {"标记指纹", "审核状态", "审核意见"} <= set(reader[0])
    for row in reader:
        if row["标记指纹"] == c:
            row["审核状态"], row["审核意见"] = "已驳回", "表格如此印刷"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(reader[0]))
    w.writeheader()
    w.writerows(reader)
    g = tmp_path / "问题清单.csv"
    g.write_bytes(out.getvalue().encode("gb18030"))
    r = runner.invoke(app, ["review", "--import", str(g), "--db", str(path)])
    assert r.exit_code == 0, r.output
    assert V.decisions(db)[c] == ("dismissed", "表格如此印刷")
    assert V.decisions(db)[a] == ("confirmed", "核实属实")  # 待审核 rows change nothing
    # 3. a bad status stops the whole import
    h = tmp_path / "bad.csv"
    h.write_text(f"fingerprint,status\n{a},perhaps\n", encoding="utf-8")
    r = runner.invoke(app, ["review", "--import", str(h), "--db", str(path)])
    assert r.exit_code == 1 and "第2行" in r.output
    assert V.decisions(db)[a] == ("confirmed", "核实属实")


def test_web_review_form(sample_db_path, tmp_path):
    from extractor.serve import make_datasette

    path = tmp_path / "reports.db"
    copy_db(sample_db_path, path)
    fp = _some_flags(open_db(path), 1)[0]
    ds = make_datasette(path, prepare=False)

    async def flow():
        await ds.invoke_startup()
        r = await ds.client.get("/-/xxgk/review", params={"fp": fp})
        assert r.status_code == 200 and "记录审核决定" in r.text and fp in r.text
        token = r.cookies.get("ds_csrftoken") or re.search(r'name="csrftoken" value="([^"]+)"', r.text)[1]
        r = await ds.client.post("/-/xxgk/review", cookies={"ds_csrftoken": token},
                                 headers={"Origin": "http://localhost"}, data={
            "csrftoken": token, "fp": fp, "status": "dismissed", "note": "网页上驳回",
            "reviewer": "王五", "next": "/reports/flag_review"})
        assert r.status_code == 302, r.text
        return await ds.client.get("/reports/flag_review.json", params={"_shape": "array", "标记指纹": fp})

    r = run(flow())
    assert r.json()[0]["审核状态"] == "已驳回" and r.json()[0]["审核意见"] == "网页上驳回"
    assert V.decisions(path)[fp] == ("dismissed", "网页上驳回")
    # not on a loopback address: the form is closed
    closed = make_datasette(path, prepare=False, web_review=False)
    r = run(_get(closed, "/-/xxgk/review", fp=fp))
    assert r.status_code == 403


# ----------------------------------------------------------------------------- CLI and jieba

def test_jieba_prints_nothing():
    code = ("from extractor.segment import segment, index_tokens; "
            "print(segment('行政复议')); index_tokens('政府信息公开')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "行政复议\n" and p.stderr == ""


def test_cli_help_stays_light():
    code = ("import sys, extractor.cli; "
            "bad = [m for m in ('datasette', 'jieba', 'uvicorn') if m in sys.modules]; print(bad)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert p.stdout.strip() == "[]", p.stdout + p.stderr
    p = subprocess.run([sys.executable, "-m", "extractor.cli", "--help"], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0 and "serve" in p.stdout and "review" in p.stdout
