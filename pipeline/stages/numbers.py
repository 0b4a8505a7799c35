"""Amounts: NUMBER, ORDINAL, MONEY, PERCENT and QUANTITY mentions with machine values.

Why this shape: amounts are sparse (a few per article), so only candidate starts (a digit run or a
number word, proclitics allowed) get Python work. The tokenizer's tokens say where they can be
(`start_windows`) and the candidate pattern runs inside those tokens only (over the whole of
`doc.norm` when the stage is used without tokens). At each start: a short local lexer, the
number-word parser in `pipeline.arabic.numparse`, then anchored regexes for what follows (currency,
unit, percent, a range) or precedes (a currency symbol, a word that makes the number a year, an
article, a phone number).

Conventions (see docs/numbers.md):
- `value` is int when whole, float otherwise; a range is the string "low/high" (TIMEX-like).
- MONEY `unit` is ISO 4217; PERCENT `unit` is "%"; QUANTITY `unit` is an SI/English symbol.
- A span never includes a proclitic (وخمسة → خمسة) nor the من/بين of a range.
- Candidates overlapping any mention already on the document (DATE/TIME from the dates stage, or
  a name from NER) are skipped: the number belongs to that mention.
"""

from __future__ import annotations

from pipeline.amounts.grammar import find_amounts
from pipeline.amounts.lexer import start_windows
from pipeline.arabic.currencies import build_currency_tables
from pipeline.document import Document

__all__ = ["NumberStage"]


class NumberStage:
    """Pipeline stage: NUMBER, ORDINAL, MONEY, PERCENT and QUANTITY mentions (source "numbers")."""

    name = "numbers"
    requires: tuple[str, ...] = ("norm",)
    provides: tuple[str, ...] = ("mentions", "amounts")
    # tokens: where candidates can start (else the whole text is scanned); earlier mentions (names,
    # dates) are skipped: a number inside one belongs to it
    after: tuple[str, ...] = ("tokens", "names", "dates")

    def __init__(self) -> None:
        """Build the currency tables once (CLDR names with dual and plural forms, symbols,
        country adjectives). No options; runs after the names and dates stages when they are
        present, skipping numbers inside their mentions."""
        self.tables = build_currency_tables()

    def __call__(self, doc: Document) -> Document:
        existing = [(m.start, m.end) for m in doc.mentions]
        raw = doc.raw
        to_raw = doc.to_raw

        def raw_at(pos: int) -> str:
            r = doc.to_raw_pos(pos)
            return raw[r] if r < len(raw) else ""

        def blocked(a: int, b: int) -> bool:
            if not existing:
                return False
            ra, rb = to_raw(a, b)
            return any(s < rb and ra < e for s, e in existing)

        spans = start_windows(doc.tokens, doc.to_norm_pos) if doc.tokens else None
        for a in find_amounts(doc.norm, self.tables, raw_at, blocked, spans):
            doc.add_mention(
                a.type,
                a.start,
                a.end,
                normalized=a.normalized,
                value=a.value,
                unit=a.unit,
                source="numbers",
                score=a.score,
            )
        return doc
