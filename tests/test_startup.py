"""Start-up (issue 18): jieba's prefix dictionary with the domain words cached in the user cache
dir (created, reused, rebuilt when the dictionary changes, never fatal), the section model and
jieba loaded once in the batch fork server and not again in the workers, and `xxgk --help` /
`xxgk show` on a DOCX without the heavy libraries. Each check runs in a fresh process."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from extractor.batch import audit_folder

PY = sys.executable
SAMPLES = ROOT / "corpus"
TEXTS = ["2023年依申请公开的申请引起行政复议1件，未收取信息处理费，三安全一稳定",
         "本机关全年主动公开政府信息公开专栏信息123条，政府信息公开工作年度报告按时发布。",
         "收到和处理政府信息公开申请情况：法人或其他组织申请5件，不予公开2件。"]

# Runs in a fresh process: segments TEXTS and says whether jieba built its dictionary.
_PROBE = r"""
import json, sys
from pathlib import Path
import jieba
built = []
_init = jieba.Tokenizer.initialize
def initialize(self, *a, **k):
    built.append(1)
    return _init(self, *a, **k)
jieba.Tokenizer.initialize = initialize
import extractor.segment as S
if len(sys.argv) > 2:
    S.DICT_PATH = Path(sys.argv[2])
from extractor.segment import dict_cache_path, index_tokens, segment, tokenizer
texts = json.loads(sys.argv[1])
tk = tokenizer()
print(json.dumps({"built": bool(built), "cache": str(dict_cache_path()),
                  "segment": [segment(t) for t in texts], "tokens": [index_tokens(t) for t in texts],
                  "total": tk.total, "words": len(tk.FREQ)}, ensure_ascii=False))
