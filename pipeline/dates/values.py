"""Date arithmetic for the date grammar (pure functions): ISO values, month and day shifts, the
value of a day, month or weekday relative to the anchor, Hijri conversion (hijridate)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from pipeline.dates.words import _NEXT_MODS, _PAST_MODS

Anchor = _dt.date | None
Resolver = Callable[[Anchor], str]
Spans = list[tuple[int, int]]


# --------------------------------------------------------------------------------------------------
# Date arithmetic (pure)


def _iso(d: _dt.date) -> str:
    return d.isoformat()


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def _safe_date(y: int, m: int, d: int) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def _shift(anchor: _dt.date, unit: str, n: int) -> str:
    """anchor moved by n units, at the unit's precision (day -> date, month -> YYYY-MM...)."""
    if unit == "day":
        return _iso(anchor + _dt.timedelta(days=n))
    if unit == "week":
        iso = (anchor + _dt.timedelta(weeks=n)).isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    if unit == "month":
        y, m = _add_months(anchor.year, anchor.month, n)
        return f"{y:04d}-{m:02d}"
    return f"{anchor.year + n:04d}"


def _mod_sign(mod: str | None) -> int:
    """-1 for الماضي-like, +1 for المقبل-like, 0 for الحالي-like or none."""
    if not mod:
        return 0
    if mod in _PAST_MODS:
        return -1
    if mod in _NEXT_MODS:
        return 1
    return 0


def _day_month_value(anchor: Anchor, month: int, day: int, sign: int) -> str:
    """A day of a month without a year: past/next occurrence when modified, else the nearest."""
    if anchor is None:
        return ""
    cands = [
        d
        for y in (anchor.year - 1, anchor.year, anchor.year + 1)
        if (d := _safe_date(y, month, day))
    ]
    if not cands:
        return ""
    if sign > 0:
        pick = min((d for d in cands if d >= anchor), default=cands[-1])
    elif sign < 0:
        pick = max((d for d in cands if d < anchor), default=cands[0])
    else:
        pick = min(cands, key=lambda d: (abs((d - anchor).days), d))
    return _iso(pick)


def _month_value(anchor: Anchor, month: int, sign: int) -> str:
    """A month without a year: next/past occurrence when modified, else the nearest to the anchor."""
    if anchor is None:
        return ""
    here = anchor.year * 12 + anchor.month - 1
    options = [(anchor.year + k) * 12 + month - 1 for k in (-1, 0, 1)]
    if sign > 0:
        k = min(o for o in options if o > here)
    elif sign < 0:
        k = max(o for o in options if o < here)
    else:
        k = min(options, key=lambda o: (abs(o - here), o))
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def _weekday_value(anchor: Anchor, wd: int, sign: int) -> str:
    """News rule: a bare weekday is the latest such day on or before the anchor; المقبل the next
    one after it; الماضي the latest strictly before it."""
    if anchor is None:
        return ""
    delta = (anchor.weekday() - wd) % 7
    if sign > 0:
        ahead = (wd - anchor.weekday()) % 7 or 7
        return _iso(anchor + _dt.timedelta(days=ahead))
    if sign < 0 and delta == 0:
        delta = 7
    return _iso(anchor - _dt.timedelta(days=delta))


def _hijri_to_greg(y: int, m: int, d: int) -> _dt.date | None:
    """Umm al-Qura conversion (hijridate covers 1343-1500 AH); None outside it or for a bad day."""
    from hijridate import Hijri

    try:
        return Hijri(y, m, d).to_gregorian()
    except (ValueError, OverflowError):
        return None


def _hijri_month_span(y: int, m: int) -> str:
    from hijridate import Hijri

    try:
        h = Hijri(y, m, 1)
        first = h.to_gregorian()
        last = Hijri(y, m, h.month_length()).to_gregorian()
    except (ValueError, OverflowError):
        return ""
    return f"{_iso(first)}/{_iso(last)}"


def _hijri_year_span(y: int) -> str:
    first = _hijri_month_span(y, 1)
    last = _hijri_month_span(y, 12)
    if not first or not last:
        return ""
    return f"{first.split('/')[0]}/{last.split('/')[1]}"


def _greg_to_hijri_year(d: _dt.date) -> int | None:
    from hijridate import Gregorian

    try:
        return Gregorian(d.year, d.month, d.day).to_hijri().year
    except (ValueError, OverflowError):
        return None


def _const(value: str, _anchor: Anchor) -> str:
    return value


def _weekday_year(month: int, day: int, wd: int, anchor: Anchor) -> str:
    """A day and month with a weekday but no year (الأحد 3 نوفمبر): the date in the year where that
    day falls on that weekday, nearest the anchor. Why: the weekday is the writer's own check of
    the year, so a year where the day is another weekday can never be meant; the pattern repeats
    within 28 years (40 for 29 February), so the search is bounded."""
    if anchor is None:
        return ""
    years = range(anchor.year - 40, anchor.year + 41)
    cands = [d for y in years if (d := _safe_date(y, month, day)) and d.weekday() == wd]
    if not cands:
        return ""
    return _iso(min(cands, key=lambda d: (abs((d - anchor).days), d)))


def _nth_weekday(first: _dt.date, last: _dt.date, wd: int, n: int) -> str:
    """The n-th (1-based; -1 = last) given weekday between two days, or "" when there is none."""
    days = [first + _dt.timedelta(days=k) for k in range((last - first).days + 1)]
    hits = [d for d in days if d.weekday() == wd]
    if not hits or n > len(hits):
        return ""
    return _iso(hits[-1] if n < 0 else hits[n - 1])


def _part_of(first: _dt.date, last: _dt.date, grain: str, part: str) -> str:
    """The start / middle / end of a month or year as an interval: days 1-10, 11-20 and 21 to
    the end of a month; months 1-4, 5-8 and 9-12 of a year. "first"/"last" give one day."""
    if part == "first":
        return _iso(first)
    if part == "last":
        return _iso(last)
    k = ("start", "mid", "end").index(part)
    if grain == "year":
        y = first.year
        return f"{y:04d}-{4 * k + 1:02d}/{y:04d}-{4 * k + 4:02d}"
    a = first + _dt.timedelta(days=10 * k)
    b = last if k == 2 else first + _dt.timedelta(days=10 * k + 9)
    return f"{_iso(a)}/{_iso(b)}"
