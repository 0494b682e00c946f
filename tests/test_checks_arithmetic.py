"""N01–N04, T2-01…T2-06, T3-01…T3-03, T1-01…T1-04 on gold cells: the project's samples and reports
samplegen writes at test time (always run), and the real and synthetic reports of ../shared."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from test_checks_support import (Case, flags_of, from_gold, from_spec, sample, samplegen,  # noqa: E402
                                 single_other_row, spec_gold, verify, with_cells, with_subtotals)


# ----------------------------------------------------------------------------- the project's samples

def jiaotong(*paragraphs, **meta):
    """青禾市交通运输局 2023 (sample-01, v2021): consistent tables, 29 new + 1 carried-over
    natural-person applications, 1 carried forward, t3 all 0, fee 193.46万元."""
    return sample(1, *paragraphs, **meta)


def yunling(*paragraphs, **meta):
    """云岭县人民政府 2020 (sample-02, v2019): consistent tables whose zero cells print blank;
    本年增/减 signed (行政处罚 −5)."""
    return sample(2, *paragraphs, **meta)


def tongwan(*paragraphs, **meta):
    """青禾市桐湾区人民政府 2022 (sample-03, v2021): 行政复议 1 + 1 + 1 = 3, 纠正 and every
    litigation cell print “/”."""
    return sample(3, *paragraphs, **meta)


def scj(*paragraphs, **meta):
    """云岭县市场监督管理局 2021 (sample-04, v2021): planted defect, the 本机关不掌握 总计 prints 7 for
    6 + 0…; no 行政复议 but 1 复议后起诉; a county department's fee of 299.8万元."""
    return sample(4, *paragraphs, **meta)


def qinghe(*paragraphs, **meta):
    """青禾市人民政府 2023 (sample-05, v2021): 4 applications not processed for an unpaid fee."""
    return sample(5, *paragraphs, **meta)


def without_applications(report):
    """No new and no carried-over applications in any column (decisions left as printed)."""
    return with_cells(report, **{f"t2__{row}__{col}": 0 for row in ("new", "carried_over") for col in (
        "natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")})


# Reports samplegen writes at test time with a planted defect; the gold it returns names the cells.
GEN_T2_01 = {"issuer": "雁汀县教育局", "year": 2022, "format": "docx", "seed": 41, "defects": ["T2-01"]}
GEN_T2_03 = {"issuer": "栖梧市民政局", "year": 2019, "format": "html", "seed": 42, "defects": ["T2-03"]}
GEN_T3_01 = {"issuer": "栖梧市人民政府", "year": 2024, "format": "html", "seed": 43, "defects": ["T3-01"]}


def planted_cells(spec: dict, check: str) -> tuple[str, ...]:
    """The cells of the first flag the generated gold expects from `check` that print a number
    other than 0 (a flag names the cells that make up the difference)."""
    gold = spec_gold(spec)
    expected = next(f for f in gold["expected_flags"] if f["check"] == check)
    return tuple(k for k in expected["cells"] if samplegen.num(gold["cells"][k]))


# ----------------------------------------------------------------------------- ../shared (real reports)

def xingtai(*paragraphs, **meta):
    """邢台市工信局 2023 (v2021): consistent tables, 3 natural-person applications, 行政复议 3."""
    return from_gold("xingtai-gxj-2023", paragraphs, **meta)


def pingtan(*paragraphs, **meta):
    """平潭 2024 (v2021): consistent tables with non-zero values everywhere."""
    return from_gold("pingtan-2024", paragraphs, **meta)


def shanghai(*paragraphs, **meta):
    """上海市政府办公厅 2019 (v2019): blank 总计 cells on every decision row."""
    return from_gold("shanghai-office-2019", paragraphs, **meta)


NO_FEE_SIX = "2023年，无其他需要报告的事项。"
QINGHE_SIX = ("依据《政府信息公开信息处理费管理办法》，2023年市政府共收取信息处理费380元。市政府对照2023年政务公开工作要点"
              "逐项抓好落实，人大代表建议和政协提案办理结果按规定予以公开。")

