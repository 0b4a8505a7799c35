"""Selection, anchor and merging of date candidates, the windows around trigger words, and
`find_dates`, the date grammar run over one normalized text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.dates.clock import CLOCK_RECOGNIZERS
from pipeline.dates.patterns import Cand, Grammar
from pipeline.dates.periods import PERIOD_RECOGNIZERS
from pipeline.dates.recognize import RECOGNIZERS, _clean
from pipeline.dates.values import Anchor, Spans

# --------------------------------------------------------------------------------------------------
# Selection, anchor, merging

_GAP_TODAY = re.compile(r"\s*,?\s*")
_GAP_POD = re.compile(r"\s+(?:يوم\s+)?")
_GAP_TIME_DATE = re.compile(r"\s*,?\s*(?:من\s+)?(?:يوم\s+)?")
_GAP_DATE_TIME = re.compile(r"\s*,?\s*(?:في\s+|عند\s+|علي\s+)?")
_RANGE_KINDS = ("greg", "numeric", "hijri", "year")
_GAP_RANGE = re.compile(r"\s*(?:-|(?:الي|حتي|لغايه)(?!\w)|(?P<and>و))\s*")
_RANGE_OPEN = re.compile(r"(?<!\w)(?P<w>من|بين)\s+$")
_FOUR_DIGITS = re.compile(r"\d{4}")


def _select(cands: list[Cand], size: int) -> list[Cand]:
    """Longest candidates first (then by priority); drop anything overlapping a kept one.

    A byte per character of `norm` marks what is taken, so a long article with thousands of
    candidates costs linear time, not a comparison of every pair."""
    taken = bytearray(size)
    kept: list[Cand] = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, -c.prio, c.start)):
        if 1 not in taken[c.start : c.end]:
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
            kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept


def _infer_anchor(cands: list[Cand]) -> Anchor:
    """The article's dateline: the first explicit complete date, in text order."""
    for c in cands:
        if c.full is not None:
            return c.full
    return None


@dataclass(slots=True)
class Out:
    start: int
    end: int
    type: str
    value: str
    normalized: str
    score: float
    kind: str
    day: bool = False  # names one whole day (value YYYY-MM-DD, or "" with no anchor)


def _range(norm: str, cur: Out, nxt: Out) -> Out | None:
    """Two explicit dates joined by إلى/حتى/- (or و after بين) make one interval; a first date
    written without its year ("من 9 أغسطس إلى 12 سبتمبر 2024") takes the second one's year."""
    if cur.kind not in _RANGE_KINDS or nxt.kind not in _RANGE_KINDS:
        return None
    gap = _GAP_RANGE.fullmatch(norm, cur.end, nxt.start)
    if gap is None:
        return None
    opener = _RANGE_OPEN.search(norm[max(0, cur.start - 6) : cur.start])
    if gap["and"] and not (opener and opener["w"] == "بين"):
        return None
    a, b = cur.value, nxt.value
    if not a or not b or "/" in a or "/" in b or len(a) != len(b):
        return None
    if cur.kind == "greg" and b[:4] != a[:4] and not _FOUR_DIGITS.search(norm, cur.start, cur.end):
        a = b[:4] + a[4:]
    if a >= b:
        return None
    start = cur.start - len(opener.group()) if opener else cur.start
    span = _clean(norm[start : nxt.end])
    return Out(start, nxt.end, "DATE", f"{a}/{b}", span, min(cur.score, nxt.score), "range")


def _join(norm: str, cur: Out, nxt: Out) -> Out | None:
    """The single mention two adjacent pieces make, or None when they stay apart."""
    gap = (cur.end, nxt.start)
    span = _clean(norm[cur.start : nxt.end])
    if cur.type == "DATE" and nxt.type == "DATE":
        joined = _range(norm, cur, nxt)
        if joined is not None:
            return joined
    if cur.kind == "pod" and nxt.type == "DATE" and nxt.day and _gap(_GAP_POD, norm, gap):
        value = nxt.value + cur.value if nxt.value else cur.value
        return Out(cur.start, nxt.end, "TIME", value, span, 0.9, "time", False)
    if cur.kind == "clock" and nxt.type == "DATE" and nxt.day and _gap(_GAP_TIME_DATE, norm, gap):
        value = nxt.value + _tpart(cur.value) if nxt.value else _tpart(cur.value)
        return Out(cur.start, nxt.end, "TIME", value, cur.normalized, cur.score, "time", False)
    if cur.type == "DATE" and cur.day and nxt.kind == "clock" and _gap(_GAP_DATE_TIME, norm, gap):
        value = cur.value + _tpart(nxt.value) if cur.value else _tpart(nxt.value)
        return Out(cur.start, nxt.end, "TIME", value, nxt.normalized, nxt.score, "time", False)
    return None


