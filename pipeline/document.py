"""The data model every stage shares.

A `Document` owns the raw text; everything else (normalized text, sentences, tokens, clitic parts,
mentions) points back into `raw` by code-point offsets, end exclusive. Stages detect on `norm` (the
normalized text) and convert spans with `Document.to_raw`, so normalization never moves an offset.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Part", "Token", "Sentence", "Mention", "Entity", "Document", "MENTION_TYPES"]

MENTION_TYPES = (
    "PERSON",
    "LOCATION",
    "ORGANIZATION",
    "NORP",
    "DATE",
    "TIME",
    "MONEY",
    "PERCENT",
    "QUANTITY",
    "NUMBER",
    "ORDINAL",
)


@dataclass(slots=True)
class Part:
    """One clitic or stem inside a surface token (و + توكاييف), with its own raw offsets."""

    start: int
    end: int
    text: str
    kind: str  # "proclitic" | "stem" | "enclitic"
    pos: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Token:
    """A surface word, number or punctuation mark. `text` is always `raw[start:end]`."""

    start: int
    end: int
    text: str
    norm: str
    sentence: int = 0
    pos: str | None = None
    parts: list[Part] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Sentence:
    """A sentence: raw span plus the half-open range of its tokens in `Document.tokens`."""

    start: int
    end: int
    first_token: int
    last_token: int  # exclusive


@dataclass(slots=True)
class Mention:
    """Something the user came for: a name, an amount or a date, anchored in `raw`."""

    type: str
    start: int
    end: int
    text: str
    normalized: str = ""
    value: str | float | int | None = None
    unit: str = ""
    entity_id: str = ""
    source: str = ""
    score: float = 1.0
    sentence: int = -1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(slots=True)
class Entity:
    """One person, place, organization, amount or date of a document: its mentions grouped.

    Filled by the resolve stage. `links` holds gazetteer identifiers (ISO 3166 code, GeoNames id,
    English name) when a place was matched.
    """

    id: str
    type: str
    canonical: str
    mentions: list[int] = field(default_factory=list)  # indices into Document.mentions
    variants: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Document:
    """One article. `raw` is never modified; offsets everywhere refer to it.

    `_starts`/`_ends` give, for each character of `norm`, the raw span it came from. They are None
    when normalization changed no length (the common case), and then norm offsets are raw offsets.
    """

    id: str
    raw: str
    date: _dt.date | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    norm: str = ""
    sentences: list[Sentence] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    error: str = ""
    normalized: bool = False
    _starts: Any = None
    _ends: Any = None

    def set_norm(self, norm: str, starts: Any = None, ends: Any = None) -> None:
        """Install the normalized text and its alignment (None = identity)."""
        if (starts is None) != (ends is None):
            raise ValueError("starts and ends must both be given or both be None")
        if starts is not None and not (len(starts) == len(ends) == len(norm)):
            raise ValueError("alignment length differs from the normalized text")
        if starts is None and len(norm) != len(self.raw):
            raise ValueError("an identity alignment needs norm and raw of equal length")
        self.norm = norm
        self._starts = starts
        self._ends = ends
        self.normalized = True

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `norm` to the span of `raw` it was made from."""
        if end <= start:
            pos = self.to_raw_pos(start)
            return pos, pos
        if self._starts is None:
            return start, end
        return int(self._starts[start]), int(self._ends[end - 1])

    def to_raw_pos(self, pos: int) -> int:
        """Map a boundary position in `norm` to a boundary in `raw`."""
        if self._starts is None:
            return pos
        if pos < len(self._starts):
            return int(self._starts[pos])
        return int(self._ends[-1]) if len(self._ends) else len(self.raw)

    def to_norm_pos(self, raw_pos: int) -> int:
        """The first position of `norm` whose character comes from `raw_pos` or later."""
        if self._starts is None:
            return raw_pos
        lo, hi = 0, len(self._starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._starts[mid] < raw_pos:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def add_mention(
        self,
        type: str,
        nstart: int,
        nend: int,
        *,
        normalized: str = "",
        value: str | float | int | None = None,
        unit: str = "",
        source: str = "",
        score: float = 1.0,
    ) -> Mention:
        """Add a mention found on `norm` at [nstart, nend); its offsets are stored in raw terms."""
        start, end = self.to_raw(nstart, nend)
        mention = Mention(
            type=type,
            start=start,
            end=end,
            text=self.raw[start:end],
            normalized=normalized or self.norm[nstart:nend],
            value=value,
            unit=unit,
            source=source,
            score=score,
            sentence=self.sentence_at(start),
        )
        self.mentions.append(mention)
        return mention

    def sentence_at(self, raw_pos: int) -> int:
        """Index of the sentence holding a raw offset, or -1 when sentences are not split yet."""
        lo, hi = 0, len(self.sentences)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.sentences[mid].end <= raw_pos:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.sentences) and self.sentences[lo].start <= raw_pos:
            return lo
        return -1

    def claimed(self, start: int, end: int, types: tuple[str, ...] | None = None) -> bool:
        """True when a raw span overlaps a mention already found (optionally of given types)."""
        return any(
            m.overlaps(start, end) and (types is None or m.type in types) for m in self.mentions
        )

    def sorted_mentions(self) -> list[Mention]:
        return sorted(self.mentions, key=lambda m: (m.start, -m.end, m.type))
