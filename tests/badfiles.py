"""Hostile and broken input files, written at test time (nothing here is committed as a binary).

Each `make_*` writes one file into a folder and returns its path. PDFs are written by hand (a few
objects and an xref table) so that no PDF library is needed to produce them.
"""
from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

# ------------------------------------------------------------------------------ a tiny PDF writer


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_bytes(objects: dict[int, bytes], trailer: bytes = b"") -> bytes:
    """A PDF from numbered object bodies; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[i]) if i in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, xref)
    return bytes(out)


def _esc(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def text_pages_pdf(pages: list[list[str]]) -> bytes:
    """A text PDF (Helvetica, Latin text): one list of lines per page."""
    objs: dict[int, bytes] = {3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    num = 4
    for lines in pages:
        ops = [b"BT /F1 11 Tf 14 TL 72 760 Td"]
        ops += [b"(%s) '" % _esc(line) for line in lines]
        ops.append(b"ET")
        objs[num + 1] = stream(b"\n".join(ops))
        objs[num] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                     b"/Resources << /Font << /F1 3 0 R >> >> >>" % (num + 1))
        kids.append(num)
        num += 2
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_bytes(objs)


NOT_A_REPORT_LINES = [
    "Quarterly maintenance schedule for the municipal water works",
    "Pump station 3: replace seals, check the pressure gauges.",
    "Pump station 7: clean the intake screens.",
    "Contact the duty engineer for any change to this schedule.",
]


def make_not_a_report_pdf(folder: Path, name: str = "maintenance.pdf") -> Path:
    p = folder / name
    p.write_bytes(text_pages_pdf([NOT_A_REPORT_LINES]))
    return p


def make_many_pages_pdf(folder: Path, n: int = 500, name: str = "five-hundred-pages.pdf") -> Path:
    p = folder / name
    p.write_bytes(text_pages_pdf([[f"Page {i + 1} of {n}", *NOT_A_REPORT_LINES] for i in range(n)]))
    return p


def make_huge_page_count_pdf(folder: Path, n: int = 20000, name: str = "twenty-thousand-pages.pdf") -> Path:
    """n real (empty) pages sharing one content stream: a small file, a huge page count."""
    objs = {3: stream(b"")}
    kids = list(range(4, 4 + n))
    for k in kids:
        objs[k] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), n)
    p = folder / name
    p.write_bytes(pdf_bytes(objs))
    return p


def make_deep_page_tree_pdf(folder: Path, depth: int = 5000, name: str = "deep-page-tree.pdf") -> Path:
    """A page tree nested `depth` levels deep (each /Pages node has one /Pages kid)."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for i in range(depth):
        num = 2 + i
        objs[num] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (num + 1)
    leaf = 2 + depth
    objs[leaf] = b"<< /Type /Page /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (leaf + 1)
    objs[leaf + 1] = stream(b"BT ET")
    p = folder / name
    p.write_bytes(pdf_bytes(objs))
    return p


def make_deep_nesting_pdf(folder: Path, depth: int = 50000, name: str = "deep-nesting.pdf") -> Path:
    """One page whose resources hold an array nested `depth` levels deep, and a content stream
    with as deeply nested arrays."""
    nested = b"[" * depth + b"]" * depth
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> /Deep " + nested + b" >> >>",
        4: stream(b"BT /F1 11 Tf 72 760 Td (Deep) Tj ET\n" + nested + b" pop"),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    p = folder / name
    p.write_bytes(pdf_bytes(objs))
    return p


def make_image_only_pdf(folder: Path, name: str = "scanned.pdf") -> Path:
    """One page that is a single grey image: a scan without a text layer."""
    w = h = 64
    pixels = bytes((x * 4 + y) % 256 for y in range(h) for x in range(w))
    img = zlib.compress(pixels)
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        4: stream(b"q 500 0 0 700 48 70 cm /Im1 Do Q"),
        5: stream(img, b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                       b"/BitsPerComponent 8 /Filter /FlateDecode " % (w, h)),
    }
    p = folder / name
    p.write_bytes(pdf_bytes(objs))
    return p