def _tpart(value: str) -> str:
    """The clock part of a time value ("2024-08-09T10:30" -> "T10:30"), to put on another day."""
    k = value.find("T")
    return value[k:] if k >= 0 else value


def _weekday_dates(norm: str, items: list[Out]) -> list[Out]:
    """Pairs naming one day, joined before anything else: a weekday right before an explicit
    numeric or Hijri day ("الخميس 7 / 10 / 1436 هـ", as the Gregorian pattern already does for
    "الجمعة 9 أغسطس"), and a relative day before its weekday ("اليوم الخميس"، "أمس الأربعاء")."""
    out: list[Out] = []
    for k, it in enumerate(items):
        prev = out[-1] if out else None
        after = items[k + 1] if k + 1 < len(items) else None
        if prev is None or not _gap(_GAP_TODAY, norm, (prev.end, it.start)):
            out.append(it)
        elif (
            it.kind == "weekday"
            and after is not None
            and after.kind in ("numeric", "hijri")
            and _gap(_GAP_TODAY, norm, (it.end, after.start))
        ):
            out.append(it)  # "اليوم الخميس 7 / 10 / 1436 هـ": the weekday goes with the date
        elif prev.kind == "weekday" and it.kind in ("numeric", "hijri") and it.day:
            out[-1] = Out(
                prev.start, it.end, it.type, it.value, it.normalized, it.score, it.kind, True
            )
        elif prev.kind in ("today", "relday") and it.kind == "weekday":
            # "أمس الأربعاء": one day named twice; the relative word fixes the value
            span = _clean(norm[prev.start : it.end])
            out[-1] = Out(prev.start, it.end, "DATE", prev.value, span, prev.score, "relday", True)
        else:
            out.append(it)
    return out


def _merge(norm: str, items: list[Out]) -> list[Out]:
    """Join adjacent pieces left to right, so that a chain (clock + part of day + day) becomes one
    mention; drop اليوم before an explicit date ("اليوم الجمعة 9 أغسطس": the date says it all) and
    part-of-day nouns (صباح، مساء) that attached to no day."""
    items = _weekday_dates(norm, items)
    out: list[Out] = []
    i = 0
    while i < len(items):
        cur = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if nxt is not None:
            if (
                cur.kind == "today"
                and nxt.type == "DATE"
                and nxt.day
                and nxt.kind not in ("relday", "today")
                and nxt.kind != "weekday"
                and _gap(_GAP_TODAY, norm, (cur.end, nxt.start))
            ):
                i += 1
                continue
            joined = _join(norm, cur, nxt)
            if joined is not None:
                items[i + 1] = joined
                i += 1
                continue
        if cur.kind != "pod":
            out.append(cur)
        i += 1
    return out


def _gap(pattern: re.Pattern[str], norm: str, gap: tuple[int, int]) -> bool:
    return pattern.fullmatch(norm, gap[0], gap[1]) is not None


_WINDOW = 100  # characters around a trigger word; longer than any date phrase on either side
_SPACE = re.compile(r"\s")


def windows(norm: str, hits: list[tuple[int, int]]) -> Spans:
    """Merged windows of `norm` around trigger words, ending on whitespace so that a word is never
    cut (the patterns' end-of-word lookaheads cannot see past a window's end)."""
    spans: Spans = []
    n = len(norm)
    for a, b in hits:
        ws = max(0, a - _WINDOW)
        we = b + _WINDOW
        if we >= n:
            we = n
        else:
            sp = _SPACE.search(norm, we)
            we = sp.start() if sp else n
        if spans and ws <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(we, spans[-1][1]))
        else:
            spans.append((ws, we))
    return spans


def _resolve(c: Cand, anchor: Anchor) -> str:
    """A candidate's value; "" when the arithmetic leaves the calendar (an anchor in year 1 or 9999
    moved by a week), so that no input date can stop a run."""
    try:
        return c.resolve(anchor)
    except (OverflowError, ValueError):
        return ""


def find_dates(
    g: Grammar, norm: str, anchor: Anchor, spans: Spans | None = None
) -> tuple[list[Out], Anchor]:
    """All DATE/TIME mentions of a normalized text, and the anchor used (given or inferred).

    `spans` limits the search to windows around trigger words (see `DateStage`); None = all text.
    """
    if spans is None:
        spans = [(0, len(norm))]
    cands: list[Cand] = []
    for recognize in RECOGNIZERS + CLOCK_RECOGNIZERS + PERIOD_RECOGNIZERS:
        cands.extend(recognize(g, norm, spans))
    kept = _select(cands, len(norm))
    if anchor is None:
        anchor = _infer_anchor(kept)
    items = [
        Out(c.start, c.end, c.type, _resolve(c, anchor), c.normalized, c.score, c.kind, c.day)
        for c in kept
    ]
    return _merge(norm, items), anchor
