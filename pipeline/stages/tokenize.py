"""Split a normalized document into sentences and word tokens with raw offsets.

Why on `norm`: digits are ASCII there and the Arabic separators (٫ ٬ ٪ ،) are already mapped, so one
number pattern covers 5.7, ٥٫٧, 1,200 and 26.8%; the alignment then gives raw offsets for free.
Clitics stay attached here (وتوكاييف is one token); the tag stage splits them into `Token.parts`.
"""

from __future__ import annotations

import regex

from pipeline.document import Document, Sentence, Token

__all__ = ["Tokenizer", "tokenize_spans", "sentence_spans"]

_TOKEN = regex.compile(
    r"""
    (?:https?://|www\.)[^\s"'<>()\[\]{}]+[^\s"'<>()\[\]{}.,;:!?]   # URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                                  # e-mail
    | [+-]?(?<![\w.,])\d+(?:[.,:/-]\d+)*%?                          # number with separators
    | \p{Arabic}+                                                   # Arabic word (clitics attached)
    | [\p{L}\p{N}]+(?:['.&-][\p{L}\p{N}]+)*                         # Latin (or other) word
    | \.{2,}|\S                                                     # ellipsis, any other mark
    """,
    regex.X | regex.V1,
)
# Arabic letters only: the Arabic block holds punctuation and digits too, which must split off.
_ARABIC_WORD_FIX = regex.compile(r"[\p{Arabic}&&[\p{L}\p{M}]]+|[\p{Arabic}--[\p{L}\p{M}]]", regex.V1)

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets), or at a line break.
_SENT_END = regex.compile(r"""(?:[.!?]+|\.\.\.|…)["')\]]*(?=\s|$)|\n""", regex.V1)


def tokenize_spans(norm: str) -> list[tuple[int, int]]:
    """Token spans over the normalized text."""
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(norm):
        a, b = m.span()
        text = m.group()
        if text[0] in "+-" and len(text) > 1 and not (a == 0 or norm[a - 1].isspace()):
            spans.append((a, a + 1))  # a dash between words, not a sign
            a += 1
            text = text[1:]
        if "\u0600" <= text[0] <= "\u06ff" or "\u0750" <= text[0] <= "\u08ff":
            for w in _ARABIC_WORD_FIX.finditer(text):
                spans.append((a + w.start(), a + w.end()))
        else:
            spans.append((a, b))
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
    while a < b and norm[a].isspace():
        a += 1
    while b > a and norm[b - 1].isspace():
        b -= 1
    if a < b:
        spans.append((a, b))


class Tokenizer:
    """Pipeline stage: fills `Document.sentences` and `Document.tokens` (raw offsets)."""

    name = "tokenize"
    requires: tuple[str, ...] = ("norm",)
    provides: tuple[str, ...] = ("sentences", "tokens")

    def __call__(self, doc: Document) -> Document:
        norm = doc.norm
        sents = sentence_spans(norm)
        toks = tokenize_spans(norm)
        raw = doc.raw
        to_raw = doc.to_raw
        tokens: list[Token] = []
        sentences: list[Sentence] = []
        ti = 0
        for si, (sa, sb) in enumerate(sents):
            first = len(tokens)
            while ti < len(toks) and toks[ti][0] < sb:
                a, b = toks[ti]
                ra, rb = to_raw(a, b)
                tokens.append(Token(ra, rb, raw[ra:rb], norm[a:b], si))
                ti += 1
            rs, re_ = to_raw(sa, sb)
            sentences.append(Sentence(rs, re_, first, len(tokens)))
        doc.tokens = tokens
        doc.sentences = sentences
        return doc
