"""Unit and property tests for the Arabic number words (pipeline.arabic.numwords) and their parser
(pipeline.arabic.numparse)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.arabic.numparse import (
    digits_value,
    parse_cardinal,
    parse_number,
    parse_ordinal,
    split_clitic,
    to_plain,
)
from pipeline.arabic.numwords import (
    CARDINALS,
    ORDINALS,
    clock_hours,
    count_words,
    decade_words,
    ordinal_phrases,
)
from pipeline.stages.normalize import normalize_text


def toks(text: str) -> list[str]:
    return normalize_text(text)[0].split()


def value(text: str) -> int | float | None:
    p = parse_number(toks(text))
    return None if p is None else to_plain(p.value)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("صفر", 0),
        ("واحد", 1),
        ("اثنان", 2),
        ("اثنتين", 2),
        ("ثلاث", 3),
        ("ثلاثة", 3),
        ("ثماني", 8),
        ("ثمانية", 8),
        ("عشرة", 10),
        ("أحد عشر", 11),
        ("إحدى عشرة", 11),
        ("اثنا عشر", 12),
        ("ثلاثة عشر", 13),
        ("عشرون", 20),
        ("عشرين", 20),
        ("خمسة وعشرون", 25),
        ("مائة", 100),
        ("مئة", 100),
        ("مائتان", 200),
        ("مئتين", 200),
        ("ثلاثمائة", 300),
        ("ثلاث مائة", 300),
        ("ثمانمائة", 800),
        ("مائة وخمسة وعشرون", 125),
        ("ألف", 1000),
        ("ألفان", 2000),
        ("ألفين", 2000),
        ("ثلاثة آلاف", 3000),
        ("ثلاثة آلاف وخمسمائة", 3500),
        ("مائتان وخمسون ألفا", 250000),
        ("خمسة وعشرون ألفا", 25000),
        ("مليون", 1000000),
        ("مليونان", 2000000),
        ("ثلاثة ملايين", 3000000),
        ("ثلاثة ملايين وخمسمائة ألف", 3500000),
        ("مليارات", None),
        ("ثمانية مليارات", 8000000000),
        ("مليار ونصف", 1500000000),
        ("مليون ونصف المليون", 1500000),
        ("نصف مليون", 500000),
        ("ربع مليون", 250000),
        ("ثلاثة أرباع", 0.75),
        ("5.7 مليار", 5700000000),
        ("15 مليون", 15000000),
        ("٣ آلاف", 3000),
        ("3 ملايين و500 ألف", 3500000),
        ("تريليون", 10**12),
        ("آلاف", None),
        ("أحد", None),
        ("نصف", None),
        ("الأول", 1),
        ("الأولى", 1),
        ("الثاني", 2),
        ("التاسع", 9),
        ("الحادي عشر", 11),
        ("الحادية عشرة", 11),
        ("الثالث عشر", 13),
        ("الحادي والعشرين", 21),
        ("الخامس والعشرون", 25),
        ("العشرين", 20),
        ("الحادي", None),
    ],
)
def test_values(text: str, want: int | float | None) -> None:
    assert value(text) == want


def test_phrase_stops_where_the_number_ends() -> None:
    t = toks("خمسة اجتماعات وعشرون")
    p = parse_cardinal(t)
    assert p is not None and (p.start, p.end, p.value) == (0, 1, 5)
    t = toks("10 و20")
    p = parse_cardinal(t)
    assert p is not None and p.end == 1  # a range or a list, not 30
    t = toks("التاسع والعاشر")
    p = parse_ordinal(t)
    assert p is not None and p.end == 1 and p.value == 9


def test_scale_and_multiplier_are_reported() -> None:
    p = parse_cardinal(toks("5.7 مليار دولار"))
    assert p is not None
    assert p.value == Decimal("5700000000") and p.scale == 10**9 and p.multiplier == Decimal("5.7")
    assert p.end == 2 and p.words


def test_proclitics() -> None:
    assert split_clitic("وخمسة") == (0, "") or split_clitic(toks("وخمسة")[0]) == (1, "خمسه")
    assert split_clitic(toks("واحد")[0]) == (0, "واحد")
    assert split_clitic(toks("بثلاثة")[0]) == (1, "ثلاثه")
    assert split_clitic(toks("والعشرين")[0]) == (1, "العشرين")
    assert split_clitic(toks("للعشرين")[0]) == (1, "العشرين")
    p = parse_cardinal(toks("وخمسة"))
    assert p is not None and p.clitic == 1 and p.value == 5


def test_digits_value() -> None:
    assert digits_value("1,200,000") == 1200000
    assert digits_value("5.7") == Decimal("5.7")
    assert digits_value("-3") == -3
    assert digits_value("1,20") is None
    assert digits_value("1.2.3") is None
    assert digits_value("1234,567") is None


def test_to_plain_types() -> None:
    assert type(to_plain(Decimal("5700000000.0"))) is int
    assert type(to_plain(Decimal("26.8"))) is float


def test_tables_are_normalized() -> None:
    for w in list(CARDINALS) + list(ORDINALS):
        assert normalize_text(w)[0] == w


# A reference spelling of n (masculine, nominative, the order news uses) to check the parser on
# every shape of number, not just the ones listed above.
_UNITS = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]
_TENS = ["", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"]
_HUNDREDS = ["", "مائة", "مائتان"] + [s + "مائة" for s in ("ثلاث", "أربع", "خمس", "ست", "سبع")]
_HUNDREDS += ["ثمانمائة", "تسعمائة"]


def _below100(n: int) -> str:
    if n < 10:
        return _UNITS[n]
    if n == 10:
        return "عشرة"
    if n == 11:
        return "أحد عشر"
    if n == 12:
        return "اثنا عشر"
    if n < 20:
        return _UNITS[n - 10] + " عشر"
    t, u = divmod(n, 10)
    return f"{_UNITS[u]} و{_TENS[t]}" if u else _TENS[t]


def _below1000(n: int) -> str:
    h, r = divmod(n, 100)
    if not h:
        return _below100(r)
    return _HUNDREDS[h] + (f" و{_below100(r)}" if r else "")


def spell(n: int) -> str:
    k, r = divmod(n, 1000)
    if not k:
        return _below1000(r)
    if k == 1:
        head = "ألف"
    elif k == 2:
        head = "ألفان"
    elif k <= 10:
        head = _below100(k) + " آلاف"
    else:
        head = _below1000(k) + " ألف"
    if not r:
        return head
    tail = _below1000(r).split(" ")
    return head + " و" + " ".join(tail)


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=1, max_value=999_999))
def test_spelled_numbers_round_trip(n: int) -> None:
    text = spell(n)
    t = toks(text)
    p = parse_cardinal(t)
    assert p is not None, text
    assert (to_plain(p.value), p.end) == (n, len(t)), text


def test_date_grammar_views_read_the_same_numbers() -> None:
    """The date grammar's number words are views of these tables: each parses to its own value."""
    days = ordinal_phrases(31)
    assert len(set(days.values())) == 31 and max(days.values()) == 31
    for phrase, v in days.items():
        words = phrase.split()
        if words[0] == "الواحد":  # a cardinal with the article standing for "first" in compounds
            words[0] = "الحادي"
        p = parse_ordinal(words)
        assert p is not None and p.end == len(words) and p.value == v, phrase
    for word, v in count_words(100).items():
        p = parse_cardinal([word])
        assert p is not None and p.value == v, word
    for word, d in decade_words().items():
        p = parse_cardinal([word])
        assert p is not None and p.value == 10 * d, word
    hours = clock_hours()
    assert sorted(set(hours.values())) == list(range(1, 13))
    for phrase, v in hours.items():
        words = phrase.split()
        p = parse_ordinal(words) or parse_cardinal([words[0][2:]])
        assert p is not None and p.value == v, phrase


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("حداشر", 11),
        ("اتناشر", 12),
        ("تلتاشر", 13),
        ("تسعتاشر", 19),
        ("حدعش", 11),
        ("تلاتين", 30),
        ("متين", 200),
        ("تلتمية", 300),
        ("ستمية وخمسين", 650),
        ("تلات تلاف", 3000),
        ("خمستاشر ألف", 15000),
        ("ثلاثة فاصلة خمسة", 3.5),
        ("صفر فاصلة صفر خمسة", 0.05),
        ("ثلاثة فاصلة خمسة وسبعون مليون", 3750000),
        ("اثنان فاصل خمسة مليار", 2500000000),
    ],
)
def test_spoken_numerals_and_decimals_in_words(text: str, want: float) -> None:
    got = value(text)
    assert got is not None and abs(got - want) < 1e-9


def test_context_word_and_spoken_forms() -> None:
    """متين alone is marked (a number only before a unit); spoken forms never take the article."""
    alone = parse_cardinal(toks("متين"))
    assert alone is not None and alone.context
    compound = parse_cardinal(toks("متين وخمسين"))
    assert compound is not None and not compound.context and compound.value == 250
    assert CARDINALS["تمان"].form == "spoken"


def test_phrase_tables_for_the_date_grammar() -> None:
    days = ordinal_phrases(39)
    assert days["الحادي عشر"] == 11 and days["الثالث عشر"] == 13
    assert days["الحادي والعشرين"] == 21 and days["الحادي والعشرون"] == 21
    assert days["الثاني والثلاثين"] == 32
    assert set(range(1, 40)) <= set(days.values())
    hours = clock_hours()
    assert hours["الواحده"] == 1 and hours["الثانيه عشره"] == 12 and "الاولي" not in hours
    counts = count_words(59)
    assert counts["عشر"] == 10 and counts["خمسين"] == 50 and "متين" not in counts
    for table in (days, hours, counts):
        for word in table:
            assert normalize_text(word)[0] == word
