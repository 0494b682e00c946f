"""Template mapping: labels to keys, values as printed, version fingerprint, unreadable rows."""
import pytest

from conftest import CORPUS, extracted
from extractor.document import Block, Cell, Document, Table
from extractor.pipeline import build_report
from extractor.template.normalize import label_key, parse_value


@pytest.mark.parametrize("raw,value", [
    ("3,119", 3119), ("7730.28", 7730.28), ("", None), ("\u00a0", None), (" 0 ", 0), ("/", "/"),
    ("—", "—"), ("无", "无"), ("251000元", "251000元"), ("１２", 12), ("0.00", 0.0),
])
def test_values_as_printed(raw, value):
    assert parse_value(raw) == value and type(parse_value(raw)) is type(value)


@pytest.mark.parametrize("printed,canonical", [
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开区分处理的只计这一情形不计其他情形"),
    ("(二)部分公开(区分处理的,只计这一情形,\n不计其他情形)", "部分公开区分处理的只计这一情形不计其他情形"),
    ("3.危及\"三安全一稳定\"", "危及三安全一稳定"), ("商业\n企业", "商业企业"), ("1、本机关不掌握相关政府信息", "本机关不掌握相关政府信息"),
    ("本年收费金额（单位：万元）", "本年收费金额单位万元"), ("三、本\n年度办\n理结果", "本年度办理结果"),
])
def test_label_normalisation(printed, canonical):
    assert label_key(printed) == canonical


@pytest.mark.shared
@pytest.mark.parametrize("stem,fingerprint,template", [
    ("huaian-hongze-2023", "hybrid", "v2021"), ("huaian-hongze-2024", "hybrid", "v2021"),
    ("shanghai-office-2019", "v2019", "v2019"), ("pingtan-2024", "v2021", "v2021"),
    ("xingtai-gxj-2023", "v2021", "v2021"),
])
def test_version_fingerprint(stem, fingerprint, template):
    doc = next(p for p in (CORPUS / "real").iterdir() if p.stem == stem)
    info = extracted(str(doc)).template_info
    assert (info.fingerprint, info.template) == (fingerprint, template)


@pytest.mark.shared
def test_misprinted_label_is_matched_and_recorded():
    report = extracted(str(CORPUS / "real" / "huaian-hongze-2023.pdf"))
    assert report.cells["t2.deny.law_forbidden.total"].row_label == "2.其他法律行政止公开"
    assert {"key": "t2.deny.law_forbidden", "printed": "其他法律行政止公开",
            "expected": "其他法律行政法规禁止公开"} in report.template_info.misprinted
    assert report.template_info.missing_rows == [
        "t2.other.no_correction", "t2.other.unpaid_fee", "t2.other.other"]


def _t3_doc(values: list[str]) -> Document:
    header = ["行政复议"] * 5 + ["行政诉讼"] * 10
    header2 = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    cells = [Cell(0, i, t) for i, t in enumerate(header)] + [Cell(1, i, t) for i, t in enumerate(header2)]
    cells += [Cell(2, i, v) for i, v in enumerate(values)]
    return Document("x.docx", "docx", [
        Block("paragraph", "青禾市某局2023年政府信息公开工作年度报告"),
        Block("paragraph", "四、政府信息公开行政复议、行政诉讼情况"),
        Block("table", table=Table(cells, 3, 15))])


def test_a_row_that_cannot_be_read_is_reported_not_guessed():
    values = ["1", "0", "见附件", "0", "1"] + ["0"] * 10
    report = build_report(_t3_doc(values), "x.docx", "0" * 64)
    assert not any(k.startswith("t3.") for k in report.cells)
    assert report.status == "partial"
    assert any("表四" in m for m in report.messages)


def test_t3_row_maps_in_template_order():
    values = [str(i) for i in range(15)]
    report = build_report(_t3_doc(values), "x.docx", "0" * 64)
    assert report.cells["t3.review.upheld"].value == 0
    assert report.cells["t3.lit_direct.total"].value == 9
    assert report.cells["t3.lit_after_review.total"].value == 14
    assert report.cells["t3.lit_after_review.pending"].col_label == "尚未审结"


