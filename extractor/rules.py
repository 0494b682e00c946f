"""Load the data files in rules/ once."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    with open(RULES_DIR / name, "rb") as f:
        return tomllib.load(f)
