"""Where a text holds HTML or XML markup, so that only its text nodes can produce mentions.

Why: articles scraped from the web often arrive with their markup. The tables must point into the
text exactly as given, tags included, but a name inside an attribute (`class="محمد بن سلمان"`,
`href="/السعودية"`), a comment or a script is not something the article says. The normalizer blanks
these regions in its matching copy (one space per character, so no offset moves); everything else
runs as on plain text.
"""

from __future__ import annotations

import re

__all__ = ["markup_spans", "blank_markup"]

# Comments, CDATA, processing instructions and declarations; script and style elements whole
# (their content is code, not text); any other start or end tag with its attributes (quoted values
# may hold '>').
_MARKUP = re.compile(
    r"""
      <!--.*?(?:-->|\Z)
    | <!\[CDATA\[.*?(?:\]\]>|\Z)
    | <(?P<raw>script|style)\b(?:[^>"']|"[^"]*"|'[^']*')*>.*?(?:</(?P=raw)\s*>|\Z)
    | <[?!][^>]*>
    | </?[A-Za-z][\w:.-]*(?:\s(?:[^>"']|"[^"]*"|'[^']*')*)?/?>
    """,
    re.X | re.S | re.I,
)


def markup_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each markup region of `text`; empty for plain text (the common, fast case)."""
    if "<" not in text:
        return []
    return [m.span() for m in _MARKUP.finditer(text)]


def blank_markup(text: str) -> str:
    """`text` with every markup region replaced by as many spaces: same length, same offsets."""
    spans = markup_spans(text)
    if not spans:
        return text
    pieces = []
    pos = 0
    for a, b in spans:
        pieces.append(text[pos:a])
        pieces.append(" " * (b - a))
        pos = b
    pieces.append(text[pos:])
    return "".join(pieces)