CASES = [
    # N01: integers ≥ 0; "/" is a printed zero; text with digits is info only
    Case("N01", "fail", lambda: with_cells(jiaotong(), t2__new__natural_person=-1), "sample-negative",
         cells=("t2.new.natural_person",)),
    Case("N01", "fail", lambda: with_cells(jiaotong(), t2__new__total=29.5), "sample-fraction",
         cells=("t2.new.total",)),
    Case("N01", "fail", lambda: with_cells(tongwan(), t3__review__total="3件"), "sample-digits-in-text",
         severity="info", cells=("t3.review.total",)),
    Case("N01", "pass", jiaotong, "sample-decimal-fee"),
    Case("N01", "pass", tongwan, "sample-slash-cells"),
    Case("N01", "pass", yunling, "sample-signed-delta-and-fee-with-unit"),
    Case("N01", "fail", lambda: with_cells(pingtan(), t2__new__natural_person=-1), "negative",
         cells=("t2.new.natural_person",)),
    Case("N01", "fail", lambda: with_cells(pingtan(), t2__new__total=12.5), "fraction", cells=("t2.new.total",)),
    Case("N01", "fail", lambda: with_cells(pingtan(), t3__review__total="3件"), "digits-in-text",
         severity="info", cells=("t3.review.total",)),
    Case("N01", "pass", pingtan, "decimal-fee"),
    Case("N01", "pass", lambda: from_gold("syn-03-provincedept-2025"), "slash-cells"),
    Case("N01", "pass", lambda: with_cells(shanghai(), t1__licensing__delta_items=-3), "signed-delta"),
    # N02: a blank 总计 whose parts add up to more than 0
    Case("N02", "fail", lambda: with_cells(jiaotong(), t2__open__total=None), "sample-open-blank",
         cells=("t2.open.total", "t2.open.natural_person")),
    Case("N02", "fail", lambda: with_cells(tongwan(), t3__review__total=None), "sample-t3-blank-total",
         cells=("t3.review.total", "t3.review.upheld")),
    Case("N02", "pass", yunling, "sample-blank-zero-rows"),
    Case("N02", "fail", shanghai, "shanghai-open", cells=("t2.open.total",)),
    Case("N02", "fail", lambda: with_cells(xingtai(), t3__review__total=None), "t3-blank-total",
         cells=("t3.review.total", "t3.review.upheld")),
    Case("N02", "pass", pingtan),
    # N03: an all-blank table (all 0 is not blank)
    Case("N03", "fail", lambda: with_cells(jiaotong(), **{k.replace(".", "__"): None for k in jiaotong().cells
                                                           if k.startswith("t3.")}), "sample-t3-blank"),
    Case("N03", "pass", jiaotong, "sample-t3-all-zero"),
    Case("N03", "pass", yunling, "sample-t2-mostly-blank"),
    Case("N03", "fail", lambda: with_cells(xingtai(), **{k.replace(".", "__"): None for k in xingtai().cells
                                                          if k.startswith("t3.")}), "t3-blank"),
    Case("N03", "pass", xingtai),
    # N04: the 万元 fee cell
    Case("N04", "fail", lambda: with_cells(jiaotong(), t1__admin_fees__amount_wan="3200元"), "sample-yuan-in-cell",
         cells=("t1.admin_fees.amount_wan",)),
    Case("N04", "fail", lambda: with_cells(jiaotong(), t1__admin_fees__amount_wan=1.234567), "sample-decimals"),
    Case("N04", "fail", lambda: with_cells(scj(), t1__admin_fees__amount_wan=25000), "sample-county-department",
         cells=("t1.admin_fees.amount_wan",)),
    Case("N04", "pass", jiaotong, "sample-city-department"),
    Case("N04", "pass", scj, "sample-county-department-below-limit"),
    Case("N04", "pass", lambda: with_cells(tongwan(), t1__admin_fees__amount_wan=25000), "sample-district-government"),
    Case("N04", "fail", lambda: with_cells(xingtai(), t1__admin_fees__amount_wan="3200元"), "yuan-in-cell",
         cells=("t1.admin_fees.amount_wan",)),
    Case("N04", "fail", lambda: with_cells(xingtai(), t1__admin_fees__amount_wan=1.234567), "decimals"),
    Case("N04", "fail", lambda: with_cells(from_gold("syn-12-countydept-2024"), t1__admin_fees__amount_wan=25000),
         "county-department"),
    Case("N04", "pass", pingtan),
    # T2-01: row totals
    Case("T2-01", "fail", scj, "sample-04-planted",
         cells=("t2.unable.not_held.natural_person", "t2.unable.not_held.total")),
    Case("T2-01", "fail", lambda: with_cells(yunling(), t2__open__total=None), "sample-blank-total",
         cells=("t2.open.natural_person", "t2.open.total")),
    Case("T2-01", "fail", lambda: from_spec(GEN_T2_01), "generated", cells=planted_cells(GEN_T2_01, "T2-01")),
    Case("T2-01", "pass", jiaotong, "sample"),
    Case("T2-01", "pass", yunling, "sample-v2019-blank-zeros"),
    Case("T2-01", "pass", lambda: single_other_row(jiaotong()), "sample-single-other-row"),
    Case("T2-01", "fail", shanghai, "shanghai-open-blank-total",
         cells=("t2.open.natural_person", "t2.open.commercial", "t2.open.legal_service", "t2.open.other_org",
                "t2.open.total")),
    Case("T2-01", "fail", lambda: from_gold("syn-03-provincedept-2025"), "syn03-other-other",
         cells=("t2.other.other.total",)),
    Case("T2-01", "pass", pingtan),
    Case("T2-01", "pass", lambda: from_gold("huaian-hongze-2024"), "hybrid-single-other-row"),
    # T2-02: （七）总计 per column
    Case("T2-02", "fail", scj, "sample-04-planted", cells=("t2.total_processed.total", "t2.unable.not_held.total")),
    Case("T2-02", "fail", lambda: from_spec(GEN_T2_01), "generated", cells=planted_cells(GEN_T2_01, "T2-02")),
    Case("T2-02", "pass", jiaotong, "sample"),
    Case("T2-02", "pass", lambda: single_other_row(qinghe()), "sample-dec-uses-t2.other"),
    Case("T2-02", "fail", shanghai, "shanghai-total-column", cells=("t2.total_processed.total",)),
    Case("T2-02", "fail", lambda: from_gold("syn-03-provincedept-2025"), "syn03",
         cells=("t2.total_processed.total", "t2.other.other.total")),
    Case("T2-02", "pass", pingtan),
    Case("T2-02", "pass", lambda: from_gold("huaian-hongze-2023"), "hybrid-dec-uses-t2.other"),
    # T2-03: 新收 + 结转 = 总计 + 结转下年度
    Case("T2-03", "fail", lambda: with_cells(jiaotong(), t2__carry_forward__natural_person=3,
                                             t2__carry_forward__total=3), "sample-carry-forward",
         cells=("t2.new.natural_person", "t2.carried_over.natural_person", "t2.total_processed.natural_person",
                "t2.carry_forward.natural_person")),
    Case("T2-03", "fail", lambda: from_spec(GEN_T2_03), "generated-v2019", cells=planted_cells(GEN_T2_03, "T2-03")),
    Case("T2-03", "pass", jiaotong, "sample-carried-over-and-forward"),
    Case("T2-03", "pass", yunling, "sample-blank-carry-forward"),
    Case("T2-03", "fail", lambda: from_gold("syn-08-citydept-2022"), "syn08-commercial",
         cells=("t2.new.commercial", "t2.carried_over.commercial", "t2.total_processed.commercial",
                "t2.carry_forward.commercial")),
    Case("T2-03", "pass", pingtan),
    Case("T2-03", "pass", lambda: from_gold("syn-05-districtgov-2021"), "with-carried-over"),
    # T2-04: added subtotals
    Case("T2-04", "fail", lambda: with_cells(with_subtotals(tongwan()), t2__deny___subtotal__total=99),
         "sample-deny-subtotal", cells=("t2.deny._subtotal.total",)),
    Case("T2-04", "fail", lambda: with_cells(with_subtotals(tongwan()), t2__new__legal_subtotal=5),
         "sample-legal-subtotal-column", cells=("t2.new.legal_subtotal", "t2.new.commercial")),
    Case("T2-04", "pass", lambda: with_subtotals(tongwan()), "sample-subtotals-consistent"),
    Case("T2-04", "pass", lambda: with_subtotals(yunling()), "sample-v2019-subtotals"),
    Case("T2-04", "fail", lambda: with_cells(from_gold("syn-05-districtgov-2021"), t2__deny___subtotal__total=99),
         "deny-subtotal", cells=("t2.deny._subtotal.total",)),
    Case("T2-04", "fail", lambda: with_cells(pingtan(), t2__new__legal_subtotal=5), "legal-subtotal-column",
         cells=("t2.new.legal_subtotal", "t2.new.commercial")),
    Case("T2-04", "pass", lambda: from_gold("syn-05-districtgov-2021"), "subtotals-consistent"),
    Case("T2-04", "pass", lambda: from_gold("syn-11-town-2019"), "v2019-subtotals"),
    # T2-05: unpaid-fee row needs fees in 六
    Case("T2-05", "fail", lambda: qinghe(("other", NO_FEE_SIX)), "sample-no-fee-in-six",
         cells=("t2.other.unpaid_fee.total",)),
    Case("T2-05", "pass", lambda: qinghe(("other", QINGHE_SIX)), "sample-380-yuan"),
    Case("T2-05", "pass", lambda: jiaotong(("other", NO_FEE_SIX)), "sample-unpaid-zero"),
    Case("T2-05", "fail", lambda: with_cells(pingtan(("other", "2024年，无其他需要报告的事项。")),
                                             t2__other__unpaid_fee__total=2),
         "no-fee-in-six", cells=("t2.other.unpaid_fee.total",)),
    Case("T2-05", "pass", lambda: from_gold("syn-04-districtgov-2022", (
        ("other", "依据《政府信息公开信息处理费管理办法》，本年度区政府共发出信息处理费收费通知 3 份，其中 2 件因申请人"
                  "逾期未缴纳费用不再处理，实际收取信息处理费 100 元。"),)), "syn04"),
    Case("T2-05", "pass", lambda: xingtai(("other", "2023年，未出现因依申请公开引起的行政复议、行政诉讼等情况。")),
         "unpaid-zero"),
    # T2-06: decisions without applications (info)
    Case("T2-06", "fail", lambda: without_applications(jiaotong()), "sample-no-applications", severity="info"),
    Case("T2-06", "pass", jiaotong, "sample"),
    Case("T2-06", "pass", lambda: with_cells(jiaotong(), t2__new__natural_person=0, t2__new__total=0),
         "sample-carried-over-only"),
    Case("T2-06", "fail", lambda: with_cells(xingtai(), t2__new__natural_person=0, t2__new__total=0), "no-new",
         severity="info"),
    Case("T2-06", "pass", xingtai),
    # T3-01: group totals
    Case("T3-01", "fail", lambda: with_cells(tongwan(), t3__review__total=4), "sample-review",
         cells=("t3.review.upheld", "t3.review.other", "t3.review.pending", "t3.review.total")),
    Case("T3-01", "fail", lambda: from_spec(GEN_T3_01), "generated", cells=planted_cells(GEN_T3_01, "T3-01")),
    Case("T3-01", "pass", tongwan, "sample-slash-parts-count-as-zero"),
    Case("T3-01", "pass", scj, "sample-litigation"),
    Case("T3-01", "fail", lambda: from_gold("huaian-hongze-2023"), "hongze-review",  # prints 10 1 0 0 | 0
         cells=("t3.review.upheld", "t3.review.corrected", "t3.review.total")),
    Case("T3-01", "fail", lambda: from_gold("huaian-hongze-2023"), "hongze-after-review",  # prints 5 0 0 0 | 0
         cells=("t3.lit_after_review.upheld", "t3.lit_after_review.total")),
    Case("T3-01", "fail", lambda: from_gold("syn-02-street-2020"), "syn02", cells=("t3.review.total",)),
    Case("T3-01", "pass", xingtai),
    Case("T3-01", "pass", shanghai, "blank-parts-count-as-zero"),
    # T3-02 / T3-03: info only
    Case("T3-02", "fail", scj, "sample-04-after-review-without-review", severity="info"),
    Case("T3-02", "pass", tongwan, "sample-review-only"),
    Case("T3-02", "fail", lambda: with_cells(xingtai(), t3__review__upheld=0, t3__review__total=0,
                                             t3__lit_after_review__upheld=1, t3__lit_after_review__total=1),
         "after-review-without-review", severity="info"),
    Case("T3-02", "pass", pingtan),
    Case("T3-03", "fail", lambda: without_applications(tongwan()), "sample-review-without-applications",
         severity="info", cells=("t3.review.total",)),
    Case("T3-03", "pass", tongwan, "sample"),
    Case("T3-03", "pass", lambda: without_applications(jiaotong()), "sample-no-cases-either"),
    Case("T3-03", "fail", lambda: from_gold("syn-12-countydept-2024"), "review-without-applications",
         severity="info", cells=("t3.review.total",)),
    Case("T3-03", "pass", xingtai),
    # T1-01…T1-04
    Case("T1-01", "fail", lambda: with_cells(jiaotong(), t1__normative_docs__made=10, t1__normative_docs__valid=4),
         "sample-made-10-valid-4", cells=("t1.normative_docs.valid", "t1.normative_docs.made")),
    Case("T1-01", "pass", jiaotong, "sample"),
    Case("T1-01", "pass", scj, "sample-slash-flow-cells"),
    Case("T1-01", "fail", lambda: with_cells(xingtai(), t1__normative_docs__made=10, t1__normative_docs__valid=4),
         "made-10-valid-4", cells=("t1.normative_docs.valid", "t1.normative_docs.made")),
    Case("T1-01", "pass", pingtan),
    Case("T1-02", "fail", lambda: with_cells(jiaotong(), t1__normative_docs__made=2, t1__normative_docs__repealed=2,
                                             t1__normative_docs__valid=0), "sample-all-repealed",
         cells=("t1.normative_docs.valid",)),
    Case("T1-02", "pass", jiaotong, "sample"),
    Case("T1-02", "pass", tongwan, "sample-no-regulations-made"),
    Case("T1-02", "fail", lambda: with_cells(xingtai(), t1__normative_docs__made=2, t1__normative_docs__repealed=2),
         "all-repealed", cells=("t1.normative_docs.valid",)),
    Case("T1-02", "pass", pingtan),
    Case("T1-03", "fail", lambda: with_cells(yunling(), t1__normative_docs__total_published=10),
         "sample-published-below-new", cells=("t1.normative_docs.total_published",
                                              "t1.normative_docs.new_published")),
    Case("T1-03", "pass", yunling, "sample"),
    Case("T1-03", "fail", lambda: with_cells(shanghai(), t1__normative_docs__total_published=40),
         "published-below-new", cells=("t1.normative_docs.total_published", "t1.normative_docs.new_published")),
    Case("T1-03", "pass", shanghai),
    Case("T1-04", "fail", lambda: with_cells(yunling(), t1__penalty__prev_items=3), "sample-negative-stock",
         cells=("t1.penalty.prev_items", "t1.penalty.delta_items")),
    Case("T1-04", "pass", yunling, "sample-signed-deltas"),
    Case("T1-04", "fail", lambda: with_cells(shanghai(), t1__licensing__prev_items=2, t1__licensing__delta_items=-5),
         "negative-stock", cells=("t1.licensing.prev_items", "t1.licensing.delta_items")),
    Case("T1-04", "pass", lambda: from_gold("syn-09-provincedept-2019"), "signed-deltas"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    verify(case)


def test_blank_total_message_names_row_sum_and_blank():
    messages = [f.message for f in flags_of(with_cells(jiaotong(), t2__open__total=None), "T2-01")]
    assert messages == ["T2-01 （一）予以公开：各申请人列之和为9，但总计栏为空（按0计）"]


def test_blank_total_message_on_shanghai():
    messages = [f.message for f in flags_of(shanghai(), "T2-01")]
    assert "T2-01 （一）予以公开：各申请人列之和为272，但总计栏为空（按0计）" in messages


def _rows(report):
    return {k.rsplit(".", 1)[0] for k in report.cells if k.startswith("t2.") and k.endswith(".total")}


def test_t2_01_runs_once_per_printed_row():
    # 25 rows in v2021; a v2021 table with the single （六）其他处理 row prints 23; v2019 prints 23
    assert len(_rows(jiaotong())) == 25
    assert len(_rows(single_other_row(jiaotong()))) == 23
    assert len(_rows(yunling())) == 23
    for report in (jiaotong(), single_other_row(jiaotong()), yunling()):
        n = len(_rows(report))
        broken = with_cells(report, **{f"t2__{r.split('.', 1)[1].replace('.', '__')}__total": 10_000
                                       for r in _rows(report)})
        flagged = flags_of(broken, "T2-01")
        assert len(flagged) == n
        assert len({f.message.split("：")[0] for f in flagged}) == n  # each instance names its row


def test_t2_01_on_the_real_hybrid_table():
    """洪泽 2023 prints its v2021 table with one （六）其他处理 row: 23 rows, each checked once."""
    hongze = from_gold("huaian-hongze-2023")
    assert len(_rows(hongze)) == 23
    broken = with_cells(hongze, **{f"t2__{r.split('.', 1)[1].replace('.', '__')}__total": 10_000 for r in _rows(hongze)})
    assert len(flags_of(broken, "T2-01")) == 23


def test_flag_cells_carry_labels_and_page():
    report = with_cells(tongwan(), t3__review__total=4)
    for c in report.cells.values():
        c.page = 4
    (flag,) = flags_of(report, "T3-01")
    assert flag.page == 4
    assert flag.cells[0].key == "t3.review.total" and flag.cells[0].row_label == "行政复议"
    assert flag.message == "T3-01 行政复议：结果维持1 + 结果纠正“/” + 其他结果1 + 尚未审结1 = 3，但总计为4"
