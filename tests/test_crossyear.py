"""Across reports: issuer identity (extractor/issuers.py), the cross-year checks X01–X07 and the
same-year look-alikes (extractor/checks/crossyear.py), and `xxgk coverage`.

The tests on real reports read ../shared/corpus and carry the `shared` marker (skipped without it,
failed in CI); tests/test_crossyear_cases.py holds X01–X07 examples that need only the repository."""
from __future__ import annotations

import copy
import csv
import hashlib
import io
import re
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, extracted, need_shared
from extractor import issuers as I
from extractor import coverage
from extractor.checks import crossyear as X
from extractor.checks import pairs
from extractor.report import CellValue, StoredReport
from extractor.store import delete_report, open_db, save_report
from extractor.views import ensure_views

sys.path.insert(0, str(ROOT / "corpus"))
import samplegen  # noqa: E402

REAL = CORPUS / "real"
HONGZE23 = str(REAL / "huaian-hongze-2023.pdf")
HONGZE24 = str(REAL / "huaian-hongze-2024.pdf")
PINGTAN = [str(CORPUS / "unlabelled" / f"pingtan-{y}.html") for y in (2019, 2022, 2023, 2025)] + \
    [str(REAL / "pingtan-2024.html")]


def _db(tmp_path, name="x.db"):
    return open_db(tmp_path / name)


def _variant(report, tag: str, **changes):
    """A copy of an extracted report stored as another file (its own sha256)."""
    r = copy.deepcopy(report)
    r.sha256 = hashlib.sha256(f"{report.sha256}:{tag}".encode()).hexdigest()
    r.document = str(Path(report.document).with_name(f"{Path(report.document).stem}-{tag}{Path(report.document).suffix}"))
    for k, v in changes.items():
        setattr(r, k, v)
    return r


def _add(db, *reports):
    out = {}
    for r in reports:
        save_report(db, r)
        out[r.sha256] = X.run_crossyear(db, r.sha256)
    return out


def _all_flags(db) -> set[tuple]:
    return {row for row in db.conn.execute(
        "SELECT check_id, severity, message, report, other_report, scope, score, cells, other_cells "
        "FROM crossyear_flags")}


# ----------------------------------------------------------------------------- identity


@pytest.mark.parametrize("a, b, same", [
    ("洪泽区人民政府", "淮安市洪泽区人民政府", True),
    ("淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府", True),
    ("某市公安局", "某县公安局", False),
    ("某市公安局", "某市某县公安局", False),
    ("某县公安局", "某市某县公安局", True),
    ("平潭综合实验区", "平潭综合实验区管委会", True),
    ("平潭综合实验区", "平潭综合实验区管理委员会", True),
    ("洪泽区政府办公室", "淮安市洪泽区人民政府办公室", True),
    ("淮安市洪泽区人民政府", "淮安市洪泽区人民政府办公室", False),  # the government is not its office
    ("上海市人民政府", "上海市人民政府办公厅", False),
    ("青禾市市场监督管理局", "青禾市场监督管理局", False),
    ("公安局", "公安局", False),  # no region: nothing to anchor the name
    ("教育部", "教育部", True),  # national bodies are unique by name
    ("南京市鼓楼区人民政府", "福州市鼓楼区人民政府", False),
])
def test_same_issuer(a, b, same):
    assert I.same_issuer(a, b) is same
    assert I.same_issuer(b, a) is same


@pytest.mark.parametrize("name, chain, body, level, kind", [
    ("淮安市洪泽区人民政府", ("淮安市", "洪泽区"), "人民政府", "county", "government"),
    ("淮安市人民政府", ("淮安市",), "人民政府", "city", "government"),
    ("南屿省民政厅", ("南屿省",), "民政厅", "province", "department"),
    ("湄平市翊川区砚渚街道办事处", ("湄平市", "翊川区", "砚渚街道"), "办事处", "township", "government"),
    ("沄原县翊屿镇人民政府", ("沄原县", "翊屿镇"), "人民政府", "township", "government"),
    ("上海市人民政府办公厅", ("上海市",), "人民政府办公厅", "province", "department"),
    ("北京市海淀区人民政府", ("北京市", "海淀区"), "人民政府", "county", "government"),
    ("苏州市昆山市人民政府", ("苏州市", "昆山市"), "人民政府", "county", "government"),
    # words that contain 市/乡/区 are not places
    ("青禾市市场监督管理局", ("青禾市",), "市场监督管理局", "city", "department"),
    ("青禾市城市管理局", ("青禾市",), "城市管理局", "city", "department"),
    ("青禾市住房和城乡建设局", ("青禾市",), "住房和城乡建设局", "city", "department"),
    ("青禾市园林和市容管理局", ("青禾市",), "园林和市容管理局", "city", "department"),
    ("内蒙古自治区呼和浩特市人民政府", ("内蒙古自治区", "呼和浩特市"), "人民政府", "city", "government"),
])
def test_parse_name(name, chain, body, level, kind):
    ident = I.parse_name(name)
    assert (ident.chain, ident.body, ident.level, ident.kind) == (chain, body, level, kind)


