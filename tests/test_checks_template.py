"""V01–V05 read report.template_info as the template mapping stage fills it (written here, beside
the cells of the project's samples or of the real reports of ../shared)."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the shared builders live beside the tests
from extractor.report import TemplateInfo  # noqa: E402
from test_checks_support import Case, from_gold, sample, single_other_row, verify, with_subtotals  # noqa: E402

ALL_TABLES = {"t1": True, "t2": True, "t3": True}
V2021_FEATURES = ["本年制发件数", "现行有效件数", "本年收费金额", "行政规范性文件"]
V2021 = {"fingerprint": "v2021", "scores": {"v2021": 6, "v2019": 0}, "features": {"v2021": V2021_FEATURES, "v2019": []},
         "tables_found": ALL_TABLES, "missing_rows": [], "misprinted": [], "extra_rows": [], "extra_cols": []}
# 洪泽 2023/2024: v2021 t1, but t2 prints （六）其他处理 as one row, and a misprinted row label
HONGZE = {**V2021, "fingerprint": "hybrid", "scores": {"v2021": 5, "v2019": 1},
          "features": {"v2021": V2021_FEATURES, "v2019": ["（六）其他处理 as a single data row"]},
          "missing_rows": ["t2.other.no_correction", "t2.other.unpaid_fee", "t2.other.other"],
          "misprinted": [{"key": "t2.deny.law_forbidden", "printed": "2.其他法律行政止公开",
                          "expected": "2.其他法律行政法规禁止公开"}]}
SYN10 = {**HONGZE, "misprinted": []}
V2019 = {**V2021, "fingerprint": "v2019", "scores": {"v2021": 0, "v2019": 7}}


def gold(stem, info, **meta):
    report = from_gold(stem, **meta)
    report.template_info = TemplateInfo(**info)
    return report


def without_t2():
    report = gold("xingtai-gxj-2023", {**V2021, "tables_found": {**ALL_TABLES, "t2": False}})
    report.cells = {k: c for k, c in report.cells.items() if not k.startswith("t2.")}
    return report


def image_t2():
    report = without_t2()
    report.status = "partial"  # the reader saw table 三 but could not read it (e.g. an image, no OCR)
    return report


def on_sample(number, info, transform=None, **meta):
    """Sample `number`'s cells (changed by `transform`) with the template facts `info`."""
    report = sample(number, **meta)
    if transform:
        report = transform(report)
    report.template_info = TemplateInfo(**info)
    return report


# sample-01 printed with one （六）其他处理 row: the hybrid 洪泽 prints (without its misprinted label)
SINGLE_OTHER = {**HONGZE, "misprinted": []}


def sample_without_t2(status="ok"):
    report = on_sample(1, {**V2021, "tables_found": {**ALL_TABLES, "t2": False}})
    report.cells = {k: c for k, c in report.cells.items() if not k.startswith("t2.")}
    report.status = status  # partial: the reader saw table 三 but could not read it
    return report


