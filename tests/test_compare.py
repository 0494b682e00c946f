"""Year-over-year comparison (extractor/compare.py, `xxgk compare`, the `comparisons` table)."""
from __future__ import annotations

import json
import re
import time

import pytest

from conftest import CORPUS, need_shared
from extractor import compare as C
from extractor.report import CellValue, StoredReport

PINGTAN = ["unlabelled/pingtan-2022.html", "unlabelled/pingtan-2023.html", "real/pingtan-2024.html",
           "unlabelled/pingtan-2025.html"]
HONGZE = ["real/huaian-hongze-2023.pdf", "real/huaian-hongze-2024.pdf"]


def _stored(sha, year, cells, texts=None, issuer="某某县人民政府"):
    cells = {k: CellValue(k, v, "" if v is None else str(v)) for k, v in cells.items()}
    return StoredReport(sha, f"{sha}.pdf", year, "v2021", "ok", 1, issuer, "government", cells, texts or {},
                        [issuer], issuer)


# ----------------------------------------------------------------------------- without ../shared

def test_cells_keep_blank_zero_and_slash_apart_and_mark_jumps():
    a = _stored("a", 2023, {"t2.new.natural_person": None, "t2.new.commercial": "/", "t2.new.total": 12,
                            "t3.review.total": 100, "t3.review.upheld": 12, "t2.open.total": 0,
                            "t1.regulations.made": 3})
    b = _stored("b", 2024, {"t2.new.natural_person": 0, "t2.new.commercial": 0, "t2.new.total": 60,
                            "t3.review.total": 20, "t3.review.upheld": 2, "t2.open.total": 5,
                            "t1.regulations.valid": 7})
    c = C.build(a, b, [])
    got = {d.key: d for d in c.cells}
    blank = got["t2.new.natural_person"]
    assert (blank.shown_a, blank.shown_b, blank.delta, blank.changed, blank.note) == \
        ("（空白）", "0", None, True, "（空白）→0")
    slash = got["t2.new.commercial"]
    assert (slash.shown_a, slash.delta, slash.changed, slash.note) == ("“/”", None, True, "“/”→0")
    assert (got["t2.new.total"].delta, got["t2.new.total"].pct, got["t2.new.total"].big) == (48, 400.0, True)
    assert (got["t3.review.total"].delta, got["t3.review.total"].pct, got["t3.review.total"].big) == (-80, -80.0, True)
    assert got["t3.review.upheld"].big is False  # ÷6, but 2 < 10
    assert (got["t2.open.total"].delta, got["t2.open.total"].pct) == (5, None)  # from 0: no rate
    only_a, only_b = got["t1.regulations.made"], got["t1.regulations.valid"]
    assert (only_a.shown_b, only_a.changed, only_b.shown_a) == ("（未读出）", False, "（未读出）")
    # in words from the catalog, never keys
    assert (blank.table, blank.row, blank.col) == ("表三", "一、本年新收政府信息公开申请数量", "自然人")
    assert (got["t3.review.upheld"].table, got["t3.review.upheld"].row, got["t3.review.upheld"].col) == \
        ("表四", "行政复议", "结果维持")
    assert c.summary == {"similarity": None, "cells_compared": 6, "cells_changed": 6, "big_jumps": 2,
                         "problems": 0, "errors": 0}
    # template order: 表二 before 表三 before 表四
    assert [d.table for d in c.cells] == ["表二", "表二", "表三", "表三", "表三", "表三", "表四", "表四"]


