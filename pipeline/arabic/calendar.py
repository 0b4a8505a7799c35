"""Month and weekday names (normalized spelling), from one table: pipeline/lexicons/months.tsv;
the time zones written after توقيت (pipeline/lexicons/timezones.tsv); and the calendar words of the
running text with what they mean: parts of the day (TIMEX3 codes), era markers after a year (AH/CE) and
the modifiers that place a day, month or year relative to the document's date (past/next/this).

Gregorian months in their regional lists (Egyptian/Gulf يناير, Levantine كانون الثاني, Maghrebi جانفي
and يناير/غشت), Hijri months and weekdays; built by `python -m pipeline.training.build_date_lexicon`
from CLDR and the hijridate names (see pipeline/lexicons/SOURCES.md).
"""

from __future__ import annotations

from functools import lru_cache

from pipeline.arabic.normalize import norm_word as _n
from pipeline.lexicons import load_rows

__all__ = [
    "CLOCK_PARTS_OF_DAY",
    "ERA_MARKERS",
    "PARTS_OF_DAY",
    "PART_OF_DAY_ADVERBS",
    "RELATIVE_MODIFIERS",
    "SPOKEN_CLOCK_TIMES",
    "load_months",
    "load_time_zones",
]

_HEADER = ("kind", "number", "name", "norm", "ambiguous", "source")


@lru_cache(maxsize=1)
def _months() -> dict[str, dict[str, tuple[int, bool]]]:
    out: dict[str, dict[str, tuple[int, bool]]] = {"gregorian": {}, "hijri": {}, "weekday": {}}
    rows = load_rows("months")
    cols = {c: i for i, c in enumerate(rows[0])}
    if tuple(rows[0][: len(_HEADER)]) != _HEADER:
        raise ValueError(f"months.tsv: unexpected header {rows[0]}")
    for row in rows[1:]:
        out[row[cols["kind"]]][row[cols["norm"]]] = (
            int(row[cols["number"]]),
            row[cols["ambiguous"]] == "1",
        )
    return out


def load_months() -> dict[str, dict[str, tuple[int, bool]]]:
    """{kind: {normalized name: (number, ambiguous)}}; kinds gregorian, hijri, weekday (a copy)."""
    return {kind: dict(names) for kind, names in _months().items()}


@lru_cache(maxsize=1)
def load_time_zones() -> dict[str, str]:
    """{normalized zone word: UTC offset "+03:00"} from pipeline/lexicons/timezones.tsv: places and
    names written after توقيت (مكة المكرمة، غرينتش، GMT) whose offset is the same all year."""
    rows = load_rows("timezones")
    if tuple(rows[0]) != ("name", "norm", "offset"):
        raise ValueError(f"timezones.tsv: unexpected header {rows[0]}")
    return {row[1]: row[2] for row in rows[1:]}


# --------------------------------------------------------------------------------------------------
# Calendar words of the running text. Written in ordinary spelling and normalized once here (ة → ه,
# ى → ي, bare alef, no tatweel), so every grammar that reads them sees what the normalizer produces.


def _normalized(table: dict[str, str]) -> dict[str, str]:
    return {_n(w): v for w, v in table.items()}


# Parts of the day as nouns (صباح الاثنين، مساء الخميس) -> TIMEX3 part-of-day code.
PARTS_OF_DAY: dict[str, str] = _normalized({
    "فجر": "MO", "صباح": "MO", "ضحى": "MO", "ظهر": "MI", "ظهيرة": "MI", "عصر": "AF",
    "مساء": "EV", "ليلة": "NI", "ليل": "NI", "عشية": "EV", "صبيحة": "MO",
})  # fmt: skip
# The adverbs (accusative) of the parts of the day: السابعة صباحا، الرابعة عصرا.
PART_OF_DAY_ADVERBS: dict[str, str] = _normalized({
    "صباحا": "MO", "فجرا": "MO", "ظهرا": "MI", "عصرا": "AF", "مساءا": "EV", "ليلا": "NI",
})  # fmt: skip
# Words and phrases after a clock time that say which part of the day it is (السابعة مساء، الرابعة
# عصرا، الساعة 8 الصبح، السابعة بعد المغرب): the adverbs above and these.
CLOCK_PARTS_OF_DAY: dict[str, str] = PART_OF_DAY_ADVERBS | _normalized({
    "مساء": "EV", "بالليل": "NI", "الصبح": "MO", "بعد الظهر": "AF", "بعد الظهيرة": "AF",
    "بعد ظهر": "AF", "قبل الظهر": "MO", "قبل ظهر": "MO", "بعد العصر": "AF", "قبل المغرب": "AF",
    "بعد المغرب": "EV",
    "قبل العشاء": "EV", "بعد العشاء": "NI", "قبل الفجر": "NI", "بعد الفجر": "MO",
    "بعد منتصف الليل": "NI",
})  # fmt: skip
# Definite times said right after an hour in speech (الساعة 4 العصر، 7 المغرب، 10 الليل): the prayers,
# evening and night.
SPOKEN_CLOCK_TIMES: frozenset[str] = frozenset(
    _n(w) for w in ("الفجر", "الظهر", "العصر", "المغرب", "العشاء", "المساء", "الليل")
)

# Era markers after a year or a century (1435 هـ، 2014 م، 1990 ميلادي، القرن الرابع الهجري، القرن
# الثالث قبل الميلاد) -> the era: AH, CE or BCE.
ERA_MARKERS: dict[str, str] = _normalized({
    "م": "CE", "ميلادي": "CE", "ميلادية": "CE", "الميلادي": "CE", "الميلادية": "CE", "للميلاد": "CE",
    "هـ": "AH", "هجري": "AH", "هجرية": "AH", "الهجري": "AH", "الهجرية": "AH", "للهجرة": "AH",
    "من الهجرة": "AH",
    "قبل الميلاد": "BCE",
})  # fmt: skip

# Modifiers after a day, month, year or century that place it relative to the document's date: -1 the
# past one (الشهر الماضي), +1 the next one (الاسبوع المقبل), 0 this one (العام الحالي); spoken forms too.
RELATIVE_MODIFIERS: dict[str, int] = {
    _n(w): sign
    for sign, words in (
        (-1, ("الماضي", "الماضية", "المنصرم", "المنصرمة", "الفائت", "الفائتة", "السابق", "السابقة",
              "المنقضي", "المنقضية", "الفايت", "الفايتة", "اللي فات", "اللي فاتت", "الي فات",
              "الي فاتت")),
        (1, ("المقبل", "المقبلة", "القادم", "القادمة", "التالي", "التالية", "الجاي", "الجاية",
             "اللي جاي", "اللي جاية")),
        (0, ("الحالي", "الحالية", "الجاري", "الجارية")),
    )
    for w in words
}  # fmt: skip
