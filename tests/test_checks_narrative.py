"""R01–R14: sentences printed by the corpus documents against their gold cells, plus the traps
that must not flag."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from test_checks_support import Case, flags_of, from_gold, verify, with_cells  # noqa: E402

# Sentences as the documents print them (PDF text keeps its spaces around numbers).
XINGTAI_REQUESTS = ("（二）规范依申请公开。认真落实《河北省政府信息公开申请办理规范》，局网站开设了依申请公开栏目及网络、"
                    "信函、当面申请等渠道，保证各渠道畅通。截至目前，我局共收到依法申请3件，均按照法定程序，在规定时限内进行"
                    "了回复，确保回复的及时性、规范性。")
XINGTAI_SIX = "2023年，未出现因依申请公开引起的行政复议、行政诉讼等情况。"
HUAIAN_CITY = ("2024 年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度\n"
               "答复），均在法定期限内予以答复。政府信息公开行政复议 351\n件，其中结果维持 72 件，结果纠正 64 件，其他结果 178 件，"
               "尚\n未审结 37 件；政府信息公开行政诉讼 46 件，其中结果维持 25\n件，结果纠正 5 件，其他结果 9 件，尚未审结 7 件。")
HONGZE_2024 = "2024 年，区政府办代表区政府受理政府\n信息公开申请 17 件，均已在法定期限内予以答复。"
SYN09 = "（二）依申请公开方面。畅通网络、信函、当面等申请渠\n道，2019 年我厅收到申请 19 件，均在法定期限内依法作出答\n复。"
SYN01 = ("（二）规范依申请公开。进一步规范依申请公开办理程序，完善会商研判机制，全年共收到政府信息公开申请32件，同比增长9件，"
         "办结32件，均在法定期限内依法依规作出答复。在《政务公开工作简报》第9期刊发依申请公开办理典型案例，以案释法提升办理水平。")
SYN02 = "本年度未收到法人或其他组织提出的政府信息公开申请，申请人均为自然人。"
SYN08 = "本年度我局未发生因政府信息公开引起的行政复议、行政诉讼案件。"
SYN08_REQUESTS = "2022年共受理依申请公开30件，办结26件，结转下年度继续办理1件，均在法定期限内依法依规作出答复。"
SYN10 = "全年共收到政府信息公开申请31件，较上年减少3件，结转下年度继续办理1件，均在法定期限内依法依规作出答复。"
SYN03_FOUR = "全年因政府信息公开引发的行政复议、行政诉讼案件数量均为零。"
SHANGHAI = ("市政府办公厅代表市政府共受理政府信息公开申请859件，申请数量较去年回落12.3%；答复政府信息公开申请805件（含上年度"
            "结转申请18件，另有72件申请按照《条例》顺延到下年度答复），均在法定期限内予以答复。予以公开及部分公开258件，占33.9%；"
            "不予公开35件，占4.34%；因本机关不掌握等原因无法提供265件，占32.9%；不予处理158件，占19.6%；其他处理0件。"
            "信息公开类行政复议7件，诉讼9件，均获维持，继续保持了省级政府零败诉的记录，维护了市政府依法行政、公开透明的良好形象。")
SYN06_SIX = "2024年，市政府因政府信息公开工作被申请行政复议223件、被提起行政诉讼93件，具体情况见下表。"
SYN04_FEE = ("依据《政府信息公开信息处理费管理办法》，本年度区政府共发出信息处理费收费通知 3 份，其中 2 件因申请人逾期未\n"
             "缴纳费用不再处理，实际收取信息处理费 100 元。")
SYN07_FEE = ("依据《政府信息公开信息处理费管理办法》，本年度市政府共发出信息处理费收费通知3份，其中3件因申请人逾期未缴纳费用不再"
             "处理，实际收取信息处理费0元。")
PINGTAN = ("动态更新发布本年度制发行政规范性文件62件，并同步做好全真版上传等工作，确保行政规范性文件库数据准确、规范统一。",
           "全年办理政府信息公开申请218件。")


def gold(stem, *paragraphs, **cells):
    return with_cells(from_gold(stem, paragraphs), **cells)


CASES = [
    # R01 stated received
    Case("R01", "fail", lambda: gold("syn-09-provincedept-2019", ("overview", SYN09)), "syn09",
         cells=("t2.new.total",), quote="2019年我厅收到申请19件"),
    Case("R01", "fail", lambda: gold("huaian-hongze-2024", ("overview", HONGZE_2024)), "hongze-scoped-warning",
         severity="warning", cells=("t2.new.total",), quote="区政府办代表区政府受理政府信息公开申请17件"),
    Case("R01", "fail", lambda: gold("pingtan-2024", ("overview", "全年办理政府信息公开申请300件。")),
         "handled-matches-neither", cells=("t2.new.total", "t2.total_processed.total")),
    Case("R01", "fail", lambda: gold("xingtai-gxj-2023", ("overview", XINGTAI_REQUESTS),
                                     ("requests", "本年度共收到政府信息公开申请5件。")),
         "two-values-uncertain", severity="info", quote="共收到政府信息公开申请5件"),
    Case("R01", "pass", lambda: gold("xingtai-gxj-2023", ("overview", XINGTAI_REQUESTS)), "xingtai"),
    Case("R01", "pass", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY)), "huaian-city"),
    Case("R01", "pass", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai-scoped-but-equal"),
    Case("R01", "pass", lambda: gold("syn-01-citydept-2020", ("overview", SYN01)), "yoy-number-trap"),
    Case("R01", "pass", lambda: gold("syn-10-countygov-2022", ("overview", SYN10)), "decrease-trap"),
    Case("R01", "pass", lambda: gold("syn-05-districtgov-2021",
                                     ("overview", "本年度共收到政府信息公开申请147件（含上年结转8件）。")),
         "includes-carried-over"),
    Case("R01", "pass", lambda: gold("pingtan-2024", ("overview", PINGTAN[1])), "handled-218"),
    Case("R01", "pass", lambda: gold("xingtai-gxj-2023", (
        "preamble", "根据国办公开办函〔2021〕30号，第二十条第（一）项收到申请的数据见下表，第一项加第二项之和为3件。")),
         "document-number-trap"),
    # R02 stated processed
    Case("R02", "fail", lambda: gold("syn-08-citydept-2022", ("overview", SYN08_REQUESTS.replace("26", "28"))),
         "processed-28-vs-26", cells=("t2.total_processed.total",), quote="办结28件"),
    Case("R02", "pass", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY)), "huaian-city"),
    Case("R02", "pass", lambda: gold("syn-08-citydept-2022", ("overview", SYN08_REQUESTS)), "syn08"),
    # R03 stated carried forward (keyword after the number too)
    Case("R03", "fail", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY.replace("103", "100"))),
         "number-before-keyword", cells=("t2.carry_forward.total",), quote="另有100件顺延到下年度"),
    Case("R03", "pass", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY)), "huaian-city"),
    Case("R03", "pass", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai-72"),
    Case("R03", "pass", lambda: gold("syn-10-countygov-2022", ("overview", SYN10)), "syn10"),
    # R04 "no applications"
    Case("R04", "fail", lambda: gold("xingtai-gxj-2023", ("requests", "本年度未收到政府信息公开申请。")), "plain",
         cells=("t2.new.total",)),
    Case("R04", "fail", lambda: gold("syn-02-street-2020", ("overview", SYN02), t2__new__commercial=1),
         "legal-persons-did-apply", cells=("t2.new.commercial",)),
    Case("R04", "fail", lambda: gold("xingtai-gxj-2023", ("requests", "我局未收到通过信函方式提出的政府信息公开申请。")),
         "channel-qualifier-uncertain", severity="info"),
    Case("R04", "pass", lambda: gold("syn-02-street-2020", ("overview", SYN02)), "no-org-applicant-trap"),
    Case("R04", "pass", lambda: gold("xingtai-gxj-2023", ("requests", "我局未收到法人申请。")), "only-natural-persons"),
    Case("R04", "pass", lambda: gold("xingtai-gxj-2023", ("other", XINGTAI_SIX)), "xingtai-six-is-about-review"),
    Case("R04", "pass", lambda: gold("xingtai-gxj-2023", ("requests", "申请人无正当理由逾期不补正的，不再处理。")),
         "applicant-not-application"),
    # R05 "no 行政复议"
    Case("R05", "fail", lambda: gold("xingtai-gxj-2023", ("other", XINGTAI_SIX)), "xingtai-seed",
         cells=("t3.review.upheld", "t3.review.total"), quote=XINGTAI_SIX),
    Case("R05", "fail", lambda: gold("syn-08-citydept-2022", ("review_litigation", SYN08)), "syn08",
         cells=("t3.review.total",), quote=SYN08.rstrip("。")),
    Case("R05", "fail", lambda: gold("xingtai-gxj-2023", ("other", "区政府办未出现行政复议案件。")), "scoped-warning",
         severity="warning"),
    Case("R05", "fail", lambda: gold("xingtai-gxj-2023", ("other", "本年度未出现行政复议纠错案件。")),
         "unknown-qualifier-uncertain", severity="info"),
    Case("R05", "pass", lambda: gold("syn-01-citydept-2020", (
        "review_litigation", "本年度未出现因依申请公开引起的行政复议、行政诉讼等情况。")), "zero-table-trap"),
    Case("R05", "pass", lambda: gold("syn-03-provincedept-2025", ("review_litigation", SYN03_FOUR)),
         "trailing-zero-cue"),
    Case("R05", "pass", lambda: gold("xingtai-gxj-2023", ("review_litigation", "未经复议直接起诉的案件见下表。")),
         "table-label"),
    # R06 "no 行政诉讼"
    Case("R06", "fail", lambda: gold("xingtai-gxj-2023", ("other", XINGTAI_SIX), t3__lit_direct__upheld=1,
                                     t3__lit_direct__total=1), "lit-direct-1", cells=("t3.lit_direct.total",)),
    Case("R06", "pass", lambda: gold("xingtai-gxj-2023", ("other", XINGTAI_SIX)), "xingtai-litigation-zero"),
    Case("R06", "pass", lambda: gold("huaian-hongze-2024", (
        "problems", "有效降低行政复议、行政诉讼发生率和纠错率。")), "no-negation"),
    # R07 "均获维持"
    Case("R07", "fail", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai",
         cells=("t3.review.pending", "t3.review.total", "t3.lit_direct.pending", "t3.lit_direct.total")),
    Case("R07", "pass", lambda: gold("xingtai-gxj-2023", ("review_litigation", "本年度行政复议3件，均获维持。")),
         "all-upheld"),
    # R08 "all finished"
    Case("R08", "fail", lambda: gold("syn-10-countygov-2022", ("overview", "所有申请均已按要求办理完成。")),
         "carry-forward-1", cells=("t2.carry_forward.total",)),
    Case("R08", "pass", lambda: gold("xingtai-gxj-2023", ("overview", "所有申请均已按要求办理完成。")), "none-carried"),
    # R09 stated case counts
    Case("R09", "fail", lambda: gold("xingtai-gxj-2023", ("other", "2023年，我局因政府信息公开工作被申请行政复议2件。")),
         "review-2-vs-3", cells=("t3.review.total",)),
    Case("R09", "fail", lambda: gold("xingtai-gxj-2023", ("overview", "全年办理行政复议案件120件。")),
         "not-about-disclosure-uncertain", severity="info"),
    Case("R09", "pass", lambda: gold("syn-06-citygov-2024", ("other", SYN06_SIX)), "syn06"),
    Case("R09", "pass", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY)), "huaian-city"),
    Case("R09", "pass", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai-7-and-9"),
    # R10 fee amount
    Case("R10", "fail", lambda: gold("xingtai-gxj-2023", ("other", "2023年，我局收取信息处理费6万元。")),
         "six-wan-vs-zero", cells=("t1.admin_fees.amount_wan",)),
    Case("R10", "pass", lambda: gold("huaian-city-2024", (
        "other", "2024年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费 3940 元。")),
         "huaian-3940"),
    Case("R10", "pass", lambda: gold("syn-04-districtgov-2022", ("other", SYN04_FEE)), "syn04-100-yuan"),
    # R11 "no fee notice"
    Case("R11", "fail", lambda: gold("syn-04-districtgov-2022", ("other", "本年度未发出收费通知。")), "syn04",
         cells=("t2.other.unpaid_fee.total",)),
    Case("R11", "pass", lambda: gold("syn-07-citygov-2022", ("other", SYN07_FEE)), "syn07-unpaid-3"),
    Case("R11", "pass", lambda: gold("syn-04-districtgov-2022", ("other", "本年度未收取信息处理费。")),
         "not-collected-is-consistent"),
    # R12 予以公开 and ratios
    Case("R12", "fail", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai-258",
         cells=("t2.open.total", "t2.partial.total"), quote="予以公开及部分公开258件"),
    Case("R12", "pass", lambda: gold("pingtan-2024", ("overview", "予以公开71件，占32.6%；部分公开29件。")),
         "pingtan-71"),
    # R13 规章 / 规范性文件
    Case("R13", "fail", lambda: gold("pingtan-2024", ("overview", PINGTAN[0]), t1__normative_docs__made=60),
         "pingtan-changed", cells=("t1.normative_docs.made",)),
    Case("R13", "pass", lambda: gold("pingtan-2024", ("overview", PINGTAN[0])), "pingtan-62"),
    Case("R13", "pass", lambda: gold("syn-01-citydept-2020", (
        "overview", "（一）主动公开方面。全年在泓渚市人民政府门户网站发布政府信息3565条，制发行政规范性文件3件并全部按要求公开。")),
         "v2019-new-made"),
    Case("R13", "pass", lambda: gold("shanghai-office-2019", (
        "overview", "按时编辑出版《上海市人民政府公报》，全年共编发公报24期，刊登政府规章、规范性文件等112件，部门规范性文件45件。")),
         "gazette-counts"),
    # R14 行政许可 / 处罚 (info)
    Case("R14", "fail", lambda: gold("huaian-city-2024", ("overview", "全年作出行政许可决定447000件。")),
         "licensing", severity="info", cells=("t1.licensing.decisions",)),
    Case("R14", "pass", lambda: gold("huaian-city-2024", ("overview", "全年作出行政许可决定447228件。")), "licensing"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    verify(case)


def test_shanghai_ratio_is_recomputed():
    flagged = flags_of(gold("shanghai-office-2019", ("overview", SHANGHAI)), "R12")
    ratio = [f for f in flagged if "占33.9%" in f.message]
    assert len(ratio) == 1 and "32.05%" in ratio[0].message
    assert not any("4.34" in f.message or "32.9%" in f.message for f in flagged)  # those shares check out


def test_xingtai_six_raises_r05_only():
    report = gold("xingtai-gxj-2023", ("overview", XINGTAI_REQUESTS), ("other", XINGTAI_SIX))
    found = {f.check for f in flags_of(report, "R05") + flags_of(report, "R04") + flags_of(report, "R06")}
    assert found == {"R05"}


def test_quote_and_page_come_from_the_paragraph():
    report = gold("syn-09-provincedept-2019", ("overview", SYN09))
    report.paragraphs[0].page = 1
    flag = flags_of(report, "R01")[0]
    assert flag.page == 1 and "19件" in flag.quote
    assert flag.message == "R01 正文称“收到申请”19件，但表中本年新收（或含上年结转）为12件"
