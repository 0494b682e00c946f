"""Numbers as report prose prints them: 3,119件, 3119 件, 十二件, 两件, 一百零五件, 零, 6万元, 33.9%.

Only a number followed by a unit is a stated quantity; 第二十条第（一）项, 〔2021〕30号 and 2023年
carry no count unit (or follow 第) and are skipped. Text must be normalised first (`normalize`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union

_CN_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}

COUNT_UNITS = ("件", "项", "宗", "个", "起")
MONEY_UNITS = ("万元", "元")

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_HAS_FULLWIDTH = re.compile("[０-９％．]")
_SPACE = re.compile(r"[\s\u3000\xa0]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(
    r"(?P<num>\d+(?:\.\d+)?(?P<wan>万(?!元))?|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*)"
    r"(?P<unit>万元|元|件|项|宗|个|起|%)")
# A numeral right after these is an ordinal or part of a word (第一项, 统一, 唯一, 之一), not a count.
_NOT_BEFORE_CN = set("第统唯逐之同单专每任某")
_APPROX_BEFORE = ("约", "近", "超过", "逾", "大约")


def normalize(text: str) -> str:
    """Whitespace removed (PDF text puts spaces around numbers), full-width digits made ASCII,
    thousands separators dropped."""
    if _HAS_FULLWIDTH.search(text):
        text = text.translate(_FULLWIDTH)
    return _THOUSANDS.sub("", _SPACE.sub("", text))


def cn_to_int(text: str) -> Optional[int]:
    """十二 → 12, 两 → 2, 一百零五 → 105, 三千零二十 → 3020, 二〇二四 → 2024 (a year, digit by
    digit); None if not a Chinese numeral."""
    if len(text) == 4 and all(ch in _CN_DIGIT for ch in text):
        return int("".join(str(_CN_DIGIT[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[ch]
            digit = 0
        elif ch in _CN_BIG:
            total += (section + digit) * _CN_BIG[ch]
            section = digit = 0
        else:
            return None
    return total + section + digit


@dataclass(frozen=True)
class Number:
    value: Union[int, float]
    unit: str  # 件 项 宗 个 起 元 万元 %
    start: int
    end: int  # after the unit
    approx: bool  # 约/近/超过… before it: not an exact statement

    @property
    def is_count(self) -> bool:
        return self.unit in COUNT_UNITS

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS


def find_numbers(text: str) -> list[Number]:
    """Every number with a unit in normalised `text`, left to right."""
    out = []
    for m in _NUMBER.finditer(text):
        num, start = m.group("num"), m.start()
        before = text[max(0, start - 2):start]
        if before.endswith(("第", "第（", "第(")):
            continue
        if num[0].isdigit():
            if start and (text[start - 1].isascii() and text[start - 1].isalnum()):
                continue  # part of a code such as ISO9001
            value: Union[int, float] = float(num.rstrip("万")) if "." in num else int(num.rstrip("万"))
            if m.group("wan"):
                value *= 10_000
        else:
            if start and text[start - 1] in _NOT_BEFORE_CN:
                continue
            cn = cn_to_int(num)
            if cn is None:
                continue
            value = cn
        if isinstance(value, float) and value.is_integer() and m.group("unit") != "%":
            value = int(value)
        approx = text[:start].endswith(_APPROX_BEFORE)
        out.append(Number(value, m.group("unit"), start, m.end(), approx))
    return out
