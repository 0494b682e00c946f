"""Find a file's real format from its content and hand it to the matching reader.

Government sites publish files under misleading names (a .doc that is HTML, a .pdf that is a
DOCX), so the content decides; the extension only breaks ties.
"""
from __future__ import annotations

import codecs
import importlib
import re
import stat
import zipfile
from pathlib import Path
from typing import Optional

from ..document import Document, ReadError

_HEAD_BYTES = 8192
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Tags that only an HTML document starts with, and tags that an HTML fragment may start with.
_HTML_STRONG = re.compile(r"<(?:!doctype\s+html|html|head|body|meta)\b", re.I)
_HTML_WEAK = re.compile(r"<(?:table|div|p|span|title|br|h[1-6]|font|center|style)\b", re.I)
_MODULES = {"pdf": "pdf", "docx": "docx", "html": "html", "txt": "text", "doc": "legacy", "wps": "legacy"}
_NAMES = {"rtf": "RTF文档", "zip": "ZIP压缩包（不是Word文档）", "binary": "二进制文件"}


def sniff(path) -> str:
    """Return pdf | docx | html | txt | doc | wps | unknown."""
    kind = _kind(Path(path))
    return kind if kind in _MODULES else "unknown"


def read(path, pdf_engine: Optional[str] = None) -> Document:
    """The file's Document. pdf_engine: how text PDFs are read ("pdfium", the default, or
    "pdfplumber"; extractor/readers/pdfobjects.py)."""
    p = Path(path)
    name = p.name
    try:
        st = p.stat()
    except OSError as e:
        raise ReadError("error", f"{name} 无法打开：{e.strerror or e}") from e
    if not stat.S_ISREG(st.st_mode):
        raise ReadError("error", f"{name} 不是普通文件（目录、命名管道或设备），无法读取")
    if st.st_size == 0:
        raise ReadError("error", f"{name} 是空文件（0字节）")
    kind = _kind(p)
    module = _MODULES.get(kind)
    if kind == "unreadable":
        raise ReadError("error", f"{name} 无法打开")
    if module is None:
        raise ReadError("unsupported", f"{name} 的格式无法识别（检测为{_NAMES.get(kind, kind)}），"
                                       "只支持 PDF、DOCX、DOC/WPS、HTML 和纯文本")
    reader = _module(module)
    if reader is None:  # legacy.py, the .doc/.wps reader, is optional
        raise ReadError("needs_soffice", f"{name} 是 .{kind} 格式，需要安装 LibreOffice（soffice）"
                                         "将 .doc/.wps 转换后才能读取")
    try:
        doc = reader.read(p, engine=pdf_engine) if kind == "pdf" and pdf_engine else reader.read(p)
    except ReadError as e:
        # A PDF without a text layer is a scan: OCR it when the OCR reader is there (it explains
        # itself if its optional dependencies are missing).
        ocr = _module("ocr") if e.status == "needs_ocr" and kind == "pdf" else None
        if ocr is None:
            raise
        return ocr.read(p, why=e.message)  # a scan, or text that cannot be decoded
    if kind == "pdf" and doc.meta.get("pages_without_text"):
        return _ocr_scanned_pages(doc, p)
    return doc


def _ocr_scanned_pages(doc, p: Path):
    """A PDF with some scanned pages: OCR those pages (when the OCR extra is installed) and put
    their blocks in page order among the text pages'. Without OCR the reader's warning stays."""
    from ..document import Document

    ocr = _module("ocr")
    scanned = set(doc.meta["pages_without_text"])
    try:
        scans = ocr.read(p, only_pages=scanned) if ocr is not None else None
    except ReadError:
        scans = None  # the OCR extra is missing: keep the text pages and the reader's warning
    if scans is None:
        return doc
    blocks = sorted(doc.blocks + scans.blocks, key=lambda b: b.page or 0)  # stable within a page
    # The OCR reader's notice (which pages it read) and warnings (what it could not read) replace
    # the text reader's "没有文字层".
    warnings = [w for w in doc.warnings if "没有文字层" not in w] + scans.warnings
    return Document(path=doc.path, format=doc.format, blocks=blocks, n_pages=doc.n_pages,
                    meta=doc.meta, warnings=warnings, notices=doc.notices + scans.notices)


def _module(module: str):
    """extractor.readers.<module>, or None if that file does not exist."""
    try:
        return importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{module}" or module not in ("legacy", "ocr"):
            raise
        return None


def _kind(p: Path) -> str:
    try:
        if not stat.S_ISREG(p.stat().st_mode):  # opening a FIFO would block
            return "unreadable"
        with open(p, "rb") as f:
            head = f.read(_HEAD_BYTES)
    except OSError:
        return "unreadable"
    ext = p.suffix.lower()
    if not head:
        return "empty"
    if b"%PDF-" in head[:1024]:  # the PDF spec tolerates junk before the header
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(p) else "zip"
    if head.startswith(_OLE2):
        return "wps" if ext == ".wps" else "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    text = _decode_head(head)
    if text is None:
        return "binary"
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith("<"):
        if _HTML_STRONG.search(start[:2048]):
            return "html"
        # A bare fragment ("<p>…") is HTML unless the name says it is plain text.
        if _HTML_WEAK.match(start) and ext != ".txt":
            return "html"
    return "txt"


def _is_docx(p: Path) -> bool:
    try:
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
            if "word/document.xml" in names:
                return True
            if "[Content_Types].xml" in names:  # main part under another name
                with z.open("[Content_Types].xml") as f:  # never decompress a whole part here
                    head = f.read(65536)
                    return b"wordprocessingml.document.main" in head or b"ms-word.document.macroEnabled.main" in head
    except (zipfile.BadZipFile, OSError, KeyError):
        pass
    return False


def _decode_head(head: bytes) -> str | None:
    """The head as text if it looks like text in a Chinese-web encoding, else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            # The read may cut the last multi-byte character: decode incrementally, not final.
            return codecs.getincrementaldecoder(enc)().decode(head, final=len(head) < _HEAD_BYTES)
        except UnicodeDecodeError:
            continue
    return None