def test_alias_file_sets_pingtan_level():
    aliases = I.load_aliases()
    assert aliases[I.normalise_name("平潭综合实验区管委会")]["name"] == "平潭综合实验区"
    ident = I.identify("平潭综合实验区管理委员会")
    assert (ident.name, ident.level, ident.kind) == ("平潭综合实验区", "city", "government")


def test_parent_region_from_the_preamble():
    ident = I.identify("洪泽区人民政府", "洪泽区人民政府2023年政府信息公开工作年度报告",
                       ["本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制。"])
    assert ident.chain == ("淮安市", "洪泽区") and ident.parent_from == "preamble"
    # two different parents printed: keep the title's name as it is
    ident = I.identify("鼓楼区人民政府", None, ["南京市鼓楼区人民政府办公室", "福州市鼓楼区教育局"])
    assert ident.chain == ("鼓楼区",)


def test_issuer_from_the_signature_when_the_title_has_none():
    ident = I.identify(None, None, [], ["对照2024年政务公开工作要点，我局逐项分解任务。", "砚陵县民政局", "2025年1月8日"])
    assert ident.name == "砚陵县民政局" and ident.source == "signature"


def test_cluster_is_conservative_and_order_free():
    names = ["洪泽区人民政府", "淮安市洪泽区人民政府", "鼓楼区人民政府", "南京市鼓楼区人民政府",
             "福州市鼓楼区人民政府", "某市公安局", "某县公安局", "某市某县公安局"]
    idents = [I.parse_name(n) for n in names]

    def groups(order):
        res = I.cluster([idents[k] for k in order])
        return sorted(sorted(names[order[k]] for k in members) for _, members in res)

    expected = sorted([sorted(["洪泽区人民政府", "淮安市洪泽区人民政府"]), ["鼓楼区人民政府"], ["南京市鼓楼区人民政府"],
                       ["福州市鼓楼区人民政府"], ["某市公安局"], sorted(["某县公安局", "某市某县公安局"])])
    assert groups(list(range(len(names)))) == expected
    assert groups(list(reversed(range(len(names))))) == expected


# ----------------------------------------------------------------------------- the real pair


@pytest.fixture(scope="module")
def hongze():
    need_shared("real/huaian-hongze-2023.pdf, real/huaian-hongze-2024.pdf")
    return extracted(HONGZE23), extracted(HONGZE24)


@pytest.mark.shared
def test_hongze_two_years_one_issuer_chains_hold(tmp_path, hongze):
    r23, r24 = hongze
    assert r23.issuer == "洪泽区人民政府" and r24.issuer == "淮安市洪泽区人民政府"
    db = _db(tmp_path)
    got = _add(db, r23, r24)
    a, b = I.issuer_of(db, r23.sha256), I.issuer_of(db, r24.sha256)
    assert a["id"] == b["id"] and a["name"] == "淮安市洪泽区人民政府"
    assert (a["level"], a["kind"]) == ("county", "government") and "洪泽区人民政府" in a["aliases"]
    # the chains are computed from the stored cells and hold (gold notes: 0 → 0; 5 + 3 − 0 = 8)
    cache: dict = {}
    prev, cur = X.load_stored(db.conn, r23.sha256, cache), X.load_stored(db.conn, r24.sha256, cache)
    assert X.neighbours(db.conn, cur) == [r23.sha256]
    n = {**{("prev", k): c.number for k, c in prev.cells.items()}, **{("cur", k): c.number for k, c in cur.cells.items()}}
    assert n["prev", "t2.carry_forward.total"] == n["cur", "t2.carried_over.total"] == 0
    assert n["prev", "t1.normative_docs.valid"] + n["cur", "t1.normative_docs.made"] \
        - n["cur", "t1.normative_docs.repealed"] == n["cur", "t1.normative_docs.valid"] == 8
    flags = X.check_pair(prev, cur)
    assert not [f for f in flags if f.check in ("X01", "X02", "X03", "X06")]
    assert got[r24.sha256] == [] and got[r23.sha256] == []  # different wording: no X04 either


