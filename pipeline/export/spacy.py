"""spaCy: a `spacy.tokens.Doc` whose tokens are our clitic parts, with the mentions as `doc.ents`.

Why parts and not surface tokens: a name attached to a proclitic (وتوكاييف, لليابان) is a span of
a part, not of a whitespace token, so with spaCy's own tokenization `doc.char_span` fails on it.
Here every unit (a part, or a token without parts) is a spaCy token, and a unit is also cut at a
mention boundary the tagger did not split at, so every mention is a valid span. The Doc's text is
the raw text exactly (the gaps between units become spaces or whitespace tokens), so spaCy's
character offsets are the tables' offsets.

The work is in two steps so that a run's workers need no spaCy: `spacy_payload` (plain JSON, made
by a worker) and `build_doc` (the parent, with spaCy, builds the Doc); `to_spacy` does both.
Beside `doc.ents` (non-overlapping, label = type, `kb_id_` = entity id), `doc.spans["mentions"]`
holds every mention and `doc.user_data["arabic_ie"]` the document id and each mention's
normalized form, value and unit; a `DocBin(store_user_data=True)` keeps them all.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pipeline.document import Document

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, DocBin

__all__ = ["INSTALL", "build_doc", "merge_payloads", "spacy_payload", "to_docbin", "to_spacy"]

INSTALL = "pip install 'arabic-ie[spacy]'  (or: pip install spacy)"

_UPOS = frozenset(
    "ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split()
)


def _spacy():
    try:
        import spacy
    except ImportError:
        raise ImportError(f"the spaCy export needs spaCy: {INSTALL}") from None
    return spacy


def spacy_payload(doc: Document, offset: int = 0, mentions: bool = True) -> dict[str, Any]:
    """What `build_doc` needs, as JSON types: the text, its units (raw start, end, UPOS, lemma,
    sentence start, UD features) and the mentions. `offset` places a piece of a long document;
    `mentions=False` leaves them out (a piece's mentions are not resolved yet)."""
    units = []
    for sent in doc.sentences:
        first = True
        for tok in doc.tokens[sent.first_token : sent.last_token]:
            for p in tok.parts or [tok]:
                units.append([p.start + offset, p.end + offset, p.pos, p.lemma, first, p.feats])
                first = False
    ents = []
    if mentions:
        for m in doc.sorted_mentions():
            ents.append(
                {
                    "start": m.start + offset,
                    "end": m.end + offset,
                    "type": m.type,
                    "entity_id": m.entity_id,
                    "normalized": m.normalized,
                    "value": m.value,
                    "unit": m.unit,
                }
            )
    return {"id": doc.id, "text": doc.raw, "offset": offset, "units": units, "ents": ents}


def merge_payloads(pieces: Iterable[str], whole: dict[str, Any]) -> dict[str, Any]:
    """One payload from the JSON payloads of a long document's pieces (units, in order; their
    texts tile the raw text) and the payload of the resolved whole document (mentions)."""
    texts: list[str] = []
    units: list[list[Any]] = []
    for text in pieces:
        piece = json.loads(text)
        texts.append(piece["text"])
        units.extend(piece["units"])
    return {**whole, "text": "".join(texts), "offset": 0, "units": units}


def _segments(text: str, units: list[list[Any]], cuts: set[int]) -> list[tuple[int, int, int]]:
    """(start, end, unit index or -1 for a gap): the text cut at every unit and mention boundary.
    Units are in text order and do not overlap (parts tile their token)."""
    bounds = {0, len(text)} | {c for c in cuts if 0 <= c <= len(text)}
    for a, b, *_rest in units:
        bounds.update((a, b))
    starts = [u[0] for u in units]
    order = sorted(bounds)
    out = []
    for a, b in zip(order, order[1:]):
        i = bisect_right(starts, a) - 1
        inside = i >= 0 and units[i][0] <= a and b <= units[i][1]
        out.append((a, b, i if inside else -1))
    return out


def build_doc(payload: dict[str, Any], nlp: Language | None = None) -> Doc:
    """The spaCy Doc of a payload (see the module docstring for what it holds)."""
    spacy = _spacy()
    from spacy.tokens import Doc, Span

    vocab = (nlp or spacy.blank("ar")).vocab
    text: str = payload["text"]
    base: int = payload.get("offset", 0)
    units = [[a - base, b - base, *rest] for a, b, *rest in payload["units"]]
    ents = payload["ents"]
    cuts = {e["start"] - base for e in ents} | {e["end"] - base for e in ents}
    words: list[str] = []
    spaces: list[bool] = []
    info: list[tuple[int, bool]] = []  # (unit index or -1, starts a sentence)
    seen: set[int] = set()
    for a, b, u in _segments(text, units, cuts):
        piece = text[a:b]
        if u < 0 and piece.isspace() and words and not spaces[-1] and piece[0] == " ":
            spaces[-1] = True
            piece = piece[1:]
            if not piece:
                continue
        words.append(piece)
        spaces.append(False)
        info.append((u, u >= 0 and u not in seen and bool(units[u][4])))
        seen.add(u)
    if not words:
        return Doc(vocab, words=[], spaces=[])
    sent_starts = [True] + [start for _, start in info[1:]]
    doc = Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    for tok, (u, _) in zip(doc, info):
        if u >= 0:
            pos, lemma, feats = units[u][2], units[u][3], units[u][5]
            if pos in _UPOS:
                tok.pos_ = pos
            if lemma:
                tok.lemma_ = lemma
            if feats:
                tok.set_morph(feats)
    spans = []
    for e in ents:
        span = doc.char_span(e["start"] - base, e["end"] - base, label=e["type"],
                             kb_id=e["entity_id"] or "")  # fmt: skip
        if span is not None:
            spans.append(span)
    doc.spans["mentions"] = spans
    taken: set[int] = set()
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -len(s))):  # the longest of overlapping ones
        if not taken.intersection(range(span.start, span.end)):
            chosen.append(span)
            taken.update(range(span.start, span.end))
    doc.ents = chosen
    doc.user_data["arabic_ie"] = {
        "doc_id": payload["id"],
        "mentions": [dict(e) for e in ents],
    }
    return doc


def to_spacy(doc: Document, nlp: Language | None = None) -> Doc:
    """A processed Document as a spaCy Doc over `nlp`'s vocabulary (default `spacy.blank("ar")`):
    tokens = our parts, `doc.ents` = our mentions at the same character offsets."""
    return build_doc(spacy_payload(doc), nlp)


def to_docbin(payloads: Iterable[dict[str, Any]], nlp: Language | None = None) -> DocBin:
    """A DocBin of payloads (what `--export spacy` writes; read back with `DocBin().from_disk`)."""
    spacy = _spacy()
    from spacy.tokens import DocBin

    nlp = nlp or spacy.blank("ar")
    db = DocBin(store_user_data=True)
    for payload in payloads:
        db.add(build_doc(payload, nlp))
    return db
