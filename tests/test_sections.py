"""Sections (issue 3): heading rules, numbering defects, the jieba/spaCy classifier, the monotone
smoothing, the headings-stripped accuracy (in-sample and held out), determinism, size, speed of import."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.document import Block, Cell, Document, Table
from extractor.report import SECTION_KEYS
from extractor.sections import classifier as C
from extractor.sections import evaluate as E
from extractor.sections.assign import LABELS, assign_sections
from extractor.sections.rules import match_heading, numbering_defects, split_merged

from conftest import CORPUS, ROOT
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

# Measured with the committed model / leave-one-document-out (xxgk eval --strip-headings):
# real 92/92 and synthetic 176/176 paragraphs right in both settings.
MEASURED_IN_SAMPLE = 1.0
MEASURED_HELD_OUT = 1.0
TARGET = 0.95


# ------------------------------------------------------------------------------------------------
# Heading rules


@pytest.mark.parametrize("text,key,number", [
    ("一、总体情况", "overview", "一"),
    ("一、 总体情况", "overview", "一"),
    ("一、总体工作情况", "overview", "一"),
    ("二、主动公开政府信息情况", "active", "二"),
    ("三、收到和处理政府信息公开申请情况", "requests", "三"),
    ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation", "四"),
    ("四、因政府信息公开工作被申请行政复议和提起行政诉讼情况", "review_litigation", "四"),
    ("四、政府信息公开行政法复议、行政诉讼情况", "review_litigation", "四"),  # misprint in a real report
    ("五、存在的主要问题及改进情况", "problems", "五"),
    ("五、政府信息公开工作存在的主要问题及改进情况", "problems", "五"),
    ("五、存在问题及改进措施", "problems", "五"),
    ("五、工作中存在的不足和改进方向", "problems", "五"),  # keyword
    ("六、其他需要报告的事项", "other", "六"),
    ("六、其他需要报告事项。", "other", "六"),
    ("六．其他需要报告的事项", "other", "六"),
    # misnumbered: the rules still name the section, the numeral is kept for S02
    ("一、主动公开政府信息情况", "active", "一"),
    ("四、收到和处理政府信息公开申请情况", "requests", "四"),
    # a heading line without numeral, exactly one of the `unnumbered` forms
    ("收到和处理政府信息公开申请情况", "requests", ""),
    # its 、 lost (OCR drops the small mark): the template's numeral and exact heading words
    ("五存在的主要问题及改进情况", "problems", "五"),
    ("二主动公开情况", "active", "二"),
])
def test_heading_variants(text, key, number):
    m = match_heading(text)
    assert m is not None and (m.key, m.number) == (key, number)


@pytest.mark.parametrize("text", [
    # the preamble names every section but is a sentence
    "本报告根据《中华人民共和国政府信息公开条例》编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
    "全文包括总体情况、主动公开政府信息情况",
    "（一）主动公开情况",  # a sub-heading of 总体情况
    "（二）依申请公开方面",
    "一是政策解读质量仍需提升。",
    "三、政府信息管理情况",  # numbered like a section, names none
    "二、主动公开方面。全年主动公开信息情况良好，共发布300条。",  # a numbered sentence
    "主动公开情况",  # bare sub-topic line: not an unnumbered heading form
    "2024年，市政府因政府信息公开工作被申请行政复议223件、被提起行政诉讼93件，具体情况见下表。",
    # without 、 only the exact heading under the template's own numeral
    "五年来存在的主要问题及改进情况",
    "三存在的主要问题及改进情况",
    "五是加强业务培训",
])
def test_body_sentences_do_not_match(text):
    assert match_heading(text) is None
    assert split_merged(text) is None


@pytest.mark.parametrize("text,key,heading,body", [
    ("一、总体情况2023年，我局坚持以习近平新时代中国特色社会主义思想为指导。", "overview", "一、总体情况",
     "2023年，我局坚持以习近平新时代中国特色社会主义思想为指导。"),
    ("一、总体情况2023年我局", "overview", "一、总体情况", "2023年我局"),
    ("五、存在问题及改进措施。一是公开不够及时。", "problems", "五、存在问题及改进措施", "一是公开不够及时。"),
    ("六、其他需要报告的事项无。", "other", "六、其他需要报告的事项", "无。"),
    ("五、工作中存在的不足和改进情况：一是解读形式单一。", "problems", "五、工作中存在的不足和改进情况", "一是解读形式单一。"),
    ("一、 总体情况 2023年，我局 坚持", "overview", "一、总体情况", "2023年，我局 坚持"),
])
def test_merged_heading_is_split(text, key, heading, body):
    got = split_merged(text)
    assert got is not None
    m, rest = got
    assert (m.key, m.heading, rest) == (key, heading, body)


@pytest.mark.parametrize("text", ["二、主动公开政府信息情况", "三、依申请公开情况说明", "一、总体情况。"])
def test_heading_lines_are_not_split(text):
    assert split_merged(text) is None
    assert match_heading(text) is not None


# ------------------------------------------------------------------------------------------------
# Whole documents (synthetic Documents; tables carry the template's labels)


def T(kind: str) -> Block:
    labels = {"t1": ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
              "t2": ["本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "自然人", "商业企业"],
              "t3": ["行政复议", "行政诉讼", "结果维持", "未经复议直接起诉", "复议后起诉"]}[kind]
    cells = [Cell(0, i, t) for i, t in enumerate(labels)] + [Cell(1, i, "0") for i in range(len(labels))]
    return Block("table", table=Table(cells, 2, len(labels)))


def D(*items) -> Document:
    return Document("x.txt", "txt", [i if isinstance(i, Block) else Block("paragraph", text=i) for i in items])


TITLE = "青禾市交通运输局2023年政府信息公开工作年度报告"
PRE = ("本报告根据《中华人民共和国政府信息公开条例》编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
       "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限为2023年1月1日至12月31日。")
OV = "2023年，我局坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，政务公开工作取得新进展。"
PR = ("2023年，我局政府信息公开工作取得一定成效，但仍存在一些问题和不足：一是政策解读形式单一；二是依申请公开答复规范化水平有待提升。"
      "下一步，我局将加强培训。")
OT = "2023年，我局依据《政府信息公开信息处理费管理办法》，未收取信息处理费。"
STD = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
       "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def doc_with(h=STD, overview=(OV,)):
    return D(TITLE, PRE, h[0], *overview, h[1], T("t1"), h[2], T("t2"), h[3], T("t3"), h[4], PR, h[5], OT)


def keys(sections):
    return [s.key for s in sections]


def test_standard_document_is_all_rule():
    secs, paras = assign_sections(doc_with())
    assert keys(secs) == list(SECTION_KEYS)
    assert [s.number for s in secs] == list("一二三四五六")
    assert all(p.method == "rule" and p.confidence == 1.0 for p in paras)
    assert [p.section for p in paras] == ["preamble", "preamble", "overview", "overview", "active", "requests",
                                          "review_litigation", "problems", "problems", "other", "other"]
    assert all(p.tokens for p in paras)
    assert numbering_defects(secs, paras) == []


def test_subtopics_numbered_as_top_level():
    """S02: 总体情况 sub-topics numbered 一、二、三 do not displace the real headings."""
    doc = doc_with(overview=(OV, "一、主动公开情况", "全年主动公开信息300条。", "二、依申请公开情况", "全年收到申请5件。",
                             "三、政府信息管理情况", "严格审查。"))
    secs, paras = assign_sections(doc)
    assert [(s.key, s.heading) for s in secs] == list(zip(SECTION_KEYS, STD))
    subs = ["一、主动公开情况", "全年主动公开信息300条。", "二、依申请公开情况", "全年收到申请5件。", "三、政府信息管理情况"]
    assert {p.section for p in paras if p.text in subs} == {"overview"}
    assert not any(p.is_heading for p in paras if p.text in subs)
    d = numbering_defects(secs, paras)
    assert [x.kind for x in d] == ["subtopic_top_level"] * 3
    assert [x.heading for x in d] == ["一、主动公开情况", "二、依申请公开情况", "三、政府信息管理情况"]


def test_shifted_numbering_without_overview_heading():
    """S02: 二–六 shifted to 一–五; the 总体情况 text without a heading goes to the classifier."""
    h = ["", "一、主动公开政府信息情况", "二、收到和处理政府信息公开申请情况", "三、政府信息公开行政复议、行政诉讼情况",
         "四、存在的主要问题及改进情况", "五、其他需要报告的事项"]
    doc = D(TITLE, PRE, OV, h[1], T("t1"), h[2], T("t2"), h[3], T("t3"), h[4], PR, h[5], OT)
    secs, paras = assign_sections(doc)
    assert keys(secs) == list(SECTION_KEYS[1:])
    assert [s.number for s in secs] == list("一二三四五")
    first = paras[:3]
    assert [p.section for p in first] == ["preamble", "preamble", "overview"]
    assert all(p.method == "classifier" and 0.5 < p.confidence <= 1.0 for p in first)
    assert [x.kind for x in numbering_defects(secs, paras)] == ["shifted"]


def test_restarting_numbering():
    h = ["一、总体情况", "一、主动公开政府信息情况", "二、收到和处理政府信息公开申请情况", "三、政府信息公开行政复议、行政诉讼情况",
         "四、存在的主要问题及改进情况", "五、其他需要报告的事项"]
    secs, paras = assign_sections(doc_with(h))
    assert keys(secs) == list(SECTION_KEYS)
    kinds = [x.kind for x in numbering_defects(secs, paras)]
    assert kinds == ["restart", "shifted"]


def test_requests_numbered_four():
    """S02: "四、…申请…" used where 三 belongs."""
    h = list(STD)
    h[2] = "四、收到和处理政府信息公开申请情况"
    secs, paras = assign_sections(doc_with(h))
    assert keys(secs) == list(SECTION_KEYS)
    d = numbering_defects(secs, paras)
    assert [(x.kind, x.number, x.expected) for x in d] == [("wrong_numeral", "四", "三")]


def test_merged_heading_and_body_in_document():
    h = list(STD)
    doc = D(TITLE, PRE, "一、总体情况" + OV, h[1], T("t1"), h[2], T("t2"), h[3], T("t3"),
            "五、存在问题及改进措施。" + PR, h[5], OT)
    secs, paras = assign_sections(doc)
    assert [s.heading for s in secs] == ["一、总体情况", *h[1:4], "五、存在问题及改进措施", h[5]]
    assert secs[0].starts_with == OV[:14] and secs[4].starts_with == PR[:14]
    heads = [p for p in paras if p.is_heading]
    assert [p.text for p in heads][0] == "一、总体情况"
    body = [p for p in paras if p.text == OV]
    assert len(body) == 1 and body[0].section == "overview" and not body[0].is_heading


def test_odd_heading_found_by_classifier():
    """A 五 heading in words the rules do not know: the classifier places its text and the line
    becomes the problems heading (method classifier)."""
    h = list(STD)
    h[4] = "五、工作不足与下一步打算"
    assert match_heading(h[4]) is None
    secs, paras = assign_sections(doc_with(h))
    assert keys(secs) == list(SECTION_KEYS)
    five = secs[4]
    assert five.heading == h[4] and five.number == "五"
    p = next(p for p in paras if p.text == h[4])
    assert p.is_heading and p.method == "classifier"
    assert next(p for p in paras if p.text == PR).section == "problems"


def test_heading_out_of_order_kept_when_its_table_agrees():
    h = STD
    doc = D(TITLE, PRE, h[0], OV, h[2], T("t2"), h[1], T("t1"), h[3], T("t3"), h[4], PR, h[5], OT)
    secs, _ = assign_sections(doc)
    assert keys(secs) == ["overview", "requests", "active", "review_litigation", "problems", "other"]


def test_heading_out_of_order_rejected_when_text_disagrees():
    """A line inside 五 that looks like the missing 三 heading: the classifier reads the text under it
    as problems, so it is not taken as a heading."""
    h = STD
    doc = D(TITLE, PRE, h[0], OV, h[1], T("t1"), h[3], T("t3"), h[4], PR, "三、依申请公开情况",
            "下一步，我局将加强业务培训，进一步规范答复文书，提升依申请公开答复质量。", h[5], OT)
    secs, paras = assign_sections(doc)
    assert keys(secs) == ["overview", "active", "review_litigation", "problems", "other"]
    assert next(p for p in paras if p.text == "三、依申请公开情况").section == "problems"


def test_document_without_headings_or_tables():
    doc = D(TITLE, PRE, OV, "（一）主动公开。全年主动公开政府信息300条。", PR, OT, "青禾市交通运输局", "2024年1月20日")
    secs, paras = assign_sections(doc)
    assert secs == []
    assert [p.section for p in paras] == ["preamble", "preamble", "overview", "overview", "problems", "other",
                                          "other", "other"]
    assert all(p.method == "classifier" and 0 < p.confidence <= 1 for p in paras)
    # the smoothing is monotone: sections never go back
    order = [LABELS.index(p.section) for p in paras]
    assert order == sorted(order)


def test_without_model_rules_and_position_only():
    doc = D(TITLE, PRE, OV, h1 := "二、主动公开政府信息情况", T("t1"))
    _, paras = assign_sections(doc, model=None)
    assert [p.method for p in paras] == ["position"] * 3 + ["rule"]
    assert [p.section for p in paras] == ["preamble"] * 3 + ["active"] and paras[3].text == h1


def test_monotone_decode():
    import numpy as np

    lp = np.log(np.array([
        [.90, .02, .02, .02, .02, .01, .01],
        [.10, .80, .02, .02, .02, .02, .02],
        [.10, .10, .02, .70, .02, .03, .03],  # a stray "requests" paragraph
        [.02, .90, .02, .02, .02, .01, .01],
        [.01, .01, .01, .01, .01, .90, .05],
        [.01, .01, .01, .01, .01, .05, .90],
    ]))
    path, conf = C.monotone_decode(lp, 0, 6)
    assert [LABELS[i] for i in path] == ["preamble", "overview", "overview", "overview", "problems", "other"]
    assert all(0 < c <= 1 for c in conf)
    path, _ = C.monotone_decode(lp, 1, 3)  # restricted to overview..requests
    assert all(1 <= i <= 3 for i in path)


# ------------------------------------------------------------------------------------------------
# Gold corpus: accuracy with headings stripped


@pytest.fixture(scope="module")
def corpus_docs():
    return E.load_documents(ROOT / "corpus", CORPUS)  # the samples, and ../shared's gold when present


def test_rules_reproduce_gold_sections(corpus_docs):
    assert corpus_docs and all(d.ld.usable for d in corpus_docs), [d.ld.name for d in corpus_docs if not d.ld.usable]
    for d, have, want in E.section_results(corpus_docs):
        assert have == want, d.ld.name


@pytest.mark.shared
def test_stripped_headings_in_sample(corpus_docs):
    res = E.stripped_in_sample(corpus_docs)
    s = E.summarise(res)
    both = s["real+synthetic"]
    print(f"\nheadings stripped, committed model: {both['right']}/{both['total']} = {both['accuracy']:.4f}")
    assert both["total"] >= 250
    assert both["accuracy"] >= TARGET
    assert both["accuracy"] >= MEASURED_IN_SAMPLE - 0.005, [w for r in res for w in r.wrong]
    # harder: tables removed too (no anchors)
    s2 = E.summarise(E.stripped_in_sample(corpus_docs, tables=False))
    assert s2["real+synthetic"]["accuracy"] >= TARGET


@pytest.mark.shared
def test_stripped_headings_held_out(corpus_docs):
    """Leave one document out: every document is assigned by a model that never saw it."""
    res = E.stripped_held_out(corpus_docs)[True]
    s = E.summarise(res)
    both = s["real+synthetic"]
    print(f"\nheadings stripped, held out: real {s['real']['accuracy']:.4f}, synthetic {s['synthetic']['accuracy']:.4f},"
          f" together {both['right']}/{both['total']} = {both['accuracy']:.4f}")
    assert both["accuracy"] >= TARGET
    # a paragraph or two may move when the project's corpus/ samples are regenerated
    assert both["accuracy"] >= MEASURED_HELD_OUT - 0.01, [w for r in res for w in r.wrong]


# ------------------------------------------------------------------------------------------------
# Model: determinism, size, loading


def _train_cli(*args: str, env: dict | None = None) -> str:
    r = subprocess.run([PY, "-m", "extractor.cli", "train", *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=600, env={**os.environ, **(env or {})})
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


@pytest.mark.shared
def test_training_is_deterministic_and_leaves_the_committed_model_alone(tmp_path, corpus_docs):
    committed = C.describe(C.MODEL_DIR)
    a, b = tmp_path / "cache" / "xxgk" / "models" / "sections", tmp_path / "b"
    out = _train_cli(env={"XDG_CACHE_HOME": str(tmp_path / "cache")})  # no --out: the user's cache
    assert f"模型：{C.describe(a)}" in out
    _train_cli("--out", str(b))
    assert C.describe(C.MODEL_DIR) == committed
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    texts = [t for d in corpus_docs for t, _ in d.ld.examples]
    pa, pb = C.load(a).proba(texts), C.load(b).proba(texts)
    assert (pa == pb).all()
    info = json.loads((a / "training.json").read_text(encoding="utf-8"))
    assert all(d["group"] != "unlabelled" for d in info["documents"])
    assert {d["group"] for d in info["documents"]} >= {"real", "synthetic"}


def test_committed_model_size_and_labels():
    assert (C.MODEL_DIR / "config.cfg").is_file(), "run `xxgk train` and commit models/sections/"
    size = sum(f.stat().st_size for f in C.MODEL_DIR.rglob("*") if f.is_file())
    assert size < 10 * 1024 * 1024
    meta = json.loads((C.MODEL_DIR / "meta.json").read_text())
    assert meta["labels"]["textcat"] == list(LABELS)
    assert "torch" not in (C.MODEL_DIR / "config.cfg").read_text()


def test_model_is_cached_once_per_process():
    assert C.get_model() is C.get_model()
    m = C.get_model()
    assert m.predict(["本报告根据《中华人民共和国政府信息公开条例》编制。", "2023年，我局未收取信息处理费。"]) == [
        "preamble", "other"]


def test_classifier_words_keep_domain_terms():
    doc = C.get_model().nlp.make_doc("本年度依申请公开的政府信息公开申请未引起行政复议、行政诉讼，未收取信息处理费。")
    words = [t.text for t in doc]
    for w in ("依申请公开", "行政复议", "行政诉讼", "信息处理费"):
        assert w in words, words


# ------------------------------------------------------------------------------------------------
# jieba and import cost (fresh processes)


def _fresh(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(tmp_path))  # cold jieba cache: it would print "Building prefix dict…"
    return subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_jieba_keeps_terms_and_prints_nothing(tmp_path):
    r = _fresh("from extractor.segment import segment\n"
               "print(segment('2023年依申请公开的申请引起行政复议1件，未收取信息处理费，三安全一稳定'))\n"
               "from extractor.sections.classifier import get_model\n"
               "print(get_model().predict(['本报告根据条例编制。']))\n", tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    words = r.stdout.splitlines()[0].split()
    for w in ("依申请公开", "行政复议", "信息处理费", "三安全一稳定"):
        assert w in words, words


def test_cli_import_is_light_and_standard_documents_need_no_model(tmp_path):
    doc = ROOT / "corpus" / "sample-01-citydept-2023.docx"
    r = _fresh("import sys, extractor.cli\n"
               "print('spacy' in sys.modules, 'jieba' in sys.modules)\n"
               "from extractor.pipeline import extract\n"
               f"rep = extract({str(doc)!r})\n"
               "print('spacy' in sys.modules, len(rep.sections))\n", tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False", "False", "6"]


def test_eval_names_the_model_it_measured(tmp_path):
    r = subprocess.run([PY, "-m", "extractor.cli", "eval", "--shared", str(tmp_path / "none")], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"评估的模型：{C.describe(C.MODEL_DIR)}" in r.stdout
    assert "sha256 " in r.stdout and "6/6 份文档完全一致" in r.stdout