@pytest.mark.shared
def test_planted_carry_over_break_raises_x01_naming_both(tmp_path, hongze):
    r23, r24 = hongze
    bad = _variant(r24, "planted")
    bad.cells["t2.carried_over.total"].value = 4
    bad.cells["t2.carried_over.natural_person"].value = 4
    db = _db(tmp_path)
    flags = _add(db, r23, bad)[bad.sha256]
    x01 = [f for f in flags if f.check == "X01"]
    assert len(x01) == 1
    f = x01[0]
    assert f.severity == "error" and (f.pair.report, f.pair.other_report) == (bad.sha256, r23.sha256)
    assert (f.pair.report_year, f.pair.other_year) == (2024, 2023)
    assert [c.key for c in f.cells] == ["t2.carried_over.total"] and f.pair.other_cells == ["t2.carry_forward.total"]
    assert "huaian-hongze-2024-planted.pdf" in f.message and "huaian-hongze-2023.pdf" in f.message
    assert "4" in f.message and "0" in f.message
    x02 = [f for f in flags if f.check == "X02"]
    assert [[c.key for c in f.cells] for f in x02] == [["t2.carried_over.natural_person"]] and x02[0].severity == "warning"
    # the flags name both reports: the earlier one sees them too
    assert {g.check for g in X.flags_for(db, r23.sha256)} >= {"X01", "X02"}


@pytest.mark.shared
def test_x03_stock_flow_break(tmp_path, hongze):
    r23, r24 = hongze
    bad = _variant(r24, "stock")
    bad.cells["t1.normative_docs.valid"].value = 12
    db = _db(tmp_path)
    flags = _add(db, r23, bad)[bad.sha256]
    x03 = [f for f in flags if f.check == "X03"]
    assert len(x03) == 1 and x03[0].severity == "warning"
    assert "5 + 本年制发 3 − 本年废止 0 = 8" in x03[0].message and "12" in x03[0].message


def _stored(sha, name, year, template, status, issuer_id, issuer_name, kind, numbers, texts, names):
    """A StoredReport as crossyear.load_stored builds it, from plain numbers."""
    cells = {k: CellValue(k, v, str(v)) for k, v in numbers.items()}
    return StoredReport(sha, name, year, template, status, issuer_id, issuer_name, kind, cells, texts, names)


def test_x03_skipped_when_last_year_is_v2019():
    prev = _stored("a", "a", 2023, "v2019", "ok", 1, "x", "government", {"t1.normative_docs.valid": 1}, {}, [])
    cur = _stored("b", "b", 2024, "v2021", "ok", 1, "x", "government",
                   {"t1.normative_docs.valid": 9, "t1.normative_docs.made": 1, "t1.normative_docs.repealed": 0}, {}, [])
    assert not [f for f in X.check_pair(prev, cur) if f.check == "X03"]
    prev.template = "v2021"
    assert [f.check for f in X.check_pair(prev, cur) if f.check == "X03"] == ["X03"]
    # --ignore / --select reach the cross-report checks through the same engine config
    assert not [f for f in X.check_pair(prev, cur, {"disable": ["X03"]}) if f.check == "X03"]
    assert [f.check for f in X.check_pair(prev, cur, {"checks": ["X03"]})] == ["X03"]


def _renumber(text: str) -> str:
    """The same sentences with every number changed (years shifted by one)."""
    text = re.sub(r"20(\d\d)年", lambda m: f"20{int(m.group(1)) + 1:02d}年", text)
    return re.sub(r"(?<!20)\b\d+\b|\d+(?=[件个项条次万元%])", lambda m: str(int(m.group(0)) * 3 + 7), text)


