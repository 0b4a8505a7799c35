"""Arabic clitics (normalized spelling), from one table: pipeline/lexicons/clitics.tsv.

Proclitics are an optional conjunction (و ف) then an optional preposition (ب ل ك); enclitics are
the attached pronouns. Every stage and model takes its clitic sets from here.
"""

from __future__ import annotations

from pipeline.lexicons import load_rows

__all__ = [
    "CONJUNCTIONS",
    "PREPOSITIONS",
    "PROCLITIC_LETTERS",
    "PROCLITICS",
    "ENCLITICS",
    "PROCLITIC_CLASS",
    "PROCLITIC_PATTERN",
]


def _forms(kind: str) -> tuple[str, ...]:
    return tuple(r[0] for r in load_rows("clitics") if r[1] == kind)


CONJUNCTIONS: tuple[str, ...] = _forms("conj")  # و ف
PREPOSITIONS: tuple[str, ...] = _forms("prep")  # ب ل ك
PROCLITIC_LETTERS: frozenset[str] = frozenset(CONJUNCTIONS + PREPOSITIONS)
# Proclitic clusters that may precede a number word, longest first ("لل" = ل + ال, alef dropped).
PROCLITICS: tuple[str, ...] = tuple(
    sorted(_forms("cluster") + CONJUNCTIONS + PREPOSITIONS, key=len, reverse=True)
)
# Enclitic pronouns (ة→ه does not touch these, ى→ي does not either).
ENCLITICS: frozenset[str] = frozenset(_forms("encl"))
# Regex fragments: any one proclitic letter; an optional conjunction then an optional preposition.
PROCLITIC_CLASS: str = "[" + "".join(CONJUNCTIONS + PREPOSITIONS) + "]"
PROCLITIC_PATTERN: str = "[" + "".join(CONJUNCTIONS) + "]?[" + "".join(PREPOSITIONS) + "]?"
