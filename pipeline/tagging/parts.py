"""A token's parts (clitics and stem) in the document: their kinds, normalized forms, and the
mapping of norm-local cut points to raw offsets through the document's alignment."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from pipeline.arabic.clitics import ENCLITICS
from pipeline.arabic.normalize import normalize_text
from pipeline.document import Document, Token

__all__ = ["part_kinds", "part_norm", "token_norm_start", "raw_spans"]


def part_kinds(norms: Sequence[str], tags: Sequence[str]) -> list[str]:
    """proclitic / stem / enclitic for the parts of one token.

    Trailing parts (not the first) that are pronouns are enclitics; the last remaining part is the
    stem; everything before it is a proclitic. به = ب (stem, ADP) + ه (enclitic).
    """
    k = len(norms)
    stem = k - 1
    while stem > 0 and (tags[stem] == "PRON" or tags[stem] is None) and norms[stem] in ENCLITICS:
        stem -= 1
    return ["proclitic"] * stem + ["stem"] + ["enclitic"] * (k - stem - 1)


def part_norm(token: Token, index: int) -> str:
    """Normalized form of part `index` of a token, with the elided article restored.

    لليابان is ل + ليابان in the text; the word is اليابان. Useful as a lexicon key or a mention's
    `normalized` value; the part's offsets and `text` stay those of what is written.
    """
    parts = token.parts
    text = normalize_text(parts[index].text)[0]
    if (
        index > 0
        and parts[index - 1].kind == "proclitic"
        and normalize_text(parts[index - 1].text)[0] == "ل"
        and text.startswith("ل")
        and parts[index].kind == "stem"
        and (parts[index].pos in ("NOUN", "ADJ", "PROPN", "X", "NUM", None))
    ):
        return "ا" + text
    return text


def token_norm_start(doc: Document, token: Token, starts: Sequence[int] | None = None) -> int:
    """Index in `doc.norm` where `token.norm` begins (tokens store raw offsets only).

    `starts`: `doc._starts` as a list, when the caller has it (bisecting a list is faster)."""
    if starts is None:
        starts = doc._starts
    if starts is None:
        return token.start
    i = bisect_left(starts, token.start)
    n = len(token.norm)
    norm = doc.norm
    while i < len(starts) and starts[i] == token.start and norm[i : i + n] != token.norm:
        i += 1
    if i >= len(starts) or norm[i : i + n] != token.norm:
        # Should not happen for tokens made by the tokenizer; fall back to a local search.
        j = norm.find(token.norm, max(0, bisect_left(starts, token.start) - 2))
        return j if j >= 0 else bisect_left(starts, token.start)
    return i


def raw_spans(
    doc: Document,
    token: Token,
    spans: Sequence[tuple[int, int]],
    starts: list[int] | None = None,
    ends: list[int] | None = None,
) -> list[tuple[int, int]]:
    """Map norm-local part spans of a token to raw spans that tile [token.start, token.end).

    A cut that maps onto no raw character boundary of its own (inside a ligature expanded by
    normalization) is dropped, merging the two parts, so no part is ever empty. `starts`/`ends`:
    the document's norm -> raw alignment as lists (faster look-ups than `doc.to_raw_pos` in the
    stage's loop); None: read from `doc`.
    """
    if len(spans) == 1:
        return [(token.start, token.end)]
    if doc._starts is None:
        base = token.start
        return [(base + a, base + b) for a, b in spans]
    if starts is None:
        starts, ends = doc._starts, doc._ends
    n0 = token_norm_start(doc, token, starts)
    n_starts = len(starts)
    last = int(ends[-1]) if len(ends) else len(doc.raw)
    cuts = []
    prev, end = token.start, token.end
    for _, b in spans[:-1]:
        pos = n0 + b
        r = int(starts[pos]) if pos < n_starts else last
        if prev < r < end:
            cuts.append(r)
            prev = r
    out = []
    prev = token.start
    for c in cuts:
        out.append((prev, c))
        prev = c
    out.append((prev, end))
    return out
