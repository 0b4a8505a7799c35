"""Arabic number phrases parsed to values: cardinals, fractions, ordinals and digits, on normalized
tokens, read with the tables of `pipeline.arabic.numwords`.

Why apart from the tables: the tables are knowledge both grammars read, the parser is the one
algorithm over them (the amount grammar runs it on every candidate, the date grammar on minutes in
words). Arabic order is handled as it is written: units before tens (خمسة وعشرون = 25), hundreds and
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
from pipeline.arabic.numwords import (
    CARDINALS,
    DECIMAL_POINT,
    NEEDS_CONTEXT,
    ORDINALS,
    NumberWord,
)

__all__ = [
    "Parsed",
    "digits_value",
    "lookup",
    "parse_cardinal",
    "parse_number",
    "parse_ordinal",
    "split_clitic",
    "to_plain",
]

_TEEN = {_n("عشر"), _n("عشرة")}
_AND = "و"
# Words after which a bare ألفا/مليونا is an accusative singular rather than a dual construct.
_FUNCTION_WORDS = frozenset(_n(w) for w in ("من", "في", "على", "إلى", "عن", "او", "أو", "و"))


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
