"""Label and value normalisation (spec A.5)."""
from __future__ import annotations

import re
import unicodedata
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


_INT = re.compile(r"^[+-]?\d+$")
_DEC = re.compile(r"^[+-]?\d+\.\d+$")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")


def parse_value(raw: str) -> Union[int, float, str, None]:
    """A cell's value as printed: int, float, None for an empty cell, else the printed string.

    "3,119" → 3119; "7730.28" → 7730.28; "" or "&nbsp;" → None; "/" "—" "无" "251000元" stay text.
    """
    s = squash(raw)
    if not s:
        return None
    # Full-width digits and signs print the same number (０-９, ＋, －, ．).
    s2 = unicodedata.normalize("NFKC", s) if re.search(r"[０-９＋－．]", s) else s
    s2 = _THOUSANDS.sub("", s2)
    if _INT.match(s2):
        return int(s2)
    if _DEC.match(s2):
        return float(s2)
    return s


def is_value_like(raw: str) -> bool:
    """True for text that can sit in a data cell: numbers, blanks and the usual 'nothing' marks."""
    v = parse_value(raw)
    if v is None or isinstance(v, (int, float)):
        return True
    return bool(re.fullmatch(r"[/／\\—–\-－―~～无0-9.,，+元万]+", v))
