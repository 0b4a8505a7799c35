"""The dates stage: every line of pipeline/stages/dates_examples.tsv, the seed article, the rules
(weekday, nearest month, Hijri), the word tables, and the offset invariant."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from examples import load_examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.arabic.calendar import load_time_zones
from pipeline.dates.merge import find_dates
from pipeline.dates.values import (
    _day_month_value,
    _month_value,
    _nth_weekday,
    _part_of,
    _weekday_value,
    _weekday_year,
)
from pipeline.dates.words import ORDINALS
from pipeline.document import Document
from pipeline.lexicons import load_rows
from pipeline.pipeline import Pipeline
from pipeline.resources import lexicons_dir
from pipeline.stages.dates import DateStage
from pipeline.stages.normalize import Normalizer, normalize_text
from pipeline.stages.tokenize import Tokenizer

EXAMPLES = load_examples("dates_examples.tsv")
KINDS = ("DATE", "TIME")


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline([Normalizer(), Tokenizer(), DateStage()])


def _run(pipe: Pipeline, text: str, anchor: str = "") -> Document:
    date = dt.date.fromisoformat(anchor) if anchor else None
    return pipe(Document(id="t", raw=text, date=date))


def _dates(doc: Document) -> list:
    return [m for m in doc.mentions if m.type in KINDS]


def test_examples_file_is_big_enough() -> None:
    assert len(EXAMPLES) >= 300
    assert sum(1 for r in EXAMPLES if r["type"] == "-") >= 20


@pytest.mark.parametrize("row", EXAMPLES, ids=[f"{i}" for i in range(len(EXAMPLES))])
def test_example(pipe: Pipeline, row: dict[str, str]) -> None:
    doc = _run(pipe, row["text"], row["anchor"])
    found = _dates(doc)
    for m in found:
        assert doc.raw[m.start : m.end] == m.text
    got = [(m.type, m.text, m.value) for m in found]
    if row["type"] == "-":
        assert not found, f"expected no date in {row['text']!r}, got {got}"
        return
    assert row["span"] in row["text"], "the expected span must be a substring of the text"
    want = (row["type"], row["span"], row["value"])
    assert want in got, f"{row['text']!r}: expected {want}, got {got}"


def test_seed_article_without_a_date(pipe: Pipeline, seed_text: str) -> None:
    """Anchor inferred from the dateline (الجمعة 9 أغسطس/آب 2024), relative dates resolved on it."""
    doc = _run(pipe, seed_text)
    got = {(m.text, m.value) for m in _dates(doc)}
    expected = {
        ("الجمعة 9 أغسطس/آب 2024", "2024-08-09"),
        ("مايو/أيار 2024", "2024-05"),
        ("يوليو 2022", "2022-07"),
        ("عام 2018", "2018"),
        ("عام 2030", "2030"),
        ("العام الماضي", "2023"),
        ("التاسع والعاشر من أغسطس/آب", "2024-08-09/2024-08-10"),
        ("10 من أغسطس/آب القادم", "2024-08-10"),
        ("القرن الحادي والعشرين", "20"),
        ("اليوم نفسه", "2024-08-09"),  # the same day, counted from the document's
    }
    assert expected <= got, expected - got
    assert got == expected, f"unexpected extra dates: {got - expected}"
    assert doc.meta.get("date_inferred") == "2024-08-09"
    for m in doc.mentions:
        assert doc.raw[m.start : m.end] == m.text
        assert m.source == "dates"


def test_seed_given_date_wins(pipe: Pipeline, seed_text: str) -> None:
    doc = _run(pipe, seed_text, "2025-03-01")
    values = {m.text: m.value for m in _dates(doc)}
    assert values["العام الماضي"] == "2024"
    assert values["الجمعة 9 أغسطس/آب 2024"] == "2024-08-09"
    assert "date_inferred" not in doc.meta


def test_no_anchor_leaves_relative_values_empty(pipe: Pipeline) -> None:
    doc = _run(pipe, "وصل الوزير أمس، وسيعود العام المقبل.")
    assert [(m.text, m.value) for m in _dates(doc)] == [("أمس", ""), ("العام المقبل", "")]


def test_windows_find_what_a_full_scan_finds(pipe: Pipeline, seed_text: str) -> None:
    """The trigger windows are an optimisation only: same mentions as scanning all the text."""
    stage = pipe["dates"]
    texts = [seed_text] + [r["text"] for r in EXAMPLES]
    for text in texts:
        doc = Tokenizer()(Normalizer()(Document(id="w", raw=text)))
        full, _ = find_dates(stage._grammar, doc.norm, None)
        windowed, _ = find_dates(stage._grammar, doc.norm, None, stage._trigger_spans(doc))
        assert [(m.start, m.end, m.value) for m in full] == [
            (m.start, m.end, m.value) for m in windowed
        ], text


def test_offsets_with_diacritics_and_tatweel(pipe: Pipeline) -> None:
    text = "وَصَلَ الوَفْدُ فِي ٩ أُغُسْطُس ٢٠٢٤م، ثم غادرَ غــداً."
    doc = _run(pipe, text, "2024-08-09")
    got = [(m.text, m.value) for m in _dates(doc)]
    assert ("٩ أُغُسْطُس ٢٠٢٤م", "2024-08-09") in got
    assert ("غــداً", "2024-08-10") in got


@pytest.mark.parametrize(
    ("anchor", "wd", "sign", "want"),
    [
        ("2024-08-09", 4, 0, "2024-08-09"),  # bare Friday on a Friday: that day
        ("2024-08-09", 3, 0, "2024-08-08"),  # bare Thursday: the latest one
        ("2024-08-09", 4, 1, "2024-08-16"),  # الجمعة المقبلة: strictly after
        ("2024-08-09", 4, -1, "2024-08-02"),  # الجمعة الماضية: strictly before
        ("2024-08-09", 5, 1, "2024-08-10"),
        ("2024-08-09", 5, -1, "2024-08-03"),
    ],
)
def test_weekday_rule(anchor: str, wd: int, sign: int, want: str) -> None:
    assert _weekday_value(dt.date.fromisoformat(anchor), wd, sign) == want


def test_month_without_year_is_the_nearest() -> None:
    a = dt.date(2025, 1, 3)
    assert _month_value(a, 12, 0) == "2024-12"
    assert _month_value(a, 3, 0) == "2025-03"
    assert _month_value(a, 1, 1) == "2026-01"
    assert _month_value(a, 1, -1) == "2024-01"
    assert _day_month_value(a, 12, 25, 0) == "2024-12-25"
    assert _day_month_value(a, 1, 2, 1) == "2026-01-02"
    assert _month_value(None, 8, 0) == ""


def test_ordinals_cover_every_day() -> None:
    assert set(ORDINALS.values()) >= set(range(1, 32))
    assert ORDINALS["الحادي والعشرين"] == 21
    assert ORDINALS["التاسع عشر"] == 19
    for word in ORDINALS:
        assert normalize_text(word)[0] == word


def test_month_lexicon_is_normalized_and_complete() -> None:
    with (lexicons_dir() / "months.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        assert normalize_text(row["name"])[0] == row["norm"], row
    greg = {(r["norm"], int(r["number"])) for r in rows if r["kind"] == "gregorian"}
    for word, n in [("اغسطس", 8), ("اب", 8), ("غشت", 8), ("اوت", 8), ("كانون الثاني", 1),
                    ("جانفي", 1), ("يوليوز", 7), ("جويليه", 7), ("دجنبر", 12), ("تشرين الاول", 10)]:  # fmt: skip
        assert (word, n) in greg
    hijri = {(r["norm"], int(r["number"])) for r in rows if r["kind"] == "hijri"}
    assert {("ربيع الاخر", 4), ("ربيع الثاني", 4), ("جمادي الاولي", 5), ("ذو الحجه", 12)} <= hijri
    assert {int(r["number"]) for r in rows if r["kind"] == "weekday"} == set(range(7))


_ALPHABET = st.sampled_from(
    list("0123456789٠١٢٣٤٥٦٧٨٩/:-.,% \n") + ["أغسطس", "آب", "عام", "الساعة", "هـ", "اليوم", "من"]
    + ["الجمعة", "صفر", "القرن", "الحادي", "والعشرين", "ــ", "\u064b", "مساء", "2024", "1446"]
)  # fmt: skip


_PROPERTY_PIPE = Pipeline([Normalizer(), Tokenizer(), DateStage()])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map(" ".join), st.booleans())
def test_never_crashes_and_offsets_hold(text: str, with_anchor: bool) -> None:
    doc = _run(_PROPERTY_PIPE, text, "2024-08-09" if with_anchor else "")
    for m in doc.mentions:
        assert doc.raw[m.start : m.end] == m.text
        assert m.type in KINDS
        assert isinstance(m.value, str)


def test_normalized_forms(pipe: Pipeline) -> None:
    """Hijri dates keep the Hijri form, times keep their zone, in `normalized`."""
    doc = _run(pipe, "صدر القرار في 5 صفر 1446 هـ الموافق 9 أغسطس 2024م الساعة 15:15 بتوقيت مكة")
    by_text = {m.text: m for m in _dates(doc)}
    hijri = by_text["5 صفر 1446 هـ"]
    assert (hijri.value, hijri.normalized) == ("2024-08-09", "1446-02-05 AH")
    time = by_text["9 أغسطس 2024م الساعة 15:15 بتوقيت مكة"]
    assert time.type == "TIME"
    assert (time.value, time.normalized) == ("2024-08-09T15:15+03:00", "15:15 بتوقيت مكه")


@pytest.mark.parametrize(
    ("anchor", "month", "day", "wd", "want"),
    [
        ("2024-08-09", 11, 3, 6, "2024-11-03"),  # الأحد 3 نوفمبر: 2024 is a Sunday year
        ("2024-08-09", 11, 3, 0, "2025-11-03"),  # الاثنين 3 نوفمبر: never 2024 (a Sunday)
        ("2024-08-09", 2, 29, 5, "2020-02-29"),  # السبت 29 فبراير: a leap year with that weekday
        ("2026-12-06", 11, 3, 6, "2024-11-03"),  # nearest, past or future
    ],
)
def test_weekday_fixes_the_year(anchor: str, month: int, day: int, wd: int, want: str) -> None:
    got = _weekday_year(month, day, wd, dt.date.fromisoformat(anchor))
    assert got == want
    assert dt.date.fromisoformat(got).weekday() == wd
    assert _weekday_year(month, day, wd, None) == ""


def test_nth_weekday_and_parts() -> None:
    first, last = dt.date(2024, 11, 1), dt.date(2024, 11, 30)
    assert _nth_weekday(first, last, 3, -1) == "2024-11-28"  # آخر خميس من نوفمبر
    assert _nth_weekday(first, last, 4, 1) == "2024-11-01"
    assert _nth_weekday(first, last, 0, 5) == ""  # no fifth Monday in November 2024
    assert _part_of(first, last, "month", "start") == "2024-11-01/2024-11-10"
    assert _part_of(first, last, "month", "mid") == "2024-11-11/2024-11-20"
    assert _part_of(first, last, "month", "end") == "2024-11-21/2024-11-30"
    year = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert _part_of(*year, "year", "end") == "2024-09/2024-12"
    assert _part_of(*year, "year", "last") == "2024-12-31"


def test_time_zone_lexicon_is_normalized() -> None:
    rows = load_rows("timezones")
    assert rows[0] == ("name", "norm", "offset")
    for name, norm, offset in rows[1:]:
        assert normalize_text(name)[0] == norm
        assert len(offset) == 6 and offset[0] in "+-" and offset[3] == ":"
    zones = load_time_zones()
    assert zones["مكه المكرمه"] == "+03:00" and zones["GMT"] == "+00:00"
    assert "القاهره" not in zones  # daylight saving: no fixed offset


def test_clock_time_takes_the_document_day(pipe: Pipeline) -> None:
    """A clock time with no day written is on the document's day when the anchor is known (given
    or inferred), and keeps only its clock part when it is not."""
    given = _run(pipe, "بدأ الاجتماع في الرابعة عصرا", "2024-08-09")
    assert [(m.text, m.value) for m in _dates(given)] == [("الرابعة عصرا", "2024-08-09T16:00")]
    bare = _run(pipe, "بدأ الاجتماع في الرابعة عصرا")
    assert [(m.text, m.value) for m in _dates(bare)] == [("الرابعة عصرا", "T16:00")]
    joined = _run(pipe, "يصل الوفد غدا الساعة 10:30 بتوقيت مكة", "2024-08-09")
    assert [m.value for m in _dates(joined)] == ["2024-08-10T10:30+03:00"]


@pytest.mark.parametrize("anchor", ["0001-01-05", "9999-12-28"])
def test_anchor_at_the_calendar_edge_never_crashes(pipe: Pipeline, anchor: str) -> None:
    text = "الخميس الماضي ونهاية العام المقبل وآخر جمعة من الشهر المقبل والأحد 3 نوفمبر الساعة 10"
    doc = _run(pipe, text, anchor)
    assert all(isinstance(m.value, str) for m in _dates(doc))