@pytest.mark.shared
def test_copied_text_with_new_numbers_raises_x04(tmp_path, hongze):
    r23, _ = hongze
    copied = _variant(r23, "copied", report_year=2024)
    for p in copied.paragraphs:
        p.text = _renumber(p.text)
        p.tokens = ""
    for c in copied.cells.values():
        if isinstance(c.value, int):
            c.value = c.value + 1
    assert copied.section_text("problems") != r23.section_text("problems")
    db = _db(tmp_path)
    flags = _add(db, r23, copied)[copied.sha256]
    x04 = [f for f in flags if f.check == "X04"]
    assert len(x04) == 1
    f = x04[0]
    assert f.severity == "warning" and f.pair.scope == "year" and f.pair.score >= pairs.X04_HIGH
    assert f"{f.pair.score:.2f}"[:3] in f.message and "几乎逐字相同" in f.message
    assert "huaian-hongze-2023-copied.pdf" in f.message and "huaian-hongze-2023.pdf" in f.message
    assert not [g for g in flags if g.check == "X05"]  # the numbers changed


@pytest.mark.shared
def test_identical_numbers_raise_x05(tmp_path, hongze):
    r23, _ = hongze
    again = _variant(r23, "again", report_year=2024)
    db = _db(tmp_path)
    flags = _add(db, r23, again)[again.sha256]
    assert {f.check for f in flags} >= {"X04", "X05"}
    x05 = next(f for f in flags if f.check == "X05")
    assert "t2.new.total" in {c.key for c in x05.cells} and x05.severity == "warning"


def test_template_regression_and_problems_not_followed_up():
    prev = _stored("a", "a.pdf", 2022, "v2021", "ok", 1, "某县人民政府", "government", {}, {
        "problems": "2022年，我县政府信息公开工作取得一定成效，但仍存在一些不足：一是重点领域信息公开深度不够；"
                    "二是政策解读形式单一。下一步，我县将加强培训。"}, [])
    cur = _stored("b", "b.pdf", 2023, "v2019", "ok", 1, "某县人民政府", "government", {}, {
        "problems": "2023年，我县将继续做好各项工作，认真贯彻落实条例，推动工作再上新台阶。"}, [])
    checks = {f.check: f for f in X.check_pair(prev, cur)}
    assert checks["X06"].severity == "error"
    assert checks["X07"].severity == "info" and "重点领域" in checks["X07"].message
    cur.texts["problems"] = "针对去年提出的重点领域公开深度问题，今年已逐项整改。"
    assert "X07" not in {f.check for f in X.check_pair(prev, cur)}
    cur.issuer_kind = "department"  # X07 is for government reports
    cur.texts["problems"] = "2023年，我局将继续做好各项工作。"
    assert "X07" not in {f.check for f in X.check_pair(prev, cur)}


@pytest.mark.shared
def test_boilerplate_shared_with_another_issuer_same_year(tmp_path, hongze):
    r23, _ = hongze
    other = _variant(r23, "huaiyin", issuer="淮安市淮阴区人民政府", title="淮安市淮阴区人民政府2023年政府信息公开工作年度报告")
    db = _db(tmp_path)
    _add(db, r23, other)
    assert I.issuer_of(db, r23.sha256)["id"] != I.issuer_of(db, other.sha256)["id"]
    flags = X.flags_for(db, r23.sha256)
    assert [(f.check, f.severity, f.pair.scope) for f in flags] == [("X04", "info", "peer")]
    f = flags[0]
    assert {f.pair.report, f.pair.other_report} == {r23.sha256, other.sha256} and f.pair.score >= X.PEER_MIN
    assert "淮安市淮阴区人民政府" in f.message and "；2023年《huaian-hongze-2023.pdf》，洪泽区人民政府" in f.message \
        or "（2023年《huaian-hongze-2023.pdf》，洪泽区人民政府；" in f.message
    assert X.flags_for(db, other.sha256)[0].fingerprint(f.pair.report) == f.fingerprint(f.pair.report)


# ----------------------------------------------------------------------------- order and re-audit


