"""Heading rules: which paragraphs are the six section headings (rules/sections.toml)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..rules import load
from ..template.normalize import squash

NUMERALS = "一二三四五六七八九十"


@dataclass
class HeadingMatch:
    key: str
    heading: str  # as printed, whitespace removed
    number: str  # the printed numeral ("" if none)


def _conf() -> dict:
    return load("sections.toml")


def match_heading(text: str) -> Optional[HeadingMatch]:
    """The section a heading line names, or None. Body sentences never match: a heading is short
    and starts with a numeral, and its words must name exactly one section."""
    conf = _conf()
    s = squash(text)
    if not s or len(s) > conf["max_heading_chars"]:
        return None
    m = re.match(conf["numeral"], s)
    if not m:
        return None
    body = s[m.end():].rstrip("。.:：")
    hits = []
    for sec in conf["section"]:
        if body in sec["variants"] or any(k in body for k in sec["keywords"]):
            hits.append(sec["key"])
    if len(hits) != 1:
        # 五、…存在的主要问题… mentions 问题 only; 四 mentions 复议 only. Prefer exact variants.
        exact = [sec["key"] for sec in conf["section"] if body in sec["variants"]]
        if len(exact) != 1:
            return None
        hits = exact
    return HeadingMatch(hits[0], s, m.group(1))
