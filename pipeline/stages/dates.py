"""Dates and times: DATE and TIME mentions with ISO 8601 / TIMEX3 values.

Why rules: dates in Arabic news are a closed grammar (a day, a month name from one of four regional
lists, a year, a handful of relative words), and the value needs arithmetic (anchor dates, Hijri
conversion) that a tagger cannot do. Duckling-style: the examples file beside this module
(`dates_examples.tsv`) is the specification, and tests run every line of it. The grammar lives in
`pipeline.dates`; this stage finds the windows around trigger tokens and writes the mentions.

How: a few precompiled regexes over `doc.norm`, built once from the word tables (months.tsv,
`pipeline.dates.words`), propose candidates; the longest non-overlapping candidates win; then adjacent
pieces are merged (a part of day or a clock time next to a day becomes one TIME). Values that
depend on the anchor (أمس، العام الماضي، أغسطس القادم) are resolved last, once the anchor is known:
`doc.date`, else the article's first complete date (day + month + year), else they get value "".
See docs/dates.md for the value conventions and the weekday and الموافق rules.
"""

from __future__ import annotations

from pipeline.arabic.clitics import PROCLITIC_LETTERS
from pipeline.dates.merge import find_dates, windows
from pipeline.dates.patterns import PAIR_FIRST, PAIR_TRIGGERS, Grammar
from pipeline.dates.recognize import _is_trigger
from pipeline.dates.values import Spans
from pipeline.document import Document

__all__ = ["DateStage"]


def _is_alain(doc: Document, start: int, end: int) -> bool:
    """True for the name آلان (Alain), which the normalizer folds to الان ("now"): only the raw
    text still tells them apart."""
    a, b = doc.to_raw(start, end)
    return doc.raw[a:b].startswith("آ")


class DateStage:
    """Pipeline stage: DATE and TIME mentions (value ISO 8601 / TIMEX3, see docs/dates.md)."""

    name = "dates"
    requires: tuple[str, ...] = ("norm", "tokens")
    provides: tuple[str, ...] = ("mentions", "dates")

    def __init__(self) -> None:
        """Compile the date grammar once (month and weekday names of every region, Hijri months,
        relative expressions). No options: the anchor for relative dates is each document's
        `date` (given, or the article's own first complete date)."""
        self._grammar = Grammar()

    def _trigger_spans(self, doc: Document) -> Spans:
        """Windows around tokens that can start or anchor a date (month, weekday, 4-digit number,
        الساعة...). Why: scanning only there is several times faster than running every pattern
        over the whole article, and each pattern needs at least one such word to match."""
        trig = self._grammar.triggers
        hits: list[tuple[int, int]] = []
        prev = ""
        for t in doc.tokens:
            w = t.norm
            if (
                w in trig
                or (w[0] in PROCLITIC_LETTERS and _is_trigger(w, trig))
                or (w[0].isdigit() and (len(w) >= 4 or ":" in w or "/" in w or "-" in w))
                or (w in PAIR_TRIGGERS and prev in PAIR_FIRST)
            ):
                hits.append((t.start, t.end))
            prev = w
        if not hits:
            return []
        hits = [(doc.to_norm_pos(a), doc.to_norm_pos(b)) for a, b in hits]
        return windows(doc.norm, hits)

    def __call__(self, doc: Document) -> Document:
        if not doc.tokens:
            return doc  # nothing written, nothing to find (and no full scan of blank text)
        spans = self._trigger_spans(doc)
        found, anchor = find_dates(self._grammar, doc.norm, doc.date, spans)
        if doc.date is None and anchor is not None:
            doc.meta.setdefault("date_inferred", anchor.isoformat())
        for m in found:
            if m.kind == "now" and _is_alain(doc, m.start, m.end):
                continue
            doc.add_mention(
                m.type, m.start, m.end, normalized=m.normalized, value=m.value,
                source="dates", score=m.score,
            )  # fmt: skip
        return doc
