"""Legacy Word (.doc) and WPS (.wps) files → Document, by way of DOCX.

LibreOffice (soffice, headless) converts the file to DOCX in a private temporary directory with
its own throw-away user profile (so conversions never share or lock the user's profile and can
run side by side), under a time limit after which the whole process group is killed; the DOCX
reader then reads the result. The Document keeps the original path and says "doc" or "wps".
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

from ..document import Document, ReadError

TIMEOUT = 120  # seconds for one conversion
_APT = "apt-get install libreoffice-writer-nogui"
_MAC = "/Applications/LibreOffice.app/Contents/MacOS/soffice"


def soffice() -> Optional[str]:
    """The LibreOffice executable: $XXGK_SOFFICE, else soffice / libreoffice on PATH."""
    env = os.environ.get("XXGK_SOFFICE")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return _MAC if Path(_MAC).is_file() else None


def read(path) -> Document:
    p = Path(path)
    name = p.name
    kind = "wps" if p.suffix.lower() == ".wps" else "doc"
    exe = soffice()
    if exe is None:
        raise ReadError("needs_soffice", f"{name} 是 .{kind} 格式，需要先用 LibreOffice 转换才能读取，"
                                         f"但没有找到 soffice。请安装 LibreOffice（Debian/Ubuntu：{_APT}）"
                                         "并确保 soffice 在 PATH 中")
    from .docx import read as read_docx

    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as tmp:
        converted = _convert(exe, p, Path(tmp), kind)
        try:
            doc = read_docx(converted)
        except ReadError as e:
            raise ReadError(e.status, e.message.replace(converted.name, name)) from None
    doc.path = str(path)
    doc.format = kind
    for block in doc.blocks:
        # LibreOffice writes the default paragraph style out on every paragraph, where the
        # original left it implicit: the same paragraph, so the same hints as a DOCX.
        if block.hints.get("style") == "Normal":
            del block.hints["style"]
    return doc


def _convert(exe: str, src: Path, tmp: Path, kind: str) -> Path:
    """src → tmp/out/input.docx. The input is copied under a plain name: LibreOffice reads the
    name as options when it starts with "-", and the output name follows the input's."""
    name = src.name
    try:
        data = src.read_bytes()
    except OSError as e:
        raise ReadError("error", f"{name} 无法打开：{e.strerror or e}") from e
    # Kingsoft WPS files are Word 97 binaries: ".doc" picks LibreOffice's Word filter, where
    # ".wps" would make it try Microsoft Works first. A real Works file gets a second try.
    suffixes = [".doc", ".wps"] if kind == "wps" else [".doc"]
    detail = ""
    for suffix in suffixes:
        work = tmp / f"try{suffix[1:]}"
        out = work / "out"
        out.mkdir(parents=True)
        inp = work / f"input{suffix}"
        inp.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
               "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(inp)]
        code, stderr = _run(cmd, name, work)
        result = out / "input.docx"
        if code == 0 and result.is_file() and result.stat().st_size > 0:
            return result
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else f"退出码 {code}"
    raise ReadError("error", f"{name} 无法由 LibreOffice 转换为 DOCX（{detail}），文件可能已损坏或加密")


def _run(cmd: list[str], name: str, work: Path) -> tuple[int, str]:
    env = dict(os.environ, HOME=str(work), SAL_USE_VCLPLUGIN="svp")
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=str(work),
                                start_new_session=True)
    except OSError as e:
        raise ReadError("needs_soffice", f"{name} 需要 LibreOffice 转换，但无法启动 {cmd[0]}："
                                         f"{e.strerror or e}。请安装 LibreOffice（Debian/Ubuntu：{_APT}）") from e
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ReadError("error", f"{name} 转换超时：LibreOffice 超过 {TIMEOUT} 秒未完成，已终止") from None
    except BaseException:
        _kill(proc)
        raise
    return proc.returncode, err.decode("utf-8", "replace")


def _kill(proc: subprocess.Popen) -> None:
    """Kill soffice and everything it started (oosplash starts soffice.bin)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        pass