"""


def _probe(tmp_path: Path, cache_home: Path, dictionary: Path | None = None) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home), TMPDIR=str(tmp_path))  # jieba's own /tmp cache cold too
    args = [PY, "-c", _PROBE, json.dumps(TEXTS, ensure_ascii=False)] + ([str(dictionary)] if dictionary else [])
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # jieba prints nothing, building or loading
    return json.loads(r.stdout)


def test_jieba_dictionary_cache_is_made_reused_and_rebuilt_when_the_dictionary_changes(tmp_path):
    from extractor.segment import DICT_PATH

    cache_home = tmp_path / "cache"
    dictionary = tmp_path / "jieba_dict.txt"
    shutil.copyfile(DICT_PATH, dictionary)

    first = _probe(tmp_path, cache_home, dictionary)
    cache = Path(first["cache"])
    assert first["built"] and cache.is_file()
    assert cache.parent == cache_home / "xxgk" / "jieba"
    words = first["segment"][0].split()
    for w in ("依申请公开", "行政复议", "信息处理费", "三安全一稳定"):  # the domain words are in the cache
        assert w in words, words

    again = _probe(tmp_path, cache_home, dictionary)
    assert not again["built"]  # read from the cache, not rebuilt
    assert again["cache"] == first["cache"] and cache.stat().st_mtime_ns == Path(again["cache"]).stat().st_mtime_ns
    # Exactly the same segmentation, search tokens and dictionary as when it was built.
    assert {k: again[k] for k in ("segment", "tokens", "total", "words")} == \
        {k: first[k] for k in ("segment", "tokens", "total", "words")}

    # Without any usable cache (its folder cannot be made): built each time, silently, same words.
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    uncached = _probe(tmp_path, blocked / "cache", dictionary)
    assert uncached["built"]
    assert {k: uncached[k] for k in ("segment", "tokens", "total", "words")} == \
        {k: first[k] for k in ("segment", "tokens", "total", "words")}

    # A changed domain dictionary: another cache file, built once, with the new word; the old one goes.
    dictionary.write_text(dictionary.read_text(encoding="utf-8") + "\n本机关\n", encoding="utf-8")
    changed = _probe(tmp_path, cache_home, dictionary)
    assert changed["built"] and changed["cache"] != first["cache"]
    assert "本机关" in changed["segment"][1].split() and "本机关" not in first["segment"][1].split()
    assert sorted(p.name for p in cache.parent.iterdir()) == [Path(changed["cache"]).name]
    assert not _probe(tmp_path, cache_home, dictionary)["built"]

    # A damaged cache file is rebuilt (and replaced), not trusted.
    Path(changed["cache"]).write_bytes(Path(changed["cache"]).read_bytes()[:1000])
    repaired = _probe(tmp_path, cache_home, dictionary)
    assert repaired["built"] and repaired["segment"] == changed["segment"]
    assert not _probe(tmp_path, cache_home, dictionary)["built"]


def test_two_processes_building_the_cache_at_once_leave_a_good_one(tmp_path):
    cache_home = tmp_path / "cache"
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home), TMPDIR=str(tmp_path))
    args = [PY, "-c", _PROBE, json.dumps(TEXTS, ensure_ascii=False)]
    procs = [subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 and err == "" for p, (_, err) in zip(procs, outs)), outs
    results = [json.loads(out) for out, _ in outs]
    assert results[0]["segment"] == results[1]["segment"]
    files = list((cache_home / "xxgk" / "jieba").iterdir())
    assert [f.name for f in files] == [Path(results[0]["cache"]).name]  # no temporary file left
    after = _probe(tmp_path, cache_home)
    assert not after["built"] and after["segment"] == results[0]["segment"]


def test_jieba_is_imported_without_pkg_resources(tmp_path):
    code = ("import sys\nfrom extractor.segment import segment\n"
            "print(segment('行政复议'), 'pkg_resources' in sys.modules)\n")
    r = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, TMPDIR=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache")))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.split() == ["行政复议", "False"]  # (~0.12 s, and a deprecation warning on recent setuptools)


def test_the_section_model_does_not_load_jiebas_global_dictionary(tmp_path):
    code = ("import jieba\n"
            "from extractor.sections.classifier import get_model\n"
            "m = get_model()\n"
            "print(m.predict(['本报告根据条例编制。']), jieba.dt.initialized)\n")
    r = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    # Only the project's tokenizer: jieba's global one (a second ~100 MB dictionary) stays empty.
    assert r.stdout.split() == ["['preamble']", "False"]


# --------------------------------------------------------------------- batch workers start warm


def warm_probe(path):
    """extract(), after noting what the worker already had loaded before its first file (a
    JSON file beside the reports folder, named after the file)."""
    import gc
    import time

    import jieba

    loaded = {"spacy": "spacy" in sys.modules, "frozen": gc.get_freeze_count() > 0}
    t = time.perf_counter()
    from extractor.pipeline import warm_up
    warm_up()
    loaded["warm_up_s"] = time.perf_counter() - t
    loaded["jieba_global"] = jieba.dt.initialized
    out = Path(path).parent.parent / "probe"
    out.mkdir(exist_ok=True)
    (out / (Path(path).name + ".json")).write_text(json.dumps(loaded))
    from extractor.pipeline import extract
    return extract(path)


def test_batch_workers_are_forked_warm(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("sample-01-citydept-2023.docx", "sample-03-districtgov-2022.html"):
        shutil.copyfile(SAMPLES / name, folder / name)
    s = audit_folder(folder, tmp_path / "w.db", workers=2, extract_fn=warm_probe, progress=False)
    assert s.exit_code == 0 and s.processed == 2
    probes = [json.loads(p.read_text()) for p in sorted((tmp_path / "probe").iterdir())]
    assert len(probes) == 2
    for p in probes:
        # spaCy and the model came with the fork; warm_up() finds everything loaded (the section
        # model, jieba's dictionary: seconds when cold); jieba's global dictionary is never loaded.
        assert p["spacy"] and p["frozen"] and not p["jieba_global"], p
        assert p["warm_up_s"] < 0.2, p


# ------------------------------------------------------------------- the command line stays light

HEAVY = ("spacy", "thinc", "rapidocr", "onnxruntime", "dask", "distributed", "pdfplumber", "pdfminer",
         "pypdfium2", "numpy", "datasette", "jieba", "docx", "openpyxl")


def _cli_modules(*args: str) -> list[str]:
    code = ("import sys\n"
            f"sys.argv = ['xxgk', *{list(args)!r}]\n"
            "import extractor.cli as cli\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "sys.stdout.flush()\n"
            f"print('MODULES', sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))\n")
    r = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    line = [x for x in r.stdout.splitlines() if x.startswith("MODULES ")][-1]
    return eval(line.split(" ", 1)[1])  # noqa: S307 - our own print of a list of names


def test_help_imports_nothing_heavy():
    assert _cli_modules("--help") == []


def test_show_of_a_docx_imports_neither_pdf_nor_ocr_nor_spacy():
    loaded = _cli_modules("show", str(SAMPLES / "sample-01-citydept-2023.docx"))
    assert "docx" in loaded and "jieba" in loaded  # what it needs
    assert not set(loaded) & {"spacy", "thinc", "rapidocr", "onnxruntime", "dask", "distributed",
                              "pdfplumber", "pdfminer", "pypdfium2", "datasette"}, loaded