def test_not_a_report():
    doc = Document("memo.docx", "docx", [Block("paragraph", "关于召开会议的通知"), Block("paragraph", "各单位：……")])
    report = build_report(doc, "memo.docx", "0" * 64)
    assert report.status == "not_a_report"
    assert report.messages[0].startswith("memo.docx 不是政府信息公开工作年度报告")


def _sample_03_with(tmp_path, old: str, new: str):
    from extractor.pipeline import extract
    from conftest import ROOT

    src = ROOT / "corpus" / "sample-03-districtgov-2022.html"
    html = src.read_text(encoding="utf-8")
    assert html.count(old) == 1
    path = tmp_path / src.name
    path.write_text(html.replace(old, new), encoding="utf-8")
    return extract(path)


def test_a_row_with_a_misread_figure_is_unread_and_no_check_counts_it(tmp_path):
    """表三 row 7 with a figure misread as a letter ("J" for "/", as a blurred scan gives it): the
    row is named and not recorded, the report is partial, it is no missing row (V04), and the
    sums that need it (T2-01 across the row, T2-02 down its columns) are not evaluated instead of
    counting it as 0 — which would accuse the document of a total that does not add up."""
    row = "<tr><td>7.属于行政执法案卷</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>"
    report = _sample_03_with(tmp_path, row, row.replace("<td>2</td><td>0</td>", "<td>2</td><td>J</td>", 1))
    assert report.status == "partial"
    assert "表三“7.属于行政执法案卷”一行的数值无法逐格读出，未记录该行" in report.messages
    assert not any(k.startswith("t2.deny.enforcement_file.") for k in report.cells)
    assert "t2.deny.enforcement_file.total" in {u["key"] for u in report.template_info.unread}
    assert report.template_info.missing_rows == []
    assert not [f.message for f in report.flags if f.severity == "error"]
    notes = {f.check: f.message for f in report.flags if f.severity == "info" and "无法核对" in f.message}
    assert notes["T2-02"] == "T2-02 无法核对：表三“7.属于行政执法案卷”行未能逐格读出，本项核对未进行（未按0计）"
    assert "T2-01" in notes


def test_more_figures_than_known_columns_leave_the_row_unread(tmp_path):
    """表二's 规章 row under a header whose first column label is not recognised: three figures
    for two known columns. Which is which is unknown, so the row is not recorded."""
    report = _sample_03_with(tmp_path, "<td>本年制发件数</td>", "<td>本年发件数</td>")
    assert report.status == "partial"
    assert "表二“规章”一行的数值无法逐格读出，未记录该行" in report.messages
    assert "t1.regulations.repealed" not in report.cells


@pytest.mark.parametrize("old,new", [
    ("<td>本年制发件数</td><td>本年废止件数</td>", '<td colspan="2">本年制发件数本年废止件数</td>'),
    ("<td>商业<br>企业</td><td>科研<br>机构</td>", '<td colspan="2">商业企业科研机构</td>'),
], ids=["t1", "t2"])
def test_column_labels_run_together_over_their_columns(tmp_path, old, new):
    """A scan that lost the ruling between two column labels reads them as one header cell over
    both columns ("本年制发件数本年废止件数"): each column keeps its label, every cell is exact."""
    import json
    from conftest import ROOT

    gold = json.loads((ROOT / "corpus" / "sample-03-districtgov-2022.json").read_text(encoding="utf-8"))
    report = _sample_03_with(tmp_path, old, new)
    assert report.status == "ok", report.messages
    assert {k: c.value for k, c in report.cells.items()} == gold["cells"]


def test_labels_run_together_in_one_column_are_not_split(tmp_path):
    """The same text in a cell one column wide is no pair of columns: its row's three figures
    meet two known columns, and the row is left unread."""
    report = _sample_03_with(tmp_path, "<td>本年制发件数</td><td>本年废止件数</td>",
                             "<td>本年制发件数本年废止件数</td><td></td>")
    assert report.status == "partial"
    assert "表二“规章”一行的数值无法逐格读出，未记录该行" in report.messages
