"""Section classifier: spaCy `textcat` (bag of words, exclusive classes) over jieba words.

The model answers "which of the seven parts (preamble or one of the six sections) does this
paragraph read like?". assign.py uses it only where no heading decides, and smooths its answers
with `monotone_decode` (sections come in template order).

- Pipeline: `spacy.blank("zh")` with the jieba segmenter; its jieba is replaced by the project's
  tokenizer with the domain dictionary (extractor/segment.py, HMM off), so 依申请公开, 行政复议… are
  words.
  Numbers are replaced by 0 and a leading top-level numeral ("三、") is dropped, so neither the year
  nor a misnumbered heading sways the model. No torch, no network, no zh_core_web_* package.
- Training data: training.py (the labelled documents, labelled by the heading rules). Never
  ../shared/corpus/unlabelled (a blind test set).
- `xxgk train` rebuilds the model (fixed seed, fixed data order: same data, same model).
- `get_model()` loads the committed model once per process; importing this module is cheap
  (spaCy is imported on first use).
"""
from __future__ import annotations

import json
import math
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Optional, Sequence

from ..report import SECTION_LABELS
from ..resources import model_dir
from ..segment import tokenizer
from ..template.normalize import squash

MODEL_DIR = model_dir("sections")  # the committed model, shipped inside the package

LABELS = SECTION_LABELS
SEED = 0
# Chosen by leave-one-document-out log-loss on the labelled corpus (unigrams and few epochs give
# better-calibrated probabilities than bigrams or longer training, which the smoothing needs).
EPOCHS = 8
BATCH = 32
LEARN_RATE = 0.02
BOW_LENGTH = 2 ** 15  # hashed features; 7 × 32768 float32 weights ≈ 0.9 MB
NGRAM = 1
# Sequence smoothing (assign.py): log-probability of moving on to a later section between two
# neighbouring items (held-out accuracy is flat for 0.2–0.5, lower below 0.1), and how sure a
# recognised statistics table is of its section.
SWITCH_LOGP = math.log(0.2)
TABLE_CONFIDENCE = 0.9999  # outweighs any one paragraph (MIN_PROB)
MIN_PROB = 1e-4  # floor for classifier probabilities (one odd paragraph cannot outweigh all)

_NUMERAL = re.compile(r"^[一二三四五六七八九十]+[、.．，,]")
_DIGITS = re.compile(r"\d+(?:[.,，]\d+)*")


# The model reads at most this much of a paragraph: its bag of words is settled long before (a
# real paragraph is a few hundred characters), and spaCy refuses texts over nlp.max_length
# (1,000,000, error E088) — a 25 MB file on one line must still be read.
MAX_CHARS = 20_000


def prepare(text: str) -> str:
    """What the model reads: whitespace removed, leading top-level numeral dropped, numbers → 0,
    the first MAX_CHARS characters."""
    s = _NUMERAL.sub("", squash(text[:4 * MAX_CHARS]))
    return _DIGITS.sub("0", s)[:MAX_CHARS]


# ---------------------------------------------------------------------------------------------
# Model


def build_nlp():
    """A blank Chinese pipeline with the jieba segmenter and an untrained BOW textcat."""
    import spacy

    with _project_jieba():
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    _attach(nlp)
    nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": NGRAM,
        "no_output_layer": False, "length": BOW_LENGTH, "nO": None}})
    return nlp


class _Jieba:
    """What spaCy's ChineseTokenizer calls (`jieba_seg.cut(text, cut_all=False)`), answered by the
    project's jieba tokenizer (domain dictionary) with HMM new-word guessing off, as in segment.py:
    the same words as Paragraph.tokens, and about a quarter faster."""

    def __init__(self, tk):
        self.tk = tk

    def cut(self, text: str, cut_all: bool = False):
        return self.tk.cut(text, cut_all=cut_all, HMM=False)


@contextmanager
def _project_jieba():
    """While a pipeline is made: spaCy's ChineseTokenizer gets the project's tokenizer instead of
    initialising jieba's global one (`try_jieba_import` segments a word to load it), which would
    load a second copy of jieba's dictionary (~0.7 s and ~100 MB per process) only to be replaced
    by `_attach`."""
    import spacy.lang.zh as zh

    seg = _Jieba(tokenizer())
    saved = zh.try_jieba_import
    zh.try_jieba_import = lambda: seg
    try:
        yield
    finally:
        zh.try_jieba_import = saved


def _attach(nlp) -> None:
    """Segment with the project's jieba tokenizer instead of jieba's global one."""
    nlp.tokenizer.jieba_seg = _Jieba(tokenizer())