CASES = [
    Case("V01", "fail", lambda: on_sample(1, V2021), "sample-reports-version", severity="info"),
    Case("V01", "fail", lambda: on_sample(2, V2019), "sample-v2019", severity="info"),
    Case("V01", "pass", lambda: on_sample(1, {}), "sample-mapping-not-run"),
    Case("V01", "fail", lambda: gold("xingtai-gxj-2023", V2021), "reports-version", severity="info"),
    Case("V01", "pass", lambda: gold("xingtai-gxj-2023", {}), "mapping-not-run"),
    Case("V02", "fail", lambda: on_sample(1, SINGLE_OTHER, single_other_row), "sample-hybrid", severity="warning",
         cells=("t2.other.total",)),
    Case("V02", "fail", lambda: on_sample(2, V2019, report_year=2022), "sample-v2019-in-2022",
         cells=("t1.normative_docs.new_made",)),
    Case("V02", "fail", lambda: on_sample(1, V2021, report_year=2020), "sample-v2021-in-2020", severity="warning",
         cells=("t1.normative_docs.made",)),
    Case("V02", "pass", lambda: on_sample(1, V2021), "sample-v2021-in-2023"),
    Case("V02", "pass", lambda: on_sample(2, V2019), "sample-v2019-in-2020"),
    Case("V02", "pass", lambda: on_sample(4, V2021), "sample-v2021-in-2021"),
    Case("V02", "fail", lambda: gold("huaian-hongze-2023", HONGZE), "hongze-hybrid", severity="warning",
         cells=("t2.other.total",)),
    Case("V02", "fail", lambda: gold("syn-10-countygov-2022", SYN10), "syn10-hybrid", severity="warning",
         cells=("t2.other.total",)),
    Case("V02", "fail", lambda: gold("syn-01-citydept-2020", V2019, report_year=2022), "v2019-in-2022",
         cells=("t1.normative_docs.new_made",)),
    Case("V02", "fail", lambda: gold("xingtai-gxj-2023", V2021, report_year=2020), "v2021-in-2020",
         severity="warning"),
    Case("V02", "pass", lambda: gold("xingtai-gxj-2023", V2021), "v2021-in-2023"),
    Case("V02", "pass", lambda: gold("shanghai-office-2019", V2019), "v2019-in-2019"),
    Case("V03", "fail", sample_without_t2, "sample-no-t2"),
    Case("V03", "fail", lambda: sample_without_t2("partial"), "sample-t2-is-an-image", severity="info"),
    Case("V03", "pass", lambda: on_sample(1, V2021), "sample"),
    Case("V03", "pass", lambda: on_sample(1, {**V2021, "tables_found": {**ALL_TABLES, "t2": False}}),
         "sample-cells-mapped-anyway"),
    Case("V03", "fail", without_t2, "no-t2"),
    Case("V03", "fail", image_t2, "t2-is-an-image", severity="info"),
    Case("V03", "pass", lambda: gold("xingtai-gxj-2023", V2021)),
    Case("V04", "fail", lambda: on_sample(1, SINGLE_OTHER, single_other_row), "sample-single-other-row",
         cells=("t2.other.total",)),
    Case("V04", "fail", lambda: on_sample(1, {**V2021, "misprinted": [HONGZE["misprinted"][0]]}), "sample-misprint",
         cells=("t2.deny.law_forbidden.total",)),
    Case("V04", "pass", lambda: on_sample(1, V2021), "sample"),
    Case("V04", "pass", lambda: on_sample(1, {**SINGLE_OTHER, "fingerprint": "pre2019_or_custom"}, single_other_row),
         "sample-custom-template"),
    Case("V04", "fail", lambda: gold("huaian-hongze-2023", HONGZE), "hongze-misprint",
         cells=("t2.deny.law_forbidden.total", "t2.other.total")),
    Case("V04", "fail", lambda: gold("syn-10-countygov-2022", SYN10), "syn10-single-other-row",
         cells=("t2.other.total",)),
    Case("V04", "pass", lambda: gold("xingtai-gxj-2023", V2021)),
    Case("V05", "fail", lambda: on_sample(3, {**V2021, "extra_rows": ["t2.deny._subtotal", "t2.unable._subtotal",
                                                                       "t2.reject._subtotal", "t2.other._subtotal"],
                                              "extra_cols": ["t2.*.legal_subtotal"]}, with_subtotals),
         "sample-subtotal-rows", severity="info", cells=("t2.deny._subtotal.total", "t2.other._subtotal.total")),
    Case("V05", "pass", lambda: on_sample(3, V2021), "sample"),
    Case("V05", "fail", lambda: gold("syn-05-districtgov-2021", {**V2021, "extra_rows": [
        "t2.deny._subtotal", "t2.unable._subtotal", "t2.reject._subtotal", "t2.other._subtotal"]}),
         "subtotal-rows", severity="info", cells=("t2.deny._subtotal.total",)),
    Case("V05", "pass", lambda: gold("xingtai-gxj-2023", V2021)),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case):
    verify(case)
