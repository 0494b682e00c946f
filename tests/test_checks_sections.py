"""S01–S08: the six sections, numbering, and what 一/五/六 must report. The project's samples and
reports samplegen writes at test time always run; the real reports of ../shared run beside them."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from extractor.report import Paragraph, Section  # noqa: E402
from test_checks_support import HEADINGS, Case, from_gold, from_spec, make_report, sample, verify  # noqa: E402

# ----------------------------------------------------------------------------- the project's samples
# sample(n, text=True): every paragraph sample n prints; 01 青禾市交通运输局 2023 is a department,
# 05 青禾市人民政府 2023 a government whose 监督保障 paragraph names 考核, 评议 and 责任追究.

def jiaotong(*paragraphs, **meta):
    """sample-01's cells with the given paragraphs only."""
    return sample(1, *paragraphs, **meta)


def jiaotong_without(key):
    report = sample(1, text=True)
    report.sections = [s for s in report.sections if s.key != key]
    return report


def jiaotong_shuffled():
    report = sample(1, text=True)
    report.sections[1], report.sections[2] = report.sections[2], report.sections[1]
    return report


def jiaotong_renumbered():
    report = sample(1, text=True)
    report.sections[1] = Section("active", "一、主动公开政府信息情况", number="一")
    return report


def jiaotong_subtopic_headings():
    report = sample(1, text=True)
    # The pipeline keeps such a line as a body paragraph of 总体情况 (it is not a section heading).
    at = next(i for i, p in enumerate(report.paragraphs) if p.section == "active")
    report.paragraphs.insert(at, Paragraph(len(report.paragraphs), "二、依申请公开情况", section="overview"))
    return report


GEN_HEADINGS = {"issuer": "栖梧市荻川区人民政府", "year": 2023, "format": "docx", "seed": 72, "heading_variants": True}


def heading_variants():
    """A generated report whose headings are printed in the variants real reports use."""
    report = from_spec(GEN_HEADINGS)
    assert [s.heading for s in report.sections] != list(HEADINGS.values())  # the variants were drawn
    return report


SAMPLE01_SIX_NO_FEE = "2023年，未出现因依申请公开引起的行政复议、行政诉讼等情况。"
SAMPLE05_SUPERVISION = "（三）监督保障。市政府成立政务公开工作领导小组，主要负责同志亲自过问，明确专人负责信息发布审核。"
SAMPLE_FIVE = ("2023年，我局政府信息公开工作仍存在一些不足。", "一是部分栏目信息更新不够及时。", "二是政策解读形式较为单一。",
               "下一步，我局将健全门户网站信息发布审核机制。")
SAMPLE05_TITLE = "青禾市人民政府2023年政府信息公开工作年度报告"

# ----------------------------------------------------------------------------- ../shared (real reports)

XINGTAI_FIVE = ("2023年政府信息公开工作虽然取得了一定的成效，但仍存在差距和不足：信息公开工作的广度和深度还不够，"
                "还不能完全满足群众和企业期望和需求。2024年，邢台市工业和信息化局将继续加大政府信息公开工作力度，"
                "以人民群众的需求为出发点和落脚点，重点开展以下几个方面工作：")
XINGTAI_SIX = "2023年，未出现因依申请公开引起的行政复议、行政诉讼等情况。"
HUAIAN_SIX = "2024 年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费 3940 元。"
HUAIAN_ONE = ("（五）监督保障情况。严格落实季度监测指标，全年组织 4 次政府信息公开栏目全覆盖检查，并出具各县区、各部门政务公开"
              "评估分报告。按季度开展政务新媒体专项检查，针对突出问题和日常共性问题，及时督促整改。")
HONGZE_ONE = "将政务公开工作纳入全区高质量发展考核内容，促进信息公开工作持续向好。"
SHANGHAI_ONE = ("充分发挥考核促进工作的良性作用。围绕政务公开重点工作、薄弱环节和瓶颈问题加大政务公开绩效考核力度。"
                "考核结果向社会主动公开。")