def test_copied_passages_and_sentence_diff():
    same = "本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实政府信息公开条例，持续深化政务公开。"
    a = _stored("a", 2023, {}, {"overview": same + "全年主动公开政府信息1136条。", "problems": "一是公开深度不够。"})
    b = _stored("b", 2024, {}, {"overview": same + "全年主动公开政府信息2428条。", "problems": "政策解读形式较为单一。"})
    c = C.build(a, b, [C.Problem("pair", "X03", "warning", "X03 现行有效件数不衔接"),
                       C.Problem("a", "T3-01", "error", "T3-01 总计不符", 4)])
    ov = c.sections[0]
    assert ov.key == "overview" and ov.title == "一、总体情况"
    assert ov.copied_b == [(0, len(same) + len("全年主动公开政府信息"))]  # the number breaks the run
    assert ov.similarity is not None and ov.similarity > 0.8
    assert [d["op"] for d in ov.diff] == ["equal", "replace"]
    assert ov.diff[1] == {"op": "replace", "a": ["全年主动公开政府信息1136条。"], "b": ["全年主动公开政府信息2428条。"]}
    assert c.sections[4].copied_b == []  # nothing shared in 五
    assert [p.check for p in c.problems] == ["T3-01", "X03"]  # errors first
    page = C.render_html([c])
    assert f"<mark>{same}全年主动公开政府信息</mark>2428条" in page
    assert "T3-01" in page and "现行有效件数不衔接" in page and "2023年报告" in page
    assert "<script" not in page and "http" not in page  # self-contained
    data = json.loads(json.dumps(c.to_json(), ensure_ascii=False))
    assert data["problems"][1]["side"] == "pair" and data["sections"][0]["copied_b"] == [[0, len(same) + 10]]


# ----------------------------------------------------------------------------- on ../shared

@pytest.fixture(scope="module")
def db(tmp_path_factory):
    need_shared("Pingtan 2022–2025, Hongze 2023/2024")
    from extractor.batch import audit_folder
    from extractor.store import open_db

    folder = tmp_path_factory.mktemp("series")
    for rel in PINGTAN + HONGZE:
        (folder / rel.split("/")[1]).symlink_to(CORPUS / rel)
    path = folder.parent / "series.db"
    audit_folder(folder, path, workers=0, progress=False, follow_links=True)
    return open_db(path)


def _gold(name):
    return json.loads((CORPUS / "gold" / f"{name}.json").read_text("utf-8"))["cells"]


@pytest.mark.shared
def test_audit_fills_comparisons_for_consecutive_pairs(db):
    rows = db.conn.execute("SELECT r2.name, r1.name, c.cells_compared, c.similarity FROM comparisons c "
                           "JOIN reports r1 ON r1.sha256 = c.report JOIN reports r2 ON r2.sha256 = c.other_report "
                           "ORDER BY r2.name").fetchall()
    assert [(a, b) for a, b, _, _ in rows] == [
        ("huaian-hongze-2023.pdf", "huaian-hongze-2024.pdf"), ("pingtan-2022.html", "pingtan-2023.html"),
        ("pingtan-2023.html", "pingtan-2024.html"), ("pingtan-2024.html", "pingtan-2025.html")]
    assert all(n >= 180 and s is not None for _, _, n, s in rows)
    from extractor.views import ensure_views

    assert "comparison_list" in ensure_views(db)  # what xxgk serve lists, with facets
    listed = db.conn.execute("SELECT 比较, 雷同, 发布机关, 年度, 对比年度 FROM comparison_list").fetchall()
    assert sorted(listed) == sorted([("同一机关相邻年度", "", "平潭综合实验区", y, y - 1) for y in (2023, 2024, 2025)]
                                    + [("同一机关相邻年度", "", "淮安市洪泽区人民政府", 2024, 2023)])


@pytest.mark.shared
@pytest.mark.parametrize("pair", [("pingtan-2022.html", "pingtan-2023.html"),
                                  ("pingtan-2023.html", "pingtan-2024.html"),
                                  ("pingtan-2024.html", "pingtan-2025.html"),
                                  ("huaian-hongze-2023.pdf", "huaian-hongze-2024.pdf")])
def test_cross_year_breaks_come_first(db, pair):
    c = C.compare_stored(db, *pair)
    stored = db.conn.execute(
        "SELECT f.check_id, f.message FROM crossyear_flags f JOIN reports r ON r.sha256 = f.report "
        "JOIN reports o ON o.sha256 = f.other_report WHERE r.name = ? AND o.name = ? AND f.scope = 'year'",
        [pair[1], pair[0]]).fetchall()
    got = [(p.check, p.message) for p in c.problems if p.side == "pair"]
    assert sorted(got) == sorted(stored)
    if pair[0].startswith("pingtan"):  # the 现行有效 chain breaks every year in this series
        assert [k for k, _ in got].count("X03") == 1
    # errors first, then warnings, then infos; within a level the pair's findings before each report's
    order = [(C.SEVERITY_ORDER[p.severity], p.side != "pair") for p in c.problems]
    assert order == sorted(order)


