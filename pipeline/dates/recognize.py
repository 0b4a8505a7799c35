"""Recognizers of the date grammar for written dates (Gregorian, Hijri, numeric), years, decades and
centuries, relative dates and weekdays: each turns one pattern's matches into candidates with their
value resolvers. Clock times are recognized in `pipeline.dates.clock`, periods in
`pipeline.dates.periods`."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from functools import partial

from pipeline.arabic.calendar import ERA_MARKERS
from pipeline.arabic.clitics import PROCLITIC_LETTERS
from pipeline.dates.patterns import (
    _AFTER_NEWSPAPER,
    _AGE_AFTER,
    _EVENT_AFTER,
    _EVENT_BEFORE,
    _FOLLOW,
    _HAALAN_NOT_BEFORE,
    _JUMUA_NOT,
    _LAW_BEFORE,
    _NOT_DAY_BEFORE,
    _PREP_BEFORE,
    _PREP_STRONG_BEFORE,
    _TITLE_BEFORE,
    _TODAY_NOT_AFTER,
    _TODAY_NOT_BEFORE,
    _WD_CONTEXT,
    Cand,
    Grammar,
)
from pipeline.dates.values import (
    Anchor,
    Resolver,
    Spans,
    _const,
    _day_month_value,
    _greg_to_hijri_year,
    _hijri_month_span,
    _hijri_to_greg,
    _hijri_year_span,
    _iso,
    _mod_sign,
    _month_value,
    _safe_date,
    _shift,
    _weekday_value,
    _weekday_year,
)
from pipeline.dates.words import (
    _CARDINALS,
    _DAY_MODS,
    _DECADES,
    _REL_UNITS,
    ORDINALS,
)

# --------------------------------------------------------------------------------------------------
# Recognizers: each turns one pattern's matches into candidates


def _scan(pattern: re.Pattern[str], norm: str, spans: Spans) -> Iterator[re.Match[str]]:
    """Matches of a pattern inside the given windows of `norm` (lookbehinds still see before)."""
    for ws, we in spans:
        yield from pattern.finditer(norm, ws, we)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _day_num(word: str | None) -> int | None:
    if word is None:
        return None
    w = " ".join(word.split())
    if w.startswith("ال") and w[2:3].isdigit():
        w = w[2:]
    return int(w) if w.isdigit() else ORDINALS.get(w)


def _month_num(table: dict[str, tuple[int, bool]], word: str | None) -> tuple[int, bool] | None:
    if word is None:
        return None
    return table.get(" ".join(word.split()))


def _gregorian(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.greg_re, norm, spans):
        s, e = mt.span("c")
        m1 = _month_num(g.greg, mt["m1"])
        if m1 is None:
            continue
        month, ambiguous = m1
        paired = [x for x in (mt["m2"], mt["m3"], mt["m4"], mt["m5"]) if x]
        if paired:
            other = _month_num(g.greg, paired[0])
            if other is None or other[0] != month:
                continue
        d1, d2 = _day_num(mt["d1"]), _day_num(mt["d2"])
        year = int(mt["y"]) if mt["y"] else None
        if year is not None and not 1000 <= year <= 2199:
            continue
        if (
            d1 is not None
            and not mt["d1"][0].isdigit()
            and _NOT_DAY_BEFORE.search(norm[max(0, mt.start("d1") - 16) : mt.start("d1")])
        ):
            d1 = d2 = None  # "الاسبوع الاول من اغسطس": an ordinal week; keep the month only
        if d1 is None:
            # no day: the "from"/weekday parts (if matched) do not belong to a month-only date
            s = mt.start("sh") if mt["sh"] else mt.start("m1")
        elif mt["from"] and d2 is None:
            s = mt.start("wd") if mt["wd"] else mt.start("d1")
        if d1 is not None and not 1 <= d1 <= 31:
            continue
        if d2 is not None and not 1 <= d2 <= 31:
            continue
        if ambiguous and not (d1 or year or mt["sh"] or paired or mt["mod"]):
            continue
        sign = _mod_sign(mt["mod"])
        score = 1.0 if (d1 or year or mt["sh"] or paired) else 0.8
        full = None
        if d1 is not None and year is not None:
            first = _safe_date(year, month, d1)
            if first is None:
                continue
            if d2 is not None:
                last = _safe_date(year, month, d2)
                if last is None or last < first:
                    continue
                fn: Resolver = partial(_const, f"{_iso(first)}/{_iso(last)}")
            else:
                fn = partial(_const, _iso(first))
                full = first
        elif d1 is not None:
            if d2 is not None:
                fn = partial(_day_range_rel, month, d1, d2, sign)
            elif mt["wd"] and not sign:
                fn = partial(_weekday_year, month, d1, g.weekdays[mt["wd"]])
            else:
                fn = partial(_day_month_value, month=month, day=d1, sign=sign)
        elif year is not None:
            fn = partial(_const, f"{year:04d}-{month:02d}")
        else:
            fn = partial(_month_value, month=month, sign=sign)
        day = d1 is not None and d2 is None
        out.append(Cand(s, e, "DATE", "greg", fn, score, _clean(norm[s:e]), full, 3, day))
    return out


def _day_range_rel(month: int, d1: int, d2: int, sign: int, anchor: Anchor) -> str:
    a = _day_month_value(anchor, month, d1, sign)
    if not a:
        return ""
    last = _safe_date(int(a[:4]), month, d2)
    return f"{a}/{_iso(last)}" if last and last.isoformat() >= a else ""


def _hijri(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.hijri_re, norm, spans):
        s, e = mt.span("c")
        month = g.hijri[" ".join(mt["m1"].split())][0]
        d = _day_num(mt["d1"])
        y = int(mt["y"]) if mt["y"] else None
        if mt["hs"] and y is None and not mt["hs"][0].isspace():
            continue  # "محرمه" (forbidden) is not محرم + ه
        if not (d or y or mt["sh"] or mt["hs"] or mt["mod"]):
            continue
        if d is None:
            s = mt.start("sh") if mt["sh"] else mt.start("m1")
        if d is not None and not 1 <= d <= 30:
            continue
        full = None
        if y is not None and d is not None:
            greg = _hijri_to_greg(y, month, d)
            fn: Resolver = partial(_const, _iso(greg) if greg else "")
            normalized = f"{y:04d}-{month:02d}-{d:02d} AH"
            full = greg
        elif y is not None:
            fn = partial(_const, _hijri_month_span(y, month))
            normalized = f"{y:04d}-{month:02d} AH"
        else:
            fn = partial(_hijri_rel, month, d, _mod_sign(mt["mod"]))
            normalized = f"XXXX-{month:02d}" + (f"-{d:02d}" if d else "") + " AH"
        out.append(Cand(s, e, "DATE", "hijri", fn, 1.0, normalized, full, 4, d is not None))
    for mt in _scan(g.hyear_re, norm, spans):
        s, e = mt.span("c")
        y = int(mt["y"])
        fn = partial(_const, _hijri_year_span(y))
        out.append(Cand(s, e, "DATE", "hijri", fn, 1.0, f"{y:04d} AH", None, 2))
    return out


def _hijri_rel(month: int, day: int | None, sign: int, anchor: Anchor) -> str:
    """A Hijri month (or day) without a year: the occurrence nearest the anchor (the next one for
    المقبل, the previous one for الماضي), as for Gregorian months."""
    if anchor is None:
        return ""
    hy = _greg_to_hijri_year(anchor)
    if hy is None:
        return ""
    options: list[tuple[_dt.date, int]] = []
    for y in (hy - 1, hy, hy + 1):
        start = _hijri_to_greg(y, month, day or 1)
        if start is not None:
            options.append((start + _dt.timedelta(days=0 if day else 14), y))
    if sign > 0:
        pick = min((o for o in options if o[0] > anchor), default=None)
    elif sign < 0:
        pick = max((o for o in options if o[0] < anchor), default=None)
    else:
        pick = min(options, key=lambda o: abs((o[0] - anchor).days), default=None)
    if pick is None:
        return ""
    if day:
        return _iso(pick[0])
    return _hijri_month_span(pick[1], month)


def _years(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.year_re, norm, spans):
        s, e = mt.span("c")
        y1 = int(mt["y1"])
        y2 = int(mt["y2"]) if mt["y2"] else None
        kw, frm, conn = mt["kw"], mt["from"], mt["conn"]
        if not 1000 <= y1 <= 2199:
            continue
        if mt["po"] and not mt["pc"]:
            s = mt.start("y1")  # "(عام 2018" or "( 2018": the bracket opens something longer
        paren = bool(mt["po"] and mt["pc"])
        if mt["pc"] and not mt["po"] and y2 is None:
            e = mt.end("y1")
        strong = bool(kw or mt["s1"])
        if y2 is not None:
            framed = frm in ("من", "بين") or kw in ("عامي", "سنتي")
            ok_range = y1 < y2 <= y1 + 100 and (conn != "و" or framed)
            if conn == "/" and y2 == y1 + 1:
                ok_range = True
            if ok_range:
                if frm == "منذ":
                    s = mt.start("kw") if kw else mt.start("y1")
                score = 1.0 if (strong or framed or mt["s2"]) else 0.8
                fn = partial(_const, f"{y1:04d}/{y2:04d}")
                out.append(Cand(s, e, "DATE", "year", fn, score, _clean(norm[s:e]), None, 2))
                continue
            # two single years ("عام 2018 و2019" without a frame): emit each that qualifies
            e = mt.end("s1") if mt["s1"] else mt.end("y1")
            if 1000 <= y2 <= 2199 and conn == "و" and strong:
                s2 = mt.start("y2")
                out.append(
                    Cand(s2, mt.end("c"), "DATE", "year", partial(_const, f"{y2:04d}"), 1.0,
                          _clean(norm[s2 : mt.end("c")]), None, 1)
                )  # fmt: skip
        if frm:
            s = mt.start("kw") if kw else mt.start("y1")
        if strong:
            score = 1.0
        elif paren or _EVENT_BEFORE.search(norm[max(0, s - 32) : s]):
            # "(1948)" in a caption or "حرب 1967"، "الانتفاضة الاولي 1987": a year by convention
            if paren:
                s, e = mt.span("y1")
            score = 0.8
        else:
            before = norm[max(0, s - 12) : s]
            strong_prep = frm == "منذ" or _PREP_STRONG_BEFORE.search(before)
            if not strong_prep and (
                not (frm or _PREP_BEFORE.search(before)) or not _FOLLOW.match(norm, e)
            ):
                continue
            score = 0.8
        out.append(
            Cand(s, e, "DATE", "year", partial(_const, f"{y1:04d}"), score,
                  _clean(norm[s:e]), None, 1)
        )  # fmt: skip
    return out


def _numeric(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.numeric_re, norm, spans):
        s, e = mt.span("c")
        e = mt.end()
        if _LAW_BEFORE.search(norm, max(0, s - 8), s):
            continue
        hijri = bool(mt["hs"])
        score = 1.0
        if mt["a"]:
            d, m, y = int(mt["a"]), int(mt["b"]), int(mt["y"])
            if m > 12 and d <= 12:
                d, m, score = m, d, 0.7  # month first: only when day first is impossible
        elif mt["Y"]:
            y, m, d = int(mt["Y"]), int(mt["M"]), int(mt["D"])
        else:
            y, m, d = int(mt["yy"]), int(mt["mm"]), 0
            if not 1 <= m <= 12 or not 1000 <= y <= 2199 or hijri:
                continue
            out.append(
                Cand(s, e, "DATE", "numeric", partial(_const, f"{y:04d}-{m:02d}"), 0.9,
                      _clean(norm[s:e]), None, 3)
            )  # fmt: skip
            continue
        if hijri:
            greg = _hijri_to_greg(y, m, d) if 1 <= m <= 12 else None
            if greg is None:
                continue
            out.append(
                Cand(s, e, "DATE", "hijri", partial(_const, _iso(greg)), score,
                      f"{y:04d}-{m:02d}-{d:02d} AH", greg, 4, True)
            )  # fmt: skip
            continue
        date = _safe_date(y, m, d) if 1000 <= y <= 2199 else None
        if date is None:
            continue
        out.append(
            Cand(
                s,
                e,
                "DATE",
                "numeric",
                partial(_const, _iso(date)),
                score,
                _iso(date),
                date,
                4,
                True,
            )  # fmt: skip
        )
    return out


def _century_of(mt: re.Match[str], anchor: Anchor) -> int | None:
    """The century named in a match as its ordinal (21 for القرن الحادي والعشرين)."""
    if mt["cw"]:
        return ORDINALS.get(" ".join(mt["cw"].split()))
    if mt["cn"]:
        return int(mt["cn"])
    if mt["cr"] and anchor is not None:
        return (anchor.year - 1) // 100 + 1 + _mod_sign(mt["cr"])
    return None


def _century_value(n: int | None) -> str:
    return f"{n - 1:02d}" if n and n >= 1 else ""


def _centuries(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.century_re, norm, spans):
        s, e = mt.span("c")
        if mt["era"] and ERA_MARKERS[" ".join(mt["era"].split())] != "CE":  # AH, BCE: no year
            fn: Resolver = partial(_const, "")
        elif mt["cr"]:
            fn = partial(_rel_century, mt)
        else:
            n = _century_of(mt, None)
            if not n or n > 22:
                continue
            fn = partial(_const, _century_value(n))
        out.append(Cand(s, e, "DATE", "century", fn, 1.0, _clean(norm[s:e]), None, 2))
    for mt in _scan(g.decade_re, norm, spans):
        s, e = mt.span("c")
        if _AGE_AFTER.match(norm, e):
            continue
        decade = _DECADES[mt["dw"]]
        fn = partial(_decade_value, mt, decade)
        out.append(Cand(s, e, "DATE", "decade", fn, 1.0, _clean(norm[s:e]), None, 2))
    return out


def _rel_century(mt: re.Match[str], anchor: Anchor) -> str:
    return _century_value(_century_of(mt, anchor))


def _decade_value(mt: re.Match[str], decade: int, anchor: Anchor) -> str:
    """TIMEX decade: three digits, 198 for الثمانينيات; the century defaults to the 1900s."""
    if mt["cw"] or mt["cn"] or mt["cr"]:
        n = _century_of(mt, anchor)
        if n is None:
            return ""
        return f"{n - 1:02d}{decade}"
    return f"19{decade}"


def _relative(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.relative_re, norm, spans):
        s, e = mt.span("c")
        typ, score, kind = "DATE", 0.9, "rel"
        if mt["now"] or mt["nowd"]:
            if mt["now"] == "حالا" and _HAALAN_NOT_BEFORE.search(norm, max(0, s - 8), s):
                continue
            fn, typ, score, kind = partial(_const, "PRESENT_REF"), "TIME", 0.7, "now"
            if mt["nowd"]:
                typ = "DATE"
        elif mt["dayrel"]:
            step = _DAY_MODS[_clean(mt["dmod"])] if mt["dmod"] else 0
            fn, score = partial(_rel_shift, "day", step), 0.7
        elif mt["today"]:
            if _TODAY_NOT_AFTER.match(norm, e) or _TODAY_NOT_BEFORE.search(norm, max(0, s - 6), s):
                continue
            fn: Resolver = partial(_rel_shift, "day", 0)
            kind = "today"
        elif mt["tonight"]:
            if _TODAY_NOT_AFTER.match(norm, e):
                continue  # "الليلة الشعبية": a night, not tonight
            fn, typ = partial(_rel_pod, 0, "NI"), "TIME"
        elif mt["yest2"]:
            fn = partial(_rel_shift, "day", -2)
        elif mt["tom2"]:
            fn = partial(_rel_shift, "day", 2)
        elif mt["yest"]:
            fn = partial(_rel_shift, "day", -1)
        elif mt["tom"]:
            if mt["tom"] == "الغد" and _AFTER_NEWSPAPER.search(norm, max(0, s - 8), s):
                continue
            if mt["tom"].startswith("بكر") and _BALL_AFTER.match(norm, e):
                continue  # "بكرة القدم": with football (ب + كرة), not tomorrow
            fn = partial(_rel_shift, "day", 1)
        elif mt["unit"] or mt["unit2"]:
            if mt["unit"] == "العام" and _TITLE_BEFORE.search(norm[max(0, s - 10) : s]):
                continue  # "الامين العام السابق": a former secretary-general, not last year
            unit = {"الاسبوع": "week", "الشهر": "month", "العام": "year", "السنه": "year"}[
                mt["unit"] or mt["unit2"]
            ]
            fn = partial(_rel_shift, unit, _mod_sign(mt["mod"]))
        else:
            unit, implied = _REL_UNITS[mt["u"]]
            if mt["n"]:
                if implied == 2:
                    continue  # "قبل 3 يومين" is not Arabic
                n = int(mt["n"]) if mt["n"].isdigit() else _CARDINALS[mt["n"]]
            else:
                if implied == 0:
                    continue  # "قبل ايام": vague, not a date
                n = implied
            if mt["n"] and implied == 1 and n > 2 and n < 11:
                continue  # "3 عام" is not how Arabic counts 3-10
            if mt["u"].endswith("ا") and n < 11:
                continue  # the accusative singular (عاما) counts 11 and up
            if mt["dir"] != "منذ" and _EVENT_AFTER.match(norm, e):
                continue  # "بعد ثلاثة أعوام من الخسائر": counted from an event, not from today
            sign = 1 if mt["dir"] == "بعد" else -1
            fn = partial(_rel_shift, unit, sign * n)
        day = kind == "today" or (typ == "DATE" and kind == "rel" and fn.args[0] == "day")
        if day and kind == "rel":
            kind = "relday"
        out.append(Cand(s, e, typ, kind, fn, score, _clean(norm[s:e]), None, 2, day))
    return out


# After بكرة these make it ب + كرة (بكرة القدم: with football) or the idiom عن بكرة أبيهم (all of them).
_BALL_AFTER = re.compile(
    r"\s+(?:القدم|السله|الطائره|اليد|المضرب|الماء|الصالات|الشاطئ|ابيهم|ابيها|ابيه|ابيكم)(?!\w)"
)


def _rel_shift(unit: str, n: int, anchor: Anchor) -> str:
    return _shift(anchor, unit, n) if anchor is not None else ""


def _rel_pod(n: int, pod: str, anchor: Anchor) -> str:
    return f"{_shift(anchor, 'day', n)}T{pod}" if anchor is not None else f"T{pod}"


def _weekdays(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.weekday_re, norm, spans):
        s, e = mt.span("c")
        word = mt["wd"]
        before = norm[max(0, s - 8) : s]
        if word == "الاثنين" and not (mt["yawm"] or mt["mod"] or _WD_CONTEXT.search(before)):
            continue
        if word == "الاحد" and re.match(r"\s+عشر", norm[e : e + 5]):
            continue
        if word == "الجمعه" and not mt["yawm"] and _JUMUA_NOT.search(before):
            continue
        fn = partial(_rel_weekday, g.weekdays[word], _mod_sign(mt["mod"]))
        out.append(Cand(s, e, "DATE", "weekday", fn, 0.9, _clean(norm[s:e]), None, 1, True))
    return out


def _rel_weekday(wd: int, sign: int, anchor: Anchor) -> str:
    return _weekday_value(anchor, wd, sign)


def _is_trigger(w: str, trig: frozenset[str]) -> bool:
    """A token that is a trigger word behind one or two proclitics (وأمس، بالأمس، و2022)."""
    for k in (1, 2):
        rest = w[k:]
        if rest and (rest in trig or (rest[0].isdigit() and (len(rest) >= 4 or ":" in rest))):
            return True
        if not rest or rest[0] not in PROCLITIC_LETTERS:
            break
    return False


# The clock times (pipeline.dates.clock) and the periods (pipeline.dates.periods) follow these in
# `find_dates`.
RECOGNIZERS = (_gregorian, _hijri, _numeric, _years, _centuries, _relative, _weekdays)
