"""Label and value normalisation (spec A.5)."""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Union

# Whitespace of every kind, including &nbsp; (U+00A0), ideographic space and zero-width chars.
_WS = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\ufeff]+")
# Leading numbering: （三） (三) 三、 四. 1. 1、 1． (1) ①
_NUMBERING = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]|\d+[、.．]|[①-⑳])+"
)
# Everything that is not a letter, digit or CJK ideograph: brackets of both widths, quotes,
# colons, commas, slashes ("本年增/减" → "本年增减").
_PUNCT = re.compile(r"[^\w]|_")


def squash(text: str) -> str:
    """Remove all whitespace (labels are split over lines, cells, <br>)."""
    return _WS.sub("", text or "")


def label_key(text: str, strip_numbering: bool = True) -> str:
    """Canonical form of a printed label for matching."""
    s = squash(text)
    if strip_numbering:
        s = _NUMBERING.sub("", s)
    return _PUNCT.sub("", s)



def similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


# A clean number: digits with every comma a correct thousands separator, at most one decimal
# point, an optional sign (N01 judges whether the cell may carry one).
_CLEAN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# Text made only of what numbers are printed with, with a digit in it: a number, or a malformed one.
_NUMERIC_LOOKING = re.compile(r"^[+-]?[\d,.\s]*\d[\d,.\s]*$")
# A line break inside a cell is where a narrow cell wrapped its text: "1,52" + "2" is 1,522.
_WRAP = re.compile(r"[ \t\u00a0\u3000]*[\r\n\u200b\u200c\u200d\ufeff]+[ \t\u00a0\u3000]*")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋－．，", "0123456789+-.,")


def _unwrapped(raw: str) -> str:
    """The cell's text with its line wraps joined and the outer whitespace removed; spaces inside
    a line are kept (a number printed "12 3" is not 123)."""
    return _WRAP.sub("", raw or "").strip(" \t\u00a0\u3000\u200b\ufeff")


def parse_value(raw: str) -> Union[int, float, str, None]:
    """A cell's value as printed: int, float, None for an empty cell, else the printed string.

    "3,119" → 3119; "3\n119" (wrapped in a narrow cell) → 3119; "7730.28" → 7730.28;
    "" or "&nbsp;" → None; "/" "—" "无" "251000元" stay text; so does a malformed number ("1,52",
    "1.5.2", "12 3"), kept as printed (see `malformed_number`).
    """
    s = squash(raw)
    if not s:
        return None
    t = _unwrapped(raw).translate(_FULLWIDTH)  # full-width digits and signs print the same number
    if _CLEAN.match(t):
        t = t.replace(",", "")
        return float(t) if "." in t else int(t)
    if _NUMERIC_LOOKING.match(t):
        return _unwrapped(raw)
    return s


def malformed_number(value) -> bool:
    """Text that looks like a number but does not parse as one cleanly ("1,52", "1.5.2", "12 3"):
    extraction cannot tell what was printed, so no check may count it (it is not 0)."""
    return isinstance(value, str) and bool(_NUMERIC_LOOKING.match(value.translate(_FULLWIDTH)))


def is_value_like(raw: str) -> bool:
    """True for text that can sit in a data cell: numbers, blanks and the usual 'nothing' marks."""
    v = parse_value(raw)
    if v is None or isinstance(v, (int, float)):
        return True
    return bool(re.fullmatch(r"[/／\\—–\-－―~～无0-9.,，+元万\s]+", v))