# -- encryption: the standard security handler, revision 2 (RC4, 40-bit), written out in full

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(lines: list[str], user_password: str, owner_password: str = "owner") -> bytes:
    """A one-page text PDF encrypted with RC4-40 (PDF 1.4 standard security handler, R2)."""
    pad = lambda pw: (pw.encode("latin-1") + _PAD)[:32]  # noqa: E731
    o_key = hashlib.md5(pad(owner_password)).digest()[:5]
    o_value = _rc4(o_key, pad(user_password))
    perms = -44  # printing allowed, copying and changing not
    file_id = hashlib.md5(b"xxgk-bad-input").digest()
    key = hashlib.md5(pad(user_password) + o_value + struct.pack("<i", perms) + file_id).digest()[:5]
    u_value = _rc4(key, _PAD)

    def enc(num: int, data: bytes) -> bytes:
        k = hashlib.md5(key + struct.pack("<i", num)[:3] + b"\x00\x00").digest()[:10]
        return _rc4(k, data)

    content = b"BT /F1 11 Tf 14 TL 72 760 Td " + b" ".join(b"(%s) '" % _esc(t) for t in lines) + b" ET"
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: stream(enc(4, content)),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        6: b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
            o_value.hex().encode(), u_value.hex().encode(), perms),
    }
    return pdf_bytes(objs, b"/Encrypt 6 0 R /ID [<%s> <%s>] " % (file_id.hex().encode(), file_id.hex().encode()))


def make_encrypted_pdf(folder: Path, name: str = "locked.pdf") -> Path:
    p = folder / name
    p.write_bytes(encrypted_pdf(NOT_A_REPORT_LINES, user_password="secret"))
    return p


def make_truncated_pdf(folder: Path, source: Path, keep: float = 0.4, name: str = "truncated.pdf") -> Path:
    data = source.read_bytes()
    p = folder / name
    p.write_bytes(data[: int(len(data) * keep)])
    return p


# ------------------------------------------------------------------------------ DOCX and HTML

_CT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/word/document.xml" '
       b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       b"</Types>")
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def _paragraphs_xml(texts: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ' + _W + b"><w:body>"
            + body.encode() + b"</w:body></w:document>")


NOT_A_REPORT_TEXT = ["关于召开2024年度安全生产工作会议的通知", "各科室：",
                     "定于下周三上午九时在三楼会议室召开安全生产工作会议，请各科室负责人准时参加。",
                     "联系人：张三", "办公室", "2024年3月1日"]


def make_not_a_report_docx(folder: Path, name: str = "meeting-notice.docx") -> Path:
    p = folder / name
    p.write_bytes(docx_bytes(_paragraphs_xml(NOT_A_REPORT_TEXT)))
    return p


def make_zip_bomb_docx(folder: Path, size_mb: int = 120, name: str = "zip-bomb.docx") -> Path:
    """word/document.xml decompresses to `size_mb` MB (a few hundred KB compressed)."""
    p = folder / name
    head = b'<?xml version="1.0"?><w:document ' + _W + b"><w:body><w:p><w:r><w:t>"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(head)
            chunk = b"A" * 2**20
            for _ in range(size_mb):
                f.write(chunk)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return p


