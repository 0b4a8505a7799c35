"""The amount grammar's word lists and compiled patterns, the `Amount` record, and the short local
lexer run at each candidate start."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from pipeline.arabic.calendar import (
    CLOCK_PARTS_OF_DAY,
    ERA_MARKERS,
    SPOKEN_CLOCK_TIMES,
    load_months,
)
from pipeline.arabic.clitics import PROCLITIC_CLASS, PROCLITIC_LETTERS, PROCLITICS
from pipeline.arabic.currencies import NOT_CURRENCY_AFTER, CurrencyTables, adj_key
from pipeline.arabic.normalize import norm_word as _n
from pipeline.arabic.numparse import lookup, parse_ordinal
from pipeline.arabic.numwords import CARDINALS, ORDINALS, all_forms, hour_fractions
from pipeline.trie import trie_pattern

if TYPE_CHECKING:
    from pipeline.document import Token

# ---------------------------------------------------------------------------------------------
# Word lists (written as in news, normalized when the tables are built).

# Words before a number that make it something other than an amount.
_YEAR_WORDS = "عام العام سنة السنة منذ شهر"  # شهر 3: the month of March
_LAW_WORDS = (
    "المادة مادة المواد البند بند الفقرة فقرة رقم برقم الرقم الفصل الآية آية القرار قرار القانون "
    "المرسوم مرسوم الأمر الدائرة الإصدار"
)
_PHONE_WORDS = "هاتف الهاتف جوال الجوال تلفون التلفون فاكس الفاكس واتساب واتس"
_TIME_WORDS = "الساعة ساعة"
# Words before an ordinal that make it part of something else (القرن الحادي والعشرين, المادة الثانية);
# month names ending in an ordinal (كانون الثاني, ربيع الأول) join them where the sets are built.
_ORD_BEFORE_SKIP = "القرن المادة الفقرة البند"
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

_V = regex.V1


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


# Month names: the first word of each Gregorian and Hijri name of the calendar lexicon (كانون, ربيع,
# ذو), less the words that are also numbers (صفر is the month Safar and zero); English names too.
_MONTH_SET = frozenset(
    name.split()[0]
    for kind in ("gregorian", "hijri")
    for name in load_months()[kind]
    if name.split()[0] not in CARDINALS
) | {
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
# Words after a number that make it a clock time, not an amount (السابعة مساء، الساعة 4 العصر،
# الخامسة والنصف، السادسة إلا ربعا): the one-word parts of the day after a clock time and the definite
# times of speech (pipeline.arabic.calendar), a fraction of the hour after و (the half, quarter and
# third of numwords, not two thirds: والنصف، وربع), and إلا.
_HOUR_FRACTIONS = list(hour_fractions())
_TIME_AFTER_SET = (
    frozenset(w for w in CLOCK_PARTS_OF_DAY if " " not in w)
    | SPOKEN_CLOCK_TIMES
    | {"و" + al + w for w in _HOUR_FRACTIONS for al in ("", "ال")}
    | {_n("إلا")}
)
# Era markers after a year (1435 هـ، 2014 م، 1990 ميلادي; pipeline.arabic.calendar): the words that
# stand alone after a number; those with the article or ل and the phrases (الهجري، للميلاد، من الهجرة)
# are left to the date grammar, as they always were.
_ERA_SET = frozenset(w for w in ERA_MARKERS if " " not in w and not w.startswith(("ال", "ل")))
_ORD_SKIP_SET = _with_clitics(
    _wordset(_ORD_BEFORE_SKIP)
    | {
        name.split()[0]
        for names in load_months().values()
        for name in names
        if " " in name and name.split(None, 1)[1] in ORDINALS
    }
)
_GROUP_SET = _with_clitics(_wordset(_GROUP_WORDS))
_APPROX_SET = _with_clitics(_wordset(_APPROX_WORDS))
_NOT_CUR_SET = _wordset(NOT_CURRENCY_AFTER)
_MIN = _n("من")
_BETWEEN = {_n("بين"), _n("مابين")}
_RANGE_TO = {_n("إلى"), _n("حتى")}
_AND = "و"
_AL_UNITS = {
    "ال" + w: e
    for w, e in CARDINALS.items()
    if e.kind == "unit" and 3 <= e.value <= 10 and not e.form
}

_NUMBER_WORDS = all_forms() | set(_AL_UNITS)
_NUMBER_WORDS |= {w[1:] for w in _NUMBER_WORDS if w.startswith("ال")}  # لل + X = ل + الX
# "المليون"، "المليار" (قرابة المليار دولار): a number only with a currency or unit after it.
AL_SCALES = {"ال" + w: e.value for w, e in CARDINALS.items() if e.kind == "scale" and e.form == ""}
_NUMBER_WORDS |= set(AL_SCALES)
_CAND = regex.compile(
    r"(?<![\d.])\d|(?<![^\s(])\.(?=\d)|(?<![\p{L}\p{M}])"
    + PROCLITIC_CLASS
    + "{0,2}(?:"
    + trie_pattern(_NUMBER_WORDS)
    + r")(?![\p{L}\p{M}])",
    _V,
)
_DIGIT = regex.compile(r"\d", _V)


def may_start_amount(word: str) -> bool:
    """Whether a token (its normalized text) can hold a start that `_CAND` finds: a digit, or a number
    word after at most two proclitic letters. Why: a stage that has tokens runs `_CAND` only inside
    these (`find_amounts(spans=...)`) instead of over the whole text."""
    if word in _NUMBER_WORDS or _DIGIT.search(word):
        return True
    return word[:1] in PROCLITIC_LETTERS and (
        word[1:] in _NUMBER_WORDS or (word[1:2] in PROCLITIC_LETTERS and word[2:] in _NUMBER_WORDS)
    )


def start_windows(tokens: Sequence[Token], norm_pos: Callable[[int], int]) -> list[tuple[int, int]]:
    """The normalized spans of the tokens that may start an amount, in text order: what
    `find_amounts(spans=...)` scans instead of the whole text. A decimal point glued to the digits
    after it (.75) is a token of its own and starts its amount."""
    out = []
    for i, t in enumerate(tokens):
        if may_start_amount(t.norm) or (
            t.norm == "."
            and i + 1 < len(tokens)
            and tokens[i + 1].start == t.end
            and tokens[i + 1].norm[:1].isdigit()
        ):
            out.append((norm_pos(t.start), norm_pos(t.end)))
    return out


_SCALE_FORMS = trie_pattern(w for w, e in CARDINALS.items() if e.kind == "scale")
# "per hundred" (بالمئة، في المائة): the spellings of 100 in the number-word table.
_PCT_WORDS = trie_pattern(w for w, e in CARDINALS.items() if e.kind == "hundred" and e.value == 100)
# Token kinds: 1 = comma decimal (1,2 مليون, 15,7%: a comma before a scale or percent is a
# decimal comma, as Maghrebi outlets write), 2 = digits, 3 = letters, 4 = any other mark.
_LEX = regex.compile(
    r"[ \t]*(?:(\d+,\d{1,3}(?=[ \t]?(?:%|(?:"
    + _SCALE_FORMS
    + r")(?![\p{L}])|(?:بال|في[ \t]+ال)(?:"
    + _PCT_WORDS
    + r")(?![\p{L}]))))"
    r"|(\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d]|,\d)|\d+(?:\.\d+)?|(?<![^\s(])\.\d+)|([\p{L}\p{M}]+)|(\S))",
    _V,
)
_PERCENT = regex.compile(
    r"[ \t]?%|[ \t]+(?:بال|في[ \t]+ال)(?:" + _PCT_WORDS + r")(?![\p{L}])",
    _V,
)
_UNIT_OF: dict[str, str] = {}
for _unit, _forms in _UNITS.items():
    for _f in _forms:
        _UNIT_OF.setdefault(_n(_f), _unit)
_UNIT_AFTER = regex.compile(r"[ \t]*(?P<u>" + trie_pattern(_UNIT_OF) + r")(?![\p{L}\p{M}\d])", _V)
# A decimal comma typed as such (0,5; 3,25): one or two digits after it cannot be a thousands group.
# An Arabic comma (،, also "," in norm) separates list items, so the raw character is checked.
_COMMA_DECIMAL = regex.compile(r",\d+(?![\d,.])")
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
        elif kind == 2 and (d := _COMMA_DECIMAL.match(norm, b)) and raw_at(b) == ",":
            if text == "0" or (len(d.group()) <= 3 and b - a <= 3 and "." not in text):
                text += "." + d.group()[1:]  # 0,5 or 3,25: a comma that cannot group thousands
                b = skip_to = d.end()
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
        code = tables.adj.get((noun, adj_key(nxt)))
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
        key = m.group("w") or adj_key(m.group("a") or "")
        code = codes.get(key) or codes.get(m.group("a") or "")
        d = abs(m.start() - pos)
        if code and d < dist:
            best, dist = code, d
    return best


def _subunit_after(
    norm: str, texts: list[str], toks: list[_Tok], i: int, end: int, tables: CurrencyTables
) -> tuple[str, int, int] | None:
    """(ISO code, norm end, subunits per unit) for a subunit after a number (50 سنتا, 25 قرشا,
    50¢): the code is the main currency's, by its default or a country named nearby."""
    for sym, (code, per) in tables.subunit_symbols.items():
        if norm.startswith(sym, end) or (norm.startswith(" " + sym, end)):
            return code, norm.index(sym, end) + len(sym), per
    if i >= len(texts):
        return None
    sub = tables.subunit_of_form.get(texts[i])
    if sub is None:
        return None
    noun, per = sub
    code = ""
    if noun in tables.context:
        code = _context_currency(norm, toks[i].start, noun, tables)
    return code or tables.default[noun], toks[i].end, per


def _suffix(
    norm: str, texts: list[str], toks: list[_Tok], i: int, end: int, tables: CurrencyTables
) -> tuple[str, str, int, int] | None:
    """(type, unit, new end, divisor) for what follows a number ending at token i / norm offset
    end; the divisor is 1 except for currency subunits (50 سنتا = 0.5 USD)."""
    m = _PERCENT.match(norm, end)
    if m:
        return "PERCENT", "%", m.end(), 1
    cur = _currency_after(norm, texts, toks, i, tables)
    if cur:
        return "MONEY", cur[0], cur[1], 1
    sub = _subunit_after(norm, texts, toks, i, end, tables)
    if sub:
        return "MONEY", sub[0], sub[1], sub[2]
    m = _UNIT_AFTER.match(norm, end)
    if m:
        return "QUANTITY", _UNIT_OF[m.group("u")], m.end(), 1
    return None
