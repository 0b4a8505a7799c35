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

__all__ = ["TOKEN_EXPORTS", "payloads"]

# Exports built from tokens: a long document processed in pieces gets them piece by piece.
TOKEN_EXPORTS = ("conllu", "iob2", "iob2-tokens")


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
        else:
            raise ValueError(f"unknown export {name!r}")
    return out
