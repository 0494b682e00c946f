"""Walk a Document and give every paragraph its section (heading rules; the classifier, when
a model is present, decides paragraphs that no heading covers)."""
from __future__ import annotations

from ..document import Document
from ..report import Paragraph, Section
from ..template.normalize import squash
from .rules import match_heading

STARTS_WITH_CHARS = 14


def assign_sections(doc: Document) -> tuple[list[Section], list[Paragraph]]:
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    seen: set[str] = set()
    current = "preamble"
    need_start: Section | None = None
    for block in doc.blocks:
        if block.kind == "table" and block.table is not None:
            if need_start is not None:
                first = min(block.table.cells, key=lambda c: (c.row, c.col), default=None)
                need_start.starts_with = squash(first.text)[:STARTS_WITH_CHARS] if first else ""
                need_start = None
            continue
        text = block.text.strip()
        if not squash(text):
            continue
        m = match_heading(text)
        if m and m.key not in seen:
            seen.add(m.key)
            current = m.key
            need_start = Section(key=m.key, heading=m.heading, page=block.page, number=m.number)
            sections.append(need_start)
            paragraphs.append(Paragraph(index=len(paragraphs), text=text, page=block.page,
                                        bbox=block.bbox, section=current, is_heading=True))
            continue
        if need_start is not None:
            need_start.starts_with = squash(text)[:STARTS_WITH_CHARS]
            need_start = None
        paragraphs.append(Paragraph(index=len(paragraphs), text=text, page=block.page,
                                    bbox=block.bbox, section=current))
    return sections, paragraphs
