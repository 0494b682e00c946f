"""The hard layouts of ../shared/corpus/hard (issue 13, 19), document by document, like test_gold:
every gold cell exact, the metadata and sections right, every expected flag raised and no error
flag the gold does not list.

READ lists the documents that read exactly today; add a stem when its layout is read (one list
for every engineer's layouts, so a document that reads once keeps reading).
"""
import json

import pytest

from conftest import CORPUS, extracted, shared_params
from test_gold import same  # one comparison of printed values for every gold test

READ = [
    "hard-01-citygov-2024",  # a row cut by a page break, figures wrapped in narrow cells (issue 19)
    "hard-02-provincedept-2020",  # tables printed without rules, landscape table 四 (issue 13)
    "hard-06-provincedept-2021",  # three-line tables by Chromium, table 三 over three pages
    "hard-04-town-2023",  # tables as <img> in a saved page (issue 13, images.py)
    "hard-07-districtgov-2024",  # tables as pictures in a DOCX
    "hard-09-countydept-2024",  # tables as embedded images in a text PDF
    "hard-05-countygov-2023",  # table 三's header rows and body rows in two <table>s
    "hard-08-citydept-2025",  # gb2312 page, empty <td></td> in header rows where a rowspan would be
]


def _pair(stem: str):
    gold = CORPUS / "hard" / f"{stem}.json"
    doc = next((p for p in gold.parent.glob(f"{stem}.*") if p.suffix != ".json"), None) \
        if gold.parent.is_dir() else None
    return gold, doc


DOCS = shared_params([_pair(s) for s in READ], READ, width=2)


def _flag_matches(want: dict, flag) -> bool:
    """Same check, and the cells overlap where both name cells (as ../shared/tools/goldcmp.py)."""
    wc, fc = set(want.get("cells") or []), {c.key for c in flag.cells}
    return want["check"] == flag.check and (not wc or not fc or bool(wc & fc))


@pytest.mark.parametrize("gold_path,doc", DOCS)
def test_cells_exact(gold_path, doc):
    gold = json.loads(gold_path.read_text())
    report = extracted(str(doc))
    have = {k: c.value for k, c in report.cells.items()}
    wrong = {k: (v, have.get(k, "<missing>")) for k, v in gold["cells"].items()
             if k not in have or not same(v, have[k])}
    assert not wrong, f"{len(wrong)} cells differ (gold, got): {dict(list(wrong.items())[:8])}"
    assert not sorted(set(have) - set(gold["cells"]))
    # every table read and every row mapped: ok (how it was read, e.g. by OCR, is a notice)
    assert report.status == "ok", report.messages


@pytest.mark.parametrize("gold_path,doc", DOCS)
def test_metadata_and_sections(gold_path, doc):
    gold = json.loads(gold_path.read_text())
    report = extracted(str(doc))
    assert (report.issuer, report.template, report.report_year, report.published) == (
        gold["issuer"], gold["template"], gold["report_year"], gold["published"])
    assert [(s.key, s.heading, s.page) for s in report.sections] == [
        (s["key"], s["heading"], s["page"]) for s in gold["sections"]]


@pytest.mark.parametrize("gold_path,doc", DOCS)
def test_flags(gold_path, doc):
    gold = json.loads(gold_path.read_text())
    flags = [f for f in extracted(str(doc)).flags if f.severity in ("error", "warning")]
    for want in gold["expected_flags"]:
        assert any(_flag_matches(want, f) for f in flags), (want, [(f.check, f.message) for f in flags])
    unexpected = [f.message for f in flags if f.severity == "error"
                  and not any(_flag_matches(w, f) for w in gold["expected_flags"])]
    assert not unexpected
