"""One report from a file: read → sections → template tables → metadata → checks."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .document import Document, ReadError
from .report import Report
from .status import Status

# An annual report has tens of pages; a PDF claiming more than this is refused before it is read
# (reading costs time and memory per page: 20,000 empty pages take ~10 s and 200 MB).
MAX_PDF_PAGES = 2000


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_report(doc: Document, path: str, sha: str) -> Report:
    """A Report from an already read Document (no file access)."""
    from .sections.assign import assign_sections
    from .template.mapping import map_document
    from .template.metadata import extract_metadata

    sections, paragraphs = assign_sections(doc)
    mapped = map_document(doc)
    meta = extract_metadata(doc)
    info = mapped.info
    report = Report(
        document=path, sha256=sha, format=doc.format, issuer=meta.issuer,
        report_year=meta.report_year, template=info.template, published=meta.published,
        title=meta.title, period=meta.period, period_text=meta.period_text,
        period_page=meta.period_page, published_text=meta.published_text,
        published_page=meta.published_page, n_pages=doc.n_pages,
        sections=sections, paragraphs=paragraphs, cells=mapped.cells, template_info=info,
        messages=list(doc.warnings) + mapped.warnings + list(doc.notices),
    )
    report.template_info.published_source = meta.published_source
    name = Path(path).name
    found = info.tables_found or {}
    if not any(found.values()) and not sections and meta.title is None:
        report.status = "not_a_report"
        report.template = None
        report.messages.insert(0, f"{name} 不是政府信息公开工作年度报告：没有找到报告标题、六个部分的标题或三张统计表")
    elif not all(found.values()) or mapped.warnings or doc.warnings:
        # ok only when all three tables were read and every row mapped: anything a reader or the
        # mapping could not read exactly (its warning names the table and page) makes it partial
        report.status = "partial"
        missing = [n for k, n in (("t1", "表二（主动公开）"), ("t2", "表三（收到和处理申请）"),
                                  ("t3", "表四（复议诉讼）")) if not found.get(k)]
        if missing:
            report.messages.insert(0, f"{name}：未能读出{'、'.join(missing)}")
    return report


def run_checks(report: Report, config: dict | None = None) -> None:
    """config: the engine's (extractor/config.py resolves the user's --select/--ignore and xxgk.toml)."""
    if Status(report.status).is_read:
        from .checks import run_checks as _run
        from .checks.ocr_confidence import downgrade_low_confidence

        _run(report, config)
        # An error resting on a value OCR read with low confidence may be the OCR's mistake.
        downgrade_low_confidence(report)


def _pdf_page_count(path: str) -> int | None:
    """The page count a PDF's page tree claims (cheap: no page is parsed); None if unknown."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        with open(path, "rb") as f:
            doc = PDFDocument(PDFParser(f))
            count = resolve1(resolve1(doc.catalog.get("Pages")).get("Count"))
    except Exception:  # noqa: BLE001 - encrypted or broken: the reader says why
        return None
    return count if isinstance(count, int) else None


def _check_size(path: str) -> None:
    """Refuse, before reading, a file whose size alone would make reading it unreasonable."""
    try:
        with open(path, "rb") as f:
            is_pdf = b"%PDF-" in f.read(1024)  # as readers.sniff decides
    except OSError:
        return  # the reader says why
    if is_pdf:
        n = _pdf_page_count(path)
        if n is not None and n > MAX_PDF_PAGES:
            raise ReadError("unsupported", f"{Path(path).name} 页数过多（{n} 页，超过 {MAX_PDF_PAGES} 页的上限），"
                                           "不像是一份年度报告，未读取")


def extract(path: str | Path, checks: bool = True, config: dict | None = None) -> Report:
    """Read, map and check one file. Never raises for a bad file: the Report carries the status.
    config: which checks run and with what settings (see run_checks)."""
    from .readers import read

    path = str(path)
    sha = sha256_file(path)
    try:
        _check_size(path)
        doc = read(path, pdf_engine=(config or {}).get("pdf_engine"))
    except ReadError as e:
        if isinstance(e.__cause__, MemoryError):  # a reader's catch-all must not hide it (batch reports 内存不足)
            raise e.__cause__
        return Report(document=path, sha256=sha, format="", status=e.status, messages=[e.message])
    report = build_report(doc, path, sha)
    if checks:
        run_checks(report, config)
    return report


def warm_up(model: bool = True) -> None:
    """Load once what every report needs (readers, rules, jieba with its dictionary, the section
    classifier, the check catalog), so a batch worker's first file costs no more than the others.
    model=False leaves the section classifier (spaCy: ~0.7 s) to the first document whose
    headings do not settle its sections: for a process that reads alone instead of forking
    workers that share it (a cluster worker's reader), where many runs never need it."""
    from .checks.engine import load_catalog
    from .readers import docx, html, pdf, text  # noqa: F401
    from .resources import load_rules, rule_files
    from .sections.classifier import get_model
    from .segment import tokenizer
    from .template import mapping, metadata  # noqa: F401

    for name in rule_files():
        load_rules(name)
    load_catalog()
    tokenizer()
    if model:
        get_model()