@pytest.mark.shared
def test_order_independence_and_reaudit(tmp_path, hongze):
    r23, r24 = hongze
    bad = _variant(r24, "planted")
    bad.cells["t2.carried_over.total"].value = 2
    copied = _variant(r23, "copied", report_year=2024)
    forward, backward = _db(tmp_path, "f.db"), _db(tmp_path, "b.db")
    _add(forward, r23, bad, copied)
    _add(backward, copied, bad, r23)
    flags = _all_flags(forward)
    assert {f[0] for f in flags} >= {"X01", "X04", "X05"}
    assert flags == _all_flags(backward)
    # re-auditing either report recomputes its pairs; nothing is duplicated or left stale
    for r in (r23, bad):
        _add(forward, r)
        assert _all_flags(forward) == flags
    save_report(forward, r23)  # re-saved without the hook: its pairs are gone, not stale
    assert not forward.conn.execute("SELECT 1 FROM crossyear_flags WHERE report = ? OR other_report = ?",
                                    [r23.sha256, r23.sha256]).fetchone()
    X.run_crossyear(forward, r23.sha256)
    assert _all_flags(forward) == flags
    # the report changes: the 2023 report now ends with 2 pending, so the chain holds for `bad`
    fixed = copy.deepcopy(r23)
    fixed.cells["t2.carry_forward.total"].value = 2
    _add(forward, fixed)
    after = {(f[0], f[3], f[4]) for f in _all_flags(forward)}
    assert ("X01", bad.sha256, r23.sha256) not in after
    delete_report(forward, r23.sha256)
    assert not forward.conn.execute("SELECT 1 FROM crossyear_flags WHERE report = ? OR other_report = ?",
                                    [r23.sha256, r23.sha256]).fetchone()


@pytest.mark.shared
def test_bare_name_joins_later_in_any_order(tmp_path, hongze):
    """洪泽区人民政府 without a parent anywhere in its text still joins 淮安市洪泽区人民政府, whichever
    comes first; once a second parent for 洪泽区 appears the bare name is ambiguous: it is split off
    and the cross-year flags it had with the 淮安市 report are withdrawn."""
    r23, r24 = hongze
    bare = _variant(r23, "bare")
    for p in bare.paragraphs:
        p.text = p.text.replace("淮安市", "")
    bad = _variant(r24, "planted")
    bad.cells["t2.carried_over.total"].value = 4
    for order in ((bare, bad), (bad, bare)):
        db = _db(tmp_path, f"bare-{order[0].sha256[:6]}.db")
        _add(db, *order)
        assert I.issuer_of(db, bare.sha256)["id"] == I.issuer_of(db, bad.sha256)["id"]
        assert X.neighbours(db.conn, X.load_stored(db.conn, bare.sha256, {})) == [bad.sha256]
        assert "X01" in {f.check for f in X.flags_for(db, bare.sha256)}
        elsewhere = _variant(r24, "elsewhere", report_year=2022, issuer="宿迁市洪泽区人民政府",
                             title="宿迁市洪泽区人民政府2022年政府信息公开工作年度报告")
        for p in elsewhere.paragraphs:
            p.text = p.text.replace("淮安市", "宿迁市")
        _add(db, elsewhere)
        ids = {r.sha256: I.issuer_of(db, r.sha256)["id"] for r in (bare, bad, elsewhere)}
        assert len(set(ids.values())) == 3
        assert X.neighbours(db.conn, X.load_stored(db.conn, bare.sha256, {})) == []
        assert not [f for f in X.flags_for(db, bare.sha256) if f.pair.scope == "year"]


# ----------------------------------------------------------------------------- pingtan and coverage


@pytest.mark.shared
def test_pingtan_five_years_one_issuer(tmp_path):
    db = _db(tmp_path)
    reports = [extracted(p) for p in PINGTAN]
    _add(db, *reports)
    ids = {I.issuer_of(db, r.sha256)["id"] for r in reports}
    assert len(ids) == 1
    info = I.issuer_of(db, reports[0].sha256)
    assert (info["name"], info["level"], info["kind"]) == ("平潭综合实验区", "city", "government")
    cov = coverage.coverage(db)
    row = next(r for r in cov["rows"] if r["name"] == "平潭综合实验区")
    assert sorted(row["years"]) == [2019, 2022, 2023, 2024, 2025] and row["missing"] == [2020, 2021]
    # the neighbours 2022–2025 were compared (2019 has no neighbour): the carry-over chains hold
    assert not [f for f in _all_flags(db) if f[0] == "X01"]


