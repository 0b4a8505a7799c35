"""Currencies in Arabic news: the news forms of the common currency nouns, the default currency of
each noun, adjectives and country words that pick one, symbols; with CLDR (via Babel) for the rest.
`build_currency_tables()` builds them once."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from pipeline.arabic.normalize import norm_word as _n
from pipeline.lexicons import load_rows
from pipeline.trie import trie_pattern

__all__ = ["CurrencyTables", "build_currency_tables", "adj_key", "NOT_CURRENCY_AFTER"]

_V = regex.V1


# Currencies: hand-written news forms (all numbers/cases) of the common nouns; CLDR adds the rest.
_CURRENCY_FORMS: dict[str, tuple[str, ...]] = {
    "دولار": ("دولار", "دولارا", "دولاران", "دولارين", "دولارات", "الدولارات"),
    "يورو": ("يورو", "اليوروهات", "يوروهات", "أورو", "اورو"),
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
# Subunits: (forms, the main currency noun, how many make one): 50 سنتا = 0.5 USD. The currency is
# the main noun's (its default, or the country named nearby for an ambiguous one).
_SUBUNITS: dict[str, tuple[tuple[str, ...], str, int]] = {
    "سنت": (("سنت", "سنتا", "سنتات"), "دولار", 100),  # not سنتان/سنتين: "two years"
    "قرش": (("قرش", "قرشا", "قروش", "قرشان", "قرشين"), "جنيه", 100),
    "فلس": (("فلس", "فلسا", "فلوس", "فلسان", "فلسين"), "دينار", 1000),
    "هللة": (("هللة", "هللات", "هللتان", "هللتين"), "ريال", 100),
    "مليم": (("مليم", "مليما", "مليمات", "ملاليم"), "جنيه", 1000),
}
_SUBUNIT_SYMBOLS = {"¢": ("USD", 100)}
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
# Country and city words (beyond CLDR's official names) that pick a currency for an ambiguous noun.
# Only the choice of words is kept here: the country of each comes from the place lexicons
# (countries.tsv, capitals.tsv, places.tsv) and its currency from CLDR.
_CONTEXT_PLACES = (
    "السعودية الرياض جدة قطر الدوحة مسقط اليمن إيران مصر القاهرة السودان بريطانيا لندن الكويت "
    "الأردن العراق بغداد البحرين ليبيا طرابلس تونس الجزائر الإمارات دبي أبوظبي المغرب الرباط "
    "لبنان بيروت سوريا سورية دمشق تركيا أنقرة إسطنبول سويسرا الهند باكستان"
).split() + ["سلطنة عمان", "أبو ظبي"]
# News words the place lexicons do not list, with their country.
_CONTEXT_WORDS = {"المملكة": "SA", "عمان الأردنية": "JO"}  # the Kingdom (Saudi news); Amman
# CLDR currency nouns that are common words first (ذهب "went"/gold, ليون, بير "well").
_NOT_NOUNS = frozenset(
    _n(w) for w in "ذهب بير سول بولا كيب ليون كولن فاتو تالا ليك لوتي كينا قرطبة مارك".split()
)
# Names that are not money even after a number (ريال مدريد).
NOT_CURRENCY_AFTER = "مدريد سوسيداد بيتيس مايوركا سرقسطة بلد"
_SYMBOLS_BEFORE = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_SYMBOLS_AFTER = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
# CLDR's Arabic abbreviations, in priority order where two normalize alike (د.إ AED / د.أ JOD).
_ABBR_ORDER = "AED SAR EGP KWD QAR BHD OMR LBP SYP TND DZD MAD IQD LYD YER SDG JOD".split()


def adj_key(word: str) -> str:
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
    subunit_of_form: dict[str, tuple[str, int]]  # form → (main noun, subunits per unit)
    subunit_symbols: dict[str, tuple[str, int]]  # ¢ → (ISO code, subunits per unit)


def _current_codes() -> set[str]:
    from babel import Locale
    from babel.numbers import get_territory_currencies

    out: set[str] = set()
    for terr in Locale("en").territories:
        if terr.isalpha() and len(terr) == 2:
            out.update(get_territory_currencies(terr))
    return out


def _context_words() -> dict[str, str]:
    """{normalized word: currency} of the context words: country from the place lexicons (country
    names first, then capitals, then other places), currency from CLDR."""
    from babel.numbers import get_territory_currencies

    country: dict[str, str] = {}
    for name, col in (("countries", 1), ("capitals", 1), ("places", 2)):
        for r in load_rows(name):
            if len(r) > col and r[col]:
                country.setdefault(r[0], r[col])
    out: dict[str, str] = {}
    words = [(_n(w), "") for w in _CONTEXT_PLACES] + [(_n(w), c) for w, c in _CONTEXT_WORDS.items()]
    for w, code in words:
        terr = code or country.get(w, "")
        cur = get_territory_currencies(terr) if terr else []
        if not cur:
            raise ValueError(f"currencies: no country with a currency for the context word {w}")
        out[w] = cur[0]
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
            adj.setdefault((noun, adj_key(words[1])), code)
        elif len(words) > 2:
            adj.setdefault((noun, " ".join(words[1:])), code)
        if code in current and noun not in noun_of_form:
            noun_of_form[noun] = noun
    for (noun, a), code in _EXTRA_ADJ.items():
        adj[(_n(noun), adj_key(_n(a)))] = code
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
    context_words = _context_words()
    context: dict[str, tuple[regex.Pattern, dict[str, str]]] = {}
    for noun in map(_n, _AMBIGUOUS):
        words: dict[str, str] = {}
        for terr, tname in ar.territories.items():
            if not (terr.isalpha() and len(terr) == 2):
                continue
            cur = get_territory_currencies(terr)
            if cur and code_noun.get(cur[0]) == noun:
                words.setdefault(_n(tname), cur[0])
        for w, c in context_words.items():
            if code_noun.get(c) == noun:
                words[w] = c
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
    subunits = {_n(f): (_n(main), per) for forms, main, per in _SUBUNITS.values() for f in forms}
    return CurrencyTables(
        noun_of_form, adj, default, context, symbol_after, dict(_SYMBOLS_BEFORE), iso,
        subunits, dict(_SUBUNIT_SYMBOLS),
    )  # fmt: skip