SYN11_ONE = "（五）监督保障。明确专人负责政务公开工作，开展业务培训，建立常态化自查机制；将政务公开纳入考核内容，结合社会评议结果改进工作，落实责任追究制度。"
SYN04_SIX = ("依据《政府信息公开信息处理费管理办法》，本年度区政府共发出信息处理费收费通知 3 份，实际收取信息处理费 100 元。",
             "本年度承办人大代表建议 12 件、政协提案 34 件，已按期办复，办理复文按规定予以公开。",
             "对照 2022 年政务公开工作要点，区政府逐项分解任务，明确责任分工，各项任务均已落实。")
SHANGHAI_FIVE = ("一是新《条例》实施后，专业领域的理论学习仍需加强，提升对《条例》新内容的准确把握；二是决策公开仍需进一步加强。",
                 "一是深入做好《条例》的贯彻落实。抓紧修订出台《上海市政府信息公开规定》，完善依申请办理工作全链条管理。",
                 "二是进一步深化解读回应。对“一网通办”中的个人和法人，精准推送相关政策解读。")
GENERIC_FIVE = "一是公开内容有待进一步深化。二是人员业务水平有待提高。三是工作机制有待完善。下一步将加以改进。"


def xingtai(*paragraphs, **meta):
    return from_gold("xingtai-gxj-2023", paragraphs, **meta)


def without_section(key):
    report = xingtai()
    report.sections = [s for s in report.sections if s.key != key]
    return report


def shuffled():
    report = xingtai()
    report.sections[1], report.sections[2] = report.sections[2], report.sections[1]
    return report


def renumbered():
    report = xingtai()
    report.sections[1] = Section("active", "一、主动公开政府信息情况", number="一")
    return report


def subtopic_headings():
    report = xingtai(("overview", "2023年，我局深入实施条例。"))
    # The pipeline keeps such a line as a body paragraph of 总体情况 (it is not a section heading).
    report.paragraphs.append(Paragraph(1, "二、依申请公开情况", section="overview"))
    return report


