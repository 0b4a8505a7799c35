"""Word tables of the date grammar, in normalized spelling (no hamza on alef, ي for ى, ه for ة):
relative units, parts of a month, and the words around a bare year; the number words (day ordinals,
clock hours, counts, decades) are views of `pipeline.arabic.numwords`, the relative modifiers and parts
of the day views of `pipeline.arabic.calendar`."""

from __future__ import annotations

import re

from pipeline.arabic.calendar import (
    CLOCK_PARTS_OF_DAY,
    PART_OF_DAY_ADVERBS,
    PARTS_OF_DAY,
    RELATIVE_MODIFIERS,
)
from pipeline.arabic.numwords import ORDINALS as NUM_ORDINALS
from pipeline.arabic.numwords import clock_hours, count_words, decade_words, ordinal_phrases

# --------------------------------------------------------------------------------------------------
# Word tables (normalized spelling: no hamza on alef, ي for ى, ه for ة)

# Day and century ordinals (الاول … الحادي والثلاثين; up to 39 so that an impossible day such as
# الثاني والثلاثين is read whole and then refused), clock hours and counts: number words, from
# their one home, pipeline.arabic.numwords.
ORDINALS: dict[str, int] = ordinal_phrases(39)
_HOURS: dict[str, int] = clock_hours()
_CARDINALS: dict[str, int] = count_words(100)
_DECADES: dict[str, int] = decade_words()  # decades: الثمانينات

# The n-th weekday of a month (اول جمعه من رمضان، الخميس الاخير من نوفمبر): ordinals 1..5 from
# numwords, bare before the weekday and definite after it; -1 = the last.
_NTH_BEFORE: dict[str, int] = {
    w: v for w, (v, form) in NUM_ORDINALS.items() if form == "bare" and v <= 5
} | {"اخر": -1}
# After the weekday only a feminine ordinal (الجمعه الاولي، الجمعه الثانيه: ending in ي or ه, which
# the masculine الثاني shares) or الاخير: a masculine one reads as the day of the month (السبت الثاني
# من سبتمبر = Saturday 2 September).
_NTH_AFTER: dict[str, int] = {
    w: v
    for w, (v, form) in NUM_ORDINALS.items()
    if form == "" and v <= 5 and w.endswith(("ه", "ي")) and w != "الثاني"
} | {"الاخير": -1, "الاخيره": -1}
# Parts of a month or year (مطلع الشهر، منتصف يونيو، اواخر سبتمبر، نهايه العام).
_PART_WORDS = {
    "مطلع": "start", "بدايه": "start", "اوائل": "start", "مستهل": "start", "اول": "start",
    "منتصف": "mid", "اواسط": "mid", "اواخر": "end", "نهايه": "end", "اخر": "end",
    "ختام": "end", "اخير": "end",
}  # fmt: skip
# The months as ordinals (الشهر العاشر = October).
_MONTH_ORDINALS: dict[str, int] = {w: v for w, v in ORDINALS.items() if v <= 12}

# Relative units: word -> (unit, count implied by the word or 0 when a number must precede it).
_REL_UNITS = {
    "يوم": ("day", 1), "يومين": ("day", 2), "ايام": ("day", 0),
    "اسبوع": ("week", 1), "اسبوعين": ("week", 2), "اسابيع": ("week", 0),
    "شهر": ("month", 1), "شهرين": ("month", 2), "اشهر": ("month", 0), "شهور": ("month", 0),
    "عام": ("year", 1), "عامين": ("year", 2), "اعوام": ("year", 0),
    "سنه": ("year", 1), "سنتين": ("year", 2), "سنوات": ("year", 0), "سنين": ("year", 0),
    "يوما": ("day", 0), "اسبوعا": ("week", 0), "شهرا": ("month", 0), "عاما": ("year", 0),
}  # fmt: skip

# Relative modifiers (الماضي، المقبل، الحالي) by the direction they give, from pipeline.arabic.calendar.
_PAST_MODS = tuple(w for w, sign in RELATIVE_MODIFIERS.items() if sign < 0)
_NEXT_MODS = tuple(w for w, sign in RELATIVE_MODIFIERS.items() if sign > 0)
_THIS_MODS = tuple(w for w, sign in RELATIVE_MODIFIERS.items() if sign == 0)
_MODS = _PAST_MODS + _NEXT_MODS + _THIS_MODS
# اليوم + these: a day counted from the document's (اليوم السابق، اليوم التالي، اليوم نفسه).
_DAY_MODS = {
    "السابق": -1, "الماضي": -1, "اللي فات": -1, "الي فات": -1, "التالي": 1, "الموالي": 1,
    "نفسه": 0, "ذاته": 0, "عينه": 0,
}  # fmt: skip

# Parts of the day -> TIMEX3 code, from pipeline.arabic.calendar: the nouns (صباح، ليله), the adverbs
# (صباحا، ليلا), and every word or phrase after a clock time that names one (السابعة مساء، الرابعة عصرا،
# الساعة 4 العصر (the article is in the pattern), السابعة بعد المغرب).
_POD: dict[str, str] = PARTS_OF_DAY
_POD_ADV: dict[str, str] = PART_OF_DAY_ADVERBS
_AP_WORDS: dict[str, str] = CLOCK_PARTS_OF_DAY
# Minutes in words (الثالثة وعشر دقائق، الا خمس دقائق), 1..59 (compounds are two of these).
_MINUTES: dict[str, int] = count_words(59)

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
