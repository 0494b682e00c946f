"""The data that ships with xxgk: rules/ (templates, headings, check catalog, jieba dictionary)
and models/ (the section classifier).

Both folders stay at the repository's top level and are installed inside the package as
`extractor.rules` and `extractor.models` (pyproject.toml maps them), so this one loader finds
them through importlib.resources in an editable install, a wheel or a pipx install alike.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

RULES_PACKAGE = "extractor.rules"
MODELS_PACKAGE = "extractor.models"


def _folder(package: str) -> Path:
    # Installed as plain files (wheel or editable), never zipped: spaCy and jieba want real paths.
    return Path(str(files(package)))


def rules_dir() -> Path:
    return _folder(RULES_PACKAGE)


def rules_path(name: str) -> Path:
    """A file of rules/, e.g. rules_path("checks.toml")."""
    return rules_dir() / name


@lru_cache(maxsize=None)
def load_rules(name: str) -> dict:
    """A TOML file of rules/, parsed once per process."""
    with open(rules_path(name), "rb") as f:
        return tomllib.load(f)


def rule_files() -> list[str]:
    """The names of every TOML file in rules/."""
    return sorted(p.name for p in rules_dir().glob("*.toml"))


def model_dir(name: str = "sections") -> Path:
    """A committed model of models/, e.g. the section classifier."""
    return _folder(MODELS_PACKAGE) / name


def cache_dir() -> Path:
    """Where xxgk keeps what it makes for one user (trained models, caches): $XDG_CACHE_HOME/xxgk,
    else ~/.cache/xxgk. Not created here."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "xxgk"
