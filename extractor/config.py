"""Check settings a user can reach, the ruff way: `--select` / `--ignore` on the command line and a
config file (`xxgk.toml`, or `[tool.xxgk]` in pyproject.toml), resolved into the config dict that
extractor.checks.engine.run(report, config) takes.

    select = ["R", "T2-01"]     # ids or prefixes of ids (R = R01–R14); only these run
    ignore = ["D04"]            # ids or prefixes never run
    issuer_type = "department"  # department | government | township | other (D04)
    deadlines = { department = "02-15" }   # MM-DD after the report year, per issuer type (D04)
    pdf_engine = "pdfplumber"   # how text PDFs are read: pdfium (default, fast) | pdfplumber (reference)

Layers, as in ruff: the file's select (default: every check) minus the file's ignore; then, if the
command line has --select, that replaces the selection; --ignore removes ids from what is left.
Unknown ids, keys or values raise ConfigError (a Chinese message; the CLI exits 2).

Nothing heavy is imported at module level: the catalog is read only when ids are resolved.
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Iterable, Optional

FILE_NAME = "xxgk.toml"
FILE_KEYS = ("select", "ignore", "issuer_type", "deadlines", "pdf_engine")
# How text PDFs are read (extractor/readers/pdfobjects.py); the first is the default.
PDF_ENGINES = ("pdfium", "pdfplumber")
_MM_DD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class ConfigError(ValueError):
    """A setting no check can honour; the message is Chinese and names what is wrong."""


def find_file(cwd: Optional[Path] = None) -> Optional[tuple[Path, dict]]:
    """(path, table) of the settings in `cwd`: xxgk.toml first, else [tool.xxgk] of pyproject.toml."""
    cwd = Path.cwd() if cwd is None else Path(cwd)
    own = cwd / FILE_NAME
    if own.is_file():
        return own, _read(own)
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {}).get("xxgk")
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError(f"{pyproject}：[tool.xxgk] 必须是一个表")
            return pyproject, table
    return None


def load_file(path: Optional[Path] = None, cwd: Optional[Path] = None) -> tuple[Optional[Path], dict]:
    """The settings table of `path` (an xxgk.toml, or a pyproject.toml's [tool.xxgk]), or of the one
    found in `cwd`; (None, {}) when there is none."""
    if path is None:
        found = find_file(cwd)
        return found if found else (None, {})
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"配置文件不存在：{path}")
    raw = _read(path)
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("xxgk", {})
    return path, raw


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"配置文件 {path} 不是有效的 TOML：{e}") from e
    except OSError as e:
        raise ConfigError(f"无法读取配置文件 {path}：{e.strerror or e}") from e


def split_ids(values: Optional[Iterable[str]]) -> list[str]:
    """`--select R05,T2-01 --select D` → ["R05", "T2-01", "D"] (upper-cased, blanks dropped)."""
    out: list[str] = []
    for v in values or ():
        out.extend(p.strip().upper() for p in str(v).split(",") if p.strip())
    return out


def check_ids() -> list[str]:
    """Ids of every check, per-report and cross-report (X01–X07), in catalog order."""
    from .checks.engine import load_catalog

    return list(load_catalog().checks)


def expand(codes: Iterable[str], where: str, known: Optional[list[str]] = None) -> list[str]:
    """Exact ids and prefixes (`T2` → T2-01…T2-06, `R0` → R01…R09, `D` → D01…D06) → ids."""
    known = check_ids() if known is None else known
    out: list[str] = []
    for code in codes:
        hits = [cid for cid in known if cid == code or cid.startswith(code)]
        if not hits:
            raise ConfigError(f"{where}：未知的检查编号 {code}；可用的编号见 docs/checks.md")
        out.extend(h for h in hits if h not in out)
    return [cid for cid in known if cid in out]  # catalog order: the same settings, the same digest


def resolve(select: Optional[Iterable[str]] = None, ignore: Optional[Iterable[str]] = None,
            config_file: Optional[Path] = None, cwd: Optional[Path] = None,
            pdf_engine: Optional[str] = None) -> dict:
    """The engine config (keys checks, disable, issuer_type, deadlines, pdf_engine) of the command
    line's --select/--ignore/--pdf-engine over the settings file. {} when nothing is set (every
    check, defaults). The default PDF engine is not written: the same settings, the same digest."""
    path, table = load_file(config_file, cwd)
    where = str(path) if path else "配置"
    unknown = sorted(set(table) - set(FILE_KEYS))
    if unknown:
        raise ConfigError(f"{where}：未知的设置 {'、'.join(unknown)}（可用：{'、'.join(FILE_KEYS)}）")
    known = check_ids()
    cli_select, cli_ignore = split_ids(select), split_ids(ignore)
    file_select = split_ids(_list(table, "select", where)) if "select" in table else None
    file_ignore = split_ids(_list(table, "ignore", where))
    config: dict = {}
    if cli_select:
        config["checks"] = expand(cli_select, "--select", known)
        disable = expand(cli_ignore, "--ignore", known)
        expand(file_ignore, f"{where} 的 ignore", known)  # still checked: a typo is reported
    else:
        if file_select is not None:
            config["checks"] = expand(file_select, f"{where} 的 select", known)
        disable = expand(file_ignore, f"{where} 的 ignore", known)
        disable += [c for c in expand(cli_ignore, "--ignore", known) if c not in disable]
    if disable:
        config["disable"] = disable
    if "issuer_type" in table:
        config["issuer_type"] = _issuer_type(table["issuer_type"], where)
    if "deadlines" in table:
        config["deadlines"] = _deadlines(table["deadlines"], where)
    engine = pdf_engine or table.get("pdf_engine")
    if engine is not None:
        if engine not in PDF_ENGINES:
            source = "--pdf-engine" if pdf_engine else f"{where} 的 pdf_engine"
            raise ConfigError(f"{source} 只能是 {'、'.join(PDF_ENGINES)}（收到 {engine!r}）")
        if engine != PDF_ENGINES[0]:
            config["pdf_engine"] = engine
    return config


def _list(table: dict, key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}：{key} 必须是检查编号的列表，如 {key} = [\"R05\", \"T2\"]")
    return value


def _issuer_types() -> tuple[str, ...]:
    from .checks.dates import ISSUER_TYPES

    return ISSUER_TYPES


def _issuer_type(value, where: str) -> str:
    kinds = _issuer_types()
    if value not in kinds:
        raise ConfigError(f"{where}：issuer_type 只能是 {'、'.join(kinds)}（收到 {value!r}）")
    return value


def _deadlines(value, where: str) -> dict[str, str]:
    kinds = _issuer_types()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}：deadlines 必须是表，如 deadlines = {{ department = \"01-31\" }}")
    for kind, mm_dd in value.items():
        if kind not in kinds:
            raise ConfigError(f"{where}：deadlines 中未知的机关类型 {kind}（可用：{'、'.join(kinds)}）")
        if not isinstance(mm_dd, str) or not _MM_DD.match(mm_dd):
            raise ConfigError(f"{where}：deadlines.{kind} 必须是“月-日”，如 \"03-31\"（收到 {mm_dd!r}）")
    return dict(value)


def digest(config: Optional[dict]) -> str:
    """A short fingerprint of an engine config ('' for the default): stored with each report, so
    that an incremental audit re-checks files audited under other settings."""
    if not config:
        return ""
    text = json.dumps(config, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
