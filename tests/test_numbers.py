"""The numbers stage against its examples file, the seed article, and the offset invariant.

Each row of pipeline/stages/numbers_examples.tsv is `text, type, value, unit, span`. A typed row
needs a mention whose text is exactly `span` with that type, value and unit. A `-` row needs no
amount mention overlapping `span` (or none at all when `span` is empty).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.amounts.grammar import _candidates, find_amounts
from pipeline.amounts.lexer import start_windows
from pipeline.document import Document
from pipeline.pipeline import Pipeline
from pipeline.stages.normalize import Normalizer
from pipeline.stages.numbers import NumberStage
from pipeline.stages.tokenize import Tokenizer
from pipeline.trie import trie_pattern

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "pipeline" / "stages" / "numbers_examples.tsv"
SEED = ROOT / "seeds" / "000_42077914264d8127.txt"
AMOUNT_TYPES = {"NUMBER", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}


def _rows() -> list[dict[str, str]]:
    with EXAMPLES.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _rows()


@pytest.fixture(scope="module")
def nlp() -> Pipeline:
    return Pipeline([Normalizer(), Tokenizer(), NumberStage()])


def _expected_value(text: str) -> int | float | str:
    if "/" in text:
        return text
    if text.lstrip("-").isdigit():
        return int(text)
    return float(text)


def _same_value(got: object, want: int | float | str) -> bool:
    if isinstance(want, str):
        return got == want
    if isinstance(want, int):
        return type(got) is int and got == want
    return isinstance(got, float) and abs(got - want) <= 1e-9 * max(1.0, abs(want))


def test_examples_file_is_big_and_well_formed() -> None:
    assert len(ROWS) >= 300
    types = {r["type"] for r in ROWS}
    assert types <= AMOUNT_TYPES | {"-"}
    assert AMOUNT_TYPES <= types and "-" in types
    for r in ROWS:
        assert r["span"] == "" or r["span"] in r["text"], r
        if r["type"] != "-":
            assert r["value"], r


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}:{r['text'][:30]}" for i, r in enumerate(ROWS)])
def test_example(nlp: Pipeline, row: dict[str, str]) -> None:
    doc = nlp(row["text"])
    ms = [m for m in doc.mentions if m.type in AMOUNT_TYPES]
    for m in ms:
        assert doc.raw[m.start : m.end] == m.text
        assert m.source == "numbers"
    got = [(m.type, m.text, m.value, m.unit) for m in ms]
    if row["type"] == "-":
        if not row["span"]:
            assert not ms, got
            return
        a = row["text"].index(row["span"])
        b = a + len(row["span"])
        assert not [m for m in ms if m.start < b and a < m.end], got
        return
    want = _expected_value(row["value"])
    ok = [
        m
        for m in ms
        if m.type == row["type"]
        and _same_value(m.value, want)
        and m.unit == row["unit"]
        and (not row["span"] or m.text == row["span"])
    ]
    assert ok, f"wanted {row['type']} {want!r} {row['unit']!r} on {row['span']!r}; got {got}"


def test_seed_article(nlp: Pipeline) -> None:
    raw = SEED.read_text(encoding="utf-8")
    doc = nlp(raw)
    money = {(m.text, m.value, m.unit) for m in doc.mentions if m.type == "MONEY"}
    assert ("5.7 مليار دولار", 5700000000, "USD") in money
    assert ("11 مليار دولار", 11000000000, "USD") in money
    assert ("8 مليارات دولار", 8000000000, "USD") in money
    pct = [(m.text, m.value, m.unit) for m in doc.mentions if m.type == "PERCENT"]
    assert pct == [("26.8%", 26.8, "%")]
    assert any(m.type == "NUMBER" and m.text == "خمسة" and m.value == 5 for m in doc.mentions)
    a = raw.index("9 أغسطس/آب 2024")
    b = a + len("9 أغسطس/آب 2024")
    assert not [m for m in doc.mentions if m.start < b and a < m.end]
    for m in doc.mentions:
        assert raw[m.start : m.end] == m.text


def test_existing_date_mention_blocks_numbers() -> None:
    raw = SEED.read_text(encoding="utf-8")
    doc = Tokenizer()(Normalizer()(Document(id="seed", raw=raw)))
    spans = []
    for phrase in ("9 أغسطس/آب 2024", "عام 2030", "5.7 مليار"):
        a = raw.index(phrase)
        spans.append((a, a + len(phrase)))
        doc.add_mention("DATE", a, a + len(phrase), source="test")
    NumberStage()(doc)
    mine = [m for m in doc.mentions if m.source == "numbers"]
    for a, b in spans:
        assert not [m for m in mine if m.start < b and a < m.end]
    # The other amounts are still found.
    assert any(m.type == "MONEY" and m.value == 11000000000 for m in mine)


def test_offsets_survive_diacritics_and_tatweel(nlp: Pipeline) -> None:
    raw = "دفعَ ثلاثةَ آلافٍ وخمسمائةِ دولارٍ، وارتفعت الأسعار بنسبة ١٠٪ في الشهـــر"
    doc = nlp(raw)
    by_type = {m.type: m for m in doc.mentions}
    assert by_type["MONEY"].value == 3500 and by_type["MONEY"].unit == "USD"
    assert by_type["MONEY"].text == "ثلاثةَ آلافٍ وخمسمائةِ دولارٍ"
    assert by_type["PERCENT"].text == "١٠٪"
    for m in doc.mentions:
        assert raw[m.start : m.end] == m.text


def test_thin_space_groups_are_one_number(nlp: Pipeline) -> None:
    doc = nlp("بلغت الميزانية 1\u2009200\u2009000 دولار")
    money = [m for m in doc.mentions if m.type == "MONEY"]
    assert [(m.value, m.unit) for m in money] == [(1200000, "USD")]
    plain = nlp("بلغ 1 200 شخص")
    assert all(m.value != 1200 for m in plain.mentions)


def test_proclitic_excluded_and_sentence_set(nlp: Pipeline) -> None:
    doc = nlp("جاء الوفد. ووصل وخمسة من الجرحى")
    (m,) = [m for m in doc.mentions if m.type == "NUMBER"]
    assert m.text == "خمسة" and m.sentence == 1


def test_values_are_json_friendly(nlp: Pipeline) -> None:
    doc = nlp("بلغت 5.7 مليار دولار و2.5 مليون طن وارتفعت 3.5%")
    for m in doc.mentions:
        assert type(m.value) in (int, float, str)
    vals = {m.type: m.value for m in doc.mentions}
    assert vals["MONEY"] == 5700000000 and type(vals["MONEY"]) is int
    assert vals["QUANTITY"] == 2500000 and vals["PERCENT"] == 3.5


def test_stage_declares_itself() -> None:
    s = NumberStage()
    assert s.name == "numbers" and s.requires == ("norm",) and "amounts" in s.provides
    assert s.after == ("tokens", "names", "dates")  # where to look; mentions not to overlap
    with pytest.raises(Exception):  # noqa: B017  (PipelineError: norm not provided)
        Pipeline([NumberStage()])


def test_trie_pattern_prefers_longest() -> None:
    import regex

    pat = regex.compile("(?:" + trie_pattern(["كم", "كم مربع", "كيلو"]) + ")")
    assert pat.match("كم مربع").group() == "كم مربع"
    assert pat.match("كم").group() == "كم"
    assert pat.match("كيلوغرام").group() == "كيلو"


def test_find_amounts_is_usable_on_plain_norm() -> None:
    stage = NumberStage()
    out = find_amounts("بلغت 26.8% و3 ملايين دولار", stage.tables)
    assert [(a.type, a.value, a.unit) for a in out] == [
        ("PERCENT", 26.8, "%"),
        ("MONEY", 3000000, "USD"),
    ]


def test_dense_text_every_amount_found() -> None:
    """Speed is measured by bench/bench_stage.py numbers, never asserted here; this checks a dense text."""
    stage = NumberStage()
    text = ("ارتفعت الصادرات بنسبة 26.8% إلى 8 مليارات دولار مع عقد خمسة اجتماعات. " * 400).strip()
    doc = Tokenizer()(Normalizer()(Document(id="big", raw=text)))
    stage(doc)
    assert len([m for m in doc.mentions if m.type == "MONEY"]) == 400
    assert len([m for m in doc.mentions if m.type == "PERCENT"]) == 400


_PIECES = (
    "خمسة وخمسة بخمسة وبخمسة للخامس والثلاثة الثالث عشر ألف ملايين مليار ونصف ربع مئة "
    "دولار ريال بالمئة % كم F 16 2024 3.5 1,200 15,7 - / : . ، abc x9 الف1 ب5 ال3 2024-08-09"
).split()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(["", "", " ", "\n"]))))
@example([("خمسة", ""), ("abc", " "), ("دولار", "")])  # a letter right after the token
@example([("وبخمسة", ""), ("x9", "")])
@example(
    [(".", ""), ("16", "")]
)  # a decimal without its zero, split from its point by the tokenizer
def test_token_windows_find_what_the_whole_scan_finds(pieces: list[tuple[str, str]]) -> None:
    """With tokens, the stage scans only the tokens that may start an amount; the amounts must be
    those of the scan over the whole text, whatever sits next to them."""
    text = "".join(p + sep for p, sep in pieces)
    doc = Tokenizer()(Normalizer()(Document(id="t", raw=text)))
    spans = start_windows(doc.tokens, doc.to_norm_pos)
    whole = [m.span() for m in _candidates(doc.norm, None)]
    assert [m.span() for m in _candidates(doc.norm, spans)] == whole
    tables = _stage().tables
    assert find_amounts(doc.norm, tables, spans=spans) == find_amounts(doc.norm, tables)


def _stage() -> NumberStage:
    global _STAGE
    if _STAGE is None:
        _STAGE = NumberStage()
    return _STAGE


_STAGE: NumberStage | None = None
