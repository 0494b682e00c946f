#!/usr/bin/env python3
"""Write the committed demo samples (corpus/sample-*.{docx,html,pdf} + gold JSON beside each).

    python corpus/make_samples.py            # regenerate into corpus/
    python corpus/make_samples.py --out DIR  # somewhere else
    python corpus/make_samples.py --no-pdf   # skip LibreOffice (PDF samples are not written)

Deterministic: fixed seeds, no network. DOCX and HTML are byte-identical across runs; PDFs depend on
the local LibreOffice build (their gold pages are read back from the produced PDF with pdfplumber).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import samplegen  # noqa: E402

HERE = Path(__file__).resolve().parent

# All issuers are invented (青禾市, 云岭县, 桐湾区 ...). Clean samples carry traps; 04 and 06 carry defects.
SAMPLES: list[dict] = [
    {"stem": "sample-01-citydept-2023", "issuer": "青禾市交通运输局", "year": 2023, "format": "docx",
     "published": "2024-01-20", "seed": 101, "scale": "medium", "overview_paras": 4,
     "traps": ["growth", "no_review_zero"]},
    {"stem": "sample-02-countygov-2020", "issuer": "云岭县人民政府", "year": 2020, "format": "docx",
     "published": "2021-02-08", "seed": 202, "scale": "small", "overview_paras": 3,
     "traps": ["natural_only"], "zero_style": {"t2": ""}},
    {"stem": "sample-03-districtgov-2022", "issuer": "青禾市桐湾区人民政府", "year": 2022, "format": "html",
     "encoding": "utf-8", "chrome": True, "published": "2023-03-10", "seed": 303, "scale": "large",
     "overview_paras": 4, "split_labels": True, "traps": ["sidebar_links"], "zero_style": {"t3": "/"}},
    {"stem": "sample-04-countydept-2021", "issuer": "云岭县市场监督管理局", "year": 2021, "format": "html",
     "encoding": "gbk", "chrome": False, "published": "2022-01-25", "seed": 404, "scale": "medium",
     "overview_paras": 3, "halfwidth": True, "zero_style": {"t1": "/"}, "defects": ["T2-01"]},
    {"stem": "sample-05-citygov-2023", "issuer": "青禾市人民政府", "year": 2023, "format": "pdf",
     "published": "2024-03-15", "seed": 505, "scale": "large", "overview_paras": 4, "fee_yuan": 380,
     "traps": ["no_review_zero"]},
    {"stem": "sample-06-citydept-2023", "issuer": "青禾市卫生健康委员会", "year": 2023, "format": "pdf",
     "published": "2023-12-20", "seed": 606, "scale": "medium", "overview_paras": 4, "defects": ["R05", "D03"],
     "notes": "t2 continues over a page break (rows split between two pages)"},
]
SPLIT_TABLE = {"sample-06-citydept-2023"}  # PDF samples whose t2 must straddle a page break


def t2_pages(pdf: Path) -> tuple[int, int]:
    """Pages of the first and last t2 data row labels."""
    a, b = samplegen.pdf_find_pages(pdf, ["一、本年新收政府信息公开申请数量", "四、结转下年度继续办理"])
    return a, b


def build(outdir: Path, pdf: bool = True) -> list[dict]:
    """Write every sample into outdir; return the golds (PDF golds without pages when pdf=False)."""
    outdir.mkdir(parents=True, exist_ok=True)
    golds, pending = [], []
    with tempfile.TemporaryDirectory(prefix="xxgk-samples-") as tmp:
        for spec in SAMPLES:
            data, gold = samplegen.make_report(spec, pdf=False)
            if spec["format"] == "pdf":
                src = Path(tmp) / f"{spec['stem']}.docx"
                src.write_bytes(data)
                pending.append((src, gold))
            else:
                samplegen.write_report(outdir, data, gold)
            golds.append(gold)
        if pdf and pending:
            for out, (_, gold) in zip(samplegen.docx_to_pdf([s for s, _ in pending], Path(tmp)), pending):
                data = out.read_bytes()
                path = samplegen.write_report(outdir, data, samplegen.finish_pdf_gold(gold, data))
                if path.stem in SPLIT_TABLE:
                    a, b = t2_pages(path)
                    if not (a and b and b > a):
                        raise SystemExit(f"{path.name}: t2 is not split across pages ({a}, {b}); adjust the spec")
    return golds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--no-pdf", action="store_true")
    args = ap.parse_args()
    golds = build(args.out, pdf=not args.no_pdf)
    for g in golds:
        flags = ", ".join(f["check"] for f in g["expected_flags"]) or "clean"
        print(f"{g['document']:34s} {g['template']}  {flags}")


if __name__ == "__main__":
    main()
