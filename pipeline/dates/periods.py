"""Recognizers for dates named by their place in a month or year, or by numbers alone: the n-th
weekday of a month (أول جمعة من رمضان، الخميس الأخير من نوفمبر), the start, middle or end of a
month or year (مطلع الشهر، منتصف يونيو، نهاية العام، آخر يوم من شهر 12), a month by its number
(شهر 3، الشهر العاشر) and a day/month without a year (21/09، الأحد 3/11)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from functools import partial

from pipeline.dates.patterns import _FOLLOW, _LAW_BEFORE, _NOT_DAY_BEFORE, Cand, Grammar
from pipeline.dates.recognize import _clean, _day_num, _hijri_rel, _scan
from pipeline.dates.values import (
    Anchor,
    Spans,
    _const,
    _day_month_value,
    _hijri_month_span,
    _iso,
    _mod_sign,
    _month_value,
    _nth_weekday,
    _part_of,
    _safe_date,
    _weekday_year,
)
from pipeline.dates.words import _MONTH_ORDINALS, _NTH_AFTER, _NTH_BEFORE, _PART_WORDS

Span = tuple[_dt.date, _dt.date, str]


def _day_before(g: Grammar, norm: str, s: int) -> re.Match[str] | None:
    """A day written just before a month phrase (الثالث عشر من …، 15 …), unless an ordinal that
    counts something else (الاسبوع الاول من الشهر الجاري)."""
    before = g.day_before_re.search(norm, max(0, s - 24), s)
    if before is None:
        return None
    a = before.start()
    if not before["d1"][0].isdigit() and _NOT_DAY_BEFORE.search(norm[max(0, a - 16) : a]):
        return None
    return before


# After العام/الشهر with no modifier, an adjective makes it another year (العام الدراسي).
_ADJ_AFTER = re.compile(r"\s+ال[^\W\d_]+")
# Words before a day/month without a year that make it a date (في 21/09، يوم 5-11).
_DM_BEFORE = re.compile(
    r"(?<!\w)[وف]?(?:في|يوم|بتاريخ|تاريخ|منذ|حتي|قبل|بعد|الموافق|من|الي|صباح|مساء|ليله)\s+$"
)
# After الشهر + ordinal, these make it a month counted from an event, not a calendar month.
_ORD_MONTH_NOT_AFTER = re.compile(r"\s+(?:علي|من|في|الي|بعد|قبل|منذ|ل[^\W\d_]+)(?!\w)")
# Before it, these count the month from an event too ("بعد الشهر الاول"، "خلال الشهر الثالث").
_ORD_MONTH_NOT_BEFORE = re.compile(r"(?<!\w)[وف]?(?:بعد|قبل|خلال|طوال|طيله|منذ)\s+$")
_DM_FOLLOW = re.compile(r"\s+(?:الساعه|صباحا|مساء|مساءا|ليلا|الجاري|المقبل|القادم|الماضي)(?!\w)")


def _month_span(year: int, month: int) -> Span:
    nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
    return _dt.date(year, month, 1), nxt - _dt.timedelta(days=1), "month"


def _greg_month(month: int, year: int | None, anchor: Anchor) -> Span | None:
    if year is None:
        v = _month_value(anchor, month, 0)
        if not v:
            return None
        year = int(v[:4])
    return _month_span(year, month)


def _target(g: Grammar, mt: re.Match[str], anchor: Anchor) -> Span | None:
    """The month or year a part or an n-th weekday is taken of, as (first day, last day, grain)."""
    y = int(mt["y"]) if mt["y"] else None
    if mt["gm"]:
        return _greg_month(g.greg[_clean(mt["gm"])][0], y, anchor)
    if mt["mn"]:
        return _greg_month(int(mt["mn"]), None, anchor)
    if mt["hm"]:
        month = g.hijri[_clean(mt["hm"])][0]
        span = _hijri_month_span(y, month) if y else _hijri_rel(month, None, 0, anchor)
        if not span:
            return None
        a, b = span.split("/")
        return _dt.date.fromisoformat(a), _dt.date.fromisoformat(b), "month"
    if mt["yo"]:
        year = int(mt["yo"])
        return _dt.date(year, 1, 1), _dt.date(year, 12, 31), "year"
    if anchor is None:
        return None
    sign = _mod_sign(mt["mod"])
    if mt["cu"] == "الشهر":
        k = anchor.year * 12 + anchor.month - 1 + sign
        return _month_span(k // 12, k % 12 + 1)
    year = anchor.year + sign
    return _dt.date(year, 1, 1), _dt.date(year, 12, 31), "year"


def _target_ok(norm: str, mt: re.Match[str]) -> bool:
    """False for a target that is not a calendar period (نهاية العام الدراسي) or a year number out
    of range."""
    if mt["cu"] and not mt["mod"] and _ADJ_AFTER.match(norm, mt.end("c")):
        return False
    for key in ("y", "yo"):
        if mt[key] and not 1000 <= int(mt[key]) <= 2199:
            return False
    return True


def _day_of_month(sign: int, day: int, anchor: Anchor) -> str:
    """A day of the anchor's month, or of the month before or after it (الثالث عشر من الشهر الجاري،
    15 من الشهر الماضي)."""
    if anchor is None:
        return ""
    k = anchor.year * 12 + anchor.month - 1 + sign
    d = _safe_date(k // 12, k % 12 + 1, day)
    return _iso(d) if d else ""


def _nth_value(g: Grammar, mt: re.Match[str], wd: int, n: int, anchor: Anchor) -> str:
    span = _target(g, mt, anchor)
    return _nth_weekday(span[0], span[1], wd, n) if span else ""


def _part_value(g: Grammar, mt: re.Match[str], part: str, anchor: Anchor) -> str:
    span = _target(g, mt, anchor)
    return _part_of(span[0], span[1], span[2], part) if span else ""


def _with_target(
    pattern: re.Pattern[str], norm: str, spans: Spans
) -> Iterator[tuple[re.Match[str], int, int]]:
    """Matches (with the span of the phrase) of a pattern that names its month or year, where that
    target is one (`_target_ok`): the n-th weekdays and the parts of a month or year."""
    for mt in _scan(pattern, norm, spans):
        if _target_ok(norm, mt):
            yield mt, *mt.span("c")


def _nth_weekdays(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt, s, e in _with_target(g.nth_re, norm, spans):
        if mt["o1"]:
            wd, n = g.weekdays["ال" + mt["w1"]], _NTH_BEFORE[mt["o1"]]
        else:
            wd, n = g.weekdays[mt["w2"]], _NTH_AFTER[mt["o2"]]
        fn = partial(_nth_value, g, mt, wd, n)
        out.append(Cand(s, e, "DATE", "nth", fn, 0.9, _clean(norm[s:e]), None, 3, True))
    return out


def _parts(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt, s, e in _with_target(g.part_re, norm, spans):
        if mt["dw"]:
            part = "first" if mt["dw"] == "اول" else "last"
        else:
            part = _PART_WORDS[mt["pw"]]
            if mt["pw"] == "اول" and mt["gm"] and not mt["sh"]:
                part = "first"  # أول أغسطس: the first of August
        fn = partial(_part_value, g, mt, part)
        day = part in ("first", "last")
        out.append(Cand(s, e, "DATE", "part", fn, 0.9, _clean(norm[s:e]), None, 3, day))
    return out


def _month_numbers(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.mnum_re, norm, spans):
        s, e = mt.span("c")
        year = int(mt["y"]) if mt["y"] else None
        if year is not None and not 1000 <= year <= 2199:
            continue
        if mt["cm"]:
            before = _day_before(g, norm, s)
            d = _day_num(before["d1"]) if before else None
            if d is None or mt["y"] or not 1 <= d <= 31:
                continue  # "الشهر الماضي" alone is the relative pattern's
            fn = partial(_day_of_month, _mod_sign(mt["mod"]), d)
            s = before.start()
            out.append(Cand(s, e, "DATE", "greg", fn, 0.9, _clean(norm[s:e]), None, 3, True))
            continue
        if mt["mo"]:
            if "ل" in norm[mt.start() : s]:
                continue  # "للشهر العاشر على التوالي": the tenth month running, not October
            if year is None and (
                _ORD_MONTH_NOT_AFTER.match(norm, e)
                or _ORD_MONTH_NOT_BEFORE.search(norm, max(0, s - 8), s)
            ):
                continue  # "الشهر الثالث من الحمل"، "الشهر الاول بعد العمليه"
            month = _MONTH_ORDINALS[_clean(mt["mo"])]
        else:
            month = int(mt["mn"])
        before = _day_before(g, norm, s)
        d = _day_num(before["d1"]) if before else None
        if before:
            s = before.start()
        if d is not None and not 1 <= d <= 31:
            continue
        if d is not None and year is not None:
            date = _safe_date(year, month, d)
            if date is None:
                continue
            fn = partial(_const, _iso(date))
        elif year is not None:
            fn = partial(_const, f"{year:04d}-{month:02d}")
        elif d is not None:
            fn = partial(_day_month_value, month=month, day=d, sign=0)
        else:
            fn = partial(_month_value, month=month, sign=0)
        out.append(Cand(s, e, "DATE", "greg", fn, 0.8, _clean(norm[s:e]), None, 3, d is not None))
    return out


def _day_months(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.dm_re, norm, spans):
        s, e = mt.span("c")
        day, month = int(mt["a"]), int(mt["b"])
        if not (1 <= day <= 31 and 1 <= month <= 12) or _safe_date(2024, month, day) is None:
            continue
        before = norm[max(0, s - 12) : s]
        if _LAW_BEFORE.search(before):
            continue
        wd = g.wd_before_re.search(norm, max(0, s - 20), s)
        if wd:
            s = wd.start()
            fn = partial(_weekday_year, month, day, g.weekdays[wd["wd"]])
        else:
            padded = mt["s"] == "/" and len(mt["a"]) == len(mt["b"]) == 2
            if not (padded or _DM_BEFORE.search(before)):
                continue
            if not (_FOLLOW.match(norm, e) or _DM_FOLLOW.match(norm, e)):
                continue
            fn = partial(_day_month_value, month=month, day=day, sign=0)
        out.append(Cand(s, e, "DATE", "numeric", fn, 0.8, _clean(norm[s:e]), None, 3, True))
    return out


PERIOD_RECOGNIZERS = (_nth_weekdays, _parts, _month_numbers, _day_months)
