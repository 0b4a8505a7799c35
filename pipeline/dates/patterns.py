"""The compiled patterns of the date grammar (`Grammar`), built once from the month and weekday
names and the word tables, and the candidate record (`Cand`) the recognizers produce."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from pipeline.arabic.calendar import ERA_MARKERS, load_months, load_time_zones
from pipeline.arabic.clitics import PROCLITIC_PATTERN
from pipeline.dates.values import Resolver
from pipeline.dates.words import (
    _AP_WORDS,
    _CARDINALS,
    _DAY_MODS,
    _DECADES,
    _FOLLOW_OK,
    _HOURS,
    _MINUTES,
    _MODS,
    _MONTH_ORDINALS,
    _NTH_AFTER,
    _NTH_BEFORE,
    _PART_WORDS,
    _POD,
    _POD_ADV,
    _REL_UNITS,
    _YEAR_PREPS,
    _YEAR_PREPS_STRONG,
    ORDINALS,
    _alt,
)

# --------------------------------------------------------------------------------------------------
# Candidates


@dataclass(slots=True)
class Cand:
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
_PRE = _B + "(?:" + PROCLITIC_PATTERN + ")"
_DIGIT_DAY = r"(?:ال)?(?:[12]\d|3[01]|0?[1-9])(?!\d)"


def _era_suffix(era: str) -> str:
    """The era markers of one era (pipeline.arabic.calendar) after a year: 2014 م، 1435 هـ."""
    words = "|".join(
        re.escape(w).replace("\\ ", r"\s+") for w, e in ERA_MARKERS.items() if e == era
    )
    return rf"(?:\s*(?:{words})(?![^\W\d_]))"


_YSUF = _era_suffix("CE")
_HSUF = _era_suffix("AH")
# After a century, the era markers that are words (القرن الرابع الهجري، القرن الثالث قبل الميلاد), not
# the one-letter abbreviations of a year (م، هـ); longest first.
_CENTURY_ERAS = "|".join(
    re.escape(w).replace("\\ ", r"\s+")
    for w in sorted(ERA_MARKERS, key=len, reverse=True)
    if len(w) > 1
)
_MOD = _alt(_MODS)
_ORD = _alt(ORDINALS)
# An ordinal preceded by these is not a day of the month (الاسبوع الاول من اغسطس).
_NOT_DAY_BEFORE = re.compile(
    r"(?:الاسبوع|الاسبوعين|النصف|الربع|الثلث|العقد|الايام|الاسابيع|الدور|الجوله|المرحله|الشوط)\s*$"
)
_PREP_BEFORE = re.compile(_B + _alt(_YEAR_PREPS) + r"\s+$")
_PREP_STRONG_BEFORE = re.compile(_B + _alt(_YEAR_PREPS_STRONG) + r"\s+$")
# A word before حالا that makes it "in a state" (أحسن حالا), not "at once".
_HAALAN_NOT_BEFORE = re.compile(r"(?:احسن|افضل|اسوا|اشد|اكثر|اقل|اصعب|اسعد|اتعس|ايسر)\s+$")
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


# Words of the newer patterns that no month, weekday or unit word comes with: now, spoken days, and
# the fraction or minutes after an hour word (الخامسة والنصف، السادسة إلا ربعا، الثالثة وعشر دقائق).
# Parts of a month and n-th weekdays always name a month, الشهر/العام or a year within the window.
_EXTRA_TRIGGERS = (
    "الان", "حاليا", "حالا", "اللحظه", "الوقت", "بكره", "بكرا", "امبارح", "مبارح", "والنصف", "ونصف",
    "والربع", "وربع", "والثلث", "وثلث", "ربعا", "ثلثا", "دقائق", "دقيقه", "بالليل",
)  # fmt: skip
# Prayer times are triggers only after بعد/قبل/منتصف (المغرب alone is mostly Morocco, العشاء dinner).
PAIR_TRIGGERS = frozenset(w.split()[-1] for w in _AP_WORDS if w.startswith(("بعد ", "قبل ")))
PAIR_FIRST = ("بعد", "قبل", "منتصف")


def _trigger_words(*tables: dict[str, object]) -> frozenset[str]:
    """Words at least one of which every date pattern contains (first words of month names)."""
    words = {name.split()[0] for table in tables for name in table}
    # the parts of the day with the article too: the clock pattern reads "10 الصباح"، "العاشره الضحي"
    words |= set(_POD) | {"ال" + w for w in _POD} | set(_POD_ADV) | set(_REL_UNITS)
    words |= {w for w in _AP_WORDS if " " not in w}  # الساعه 8 الصبح
    words |= {"القرن", "الساعه", "اليوم", "امس", "الامس", "البارحه"}
    words |= {"غد", "غدا", "الغد", "الاسبوع", "الشهر", "العام", "السنه"}
    words |= {f"{al}{stem}{y}ات" for stem in _DECADES for al in ("", "ال") for y in ("", "ي")}
    words |= set(_EXTRA_TRIGGERS)
    return frozenset(words)


# Parts of day said with a prayer or noon (بعد الظهر، بعد المغرب، قبل العشاء): a TIME on their own.
_AP_PHRASES = {w for w in _AP_WORDS if " " in w}


class Grammar:
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
            r"(?<![\w.,/:\-])(?:" + PROCLITIC_PATTERN + ")(?P<c>"
            r"(?P<a>\d{1,2})(?P<s>[/.\-]|\s/\s)(?P<b>\d{1,2})(?P=s)(?P<y>\d{4})"
            r"|(?P<Y>\d{4})(?P<s2>[/.\-])(?P<M>\d{1,2})(?P=s2)(?P<D>\d{1,2})"
            r"|(?P<mm>\d{1,2})/(?P<yy>\d{4}))"
            rf"(?P<hs>{_HSUF})?(?P<ys>{_YSUF})?"
            r"(?!\w|[.,/:\-]\d)"
        )
        # which century: an ordinal word, a number, or a relative word (القرن الماضي)
        century = rf"القرن\s+(?:(?P<cw>{_ORD})|(?:ال)?(?P<cn>\d{{1,2}})(?!\d)|(?P<cr>{_MOD}))"
        self.decade_re = re.compile(
            _PRE
            + rf"(?P<c>(?:ال)?(?P<dw>{_alt(_DECADES)})(?:ي)?ات(?:\s+(?:من\s+)?{century})?)"
            + _E
        )
        self.century_re = re.compile(
            _PRE + rf"(?P<c>{century}(?:\s+(?P<era>{_CENTURY_ERAS}))?)" + _E
        )
        units = _alt(_REL_UNITS)
        self.relative_re = re.compile(
            _PRE + r"(?P<c>(?P<yest2>اول\s+(?:من\s+)?(?:امس|امبارح|مبارح)|(?:ال)?امس\s+الاول)"
            r"|(?P<tom2>بعد\s+(?:غد|بكره|بكرا))"
            r"|(?P<now>الان|حالا|(?:هذه|هاي|هذي)\s+اللحظه|اللحظه\s+(?:الراهنه|الحاليه))"
            r"|(?P<nowd>حاليا|الوقت\s+(?:الحالي|الراهن))"
            rf"|(?P<dayrel>اليوم\s+(?P<dmod>{_alt(_DAY_MODS)})|(?:نفس|ذات)\s+اليوم)"
            r"|(?P<today>اليوم)|(?P<tonight>الليله)"
            r"|(?P<yest>(?:ال)?امس|البارحه|امبارح|مبارح)"
            r"|(?P<tom>غدا|الغد|بكره|بكرا)"
            rf"|(?P<unit>الاسبوع|الشهر|العام|السنه)\s+(?P<mod>{_MOD})"
            r"|(?:هذا|هذه)\s+(?P<unit2>الاسبوع|الشهر|العام|السنه)"
            rf"|(?P<dir>قبل|منذ|بعد)\s+(?:(?P<n>\d{{1,3}}|{_alt(_CARDINALS)})\s+)?(?P<u>{units}))"
            + _E
        )
        self.weekday_re = re.compile(
            _PRE + rf"(?P<c>(?P<yawm>يوم\s+)?(?P<wd>{wd})(?:\s+(?P<mod>{_MOD}))?)" + _E
        )
        hourw = _alt(_HOURS)
        self.zones = load_time_zones()
        zoff = r"(?:\s*(?P<zs>[+\-])\s*(?P<zh>\d{1,2})(?::(?P<zm>[0-5]\d))?(?!\d))?"
        tz = (
            rf"(?:(?:ب|حسب\s+)?(?:ال)?توقيت\s+(?P<zn>{_alt(self.zones)}(?!\w)|(?:ال)?[^\W\d_]+"
            r"(?:\s+(?:المكرمه|المنوره|المحلي|العالمي|الصيفي|الشتوي))?)"
            r"|(?:ب|حسب\s+)?(?P<zg>غرينتش|جرينتش|غرينيتش|جرينيتش|GMT|UTC|ت\s*غ))" + zoff
        )  # fmt: skip
        minute = rf"(?:{_alt(_MINUTES)}(?:\s+و\s*{_alt(_MINUTES)})?)"
        self.time_re = re.compile(
            _PRE + r"(?P<c>(?:(?P<sa>الساعه)\s+(?:ال)?)?"
            r"(?P<h>(?<![\d:./])(?P<hd>[01]?\d|2[0-4])"
            r"(?:(?P<sep>[:.])(?P<mi>[0-5]\d)(?::(?P<se>[0-5]\d))?)?(?![\d:.])"
            rf"|(?P<hw>{hourw}))"
            r"(?P<frac>\s+(?:و\s*(?:(?P<fw>النصف|الربع|الثلث|نصف|ربع|ثلث)"
            r"|(?P<fm>\d{1,2})\s*(?:دقيقه|دقائق|د)"
            rf"|(?P<fmw>{minute})\s+(?:دقيقه|دقائق))"
            r"|الا\s+(?:(?P<fl>ربعا|ربع|ثلثا|ثلث)|(?P<fm2>\d{1,2})\s*(?:دقيقه|دقائق|د)"
            rf"|(?P<fmw2>{minute})\s+(?:دقيقه|دقائق))))?"
            rf"(?:\s*(?P<ap>(?:من\s+)?{_alt(_AP_WORDS)}|(?:من\s+|في\s+)?(?:ال)?(?:{_alt(_POD)})|ص|م)"
            r"(?![^\W\d_]))?"
            rf"(?P<tz>\s+{tz})?)" + _E
        )
        # A month or year that a part or an n-th weekday is taken of.
        yr = r"(?:\s*,?\s*(?:(?:من\s+)?(?:ال)?(?:عام|سنه)\s+)?(?P<y>[12]\d{3})(?!\d))?"
        target = (
            rf"(?:(?P<sh>شهر\s+)?(?:(?P<gm>{m})|(?P<hm>{hm}))" + yr
            + r"|شهر\s+(?P<mn>1[0-2]|0?[1-9])(?![\d/.:\-])"
            + r"|(?:(?:ال)?(?:عام|سنه)\s+)?(?P<yo>[12]\d{3})(?!\d)"
            + rf"|(?P<cu>الشهر|العام|السنه)(?:\s+(?P<mod>{_MOD}))?)"
        )  # fmt: skip
        wd_bare = _alt({w[2:] for w in self.weekdays})
        self.nth_re = re.compile(
            _PRE + rf"(?P<c>(?:(?P<o1>{_alt(_NTH_BEFORE)})\s+(?P<w1>{wd_bare})"
            rf"|(?:يوم\s+)?(?P<w2>{wd})\s+(?P<o2>{_alt(_NTH_AFTER)}))"
            rf"\s+(?:من|في)\s+{target})" + _E
        )
        self.part_re = re.compile(
            _PRE + rf"(?P<c>(?:(?P<dw>اول|اخر)\s+يوم\s+(?:من|في)\s+|(?P<pw>{_alt(_PART_WORDS)})\s+)"
            rf"{target})" + _E
        )
        # Month numbers and day/months start at their own word or digits (a leading optional day
        # or weekday would be tried at every position); what comes before is looked up after.
        self.mnum_re = re.compile(
            _PRE + r"(?P<c>(?:شهر\s+(?P<mn>1[0-2]|0?[1-9])(?![\d/.:\-])"
            rf"|الشهر\s+(?P<mo>{_alt(_MONTH_ORDINALS)})"
            rf"|(?P<cm>الشهر\s+(?P<mod>{_MOD})|هذا\s+الشهر))" + yr + ")" + _E
        )
        self.day_before_re = re.compile(rf"(?<!\w)(?P<d1>{day})\s+(?:من\s+)?$")
        self.dm_re = re.compile(
            r"(?<![\w.,/:\-])(?:" + PROCLITIC_PATTERN + r")"
            r"(?P<c>(?P<a>[0-3]?\d)(?P<s>[/\-])(?P<b>[01]?\d))(?![\w%]|[.,/:\-]\d)"
        )
        self.wd_before_re = re.compile(rf"(?<!\w)(?:يوم\s+)?(?P<wd>{wd})\s*,?\s*$")
        self.triggers = _trigger_words(self.greg, self.hijri, self.weekdays)
        self.pod_re = re.compile(
            _PRE
            + rf"(?P<c>(?P<p>{_alt(_POD)})|(?P<adv>{_alt(_POD_ADV.keys() | _AP_PHRASES)}))"
            + _E
        )
