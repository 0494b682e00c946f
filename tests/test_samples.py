"""The committed demo samples (corpus/sample-*) are what corpus/make_samples.py produces, and their
gold numbers obey the template identities (spec C.3/C.4) except where a defect is planted."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
sys.path.insert(0, str(CORPUS))
import make_samples  # noqa: E402
import samplegen  # noqa: E402

GOLD_PATHS = sorted(CORPUS.glob("sample-*.json"))
GOLDS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in GOLD_PATHS}
ARITH = {"T2-01", "T2-02", "T2-03", "T3-01"}
NON_DECISION = {"new", "carried_over", "total_processed", "carry_forward"}


def _n(x) -> float:
    """Blank, '/', '—' count as 0; '12.5万元' counts as 12.5."""
    if isinstance(x, (int, float)):
        return x
    digits = "".join(ch for ch in str(x or "") if ch.isdigit() or ch in ".+-")
    try:
        return float(digits)
    except ValueError:
        return 0


def failing_identities(cells: dict) -> set[tuple[str, str]]:
    """(check, row/column/group) for every t2/t3 identity that the printed numbers break."""
    rows = list(dict.fromkeys(k[3:].rsplit(".", 1)[0] for k in cells if k.startswith("t2.")))
    cols = list(dict.fromkeys(k.rsplit(".", 1)[1] for k in cells if k.startswith("t2.new.")))
    applicants = [c for c in cols if c != "total"]
    decisions = [r for r in rows if r not in NON_DECISION]
    v = lambda k: _n(cells[k])  # noqa: E731
    bad = set()
    for r in rows:
        if v(f"t2.{r}.total") != sum(v(f"t2.{r}.{c}") for c in applicants):
            bad.add(("T2-01", r))
    for c in cols:
        if v(f"t2.total_processed.{c}") != sum(v(f"t2.{r}.{c}") for r in decisions):
            bad.add(("T2-02", c))
        if v(f"t2.new.{c}") + v(f"t2.carried_over.{c}") != v(f"t2.total_processed.{c}") + v(f"t2.carry_forward.{c}"):
            bad.add(("T2-03", c))
    for g in ("review", "lit_direct", "lit_after_review"):
        if v(f"t3.{g}.total") != sum(v(f"t3.{g}.{r}") for r in ("upheld", "corrected", "other", "pending")):
            bad.add(("T3-01", g))
    return bad


def expected_identities(gold: dict) -> set[tuple[str, str]]:
    out = set()
    for f in gold["expected_flags"]:
        if f["check"] in ARITH:
            key = f["cells"][0]
            part = key.split(".")[1] if f["check"] == "T3-01" else key[3:].rsplit(".", 1)[0]
            out.add((f["check"], part if f["check"] in ("T2-01", "T3-01") else key.rsplit(".", 1)[1]))
    return out


def test_every_sample_is_committed():
    assert sorted(GOLDS) == sorted(s["stem"] for s in make_samples.SAMPLES)
    assert sum(p.stat().st_size for p in CORPUS.glob("sample-*")) < 1_000_000


@pytest.mark.parametrize("stem", sorted(GOLDS))
def test_document_matches_gold_sha(stem):
    gold = GOLDS[stem]
    assert gold["document"].startswith(stem + ".")
    data = (CORPUS / gold["document"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == gold["sha256"]


def test_regenerated_golds_equal_committed(tmp_path):
    golds = make_samples.build(tmp_path, pdf=False)  # no LibreOffice needed: PDF pages checked below
    assert len(golds) == len(GOLDS)
    for new in golds:
        stem = Path(new["document"]).stem
        old = json.loads(json.dumps(GOLDS[stem]))
        new = json.loads(json.dumps(new))
        for g in (old, new):
            g.pop("sha256")
            if g["document"].endswith(".pdf"):
                for s in g["sections"]:
                    s.pop("page")
        assert new == old, stem
        if new["document"].endswith(".html"):  # HTML is plain text: byte-identical
            assert (tmp_path / new["document"]).read_bytes() == (CORPUS / new["document"]).read_bytes()


@pytest.mark.parametrize("stem", [s for s in sorted(GOLDS) if GOLDS[s]["document"].endswith(".pdf")])
def test_pdf_pages_and_tables(stem):
    import pdfplumber

    gold = GOLDS[stem]
    pdf = CORPUS / gold["document"]
    pages = samplegen.pdf_find_pages(pdf, [s["heading"] for s in gold["sections"]])
    assert pages == [s["page"] for s in gold["sections"]]
    with pdfplumber.open(pdf) as doc:
        shapes = [len(t.extract()[0]) for pg in doc.pages for t in pg.find_tables()]
    assert {4, 10, 15} <= set(shapes)  # t1, t2 (maybe in pieces) and t3 are found as tables
    if stem in make_samples.SPLIT_TABLE:
        first, last = make_samples.t2_pages(pdf)
        assert last > first


@pytest.mark.parametrize("stem", [s for s in sorted(GOLDS) if GOLDS[s]["document"].endswith(".docx")])
def test_docx_opens(stem):
    import docx

    d = docx.Document(str(CORPUS / GOLDS[stem]["document"]))
    assert [len(t.columns) for t in d.tables] == [4, 10, 15]
    assert d.paragraphs[0].text.endswith(f"{GOLDS[stem]['report_year']}年政府信息公开工作年度报告")


@pytest.mark.parametrize("stem", [s for s in sorted(GOLDS) if GOLDS[s]["document"].endswith(".html")])
def test_html_declared_charset(stem):
    raw = (CORPUS / GOLDS[stem]["document"]).read_bytes()
    charset = raw[:200].split(b'charset="')[1].split(b'"')[0].decode()
    assert GOLDS[stem]["issuer"] in raw.decode(charset)


@pytest.mark.parametrize("stem", sorted(GOLDS))
def test_identities_hold_except_planted(stem):
    gold = GOLDS[stem]
    assert failing_identities(gold["cells"]) == expected_identities(gold)


@pytest.mark.parametrize("stem", sorted(GOLDS))
def test_t1_and_blank_totals(stem):
    c = GOLDS[stem]["cells"]
    for row in ("regulations", "normative_docs"):
        if GOLDS[stem]["template"] == "v2021":
            assert _n(c[f"t1.{row}.valid"]) >= _n(c[f"t1.{row}.made"]) - _n(c[f"t1.{row}.repealed"])  # T1-01
            assert not (_n(c[f"t1.{row}.made"]) > 0 and _n(c[f"t1.{row}.valid"]) == 0)  # T1-02
        else:
            assert _n(c[f"t1.{row}.total_published"]) >= _n(c[f"t1.{row}.new_published"])  # T1-03
    for k in c:
        if k.endswith(".prev_items"):
            assert _n(c[k]) + _n(c[k.replace("prev_items", "delta_items")]) >= 0  # T1-04
        if k.startswith("t2.") and k.endswith(".total") and c[k] is None:  # N02
            row = k.rsplit(".", 1)[0]
            assert all(_n(c[f"{row}.{col}"]) == 0 for col in
                       ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"))


@pytest.mark.parametrize("stem", sorted(GOLDS))
def test_publication_dates(stem):
    gold = GOLDS[stem]
    pub, y = dt.date.fromisoformat(gold["published"]), gold["report_year"]
    if any(f["check"] == "D03" for f in gold["expected_flags"]):
        assert pub < dt.date(y + 1, 1, 1)
    else:
        gov = gold["issuer"].endswith("人民政府")
        assert dt.date(y + 1, 1, 1) <= pub <= dt.date(y + 1, 3 if gov else 1, 31)  # D03 / D04


def test_demo_covers_the_planted_checks():
    planted = {f["check"] for g in GOLDS.values() for f in g["expected_flags"]}
    assert {"T2-01", "R05", "D03"} <= planted
    clean = [g for g in GOLDS.values() if not g["expected_flags"]]
    notes = " ".join(g["notes"] for g in clean)
    assert "较上年增长3件" in notes and "未收到法人或其他组织申请" in notes and "未出现" in notes


def test_bulk_generator_golds_are_consistent(tmp_path):
    """The library path used for benchmarks: varied reports, planted defects match the numbers."""
    golds = samplegen.generate_bulk(40, tmp_path, seed=7, formats=("docx", "html"), defect_rate=0.5)
    assert len({g["document"] for g in golds}) == 40
    for g in golds:
        assert failing_identities(g["cells"]) == expected_identities(g), g["document"]
        assert (tmp_path / g["document"]).exists() and (tmp_path / (Path(g["document"]).stem + ".json")).exists()
