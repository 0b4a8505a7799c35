"""Word tables of the date grammar, in normalized spelling (no hamza on alef, ي for ى, ه for ة):
ordinals, clock hours, cardinals, relative units and modifiers, decades, parts of day, and the
words around a bare year."""

from __future__ import annotations

import re

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
