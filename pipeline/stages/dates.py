"""Dates and times: DATE and TIME mentions with ISO 8601 / TIMEX3 values.

Why rules: dates in Arabic news are a closed grammar (a day, a month name from one of four regional
lists, a year, a handful of relative words), and the value needs arithmetic (anchor dates, Hijri
conversion) that a tagger cannot do. Duckling-style: the examples file beside this module
(`dates_examples.tsv`) is the specification, and tests run every line of it.

How: a few precompiled regexes over `doc.norm`, built once from the word tables (months.tsv, the
ordinal table below), propose candidates; the longest non-overlapping candidates win; then adjacent
pieces are merged (a part of day or a clock time next to a day becomes one TIME). Values that
depend on the anchor (أمس، العام الماضي، أغسطس القادم) are resolved last, once the anchor is known:
`doc.date`, else the article's first complete date (day + month + year), else they get value "".
See docs/dates.md for the value conventions and the weekday and الموافق rules.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from pipeline.document import Document
from pipeline.resources import lexicons_dir

__all__ = ["DateStage", "ORDINALS", "load_months", "find_dates"]

Anchor = _dt.date | None
Resolver = Callable[[Anchor], str]
Spans = list[tuple[int, int]]

# --------------------------------------------------------------------------------------------------
# Word tables (normalized spelling: no hamza on alef, ي for ى, ه for ة)

_UNITS = {
    "الاول": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6, "السابع": 7,
    "الثامن": 8, "التاسع": 9,
}  # fmt: skip
_UNITS_COMPOUND = {"الحادي": 1, "الواحد": 1, **{k: v for k, v in _UNITS.items() if v > 1}}
_TENS = {"العشرين": 20, "الثلاثين": 30}


def _build_ordinals() -> dict[str, int]:
    """Masculine ordinals 1..31 (days and centuries): الاول، الحادي عشر، الحادي والعشرين..."""
    table = dict(_UNITS)
    table["العاشر"] = 10
    for word, n in _UNITS_COMPOUND.items():
        if n == 1:
            table[f"{word} عشر"] = 11
        else:
            table[f"{word} عشر"] = 10 + n
    for tens_word, tens in _TENS.items():
        table[tens_word] = tens
        for word, n in _UNITS_COMPOUND.items():
            if tens + n <= 31 or tens == 20:
                table[f"{word} و{tens_word}"] = tens + n
    return table


ORDINALS: dict[str, int] = _build_ordinals()

# Feminine ordinals for clock hours (الساعة العاشرة).
_HOURS = {
    "الواحده": 1, "الثانيه": 2, "الثالثه": 3, "الرابعه": 4, "الخامسه": 5, "السادسه": 6,
    "السابعه": 7, "الثامنه": 8, "التاسعه": 9, "العاشره": 10, "الحاديه عشره": 11,
    "الثانيه عشره": 12, "الحاديه عشر": 11, "الثانيه عشر": 12,
}  # fmt: skip

# Cardinals for "قبل ثلاثة أيام" (3..10 both genders, tens, a hundred).
_CARDINALS = {
    "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4, "خمسه": 5, "خمس": 5, "سته": 6, "ست": 6,
    "سبعه": 7, "سبع": 7, "ثمانيه": 8, "ثماني": 8, "ثمان": 8, "تسعه": 9, "تسع": 9, "عشره": 10,
    "عشر": 10, "واحد": 1, "واحده": 1, "عشرين": 20, "ثلاثين": 30, "اربعين": 40, "خمسين": 50,
    "ستين": 60, "سبعين": 70, "ثمانين": 80, "تسعين": 90, "مئه": 100, "مائه": 100,
}  # fmt: skip

# Relative units: word -> (unit, count implied by the word or 0 when a number must precede it).
_REL_UNITS = {
    "يوم": ("day", 1), "يومين": ("day", 2), "ايام": ("day", 0),
    "اسبوع": ("week", 1), "اسبوعين": ("week", 2), "اسابيع": ("week", 0),
    "شهر": ("month", 1), "شهرين": ("month", 2), "اشهر": ("month", 0), "شهور": ("month", 0),
    "عام": ("year", 1), "عامين": ("year", 2), "اعوام": ("year", 0),
    "سنه": ("year", 1), "سنتين": ("year", 2), "سنوات": ("year", 0), "سنين": ("year", 0),
    "يوما": ("day", 0), "اسبوعا": ("week", 0), "شهرا": ("month", 0), "عاما": ("year", 0),
}  # fmt: skip

_PAST_MODS = ("الماضي", "الماضيه", "المنصرم", "المنصرمه", "الفائت", "الفائته", "السابق",
              "السابقه", "المنقضي", "المنقضيه")  # fmt: skip
_NEXT_MODS = ("المقبل", "المقبله", "القادم", "القادمه")
_THIS_MODS = ("الحالي", "الحاليه", "الجاري", "الجاريه")
_MODS = _PAST_MODS + _NEXT_MODS + _THIS_MODS

_DECADES = {
    "عشرين": 2, "ثلاثين": 3, "اربعين": 4, "خمسين": 5, "ستين": 6, "سبعين": 7, "ثمانين": 8,
    "تسعين": 9,
}  # fmt: skip

# Part of day -> TIMEX3 part-of-day code.
_POD = {
    "فجر": "MO", "صباح": "MO", "ضحي": "MO", "ظهر": "MI", "ظهيره": "MI", "عصر": "AF",
    "مساء": "EV", "ليله": "NI", "ليل": "NI", "عشيه": "EV", "صبيحه": "MO",
}  # fmt: skip
_POD_ADV = {"صباحا": "MO", "فجرا": "MO", "ظهرا": "MI", "عصرا": "AF", "مساءا": "EV", "ليلا": "NI"}

# Words before a bare 4-digit number that make it a year ("في 2018"، "منذ 2011").
_YEAR_PREPS = ("في", "منذ", "حتي", "بحلول", "خلال", "مطلع", "منتصف", "نهايه", "بدايه", "اواخر",
               "اوائل", "اواسط", "قبل", "بعد", "عن", "الي", "ومنذ", "وفي", "وحتي")  # fmt: skip
# After these a bare year needs no check of the word that follows ("بحلول 2030 ستكتمل").
_YEAR_PREPS_STRONG = ("منذ", "ومنذ", "بحلول", "مطلع", "منتصف", "اواخر", "اوائل", "اواسط", "نهايه",
                      "بدايه")  # fmt: skip
_FOLLOW_OK = ("و", "ثم", "حيث", "حين", "عندما", "الي", "حتي", "قبل", "بعد", "من", "في", "وحتي",
              "الماضي", "المقبل", "كان", "كانت", "اي")  # fmt: skip


def _alt(words: object) -> str:
    """A regex alternation of words (longest first, spaces as \\s+), for one precompiled pattern."""
    items = sorted(set(words), key=len, reverse=True)  # type: ignore[call-overload]
    return "(?:" + "|".join(re.escape(w).replace("\\ ", r"\s+") for w in items) + ")"


def load_months() -> dict[str, dict[str, tuple[int, bool]]]:
    """months.tsv as {kind: {normalized name: (number, ambiguous)}}; kinds gregorian/hijri/weekday."""
    out: dict[str, dict[str, tuple[int, bool]]] = {"gregorian": {}, "hijri": {}, "weekday": {}}
    with (lexicons_dir() / "months.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out[row["kind"]][row["norm"]] = (int(row["number"]), row["ambiguous"] == "1")
    return out


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


# --------------------------------------------------------------------------------------------------
# Candidates


@dataclass(slots=True)
class _Cand:
    """A proposed mention on `norm`; `resolve(anchor)` gives its value once the anchor is known."""

    start: int
    end: int
    type: str
    kind: str
    resolve: Resolver
    score: float = 1.0
    normalized: str = ""
    full: _dt.date | None = None  # an explicit complete date (anchor candidate)
    prio: int = 0
    day: bool = False  # names one whole day, whatever the anchor


_B = r"(?<!\w)"
_E = r"(?!\w)"
_PRE = _B + r"(?:[وف]?[بلك]?)"
_DIGIT_DAY = r"(?:ال)?(?:[12]\d|3[01]|0?[1-9])(?!\d)"
_YSUF = r"(?:\s*(?:م|ميلادي|ميلاديه|للميلاد)(?![^\W\d_]))"
_HSUF = r"(?:\s*(?:ه|هجري|هجريه|الهجري|الهجريه|للهجره|من\s+الهجره)(?![^\W\d_]))"
_MOD = _alt(_MODS)
_ORD = _alt(ORDINALS)
# An ordinal preceded by these is not a day of the month (الاسبوع الاول من اغسطس).
_NOT_DAY_BEFORE = re.compile(
    r"(?:الاسبوع|الاسبوعين|النصف|الربع|الثلث|العقد|الايام|الاسابيع|الدور|الجوله|المرحله|الشوط)\s*$"
)
_PREP_BEFORE = re.compile(_B + _alt(_YEAR_PREPS) + r"\s+$")
_PREP_STRONG_BEFORE = re.compile(_B + _alt(_YEAR_PREPS_STRONG) + r"\s+$")
# A number after these is a law or decree number, not a date ("القانون رقم 5/2024").
_LAW_BEFORE = re.compile(r"(?:رقم|رقمه|الرقم|عدد)\s*$")
_FOLLOW = re.compile(r"\s*(?:[,.;:)\"!?\-]|$)|\s+" + _alt(_FOLLOW_OK) + _E)
_AFTER_NEWSPAPER = re.compile(r"(?:صحيفه|جريده|قناه|حزب|تيار|موقع)\s+$")
_JUMUA_NOT = re.compile(r"(?:صلاه|خطبه|خطيب|امام|صلوات|خطب)\s+$")
_WD_CONTEXT = re.compile(r"(?:يوم|صباح|مساء|ظهر|عصر|فجر|ليله|ليل|ضحي|امس|غدا|الغد)\s+$")
_TODAY_NOT_AFTER = re.compile(
    r"\s+(?:نفسه|ذاته|عينه|ال(?!جمعه|سبت|احد|اثنين|ثلاثاء|اربعاء|خميس)[^\W\d_]+|من\s|الذي|التي)"
)
_TODAY_NOT_BEFORE = re.compile(r"(?:ذلك|تلك|نفس|في|كل|هذا|ذات)\s+$")
# Titles and nouns that العام ("general", "public") qualifies: الامين العام السابق، النائب العام.
_TITLE_BEFORE = re.compile(
    r"(?<!\w)(?:ال)?(?:امين|مدعي|مدير|نائب|مقرر|مراقب|مفوض|قائد|منسق|مرشد|مفتش|امن|راي|قطاع|شان|"
    r"مال|محامي|مستشار|سكرتير|مدعيه|امينه|مديره|اتحاد|مؤتمر|الادعاء)\s+$"
)
# Events named by their year ("حرب 1967"، "الانتفاضه الاولي 1987"، "انتخابات 2020").
_EVENT_BEFORE = re.compile(
    r"(?<!\w)(?:ال)?(?:حرب|حروب|ثوره|انتفاضه|نكبه|نكسه|انتخابات|احداث|انقلاب|ازمه|موسم|ميزانيه|"
    r"موازنه|تعداد|زلزال|فيضانات|هجمات|مجزره|مذبحه|عدوان|اضراب|احتجاجات)(?:\s+ال[^\W\d_]+)?\s+$"
)
_EVENT_AFTER = re.compile(r"\s+(?:من|علي|عن)(?!\w)")
_AGE_AFTER = re.compile(r"\s+من\s+(?:ال)?عمر")


def _trigger_words(*tables: dict[str, object]) -> frozenset[str]:
    """Words at least one of which every date pattern contains (first words of month names)."""
    words = {name.split()[0] for table in tables for name in table}
    words |= set(_POD) | set(_POD_ADV) | set(_REL_UNITS)
    words |= {"القرن", "الساعه", "الظهر", "الظهيره", "اليوم", "الليله", "امس", "الامس", "البارحه"}
    words |= {"غد", "غدا", "الغد", "الاسبوع", "الشهر", "العام", "السنه"}
    words |= {f"{al}{stem}{y}ات" for stem in _DECADES for al in ("", "ال") for y in ("", "ي")}
    return frozenset(words)


class _Grammar:
    """The compiled patterns, built once from the month/weekday tables."""

    def __init__(self) -> None:
        tables = load_months()
        self.greg = tables["gregorian"]
        self.hijri = tables["hijri"]
        self.weekdays = {w: n for w, (n, _a) in tables["weekday"].items()}
        m = _alt(self.greg)
        hm = _alt(self.hijri)
        wd = _alt(self.weekdays)
        day = rf"(?:{_DIGIT_DAY}|{_ORD})"
        mp = (
            rf"(?P<m1>{m})(?:\s*/\s*(?P<m2>{m})|\s*\(\s*(?P<m3>{m})\s*\)|\s+-\s+(?P<m4>{m})"
            rf"|\s+(?P<m5>{m}))?"
        )
        year_part = (
            r"(?:\s*,?\s*(?:(?:من\s+)?(?:ال)?(?:عام|سنه)\s+)?(?P<y>[12]\d{3})(?!\d)"
            rf"(?P<ys>{_YSUF})?(?!\s*[.,]?\d|\s*%|{_HSUF}))?"
        )
        self.greg_re = re.compile(
            _PRE + r"(?P<c>(?:(?P<from>من|بين)\s+)?"
            rf"(?:(?:يوم\s+)?(?P<wd>{wd})\s*,?\s*)?"
            rf"(?:(?P<d1>{day})(?:\s*(?:(?P<conj>و|-)|(?P<to>الي|حتي|لغايه))\s*(?P<d2>{day}))?"
            r"\s+(?:من\s+)?)?"
            r"(?P<sh>شهر\s+)?" + mp + year_part + rf"(?:\s+(?P<mod>{_MOD}))?)" + _E
        )
        self.hijri_re = re.compile(
            _PRE + rf"(?P<c>(?:(?:يوم\s+)?(?P<wd>{wd})\s*,?\s*)?"
            rf"(?:(?P<d1>{day})\s+(?:من\s+)?)?(?P<sh>شهر\s+)?(?P<m1>{hm})"
            r"(?:\s*,?\s*(?:(?:من\s+)?(?:ال)?(?:عام|سنه)\s+)?(?P<y>1[2-5]\d\d)(?!\d))?"
            rf"(?P<hs>{_HSUF})?(?:\s+(?P<mod>{_MOD}))?)" + _E
        )
        self.hyear_re = re.compile(
            _PRE
            + r"(?P<c>(?:(?:ال)?(?:عام|سنه)\s+)?(?:\(\s*)?(?P<y>1[2-5]\d\d)(?!\d)(?:\s*\))?"
            + _HSUF
            + ")"
            + _E
        )
        self.year_re = re.compile(
            _PRE + r"(?P<c>(?:(?P<from>من|بين|منذ)\s+)?"
            r"(?:(?P<kw>(?:ال)?(?:عام|سنه)|عامي|سنتي)\s+)?"
            rf"(?P<po>\(\s*)?(?P<y1>[12]\d{{3}})(?!\d)(?P<pc>\s*\))?(?P<s1>{_YSUF})?"
            r"(?:\s*(?P<conn>-|/|و|الي|حتي|لغايه)\s*(?:(?:ال)?(?:عام|سنه)\s+)?"
            rf"(?P<y2>[12]\d{{3}})(?!\d)(?P<s2>{_YSUF})?)?)"
            rf"(?![\w%]|[.,/:]\d|\s*%|{_HSUF})"
        )
        self.numeric_re = re.compile(
            r"(?<![\w.,/:\-])(?:[وف]?[بلك]?)(?P<c>"
            r"(?P<a>\d{1,2})(?P<s>[/.\-]|\s/\s)(?P<b>\d{1,2})(?P=s)(?P<y>\d{4})"
            r"|(?P<Y>\d{4})(?P<s2>[/.\-])(?P<M>\d{1,2})(?P=s2)(?P<D>\d{1,2})"
            r"|(?P<mm>\d{1,2})/(?P<yy>\d{4}))"
            rf"(?P<hs>{_HSUF})?(?P<ys>{_YSUF})?"
            r"(?!\w|[.,/:\-]\d)"
        )
        self.decade_re = re.compile(
            _PRE + rf"(?P<c>(?:ال)?(?P<dw>{_alt(_DECADES)})(?:ي)?ات"
            rf"(?:\s+(?:من\s+)?القرن\s+(?:(?P<cw>{_ORD})|(?:ال)?(?P<cn>\d{{1,2}})(?!\d)"
            rf"|(?P<cr>{_MOD})))?)" + _E
        )
        self.century_re = re.compile(
            _PRE + rf"(?P<c>القرن\s+(?:(?P<cw>{_ORD})|(?:ال)?(?P<cn>\d{{1,2}})(?!\d)"
            rf"|(?P<cr>{_MOD}))(?:\s+(?P<era>الميلادي|ميلادي|للميلاد|الهجري|قبل\s+الميلاد))?)" + _E
        )
        units = _alt(_REL_UNITS)
        self.relative_re = re.compile(
            _PRE + r"(?P<c>(?P<yest2>اول\s+(?:من\s+)?امس|(?:ال)?امس\s+الاول)"
            r"|(?P<tom2>بعد\s+غد)"
            r"|(?P<today>اليوم)|(?P<tonight>الليله)"
            r"|(?P<yest>(?:ال)?امس|البارحه)"
            r"|(?P<tom>غدا|الغد)"
            rf"|(?P<unit>الاسبوع|الشهر|العام|السنه)\s+(?P<mod>{_MOD})"
            r"|(?:هذا|هذه)\s+(?P<unit2>الاسبوع|الشهر|العام|السنه)"
            rf"|(?P<dir>قبل|منذ|بعد)\s+(?:(?P<n>\d{{1,3}}|{_alt(_CARDINALS)})\s+)?(?P<u>{units}))"
            + _E
        )
        self.weekday_re = re.compile(
            _PRE + rf"(?P<c>(?P<yawm>يوم\s+)?(?P<wd>{wd})(?:\s+(?P<mod>{_MOD}))?)" + _E
        )
        hourw = _alt(_HOURS)
        tz = (
            r"(?:(?:ب|حسب\s+)?(?:ال)?توقيت\s+(?:ال)?[^\W\d_]+"
            r"(?:\s+(?:المكرمه|المنوره|المحلي|العالمي|الصيفي|الشتوي))?"
            r"|(?:ب|حسب\s+)?(?:غرينتش|جرينتش|غرينيتش|جرينيتش|GMT|UTC|ت\s*غ)(?:\s*[+\-]\s*\d{1,2})?)"
        )
        self.time_re = re.compile(
            _PRE + r"(?P<c>(?:(?P<sa>الساعه)\s+(?:ال)?)?"
            rf"(?P<h>(?P<hd>[01]?\d|2[0-4])(?:(?P<sep>[:.])(?P<mi>[0-5]\d))?(?![\d:.])|(?P<hw>{hourw}))"
            r"(?P<frac>\s+(?:و\s*(?P<fw>النصف|الربع|الثلث|نصف|ربع|ثلث|(?P<fm>\d{1,2})\s*(?:دقيقه|دقائق|د))"
            r"|الا\s+(?P<fl>ربعا|ربع|ثلثا|ثلث|(?P<fm2>\d{1,2})\s*(?:دقيقه|دقائق|د))))?"
            r"(?:\s*(?P<ap>صباحا|مساءا|مساء|ظهرا|عصرا|ليلا|فجرا|بعد\s+الظهر|بعد\s+الظهيره"
            r"|(?:من\s+)?(?:صباح|مساء|ظهر|فجر|ليله|عصر)|ص|م)(?![^\W\d_]))?"
            rf"(?P<tz>\s+{tz})?)" + _E
        )
        self.triggers = _trigger_words(self.greg, self.hijri, self.weekdays)
        self.pod_re = re.compile(
            _PRE + rf"(?P<c>(?P<p>{_alt(_POD)})|(?P<adv>{_alt(_POD_ADV)}))" + _E
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


def _gregorian(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
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
            else:
                fn = partial(_day_month_value, month=month, day=d1, sign=sign)
        elif year is not None:
            fn = partial(_const, f"{year:04d}-{month:02d}")
        else:
            fn = partial(_month_value, month=month, sign=sign)
        day = d1 is not None and d2 is None
        out.append(_Cand(s, e, "DATE", "greg", fn, score, _clean(norm[s:e]), full, 3, day))
    return out


def _day_range_rel(month: int, d1: int, d2: int, sign: int, anchor: Anchor) -> str:
    a = _day_month_value(anchor, month, d1, sign)
    if not a:
        return ""
    last = _safe_date(int(a[:4]), month, d2)
    return f"{a}/{_iso(last)}" if last and last.isoformat() >= a else ""


def _hijri(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
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
        out.append(_Cand(s, e, "DATE", "hijri", fn, 1.0, normalized, full, 4, d is not None))
    for mt in _scan(g.hyear_re, norm, spans):
        s, e = mt.span("c")
        y = int(mt["y"])
        fn = partial(_const, _hijri_year_span(y))
        out.append(_Cand(s, e, "DATE", "hijri", fn, 1.0, f"{y:04d} AH", None, 2))
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


def _years(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
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
                out.append(_Cand(s, e, "DATE", "year", fn, score, _clean(norm[s:e]), None, 2))
                continue
            # two single years ("عام 2018 و2019" without a frame): emit each that qualifies
            e = mt.end("s1") if mt["s1"] else mt.end("y1")
            if 1000 <= y2 <= 2199 and conn == "و" and strong:
                s2 = mt.start("y2")
                out.append(
                    _Cand(s2, mt.end("c"), "DATE", "year", partial(_const, f"{y2:04d}"), 1.0,
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
            _Cand(s, e, "DATE", "year", partial(_const, f"{y1:04d}"), score,
                  _clean(norm[s:e]), None, 1)
        )  # fmt: skip
    return out


def _numeric(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
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
                _Cand(s, e, "DATE", "numeric", partial(_const, f"{y:04d}-{m:02d}"), 0.9,
                      _clean(norm[s:e]), None, 3)
            )  # fmt: skip
            continue
        if hijri:
            greg = _hijri_to_greg(y, m, d) if 1 <= m <= 12 else None
            if greg is None:
                continue
            out.append(
                _Cand(s, e, "DATE", "hijri", partial(_const, _iso(greg)), score,
                      f"{y:04d}-{m:02d}-{d:02d} AH", greg, 4, True)
            )  # fmt: skip
            continue
        date = _safe_date(y, m, d) if 1000 <= y <= 2199 else None
        if date is None:
            continue
        out.append(
            _Cand(
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


def _centuries(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
    for mt in _scan(g.century_re, norm, spans):
        s, e = mt.span("c")
        if mt["era"] and mt["era"].startswith(("الهجري", "قبل")):
            fn: Resolver = partial(_const, "")
        elif mt["cr"]:
            fn = partial(_rel_century, mt)
        else:
            n = _century_of(mt, None)
            if not n or n > 22:
                continue
            fn = partial(_const, _century_value(n))
        out.append(_Cand(s, e, "DATE", "century", fn, 1.0, _clean(norm[s:e]), None, 2))
    for mt in _scan(g.decade_re, norm, spans):
        s, e = mt.span("c")
        if _AGE_AFTER.match(norm, e):
            continue
        decade = _DECADES[mt["dw"]]
        fn = partial(_decade_value, mt, decade)
        out.append(_Cand(s, e, "DATE", "decade", fn, 1.0, _clean(norm[s:e]), None, 2))
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


def _relative(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
    for mt in _scan(g.relative_re, norm, spans):
        s, e = mt.span("c")
        typ, score, kind = "DATE", 0.9, "rel"
        if mt["today"]:
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
        out.append(_Cand(s, e, typ, kind, fn, score, _clean(norm[s:e]), None, 2, day))
    return out


def _rel_shift(unit: str, n: int, anchor: Anchor) -> str:
    return _shift(anchor, unit, n) if anchor is not None else ""


def _rel_pod(n: int, pod: str, anchor: Anchor) -> str:
    return f"{_shift(anchor, 'day', n)}T{pod}" if anchor is not None else f"T{pod}"


def _weekdays(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
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
        out.append(_Cand(s, e, "DATE", "weekday", fn, 0.9, _clean(norm[s:e]), None, 1, True))
    return out


def _rel_weekday(wd: int, sign: int, anchor: Anchor) -> str:
    return _weekday_value(anchor, wd, sign)


def _hour24(h: int, ap: str | None) -> int:
    """12-hour clock words to 24 hours (مساء 10 -> 22, ظهرا 1 -> 13, ليلا 2 -> 2)."""
    if not ap:
        return h
    ap = ap.split()[-1]
    if ap in ("مساء", "مساءا", "عصرا", "عصر", "م", "الظهر", "الظهيره") and h < 12:
        return h + 12
    if ap in ("ظهرا", "ظهر") and h < 6:
        return h + 12
    if ap in ("ليلا", "ليله") and 6 <= h < 12:
        return h + 12
    if ap in ("صباحا", "صباح", "فجرا", "فجر", "ص") and h == 12:
        return 0
    return h


def _times(g: _Grammar, norm: str, spans: Spans) -> list[_Cand]:
    out: list[_Cand] = []
    for mt in _scan(g.time_re, norm, spans):
        s, e = mt.span("c")
        ap, tz = mt["ap"], mt["tz"]
        if mt["hw"]:
            if not mt["sa"]:
                continue
            h, mi = _HOURS[" ".join(mt["hw"].split())], 0
        else:
            h, mi = int(mt["hd"]), int(mt["mi"] or 0)
            if not (mt["sa"] or (mt["mi"] and (ap or tz)) or (ap and ap not in ("ص", "م"))):
                continue
            if ap in ("ص", "م") and (not mt["mi"] or mt["sep"] == "."):
                continue
        if mt["fw"] or mt["fm"]:
            fw = mt["fw"] or ""
            mi += {"النصف": 30, "نصف": 30, "الربع": 15, "ربع": 15, "الثلث": 20, "ثلث": 20}.get(
                fw, int(mt["fm"] or 0)
            )
        elif mt["fl"]:
            minus = {"ربعا": 15, "ربع": 15, "ثلثا": 20, "ثلث": 20}.get(
                mt["fl"], int(mt["fm2"] or 0)
            )
            h, mi = h - 1, 60 - minus
        if not (0 <= h <= 24 and 0 <= mi < 60):
            continue
        h = _hour24(h, ap)
        clock = f"T{h % 24:02d}:{mi:02d}"
        normalized = clock[1:] + (" " + _clean(tz) if tz else "")
        fn = partial(_const, clock)
        out.append(
            _Cand(s, e, "TIME", "clock", fn, 1.0 if mt["sa"] or ap else 0.8, normalized, None, 3)
        )
    for mt in _scan(g.pod_re, norm, spans):
        s, e = mt.span("c")
        if mt["adv"]:
            code = _POD_ADV[mt["adv"]]
            out.append(
                _Cand(s, e, "TIME", "podadv", partial(_const, f"T{code}"), 0.6, mt["adv"], None, 0)
            )
        else:
            code = _POD[mt["p"]]
            out.append(
                _Cand(s, e, "TIME", "pod", partial(_const, f"T{code}"), 0.0, mt["p"], None, 0)
            )
    return out


_PROCLITICS = frozenset("وفبلك")


def _is_trigger(w: str, trig: frozenset[str]) -> bool:
    """A token that is a trigger word behind one or two proclitics (وأمس، بالأمس، و2022)."""
    for k in (1, 2):
        rest = w[k:]
        if rest and (rest in trig or (rest[0].isdigit() and (len(rest) >= 4 or ":" in rest))):
            return True
        if not rest or rest[0] not in _PROCLITICS:
            break
    return False


_RECOGNIZERS = (_gregorian, _hijri, _numeric, _years, _centuries, _relative, _weekdays, _times)


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
_DAY_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _select(cands: list[_Cand], size: int) -> list[_Cand]:
    """Longest candidates first (then by priority); drop anything overlapping a kept one.

    A byte per character of `norm` marks what is taken, so a long article with thousands of
    candidates costs linear time, not a comparison of every pair."""
    taken = bytearray(size)
    kept: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, -c.prio, c.start)):
        if 1 not in taken[c.start : c.end]:
            taken[c.start : c.end] = b"\x01" * (c.end - c.start)
            kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept


def _infer_anchor(cands: list[_Cand]) -> Anchor:
    """The article's dateline: the first explicit complete date, in text order."""
    for c in cands:
        if c.full is not None:
            return c.full
    return None


