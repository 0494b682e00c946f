"""N01–N04, T2-01…T2-06, T3-01…T3-03, T1-01…T1-04 on gold cells of real and synthetic reports."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from test_checks_support import Case, flags_of, from_gold, verify, with_cells  # noqa: E402


def xingtai(*paragraphs, **meta):
    """邢台市工信局 2023 (v2021): consistent tables, 3 natural-person applications, 行政复议 3."""
    return from_gold("xingtai-gxj-2023", paragraphs, **meta)


def pingtan(*paragraphs, **meta):
    """平潭 2024 (v2021): consistent tables with non-zero values everywhere."""
    return from_gold("pingtan-2024", paragraphs, **meta)


def shanghai(*paragraphs, **meta):
    """上海市政府办公厅 2019 (v2019): blank 总计 cells on every decision row."""
    return from_gold("shanghai-office-2019", paragraphs, **meta)


CASES = [
    # N01: integers ≥ 0; "/" is a printed zero; text with digits is info only
    Case("N01", "fail", lambda: with_cells(pingtan(), t2__new__natural_person=-1), "negative",
         cells=("t2.new.natural_person",)),
    Case("N01", "fail", lambda: with_cells(pingtan(), t2__new__total=12.5), "fraction", cells=("t2.new.total",)),
    Case("N01", "fail", lambda: with_cells(pingtan(), t3__review__total="3件"), "digits-in-text",
         severity="info", cells=("t3.review.total",)),
    Case("N01", "pass", pingtan, "decimal-fee"),
    Case("N01", "pass", lambda: from_gold("syn-03-provincedept-2025"), "slash-cells"),
    Case("N01", "pass", lambda: with_cells(shanghai(), t1__licensing__delta_items=-3), "signed-delta"),
    # N02: the blank 总计 cells of the Shanghai table
    Case("N02", "fail", shanghai, "shanghai-open", cells=("t2.open.total",)),
    Case("N02", "fail", lambda: with_cells(xingtai(), t3__review__total=None), "t3-blank-total",
         cells=("t3.review.total", "t3.review.upheld")),
    Case("N02", "pass", pingtan),
    # N03: an all-blank table
    Case("N03", "fail", lambda: with_cells(xingtai(), **{k.replace(".", "__"): None for k in xingtai().cells
                                                          if k.startswith("t3.")}), "t3-blank"),
    Case("N03", "pass", xingtai),
    # N04: the 万元 fee cell
    Case("N04", "fail", lambda: with_cells(xingtai(), t1__admin_fees__amount_wan="3200元"), "yuan-in-cell",
         cells=("t1.admin_fees.amount_wan",)),
    Case("N04", "fail", lambda: with_cells(xingtai(), t1__admin_fees__amount_wan=1.234567), "decimals"),
    Case("N04", "fail", lambda: with_cells(from_gold("syn-12-countydept-2024"), t1__admin_fees__amount_wan=25000),
         "county-department"),
    Case("N04", "pass", pingtan),
    # T2-01: row totals
    Case("T2-01", "fail", shanghai, "shanghai-open-blank-total",
         cells=("t2.open.natural_person", "t2.open.commercial", "t2.open.legal_service", "t2.open.other_org",
                "t2.open.total")),
    Case("T2-01", "fail", lambda: from_gold("syn-03-provincedept-2025"), "syn03-other-other",
         cells=("t2.other.other.total",)),
    Case("T2-01", "pass", pingtan),
    Case("T2-01", "pass", lambda: from_gold("huaian-hongze-2024"), "hybrid-single-other-row"),
    # T2-02: （七）总计 per column
    Case("T2-02", "fail", shanghai, "shanghai-total-column", cells=("t2.total_processed.total",)),
    Case("T2-02", "fail", lambda: from_gold("syn-03-provincedept-2025"), "syn03",
         cells=("t2.total_processed.total", "t2.other.other.total")),
    Case("T2-02", "pass", pingtan),
    Case("T2-02", "pass", lambda: from_gold("huaian-hongze-2023"), "hybrid-dec-uses-t2.other"),
    # T2-03: 新收 + 结转 = 总计 + 结转下年度
    Case("T2-03", "fail", lambda: from_gold("syn-08-citydept-2022"), "syn08-commercial",
         cells=("t2.new.commercial", "t2.carried_over.commercial", "t2.total_processed.commercial",
                "t2.carry_forward.commercial")),
    Case("T2-03", "pass", pingtan),
    Case("T2-03", "pass", lambda: from_gold("syn-05-districtgov-2021"), "with-carried-over"),
    # T2-04: added subtotals
    Case("T2-04", "fail", lambda: with_cells(from_gold("syn-05-districtgov-2021"), t2__deny___subtotal__total=99),
         "deny-subtotal", cells=("t2.deny._subtotal.total",)),
    Case("T2-04", "fail", lambda: with_cells(pingtan(), t2__new__legal_subtotal=5), "legal-subtotal-column",
         cells=("t2.new.legal_subtotal", "t2.new.commercial")),
    Case("T2-04", "pass", lambda: from_gold("syn-05-districtgov-2021"), "subtotals-consistent"),
    Case("T2-04", "pass", lambda: from_gold("syn-11-town-2019"), "v2019-subtotals"),
    # T2-05: unpaid-fee row needs fees in 六
    Case("T2-05", "fail", lambda: with_cells(pingtan(("other", "2024年，无其他需要报告的事项。")),
                                             t2__other__unpaid_fee__total=2),
         "no-fee-in-six", cells=("t2.other.unpaid_fee.total",)),
    Case("T2-05", "pass", lambda: from_gold("syn-04-districtgov-2022", (
        ("other", "依据《政府信息公开信息处理费管理办法》，本年度区政府共发出信息处理费收费通知 3 份，其中 2 件因申请人"
                  "逾期未缴纳费用不再处理，实际收取信息处理费 100 元。"),)), "syn04"),
    Case("T2-05", "pass", lambda: xingtai(("other", "2023年，未出现因依申请公开引起的行政复议、行政诉讼等情况。")),
         "unpaid-zero"),
    # T2-06: decisions without applications (info)
    Case("T2-06", "fail", lambda: with_cells(xingtai(), t2__new__natural_person=0, t2__new__total=0), "no-new",
         severity="info"),
    Case("T2-06", "pass", xingtai),
    # T3-01: group totals (洪泽 2023 prints 10 1 0 0 | 0 and 5 0 0 0 | 0)
    Case("T3-01", "fail", lambda: from_gold("huaian-hongze-2023"), "hongze-review",
         cells=("t3.review.upheld", "t3.review.corrected", "t3.review.total")),
    Case("T3-01", "fail", lambda: from_gold("huaian-hongze-2023"), "hongze-after-review",
         cells=("t3.lit_after_review.upheld", "t3.lit_after_review.total")),
    Case("T3-01", "fail", lambda: from_gold("syn-02-street-2020"), "syn02", cells=("t3.review.total",)),
    Case("T3-01", "pass", xingtai),
    Case("T3-01", "pass", shanghai, "blank-parts-count-as-zero"),
    # T3-02 / T3-03: info only
    Case("T3-02", "fail", lambda: with_cells(xingtai(), t3__review__upheld=0, t3__review__total=0,
                                             t3__lit_after_review__upheld=1, t3__lit_after_review__total=1),
         "after-review-without-review", severity="info"),
    Case("T3-02", "pass", pingtan),
    Case("T3-03", "fail", lambda: from_gold("syn-12-countydept-2024"), "review-without-applications",
         severity="info", cells=("t3.review.total",)),
    Case("T3-03", "pass", xingtai),
    # T1-01…T1-04
    Case("T1-01", "fail", lambda: with_cells(xingtai(), t1__normative_docs__made=10, t1__normative_docs__valid=4),
         "made-10-valid-4", cells=("t1.normative_docs.valid", "t1.normative_docs.made")),
    Case("T1-01", "pass", pingtan),
    Case("T1-02", "fail", lambda: with_cells(xingtai(), t1__normative_docs__made=2, t1__normative_docs__repealed=2),
         "all-repealed", cells=("t1.normative_docs.valid",)),
    Case("T1-02", "pass", pingtan),
    Case("T1-03", "fail", lambda: with_cells(shanghai(), t1__normative_docs__total_published=40),
         "published-below-new", cells=("t1.normative_docs.total_published", "t1.normative_docs.new_published")),
    Case("T1-03", "pass", shanghai),
    Case("T1-04", "fail", lambda: with_cells(shanghai(), t1__licensing__prev_items=2, t1__licensing__delta_items=-5),
         "negative-stock", cells=("t1.licensing.prev_items", "t1.licensing.delta_items")),
    Case("T1-04", "pass", lambda: from_gold("syn-09-provincedept-2019"), "signed-deltas"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    verify(case)


def test_blank_total_message_names_row_sum_and_blank():
    messages = [f.message for f in flags_of(shanghai(), "T2-01")]
    assert "T2-01 （一）予以公开：各申请人列之和为272，但总计栏为空（按0计）" in messages


def test_t2_01_runs_once_per_printed_row():
    # 25 rows in v2021; the hybrid 洪泽 table prints 23 (one （六）其他处理 row); v2019 prints 23
    def rows(report):
        return {k.rsplit(".", 1)[0] for k in report.cells if k.startswith("t2.") and k.endswith(".total")}
    assert len(rows(pingtan())) == 25
    assert len(rows(from_gold("huaian-hongze-2023"))) == 23
    broken = with_cells(pingtan(), **{f"t2__{r.split('.', 1)[1].replace('.', '__')}__total": 10_000
                                      for r in rows(pingtan())})
    flagged = flags_of(broken, "T2-01")
    assert len(flagged) == 25
    assert len({f.message.split("：")[0] for f in flagged}) == 25  # each instance names its row


def test_flag_cells_carry_labels_and_page():
    report = from_gold("huaian-hongze-2023")
    for c in report.cells.values():
        c.page = 4
    flag = flags_of(report, "T3-01")[0]
    assert flag.page == 4
    assert flag.cells[0].key == "t3.review.total" and flag.cells[0].row_label == "行政复议"
