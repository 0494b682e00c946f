"""Training data for the section classifier: the labelled documents of a source checkout (the
project's corpus/ samples and ../shared/corpus real and synthetic), labelled by the heading rules
(used only when the rules reproduce a document's gold sections), plus the heading variants of
rules/sections.toml. Kept apart from classifier.py so the model does not depend on assign.py."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .classifier import BATCH, BOW_LENGTH, EPOCHS, LABELS, LEARN_RATE, NGRAM, SEED

# Paths relative to the repository root, where `xxgk train` and `xxgk eval` run.
CORPUS_DIR = Path("corpus")
SHARED_CORPUS = Path("../shared/corpus")




@dataclass
class LabelledDoc:
    name: str  # file stem
    group: str  # real | synthetic | sample
    path: Path
    gold: dict
    usable: bool = True
    why: str = ""  # why the rules' labels are not used (sections differ from gold)
    examples: list[tuple[str, str]] = field(default_factory=list)  # (paragraph text, label)


def labelled_documents(corpus_dir: Optional[Path] = CORPUS_DIR,
                       shared_dir: Optional[Path] = SHARED_CORPUS) -> list[LabelledDoc]:
    """Every document with a gold file, in a fixed order: shared real, shared synthetic, samples."""
    out: list[LabelledDoc] = []
    if shared_dir is not None and Path(shared_dir).is_dir():
        shared_dir = Path(shared_dir)
        for group, folder in (("real", shared_dir / "gold"), ("synthetic", shared_dir / "synthetic")):
            for g in sorted(folder.glob("*.json")):
                gold = json.loads(g.read_text(encoding="utf-8"))
                out.append(LabelledDoc(g.stem, group, shared_dir / gold["document"], gold))
    if corpus_dir is not None and Path(corpus_dir).is_dir():
        for g in sorted(Path(corpus_dir).glob("*.json")):
            gold = json.loads(g.read_text(encoding="utf-8"))
            doc = Path(corpus_dir) / str(gold.get("document", ""))
            if "sections" in gold and doc.is_file():
                out.append(LabelledDoc(g.stem, "sample", doc, gold))
    return [d for d in out if d.path.is_file() and "unlabelled" not in d.path.parts]


def gold_sections(gold: dict) -> list[tuple]:
    return [(s["key"], s["heading"], s["page"]) for s in gold.get("sections", [])]


def label_document(ld: LabelledDoc, doc=None) -> LabelledDoc:
    """Fill ld.examples from the heading rules; mark it unusable when they disagree with its gold."""
    from ..readers import read
    from .assign import assign_sections

    doc = doc if doc is not None else read(str(ld.path))
    sections, paragraphs = assign_sections(doc, model=None)
    have = [(s.key, s.heading, s.page) for s in sections]
    if have != gold_sections(ld.gold):
        ld.usable, ld.why = False, "标题规则得到的章节与 gold 不符"
    ld.examples = [(p.text, p.section) for p in paragraphs]
    return ld


def heading_examples() -> list[tuple[str, str]]:
    """Every heading form of rules/sections.toml, with and without its numeral."""
    from .rules import conf

    out = []
    for sec in conf()["section"]:
        for v in dict.fromkeys([sec["standard"], *sec["variants"]]):
            out.append((f"{sec['numeral']}、{v}", sec["key"]))
    return out


def training_examples(docs: Iterable[LabelledDoc]) -> list[tuple[str, str]]:
    ex = []
    for d in docs:
        if d.usable:
            ex.extend(d.examples)
    return ex + heading_examples()


def training_info(docs: Sequence[LabelledDoc], examples: Sequence[tuple[str, str]]) -> dict:
    import spacy

    counts = {lab: sum(1 for _, y in examples if y == lab) for lab in LABELS}
    return {
        "labels": list(LABELS), "seed": SEED, "epochs": EPOCHS, "batch": BATCH, "learn_rate": LEARN_RATE,
        "architecture": "spacy.TextCatBOW.v3", "ngram_size": NGRAM, "length": BOW_LENGTH,
        "spacy": spacy.__version__, "examples": len(examples), "per_label": counts,
        "documents": [{"name": d.name, "group": d.group, "used": d.usable, "paragraphs": len(d.examples),
                       **({"why": d.why} if d.why else {})} for d in docs],
    }