@dataclass(slots=True)
class _Out:
    start: int
    end: int
    type: str
    value: str
    normalized: str
    score: float
    kind: str
    day: bool = False  # names one whole day (value YYYY-MM-DD, or "" with no anchor)


def _range(norm: str, cur: _Out, nxt: _Out) -> _Out | None:
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
    return _Out(start, nxt.end, "DATE", f"{a}/{b}", span, min(cur.score, nxt.score), "range")


def _join(norm: str, cur: _Out, nxt: _Out) -> _Out | None:
    """The single mention two adjacent pieces make, or None when they stay apart."""
    gap = (cur.end, nxt.start)
    span = _clean(norm[cur.start : nxt.end])
    if cur.type == "DATE" and nxt.type == "DATE":
        joined = _range(norm, cur, nxt)
        if joined is not None:
            return joined
    if cur.kind == "pod" and nxt.type == "DATE" and nxt.day and _gap(_GAP_POD, norm, gap):
        value = nxt.value + cur.value if nxt.value else cur.value
        return _Out(cur.start, nxt.end, "TIME", value, span, 0.9, "time", False)
    if cur.kind == "clock" and nxt.type == "DATE" and nxt.day and _gap(_GAP_TIME_DATE, norm, gap):
        value = nxt.value + cur.value if nxt.value else cur.value
        return _Out(cur.start, nxt.end, "TIME", value, cur.normalized, cur.score, "time", False)
    if cur.type == "DATE" and cur.day and nxt.kind == "clock" and _gap(_GAP_DATE_TIME, norm, gap):
        value = cur.value + nxt.value if cur.value else nxt.value
        return _Out(cur.start, nxt.end, "TIME", value, nxt.normalized, nxt.score, "time", False)
    return None