def _generated(tmp_path) -> list[str]:
    out = tmp_path / "gen"
    out.mkdir()
    paths = []
    for year in (2020, 2021, 2023):
        data, gold = samplegen.make_report({"issuer": "雁汀县教育局", "year": year, "format": "html", "seed": year,
                                            "stem": f"gen-yanting-{year}"})
        p = out / f"gen-yanting-{year}.html"
        p.write_bytes(data)
        paths.append(str(p))
    return paths


@pytest.mark.shared
def test_coverage_command(tmp_path):
    from typer.testing import CliRunner
    from extractor.cli import app
    from extractor.pipeline import extract

    docs = sorted(p for sub in ("real", "synthetic", "unlabelled") for p in (CORPUS / sub).iterdir()
                  if p.suffix in (".pdf", ".docx", ".html", ".txt"))
    dbpath = tmp_path / "cov.db"
    db = open_db(dbpath)
    for p in docs:
        save_report(db, extracted(str(p)))  # saved the way `xxgk audit` does, without the hook
    for p in _generated(tmp_path):
        save_report(db, extract(p))
    db.conn.close()

    res = CliRunner().invoke(app, ["coverage", "--db", str(dbpath), "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.output)))
    header = rows[0]
    body = {r[1]: dict(zip(header, r)) for r in rows[1:]}
    assert header[:4] == ["机关编号", "发布机关", "级别", "类型"]
    assert [h for h in header if h.endswith("年")] == [f"{y}年" for y in range(2019, 2026)]
    # 5 real issuers (淮安市, 洪泽区 ×2 years, 平潭 ×5 years, 上海市政府办公厅, 邢台市工信局),
    # 12 synthetic ones, and the generated 雁汀县教育局
    assert len(body) == 18 and "（未识别发布机关）" not in body
    hz = body["淮安市洪泽区人民政府"]
    assert (hz["2023年"], hz["2024年"], hz["缺失年度"]) == ("✓", "✓", "")
    pt = body["平潭综合实验区"]
    assert [pt[f"{y}年"] for y in range(2019, 2026)] == ["✓", "缺", "缺", "✓", "✓", "✓", "✓"]
    assert pt["级别"] == "市级" and pt["缺失年度"] == "2020、2021"
    gen = body["雁汀县教育局"]
    assert [gen[f"{y}年"] for y in (2019, 2020, 2021, 2022, 2023, 2024)] == ["", "✓", "✓", "缺", "✓", ""]
    assert gen["缺失年度"] == "2022" and (gen["级别"], gen["类型"]) == ("县级", "部门")
    assert body["湄平市翊川区砚渚街道办事处"]["级别"] == "乡镇级"

    table = CliRunner().invoke(app, ["coverage", "--db", str(dbpath)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "雁汀县教育局" in table.output and "缺" in table.output

    # the datasette views agree with the command
    db = open_db(dbpath)
    names = coverage.ensure_coverage_views(db)
    assert "issuer_coverage" in names
    gaps = {(r[0], r[1]) for r in db.conn.execute("SELECT 发布机关, 年度 FROM issuer_coverage WHERE 状态 = '缺失'")}
    assert gaps == {("平潭综合实验区", 2020), ("平潭综合实验区", 2021), ("雁汀县教育局", 2022)}
    m = db.conn.execute('SELECT "2022年" FROM issuer_coverage_matrix WHERE 发布机关 = ?', ["雁汀县教育局"]).fetchone()
    assert m == ("缺",)
    # the review home page's overview marks the same gap
    ensure_views(db)
    m = db.conn.execute('SELECT "2022年" FROM coverage WHERE 发布机关 = ?', ["雁汀县教育局"]).fetchone()
    assert m == ("缺",)

    # `xxgk crossyear` brings the database (audited without the hook) up to date
    res = CliRunner().invoke(app, ["crossyear", "--db", str(dbpath), "--no-show"])
    assert res.exit_code == 0, res.output
    listed = db.conn.execute("SELECT 检查, 发布机关, 年度, 对比年度 FROM crossyear_flag_list").fetchall()
    assert listed and all(r[1] for r in listed if r[0] != "X04")
    pairs = {(r[1], r[2], r[3]) for r in listed if r[0] in ("X01", "X02", "X03", "X05")}
    assert all(b == a - 1 for _, a, b in pairs)
