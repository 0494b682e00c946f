"""Every catalog entry explains itself (what / why / example, in Chinese), the loader refuses one
that does not, and docs/checks.md is exactly what extractor.checks.docs renders from the catalog."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.checks import engine, load_catalog
from extractor.checks.docs import CASE_FILES, render
from extractor.status import Severity

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_entry_says_what_why_and_gives_an_example():
    for cid, spec in load_catalog().checks.items():
        for name in engine.DOC_FIELDS:
            text = getattr(spec, name)
            assert text.strip() and CJK.search(text), f"{cid}.{name} is empty or not Chinese"
        assert "→" in spec.example, f"{cid}: the example shows the report's wording → the message"


@pytest.mark.parametrize("blank", [False, True], ids=["absent", "blank"])
@pytest.mark.parametrize("field", engine.DOC_FIELDS)
def test_loader_refuses_an_entry_without_a_doc_field(tmp_path, field, blank):
    text = engine.CATALOG_PATH.read_text(encoding="utf-8")
    start = text.index('id = "R05"')  # change the entry of R05 only
    end = text.index("[[check]]", start)
    entry = re.sub(rf"(?m)^{field} = .*\n", f'{field} = "  "\n' if blank else "", text[start:end], count=1)
    assert entry != text[start:end]
    path = tmp_path / "checks.toml"
    path.write_text(text[:start] + entry + text[end:], encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^R05: .*{field}"):
        engine.load_catalog(path)


def test_docs_file_is_the_rendered_catalog():
    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert doc == render(load_catalog()), \
        "docs/checks.md is stale: run `.venv/bin/python -m extractor.checks.docs > docs/checks.md`"


def test_render_has_a_section_per_check_with_its_fields():
    catalog = load_catalog()
    doc = render(catalog)
    headings = re.findall(r"(?m)^### (\S+) — ", doc)
    assert headings == list(catalog.checks)  # every id once, in catalog order
    for cid, spec in catalog.checks.items():
        section = doc.split(f"### {cid} — ", 1)[1].split("\n### ", 1)[0]
        assert f"级别：{Severity(spec.severity).label}（{spec.severity}）" in section
        for label, text in (("检查内容", spec.what), ("为何重要", spec.why), ("示例", spec.example)):
            assert f"**{label}**：{text}" in section


def test_each_check_has_cases_in_the_file_its_section_names():
    """docs/checks.md points each check at a test file: that file holds its examples."""
    texts = {f: (ROOT / f).read_text(encoding="utf-8") for f in set(CASE_FILES.values())}
    for cid, spec in load_catalog().checks.items():
        text = texts[CASE_FILES[spec.group]]
        for outcome in ("fail", "pass"):
            assert re.search(rf'Case\("{re.escape(cid)}", "{outcome}"', text), \
                f"{cid}: no {outcome} case in {CASE_FILES[spec.group]}"
