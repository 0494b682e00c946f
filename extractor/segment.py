"""Chinese word segmentation (jieba) for full-text search.

SQLite FTS5's default tokenizer (unicode61) treats a run of Chinese characters without spaces as one
"word", so it finds nothing inside Chinese text. We therefore store jieba-segmented, space-separated
text in paragraphs.tokens, index that with FTS5, and segment the search terms the same way.

- `segment(text)`: the jieba segmentation (jieba.lcut), space separated.
- `index_tokens(text)`: what goes into paragraphs.tokens: every word of `segment`, then the
  dictionary words and characters inside it (行政复议 → 行政复议 行政 复议 行 政 复 议), so that a
  search for 复议 also finds 行政复议, whichever way jieba cut the sentence.
- `fts_query(q)`: an FTS5 MATCH expression for what a reviewer typed: every typed piece must occur,
  its jieba words close together; `contains_all(text, q)` is the exact check used after it.

One private jieba.Tokenizer with the domain dictionary rules/jieba_dict.txt; HMM new-word guessing is
off so that a term is cut the same way in a paragraph and in a query. jieba prints nothing.
"""
from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from .resources import rules_path

DICT_PATH = rules_path("jieba_dict.txt")
MIN_USER_FREQ = 20000
# Bump when index_tokens changes: views.ensure_search re-segments databases made by another version.
TOKENS_VERSION = 2

_lock = threading.Lock()
_tokenizer = None
_WORD = re.compile(r"\w", re.UNICODE)
_QUERY_BITS = re.compile(r'\s+|(".*?")')


def tokenizer():
    """The jieba tokenizer with the domain dictionary (built once, thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)  # before initialising: no "Building prefix dict"
                tk = jieba.Tokenizer()
                tk.initialize()
                for word, freq, tag in user_words():
                    if freq is None:
                        freq = max(tk.suggest_freq(word, False), MIN_USER_FREQ)
                    tk.add_word(word, freq, tag)
                _tokenizer = tk
    return _tokenizer


def tokens_signature() -> str:
    """Identifies how paragraphs.tokens were made: TOKENS_VERSION and the domain dictionary."""
    import hashlib

    h = hashlib.sha1(DICT_PATH.read_bytes() if DICT_PATH.is_file() else b"").hexdigest()[:12]
    return f"{TOKENS_VERSION}:{h}"


def user_words(path: Path = DICT_PATH) -> list[tuple[str, int | None, str | None]]:
    """(word, frequency or None, tag or None) for each entry of the domain dictionary."""
    words = []
    if not path.is_file():
        return words
    for line in path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        for p in parts[1:]:
            if p.isdigit():
                freq = int(p)
            else:
                tag = p
        words.append((word, freq, tag))
    return words


def _words(text: str) -> list[str]:
    """jieba words of text, without whitespace and punctuation-only tokens."""
    if not text:
        return []
    return [w for w in tokenizer().lcut(text, HMM=False) if _WORD.search(w)]


def segment(text: str) -> str:
    """jieba segmentation of text, words separated by single spaces ('' for empty text)."""
    return " ".join(w.strip() for w in _words(text))


def index_tokens(text: str) -> str:
    """Tokens stored in paragraphs.tokens and indexed by FTS5.

    Each jieba word of `segment`, followed by every dictionary word that starts inside it (also
    one that runs on into the next word: 政务公开 in 政务|公开专栏) and, for a word of several
    characters, its single characters. So every dictionary word and every character that occurs
    in the text is indexed, whatever way jieba cut the sentence, and a search finds a paragraph
    exactly when its text contains each searched word."""
    if not text:
        return ""
    tk = tokenizer()
    dag = tk.get_DAG(text)
    out: list[str] = []
    pos = 0
    for w in tk.lcut(text, HMM=False):
        start, pos = pos, pos + len(w)
        if not _WORD.search(w):
            continue
        out.append(w.strip())
        if len(w) == 1:
            continue
        for i in range(start, pos):
            for j in dag.get(i, ()):
                sub = text[i:j + 1]
                if sub != w and len(sub) > 1 and _WORD.search(sub) and not any(c.isspace() for c in sub):
                    out.append(sub)
            if _WORD.match(text[i]):
                out.append(text[i])
    return " ".join(out)


def fts_query(query: str) -> str:
    """FTS5 MATCH expression for what a reviewer typed. Returns '' when nothing is searchable.

    Split like datasette's escape_fts (whitespace; "double-quoted text" is one piece); every piece
    must occur. A piece that jieba cuts into several words (信息公开专栏 → 信息公开 专栏) must
    have them close together: NEAR(...), with room for the dictionary words and characters that
    index_tokens puts between them. A piece that is one dictionary word or one character is found
    exactly where the text contains it."""
    query = query or ""
    if query.count('"') % 2:
        query += '"'
    parts = []
    for bit in _QUERY_BITS.split(query):
        if not bit or bit == '""':
            continue
        words = [w.replace('"', "") for w in _words(bit.strip('"'))]
        if len(words) == 1:
            parts.append(f'"{words[0]}"')
        elif words:
            gap = 4 * sum(len(w) for w in words[:-1])
            parts.append("NEAR(" + " ".join(f'"{w}"' for w in words) + f", {gap})")
    return " ".join(parts)


def query_terms(query: str) -> list[str]:
    """The pieces of a search as typed (whitespace-separated, quotes removed)."""
    query = query or ""
    return [b.strip('"') for b in _QUERY_BITS.split(query) if b and b.strip('"').strip()]


def contains_all(text: str, query: str) -> bool:
    """True when text contains every piece of query literally (what a reader expects of a search)."""
    text = text or ""
    terms = query_terms(query)
    return bool(terms) and all(t in text for t in terms)
