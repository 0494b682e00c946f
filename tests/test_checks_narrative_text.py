"""extractor.narrative: numerals, sentences, clauses, negation scope and stated counts."""
from __future__ import annotations

import re

import pytest

from extractor.narrative import (ClaimPattern, Sentence, clauses, cn_to_int, find_claims, find_numbers, negations,
                                 normalize, sentences)
from extractor.report import Paragraph


@pytest.mark.parametrize("text,value", [("三件", 3), ("十二件", 12), ("两件", 2), ("一百零五件", 105), ("3,119件", 3119),
                                        ("3119 件", 3119), ("零件", 0), ("二十件", 20), ("３件", 3), ("3.2万件", 32000)])
def test_counts(text, value):
    (n,) = find_numbers(normalize(text))
    assert n.value == value and n.is_count


@pytest.mark.parametrize("text", ["国办公开办函〔2021〕30号", "第二十条第（一）项", "第一项加第二项之和", "2023年", "5500余条",
                                  "统一件", "ISO9001项"])
def test_not_counts(text):
    assert not [n for n in find_numbers(normalize(text)) if n.is_count]


def test_money_percent_and_approximation():
    money, percent = find_numbers("收取信息处理费6万元，占33.9%")
    assert (money.value, money.unit, money.is_money) == (6, "万元", True)
    assert (percent.value, percent.unit) == (33.9, "%")
    assert find_numbers("约30件")[0].approx


def test_cn_to_int():
    assert cn_to_int("三千零二十") == 3020 and cn_to_int("十") == 10 and cn_to_int("件") is None


def test_sentences_join_wrapped_lines_and_skip_headings():
    paras = [Paragraph(0, "一、总体情况", is_heading=True),
             Paragraph(1, "2023 年全区受理政府信息公开申请 21 件，\n均在法定期限答复。其他。", section="overview", page=2)]
    ss = sentences(paras)
    assert [s.text for s in ss] == ["2023年全区受理政府信息公开申请21件，均在法定期限答复。", "其他。"]
    assert ss[0].page == 2 and ss[0].section == "overview"


def _clauses(text):
    return clauses(Sentence(normalize(text), "overview", None))


def test_clauses_split_at_commas_and_brackets_not_at_enumeration():
    parts = [c.text for c in _clauses("答复3050件（含上年度结转申请34件，另有103件顺延到下年度答复），均已答复。")]
    assert parts == ["答复3050件", "含上年度结转申请34件", "另有103件顺延到下年度答复", "均已答复。"]
    assert [c.text for c in _clauses("未出现因依申请公开引起的行政复议、行政诉讼等情况。")] == \
        ["未出现因依申请公开引起的行政复议、行政诉讼等情况。"]


CUE, AFTER, CONTRAST = re.compile("未|没有|无(?!法)"), re.compile("(?:均)?为(?:零|0)$"), re.compile("但|而")


def _negations(text):
    return [n for c in _clauses(text) for n in negations(c, CUE, AFTER, CONTRAST)]


def test_negation_scope_is_its_clause_and_object():
    (neg,) = _negations("本年度未收到法人申请，收到自然人申请3件。")
    assert (neg.subject, neg.span) == ("本年度", "收到法人申请")
    (neg,) = _negations("未出现因依申请公开引起的行政复议、行政诉讼等情况。")
    assert neg.span.startswith("出现因依申请公开引起的行政复议")
    assert neg.near(neg.span.index("行政复议"), neg.span.index("行政复议") + 4, 20)
    (neg,) = _negations("未收到法人申请但收到自然人申请")
    assert neg.span == "收到法人申请"
    (neg,) = _negations("全年因政府信息公开引发的行政复议案件数量均为零。")
    assert neg.trailing and neg.span.endswith("案件数量")
    assert not _negations("无法提供265件")


PATTERNS = [ClaimPattern(re.compile("(?:收到|受理)(?:政府信息公开|依法)*申请"), ("received",), False, None),
            ClaimPattern(re.compile("结转下年度|顺延到下年度"), ("carried_forward",), False,
                         re.compile("(?:申请)?(?:按照《[^》]{1,12}》)?"))]
GAP = re.compile("(?:共|计|为)*")


def _claims(text):
    return [(c.kinds, c.value) for cl in _clauses(text) for c in find_claims(cl, PATTERNS, GAP)]


def test_stated_counts():
    assert _claims("全年共收到政府信息公开申请32件，同比增长9件，办结32件") == [(("received",), 32)]
    assert _claims("收到申请同比增长3件") == []
    assert _claims("另有72件申请按照《条例》顺延到下年度答复") == [(("carried_forward",), 72)]
    assert _claims("共收到依法申请3件") == [(("received",), 3)]
    assert _claims("收到申请约30件") == []
