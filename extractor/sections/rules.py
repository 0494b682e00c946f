"""Heading rules: which paragraphs are the six section headings (data: rules/sections.toml).

- `match_heading(text)`: the section a heading line names (with its printed numeral and a score).
- `split_merged(text)`: a heading printed in one paragraph with the start of its body.
- `numbering_defects(sections, paragraphs)`: the numbering defects of spec S02, for the S02 check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from ..report import SECTION_KEYS, Paragraph, Section
from ..resources import load_rules as load
from ..template.normalize import squash

NUMERALS = "一二三四五六七八九十"


@dataclass
class HeadingMatch:
    key: str
    heading: str  # as printed, whitespace removed
    number: str  # the printed numeral ("" if none)
    strength: str = "keyword"  # standard | variant | keyword
    score: float = 0.0  # see [score] in rules/sections.toml


@dataclass
class NumberingDefect:
    kind: str  # restart | shifted | subtopic_top_level | wrong_numeral (rules/sections.toml)
    message: str  # Chinese, for the reviewer
    heading: str  # the heading (or sub-topic line) concerned, whitespace removed
    number: str  # its printed numeral
    expected: str = ""  # the numeral the template gives it ("" where that does not apply)
    page: Optional[int] = None
    paragraph: Optional[int] = None  # Paragraph.index


def conf() -> dict:
    return load("sections.toml")


def _sections() -> list[dict]:
    return conf()["section"]


def expected_numeral(key: str) -> str:
    for sec in _sections():
        if sec["key"] == key:
            return sec["numeral"]
    return ""


def _score(key: str, strength: str, number: str) -> float:
    sc = conf()["score"]
    s = sc[strength]
    if not number:
        return s + sc["unnumbered"]
    order = SECTION_KEYS.index(key)
    if number == NUMERALS[order]:
        s += sc["numeral_expected"]
    elif order > 0 and number == NUMERALS[order - 1]:
        s += sc["numeral_shifted"]
    return s


def _classify_words(body: str) -> Optional[tuple[str, str]]:
    """(key, strength) for the words of a heading after its numeral, or None."""
    secs = _sections()
    exact = [(sec["key"], "standard" if body == sec["standard"] else "variant")
             for sec in secs if body == sec["standard"] or body in sec["variants"]]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    hits = [sec["key"] for sec in secs if any(k in body for k in sec["keywords"])]
    if len(hits) == 1:
        return hits[0], "keyword"
    return None


def match_heading(text: str) -> Optional[HeadingMatch]:
    """The section a heading line names, or None. Body sentences never match: a heading is short
    and starts with a numeral, and its words must name exactly one section (an exact variant wins
    over keywords: 五、…存在的主要问题… mentions 问题 only; 四 mentions 复议 only). A short line
    without numeral matches only when it is exactly one of the section's `unnumbered` forms."""
    c = conf()
    s = squash(text)
    if not s or len(s) > c["max_heading_chars"]:
        return None
    m = re.match(c["numeral"], s)
    if not m:
        bare = re.match(c["numeral_bare"], s)
        if bare:
            body = s[bare.end():].rstrip(c["heading_trailing"])
            for sec in _sections():
                if sec["numeral"] == bare.group(1) and (body == sec["standard"] or body in sec["variants"]):
                    strength = "standard" if body == sec["standard"] else "variant"
                    return HeadingMatch(sec["key"], s, bare.group(1), strength,
                                        _score(sec["key"], strength, bare.group(1)))
        body = s.rstrip(c["heading_trailing"])
        for sec in _sections():
            if body in sec.get("unnumbered", []):
                strength = "standard" if body == sec["standard"] else "variant"
                return HeadingMatch(sec["key"], s, "", strength, _score(sec["key"], strength, ""))
        return None
    body = s[m.end():].rstrip(c["heading_trailing"])
    if re.search(c["sentence_punct"], body):
        return None  # a sentence ("二、主动公开方面。全年…"), perhaps a heading run on into its body
    found = _classify_words(body)
    if found is None:
        return None
    key, strength = found
    return HeadingMatch(key, s, m.group(1), strength, _score(key, strength, m.group(1)))


def numbered_section(text: str) -> Optional[str]:
    """The section a numbered heading line names (一、总体情况 → "overview"), else None. For
    readers telling a page's layout from its content: a table cell that holds such a heading
    lays out the page, it is no data table."""
    if text.lstrip()[:1] not in NUMERALS:  # most lines are table cells: skip them cheaply
        return None
    m = match_heading(text)
    return m.key if m is not None and m.number else None


def _cut(text: str, n: int) -> tuple[str, str]:
    """Split text after its first n non-whitespace characters (whitespace as printed is kept)."""
    seen = 0
    for i, ch in enumerate(text):
        if not squash(ch):
            continue
        if seen == n:
            return text[:i].strip(), text[i:].strip()
        seen += 1
    return text.strip(), ""


