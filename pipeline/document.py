"""The data model every stage shares.

A `Document` owns the raw text; everything else (normalized text, sentences, tokens, clitic parts,
mentions) points back into `raw` by code-point offsets, end exclusive. Stages detect on `norm` (the
normalized text) and convert spans with `Document.to_raw`, so normalization never moves an offset.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

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
    lemma: str | None = None  # when a backend gives one (camel-tools' tagger)
    feats: str | None = None  # "gen=m|num=s|..." when a backend gives them

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
    lemma: str | None = None  # the stem's, when the tag backend gives one
    feats: str | None = None  # the stem's features, when the tag backend gives them

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Sentence:
    """A sentence: raw span plus the half-open range of its tokens in `Document.tokens`."""

    start: int
    end: int
    first_token: int
    last_token: int  # exclusive

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


@dataclass(slots=True, repr=False)
class Document:
    """One article. `raw` is never modified; offsets everywhere refer to it.

    `_starts`/`_ends` give, for each character of `norm`, the raw span it came from. They are None
    when normalization changed no length (the common case), and then norm offsets are raw offsets.

    `mentions` is in the order the stages found them (names, then dates, then amounts), because
    `Entity.mentions` indexes it; `ents` gives the same mentions in text order, as the tables do.
    `to_dict`/`from_dict` and `to_json`/`from_json` round-trip everything (alignment included);
    `to_frames` gives the document's tables as DataFrames.
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
        """The mentions in text order (start, longest first, type): the order of mentions.csv."""
        return sorted(self.mentions, key=lambda m: (m.start, -m.end, m.type))

    @property
    def ents(self) -> list[Mention]:
        """The mentions in text order (spaCy's `doc.ents`); `mention_id` `doc#mN` is the Nth."""
        return self.sorted_mentions()

    def __repr__(self) -> str:
        extra = f", error={self.error[:60]!r}" if self.error else ""
        date = f", date={self.date.isoformat()}" if self.date else ""
        return (
            f"Document(id={self.id!r}, chars={len(self.raw)}{date}, sentences={len(self.sentences)}, "
            f"tokens={len(self.tokens)}, mentions={len(self.mentions)}, "
            f"entities={len(self.entities)}{extra})"
        )

    # -- serialization

    def to_dict(self) -> dict[str, Any]:
        """Everything the document holds, as plain JSON types; `from_dict` rebuilds it exactly.

        `alignment` is None when norm offsets are raw offsets, else the raw `starts`/`ends` of each
        norm character. `meta` is copied as it is: it must hold JSON values for `to_json`.
        """
        alignment = None
        if self._starts is not None:
            alignment = {
                "starts": [int(x) for x in self._starts],
                "ends": [int(x) for x in self._ends],
            }
        return {
            "id": self.id,
            "raw": self.raw,
            "date": self.date.isoformat() if self.date else None,
            "meta": dict(self.meta),
            "error": self.error,
            "normalized": self.normalized,
            "norm": self.norm,
            "alignment": alignment,
            "sentences": [s.to_dict() for s in self.sentences],
            "tokens": [t.to_dict() for t in self.tokens],
            "mentions": [m.to_dict() for m in self.mentions],
            "entities": [e.to_dict() for e in self.entities],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """The document `to_dict` gave (unknown keys are refused: a typo must not lose data)."""
        known = {
            "id", "raw", "date", "meta", "error", "normalized", "norm", "alignment",
            "sentences", "tokens", "mentions", "entities",
        }  # fmt: skip
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown Document fields: {', '.join(sorted(unknown))}")
        date = data.get("date")
        doc = cls(
            id=data["id"],
            raw=data["raw"],
            date=_dt.date.fromisoformat(date) if date else None,
            meta=dict(data.get("meta") or {}),
            error=data.get("error", ""),
            norm=data.get("norm", ""),
            normalized=bool(data.get("normalized", False)),
        )
        alignment = data.get("alignment")
        if alignment is not None:
            doc._starts = np.asarray(alignment["starts"], dtype=np.int64)
            doc._ends = np.asarray(alignment["ends"], dtype=np.int64)
        doc.sentences = [Sentence(**s) for s in data.get("sentences", [])]
        doc.tokens = [
            Token(**{**t, "parts": [Part(**p) for p in t.get("parts", [])]})
            for t in data.get("tokens", [])
        ]
        doc.mentions = [Mention(**m) for m in data.get("mentions", [])]
        doc.entities = [
            Entity(**{**e, "mentions": list(e["mentions"]), "variants": list(e["variants"])})
            for e in data.get("entities", [])
        ]
        return doc

    def to_json(self, indent: int | None = None) -> str:
        """`to_dict` as JSON text (Arabic kept as is, not \\u-escaped)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Document:
        return cls.from_dict(json.loads(text))

    def to_frames(self, latin: str = "press") -> dict[str, pd.DataFrame]:
        """The document's rows of the tables the command writes — `mentions`, `entities`,
        `documents`, `corpus_entities` — as DataFrames with the tables' columns and dtypes
        (`pipeline.table.rows_to_frames` does the same for many documents); `latin` is how
        `name_latn` is written (`pipeline.romanize.SCHEMES`: press, or a camel-tools scheme)."""
        from pipeline.table import rows_to_frames

        return rows_to_frames([self], latin)
