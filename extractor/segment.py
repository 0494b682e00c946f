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
off so that a term is cut the same way in a paragraph and in a query. jieba prints nothing. Its prefix
dictionary, domain words included, is cached in the user cache dir (~/.cache/xxgk/jieba), keyed by
jieba's version and the domain dictionary's content; without a writable home it is built each time.
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
# Bump when the cached prefix dictionary's content changes for the same inputs (tokenizer()).
DICT_CACHE_FORMAT = 1

_lock = threading.Lock()
_tokenizer = None
_WORD = re.compile(r"\w", re.UNICODE)
_QUERY_BITS = re.compile(r'\s+|(".*?")')


def tokenizer():
    """The jieba tokenizer with the domain dictionary (built once per process, thread-safe).

    Its prefix dictionary (jieba's ~500,000 words plus the domain words) comes from the user
    cache (`dict_cache_path`) when there is one: about three times faster than jieba's own start
    (which reads its /tmp cache object by object, then adds the domain words)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba = _import_jieba()
                jieba.setLogLevel(logging.WARNING)  # before initialising: no "Building prefix dict"
                tk = jieba.Tokenizer()
                # One read of the domain dictionary: the words added and the cache key agree.
                data = DICT_PATH.read_bytes() if DICT_PATH.is_file() else b""
                words = _parse_words(data.decode("utf-8"))
                cache = dict_cache_path(data)
                if not _load_dict_cache(tk, cache, words):
                    tk.initialize()
                    for word, freq, tag in words:
                        if freq is None:
                            freq = max(tk.suggest_freq(word, False), MIN_USER_FREQ)
                        tk.add_word(word, freq, tag)
                    _save_dict_cache(tk, cache)
                _tokenizer = tk
    return _tokenizer


def _import_jieba():
    """jieba, imported without pkg_resources: jieba only wants it to open its own data files
    (it falls back to open()), and importing it costs ~0.12 s and, with a recent setuptools, a
    deprecation warning on stderr."""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails: jieba's fallback
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


def dict_cache_path(data: bytes | None = None) -> Path | None:
    """Where the prefix dictionary with the domain words is cached: the user cache dir
    (resources.cache_dir: $XDG_CACHE_HOME/xxgk or ~/.cache/xxgk), named by everything it is made
    from (jieba's version and dictionary, the domain dictionary, this module's way of adding it,
    the Python version, whose marshal format it is), so any change makes a new one.
    data: the domain dictionary's bytes (default: read DICT_PATH). None when there is no home."""
    import hashlib
    import sys

    from .resources import cache_dir

    jieba = _import_jieba()

    try:
        base = cache_dir()
    except (RuntimeError, KeyError, OSError):  # no HOME and no passwd entry
        return None
    h = hashlib.sha256()
    h.update(f"{DICT_CACHE_FORMAT}:{MIN_USER_FREQ}:{sys.version_info[:2]}:{jieba.__version__}:".encode())
    if data is None:
        data = DICT_PATH.read_bytes() if DICT_PATH.is_file() else b""
    h.update(data)
    return base / "jieba" / f"prefix-dict-{jieba.__version__}-{h.hexdigest()[:16]}.marshal"


def _load_dict_cache(tk, path: Path | None, words) -> bool:
    """Fill tk from the cache file; False (nothing changed) when there is none or it is unusable."""
    import marshal

    if path is None:
        return False
    try:
        data = path.read_bytes()  # one read, then loads: marshal.load on a file reads piecemeal
        freq, total = marshal.loads(data)
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: rebuilt from jieba's dictionary
        return False
    if not isinstance(freq, dict) or not isinstance(total, int) or not freq:
        return False
    tk.FREQ, tk.total = freq, total
    tk.initialized = True
    from jieba import finalseg

    for word, f, tag in words:  # what add_word keeps beside the prefix dictionary
        if tag:
            tk.user_word_tag_tab[word] = tag
        if f == 0:
            finalseg.add_force_split(word)
    return True


def _save_dict_cache(tk, path: Path | None) -> None:
    """Write the cache atomically (a private temporary file renamed over it: a process racing
    this one reads the old file, the new one or none, never half of one). Silent on failure (a
    read-only home, a full disk): the next process builds the dictionary again."""
    import marshal
    import os
    import tempfile

    if path is None:
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".prefix-dict-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps((tk.FREQ, tk.total)))
        os.replace(tmp, path)
        tmp = None
        for old in path.parent.glob("prefix-dict-*.marshal"):  # made from another dictionary
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def tokens_signature() -> str:
    """Identifies how paragraphs.tokens were made: TOKENS_VERSION and the domain dictionary."""
    import hashlib

    h = hashlib.sha1(DICT_PATH.read_bytes() if DICT_PATH.is_file() else b"").hexdigest()[:12]
    return f"{TOKENS_VERSION}:{h}"


def user_words(path: Path | None = None) -> list[tuple[str, int | None, str | None]]:
    """(word, frequency or None, tag or None) for each entry of the domain dictionary
    (default: DICT_PATH)."""
    path = DICT_PATH if path is None else path
    if not path.is_file():
        return []
    return _parse_words(path.read_text(encoding="utf-8"))


def _parse_words(text: str) -> list[tuple[str, int | None, str | None]]:
    words = []
    for line in text.lstrip("\ufeff").splitlines():
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
    for w in _cut(tk, text, dag):
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


def _cut(tk, text: str, dag: dict) -> list[str]:
    """tk.lcut(text, HMM=False), from the DAG of the whole text that index_tokens needs anyway
    (jieba would build it again, block by block: half of index_tokens' time). A block's DAG is
    the text's, cut at the block's end: the prefix search from a position inside the block is
    the same up to there. tests/test_startup.py checks it against jieba on the corpora."""
    import jieba

    out: list[str] = []
    offset = 0
    for blk in jieba.re_han_default.split(text):
        start, offset = offset, offset + len(blk)
        if not blk:
            continue
        if not jieba.re_han_default.match(blk):
            for x in jieba.re_skip_default.split(blk):
                if jieba.re_skip_default.match(x):
                    out.append(x)
                else:
                    out.extend(x)
            continue
        n = len(blk)
        block_dag = {k: [j - start for j in dag[start + k] if j < offset] or [k] for k in range(n)}
        route: dict = {}
        tk.calc(blk, block_dag, route)
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            word = blk[x:y]
            if len(word) == 1 and jieba.re_eng.match(word):
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)
    return out


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
