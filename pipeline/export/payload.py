"""What a worker sends back for the exports of one document (strings, cheap to move and save)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pipeline.document import Document
from pipeline.export.brat import to_brat
from pipeline.export.conllu import to_conllu
from pipeline.export.iob import to_iob2
from pipeline.export.label_studio import to_task
from pipeline.export.spacy import merge_payloads, spacy_payload

__all__ = ["TOKEN_EXPORTS", "join_pieces", "payloads"]

# Exports built from tokens: a long document processed in pieces gets them piece by piece.
TOKEN_EXPORTS = ("conllu", "iob2", "iob2-tokens", "spacy")


def payloads(
    doc: Document, names: Sequence[str], offset: int = 0, first_sentence: int = 1
) -> dict[str, Any]:
    """The export texts of one processed document, for each name in `names`.

    `offset` and `first_sentence` place a piece of a long document (token exports only)."""
    out: dict[str, Any] = {}
    for name in names:
        if name == "conllu":
            out[name] = to_conllu(doc, offset, first_sentence)
        elif name == "iob2":
            out[name] = to_iob2(doc, parts=True, header=first_sentence == 1)
        elif name == "iob2-tokens":
            out[name] = to_iob2(doc, parts=False, header=first_sentence == 1)
        elif name == "brat":
            out[name] = to_brat(doc)
        elif name == "label-studio":
            out[name] = json.dumps(to_task(doc), ensure_ascii=False)
        elif name == "spacy":  # JSON: the parent builds the DocBin (workers need no spaCy)
            out[name] = json.dumps(spacy_payload(doc, offset), ensure_ascii=False)
        else:
            raise ValueError(f"unknown export {name!r}")
    return out


def join_pieces(name: str, pieces: list[str], whole: Document) -> str:
    """The export text of a long document from the texts of its pieces (`whole`: the document
    after resolution, holding the mentions but no tokens)."""
    if name == "spacy":
        merged = merge_payloads(pieces, spacy_payload(whole))
        return json.dumps(merged, ensure_ascii=False)
    return "".join(pieces)
