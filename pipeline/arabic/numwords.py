"""Arabic number words to values: cardinals, fractions and ordinals, on normalized tokens.

Why a module of its own: number words are Arabic knowledge both grammars read, kept apart from any
stage: the amount grammar (`pipeline.amounts`) parses with the tables, the date grammar
(`pipeline.dates.words`) takes the views below (`ordinal_phrases`, `clock_hours`, `count_words`,
`decade_words`). Everything here is a pure function of a token
sequence in *normalized* form (see `pipeline.arabic.normalize`): alef forms folded,
ة → ه, ى → ي, ASCII digits. Word lists are written in ordinary spelling and normalized once at
import, so they can never drift from what the normalizer produces.

Arabic order is handled as it is written: units before tens (خمسة وعشرون = 25), hundreds and
scales from big to small (ثلاثة آلاف وخمسمائة = 3500), a multiplier before its scale (مائتان
وخمسون ألفا = 250000), digits before a scale (5.7 مليار), fractions after a scale (مليار ونصف)
or before it (نصف مليون). Values are `Decimal` so 5.7 مليار is exactly 5700000000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pipeline.arabic.clitics import PROCLITICS
from pipeline.arabic.normalize import norm_word as _n

__all__ = [
    "NumberWord",
    "Parsed",
    "CARDINALS",
    "ORDINALS",
    "PROCLITICS",
    "all_forms",
    "decade_words",
    "digits_value",
    "lookup",
    "split_clitic",
    "parse_cardinal",
    "parse_ordinal",
    "parse_number",
    "to_plain",
    "ordinal_phrases",
    "clock_hours",
    "count_words",
    "DECIMAL_POINT",
    "NEEDS_CONTEXT",
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


_TEEN = {_n("عشر"), _n("عشرة")}
_AND = "و"
# Words after which a bare ألفا/مليونا is an accusative singular rather than a dual construct.
_FUNCTION_WORDS = frozenset(_n(w) for w in ("من", "في", "على", "إلى", "عن", "او", "أو", "و"))


def all_forms() -> set[str]:
    """Every cardinal and ordinal spelling (normalized), for building candidate regexes."""
    return set(CARDINALS) | set(ORDINALS)


def decade_words() -> dict[str, int]:
    """The tens (genitive form) that name a decade, and its digit: الثمانينات ← ثمانين → 8."""
    return {
        w: int(e.value) // 10 for w, e in CARDINALS.items() if e.kind == "ten" and w.endswith("ين")
    }


def digits_value(text: str) -> Decimal | None:
    """Value of an ASCII digit string: `1,200,000` (thousands), `5.7` (decimal), `-3`."""
    s = text
    if "," in s:
        head, *groups = s.split(",")
        if not groups or any(len(g) != 3 or not g.isdigit() for g in groups[:-1]):
            return None
        last = groups[-1]
        if len(last) != 3 and not (len(last) > 3 and last[3] == "."):
            return None
        if not head.lstrip("+-").isdigit() or len(head.lstrip("+-")) > 3:
            return None
        s = s.replace(",", "")
    if s.count(".") > 1:
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def split_clitic(word: str) -> tuple[int, str]:
    """(length of the proclitic, the number word) for a normalized token, or (0, "") if none.

    The whole word is tried first, so واحد stays one (not و + احد). "لل" + X is ل + "ال"X.
    """
    if word in CARDINALS or word in ORDINALS:
        return 0, word
    for p in PROCLITICS:
        if word.startswith(p) and len(word) > len(p) + 1:
            rest = word[len(p) :]
            if rest in CARDINALS or rest in ORDINALS:
                return len(p), rest
            if p.endswith("ل") and rest.startswith("ل") and ("ا" + rest) in ORDINALS:
                return len(p), "ا" + rest
    return 0, ""


def lookup(word: str) -> tuple[int, NumberWord | None]:
    """(proclitic length, cardinal entry) for a token; digits give a synthetic "digits" entry."""
    if word[:1].isdigit() or (word[:1] in "+-." and word[1:2].isdigit()):
        v = digits_value(word)
        return (0, NumberWord("digits", v)) if v is not None else (0, None)
    k, core = split_clitic(word)
    return k, CARDINALS.get(core)


@dataclass(slots=True)
class Parsed:
    """A parsed number phrase: tokens[start:end] give `value`.

    `scale` is the largest scale word used (1 if none), `multiplier` the number before it
    (5.7 in 5.7 مليار), `clitic` the proclitic length on the first token, `words` whether any
    token was a word (not digits), `ordinal` for ordinals.
    """

    value: Decimal
    start: int
    end: int
    clitic: int = 0
    scale: int = 1
    multiplier: Decimal = Decimal(0)
    words: bool = False
    ordinal: bool = False
    context: bool = False  # one word that is a number only with a unit after it (متين)


def _conj(tokens: Sequence[str], j: int) -> tuple[int, int, NumberWord | None] | None:
    """A و-joined continuation at j: (index of the number token, its clitic len, entry)."""
    if j >= len(tokens):
        return None
    tok = tokens[j]
    if tok == _AND and j + 1 < len(tokens):
        k, e = lookup(tokens[j + 1])
        return (j + 1, k, e) if e is not None and k == 0 else None
    if tok.startswith(_AND) and len(tok) > 1:
        k, e = lookup(tok[1:])
        if e is not None and k == 0:
            return j, 1, e
    return None


def parse_cardinal(tokens: Sequence[str], i: int = 0) -> Parsed | None:
    """Parse the longest cardinal phrase starting at tokens[i] (normalized tokens).

    Returns None when tokens[i] does not start a number that stands on its own: a plural scale
    (آلاف: "thousands of"), a bound form (أحد alone is "someone"), or a bare fraction (نصف
    السكان) are not amounts. Tokens are surface words with proclitics attached ("وعشرون"); a
    separate "و" token is also accepted between parts.
    """
    if i >= len(tokens):
        return None
    clitic, first = lookup(tokens[i])
    if first is None:
        return None
    total = Decimal(0)
    cur = Decimal(0)
    cur_kinds: set[str] = set()
    last_scale: int | None = None
    top_scale = 1
    multiplier = Decimal(0)
    words = first.kind != "digits"
    j = i
    end = i

    def nxt(idx: int) -> NumberWord | None:
        if idx < len(tokens):
            k, e = lookup(tokens[idx])
            return e if k == 0 else None
        return None

    # First token.
    e = first
    if e.form == "bound":
        follow = nxt(i + 1)
        if not (follow and follow.kind == "unit" and tokens[i + 1] in _TEEN):
            return None
        cur = e.value + 10
        cur_kinds = {"unit", "teen"}
        j = end = i + 2
    elif e.kind == "frac":
        follow = nxt(i + 1)
        if not follow or follow.kind != "scale" or follow.form in ("plural", "dual"):
            return None
        scale = int(follow.value)
        total = e.value * scale
        last_scale = top_scale = scale
        multiplier = e.value
        j = end = i + 2
    elif e.kind == "scale":
        if e.form == "plural":
            return None
        count = Decimal(2) if e.form == "dual" else Decimal(1)
        if e.form == "construct":
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if not (after and after[0].isalpha() and after not in _FUNCTION_WORDS):
                count = Decimal(1)
            elif nxt(i + 1) is None:
                count = Decimal(2)
        scale = int(e.value)
        total = count * scale
        last_scale = top_scale = scale
        multiplier = count
        j = end = i + 1
    else:
        cur = e.value
        cur_kinds = {e.kind}
        j = end = i + 1

    while j < len(tokens):
        k, e = lookup(tokens[j])
        if e is not None and k == 0:
            # Adjacent (no و).
            if (
                e.kind == "unit"
                and tokens[j] in _TEEN
                and "unit" in cur_kinds
                and not cur_kinds & {"ten", "teen", "frac", "digits"}
                and 1 <= cur % 100 <= 9
            ):
                cur += 10
                cur_kinds |= {"teen"}
            elif e.kind == "hundred" and e.value == 100 and cur_kinds == {"unit"} and 3 <= cur <= 9:
                cur *= 100
                cur_kinds = {"hundred"}
            elif e.kind == "scale" and cur > 0:
                scale = int(e.value)
                if last_scale is not None and scale >= last_scale:
                    break
                if e.form == "dual":
                    break
                if top_scale == 1:
                    multiplier = cur
                total += cur * scale
                top_scale = max(top_scale, scale)
                last_scale = scale
                cur = Decimal(0)
                cur_kinds = set()
            elif e.kind == "frac" and e.form == "plural" and cur_kinds == {"unit"} and cur > 1:
                cur *= e.value
                cur_kinds = {"frac"}
            else:
                e = None  # not a continuation by adjacency; وأحد may still be و + أحد
            if e is not None:
                if e.kind != "digits":
                    words = True
                j += 1
                end = j
                continue
        c = _conj(tokens, j)
        if c is None:
            break
        idx, _k, e = c
        assert e is not None
        if e.form == "bound" and not (idx + 1 < len(tokens) and tokens[idx + 1] in _TEEN):
            break
        if e.kind == "frac" and e.form == "":
            if cur == 0 and last_scale is not None:
                total += e.value * last_scale
            elif cur > 0 and "frac" not in cur_kinds:
                cur += e.value
                cur_kinds.add("frac")
            else:
                break
            j = end = idx + 1
            # مليون ونصف المليون: the repeated scale with the article belongs to the phrase.
            if j < len(tokens) and tokens[j].startswith("ال"):
                rep = CARDINALS.get(tokens[j][2:])
                if rep and rep.kind == "scale" and last_scale and int(rep.value) == last_scale:
                    j = end = j + 1
            words = True
            continue
        if (
            e.kind == "ten"
            and "unit" in cur_kinds
            and not cur_kinds & {"ten", "teen", "frac", "digits"}
            and 1 <= cur % 100 <= 9
        ):
            cur += e.value
            cur_kinds.add("ten")
        elif (
            e.kind in ("unit", "ten", "hundred", "digits")
            and cur == 0
            and last_scale is not None
            and e.value < last_scale
        ):
            cur = e.value
            cur_kinds = {e.kind}
        elif (
            e.kind in ("unit", "ten")
            and "hundred" in cur_kinds
            and cur % 100 == 0
            and cur_kinds <= {"hundred"}
        ):
            cur += e.value
            cur_kinds = {"hundred", e.kind}
        else:
            break
        if e.kind != "digits":
            words = True
        j = end = idx + 1
        # A group started after a scale may take its own smaller scale (ثلاثة ملايين وخمسمائة ألف).
    value = total + cur
    if (
        end < len(tokens)
        and tokens[end] in DECIMAL_POINT
        and last_scale is None
        and cur_kinds
        and "frac" not in cur_kinds
    ):
        frac = _decimal_part(tokens, end + 1)
        if frac is not None:
            value, end, words = cur + frac[0], frac[1], True
            k, after = lookup(tokens[end]) if end < len(tokens) else (1, None)
            if k == 0 and after is not None and after.kind == "scale" and after.form != "dual":
                multiplier, top_scale = value, int(after.value)
                value, end = value * after.value, end + 1
    context = end == i + 1 and first.form == NEEDS_CONTEXT
    return Parsed(value, i, end, clitic, top_scale, multiplier or value, words, context=context)


def _decimal_part(tokens: Sequence[str], j: int) -> tuple[Decimal, int] | None:
    """The digits after فاصلة, read as written: خمسة → .5, خمسة وسبعون → .75, صفر خمسة → .05."""
    zeros = 0
    zero = _n("صفر")
    while j < len(tokens) and tokens[j] == zero:
        zeros, j = zeros + 1, j + 1
    stop = j
    while stop < len(tokens) and (e := lookup(tokens[stop])[1]) is not None and e.kind != "scale":
        stop += 1  # a scale after the digits belongs to the whole number (2 فاصلة 5 مليار)
    p = parse_cardinal(tokens[:stop], j) if j < stop else None
    if p is None or p.scale != 1 or p.value != p.value.to_integral_value():
        if zeros:
            return Decimal(0), j
        return None
    return Decimal("0." + "0" * zeros + str(int(p.value))), p.end


def parse_ordinal(tokens: Sequence[str], i: int = 0) -> Parsed | None:
    """Parse an ordinal at tokens[i]: الأول, الحادي عشر, الخامس والعشرون, العشرين."""
    if i >= len(tokens):
        return None
    clitic, core = split_clitic(tokens[i])
    if core not in ORDINALS:
        return None
    value, form = ORDINALS[core]
    end = i + 1
    if end < len(tokens) and value <= 9 and tokens[end] in _TEEN:
        return Parsed(Decimal(value + 10), i, end + 1, clitic, words=True, ordinal=True)
    if value <= 9:
        nxt = tokens[end] if end < len(tokens) else ""
        j = end
        if nxt == _AND and end + 1 < len(tokens):
            nxt, j = tokens[end + 1], end + 1
        elif nxt.startswith(_AND):
            nxt = nxt[1:]
        if nxt in ORDINALS and ORDINALS[nxt][1] == "ten":
            return Parsed(
                Decimal(value + ORDINALS[nxt][0]), i, j + 1, clitic, words=True, ordinal=True
            )
    if form == "bound":
        return None
    return Parsed(Decimal(value), i, end, clitic, words=True, ordinal=True)


def parse_number(tokens: Sequence[str], i: int = 0) -> Parsed | None:
    """An ordinal if tokens[i] is one, else a cardinal."""
    return parse_ordinal(tokens, i) or parse_cardinal(tokens, i)


def to_plain(value: Decimal) -> int | float:
    """int when whole, float otherwise: JSON/CSV friendly."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)
