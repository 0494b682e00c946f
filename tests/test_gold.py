"""Every labelled document (../shared/corpus and the project's corpus/) extracts exactly as its
gold file says."""
import json

import pytest

from conftest import CORPUS, extracted, gold_documents, sample_documents, shared_params

SHARED_DOCS = gold_documents()
DOCS = shared_params(SHARED_DOCS, [g.stem for g, _ in SHARED_DOCS], width=2) + [
    pytest.param(g, d, id=g.stem) for g, d in sample_documents()]


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    return a == b


@pytest.mark.parametrize("gold_path,doc", DOCS)
def test_cells_exact(gold_path, doc):
    gold = json.loads(gold_path.read_text())
    report = extracted(str(doc))
    have = {k: c.value for k, c in report.cells.items()}
    wrong = {k: (v, have.get(k, "<missing>")) for k, v in gold["cells"].items()
             if k not in have or not same(v, have[k])}
    extra = sorted(set(have) - set(gold["cells"]))
    assert not wrong, f"{len(wrong)} cells differ (gold, got): {dict(list(wrong.items())[:8])}"
    assert not extra, f"cells the document does not print: {extra[:8]}"


@pytest.mark.parametrize("gold_path,doc", DOCS)
def test_metadata(gold_path, doc):
    gold = json.loads(gold_path.read_text())
    report = extracted(str(doc))
    assert report.sha256 == gold["sha256"]
    assert (report.template, report.report_year, report.published) == (
        gold["template"], gold["report_year"], gold["published"])


@pytest.mark.parametrize("gold_path,doc", DOCS)
def test_sections(gold_path, doc):
    gold = json.loads(gold_path.read_text())
    report = extracted(str(doc))
    want = [(s["key"], s["heading"], s["page"]) for s in gold["sections"]]
    have = [(s.key, s.heading, s.page) for s in report.sections]
    assert have == want
    for s, g in zip(report.sections, gold["sections"]):
        # starts_with in gold is "the first 10 or so characters"; compare the common prefix.
        n = min(len(s.starts_with), len(g["starts_with"]), 8)
        assert s.starts_with[:n] == g["starts_with"][:n], (s.key, s.starts_with, g["starts_with"])


UNLABELLED = sorted((CORPUS / "unlabelled").glob("*"))


@pytest.mark.parametrize("doc", shared_params(UNLABELLED, [p.stem for p in UNLABELLED]))
def test_unlabelled_reports_extract_cleanly(doc):
    """Real reports whose gold is kept elsewhere: read completely, with no error status."""
    report = extracted(str(doc))
    assert report.status == "ok", report.messages
    assert not report.messages
    assert report.template_info.tables_found == {"t1": True, "t2": True, "t3": True}
    assert [s.key for s in report.sections] == [
        "overview", "active", "requests", "review_litigation", "problems", "other"]
    rows = 23 if report.template == "v2019" else 25
    assert sum(k.startswith("t2.") for k in report.cells) == rows * 7
    assert sum(k.startswith("t3.") for k in report.cells) == 15
    assert report.report_year is not None and report.published is not None


def _flag_matches(want: dict, flag) -> bool:
    """Same check, and the cells overlap where both name cells (as ../shared/tools/goldcmp.py)."""
    wc, fc = set(want.get("cells") or []), {c.key for c in flag.cells}
    return want["check"] == flag.check and (not wc or not fc or bool(wc & fc))


@pytest.mark.parametrize("gold_path,doc", DOCS)
def test_flags_end_to_end(gold_path, doc):
    """The extracted document raises every expected flag (with its severity hint) and no error the
    gold does not list."""
    gold = json.loads(gold_path.read_text())
    flags = [f for f in extracted(str(doc)).flags if f.severity in ("error", "warning")]
    for want in gold["expected_flags"]:
        hits = [f for f in flags if _flag_matches(want, f)]
        assert hits, (want, [(f.check, f.severity, f.message) for f in flags])
        if want.get("severity_hint"):
            assert want["severity_hint"] in {f.severity for f in hits}, (want, [f.message for f in hits])
        if want.get("quote"):
            assert any(want["quote"] in (f.quote or "") for f in hits), (want["quote"], [f.quote for f in hits])
    unexpected = [f.message for f in flags if f.severity == "error"
                  and not any(_flag_matches(w, f) for w in gold["expected_flags"])]
    assert not unexpected
