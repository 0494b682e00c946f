"""D01–D06: title year, statistics period, publication date and deadline, stale years, fees."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from test_checks_support import Case, flags_of, from_gold, from_spec, sample, spec_gold, verify  # noqa: E402

# ----------------------------------------------------------------------------- the project's samples

SAMPLE01_TITLE = "青禾市交通运输局2023年政府信息公开工作年度报告"


def jiaotong(*paragraphs, **meta):
    """青禾市交通运输局 2023 (sample-01), a city department published 2024-01-20, with every
    paragraph it prints (the period sentence: 2023年1月1日至12月31日)."""
    return sample(1, *paragraphs, text=True, **meta)


def jiaotong_period(period_sentence, **meta):
    """sample-01's cells and title with only the given period sentence as text."""
    return sample(1, ("preamble", period_sentence), title=SAMPLE01_TITLE, **meta)


# samplegen at test time: a planted D01 (the period printed for the year before) and a township
GEN_D01 = {"issuer": "雁汀县人民政府", "year": 2022, "format": "html", "seed": 51, "defects": ["D01"]}
GEN_TOWN = {"issuer": "雁汀县柳塘镇人民政府", "year": 2022, "format": "docx", "seed": 52}
# three sentences of 一 that start with last year: text copied from the 2022 report
STALE = tuple(("overview", f"2022年，我局{topic}。") for topic in ("加大主动公开力度", "规范依申请公开", "加强平台建设"))

# ----------------------------------------------------------------------------- ../shared (real reports)

XINGTAI_PERIOD = ("本报告由总体情况、公开政府信息情况、政策解读情况、工作中存在的主要问题和改进措施等部分组成，"
                  "本报告中所列数据的统计期限为2023年1月1日至2023年12月31日。")
SYN04_PERIOD = "本报告中所列数据的统计期限为 2021 年 1 月 1 日至 2021 年\n12 月 31 日。"
SYN05_PERIOD = "本报告中所列数据的统计期限为2021年1月1日至2021年12月31日。"
SHANGHAI_PERIOD = "本年度报告中所列数据统计期限从2019年1月1日到12月31日止。"
HUAIAN_SIX = "2024 年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费 3940 元。"


def xingtai(*paragraphs, **meta):
    meta.setdefault("title", "邢台市工业和信息化局2023年政府信息公开工作年度报告")
    return from_gold("xingtai-gxj-2023", (("preamble", XINGTAI_PERIOD),) + paragraphs, **meta)


