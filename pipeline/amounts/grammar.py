"""`find_amounts`: NUMBER, ORDINAL, MONEY, PERCENT and QUANTITY amounts of a normalized text, from
the candidate starts, the number-word parser (`pipeline.arabic.numparse`) and the patterns of
`pipeline.amounts.lexer`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

import regex

from pipeline.amounts.lexer import (
    _AL_UNITS,
    _AND,
    _APPROX_SET,
    _BETWEEN,
    _CAND,
    _ERA_SET,
    _GROUP_SET,
    _LAW_SET,
    _MONTH_SET,
    _ORD_SKIP_SET,
    _PHONE_SET,
    _RANGE_TO,
    _TIME_AFTER_SET,
    _TIME_SET,
    _YEAR_SET,
    AL_SCALES,
    Amount,
    _is_date_ahead,
    _lex,
    _prev_word,
    _suffix,
    _Tok,
)
from pipeline.arabic.clitics import PROCLITIC_CLASS, PROCLITICS
from pipeline.arabic.currencies import CurrencyTables
from pipeline.arabic.normalize import norm_word as _n
from pipeline.arabic.numparse import Parsed, lookup, parse_cardinal, parse_ordinal, to_plain
from pipeline.arabic.numwords import ORDINALS

_V = regex.V1


def find_amounts(
    norm: str,
    tables: CurrencyTables,
    raw_at: object = lambda pos: " ",
    blocked: object = lambda a, b: False,
    spans: Iterable[tuple[int, int]] | None = None,
) -> list[Amount]:
    """All amounts in a normalized text.

    raw_at(norm_pos) gives the raw character behind a norm position (to recognise thin-space
    digit groups); blocked(nstart, nend) says a span belongs to an existing mention. spans: the norm
    spans of the tokens that may start an amount (`start_windows`), in text order, where the
    caller has tokens; None scans the whole text.
    """
    out: list[Amount] = []
    done = 0
    for cm in _candidates(norm, spans):
        s = cm.start()
        if s < done:
            continue
        is_digit = norm[s].isdigit() or norm[s] == "."
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


def _candidates(norm: str, spans: Iterable[tuple[int, int]] | None) -> Iterator[regex.Match]:
    """`_CAND` matches over the whole text, or inside the given token spans only (the same matches:
    the window reaches one character past the token so that the look-ahead sees what follows)."""
    if spans is None:
        yield from _CAND.finditer(norm)
        return
    for a, b in spans:
        for cm in _CAND.finditer(norm, a, b + 1):
            if cm.start() >= b:
                break
            yield cm


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
        k = next((len(c) for c in ("", *PROCLITICS) if first[len(c) :] in AL_SCALES), -1)
        if k >= 0:
            # قرابة المليار دولار: "the billion" is an amount only with a currency or unit
            suffix = _suffix(norm, texts, toks, 1, toks[0].end, tables)
            if suffix is None or suffix[0] == "PERCENT":
                return None, toks[0].end
            typ, unit, send, per = suffix
            value = AL_SCALES[first[k:]] / per
            return Amount(typ, toks[0].start + k, send, to_plain(value), unit), send
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
        typ, unit, send, per = suffix
        if prev in _LAW_SET and not p.words:
            return None, send
        return Amount(typ, start, send, to_plain(value / per), unit), send
    if p.context:
        return None, end  # متين alone is "solid", not 200
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


_ST_CLITIC = regex.compile(PROCLITIC_CLASS + "{1,2}" + _n("ست"), _V)


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
    typ, unit, end, per = ("NUMBER", "", q_end, 1) if suffix is None else suffix
    low, high = low / per, high / per
    if typ == "NUMBER" and not (p.words or q.words):
        a, b = patched[0], patched[j]
        if a.isdigit() and b.isdigit() and len(a) == 4 and len(b) in (2, 4):
            return None, q_end  # 2019-2020 or 2019-20: years, the dates stage's business
    rng = f"{to_plain(low)}/{to_plain(high)}"
    return Amount(typ, toks[0].start + p.clitic, end, rng, unit), end
