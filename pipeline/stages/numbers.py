"""Amounts: NUMBER, ORDINAL, MONEY, PERCENT and QUANTITY mentions with machine values.

Why this shape: amounts are sparse (a few per article) but every character must be looked at, so
one precompiled regex pass over `doc.norm` finds candidate starts (a digit run or a number word,
proclitics allowed) and only those get Python work: a short local lexer, the number-word parser in
`pipeline.numwords`, then anchored regexes for what follows (currency, unit, percent, a range) or
precedes (a currency symbol, a word that makes the number a year, an article, a phone number).

Conventions (see docs/numbers.md):
- `value` is int when whole, float otherwise; a range is the string "low/high" (TIMEX-like).
- MONEY `unit` is ISO 4217; PERCENT `unit` is "%"; QUANTITY `unit` is an SI/English symbol.
- A span never includes a proclitic (وخمسة → خمسة) nor the من/بين of a range.
- Candidates overlapping any mention already on the document (DATE/TIME from the dates stage, or
  a name from NER) are skipped: the number belongs to that mention.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import regex

from pipeline.arabic.normalize import normalize_text
from pipeline.document import Document
from pipeline.numwords import (
    CARDINALS,
    ORDINALS,
    PROCLITICS,
    Parsed,
    lookup,
    parse_cardinal,
    parse_ordinal,
    to_plain,
)

__all__ = ["NumberStage", "Amount", "find_amounts", "trie_pattern", "CurrencyTables"]

_V = regex.V1


def _n(text: str) -> str:
    return normalize_text(text)[0]


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of literal words as a trie, longest match preferred.

    Why: a flat alternation of a few hundred words is tried word by word at every position; a
    trie shares prefixes, so a failing position costs one character test.
    """
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [regex.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        end = "" in node
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if end else body

    return emit(trie)


# ---------------------------------------------------------------------------------------------
# Word lists (written as in news, normalized when the tables are built).

_MONTHS = (
    "يناير فبراير مارس أبريل إبريل ابريل مايو يونيو يونيه يوليو يوليه أغسطس اغسطس سبتمبر أكتوبر "
    "اكتوبر نوفمبر ديسمبر كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين جانفي فيفري أفريل "
    "ماي جوان جويلية يوليوز غشت أوت شتنبر نونبر دجنبر محرم ربيع جمادى رجب شعبان رمضان شوال ذو ذي"
)
# Words before a number that make it something other than an amount.
_YEAR_WORDS = "عام العام سنة السنة منذ"
_LAW_WORDS = (
    "المادة مادة المواد البند بند الفقرة فقرة رقم برقم الرقم الفصل الآية آية القرار قرار القانون "
    "المرسوم مرسوم الأمر الدائرة الإصدار"
)
_PHONE_WORDS = "هاتف الهاتف جوال الجوال تلفون التلفون فاكس الفاكس واتساب واتس"
_TIME_WORDS = "الساعة ساعة"
_TIME_AFTER = "صباحا مساء ظهرا فجرا عصرا ليلا"
# Era markers after a year: 1435 هـ, 2014 م, 1990 ميلادي.
_ERA_AFTER = "هـ ه م هجري هجرية ميلادي ميلادية"
_ORD_BEFORE_SKIP = "القرن كانون تشرين ربيع جمادى المادة الفقرة البند"
_GROUP_WORDS = "مجموعة"
# "About" words: a 4-digit number after them is a count (نحو 2000 شخص), not a year.
_APPROX_WORDS = "نحو حوالي حوالى قرابة زهاء"

# Units: surface forms (normalized at build) → unit symbol. Longer forms win over their prefixes.
_UNITS: dict[str, tuple[str, ...]] = {
    "km2": ("كيلومتر مربع", "كيلومترا مربعا", "كيلومترات مربعة", "كم مربع", "كم2", "كلم مربع"),
    "m2": ("متر مربع", "مترا مربعا", "أمتار مربعة", "م2"),
    "m3": ("متر مكعب", "مترا مكعبا", "أمتار مكعبة", "م3"),
    "km/h": ("كيلومتر في الساعة", "كيلومترا في الساعة", "كم في الساعة", "كم/س", "كلم/س"),
    "km": ("كيلومتر", "كيلومترا", "كيلومترات", "كيلومتران", "كيلومترين", "كم", "كلم", "km"),
    "m": ("متر", "مترا", "أمتار", "متران", "مترين"),
    "cm": ("سنتيمتر", "سنتيمترا", "سنتيمترات", "سنتيمتر", "سم", "cm"),
    "mm": ("مليمتر", "مليمترا", "مليمترات", "ملليمتر", "ملم", "مم", "mm"),
    "mi": ("ميل", "ميلا", "أميال", "ميلين"),
    "ft": ("قدم", "قدما", "أقدام"),
    "t": ("طن", "طنا", "أطنان", "طنان", "طنين"),
    "kg": (
        "كيلوغرام",
        "كيلوغراما",
        "كيلوغرامات",
        "كيلوجرام",
        "كيلوجراما",
        "كيلوجرامات",
        "كيلو",
        "كغ",
        "كلغ",
        "كجم",
        "kg",
    ),
    "g": ("غرام", "غراما", "غرامات", "جرام", "جراما", "جرامات", "غم", "جم"),
    "mg": ("مليغرام", "ملليغرام", "مليجرام", "ملليجرام", "ملغ", "مجم"),
    "barrel": ("برميل", "برميلا", "براميل", "برميلين", "برميلان"),
    "MW": ("ميغاواط", "ميجاواط", "ميغاوات", "ميجاوات", "ميغا واط", "ميجا وات", "MW"),
    "GW": ("غيغاواط", "جيجاواط", "غيغاوات", "جيجاوات", "GW"),
    "kW": ("كيلوواط", "كيلووات", "kW"),
    "kWh": ("كيلوواط ساعة", "كيلووات ساعة", "كيلوواط/ساعة", "kWh"),
    "MWh": ("ميغاواط ساعة", "ميجاوات ساعة", "ميغاواط/ساعة", "MWh"),
    "ha": ("هكتار", "هكتارا", "هكتارات", "هكتارين"),
    "dunam": ("دونم", "دونما", "دونمات"),
    "feddan": ("فدان", "فدانا", "أفدنة", "فدادين"),
    "L": ("لتر", "لترا", "لترات", "ليتر", "ليترا", "ليترات", "لترين"),
    "mL": ("مليلتر", "ملليلتر", "مل"),
    "°C": ("درجة مئوية", "درجات مئوية", "درجة مئويه", "درجة سيليزية", "درجة سلسيوس"),
    "°F": ("درجة فهرنهايت", "درجات فهرنهايت"),
    "degree": ("درجة", "درجات"),
    "MB": ("ميغابايت", "ميجابايت"),
    "GB": ("غيغابايت", "جيجابايت", "جيغابايت"),
    "TB": ("تيرابايت",),
    "point": ("نقطة", "نقاط", "نقطتين", "نقطتان"),
}

# Currencies: hand-written news forms (all numbers/cases) of the common nouns; CLDR adds the rest.
_CURRENCY_FORMS: dict[str, tuple[str, ...]] = {
    "دولار": ("دولار", "دولارا", "دولاران", "دولارين", "دولارات", "الدولارات"),
    "يورو": ("يورو", "اليوروهات"),
    "جنيه": ("جنيه", "جنيها", "جنيهان", "جنيهين", "جنيهات", "الجنيهات"),
    "ريال": ("ريال", "ريالا", "ريالان", "ريالين", "ريالات", "الريالات"),
    "دينار": ("دينار", "دينارا", "ديناران", "دينارين", "دنانير", "الدنانير"),
    "درهم": ("درهم", "درهما", "درهمان", "درهمين", "دراهم", "الدراهم"),
    "ليرة": ("ليرة", "ليرتان", "ليرتين", "ليرات", "الليرات"),
    "ين": ("ين",),
    "يوان": ("يوان", "يوانات"),
    "روبل": ("روبل", "روبلا", "روبلات"),
    "فرنك": ("فرنك", "فرنكا", "فرنكات"),
    "روبية": ("روبية", "روبيات"),
    "شيكل": ("شيكل", "شيكلا", "شيكلات", "شواكل"),
    "بيزو": ("بيزو", "بيزوات"),
    "كرونة": ("كرونة", "كرونات"),
    "أوقية": ("أوقية",),
}
# The currency a bare noun means when no adjective or country in the sentence says otherwise.
_CURRENCY_DEFAULT = {
    "دولار": "USD",
    "يورو": "EUR",
    "جنيه": "EGP",
    "ريال": "SAR",
    "دينار": "KWD",
    "درهم": "AED",
    "ليرة": "TRY",
    "ين": "JPY",
    "يوان": "CNY",
    "روبل": "RUB",
    "فرنك": "CHF",
    "روبية": "INR",
    "شيكل": "ILS",
    "بيزو": "MXN",
    "كرونة": "SEK",
    "أوقية": "MRU",
}
# Nouns whose currency is decided by a country mentioned nearby (دولار is USD unless qualified).
_AMBIGUOUS = ("جنيه", "ريال", "دينار", "درهم", "ليرة", "فرنك", "روبية", "كرونة", "بيزو")
_EXTRA_ADJ = {
    ("دولار", "أمريكي"): "USD",
    ("دولار", "أميركي"): "USD",
    ("جنيه", "إسترليني"): "GBP",
    ("جنيه", "استرليني"): "GBP",
    ("جنيه", "بريطاني"): "GBP",
    ("درهم", "إماراتي"): "AED",
    ("ريال", "إيراني"): "IRR",
    ("ليرة", "تركي"): "TRY",
    ("ليرة", "سوري"): "SYP",
    ("ليرة", "لبناني"): "LBP",
    ("روبية", "هندي"): "INR",
    ("روبية", "باكستاني"): "PKR",
    ("يوان", "صيني"): "CNY",
    ("ين", "ياباني"): "JPY",
}
# Country words (beyond CLDR's official names) that pick a currency for an ambiguous noun.
_COUNTRY_ALIASES = {
    "السعودية": "SAR",
    "المملكة": "SAR",
    "الرياض": "SAR",
    "جدة": "SAR",
    "قطر": "QAR",
    "الدوحة": "QAR",
    "سلطنة عمان": "OMR",
    "مسقط": "OMR",
    "اليمن": "YER",
    "إيران": "IRR",
    "مصر": "EGP",
    "القاهرة": "EGP",
    "السودان": "SDG",
    "بريطانيا": "GBP",
    "لندن": "GBP",
    "الكويت": "KWD",
    "الأردن": "JOD",
    "عمان الأردنية": "JOD",
    "العراق": "IQD",
    "بغداد": "IQD",
    "البحرين": "BHD",
    "ليبيا": "LYD",
    "طرابلس": "LYD",
    "تونس": "TND",
    "الجزائر": "DZD",
    "الإمارات": "AED",
    "دبي": "AED",
    "أبوظبي": "AED",
    "أبو ظبي": "AED",
    "المغرب": "MAD",
    "الرباط": "MAD",
    "لبنان": "LBP",
    "بيروت": "LBP",
    "سوريا": "SYP",
    "سورية": "SYP",
    "دمشق": "SYP",
    "تركيا": "TRY",
    "أنقرة": "TRY",
    "إسطنبول": "TRY",
    "سويسرا": "CHF",
    "الهند": "INR",
    "باكستان": "PKR",
}
# CLDR currency nouns that are common words first (ذهب "went"/gold, ليون, بير "well").
_NOT_NOUNS = frozenset(
    _n(w) for w in "ذهب بير سول بولا كيب ليون كولن فاتو تالا ليك لوتي كينا قرطبة مارك".split()
)
# Names that are not money even after a number (ريال مدريد).
_NOT_CURRENCY_AFTER = "مدريد سوسيداد بيتيس مايوركا سرقسطة بلد"
_SYMBOLS_BEFORE = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_SYMBOLS_AFTER = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
# CLDR's Arabic abbreviations, in priority order where two normalize alike (د.إ AED / د.أ JOD).
_ABBR_ORDER = "AED SAR EGP KWD QAR BHD OMR LBP SYP TND DZD MAD IQD LYD YER SDG JOD".split()


def _adj_key(word: str) -> str:
    """Reduce a normalized nisba adjective to its masculine singular: السعوديه → سعودي."""
    w = word[2:] if word.startswith("ال") and len(word) > 4 else word
    for suf in ("يتان", "يتين", "يان", "يين", "يون", "يات", "يه", "يا"):
        if w.endswith(suf) and len(w) > len(suf) + 1:
            return w[: -len(suf)] + "ي"
    return w


@dataclass(slots=True)
class CurrencyTables:
    """Everything needed to turn a currency word, adjective or symbol into an ISO code."""

    noun_of_form: dict[str, str]
    adj: dict[tuple[str, str], str]
    default: dict[str, str]
    context: dict[str, tuple[regex.Pattern, dict[str, str]]]
    symbol_after: dict[str, str]
    symbol_before: dict[str, str]
    iso: frozenset[str]


def _current_codes() -> set[str]:
    from babel import Locale
    from babel.numbers import get_territory_currencies

    out: set[str] = set()
    for terr in Locale("en").territories:
        if terr.isalpha() and len(terr) == 2:
            out.update(get_territory_currencies(terr))
    return out


@functools.lru_cache(maxsize=1)
def build_currency_tables() -> CurrencyTables:
    """Currency tables from CLDR (via Babel) plus the news forms CLDR lacks. Built once."""
    from babel import Locale
    from babel.numbers import get_territory_currencies

    ar = Locale("ar")
    current = _current_codes()
    noun_of_form: dict[str, str] = {}
    for noun, forms in _CURRENCY_FORMS.items():
        for f in forms:
            noun_of_form[_n(f)] = _n(noun)
    adj: dict[tuple[str, str], str] = {}
    default = {_n(k): v for k, v in _CURRENCY_DEFAULT.items()}
    codes_by_noun: dict[str, list[str]] = {}
    for code, name in sorted(ar.currencies.items(), key=lambda kv: (kv[0] not in current, kv[0])):
        words = _n(name).split()
        if not words or "-" in name or "(" in name:
            continue
        noun = words[0]
        if noun.startswith("ال"):
            continue
        codes_by_noun.setdefault(noun, []).append(code)
        if len(words) == 2:
            adj.setdefault((noun, _adj_key(words[1])), code)
        elif len(words) > 2:
            adj.setdefault((noun, " ".join(words[1:])), code)
        if code in current and noun not in noun_of_form:
            noun_of_form[noun] = noun
    for (noun, a), code in _EXTRA_ADJ.items():
        adj[(_n(noun), _adj_key(_n(a)))] = code
    for noun, codes in codes_by_noun.items():
        cur = [c for c in codes if c in current]
        if noun not in default and len(cur) == 1:
            default[noun] = cur[0]
    noun_of_form = {
        f: nn for f, nn in noun_of_form.items() if nn in default and nn not in _NOT_NOUNS
    }
    # Country words per ambiguous noun: CLDR territory names whose currency has that noun, the
    # aliases above, and the adjectives themselves (البنك المركزي المصري).
    code_noun = {c: n for n, cs in codes_by_noun.items() for c in cs}
    for noun, code in _CURRENCY_DEFAULT.items():
        code_noun.setdefault(code, _n(noun))
    context: dict[str, tuple[regex.Pattern, dict[str, str]]] = {}
    for noun in map(_n, _AMBIGUOUS):
        words: dict[str, str] = {}
        for terr, tname in ar.territories.items():
            if not (terr.isalpha() and len(terr) == 2):
                continue
            cur = get_territory_currencies(terr)
            if cur and code_noun.get(cur[0]) == noun:
                words.setdefault(_n(tname), cur[0])
        for w, c in _COUNTRY_ALIASES.items():
            if code_noun.get(c) == noun:
                words[_n(w)] = c
        stems: dict[str, str] = {}
        for (nn, a), c in adj.items():
            if nn == noun and " " not in a and c in current:
                stems.setdefault(a, c)
        pat = (
            r"(?<![\p{L}])(?:[وبلف]?(?P<w>"
            + trie_pattern(words)
            + r")|(?:[وبلف]?(?:ال)?)?(?P<a>"
            + trie_pattern(stems)
            + r")(?:ه|ين|ون|ان)?)(?![\p{L}])"
        )
        context[noun] = (regex.compile(pat, _V), {**words, **stems})
    symbol_after = dict(_SYMBOLS_AFTER)
    for code in _ABBR_ORDER:
        sym = ar.currency_symbols.get(code, "")
        s = _n(sym).rstrip(".").strip()
        if s and s not in symbol_after and "." in s:
            symbol_after[s] = code
    iso = frozenset(c for c in ar.currencies if c.isalpha() and c.isupper() and len(c) == 3)
    return CurrencyTables(
        noun_of_form, adj, default, context, symbol_after, dict(_SYMBOLS_BEFORE), iso
    )


# ---------------------------------------------------------------------------------------------
# Compiled patterns.


def _wordset(text: str) -> frozenset[str]:
    return frozenset(_n(w) for w in text.split())


def _with_clitics(words: Iterable[str]) -> set[str]:
    out = set()
    for w in words:
        out.add(w)
        for p in PROCLITICS:
            out.add(p + w)
            if w.startswith("ال") and p.endswith("ل"):
                out.add(p + w[1:])
    return out


_MONTH_SET = _wordset(_MONTHS) | {
    m.lower()
    for m in (
        "January February March April May June July August September October November December "
        "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
    ).split()
}
_YEAR_SET = _with_clitics(_wordset(_YEAR_WORDS))
_LAW_SET = _with_clitics(_wordset(_LAW_WORDS))
_PHONE_SET = _with_clitics(_wordset(_PHONE_WORDS))
_TIME_SET = _with_clitics(_wordset(_TIME_WORDS))
_TIME_AFTER_SET = _wordset(_TIME_AFTER)
_ERA_SET = _wordset(_ERA_AFTER)
_ORD_SKIP_SET = _with_clitics(_wordset(_ORD_BEFORE_SKIP))
_GROUP_SET = _with_clitics(_wordset(_GROUP_WORDS))
_APPROX_SET = _with_clitics(_wordset(_APPROX_WORDS))
_NOT_CUR_SET = _wordset(_NOT_CURRENCY_AFTER)
_MIN = _n("من")
_BETWEEN = {_n("بين"), _n("مابين")}
_RANGE_TO = {_n("إلى"), _n("حتى")}
_AND = "و"
_AL_UNITS = {
    "ال" + w: e
    for w, e in CARDINALS.items()
    if e.kind == "unit" and 3 <= e.value <= 10 and not e.form
}

_NUMBER_WORDS = set(CARDINALS) | set(ORDINALS) | set(_AL_UNITS)
_NUMBER_WORDS |= {w[1:] for w in _NUMBER_WORDS if w.startswith("ال")}  # لل + X = ل + الX
_CAND = regex.compile(
    r"(?<![\d.])\d|(?<![\p{L}\p{M}])[وفبلك]{0,2}(?:"
    + trie_pattern(_NUMBER_WORDS)
    + r")(?![\p{L}\p{M}])",
    _V,
)
_SCALE_FORMS = trie_pattern(w for w, e in CARDINALS.items() if e.kind == "scale")
_PCT_WORDS = trie_pattern(map(_n, ("مئة", "مائة", "مية", "ماية")))
# Token kinds: 1 = comma decimal (1,2 مليون, 15,7%: a comma before a scale or percent is a
# decimal comma, as Maghrebi outlets write), 2 = digits, 3 = letters, 4 = any other mark.
_LEX = regex.compile(
    r"[ \t]*(?:(\d+,\d{1,3}(?=[ \t]?(?:%|(?:"
    + _SCALE_FORMS
    + r")(?![\p{L}])|(?:بال|في[ \t]+ال)(?:"
    + _PCT_WORDS
    + r")(?![\p{L}]))))"
    r"|(\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d]|,\d)|\d+(?:\.\d+)?)|([\p{L}\p{M}]+)|(\S))",
    _V,
)
_PERCENT = regex.compile(
    r"[ \t]?%|[ \t]+(?:بال|في[ \t]+ال)(?:"
    + trie_pattern(map(_n, ("مئة", "مائة", "مية", "ماية")))
    + r")(?![\p{L}])",
    _V,
)
_UNIT_OF: dict[str, str] = {}
for _unit, _forms in _UNITS.items():
    for _f in _forms:
        _UNIT_OF.setdefault(_n(_f), _unit)
_UNIT_AFTER = regex.compile(r"[ \t]*(?P<u>" + trie_pattern(_UNIT_OF) + r")(?![\p{L}\p{M}\d])", _V)
_THIN_SPACES = "\u2009\u202f\u00a0\u2007\u2008\u200a"


@dataclass(slots=True)
class Amount:
    """An amount found on `norm`: [start, end) in norm offsets."""

    type: str
    start: int
    end: int
    value: int | float | str
    unit: str = ""
    score: float = 1.0

    @property
    def normalized(self) -> str:
        if self.type == "PERCENT":
            return f"{self.value}%"
        return f"{self.value} {self.unit}".strip()


@dataclass(slots=True)
class _Tok:
    text: str
    start: int
    end: int


def _lex(norm: str, raw_at: object, pos: int, limit: int = 10) -> list[_Tok]:
    """Up to `limit` tokens from pos within the line (and ~90 characters).

    Digit groups separated by thin or no-break spaces in the raw text (1 200 000) are one token.
    """
    toks: list[_Tok] = []
    n = len(norm)
    stop = norm.find("\n", pos, pos + 90)
    if stop < 0:
        stop = min(n, pos + 90)
    skip_to = pos
    for m in _LEX.finditer(norm, pos, stop):
        kind = m.lastindex or 0
        a, b = m.span(kind)
        if a < skip_to:
            continue
        text = m.group(kind)
        if kind == 1:
            text = text.replace(",", ".")
        elif kind == 2 and b - a <= 3 and b < n and norm[b] == " " and raw_at(b) in _THIN_SPACES:
            while (
                b + 4 <= n
                and norm[b] == " "
                and norm[b + 1 : b + 4].isdigit()
                and not norm[b + 4 : b + 5].isdigit()
                and raw_at(b) in _THIN_SPACES
            ):
                text += norm[b + 1 : b + 4]
                b += 4
            skip_to = b
        toks.append(_Tok(text, a, b))
        if len(toks) >= limit:
            break
    return toks


def _prev_word(norm: str, pos: int) -> str:
    """The letters word just before pos (spaces, "/", "(" and "-" may sit in between)."""
    k = pos
    lo = max(0, pos - 40)
    while k > lo and norm[k - 1] in " \t/(-":
        k -= 1
    e = k
    while k > lo and norm[k - 1].isalpha():
        k -= 1
    return norm[k:e]


def _is_date_ahead(texts: list[str], i: int) -> bool:
    """True when a month name follows (9 أغسطس, 10 من أغسطس, التاسع والعاشر من أغسطس)."""
    j = i
    for _ in range(3):
        if j >= len(texts):
            return False
        t = texts[j]
        if t in _MONTH_SET or t.lower() in _MONTH_SET or (t[:1] in "وبل" and t[1:] in _MONTH_SET):
            return True
        if t == _MIN or t == _n("شهر"):
            j += 1
            continue
        if t in ("و", "-", "/") or t in _RANGE_TO:
            j += 1
            continue
        if (t.isdigit() and len(t) <= 2) or lookup(t)[1] is not None or parse_ordinal([t]):
            j += 1
            continue
        return False
    return False


def _currency_after(
    norm: str, texts: list[str], toks: list[_Tok], i: int, tables: CurrencyTables
) -> tuple[str, int] | None:
    """(ISO code, norm end) of a currency at token i (optionally "من" first), else None."""
    if i >= len(texts):
        return None
    j = i
    t = texts[j]
    # Symbols: lexed as single punctuation tokens or letter groups; test on the text itself.
    rest = norm[toks[i].start : toks[i].start + 4]
    for sym in sorted(tables.symbol_after, key=len, reverse=True):
        if rest.startswith(sym):
            return tables.symbol_after[sym], toks[i].start + len(sym)
    if t in tables.iso and norm[toks[i].start : toks[i].end].isupper():
        return t, toks[i].end
    if t == _MIN and j + 1 < len(texts):
        j += 1
        t = texts[j]
        if not t.startswith("ال"):
            return None
    noun = tables.noun_of_form.get(t)
    if noun is None:
        return None
    end = toks[j].end
    nxt = texts[j + 1] if j + 1 < len(texts) else ""
    if nxt in _NOT_CUR_SET:
        return None
    if nxt:
        code = tables.adj.get((noun, _adj_key(nxt)))
        if code is None and j + 2 < len(texts):
            code = tables.adj.get((noun, nxt + " " + texts[j + 2]))
            if code is not None:
                return code, toks[j + 2].end
        if code is not None:
            return code, toks[j + 1].end
    if noun in tables.context:
        code = _context_currency(norm, toks[j].start, noun, tables)
        if code:
            return code, end
    return tables.default[noun], end


def _context_currency(norm: str, pos: int, noun: str, tables: CurrencyTables) -> str:
    """The currency of the country named nearest to pos in the same sentence, or ""."""
    pat, codes = tables.context[noun]
    lo = max(0, pos - 300)
    hi = min(len(norm), pos + 300)
    for sep in (".\n", "\n"):
        k = norm.rfind(sep[-1], lo, pos)
        if k >= 0:
            lo = k + 1
        k = norm.find(sep[-1], pos, hi)
        if k >= 0:
            hi = k
    best, dist = "", 10**9
    for m in pat.finditer(norm, lo, hi):
        key = m.group("w") or _adj_key(m.group("a") or "")
        code = codes.get(key) or codes.get(m.group("a") or "")
        d = abs(m.start() - pos)
        if code and d < dist:
            best, dist = code, d
    return best


def _suffix(
    norm: str, texts: list[str], toks: list[_Tok], i: int, end: int, tables: CurrencyTables
) -> tuple[str, str, int] | None:
    """(type, unit, new end) for what follows a number ending at token i / norm offset end."""
    m = _PERCENT.match(norm, end)
    if m:
        return "PERCENT", "%", m.end()
    cur = _currency_after(norm, texts, toks, i, tables)
    if cur:
        return "MONEY", cur[0], cur[1]
    m = _UNIT_AFTER.match(norm, end)
    if m:
        return "QUANTITY", _UNIT_OF[m.group("u")], m.end()
    return None


def find_amounts(
    norm: str,
    tables: CurrencyTables,
    raw_at: object = lambda pos: " ",
    blocked: object = lambda a, b: False,
) -> list[Amount]:
    """All amounts in a normalized text.

    raw_at(norm_pos) gives the raw character behind a norm position (to recognise thin-space
    digit groups); blocked(nstart, nend) says a span belongs to an existing mention.
    """
    out: list[Amount] = []
    done = 0
    for cm in _CAND.finditer(norm):
        s = cm.start()
        if s < done:
            continue
        is_digit = norm[s].isdigit()
        sign = ""
        ordinal_digits = False
        if is_digit:
            # Letters glued before a digit: a proclitic (ب5) is fine, a name (F16, كوفيد-19) not.
            k = s
            while k > 0 and (norm[k - 1].isalpha()):
                k -= 1
            prefix = norm[k:s]
            if k > 0 and norm[k - 1] == "-" and k - 1 > 0 and norm[k - 2].isalnum():
                done = _skip_compound(norm, s)
                continue
            if prefix:
                if prefix in ("ال", "وال", "بال", "لل"):
                    ordinal_digits = True
                elif prefix not in PROCLITICS:
                    done = _skip_compound(norm, s)
                    continue
            elif s > 0 and norm[s - 1] in "-+" and (s == 1 or norm[s - 2] in " \t\n(\"'"):
                sign = norm[s - 1]
            elif s > 0 and norm[s - 1] in "/:":
                done = _skip_compound(norm, s)
                continue
            elif _prev_word(norm, s) == "ال":
                ordinal_digits = True
        toks = _lex(norm, raw_at, s)
        if not toks:
            continue
        texts = [t.text for t in toks]
        if is_digit and len(toks) > 1 and toks[1].start == toks[0].end and texts[1] in ":/":
            done = _skip_compound(norm, s)
            continue
        found = _amount_at(norm, texts, toks, s, sign, ordinal_digits, tables)
        if found is None:
            continue
        amount, consumed = found
        done = max(done, consumed)
        if amount is None or blocked(amount.start, amount.end):
            continue
        out.append(amount)
    return out


_COMPOUND = regex.compile(r"[\w.:/\-]*", _V)


def _skip_compound(norm: str, s: int) -> int:
    """End of a digit compound like 2024-08-09, 10:30, 9/8/2024, F-16 (never an amount)."""
    m = _COMPOUND.match(norm, s)
    return m.end() if m else s + 1


def _amount_at(
    norm: str,
    texts: list[str],
    toks: list[_Tok],
    s: int,
    sign: str,
    ordinal_digits: bool,
    tables: CurrencyTables,
) -> tuple[Amount | None, int] | None:
    """The amount starting at the first token, and how far the scan may skip."""
    first = texts[0]
    prev = _prev_word(norm, s - len(sign))
    # Ordinals (word forms).
    if not first[0].isdigit():
        po = parse_ordinal(texts, 0)
        if po is not None:
            end = toks[po.end - 1].end
            if prev in _ORD_SKIP_SET or prev in _TIME_SET or _is_date_ahead(texts, po.end):
                return None, end
            if po.end < len(texts) and texts[po.end] in _TIME_AFTER_SET:
                return None, end
            score = 0.6 if ORDINALS.get(texts[0], (0, ""))[1] == "bare" else 0.9
            if ORDINALS.get(texts[0], (0, ""))[1] == "ten" and po.end == 1:
                score = 0.5
            if prev in _GROUP_SET:
                return None, end
            return Amount(
                "ORDINAL", toks[0].start + po.clitic, end, to_plain(po.value), "", score
            ), end
        al = _al_cardinal(first)
        if al is not None:
            k, value = al
            end = toks[0].end
            if _is_date_ahead(texts, 1) or prev in _GROUP_SET:
                return None, end
            return Amount("NUMBER", toks[0].start + k, end, value, "", 0.7), end
        if _ST_CLITIC.fullmatch(first):
            return None, toks[0].end
    if ordinal_digits:
        t = texts[0]
        if t.isdigit() and len(t) <= 3:
            return Amount("ORDINAL", toks[0].start, toks[0].end, int(t), "", 0.8), toks[0].end
        return None, toks[0].end
    p = parse_cardinal(texts, 0)
    if p is None:
        return None
    start = toks[0].start + p.clitic - len(sign)
    end = toks[p.end - 1].end
    if first[0] == "0" and first[1:2].isdigit():
        return None, end  # 05, 000: a code, a phone or a digit group, never an amount
    value = -p.value if sign == "-" else p.value
    # A currency symbol or ISO code just before the number.
    before = _currency_before(norm, start, tables)
    suffix = _suffix(norm, texts, toks, p.end, end, tables)
    if suffix is None and before is not None:
        code, bstart = before
        return Amount("MONEY", bstart, end, to_plain(value), code), end
    if suffix is None and _percent_before(norm, start):
        return Amount("PERCENT", start - 1, end, to_plain(value), "%"), end
    if suffix is not None:
        typ, unit, send = suffix
        if prev in _LAW_SET and not p.words:
            return None, send
        return Amount(typ, start, send, to_plain(value), unit), send
    # Ranges: 10-20, من 10 إلى 20, بين 10 و20 (the first number has no unit of its own).
    rng = _range(norm, texts, toks, p, value, prev, tables)
    if rng is not None:
        return rng[0], rng[1]
    # Bare numbers.
    if _is_date_ahead(texts, p.end) or prev in _MONTH_SET or prev.lower() in _MONTH_SET:
        return None, end
    if p.end < len(texts) and texts[p.end] in _ERA_SET and not p.words:
        return None, end
    if p.end < len(texts) and texts[p.end] in _TIME_AFTER_SET:
        return None, end
    if prev in _LAW_SET or prev in _PHONE_SET or prev in _TIME_SET or prev in _GROUP_SET:
        return None, end
    if not p.words:
        digits = first
        if prev in _YEAR_SET:
            return None, end
        year_like = digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2100
        if year_like and prev not in _APPROX_SET:
            return None, end
        if digits.isdigit() and (len(digits) >= 7 or (digits[0] == "0" and len(digits) >= 5)):
            return None, end
        if sign == "+" and digits.isdigit() and len(digits) >= 6:
            return None, end
    if p.value == 0 and texts[0] == _n("صفر") and (prev == _n("شهر") or prev[:1].isdigit()):
        return None, end
    score = 0.9 if p.words else 0.85
    return Amount("NUMBER", start, end, to_plain(value), "", score), end


_ST_CLITIC = regex.compile(r"[وفبلك]{1,2}" + _n("ست"), _V)


def _al_cardinal(word: str) -> tuple[int, int] | None:
    """(clitic length, value) for an article + cardinal unit (الخمس, والثلاثة)."""
    if word in _AL_UNITS:
        return 0, int(_AL_UNITS[word].value)
    for p in PROCLITICS:
        if word.startswith(p):
            rest = word[len(p) :]
            if rest in _AL_UNITS:
                return len(p), int(_AL_UNITS[rest].value)
            if p.endswith("ل") and ("ا" + rest) in _AL_UNITS:
                return len(p), int(_AL_UNITS["ا" + rest].value)
    return None


_BEFORE = regex.compile(r"(?:(?P<sym>US\$|\$|€|£|¥)|(?<![A-Za-z])(?P<iso>[A-Z]{3}))[ \t]?$", _V)


def _percent_before(norm: str, start: int) -> bool:
    """%5 (a percent sign typed before the number, common in right-to-left text)."""
    return start > 0 and norm[start - 1] == "%" and (start == 1 or not norm[start - 2].isalnum())


def _currency_before(norm: str, start: int, tables: CurrencyTables) -> tuple[str, int] | None:
    m = _BEFORE.search(norm, max(0, start - 5), start)
    if not m:
        return None
    if m.group("sym"):
        return tables.symbol_before[m.group("sym")], m.start()
    if m.group("iso") in tables.iso:
        return m.group("iso"), m.start()
    return None


def _range(
    norm: str,
    texts: list[str],
    toks: list[_Tok],
    p: Parsed,
    value: Decimal,
    prev: str,
    tables: CurrencyTables,
) -> tuple[Amount | None, int] | None:
    """A range starting with the number p (already known to carry no unit)."""
    i = p.end
    if i >= len(texts):
        return None
    t = texts[i]
    j: int | None = None
    patched = texts
    if t == "-" or t in _RANGE_TO:
        j = i + 1
    elif prev in _BETWEEN and t == _AND:
        j = i + 1
    elif prev in _BETWEEN and t.startswith(_AND) and lookup(t[1:])[1] is not None:
        patched = texts[:i] + [t[1:]] + texts[i + 1 :]
        j = i
    if j is None or j >= len(texts):
        return None
    q = parse_cardinal(patched, j)
    if q is None:
        return None
    q_end = toks[q.end - 1].end
    low, high = value, q.value
    if p.scale == 1 and q.scale > 1 and low <= q.multiplier:
        low = low * q.scale
    if t == "-":
        # 3-1 is a score, 2024-08-09 a date: neither is a range.
        if q.end < len(texts) and texts[q.end] == "-" and toks[q.end].start == q_end:
            return None, _skip_compound(norm, toks[0].start)
        if high <= low:
            return None, q_end
    elif high <= low:
        return None
    if _is_date_ahead(patched, q.end):
        return None, q_end
    suffix = _suffix(norm, patched, toks, q.end, q_end, tables)
    typ, unit, end = ("NUMBER", "", q_end) if suffix is None else suffix
    if typ == "NUMBER" and not (p.words or q.words):
        a, b = patched[0], patched[j]
        if a.isdigit() and b.isdigit() and len(a) == 4 and len(b) in (2, 4):
            return None, q_end  # 2019-2020 or 2019-20: years, the dates stage's business
    rng = f"{to_plain(low)}/{to_plain(high)}"
    return Amount(typ, toks[0].start + p.clitic, end, rng, unit), end


class NumberStage:
    """Pipeline stage: NUMBER, ORDINAL, MONEY, PERCENT and QUANTITY mentions (source "numbers")."""

    name = "numbers"
    requires: tuple[str, ...] = ("norm", "tokens")
    provides: tuple[str, ...] = ("amounts",)

    def __init__(self) -> None:
        self.tables = build_currency_tables()

    def __call__(self, doc: Document) -> Document:
        existing = [(m.start, m.end) for m in doc.mentions]
        raw = doc.raw
        to_raw = doc.to_raw

        def raw_at(pos: int) -> str:
            r = doc.to_raw_pos(pos)
            return raw[r] if r < len(raw) else ""

        def blocked(a: int, b: int) -> bool:
            if not existing:
                return False
            ra, rb = to_raw(a, b)
            return any(s < rb and ra < e for s, e in existing)

        for a in find_amounts(doc.norm, self.tables, raw_at, blocked):
            doc.add_mention(
                a.type,
                a.start,
                a.end,
                normalized=a.normalized,
                value=a.value,
                unit=a.unit,
                source="numbers",
                score=a.score,
            )
        return doc
