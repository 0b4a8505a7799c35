"""Normalize stage: fills `Document.norm` and its alignment to `raw` (`pipeline.arabic.normalize`).

Why a map: every later stage matches on one canonical spelling (no diacritics, one alef, ASCII
digits) but must report offsets into the text the user gave us; see `normalize_text`. Markup
(HTML tags with their attributes, comments, scripts, styles) is blanked first, one space per
character (`pipeline.markup`), so that only text nodes can give mentions and no offset moves.
"""

from __future__ import annotations

from pipeline.arabic.normalize import CHAR_MAP, TATWEEL, normalize_text
from pipeline.document import Document
from pipeline.markup import blank_markup

__all__ = ["Normalizer", "normalize_text", "CHAR_MAP", "TATWEEL"]


class Normalizer:
    """Pipeline stage: fills `Document.norm` and its alignment to `raw`.

    Takes no options: the normalization is one fixed map (`pipeline.arabic.normalize`), because
    every model and grammar downstream was built on exactly that form. HTML markup is blanked
    first (tags count in the offsets, nothing inside them is matched). Requires nothing;
    provides `norm`.
    """

    name = "normalize"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("norm",)

    def __call__(self, doc: Document) -> Document:
        norm, starts, ends = normalize_text(blank_markup(doc.raw))
        doc.set_norm(norm, starts, ends)
        return doc
