"""Review packets (`xxgk export --by-issuer OUTDIR`): what each issuing unit must fix.

Per issuer a DOCX 审核意见 listing each open problem (表/行/列 in words, page, quote, the evidence
image of a PDF, what to check), flags that follow from one omission grouped under their first
cause; one XLSX workbook with a summary sheet (counts per issuer and severity, ranked) and one
sheet per issuer; one CSV (UTF-8 with BOM) of every open problem. "Open" = not dismissed by a
reviewer (a confirmed problem is still the unit's to fix). Errors and warnings only.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Optional

from . import views as V
from .flags_export import COLUMNS, HEADERS, WIDTHS, query_flags, style_sheet, tabular, to_csv
from .resources import load_rules
from .workbench import group_by_cause, report_page

NO_ISSUER = "（未识别发布机关）"
DOCX_PREFIX = "审核意见-"
XLSX_NAME = "审核意见汇总.xlsx"
CSV_NAME = "审核意见汇总.csv"
LEVELS = ["error", "warning"]


def _what(check: str) -> str:
    try:
        for c in load_rules("checks.toml").get("check", []):
            if isinstance(c, dict) and c.get("id") == check:
                return (c.get("what") or "").strip()
    except Exception:  # catalog being edited: the message alone must do
        pass
    return ""


def open_problems(db, issuer: Optional[str] = None) -> dict[str, list[dict]]:
    """issuer → its open problems (errors, then warnings), by report."""
    dismissed = {fp for fp, (status, _) in V.decisions(db).items() if status == "dismissed"}
    rows = [r for r in query_flags(db, LEVELS, None, issuer) if r["fingerprint"] not in dismissed]
    # one unit under one name: the issuer identity of extractor/issuers.py when it has run
    unit: dict[str, str] = {}
    if {"report_issuers", "issuers"} <= set(db.table_names()):
        unit = dict(db.conn.execute("SELECT ri.report, i.name FROM report_issuers ri "
                                    "JOIN issuers i ON i.id = ri.issuer_id"))
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(unit.get(r["report"]) or r["issuer"] or NO_ISSUER, []).append(r)
    return out


def safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:80] or "未命名"


def _sheet_title(text: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", text)[:28] or "机关"
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base[:25]}_{n}"
    taken.add(title)
    return title


def write_docx(path: Path, issuer: str, problems: list[dict], db_path: Optional[str]) -> int:
    """One issuer's 审核意见; returns the number of evidence images placed."""
    from docx import Document
    from docx.shared import Cm, Pt

    from .evidence import render_evidence

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(10.5)
    doc.add_heading("政府信息公开工作年度报告审核意见", level=0)
    doc.add_paragraph(f"发布机关：{issuer}")
    n_err = sum(p["severity"] == "error" for p in problems)
    doc.add_paragraph(f"共 {len(problems)} 个待改正的问题（错误 {n_err} 个，警告 {len(problems) - n_err} 个）。"
                      f"生成时间：{time.strftime('%Y-%m-%d')}")
    images = 0
    layouts: dict[str, Optional[dict]] = {}  # report → its tables as printed (report_page)
    by_report: dict[str, list[dict]] = {}
    for p in problems:
        by_report.setdefault(p["report"], []).append(p)
    for sha, items in by_report.items():
        first = items[0]
        doc.add_heading(f"{first['report_year'] or ''} 年度报告（{first['name']}）", level=1)
        for i, p in enumerate(group_by_cause(items), start=1):
            doc.add_heading(f"问题 {i}：{p['severity_label']}（{p['check']}）", level=2)
            doc.add_paragraph(p["message"])
            if p["where"]:
                doc.add_paragraph(f"位置：{p['where']}")
            pages = sorted({c["page"] for c in p["cell_details"] if c["page"]} | ({p["page"]} if p["page"] else set()))
            if pages:
                doc.add_paragraph(f"页码：第 {'、'.join(map(str, pages))} 页")
            if p["quote"]:
                doc.add_paragraph(f"原文：“{p['quote']}”")
            img = render_evidence(db_path, sha, p["fingerprint"]) if db_path else None
            if img is not None:
                doc.add_paragraph("原件截图（红框为涉及的单元格，橙框为引用的原文）：")
                doc.add_picture(str(img), width=Cm(15))
                images += 1
            elif db_path and p["cells"]:  # a Word or web report: its table, the cells marked
                if sha not in layouts:
                    layouts[sha] = report_page(db_path, sha)
                if layouts[sha]:
                    _add_grid(doc, layouts[sha], set(p["cells"]))
            what = _what(p["check"])
            if what:
                doc.add_paragraph(f"请核对：{what}")
            if p["followers"]:
                doc.add_paragraph(f"由同一原因引起的另外 {len(p['followers'])} 个问题（改正上述问题后一并消除）：")
                for f in p["followers"]:
                    doc.add_paragraph(f"{f['severity_label']}：{f['message']}", style="List Bullet")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return images