class SectionClassifier:
    def __init__(self, nlp):
        self.nlp = nlp

    def proba(self, texts: Sequence[str], batch_size: int = 256):
        """(n, 7) probabilities in LABELS order."""
        import numpy as np

        out = np.zeros((len(texts), len(LABELS)))
        docs = self.nlp.pipe((prepare(t) for t in texts), batch_size=batch_size)
        for i, doc in enumerate(docs):
            out[i] = [doc.cats.get(lab, 0.0) for lab in LABELS]
        return out

    def log_proba(self, texts: Sequence[str]):
        import numpy as np

        return np.log(np.clip(self.proba(texts), MIN_PROB, 1.0))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [LABELS[int(i)] for i in self.proba(texts).argmax(axis=1)]

    def to_disk(self, path: Path, info: Optional[dict] = None) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.nlp.to_disk(path)
        if info is not None:
            (path / "training.json").write_text(
                json.dumps(info, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path = MODEL_DIR) -> SectionClassifier:
    import spacy

    with _project_jieba():
        nlp = spacy.load(path)
    _attach(nlp)
    return SectionClassifier(nlp)


def describe(path: Path) -> str:
    """Names a model folder for a person: its path, size and a digest of its files, so two
    models (the committed one, a freshly trained one) can be told apart in eval's output."""
    import hashlib

    path = Path(path).resolve()
    digest, size = hashlib.sha256(), 0
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        data = f.read_bytes()
        size += len(data)
        digest.update(str(f.relative_to(path)).encode() + b"\0" + data)
    return f"{path}（{size / 1e6:.2f} MB，sha256 {digest.hexdigest()[:12]}）"


_cache: dict[str, Optional[SectionClassifier]] = {}
_lock = threading.Lock()


def forget(path: Path) -> None:
    """Drop a cached model (after `xxgk train` replaced the folder it was loaded from)."""
    _cache.pop(str(path), None)


def get_model(path: Path = MODEL_DIR) -> Optional[SectionClassifier]:
    """The committed model, loaded once per process; None when there is none (or it cannot load)."""
    key = str(path)
    if key not in _cache:
        with _lock:
            if key not in _cache:
                model = None
                if (Path(path) / "config.cfg").is_file():
                    try:
                        model = load(path)
                    except Exception:  # a broken model must not stop extraction: rules still work
                        model = None
                _cache[key] = model
    return _cache[key]


def train(examples: Sequence[tuple[str, str]], seed: int = SEED, epochs: int = EPOCHS,
          batch: int = BATCH, learn_rate: float = LEARN_RATE) -> SectionClassifier:
    """A model trained on (text, label) pairs, in the given order, deterministically."""
    import random

    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import Adam

    fix_random_seed(seed)
    nlp = build_nlp()
    textcat = nlp.get_pipe("textcat")
    for lab in LABELS:
        textcat.add_label(lab)
    exs = [Example.from_dict(nlp.make_doc(prepare(t)), {"cats": {lab: float(lab == y) for lab in LABELS}})
           for t, y in examples]
    nlp.initialize(lambda: exs)
    optimizer = Adam(learn_rate)
    rng = random.Random(seed)
    order = list(range(len(exs)))
    for _ in range(epochs):
        rng.shuffle(order)
        for part in minibatch([exs[i] for i in order], size=batch):
            textcat.update(part, sgd=optimizer)  # the tokenizer is the only other step
    return SectionClassifier(nlp)


# ---------------------------------------------------------------------------------------------
# Sequence smoothing


def monotone_decode(logp, lo: int, hi: int, switch: float = SWITCH_LOGP):
    """Best label path through rows of log-probabilities (n × 7) when labels may only stay or move
    forward within lo..hi (the sections come in template order), entering at lo; and each chosen
    label's posterior probability (forward-backward over the same chain)."""
    import numpy as np

    e = np.asarray(logp, dtype=float)[:, lo:hi + 1]
    n, k = e.shape
    trans = np.full((k, k), -np.inf)
    for i in range(k):
        trans[i, i] = 0.0
        trans[i, i + 1:] = switch
    init = np.full(k, switch)
    init[0] = 0.0
    v = init + e[0]
    back = np.zeros((n, k), dtype=int)
    for t in range(1, n):
        scores = v[:, None] + trans  # from i to j
        back[t] = scores.argmax(axis=0)  # ties: the earlier section
        v = scores.max(axis=0) + e[t]
    path = np.zeros(n, dtype=int)
    path[-1] = int(v.argmax())
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    alpha = np.zeros((n, k))
    alpha[0] = init + e[0]
    for t in range(1, n):
        alpha[t] = np.logaddexp.reduce(alpha[t - 1][:, None] + trans, axis=0) + e[t]
    beta = np.zeros((n, k))
    for t in range(n - 2, -1, -1):
        beta[t] = np.logaddexp.reduce(trans + (e[t + 1] + beta[t + 1])[None, :], axis=1)
    z = np.logaddexp.reduce(alpha[-1])
    post = np.exp(alpha + beta - z)
    conf = post[np.arange(n), path]
    return path + lo, conf
