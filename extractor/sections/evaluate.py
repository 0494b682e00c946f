"""Section accuracy against gold (`xxgk eval`) and the headings-stripped test
(`xxgk eval --strip-headings`).

- Sections: per document, the (key, heading, page) list the extractor finds equals the gold list.
- Headings stripped: heading lines are removed (the rules on the intact document decide which),
  the document is assigned again, and a paragraph is right when its section equals the one the
  heading rules give on the intact document. Reported in-sample (the committed model, which has
  seen every document) and held out (leave one document out: a model trained without it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .classifier import train
from .training import (CORPUS_DIR, SHARED_CORPUS, LabelledDoc, gold_sections, label_document, labelled_documents,
                       training_examples)


@dataclass
class DocResult:
    name: str
    group: str
    right: int = 0
    total: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (text, want, got)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Loaded:
    ld: LabelledDoc
    doc: object  # Document


def load_documents(corpus_dir: Optional[Path] = CORPUS_DIR,
                   shared_dir: Optional[Path] = SHARED_CORPUS) -> list[Loaded]:
    """Read and rule-label every labelled document once."""
    from ..readers import read

    out = []
    for ld in labelled_documents(corpus_dir, shared_dir):
        doc = read(str(ld.path))
        out.append(Loaded(label_document(ld, doc), doc))
    return out


def section_results(docs: Sequence[Loaded], model="auto") -> list[tuple[Loaded, list, list]]:
    """(document, found, gold) section lists for each document."""
    from .assign import assign_sections

    out = []
    for d in docs:
        sections, _ = assign_sections(d.doc, model=model)
        out.append((d, [(s.key, s.heading, s.page) for s in sections], gold_sections(d.ld.gold)))
    return out


def _align(want, got):
    """Pairs (want paragraph, got paragraph) of the stripped document."""
    got = [p for p in got if not p.is_heading] if len(got) != len(want) else got
    if len(got) == len(want):
        return list(zip(want, got))
    pairs, j = [], 0
    for w in want:
        while j < len(got) and not w.text.endswith(got[j].text):
            j += 1
        if j < len(got):
            pairs.append((w, got[j]))
            j += 1
        else:
            pairs.append((w, None))
    return pairs


def stripped_result(d: Loaded, model, tables: bool = True) -> DocResult:
    """tables=False also removes the statistics tables (a harder test: no anchors at all)."""
    from .assign import assign_sections, strip_headings

    stripped, want = strip_headings(d.doc)
    if not tables:
        stripped.blocks = [b for b in stripped.blocks if b.kind != "table"]
    _, got = assign_sections(stripped, model=model)
    r = DocResult(d.ld.name, d.ld.group)
    for w, g in _align(want, got):
        r.total += 1
        have = g.section if g is not None else "<missing>"
        if have == w.section:
            r.right += 1
        else:
            r.wrong.append((w.text[:40], w.section, have))
    return r


def stripped_in_sample(docs: Sequence[Loaded], model="auto", tables: bool = True) -> list[DocResult]:
    return [stripped_result(d, model, tables) for d in docs if d.ld.usable]


def stripped_held_out(docs: Sequence[Loaded], progress: Optional[Callable[[str], None]] = None,
                      tables: Sequence[bool] = (True,)) -> dict[bool, list[DocResult]]:
    """Leave one document out: for each document, a model trained on all the others.
    Returns {tables: results} for each requested setting (one model per document serves all)."""
    out: dict[bool, list[DocResult]] = {t: [] for t in tables}
    for d in docs:
        if not d.ld.usable:
            continue
        others = [o.ld for o in docs if o is not d]
        model = train(training_examples(others))
        for t in tables:
            out[t].append(stripped_result(d, model, t))
        if progress:
            progress(d.ld.name)
    return out


def summarise(results: Sequence[DocResult], groups: Sequence[str] = ("real", "synthetic", "sample")) -> dict:
    """Paragraph accuracy per group, for real+synthetic together and for everything."""
    def acc(rs):
        right, total = sum(r.right for r in rs), sum(r.total for r in rs)
        return {"right": right, "total": total, "accuracy": right / total if total else 1.0}

    out = {g: acc([r for r in results if r.group == g]) for g in groups}
    out["real+synthetic"] = acc([r for r in results if r.group in ("real", "synthetic")])
    out["all"] = acc(results)
    return out