CASES = [
    # D01 title year vs period year
    Case("D01", "fail", lambda: from_spec(GEN_D01), "generated-period-of-last-year",
         quote=next(f["quote"] for f in spec_gold(GEN_D01)["expected_flags"] if f["check"] == "D01")),
    Case("D01", "fail", lambda: jiaotong_period("本报告中所列数据的统计期限为2022年1月1日至12月31日。"),
         "sample-2022-period", quote="统计期限为2022年1月1日至12月31日"),
    Case("D01", "pass", jiaotong, "sample"),
    Case("D01", "pass", lambda: jiaotong_period("本年度报告中所列数据统计期限从2023年1月1日到12月31日止。"),
         "sample-cong-dao-zhi-wording"),
    Case("D01", "pass", lambda: from_spec({**GEN_D01, "defects": []}), "generated-unplanted"),
    Case("D01", "fail", lambda: from_gold("syn-04-districtgov-2022", (("preamble", SYN04_PERIOD),),
                                          title="2022 年霁溪市霁宁区人民政府政府信息公开工作年度报告"),
         "syn04", quote="统计期限为2021年1月1日至2021年12月31日"),
    Case("D01", "pass", lambda: from_gold("syn-05-districtgov-2021", (("preamble", SYN05_PERIOD),),
                                          title="2021年翊原市泓阳区人民政府政府信息公开工作年度报告"), "syn05"),
    Case("D01", "pass", lambda: from_gold("shanghai-office-2019", (("preamble", SHANGHAI_PERIOD),),
                                          title="2019年上海市人民政府办公厅政府信息公开工作年度报告"),
         "cong-dao-zhi-wording"),
    # D02 a full calendar year
    Case("D02", "fail", lambda: jiaotong_period("本报告中所列数据的统计期限为2023年1月1日至2023年11月30日。"),
         "sample-to-november", quote="统计期限为2023年1月1日至2023年11月30日"),
    Case("D02", "fail", lambda: jiaotong_period("本报告中所列数据的统计期限为2022年12月1日至2023年11月30日。"),
         "sample-across-years"),
    Case("D02", "pass", jiaotong, "sample"),
    Case("D02", "fail", lambda: xingtai(period=("2023-01-01", "2023-11-30"),
                                        period_text="统计期限为2023年1月1日至11月30日"), "to-november"),
    Case("D02", "pass", xingtai),
    # D03 published after the year
    Case("D03", "fail", lambda: sample(6, text=True), "sample-06-planted", quote="2023年12月20日"),
    Case("D03", "fail", lambda: jiaotong(published="2025-03-01"), "sample-two-years-later", severity="warning"),
    Case("D03", "pass", jiaotong, "sample"),
    Case("D03", "pass", lambda: jiaotong(published="2024-01-01"), "sample-first-day"),
    Case("D03", "fail", lambda: xingtai(published="2023-12-20"), "before-year-end"),
    Case("D03", "fail", lambda: xingtai(published="2025-03-01"), "two-years-later", severity="warning"),
    Case("D03", "pass", xingtai),
    # D04 the statutory deadline (条例第四十九条)
    Case("D04", "fail", lambda: jiaotong(published="2024-02-15"), "sample-department-late"),
    Case("D04", "fail", lambda: sample(5, text=True, published="2024-04-02"), "sample-government-late"),
    Case("D04", "fail", lambda: from_spec(GEN_TOWN, published="2023-03-15"), "generated-township-no-rule",
         severity="info"),
    Case("D04", "fail", lambda: from_spec(GEN_TOWN, published="2023-03-15"), "generated-township-local-rule",
         config={"deadlines": {"township": "02-20"}}),
    Case("D04", "pass", jiaotong, "sample-department-on-time"),
    Case("D04", "pass", lambda: jiaotong(published="2024-01-31"), "sample-on-the-deadline-day"),
    Case("D04", "pass", lambda: sample(5, text=True), "sample-government-by-march"),
    Case("D04", "pass", lambda: from_spec(GEN_TOWN, published="2023-01-20"), "generated-township-early"),
    Case("D04", "fail", lambda: xingtai(published="2024-02-15"), "department-late"),
    Case("D04", "fail", lambda: from_gold("syn-06-citygov-2024", published="2025-04-02"), "government-late"),
    Case("D04", "fail", lambda: from_gold("syn-11-town-2019", published="2020-03-15"), "township-no-rule",
         severity="info"),
    Case("D04", "fail", lambda: from_gold("syn-11-town-2019", published="2020-03-15"), "township-local-rule",
         config={"deadlines": {"township": "02-20"}}),
    Case("D04", "pass", xingtai, "department-on-time"),
    Case("D04", "pass", lambda: from_gold("syn-06-citygov-2024"), "government-by-march"),
    Case("D04", "pass", lambda: from_gold("shanghai-office-2019"), "on-the-deadline-day"),
    # D05 last year's sentences
    Case("D05", "fail", lambda: jiaotong(*STALE), "sample-three-sentences-2022"),
    Case("D05", "fail", lambda: jiaotong(*(("problems", f"2023年，我局将进一步{t}。") for t in ("加强培训", "丰富解读", "规范办理"))),
         "sample-promises-for-the-report-year"),
    Case("D05", "pass", lambda: jiaotong(*STALE[:2]), "sample-two-is-tolerated"),
    Case("D05", "pass", lambda: jiaotong(*(("problems", f"2024年，我局将进一步{t}。") for t in ("加强培训", "丰富解读", "规范办理"))),
         "sample-next-year-plans"),
    Case("D05", "fail", lambda: xingtai(*STALE), "three-sentences-2022"),
    Case("D05", "pass", lambda: xingtai(*STALE[:2]), "two-is-tolerated"),
    Case("D05", "pass", lambda: xingtai(("problems", "2024年，邢台市工业和信息化局将继续加大政府信息公开工作力度。")),
         "next-year-plan"),
    # D06 信息处理费 in 六 (v2021)
    Case("D06", "fail", lambda: sample(1, ("other", "我局对照2023年政务公开工作要点逐项抓好落实。")),
         "sample-six-without-fee", severity="info"),
    Case("D06", "pass", jiaotong, "sample-none-charged"),
    Case("D06", "pass", lambda: sample(5, text=True), "sample-380-yuan"),
    Case("D06", "pass", lambda: sample(2, text=True), "sample-2020-report"),
    Case("D06", "fail", lambda: xingtai(("other", "2023年，未出现因依申请公开引起的行政复议、行政诉讼等情况。")),
         "xingtai", severity="info"),
    Case("D06", "pass", lambda: from_gold("huaian-city-2024", (("other", HUAIAN_SIX),)), "huaian-city"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    verify(case)


def test_issuer_type_can_be_configured():
    report = sample(5)  # 青禾市人民政府 2023: a government, published 2024-03-15, due by 2024-03-31
    assert not flags_of(report, "D04")
    assert [f.severity for f in flags_of(report, "D04", {"issuer_type": "department"})] == ["warning"]
    assert [f.severity for f in flags_of(report, "D04", {"issuer_type": "other"})] == ["info"]
    assert [f.severity for f in flags_of(sample(5, published="2024-04-01"), "D04")] == ["warning"]
    with pytest.raises(ValueError):
        flags_of(report, "D04", {"issuer_type": "province"})


def test_issuer_type_is_the_issuer_registrys():
    # one rule (extractor/issuers.py Identity.issuer_type): 平潭综合实验区管委会 governs its zone, as
    # the registry groups it (government), so its 2025-03-10 date is inside 本级人民政府's 03-31
    report = from_gold("pingtan-2024")
    assert not flags_of(report, "D04")
    assert flags_of(report, "D04", {"issuer_type": "department"})[0].severity == "warning"
    from extractor.issuers import identify
    assert [identify(n).issuer_type for n in ("平潭综合实验区管委会", "淮安市洪泽区人民政府", "某县教育局",
                                              "某某镇人民政府", "某某街道办事处", "某某大学")] == \
        ["government", "government", "department", "township", "township", "other"]
    report.issuer = "某某大学"  # nothing places it: no statutory deadline, info only
    assert [f.severity for f in flags_of(report, "D04")] == ["info"]


def test_deadline_message():
    flag = flags_of(jiaotong(published="2024-02-15"), "D04")[0]
    assert flag.message == "D04 县级以上人民政府部门的2023年度报告应于2024-01-31前发布，发布日期为2024-02-15"