def split_merged(text: str) -> Optional[tuple[HeadingMatch, str]]:
    """(heading, body) for a paragraph that starts with a section heading and runs on into its
    body text ("一、总体情况2023年，我局…"); None for anything else, including a whole heading line.
    A known heading form at the start splits even a line the keywords would take as a heading
    ("一、总体情况2023年我局"); the 情况/事项/措施 fallback only splits what is no heading at all."""
    c = conf()
    s = squash(text)
    m = re.match(c["numeral"], s)
    whole = match_heading(s)
    if not m or (whole is not None and whole.strength != "keyword"):
        return None
    rest = s[m.end():]
    trailing = c["heading_trailing"]
    min_body = c["merged_min_body_chars"]

    def make(n_words: int) -> Optional[tuple[HeadingMatch, str]]:
        n_head = m.end() + n_words
        n = n_head
        while n < len(s) and s[n] in trailing:
            n += 1
        rest_body = s[n:]
        if len(rest_body) < min_body:
            return None
        # Under a line the keywords already take as a heading, the rest must read like body text
        # ("一、总体情况2023年我局" splits; "三、依申请公开情况说明" stays one heading).
        if whole is not None and not (re.search(r"\d", rest_body) or n > n_head
                                      or re.search(c["sentence_punct"], rest_body)
                                      or len(rest_body) >= c["merged_min_sentence_chars"]):
            return None
        hm = match_heading(s[:n_head])
        if hm is None:
            return None
        head, _ = _cut(text, n_head)
        _, body = _cut(text, n)
        hm.heading = squash(head)
        return hm, body

    variants = sorted({v for sec in _sections() for v in [sec["standard"], *sec["variants"]]},
                      key=lambda v: (-len(v), v))
    for v in variants:
        if rest.startswith(v):
            got = make(len(v))
            if got:
                return got
    if whole is not None:
        return None  # a heading line in its own words ("五、工作中存在的不足和改进方向")
    limit = c["max_heading_chars"] - m.end()
    for end in c["merged_heading_ends"]:
        i = rest.find(end)
        # The heading words end at the first 情况/事项/措施 and hold no sentence punctuation.
        if 0 <= i and i + len(end) <= limit and not re.search(c["sentence_punct"], rest[:i]):
            got = make(i + len(end))
            if got:
                return got
    return None


def looks_numbered(text: str) -> Optional[str]:
    """The top-level numeral a line opens with ("一、…" → "一"), else None."""
    m = re.match(conf()["numeral"], squash(text))
    return m.group(1) if m else None


def numbering_defects(sections: Sequence[Section],
                      paragraphs: Sequence[Paragraph] = ()) -> list[NumberingDefect]:
    """Numbering defects of spec S02 (patterns of S11), from the sections' printed numerals:

    - restart: a section numbered 一 after an earlier section that already carried a numeral;
    - shifted: the sections after 总体情况 are numbered one lower than the template (二–六 → 一–五);
    - subtopic_top_level: a paragraph under 总体情况 numbered 一、二、… that names a sub-topic;
    - wrong_numeral: any other section whose numeral is not the template's ("四、…申请…" for 三).
    """
    c = conf()
    msgs = {d["id"]: d["message"] for d in c["numbering"]["defect"]}
    out: list[NumberingDefect] = []
    numbered = [s for s in sections if s.number]

    def add(kind: str, s: Section, expected: str = "", paragraph: Optional[int] = None, **fmt):
        out.append(NumberingDefect(kind, msgs[kind].format(heading=s.heading, expected=expected, **fmt),
                                   s.heading, s.number, expected, s.page, paragraph))

    for i, s in enumerate(numbered):
        if i > 0 and s.number == "一":
            add("restart", s)
    later = [s for s in numbered if s.key != "overview"]
    shifted = bool(later) and all(
        SECTION_KEYS.index(s.key) > 0 and s.number == NUMERALS[SECTION_KEYS.index(s.key) - 1]
        for s in later) and len(later) >= 2
    if shifted:
        first = later[0]
        out.append(NumberingDefect("shifted", msgs["shifted"].format(
            numbers="、".join(s.number for s in later), heading=first.heading, expected=""),
            first.heading, first.number, expected_numeral(first.key), first.page))
    for s in numbered:
        exp = expected_numeral(s.key)
        if s.number == exp or (shifted and s.key != "overview"):
            continue
        if s.number == "一" and any(d.kind == "restart" and d.heading == s.heading for d in out):
            continue
        add("wrong_numeral", s, exp)
    # Sub-topics of 总体情况 numbered like top-level sections.
    subtopics = c["numbering"]["overview_subtopics"]
    for p in paragraphs:
        if p.section != "overview" or p.is_heading:
            continue
        num = looks_numbered(p.text)
        if not num:
            continue
        s = squash(p.text)
        head = s[:c["max_heading_chars"]]
        if len(s) <= c["max_heading_chars"] or any(t in head for t in subtopics):
            line = Section(key="overview", heading=s[:c["max_heading_chars"]], page=p.page, number=num)
            add("subtopic_top_level", line, paragraph=p.index)
    return out
