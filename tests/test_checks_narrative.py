"""R01–R14: sentences printed by the documents against their gold cells, plus the traps that must
not flag. The project's samples (with every paragraph they print, or one sentence changed) and
reports samplegen writes at test time always run; the real reports of ../shared run beside them."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from test_checks_support import Case, flags_of, from_gold, from_spec, sample, spec_gold, verify, with_cells  # noqa: E402

# ----------------------------------------------------------------------------- the project's samples
# sample(n, text=True) carries every paragraph sample n prints (corpus/README.md lists its traps);
# sample(n, (section, text)) carries one sentence only, often a sample's sentence with a number changed.
# 01 青禾市交通运输局 2023: 29 new + 1 carried over, 办结29, 予以公开9 部分公开6, 结转下年度1, t3 all 0,
#    制发行政规范性文件4, 行政许可2958, fee 193.46万元
# 02 云岭县人民政府 2020 (v2019): 15 new + 3, 办结18, only 自然人 applied, 印发规范性文件14
# 03 青禾市桐湾区人民政府 2022: commercial 18 applied, 结转下年度2, 行政复议 1 维持 + 1 其他 + 1 未审结 = 3,
#    litigation “/”
# 04 云岭县市场监督管理局 2021: no 行政复议; litigation 1 直接起诉 (维持) + 1 复议后起诉 (其他结果)
# 05 青禾市人民政府 2023: 4 unpaid-fee decisions, 信息处理费380元, t1 fee 0万元
# 06 青禾市卫生健康委员会 2023: planted R05, 行政复议 1 维持 + 1 未审结 = 2, t1 fee 0万元

S01_RECEIVED = "2023年，我局共收到政府信息公开申请29件，较上年增长3件，上年结转1件。"
S01_PROCESSED = "全年办结29件，其中予以公开9件，部分公开6件；结转下年度继续办理1件。"
S02_NO_ORG = "申请人均为自然人，未收到法人或其他组织申请。"
S03_FOUR = "2022年，区政府因政府信息公开工作被申请行政复议3件，未被提起行政诉讼。"
S01_FOUR = "本年度未出现因政府信息公开引起的行政复议、行政诉讼情况。"
GEN_R01 = {"issuer": "栖梧市自然资源和规划局", "year": 2024, "format": "docx", "seed": 61, "defects": ["R01"]}


def planted_quote(spec, check):
    return next(f["quote"] for f in spec_gold(spec)["expected_flags"] if f["check"] == check)


# ----------------------------------------------------------------------------- ../shared (real reports)
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
    Case("R01", "fail", lambda: from_spec(GEN_R01), "generated-planted", cells=("t2.new.total",),
         quote=planted_quote(GEN_R01, "R01")),
    Case("R01", "fail", lambda: sample(1, ("overview", S01_RECEIVED.replace("29件", "33件"))), "sample-33-vs-29",
         cells=("t2.new.total",), quote="共收到政府信息公开申请33件"),
    Case("R01", "fail", lambda: sample(3, ("overview", "区政府办代表区政府受理政府信息公开申请250件。")),
         "sample-scoped-warning", severity="warning", cells=("t2.new.total",)),
    Case("R01", "fail", lambda: sample(1, ("overview", S01_RECEIVED), ("requests", "本年度共收到政府信息公开申请31件。")),
         "sample-two-values-uncertain", severity="info", quote="共收到政府信息公开申请31件"),
    Case("R01", "pass", lambda: sample(1, text=True), "sample-01-growth-trap"),
    Case("R01", "pass", lambda: sample(2, text=True), "sample-02-decrease"),
    Case("R01", "pass", lambda: sample(1, ("overview", "本年度共收到政府信息公开申请30件（含上年结转1件）。")),
         "sample-includes-carried-over"),
    Case("R01", "pass", lambda: from_spec({**GEN_R01, "defects": []}), "generated-unplanted"),
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
    Case("R02", "fail", lambda: sample(1, ("overview", S01_PROCESSED.replace("办结29件", "办结28件"))),
         "sample-28-vs-29", cells=("t2.total_processed.total",), quote="办结28件"),
    Case("R02", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("R02", "pass", lambda: sample(2, text=True), "sample-02-with-carried-over"),
    Case("R02", "fail", lambda: gold("syn-08-citydept-2022", ("overview", SYN08_REQUESTS.replace("26", "28"))),
         "processed-28-vs-26", cells=("t2.total_processed.total",), quote="办结28件"),
    Case("R02", "pass", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY)), "huaian-city"),
    Case("R02", "pass", lambda: gold("syn-08-citydept-2022", ("overview", SYN08_REQUESTS)), "syn08"),
    # R03 stated carried forward (keyword after the number too)
    Case("R03", "fail", lambda: sample(3, ("overview", "结转下年度继续办理3件。")), "sample-3-vs-2",
         cells=("t2.carry_forward.total",)),
    Case("R03", "fail", lambda: sample(1, ("overview", "另有5件申请顺延到下年度答复。")), "sample-number-before-keyword",
         cells=("t2.carry_forward.total",), quote="另有5件申请顺延到下年度答复"),
    Case("R03", "pass", lambda: sample(3, text=True), "sample-03"),
    Case("R03", "pass", lambda: sample(1, ("overview", S01_PROCESSED)), "sample-01"),
    Case("R03", "fail", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY.replace("103", "100"))),
         "number-before-keyword", cells=("t2.carry_forward.total",), quote="另有100件顺延到下年度"),
    Case("R03", "pass", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY)), "huaian-city"),
    Case("R03", "pass", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai-72"),
    Case("R03", "pass", lambda: gold("syn-10-countygov-2022", ("overview", SYN10)), "syn10"),
    # R04 "no applications"
    Case("R04", "fail", lambda: sample(1, ("requests", "本年度未收到政府信息公开申请。")), "sample-plain",
         cells=("t2.new.total",)),
    Case("R04", "fail", lambda: sample(3, ("overview", S02_NO_ORG)), "sample-legal-persons-did-apply",
         cells=("t2.new.commercial",)),
    Case("R04", "fail", lambda: sample(1, ("requests", "我局未收到通过信函方式提出的政府信息公开申请。")),
         "sample-channel-qualifier-uncertain", severity="info"),
    Case("R04", "pass", lambda: sample(2, text=True), "sample-02-no-org-applicant-trap"),
    Case("R04", "pass", lambda: sample(1, ("requests", "我局未收到法人申请。")), "sample-only-natural-persons"),
    Case("R04", "pass", lambda: sample(1, text=True), "sample-01-denials-are-about-review"),
    Case("R04", "pass", lambda: sample(1, ("requests", "申请人无正当理由逾期不补正的，不再处理。")),
         "sample-applicant-not-application"),
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
    Case("R05", "fail", lambda: sample(6, text=True), "sample-06-planted", cells=("t3.review.total",),
         quote="本年度未出现因政府信息公开引起的行政复议情况"),
    Case("R05", "fail", lambda: sample(3, ("review_litigation", S01_FOUR)), "sample-03-review-3",
         cells=("t3.review.upheld", "t3.review.total"), quote=S01_FOUR.rstrip("。")),
    Case("R05", "fail", lambda: sample(3, ("other", "区政府办未出现行政复议案件。")), "sample-scoped-warning",
         severity="warning"),
    Case("R05", "fail", lambda: sample(3, ("other", "本年度未出现行政复议纠错案件。")),
         "sample-unknown-qualifier-uncertain", severity="info"),
    Case("R05", "pass", lambda: sample(1, text=True), "sample-01-zero-table-trap"),
    Case("R05", "pass", lambda: sample(5, text=True), "sample-05-zero-table-trap"),
    Case("R05", "pass", lambda: sample(1, ("review_litigation", "全年因政府信息公开引发的行政复议、行政诉讼案件数量均为零。")),
         "sample-trailing-zero-cue"),
    Case("R05", "pass", lambda: sample(3, ("review_litigation", "未经复议直接起诉的案件见下表。")), "sample-table-label"),
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
    Case("R06", "fail", lambda: sample(4, ("review_litigation", S01_FOUR)), "sample-04-litigation-2",
         cells=("t3.lit_direct.upheld", "t3.lit_direct.total", "t3.lit_after_review.total")),
    Case("R06", "pass", lambda: sample(4, text=True), "sample-04-denies-review-only"),
    Case("R06", "pass", lambda: sample(3, text=True), "sample-03-slash-litigation"),
    Case("R06", "pass", lambda: sample(3, ("problems", "有效降低行政复议、行政诉讼发生率和纠错率。")), "sample-no-negation"),
    Case("R06", "fail", lambda: gold("xingtai-gxj-2023", ("other", XINGTAI_SIX), t3__lit_direct__upheld=1,
                                     t3__lit_direct__total=1), "lit-direct-1", cells=("t3.lit_direct.total",)),
    Case("R06", "pass", lambda: gold("xingtai-gxj-2023", ("other", XINGTAI_SIX)), "xingtai-litigation-zero"),
    Case("R06", "pass", lambda: gold("huaian-hongze-2024", (
        "problems", "有效降低行政复议、行政诉讼发生率和纠错率。")), "no-negation"),
    # R07 "均获维持"
    Case("R07", "fail", lambda: sample(3, ("review_litigation", S03_FOUR.replace("3件，", "3件，均获维持，"))),
         "sample-03-other-and-pending", cells=("t3.review.other", "t3.review.pending", "t3.review.total")),
    Case("R07", "fail", lambda: sample(4, ("review_litigation", "2021年，我局被提起行政诉讼2件，均获维持。")),
         "sample-04-other-result", cells=("t3.lit_after_review.other", "t3.lit_after_review.total")),
    Case("R07", "pass", lambda: with_cells(sample(6, ("review_litigation", "本年度行政复议2件，均获维持。")),
                                           t3__review__upheld=2, t3__review__pending=0), "sample-all-upheld"),
    Case("R07", "pass", lambda: sample(3, ("review_litigation", "行政复议3件，行政诉讼零败诉。")),
         "sample-zero-losses-no-litigation"),
    Case("R07", "fail", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai",
         cells=("t3.review.pending", "t3.review.total", "t3.lit_direct.pending", "t3.lit_direct.total")),
    Case("R07", "pass", lambda: gold("xingtai-gxj-2023", ("review_litigation", "本年度行政复议3件，均获维持。")),
         "all-upheld"),
    # R08 "all finished"
    Case("R08", "fail", lambda: sample(1, ("overview", "所有申请均已按要求办理完成。")), "sample-carry-forward-1",
         cells=("t2.carry_forward.total",)),
    Case("R08", "pass", lambda: sample(4, ("overview", "所有申请均已按要求办理完成。")), "sample-none-carried"),
    Case("R08", "pass", lambda: sample(2, ("overview", "所有申请均已办结。")), "sample-02-blank-carry-forward"),
    Case("R08", "fail", lambda: gold("syn-10-countygov-2022", ("overview", "所有申请均已按要求办理完成。")),
         "carry-forward-1", cells=("t2.carry_forward.total",)),
    Case("R08", "pass", lambda: gold("xingtai-gxj-2023", ("overview", "所有申请均已按要求办理完成。")), "none-carried"),
    # R09 stated case counts
    Case("R09", "fail", lambda: sample(3, ("review_litigation", S03_FOUR.replace("3件", "2件"))), "sample-review-2-vs-3",
         cells=("t3.review.total",)),
    Case("R09", "fail", lambda: sample(4, ("review_litigation", "2021年，我局未被申请行政复议，被提起行政诉讼1件。")),
         "sample-litigation-1-vs-2", cells=("t3.lit_direct.total", "t3.lit_after_review.total")),
    Case("R09", "fail", lambda: sample(3, ("overview", "全年办理行政复议案件120件。")),
         "sample-not-about-disclosure-uncertain", severity="info"),
    Case("R09", "pass", lambda: sample(3, text=True), "sample-03"),
    Case("R09", "pass", lambda: sample(4, text=True), "sample-04-both-litigation-groups"),
    Case("R09", "fail", lambda: gold("xingtai-gxj-2023", ("other", "2023年，我局因政府信息公开工作被申请行政复议2件。")),
         "review-2-vs-3", cells=("t3.review.total",)),
    Case("R09", "fail", lambda: gold("xingtai-gxj-2023", ("overview", "全年办理行政复议案件120件。")),
         "not-about-disclosure-uncertain", severity="info"),
    Case("R09", "pass", lambda: gold("syn-06-citygov-2024", ("other", SYN06_SIX)), "syn06"),
    Case("R09", "pass", lambda: gold("huaian-city-2024", ("overview", HUAIAN_CITY)), "huaian-city"),
    Case("R09", "pass", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai-7-and-9"),
    # R10 fee amount
    Case("R10", "fail", lambda: sample(6, ("other", "2023年，我委共收取信息处理费6万元。")), "sample-six-wan-vs-zero",
         cells=("t1.admin_fees.amount_wan",)),
    Case("R10", "fail", lambda: sample(5, ("other", "2023年市政府共收取信息处理费8000元。")), "sample-8000-yuan-vs-zero",
         cells=("t1.admin_fees.amount_wan",)),
    Case("R10", "pass", lambda: sample(5, text=True), "sample-05-380-yuan"),
    Case("R10", "pass", lambda: sample(1, text=True), "sample-01-none-collected"),
    Case("R10", "fail", lambda: gold("xingtai-gxj-2023", ("other", "2023年，我局收取信息处理费6万元。")),
         "six-wan-vs-zero", cells=("t1.admin_fees.amount_wan",)),
    Case("R10", "pass", lambda: gold("huaian-city-2024", (
        "other", "2024年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费 3940 元。")),
         "huaian-3940"),
    Case("R10", "pass", lambda: gold("syn-04-districtgov-2022", ("other", SYN04_FEE)), "syn04-100-yuan"),
    # R11 "no fee notice"
    Case("R11", "fail", lambda: sample(5, ("other", "本年度未发出收费通知。")), "sample-05-unpaid-4",
         cells=("t2.other.unpaid_fee.total",)),
    Case("R11", "pass", lambda: sample(5, text=True), "sample-05"),
    Case("R11", "pass", lambda: sample(5, ("other", "本年度未收取信息处理费。")), "sample-not-collected-is-consistent"),
    Case("R11", "pass", lambda: sample(1, ("other", "本年度未发出收费通知。")), "sample-01-unpaid-0"),
    Case("R11", "fail", lambda: gold("syn-04-districtgov-2022", ("other", "本年度未发出收费通知。")), "syn04",
         cells=("t2.other.unpaid_fee.total",)),
    Case("R11", "pass", lambda: gold("syn-07-citygov-2022", ("other", SYN07_FEE)), "syn07-unpaid-3"),
    Case("R11", "pass", lambda: gold("syn-04-districtgov-2022", ("other", "本年度未收取信息处理费。")),
         "not-collected-is-consistent"),
    # R12 予以公开 and ratios
    Case("R12", "fail", lambda: sample(1, ("overview", S01_PROCESSED.replace("予以公开9件", "予以公开10件"))),
         "sample-10-vs-9", cells=("t2.open.total",), quote="予以公开10件"),
    Case("R12", "fail", lambda: sample(1, ("overview", "予以公开9件，占20%。")), "sample-ratio",
         cells=("t2.total_processed.total", "t2.new.total")),
    Case("R12", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("R12", "pass", lambda: sample(1, ("overview", "予以公开9件，占31.0%；予以公开及部分公开15件。")),
         "sample-ratio-and-open-partial"),
    Case("R12", "fail", lambda: gold("shanghai-office-2019", ("overview", SHANGHAI)), "shanghai-258",
         cells=("t2.open.total", "t2.partial.total"), quote="予以公开及部分公开258件"),
    Case("R12", "pass", lambda: gold("pingtan-2024", ("overview", "予以公开71件，占32.6%；部分公开29件。")),
         "pingtan-71"),
    # R13 规章 / 规范性文件
    Case("R13", "fail", lambda: sample(1, ("overview", "全年制发行政规范性文件5件，均按规定在印发后及时公开。")),
         "sample-5-vs-4", cells=("t1.normative_docs.made",)),
    Case("R13", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("R13", "pass", lambda: sample(2, ("overview", "全年印发行政规范性文件14件，均按规定在印发后及时公开。")),
         "sample-02-v2019-new-made"),
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
    Case("R14", "fail", lambda: sample(1, ("overview", "全年作出行政许可决定3000件。")), "sample-licensing",
         severity="info", cells=("t1.licensing.decisions",)),
    Case("R14", "pass", lambda: sample(1, ("overview", "全年作出行政许可决定2958件，行政处罚决定961件。")),
         "sample-licensing-and-penalty"),
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


def test_ratio_is_recomputed_on_every_base():
    flagged = flags_of(sample(1, ("overview", "全年办结29件，其中予以公开9件，占20%；部分公开6件，占20.7%。")), "R12")
    # 9 of 29 processed (or new) is 31.03%, of 30 (new + carried over) 30.00%; 20.7% belongs to 部分公开
    assert [f.message for f in flagged] == ["R12 正文称9件占20%，但按表中总数（29、30件）计算应为31.03%、30.00%"]
    assert not flags_of(sample(1, ("overview", "其中予以公开9件，占31%。")), "R12")  # within ±0.1 of 31.03%


def test_sample_06_text_raises_r05_only():
    report = sample(6, text=True)
    found = {f.check for f in flags_of(report, "R05") + flags_of(report, "R04") + flags_of(report, "R06")}
    assert found == {"R05"}


def test_r05_quotes_the_printed_total_when_the_parts_disagree():
    """Sample 06's 行政复议 prints 维持1 + 未审结1 and 总计2; with 总计 printed as 3 the parts say
    2: both readings are above zero, so R05 flags, and it quotes the 总计 the table prints."""
    report = with_cells(sample(6, text=True), t3__review__total=3)
    (flag,) = flags_of(report, "R05")
    assert flag.message == "R05 正文称未发生行政复议，但表中行政复议总计为3件"
    (plain,) = flags_of(sample(6, text=True), "R05")
    assert plain.message == "R05 正文称未发生行政复议，但表中行政复议总计为2件"


def test_quote_and_page_come_from_the_sample_paragraph():
    report = sample(1, ("overview", S01_RECEIVED.replace("29件", "33件")))
    report.paragraphs[0].page = 2
    (flag,) = flags_of(report, "R01")
    assert flag.page == 2 and flag.quote == S01_RECEIVED.replace("29件", "33件")
    assert flag.message == "R01 正文称“收到政府信息公开申请”33件，但表中本年新收（或含上年结转）为29或30件"