def _add_grid(doc, page: dict, keys: set[str]) -> None:
    """The rows of the report's table that hold the flagged cells, as printed; those cells bold on
    red (the Word counterpart of a PDF's evidence image)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for t in page["tables"]:
        rows = [r for r in t["rows"] if any(c["key"] in keys for c in r["cells"])]
        if not rows:
            continue
        doc.add_paragraph(f"报告中的{t['name']}（涉及的单元格标红）：")
        grid = doc.add_table(rows=1 + len(rows), cols=1 + len(t["columns"]))
        grid.style = "Table Grid"
        for j, label in enumerate(t["columns"], start=1):
            grid.cell(0, j).text = label
        for i, row in enumerate(rows, start=1):
            grid.cell(i, 0).text = row["label"]
            for j, c in enumerate(row["cells"], start=1):
                cell = grid.cell(i, j)
                cell.text = c["text"]
                if c["key"] in keys:
                    shade = OxmlElement("w:shd")
                    shade.set(qn("w:val"), "clear")
                    shade.set(qn("w:fill"), "F8C9C4")
                    cell._tc.get_or_add_tcPr().append(shade)
                    for run in cell.paragraphs[0].runs:
                        run.bold = True


def write_workbook(path: Path, packets: dict[str, list[dict]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    summary.append(["排名", "发布机关", "报告数", "错误", "警告", "合计"])
    ranked = sorted(packets.items(), key=lambda kv: (-sum(p["severity"] == "error" for p in kv[1]),
                                                     -len(kv[1]), kv[0]))
    for rank, (issuer, problems) in enumerate(ranked, start=1):
        n_err = sum(p["severity"] == "error" for p in problems)
        summary.append([rank, issuer, len({p["report"] for p in problems}), n_err,
                        len(problems) - n_err, len(problems)])
    style_sheet(summary, [6, 30, 8, 8, 8, 8])
    taken = {"汇总"}
    for issuer, problems in ranked:
        ws = wb.create_sheet(_sheet_title(issuer, taken))
        ws.append([HEADERS[c] for c in COLUMNS])
        for p in problems:
            ws.append(tabular(p))
        style_sheet(ws, [WIDTHS[c] for c in COLUMNS])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))


def export_by_issuer(db, outdir: Path, db_path: Optional[str] = None,
                     issuer: Optional[str] = None) -> dict:
    """Write the packets; returns what was written."""
    packets = open_problems(db, issuer)
    outdir.mkdir(parents=True, exist_ok=True)
    docs, images = [], 0
    for name, problems in packets.items():
        path = outdir / f"{DOCX_PREFIX}{safe_name(name)}.docx"
        images += write_docx(path, name, problems, db_path)
        docs.append(path)
    write_workbook(outdir / XLSX_NAME, packets)
    every = [p for problems in packets.values() for p in problems]
    (outdir / CSV_NAME).write_text(to_csv(every), encoding="utf-8")
    return {"issuers": len(packets), "problems": len(every), "docx": docs, "images": images,
            "xlsx": outdir / XLSX_NAME, "csv": outdir / CSV_NAME}