CASES = [
    Case("S01", "fail", lambda: jiaotong_without("other"), "sample-no-six"),
    Case("S01", "fail", lambda: jiaotong_without("problems"), "sample-no-five"),
    Case("S01", "fail", jiaotong_shuffled, "sample-order", severity="warning"),
    Case("S01", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("S01", "pass", heading_variants, "generated-heading-variants"),
    Case("S01", "fail", lambda: without_section("other"), "no-six"),
    Case("S01", "fail", shuffled, "order", severity="warning"),
    Case("S01", "fail", lambda: make_report(sections=[]), "nothing-recognised", severity="info"),
    Case("S01", "pass", xingtai),
    Case("S02", "fail", jiaotong_renumbered, "sample-active-numbered-one"),
    Case("S02", "fail", jiaotong_subtopic_headings, "sample-overview-subtopic"),
    Case("S02", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("S02", "pass", heading_variants, "generated-heading-variants"),
    Case("S02", "fail", renumbered, "active-numbered-one"),
    Case("S02", "fail", subtopic_headings, "overview-subtopic"),
    Case("S02", "pass", xingtai),
    Case("S02", "pass", lambda: from_gold("shanghai-office-2019"), "heading-variant"),
    Case("S03", "fail", lambda: jiaotong(("other", SAMPLE01_SIX_NO_FEE)), "sample-review-instead-of-fee",
         quote="未出现因依申请公开引起的行政复议"),
    Case("S03", "pass", lambda: sample(1, text=True), "sample-01-none-charged"),
    Case("S03", "pass", lambda: sample(5, text=True), "sample-05-380-yuan"),
    Case("S03", "fail", lambda: xingtai(("other", XINGTAI_SIX)), "xingtai", quote="未出现因依申请公开引起的行政复议"),
    Case("S03", "pass", lambda: from_gold("huaian-city-2024", (("other", HUAIAN_SIX),)), "huaian-city"),
    Case("S03", "pass", lambda: from_gold("pingtan-2024", (("other", "2024年，无收取信息处理费情况。"),)), "none-charged"),
    Case("S04", "fail", lambda: jiaotong(("problems", "无。")), "sample-just-none"),
    Case("S04", "fail", lambda: jiaotong(("problems", "2023年，我局政府信息公开工作取得了一定成效，群众满意度不断提高，"
                                                       "各项工作均按要求完成，公开内容全面、及时、准确。")),
         "sample-no-problem-named"),
    Case("S04", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("S04", "fail", lambda: xingtai(("problems", "无。")), "just-none"),
    Case("S04", "pass", lambda: xingtai(("problems", XINGTAI_FIVE)), "xingtai"),
    Case("S05", "fail", lambda: jiaotong(("problems", GENERIC_FIVE)), "sample-generic", severity="info"),
    Case("S05", "pass", lambda: jiaotong(*(("problems", t) for t in SAMPLE_FIVE)), "sample-names-its-columns"),
    Case("S05", "fail", lambda: xingtai(("problems", GENERIC_FIVE)), "generic", severity="info"),
    Case("S05", "pass", lambda: from_gold("shanghai-office-2019", tuple(("problems", t) for t in SHANGHAI_FIVE)),
         "shanghai"),
    Case("S06", "fail", lambda: sample(5, ("overview", SAMPLE05_SUPERVISION), title=SAMPLE05_TITLE),
         "sample-05-nothing-on-accountability"),
    Case("S06", "fail", lambda: sample(5, ("overview", SAMPLE05_SUPERVISION + "将政务公开工作纳入年度绩效考核。"),
                                       title=SAMPLE05_TITLE), "sample-05-only-kaohe"),
    Case("S06", "pass", lambda: sample(5, text=True), "sample-05"),
    Case("S06", "pass", lambda: sample(5, ("overview", SAMPLE05_SUPERVISION), title="青禾市人民政府办公室2023年政府信息公开工作年度报告"),
         "sample-general-office"),
    Case("S06", "pass", lambda: sample(1, ("overview", SAMPLE05_SUPERVISION)), "sample-department"),
    Case("S06", "fail", lambda: from_gold("huaian-city-2024", (("overview", HUAIAN_ONE),),
                                          title="淮安市人民政府 2024年政府信息公开工作年度报告"), "huaian-city"),
    Case("S06", "fail", lambda: from_gold("huaian-hongze-2024", (("overview", HONGZE_ONE),),
                                          title="淮安市洪泽区人民政府 2024年政府信息公开工作年度报告"), "hongze-only-kaohe"),
    Case("S06", "pass", lambda: from_gold("shanghai-office-2019", (("overview", SHANGHAI_ONE),),
                                          title="2019年上海市人民政府办公厅政府信息公开工作年度报告"), "general-office"),
    Case("S06", "pass", lambda: from_gold("syn-11-town-2019", (("overview", SYN11_ONE),),
                                          title="沄原县翊屿镇人民政府2019年政府信息公开工作年度报告"), "all-three"),
    Case("S07", "fail", lambda: jiaotong(("preamble", "本报告根据《中华人民共和国政府信息公开条例》编制。")),
         "sample-no-period", severity="info"),
    Case("S07", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("S07", "pass", lambda: jiaotong(("preamble", "本年度报告中所列数据统计期限从2023年1月1日到12月31日止。")),
         "sample-cong-dao-zhi"),
    Case("S07", "fail", xingtai, "no-period", severity="info"),
    Case("S07", "pass", lambda: xingtai(("preamble", "本报告中所列数据的统计期限为2023年1月1日至2023年12月31日。"))),
    Case("S08", "fail", lambda: jiaotong(("other", "依据《政府信息公开信息处理费管理办法》，2023年我局未收取信息处理费。")),
         "sample-fee-only", severity="info"),
    Case("S08", "pass", lambda: sample(1, text=True), "sample-01"),
    Case("S08", "pass", lambda: sample(2, text=True), "sample-02-before-2021"),
    Case("S08", "fail", lambda: xingtai(("other", XINGTAI_SIX)), "xingtai", severity="info"),
    Case("S08", "pass", lambda: from_gold("syn-04-districtgov-2022", tuple(("other", t) for t in SYN04_SIX)), "syn04"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    verify(case)