@pytest.mark.shared
def test_hongze_deltas_equal_gold(db):
    g23, g24 = _gold("huaian-hongze-2023"), _gold("huaian-hongze-2024")
    c = C.compare_stored(db, "huaian-hongze-2024.pdf", "huaian-hongze-2023.pdf")  # either order
    assert (c.a.year, c.b.year) == (2023, 2024)
    got = {d.key: d for d in c.cells}
    keys = set(g23) & set(g24)
    assert len(keys) >= 180 and keys <= set(got)
    for k in keys:
        assert (got[k].a, got[k].b) == (g23[k], g24[k]), k
        assert got[k].delta == pytest.approx(g24[k] - g23[k]), k
    assert c.summary["cells_changed"] == sum(g23[k] != g24[k] for k in keys)
    big = {k for k in keys if min(g23[k], g24[k]) >= 10 and (g24[k] >= 5 * g23[k] or 5 * g24[k] <= g23[k])}
    assert {d.key for d in c.cells if d.big} == big


@pytest.mark.shared
def test_pingtan_2024_side_equals_gold(db):
    gold = _gold("pingtan-2024")
    before, after = C.compare_stored(db, "pingtan-2023.html", "pingtan-2024.html"), \
        C.compare_stored(db, "pingtan-2024.html", "pingtan-2025.html")
    for c, side in ((before, "b"), (after, "a")):
        got = {d.key: getattr(d, side) for d in c.cells}
        assert {k: got[k] for k in gold} == gold


@pytest.mark.shared
def test_two_issuers_score_low_and_stored_comparison_is_fast(db):
    c = C.compare_stored(db, "pingtan-2024.html", "huaian-hongze-2024.pdf")
    assert c.similarity is not None and c.similarity < 0.6
    assert any("同一年度" in n for n in c.notes)
    t0 = time.perf_counter()
    C.compare_stored(db, "huaian-hongze-2023.pdf", "huaian-hongze-2024.pdf")
    print(f"compare_stored: {time.perf_counter() - t0:.3f} s")  # budget 0.5 s (bench/compare.py)


def _numbers_changed(html: str) -> str:
    """The same report a year later with every figure changed: years + 1, other numbers + 7 (dates
    kept: their days and months would not be dates any more)."""
    def text(m):
        t = re.sub(r"20\d\d(?=\s*年)", lambda y: str(int(y.group()) + 1), m.group(1))
        t = re.sub(r"(?<![\d.])\d+(?![\d.]|\s*[年月日])", lambda n: str(int(n.group()) + 7), t)
        return ">" + t + "<"
    return re.sub(r">([^<]*)<", text, html)


@pytest.mark.shared
def test_copy_with_numbers_changed_scores_high(tmp_path):
    need_shared("real/pingtan-2024.html")
    src = CORPUS / "real/pingtan-2024.html"
    copy = tmp_path / "copy-2025.html"
    copy.write_text(_numbers_changed(src.read_text("utf-8")), "utf-8")
    c = C.compare_files(copy, src)
    assert (c.a.year, c.b.year) == (2024, 2025)
    assert c.similarity >= 0.95
    ov = c.sections[0]
    assert ov.copied_share >= 0.6 and ov.copied_b
    assert any(p.check == "X04" and p.side == "pair" for p in c.problems)
    assert c.summary["cells_changed"] >= 50
    page = C.render_html([c])
    assert page.count("<mark>") >= 10


