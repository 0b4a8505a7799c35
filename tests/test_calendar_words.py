"""The calendar words of the running text have one home, pipeline.arabic.calendar: the date grammar,
the amount grammar and the institution grammar read their views of it. These checks fail when one of
them holds a list of its own again that says something else than the home."""

from __future__ import annotations

from pipeline.amounts import lexer
from pipeline.arabic import calendar
from pipeline.arabic.normalize import norm_word
from pipeline.dates import words
from pipeline.dates.values import _mod_sign
from pipeline.ner import institutions


def test_the_date_grammar_reads_the_calendar_tables() -> None:
    assert words._POD is calendar.PARTS_OF_DAY
    assert words._POD_ADV is calendar.PART_OF_DAY_ADVERBS
    assert words._AP_WORDS is calendar.CLOCK_PARTS_OF_DAY
    assert set(words._MODS) == set(calendar.RELATIVE_MODIFIERS)
    for word, sign in calendar.RELATIVE_MODIFIERS.items():
        assert _mod_sign(word) == sign, word


def test_the_era_words_after_years_and_centuries_come_from_the_calendar() -> None:
    from pipeline.dates import patterns

    century = {w.replace(r"\s+", " ") for w in patterns._CENTURY_ERAS.split("|")}
    assert century == {w for w in calendar.ERA_MARKERS if len(w) > 1}
    assert calendar.ERA_MARKERS["قبل الميلاد"] == "BCE"


def test_the_amount_grammar_derives_its_time_and_era_words() -> None:
    one_word = {w for w in calendar.CLOCK_PARTS_OF_DAY if " " not in w}
    fractions = {"و" + al + w for w in lexer._HOUR_FRACTIONS for al in ("", "ال")}
    assert sorted(lexer._HOUR_FRACTIONS) == sorted(norm_word(w) for w in ("نصف", "ربع", "ثلث"))
    assert lexer._TIME_AFTER_SET == one_word | calendar.SPOKEN_CLOCK_TIMES | fractions | {"الا"}
    assert lexer._ERA_SET <= set(calendar.ERA_MARKERS)
    assert {calendar.ERA_MARKERS[w] for w in lexer._ERA_SET} == {"AH", "CE"}


def test_the_institution_grammar_stops_at_calendar_modifiers() -> None:
    one_word = {w for w in calendar.RELATIVE_MODIFIERS if " " not in w}
    assert one_word <= institutions._NOT_MODIFIER
    assert {"القادم", "المنصرمه", "الحالي"} <= one_word


def test_the_fractions_of_an_hour_come_from_numwords() -> None:
    from pipeline.arabic.numwords import hour_fractions
    from pipeline.dates import clock

    assert hour_fractions() == {norm_word("نصف"): 30, norm_word("ربع"): 15, norm_word("ثلث"): 20}
    assert set(lexer._HOUR_FRACTIONS) == set(hour_fractions())
    assert {w.removeprefix("ال") for w in clock._PLUS_FRACTION} == set(hour_fractions())
    assert clock._MINUS_FRACTION["ربعا"] == 15 and "نصف" not in clock._MINUS_FRACTION
