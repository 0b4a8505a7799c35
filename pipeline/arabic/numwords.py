"""Arabic number words: cardinals, fractions and ordinals, in normalized spelling, and the views the
grammars take of them.

Why a module of its own: number words are Arabic knowledge both grammars read, kept apart from any
stage: the parser (`pipeline.arabic.numparse`, which the amount grammar runs) reads the tables, the date
grammar (`pipeline.dates.words`) takes the views below (`ordinal_phrases`, `clock_hours`, `count_words`,
`decade_words`). Everything here is in *normalized* form (see `pipeline.arabic.normalize`): alef forms
folded, ة → ه, ى → ي. Word lists are written in ordinary spelling and normalized once at import, so they
can never drift from what the normalizer produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.arabic.normalize import norm_word as _n

__all__ = [
    "NumberWord",
    "CARDINALS",
    "ORDINALS",
    "all_forms",
    "decade_words",
    "ordinal_phrases",
    "clock_hours",
    "hour_fractions",
    "count_words",
    "DECIMAL_POINT",
    "NEEDS_CONTEXT",
    "SPOKEN",
]


@dataclass(frozen=True, slots=True)
class NumberWord:
    """One spelling: its kind, value and how it may combine.

    kind: "unit" (0–10), "ten" (20–90), "hundred" (100–900), "scale" (10^3, 10^6, 10^9, 10^12),
    "frac" (½ ¼ ⅓ ⅔ and the plural fractions أرباع/أثلاث).
    form: "" (plain), "dual" (ألفان = 2 × scale), "plural" (آلاف: needs a multiplier),
    "construct" (ألفا, مليونا: accusative singular after a number, dual construct alone),
    "bound" (أحد, إحدى, اثنا: only inside a compound such as أحد عشر),
    "spoken" (تلاتة، حداشر: dialect spellings, not taken with the article),
    "context" (متين: also an everyday word, so a number only inside a longer number or before a
    unit; the amount grammar checks `Parsed.context`).
    """

    kind: str
    value: Decimal
    form: str = ""


# The stems every number-word table here is built from: tens (عشرون/عشرين ...), the ordinals 1-10
# (masculine, feminine), and the "one" of compound ordinals (الحادي عشر، الحادية والعشرون).
_TEN_STEMS = {
    20: "عشر",
    30: "ثلاث",
    40: "أربع",
    50: "خمس",
    60: "ست",
    70: "سبع",
    80: "ثمان",
    90: "تسع",
}
_ORDINAL_STEMS = {
    1: ("أول", "أولى"),
    2: ("ثاني", "ثانية"),
    3: ("ثالث", "ثالثة"),
    4: ("رابع", "رابعة"),
    5: ("خامس", "خامسة"),
    6: ("سادس", "سادسة"),
    7: ("سابع", "سابعة"),
    8: ("ثامن", "ثامنة"),
    9: ("تاسع", "تاسعة"),
    10: ("عاشر", "عاشرة"),
}
_ORDINAL_ONE_BOUND = ("الحادي", "الحادية", "حادي", "حادية")
# Spoken teens (Egyptian حداشر…, Levantine حدعش…) and hundreds (تلتمية…): values and spellings.
_SPOKEN_TEENS = {
    11: ("حداشر", "احداشر", "حدعش", "احدعش"),
    12: ("اتناشر", "اطناشر", "تناشر", "اطنعش", "تنعش", "اتنعش"),
    13: ("تلتاشر", "تلطاشر", "تلتعش", "تلطعش"),
    14: ("اربعتاشر", "أربعتاشر", "اربعطاشر", "اربعتعش", "اربعطعش"),
    15: ("خمستاشر", "خمسطاشر", "خمستعش", "خمسطعش"),
    16: ("ستاشر", "سطاشر", "ستعش", "سطعش"),
    17: ("سبعتاشر", "سبعطاشر", "سبعتعش", "سبعطعش"),
    18: ("تمنتاشر", "تمانتاشر", "تمنطاشر", "تمنتعش", "تمنطعش"),
    19: ("تسعتاشر", "تسعطاشر", "تسعتعش", "تسعطعش"),
}
_SPOKEN_HUNDREDS = {
    3: ("تلت", "تلات", "ثلاث"),
    4: ("ربع", "اربع", "أربع"),
    5: ("خمس",),
    6: ("ست", "سيت"),
    7: ("سبع",),
    8: ("تمن", "تمان", "ثمن", "ثمان"),
    9: ("تسع",),
}
# The decimal point said in words: ثلاثة فاصلة خمسة = 3.5.
DECIMAL_POINT = frozenset(_n(w) for w in ("فاصلة", "فاصل", "فاصله"))
# Forms that are also common words (متين "solid"): numbers only with a unit after them or
# inside a longer number.
NEEDS_CONTEXT = "context"
# Spoken spellings (تلاتة، حداشر، تلتمية): numbers alone, but never after the article (التمان is
# the name Altman, not "the eight").
SPOKEN = "spoken"


def _table() -> dict[str, NumberWord]:
    t: dict[str, NumberWord] = {}

    def add(words: Sequence[str], kind: str, value: int | Decimal, form: str = "") -> None:
        for w in words:
            t.setdefault(_n(w), NumberWord(kind, Decimal(value), form))

    add(["صفر"], "unit", 0)
    add(["واحد", "واحدة", "واحدا"], "unit", 1)
    add(["أحد", "إحدى"], "unit", 1, "bound")
    add(["اثنان", "اثنين", "اثنتان", "اثنتين", "إثنان", "إثنين"], "unit", 2)
    add(["اثنا", "اثني", "اثنتا", "اثنتي"], "unit", 2, "bound")
    units = {
        3: ["ثلاث", "ثلاثة"],
        4: ["أربع", "أربعة"],
        5: ["خمس", "خمسة"],
        6: ["ست", "ستة"],
        7: ["سبع", "سبعة"],
        8: ["ثمان", "ثماني", "ثمانية"],
        9: ["تسع", "تسعة"],
        10: ["عشر", "عشرة"],
    }
    for v, ws in units.items():
        add(ws, "unit", v)
    for v, stem in _TEN_STEMS.items():
        add([stem + "ون", stem + "ين"], "ten", v)
    # Spoken forms (Egyptian, Levantine, Gulf), as people write them in posts and quoted speech.
    add(["اتنين", "إتنين"], "unit", 2, SPOKEN)
    add(["تلاتة", "تلات"], "unit", 3, SPOKEN)
    add(["تمانية", "تمنية", "تمان"], "unit", 8, SPOKEN)
    for v, forms in _SPOKEN_TEENS.items():
        add(forms, "unit", v, SPOKEN)
    add(["تلاتين"], "ten", 30, SPOKEN)
    add(["تمانين", "تمنين"], "ten", 80, SPOKEN)
    add(["مائة", "مئة", "مية", "ماية"], "hundred", 100)
    add(["متين"], "hundred", 200, "context")  # also "solid": only with a unit or in a compound
    for v, ss in _SPOKEN_HUNDREDS.items():
        add([x + h for x in ss for h in ("مية", "ماية", "ميت")], "hundred", v * 100, SPOKEN)
    add(["مائتان", "مائتين", "مئتان", "مئتين", "مائتا", "مئتا", "مائتي", "مئتي"], "hundred", 200)
    stems = {
        3: ["ثلاث", "ثلث"],
        4: ["أربع"],
        5: ["خمس"],
        6: ["ست"],
        7: ["سبع"],
        8: ["ثمان", "ثماني"],
        9: ["تسع"],
    }
    for v, ss in stems.items():
        add([s + h for s in ss for h in ("مائة", "مئة")], "hundred", v * 100)
    scales = {
        10**3: (["ألف"], ["ألفان", "ألفين", "ألفي"], ["آلاف", "ألوف", "تلاف"], ["ألفا"]),
        10**6: (["مليون"], ["مليونان", "مليونين", "مليوني"], ["ملايين"], ["مليونا"]),
        10**9: (
            ["مليار", "بليون"],
            ["ملياران", "مليارين", "ملياري", "بليونان", "بليونين"],
            ["مليارات", "بلايين", "بليونات"],
            ["مليارا", "بليونا"],
        ),
        10**12: (
            ["تريليون", "ترليون"],
            ["تريليونان", "تريليونين", "تريليوني", "ترليونان", "ترليونين"],
            ["تريليونات", "ترليونات"],
            ["تريليونا", "ترليونا"],
        ),
    }
    for v, (one, dual, plural, construct) in scales.items():
        add(one, "scale", v)
        add(dual, "scale", v, "dual")
        add(plural, "scale", v, "plural")
        add(construct, "scale", v, "construct")
    add(["نصف"], "frac", Decimal("0.5"))
    add(["ربع"], "frac", Decimal("0.25"))
    add(["ثلث"], "frac", Decimal(1) / Decimal(3))
    add(["ثلثا", "ثلثي"], "frac", Decimal(2) / Decimal(3))
    add(["أرباع"], "frac", Decimal("0.25"), "plural")
    add(["أثلاث"], "frac", Decimal(1) / Decimal(3), "plural")
    return t


def _ordinals() -> dict[str, tuple[int, str]]:
    """Ordinal spellings → (value, form); form "bound" = only in a compound (الحادي عشر)."""
    t: dict[str, tuple[int, str]] = {}
    for v, (m, f) in _ORDINAL_STEMS.items():
        t[_n("ال" + m)] = (v, "")
        t[_n("ال" + f)] = (v, "")
        t[_n(m)] = (v, "bare")
    for w in _ORDINAL_ONE_BOUND:
        t[_n(w)] = (1, "bound")
    for v, stem in _TEN_STEMS.items():
        t[_n("ال" + stem + "ون")] = (v, "ten")
        t[_n("ال" + stem + "ين")] = (v, "ten")
    return t


CARDINALS: dict[str, NumberWord] = _table()
ORDINALS: dict[str, tuple[int, str]] = _ordinals()


def ordinal_phrases(hi: int, feminine: bool = False) -> dict[str, int]:
    """Definite ordinal phrases 1..hi, normalized, as the date grammar matches them whole:
    الاول، الحادي عشر، الثالث عشر، الحادي والعشرين / الحادي والعشرون، الثاني والثلاثين; with
    `feminine`, الاولي، الحاديه عشره (and the common الحاديه عشر)، الخامسه والعشرين."""
    k = 1 if feminine else 0
    units = {v: _n("ال" + forms[k]) for v, forms in _ORDINAL_STEMS.items() if v < 10}
    one = [_n("الحادية" if feminine else "الحادي")] + ([] if feminine else [_n("الواحد")])
    out: dict[str, int] = {}
    for v in range(1, min(hi, 10) + 1):
        out[_n("ال" + _ORDINAL_STEMS[v][k])] = v
    teen = ("عشرة", "عشر") if feminine else ("عشر",)
    for v in range(1, 10):
        for u in one if v == 1 else [units[v]]:
            for t in teen:
                if 10 + v <= hi:
                    out[f"{u} {_n(t)}"] = 10 + v
    for tens, stem in _TEN_STEMS.items():
        if tens > hi:
            break
        for case in ("ين", "ون"):
            word = _n("ال" + stem + case)
            out.setdefault(word, tens)
            for v in range(1, 10):
                if tens + v <= hi:
                    for u in one if v == 1 else [units[v]]:
                        out.setdefault(f"{u} و{word}", tens + v)
    return out


def clock_hours() -> dict[str, int]:
    """Hours of the clock in words (feminine ordinals, with الواحدة for one): الواحده 1 …
    الثانيه عشره 12."""
    hours = {w: v for w, v in ordinal_phrases(12, feminine=True).items() if v != 1}
    hours[_n("الواحدة")] = 1
    return hours


def hour_fractions() -> dict[str, int]:
    """The fractions that divide an hour, as minutes: نصف 30، ربع 15، ثلث 20 (the half, quarter and
    third of the fraction table, not two thirds), for "السابعة والنصف" and "الثامنة إلا ربعا"."""
    return {
        w: int(e.value * 60)
        for w, e in CARDINALS.items()
        if e.kind == "frac" and not e.form and e.value <= Decimal("0.5")
    }


def count_words(hi: int = 100) -> dict[str, int]:
    """Single-word cardinals 1..hi that count days, weeks or years (ثلاثة، عشرين، مئة, and the
    spoken forms), for the date grammar's "قبل ثلاثة أيام"."""
    return {
        w: int(e.value)
        for w, e in CARDINALS.items()
        if e.kind in ("unit", "ten", "hundred")
        and e.form not in ("bound", NEEDS_CONTEXT)
        and 1 <= e.value <= hi
    }


def all_forms() -> set[str]:
    """Every cardinal and ordinal spelling (normalized), for building candidate regexes."""
    return set(CARDINALS) | set(ORDINALS)


def decade_words() -> dict[str, int]:
    """The tens (genitive form) that name a decade, and its digit: الثمانينات ← ثمانين → 8."""
    return {
        w: int(e.value) // 10 for w, e in CARDINALS.items() if e.kind == "ten" and w.endswith("ين")
    }
