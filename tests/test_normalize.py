from __future__ import annotations

import pytest
from examples import load_examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import Document
from pipeline.stages.normalize import CHAR_MAP, Normalizer, normalize_text

EXAMPLES = load_examples("normalize_examples.tsv")


def test_examples_file_is_large_enough():
    assert len(EXAMPLES) >= 40


@pytest.mark.parametrize("row", EXAMPLES, ids=lambda r: r["raw"][:20])
def test_examples(row):
    norm, starts, ends = normalize_text(row["raw"])
    assert norm == row["norm"]
    assert normalize_text(norm)[0] == norm  # idempotent


@pytest.mark.parametrize("row", EXAMPLES, ids=lambda r: r["raw"][:20])
def test_alignment_points_into_raw(row):
    raw = row["raw"]
    norm, starts, ends = normalize_text(raw)
    if starts is None:
        assert len(norm) == len(raw)
        return
    assert len(starts) == len(ends) == len(norm)
    prev_start = 0
    for s, e in zip(starts.tolist(), ends.tolist()):
        assert 0 <= s < e <= len(raw)
        assert s >= prev_start  # monotone; characters of one cluster share a span
        prev_start = s


def test_diacritics_belong_to_their_letter():
    raw = "أيضاً"
    norm, starts, ends = normalize_text(raw)
    assert norm == "ايضا"
    assert raw[starts[-1] : ends[-1]] == "اً"


def test_tatweel_is_absorbed_by_previous_letter():
    raw = "جـدة"
    norm, starts, ends = normalize_text(raw)
    assert norm == "جده"
    assert raw[starts[0] : ends[0]] == "جـ"


def test_invisible_controls_belong_to_no_character():
    raw = "\u200fأستانا\u200e"
    doc = Normalizer()(Document("d", raw))
    assert doc.to_raw(0, len(doc.norm)) == (1, len(raw) - 1)


def test_identity_alignment_when_no_length_change():
    doc = Normalizer()(Document("d", "أستانا ٢٠٢٤"))
    assert doc._starts is None
    assert doc.norm == "استانا 2024"
    assert doc.to_raw(7, 11) == (7, 11)


def test_camel_tools_diacritics_are_all_removed():
    charsets = pytest.importorskip("camel_tools.utils.charsets")
    for ch in charsets.AR_DIAC_CHARSET:
        assert normalize_text("ب" + ch)[0] == "ب"


def test_char_map_values_are_fixed_points():
    for value in CHAR_MAP.values():
        assert normalize_text(value)[0] == value


_ARABIC_TEXT = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0621, 0x064B) if c != 0x0640]  # tatweel: see below
        + list("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0671 ")
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_ARABIC_TEXT)
def test_letters_and_diacritics_normalize_as_camel_tools_does(text):
    """camel-tools' utilities are the reference for what the normalizer does to Arabic letters:
    dediacritization (`dediac_ar`), alef, alef maqsura and teh marbuta normalization, composed.
    Ours does the same in one pass while keeping the raw offsets, and removes tatweel as well
    (normalize_examples.tsv: الـــرياض), which `dediac_ar` keeps."""
    dediac = pytest.importorskip("camel_tools.utils.dediac")
    norm = pytest.importorskip("camel_tools.utils.normalize")
    expected = norm.normalize_alef_ar(
        norm.normalize_alef_maksura_ar(norm.normalize_teh_marbuta_ar(dediac.dediac_ar(text)))
    )
    assert normalize_text(text)[0] == expected
