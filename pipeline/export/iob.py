"""IOB2: one unit (a clitic part, or a whole token) per line with its BIO tag; a blank line
between sentences, and a `-DOCSTART-` line before each document, as CoNLL-2003 trainers expect."""

from __future__ import annotations

from pipeline.document import Document
from pipeline.export import unit_labels

__all__ = ["to_iob2"]


def to_iob2(doc: Document, parts: bool = True, header: bool = True) -> str:
    """The document as IOB2 lines; `parts=False` keeps each token whole (its clitics inside).
    `header=False` leaves out the -DOCSTART- line (a later piece of a long document)."""
    lines = [f"-DOCSTART-\t{doc.id}", ""] if header else []
    for sent in doc.sentences:
        toks = doc.tokens[sent.first_token : sent.last_token]
        if parts:
            units = [(p.start, p.end, p.text) for t in toks for p in (t.parts or [t])]
        else:
            units = [(t.start, t.end, t.text) for t in toks]
        if not units:
            continue
        tags = unit_labels(doc, [(a, b) for a, b, _ in units])
        lines += [f"{text}\t{tag}" for (_, _, text), tag in zip(units, tags)]
        lines.append("")
    return "\n".join(lines) + "\n"