def make_lying_zip_bomb_docx(folder: Path, size_mb: int = 20, name: str = "zip-bomb-lying.docx") -> Path:
    """Like make_zip_bomb_docx, but both zip headers claim document.xml is 1,000 bytes."""
    p = folder / name
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>"
                   + b"A" * (size_mb * 2**20) + b"</w:t></w:r></w:p></w:body></w:document>")
    data = raw.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("word/document.xml")
        pos = z.start_dir  # where the central directory begins
    # The uncompressed size sits in the local header (offset 22) and in the central directory
    # entry (offset 24), both 4-byte little-endian.
    real, fake = struct.pack("<I", info.file_size), struct.pack("<I", 1000)
    out = bytearray(data)
    local = info.header_offset
    assert out[local + 22:local + 26] == real
    out[local + 22:local + 26] = fake
    while out[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack("<HHH", out[pos + 28:pos + 34])
        if out[pos + 46:pos + 46 + n] == info.filename.encode():
            assert out[pos + 24:pos + 28] == real
            out[pos + 24:pos + 28] = fake
            break
        pos += 46 + n + m + k
    else:
        raise AssertionError("central directory entry not found")
    p.write_bytes(bytes(out))
    return p


def make_content_types_bomb_docx(folder: Path, size_mb: int = 120, name: str = "zip-bomb-types.docx") -> Path:
    """A zip without word/document.xml whose [Content_Types].xml decompresses to size_mb MB
    (the format sniffer reads this part)."""
    p = folder / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("[Content_Types].xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><Types>')
            chunk = b" " * 2**20
            for _ in range(size_mb):
                f.write(chunk)
            f.write(b"</Types>")
    return p


_LAUGHS = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
_DTD = '<!DOCTYPE lolz [<!ENTITY lol0 "lol">' + _LAUGHS + "]>"


def make_billion_laughs_docx(folder: Path, name: str = "billion-laughs.docx") -> Path:
    xml = ('<?xml version="1.0" encoding="UTF-8"?>' + _DTD.replace("lolz", "w:document")
           + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")
    p = folder / name
    p.write_bytes(docx_bytes(xml.encode()))
    return p


def make_billion_laughs_html(folder: Path, name: str = "billion-laughs.html") -> Path:
    html = (_DTD.replace("lolz", "html") + "<html><head><meta charset='utf-8'><title>&lol9;</title></head>"
            "<body><p>&lol9;</p><p>&lol9;&lol9;&lol9;</p></body></html>")
    p = folder / name
    p.write_text(html, encoding="utf-8")
    return p


def make_deep_html(folder: Path, depth: int = 100000, name: str = "deep-nesting.html") -> Path:
    p = folder / name
    p.write_text("<html><body>" + "<div>" * depth + "深" + "</div>" * depth + "</body></html>", encoding="utf-8")
    return p


def make_gbk_html_without_charset(folder: Path, source: Path, name: str = "gbk-no-charset.html") -> Path:
    """A UTF-8 report page re-encoded as GBK with its charset declaration removed."""
    import re
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"<meta[^>]*charset[^>]*>", "", text, flags=re.I)
    p = folder / name
    p.write_bytes(text.encode("gbk", errors="replace"))
    return p


# ------------------------------------------------------------------------------ the file system


def make_fifo(folder: Path, name: str = "pipe.pdf") -> Path:
    p = folder / name
    os.mkfifo(p)
    return p


def make_dangling_symlink(folder: Path, name: str = "gone.pdf") -> Path:
    p = folder / name
    p.symlink_to(folder / "does-not-exist.pdf")
    return p


def make_symlink_loop(folder: Path) -> list[Path]:
    """loop-a.pdf → loop-b.pdf → loop-a.pdf, and a folder link back to its parent."""
    a, b = folder / "loop-a.pdf", folder / "loop-b.pdf"
    a.symlink_to(b)
    b.symlink_to(a)
    sub = folder / "sub"
    sub.mkdir(exist_ok=True)
    (sub / "up").symlink_to(folder, target_is_directory=True)
    return [a, b]


# ------------------------------------------------------------------------------ faulty extractors


def faulty_extract(path):
    """extract(), except for files whose name says how to fail: hang / crash / oom / raise.
    Used as `audit_folder(extract_fn=faulty_extract)`; runs inside the worker processes."""
    import signal
    import time

    name = Path(path).name
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("exit"):
        os._exit(3)
    if name.startswith("oom"):
        hog = bytearray(16 * 2**30)  # far beyond the worker's address-space limit
        return hog
    if name.startswith("raise"):
        raise ValueError("boom")
    from extractor.pipeline import extract
    return extract(path)


# ------------------------------------------------------------------------------ comparing databases

_VOLATILE = {"id", "audited_at"}


def db_dump(db_path) -> dict[str, list[tuple]]:
    """Every row of every table, without row ids and timestamps (columns `id`, `*_at`), sorted:
    two databases with equal dumps hold the same reports (and the same derived tables)."""
    import sqlite3

    conn = sqlite3.connect(str(db_path))
    try:
        out = {}
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for t in tables:
            if "fts" in t.lower():  # full-text index: derived from paragraphs, laid out by row id
                continue
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{t}])")
                    if r[1] not in _VOLATILE and not r[1].endswith("_at")]  # ids and timestamps
            if not cols:
                continue
            rows = conn.execute(f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM [{t}]").fetchall()
            out[t] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()
