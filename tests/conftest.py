import json
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def gold_documents() -> list[tuple[Path, Path]]:
    """(gold file, document) for every labelled document in ../shared/corpus."""
    assert CORPUS.is_dir(), f"../shared/corpus is missing (expected at {CORPUS})"
    pairs = []
    for gold in sorted((CORPUS / "gold").glob("*.json")):
        g = json.loads(gold.read_text())
        pairs.append((gold, CORPUS / g["document"]))
    for gold in sorted((CORPUS / "synthetic").glob("*.json")):
        g = json.loads(gold.read_text())
        pairs.append((gold, CORPUS / g["document"]))
    return pairs


def sample_documents() -> list[tuple[Path, Path]]:
    """(gold file, document) for the project's own samples in corpus/."""
    pairs = []
    for gold in sorted((ROOT / "corpus").glob("*.json")):
        g = json.loads(gold.read_text())
        pairs.append((gold, ROOT / "corpus" / g["document"]))
    return pairs


@lru_cache(maxsize=None)
def extracted(path: str):
    """Extract each document once per test session."""
    from extractor.pipeline import extract
    return extract(path)


@pytest.fixture
def shared_corpus() -> Path:
    return CORPUS
