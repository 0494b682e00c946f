"""Sentences, clauses, negation scope and stated counts in report prose.

The checks compare prose with the tables, so every reading here is deliberately narrow:
- a clause ends at ，；：and at brackets (but not at 、, which only lists things);
- a negation covers the rest of its clause only, and stops at a contrast word (但/而/仅);
- a stated count must follow its keyword with nothing but filler words in between, in the same
  clause, so "同比增长3件", "其中2件", "〔2021〕30号" and "第（一）项" are never counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from ..report import Paragraph
from .numbers import Number, find_numbers, normalize

_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_CLAUSE_SEP = re.compile(r"[，,；;：:（）()【】]")


@dataclass(frozen=True)
class Sentence:
    text: str  # normalised (no whitespace)
    section: str
    page: Optional[int]


@dataclass(frozen=True)
class Clause:
    sentence: Sentence
    text: str
    start: int  # offset in the sentence


@dataclass(frozen=True)
class Negation:
    clause: Clause
    cue: str
    subject: str  # the clause before the cue (who or when)
    span: str  # what is negated: the clause after the cue, or before a trailing 为零
    trailing: bool  # the cue comes after what it negates (…数量均为零)

    def near(self, start: int, end: int, reach: int) -> bool:
        """Whether a match at span[start:end] is close enough to the cue to be what it negates."""
        return len(self.span) - end <= reach if self.trailing else start <= reach


@dataclass(frozen=True)
class Claim:
    """A number stated after (or, for some keywords, before) a keyword."""

    clause: Clause
    number: Number
    kinds: tuple[str, ...]  # every table value the statement may mean
    keyword: str
    prefix: str  # the clause before the keyword (scoping words live here)

    @property
    def value(self):
        return self.number.value


def sentences(paragraphs: Iterable[Paragraph]) -> list[Sentence]:
    """Sentences of the body text; headings are skipped. Line breaks inside a paragraph are
    wraps (PDF text), not boundaries."""
    out = []
    for p in paragraphs:
        if p.is_heading:
            continue
        for s in _SENTENCE_END.split(normalize(p.text)):
            if s:
                out.append(Sentence(s, p.section, p.page))
    return out


def clauses(sentence: Sentence) -> list[Clause]:
    out, start = [], 0
    for m in _CLAUSE_SEP.finditer(sentence.text + "，"):
        if m.start() > start:
            out.append(Clause(sentence, sentence.text[start:m.start()], start))
        start = m.end()
    return out


def negations(clause: Clause, cue: re.Pattern, cue_after: re.Pattern,
              contrast: re.Pattern) -> list[Negation]:
    """Negations in one clause. 未收到法人申请 → span 收到法人申请; 案件数量均为零 → span 案件数量."""
    text = clause.text.rstrip("。！？!?")
    out = []
    for m in cue.finditer(text):
        span = text[m.end():]
        stop = contrast.search(span)
        out.append(Negation(clause, m.group(), text[:m.start()], span[:stop.start()] if stop else span, False))
    m = cue_after.search(text)
    if m:
        out.append(Negation(clause, m.group(), "", text[:m.start()], True))
    return out


@dataclass(frozen=True)
class ClaimPattern:
    pattern: re.Pattern
    kinds: tuple[str, ...]
    money: bool
    after: Optional[re.Pattern]  # when set, the number may also come right before the keyword


def _attached(n: Number, m: re.Match, text: str, gap: re.Pattern, after: Optional[re.Pattern]) -> bool:
    """The number follows the keyword across filler only, or (where allowed) comes right before it."""
    if n.start >= m.end():
        return bool(gap.fullmatch(text[m.end():n.start]))
    return bool(after and n.end <= m.start() and after.fullmatch(text[n.end:m.start()]))


def find_claims(clause: Clause, patterns: list[ClaimPattern], gap: re.Pattern) -> list[Claim]:
    """Stated counts of one clause. A number claimed by several patterns gets all their kinds."""
    text = clause.text
    numbers = [n for n in find_numbers(text) if not n.approx]
    if not numbers:
        return []
    found: dict[int, Claim] = {}
    for cp in patterns:
        for m in cp.pattern.finditer(text):
            for n in numbers:
                if (n.is_money if cp.money else n.is_count) and _attached(n, m, text, gap, cp.after):
                    prev = found.get(n.start)
                    kinds = tuple(dict.fromkeys((prev.kinds if prev else ()) + cp.kinds))
                    keyword, prefix = (prev.keyword, prev.prefix) if prev else (m.group(), text[:m.start()])
                    found[n.start] = Claim(clause, n, kinds, keyword, prefix)
    return [found[k] for k in sorted(found)]
