"""Plain-text reader: one-cell-per-line tables rebuilt row by row."""
import json
from pathlib import Path

import pytest

from extractor.readers import text as reader

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
XINGTAI = CORPUS / "real" / "xingtai-gxj-2023.txt"
T3_KEYS = [f"t3.{g}.{r}" for g in ("review", "lit_direct", "lit_after_review")
           for r in ("upheld", "corrected", "other", "pending", "total")]


@pytest.fixture(scope="module")
def xingtai():
    return reader.read(XINGTAI)


@pytest.fixture(scope="module")
def gold():
    return json.loads((CORPUS / "gold" / "xingtai-gxj-2023.json").read_text(encoding="utf-8"))


@pytest.mark.shared
def test_three_tables_between_headings(xingtai, gold):
    assert xingtai.format == "txt"
    assert [(t.n_rows, t.n_cols) for t in xingtai.tables] == [(14, 4), (28, 10), (4, 15)]
    texts = [b.text if b.kind == "paragraph" else "<table>" for b in xingtai.blocks]
    headings = [s["heading"] for s in gold["sections"]]
    at = [texts.index(h) for h in headings]
    assert at == sorted(at)
    assert [texts[i + 1] for i in at[1:4]] == ["<table>"] * 3


@pytest.mark.shared
def test_t1_rows(xingtai):
    rows = [[c.text for c in r] for r in xingtai.tables[0].rows()]
    assert rows[0] == ["第二十条第（一）项"]
    assert rows[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert rows[-1] == ["行政事业性收费", "0"]


@pytest.mark.shared
def test_t2_wrapped_labels_and_empty_cells(xingtai, gold):
    rows = [[c.text for c in r] for r in xingtai.tables[1].rows()]
    assert rows[2][:4] == ["", "", "商业\n企业", "科研\n机构"]  # "企业" has no tab: it continues "商业"
    new = next(r for r in rows if r[0] == "一、本年新收政府信息公开申请数量")
    assert new[1:] == ["3", "0", "0", "0", "0", "0", "3"] and gold["cells"]["t2.new.total"] == 3
    other = next(r for r in rows if r[2:3] == ["3.其他"])
    assert other == ["", "", "3.其他", "2", "0", "0", "0", "0", "0", "2"]


@pytest.mark.shared
def test_t3_header_gap_and_data_row(xingtai, gold):
    rows = [[c.text for c in r] for r in xingtai.tables[2].rows()]
    assert rows[0] == ["行政复议", "行政诉讼"]
    assert rows[1][:2] == ["结果维持", "结果\n纠正"]
    assert rows[2][:6] == ["", "", "", "", "", "结果\n维持"]  # 5 empty tab cells, as the gold notes say
    assert rows[3] == [str(gold["cells"][k]) for k in T3_KEYS]


@pytest.mark.shared
def test_paragraphs(xingtai):
    texts = [b.text for b in xingtai.paragraphs]
    assert texts[:2] == ["邢台市工业和信息化局", "2023年政府信息公开工作年度报告"]
    assert texts[-3:] == ["邢台市工业和信息化局", "2024年1月25日", "1"]
    assert not any("[bookmark" in t for t in texts)
    assert any(t.startswith("（五）监督保障进一步强化") for t in texts)


@pytest.mark.shared
def test_gbk_copy_reads_the_same(tmp_path, xingtai):
    f = tmp_path / "gbk.txt"
    f.write_bytes(XINGTAI.read_text(encoding="utf-8").encode("gb18030"))
    doc = reader.read(f)
    assert [(b.kind, b.text) for b in doc.blocks] == [(b.kind, b.text) for b in xingtai.blocks]
    assert [t.text_rows() for t in doc.tables] == [t.text_rows() for t in xingtai.tables]
    assert not doc.warnings


def test_lone_indented_line_is_a_paragraph(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("\ufeff标题\n\t缩进的一段话\n\n正文\n", encoding="utf-8")
    doc = reader.read(f)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "标题"), ("paragraph", "缩进的一段话"), ("paragraph", "正文")]


def test_tab_indented_prose_is_not_a_table(tmp_path):
    prose = "本年度，我局认真贯彻落实《中华人民共和国政府信息公开条例》，" * 4
    f = tmp_path / "indented.txt"
    f.write_text(f"一、总体情况\n\t{prose}\n\n\t{prose}\n二、主动公开政府信息情况\n", encoding="utf-8")
    doc = reader.read(f)
    assert not doc.tables
    assert [b.text for b in doc.blocks] == ["一、总体情况", prose, prose, "二、主动公开政府信息情况"]
