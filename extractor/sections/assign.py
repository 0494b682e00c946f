"""Give every paragraph of a Document its section (one of the six, or the preamble).

1. Heading rules (rules.py, rules/sections.toml) find candidate headings; a heading printed in the
   same paragraph as its body is split off. The ordered chain of candidates with the best total
   score becomes the section headings, so a sub-heading that looks like a section heading
   ("一、主动公开情况" under 总体情况) cannot displace the real one.
2. A candidate left out of the chain whose section is missing (a heading out of order) is kept when
   the text under it supports it: a statistics table of its kind, or the classifier.
3. Paragraphs between two recognised headings whose sections are neighbours belong to the first
   (method "rule"). Every other stretch (before the first heading when headings are missing, after
   a gap such as 三 → 六, a document without headings) is decided by the classifier with a monotone
   Viterbi over the sections in template order (method "classifier", confidence = posterior
   probability); statistics tables anchor the sequence (表二 under 二, 表三 under 三, 表四 under 四).
   Without a model the stretch keeps the section of the heading before it (method "position").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..document import BBox, Block, Document
from ..report import SECTION_KEYS, SECTION_LABELS, Paragraph, Section
from ..template.normalize import squash
from .rules import HeadingMatch, conf, looks_numbered, match_heading, split_merged

STARTS_WITH_CHARS = 14
LABELS = SECTION_LABELS
TABLE_SECTION = {"t1": "active", "t2": "requests", "t3": "review_litigation"}
AUTO = "auto"


@dataclass
class Item:
    """A paragraph or a table of the document, in reading order."""

    kind: str  # para | table
    text: str = ""
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    block: int = -1  # index in doc.blocks
    table_kind: Optional[str] = None  # t1 | t2 | t3 | None
    first_cell: str = ""
    cand: Optional[HeadingMatch] = None  # heading candidate
    body: Optional[str] = None  # text after the heading, when heading and body share a paragraph


def items_of(doc: Document) -> list[Item]:
    from ..template.mapping import classify

    items: list[Item] = []
    prev_table_kind: Optional[str] = None
    for i, block in enumerate(doc.blocks):
        if block.kind == "table" and block.table is not None:
            kind = classify(block.table)
            if kind is None and items and items[-1].kind == "table":
                kind = prev_table_kind  # continuation piece without labels of its own
            prev_table_kind = kind
            first = min(block.table.cells, key=lambda c: (c.row, c.col), default=None)
            items.append(Item("table", page=block.page, bbox=block.bbox, block=i, table_kind=kind,
                              first_cell=squash(first.text) if first else ""))
            continue
        text = block.text.strip()
        if not squash(text):
            continue
        it = Item("para", text=text, page=block.page, bbox=block.bbox, block=i)
        merged = split_merged(text)
        if merged:
            it.cand, it.body = merged
        else:
            it.cand = match_heading(text)
        items.append(it)
    return items


def _chain(cands: list[tuple[int, HeadingMatch]]) -> list[int]:
    """Positions (into cands) of the best-scoring chain with sections strictly in template order.
    Ties go to the earlier candidates."""
    n = len(cands)
    best = [0.0] * n
    prev = [-1] * n
    for i, (_, ci) in enumerate(cands):
        oi = SECTION_KEYS.index(ci.key)
        best[i] = ci.score
        for j in range(i):
            if SECTION_KEYS.index(cands[j][1].key) < oi and best[j] + ci.score > best[i] + 1e-9:
                best[i] = best[j] + ci.score
                prev[i] = j
    if not n:
        return []
    end = max(range(n), key=lambda i: (best[i] - 1e-9 * i))
    out = []
    while end >= 0:
        out.append(end)
        end = prev[end]
    return out[::-1]


class _Emissions:
    """Classifier log-probabilities for paragraph items, computed once per document on demand."""

    def __init__(self, items: list[Item], model: Any):
        self.items = items
        self._model = model
        self._cache: dict[int, Any] = {}
        self.loaded = False

    @property
    def model(self):
        if self._model == AUTO:
            from .classifier import get_model
            self._model = get_model()
        return self._model

    def prefetch(self, idx: list[int]) -> None:
        todo = [i for i in idx if i not in self._cache and self.items[i].kind == "para"]
        if todo and self.model is not None:
            rows = self.model.log_proba([self.items[i].text for i in todo])
            for i, r in zip(todo, rows):
                self._cache[i] = r

    def get(self, i: int):
        if i not in self._cache:
            self.prefetch([i])
        return self._cache.get(i)


def _table_log(kind: Optional[str]):
    import numpy as np

    from .classifier import TABLE_CONFIDENCE

    row = np.zeros(len(LABELS))
    if kind in TABLE_SECTION:
        p = np.full(len(LABELS), (1 - TABLE_CONFIDENCE) / (len(LABELS) - 1))
        p[LABELS.index(TABLE_SECTION[kind])] = TABLE_CONFIDENCE
        row = np.log(p)
    return row


def _supports(items: list[Item], start: int, stop: int, key: str, enclosing: str,
              em: _Emissions) -> bool:
    """Does the text under a heading candidate (items start..stop-1) belong to `key` rather than
    to `enclosing`? Tables decide; then the classifier; with no evidence the heading stands."""
    for it in items[start:stop]:
        if it.kind == "table" and it.table_kind in TABLE_SECTION:
            sec = TABLE_SECTION[it.table_kind]
            if sec == key:
                return True
            if sec == enclosing:
                return False
    paras = [i for i in range(start, stop) if items[i].kind == "para"]
    if not paras or em.model is None:
        return True
    em.prefetch(paras)
    a, b = LABELS.index(key), LABELS.index(enclosing)
    return sum(em.get(i)[a] for i in paras) >= sum(em.get(i)[b] for i in paras)


def choose_headings(items: list[Item], em: _Emissions) -> list[int]:
    """Item indices of the accepted section headings, in document order."""
    cands = [(i, it.cand) for i, it in enumerate(items) if it.cand is not None]
    chain = [cands[k][0] for k in _chain(cands)]
    keys = {items[i].cand.key for i in chain}
    accepted = set(chain)
    cand_pos = [i for i, _ in cands]
    for i, c in cands:
        if i in accepted or c.key in keys or c.strength == "keyword" or not c.number:
            continue
        before = [j for j in sorted(accepted) if j < i]
        enclosing = items[before[-1]].cand.key if before else "preamble"
        stop = next((j for j in cand_pos if j > i), len(items))
        if _supports(items, i + 1, stop, c.key, enclosing, em):
            accepted.add(i)
            keys.add(c.key)
    return sorted(accepted)


def _gaps(n: int, heads: list[int], items: list[Item]) -> list[tuple[int, int, int, int]]:
    """(start, stop, lo, hi): item ranges between headings and the label range allowed there."""
    out = []
    bounds = [-1] + heads + [n]
    for a, b in zip(bounds, bounds[1:]):
        start, stop = a + 1, b
        if start >= stop:
            continue
        ka = LABELS.index(items[a].cand.key) if a >= 0 else 0
        kb = LABELS.index(items[b].cand.key) if b < n else len(LABELS)
        lo, hi = ka, (kb - 1 if kb > ka else ka)
        out.append((start, stop, lo, hi))
    return out


def _decode(items: list[Item], start: int, stop: int, lo: int, hi: int, em: _Emissions):
    """Labels and confidences for items start..stop-1 with the classifier, or None without one."""
    import numpy as np

    from .classifier import SWITCH_LOGP, monotone_decode

    paras = [i for i in range(start, stop) if items[i].kind == "para"]
    if em.model is None:
        return None
    em.prefetch(paras)
    rows = []
    for i in range(start, stop):
        rows.append(em.get(i) if items[i].kind == "para" else _table_log(items[i].table_kind))
    path, post = monotone_decode(np.vstack(rows), lo, hi, SWITCH_LOGP)
    return path, post


def assign_sections(doc: Document, model: Any = AUTO) -> tuple[list[Section], list[Paragraph]]:
    """Sections (in document order) and every paragraph with its section, method and confidence.

    model: AUTO loads the committed classifier the first time a paragraph needs it; None uses
    rules only (stretches without a heading keep the section before them); or a classifier object
    with `log_proba(texts)` (used for training and held-out evaluation)."""
    from ..segment import index_tokens

    items = items_of(doc)
    em = _Emissions(items, model)
    heads = choose_headings(items, em)
    n = len(items)
    label = [0] * n
    method = ["rule"] * n
    confidence = [1.0] * n
    is_head = [False] * n
    for h in heads:
        label[h] = LABELS.index(items[h].cand.key)
        is_head[h] = True
    head_keys = {items[h].cand.key for h in heads}
    promoted: dict[int, str] = {}
    for start, stop, lo, hi in _gaps(n, heads, items):
        if lo == hi:
            for i in range(start, stop):
                label[i] = lo
            continue
        got = _decode(items, start, stop, lo, hi, em)
        if got is None:
            for i in range(start, stop):
                label[i], method[i], confidence[i] = lo, "position", 0.5
            continue
        path, post = got
        prev = lo
        for k, i in enumerate(range(start, stop)):
            label[i], method[i], confidence[i] = int(path[k]), "classifier", float(post[k])
            key = LABELS[label[i]]
            it = items[i]
            # An unrecognised heading where the classifier sees a new section begin.
            if (label[i] > prev and label[i] > 0 and key not in head_keys and it.kind == "para"
                    and looks_numbered(it.text) and len(squash(it.text)) <= conf()["max_heading_chars"]):
                promoted[i] = key
                head_keys.add(key)
            prev = label[i]

    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    need_start: Optional[Section] = None

    def para(text: str, it: Item, i: int, heading: bool, meth: str, conf_: float) -> None:
        paragraphs.append(Paragraph(index=len(paragraphs), text=text, page=it.page, bbox=it.bbox,
                                    section=LABELS[label[i]], is_heading=heading, method=meth,
                                    confidence=conf_, tokens=index_tokens(text)))

    for i, it in enumerate(items):
        if it.kind == "table":
            if need_start is not None:
                need_start.starts_with = it.first_cell[:STARTS_WITH_CHARS]
                need_start = None
            continue
        if need_start is not None:
            need_start.starts_with = squash(it.text)[:STARTS_WITH_CHARS]
            need_start = None
        if is_head[i] or i in promoted:
            if is_head[i]:
                c = items[i].cand
                sec = Section(key=c.key, heading=c.heading, page=it.page, number=c.number)
            else:
                s = squash(it.text)
                sec = Section(key=promoted[i], heading=s, page=it.page, number=looks_numbered(s) or "")
            sections.append(sec)
            if is_head[i] and it.body is not None:
                head_text = it.text[: len(it.text) - len(it.body)].strip() if it.text.endswith(it.body) \
                    else sec.heading
                para(head_text, it, i, True, "rule", 1.0)
                para(it.body, it, i, False, "rule", 1.0)
                sec.starts_with = squash(it.body)[:STARTS_WITH_CHARS]
            else:
                para(it.text, it, i, True, method[i], confidence[i])
                need_start = sec
            continue
        para(it.text, it, i, False, method[i], confidence[i])
    return sections, paragraphs


def strip_headings(doc: Document) -> tuple[Document, list[Paragraph]]:
    """The document without its heading lines (rules on the intact document decide which), and
    the intact document's non-heading paragraphs with their rule sections, in the same order as
    the paragraphs of the stripped document. A merged heading keeps its body."""
    items = items_of(doc)
    em = _Emissions(items, None)
    heads = set(choose_headings(items, em))
    _, paragraphs = assign_sections(doc, model=None)
    blocks: list[Block] = []
    for i, it in enumerate(items):
        src = doc.blocks[it.block]
        if it.kind == "table":
            blocks.append(src)
        elif i in heads:
            if it.body:
                blocks.append(Block("paragraph", text=it.body, page=src.page, bbox=src.bbox))
        else:
            blocks.append(Block("paragraph", text=it.text, page=src.page, bbox=src.bbox,
                                hints=src.hints))
    stripped = Document(path=doc.path, format=doc.format, blocks=blocks, n_pages=doc.n_pages,
                        meta=doc.meta, warnings=list(doc.warnings))
    return stripped, [p for p in paragraphs if not p.is_heading]