def _weekday_dates(norm: str, items: list[_Out]) -> list[_Out]:
    """Pairs naming one day, joined before anything else: a weekday right before an explicit
    numeric or Hijri day ("الخميس 7 / 10 / 1436 هـ", as the Gregorian pattern already does for
    "الجمعة 9 أغسطس"), and a relative day before its weekday ("اليوم الخميس"، "أمس الأربعاء")."""
    out: list[_Out] = []
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
            out[-1] = _Out(
                prev.start, it.end, it.type, it.value, it.normalized, it.score, it.kind, True
            )
        elif prev.kind in ("today", "relday") and it.kind == "weekday":
            # "أمس الأربعاء": one day named twice; the relative word fixes the value
            span = _clean(norm[prev.start : it.end])
            out[-1] = _Out(prev.start, it.end, "DATE", prev.value, span, prev.score, "relday", True)
        else:
            out.append(it)
    return out


def _merge(norm: str, items: list[_Out]) -> list[_Out]:
    """Join adjacent pieces left to right, so that a chain (clock + part of day + day) becomes one
    mention; drop اليوم before an explicit date ("اليوم الجمعة 9 أغسطس": the date says it all) and
    part-of-day nouns (صباح، مساء) that attached to no day."""
    items = _weekday_dates(norm, items)
    out: list[_Out] = []
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


