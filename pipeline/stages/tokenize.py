"""Split a normalized document into sentences and word tokens with raw offsets.

Why on `norm`: digits are ASCII there and the Arabic separators (٫ ٬ ٪ ،) are already mapped, so one
number pattern covers 5.7, ٥٫٧, 1,200 and 26.8%; the alignment then gives raw offsets for free.
Clitics stay attached here (وتوكاييف is one token); the tag stage splits them into `Token.parts`.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from pipeline.document import Document, Sentence, Token

__all__ = ["Tokenizer", "tokenize_spans", "sentence_spans"]

# Arabic letters as they remain after normalization (marks are gone; Arabic punctuation and digits
# are mapped to ASCII). Listed explicitly so that the Arabic-block punctuation splits off.
_AR = "\u0621-\u063f\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06e5\u06e6\u06ee\u06ef\u06fa-\u06fc\u06ff\u0750-\u077f\u08a0-\u08c9"
_TOKEN = re.compile(
    rf"""
    [{_AR}]+                                                        # Arabic word (clitics attached)
    | (?:https?://|www\.)[^\s"'<>()\[\]{{}}]*[^\s"'<>()\[\]{{}}.,;:!?]  # URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                                  # e-mail
    | [+-]?(?<![0-9A-Za-z_.,])\d+(?:[.,:/-]\d+)*%?                   # number with separators
    | [^\W\d_{_AR}][^\W_{_AR}]*(?:['.&-][^\W_{_AR}]+)*              # Latin (or other) word
    | \d+                                                          # digits glued to a word
    | \.{{2,}}|\S                                                    # ellipsis, any other mark
    """,
    re.X,
)

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets), or at a line break.
_SENT_END = re.compile(r"""(?:[.!?]+|…)["')\]]*(?=\s|$)|\n""")


# Stretches of text without runs of whitespace: the token pattern runs inside them only, so that
# long blank stretches (padding, layout) are skipped at the speed of one simple scan.
_SEGMENT = re.compile(r"\S+(?:\s\S+)*")


def tokenize_spans(norm: str) -> list[tuple[int, int]]:
    """Token spans over the normalized text."""
    spans = [
        m.span()
        for seg in _SEGMENT.finditer(norm)
        for m in _TOKEN.finditer(norm, seg.start(), seg.end())
    ]
    for i, (a, b) in enumerate(spans):
        if norm[a] in "+-" and b - a > 1 and a > 0 and not norm[a - 1].isspace():
            spans[i : i + 1] = [(a, a + 1), (a + 1, b)]  # a dash between words, not a sign
    return spans


def sentence_spans(norm: str) -> list[tuple[int, int]]:
    """Sentence spans over the normalized text, whitespace trimmed; never empty."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(norm):
        end = m.end()
        _append_trimmed(norm, start, end, spans)
        start = end
    _append_trimmed(norm, start, len(norm), spans)
    return spans


def _append_trimmed(norm: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    piece = norm[a:b]
    stripped = piece.lstrip()
    if stripped:
        a += len(piece) - len(stripped)
        b -= len(stripped) - len(stripped.rstrip())
        spans.append((a, b))


class Tokenizer:
    """Pipeline stage: fills `Document.sentences` and `Document.tokens` (raw offsets).

    Takes no options: the NER and tag models were trained on exactly these tokens (numbers whole
    with their separators, clitics attached, punctuation split off). Requires `norm`; provides
    `sentences` and `tokens`.
    """

    name = "tokenize"
    requires: tuple[str, ...] = ("norm",)
    provides: tuple[str, ...] = ("sentences", "tokens")

    def __call__(self, doc: Document) -> Document:
        norm = doc.norm
        sents = sentence_spans(norm)
        toks = tokenize_spans(norm)
        raw = doc.raw
        if doc._starts is None or not toks:
            rspans = toks
        else:
            starts, ends = doc._starts.tolist(), doc._ends.tolist()
            rspans = [(starts[a], ends[b - 1]) for a, b in toks]
        tokens: list[Token] = []
        append = tokens.append
        bounds = [sb for _, sb in sents]
        si = 0
        for (a, b), (ra, rb) in zip(toks, rspans):
            while a >= bounds[si]:
                si += 1
            append(Token(ra, rb, raw[ra:rb], norm[a:b], si))
        token_starts = [a for a, _ in toks]
        sentences = []
        for sa, sb in sents:
            rs, re_ = doc.to_raw(sa, sb)
            sentences.append(
                Sentence(rs, re_, bisect_left(token_starts, sa), bisect_left(token_starts, sb))
            )
        doc.tokens = tokens
        doc.sentences = sentences
        return doc
