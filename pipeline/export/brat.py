"""brat standoff: the text as given (`.txt`) and its mentions (`.ann`), values as notes."""

from __future__ import annotations

from pipeline.document import Document

__all__ = ["to_brat"]


def _fragments(doc: Document, start: int, end: int) -> str:
    """brat spans cannot cross a line break: a mention over one is written as fragments."""
    frags = []
    a = start
    for i in range(start, end):
        if doc.raw[i] in "\r\n":
            if i > a:
                frags.append(f"{a} {i}")
            a = i + 1
    if end > a:
        frags.append(f"{a} {end}")
    return ";".join(frags)


def to_brat(doc: Document) -> tuple[str, str]:
    """(.txt, .ann) of a document. Offsets are code points into the text, as brat counts them."""
    lines = []
    notes = 0
    for n, m in enumerate(doc.sorted_mentions(), 1):
        text = " ".join(m.text.split())
        lines.append(f"T{n}\t{m.type} {_fragments(doc, m.start, m.end)}\t{text}")
        note = " ".join(x for x in (f"value={m.value}" if m.value not in (None, "") else "",
                                     f"unit={m.unit}" if m.unit else "",
                                     f"entity={m.entity_id}" if m.entity_id else "") if x)  # fmt: skip
        if note:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes T{n}\t{note}")
    return doc.raw, "\n".join(lines) + ("\n" if lines else "")