def find_dates(
    g: _Grammar, norm: str, anchor: Anchor, spans: Spans | None = None
) -> tuple[list[_Out], Anchor]:
    """All DATE/TIME mentions of a normalized text, and the anchor used (given or inferred).

    `spans` limits the search to windows around trigger words (see `DateStage`); None = all text.
    """
    if spans is None:
        spans = [(0, len(norm))]
    cands: list[_Cand] = []
    for recognize in _RECOGNIZERS:
        cands.extend(recognize(g, norm, spans))
    kept = _select(cands, len(norm))
    if anchor is None:
        anchor = _infer_anchor(kept)
    items = [
        _Out(c.start, c.end, c.type, c.resolve(anchor), c.normalized, c.score, c.kind, c.day)
        for c in kept
    ]
    return _merge(norm, items), anchor


class DateStage:
    """Pipeline stage: DATE and TIME mentions (value ISO 8601 / TIMEX3, see docs/dates.md)."""

    name = "dates"
    requires: tuple[str, ...] = ("norm", "tokens")
    provides: tuple[str, ...] = ("dates",)

    def __init__(self) -> None:
        self._grammar = _Grammar()

    def _trigger_spans(self, doc: Document) -> Spans:
        """Windows around tokens that can start or anchor a date (month, weekday, 4-digit number,
        الساعة...). Why: scanning only there is several times faster than running every pattern
        over the whole article, and each pattern needs at least one such word to match."""
        trig = self._grammar.triggers
        hits: list[tuple[int, int]] = []
        for t in doc.tokens:
            w = t.norm
            if (
                w in trig
                or (w[0] in _PROCLITICS and _is_trigger(w, trig))
                or (w[0].isdigit() and (len(w) >= 4 or ":" in w))
            ):
                hits.append((t.start, t.end))
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
            doc.add_mention(
                m.type, m.start, m.end, normalized=m.normalized, value=m.value,
                source="dates", score=m.score,
            )  # fmt: skip
        return doc