@pytest.mark.shared
def test_cli_json_and_html(db, tmp_path):
    from typer.testing import CliRunner

    from extractor.cli import app

    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    res = CliRunner().invoke(app, ["compare", "--db", path, "pingtan-2024.html", "pingtan-2025.html", "-f", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["a"]["year"] == 2024 and any(p["check"] == "X03" for p in data["problems"])
    out = tmp_path / "all.html"
    res = CliRunner().invoke(app, ["compare", "--db", path, "--issuer", "洪泽", "-f", "html", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text("utf-8")
    assert page.count("<section class='cmp'>") == 1 and "2023年《huaian-hongze-2023.pdf》" in page
    res = CliRunner().invoke(app, ["compare", "--db", path, "nonesuch.pdf", "pingtan-2025.html"])
    assert res.exit_code == 2 and "数据库中没有这份报告" in res.output


@pytest.mark.shared
def test_browser_list_links_to_side_by_side_page(db):
    import asyncio

    from extractor.serve import make_datasette

    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    ds = make_datasette(path)  # prepare: the views, comparison_list among them

    async def go():
        await ds.invoke_startup()
        name = next(iter(ds.databases.keys() - {"_internal"}))
        listed = await ds.client.get(f"/{name}/comparison_list.json", params={"_shape": "array", "发布机关": "淮安市洪泽区人民政府"})
        row = listed.json()[0]
        page = await ds.client.get(f"/-/xxgk/compare/{row['对照']}")
        html_list = await ds.client.get(f"/{name}/comparison_list")
        return row, page, html_list

    row, page, html_list = asyncio.run(go())
    assert row["比较"] == "同一机关相邻年度" and (row["年度"], row["对比年度"]) == (2024, 2023)
    assert page.status_code == 200
    assert "2023年《huaian-hongze-2023.pdf》 → 2024年《huaian-hongze-2024.pdf》" in page.text and "<mark>" in page.text
    assert "/-/xxgk/compare/" in html_list.text and "对照页" in html_list.text


@pytest.mark.shared
def test_two_files_run_the_pair_checks_now(db, tmp_path):
    from typer.testing import CliRunner

    from extractor.cli import app

    new, old = CORPUS / "real/pingtan-2024.html", CORPUS / "unlabelled/pingtan-2023.html"
    out = tmp_path / "pair.json"
    res = CliRunner().invoke(app, ["compare", str(new), str(old), "-f", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text("utf-8"))
    assert (data["a"]["year"], data["b"]["year"]) == (2023, 2024)
    stored = C.compare_stored(db, "pingtan-2023.html", "pingtan-2024.html")
    # the same findings as the audit stored (messages name the files the same way)
    assert sorted(p["check"] for p in data["problems"] if p["side"] == "pair") == \
        sorted(p.check for p in stored.problems if p.side == "pair")
    assert [c["delta"] for c in data["cells"]] == [d.delta for d in stored.cells]
    res = CliRunner().invoke(app, ["compare", str(new), str(old)], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "两份报告之间" in res.output and "X03" in res.output and "统计表变化" in res.output


@pytest.mark.shared
def test_list_shows_same_year_look_alikes_of_other_issuers(db, tmp_path):
    import shutil
    import sqlite3

    from extractor.views import ensure_views

    src = db.conn.execute("PRAGMA database_list").fetchone()[2]
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "peer.db"
    shutil.copy(src, path)
    conn = sqlite3.connect(path)
    a, b = (conn.execute("SELECT sha256 FROM reports WHERE name = ?", [n]).fetchone()[0]
            for n in ("pingtan-2024.html", "huaian-hongze-2024.pdf"))
    # what crossyear stores for a same-year look-alike (X04 at info level, MinHash estimate)
    conn.execute("INSERT INTO crossyear_flags (check_id, severity, message, report, other_report, scope, "
                 "report_year, other_year, score) VALUES ('X04', 'info', '…', ?, ?, 'peer', 2024, 2024, 0.93)",
                 sorted([a, b]))
    conn.commit()
    ensure_views(path)
    rows = conn.execute("SELECT 雷同, 相似度, 发布机关, 对比机关, 年度, 对照 FROM comparison_list "
                        "WHERE 比较 = '同年度不同机关'").fetchall()
    assert len(rows) == 1 and rows[0][:2] == ("雷同", 0.93) and rows[0][4] == 2024
    assert {rows[0][2], rows[0][3]} == {"平潭综合实验区", "淮安市洪泽区人民政府"}
    assert rows[0][5] == "/".join(sorted([a, b]))
    conn.close()
