"""Property tests: on arbitrary text the pipeline never crashes and offsets stay exact."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import Pipeline
from pipeline.stages.normalize import normalize_text

ARABIC_PIECES = [
    "توكاييف", "وتوكاييف", "لليابان", "أستانا", "إبراهيم", "آسيا", "مصطفى", "مدرسة", "٢٠٢٤", "۱۴۰۳",
    "٥٫٧", "٢٦٫٨٪", "5.7", "1,200", "26.8%", "2024-08-09", "9/8/2024", "أغسطس/آب", "مليار دولار",
    "ـ", "\u064b", "\u064e", "\u0651", "\u0670", "\u0654", "\u200c", "\u200d", "\u200f", "\u202b",
    "\ufeff", "ﻻ", "ﷲ", "😀", "👍🏽", "👨\u200d👩\u200d👧", "𝔸", "e\u0301", "\u0301", " ", "\n", "\r\n",
    "،", "؛", "؟", "«", "»", "\"", "-", ".", "...", "https://x.org/a", "Kishida",
]  # fmt: skip

arabic_like = st.lists(st.sampled_from(ARABIC_PIECES), max_size=40).map("".join)
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200
)  # lone surrogates cannot come out of decoding a file
mixed = st.one_of(arabic_like, any_text, st.tuples(arabic_like, any_text).map("".join))

NLP = Pipeline.default()


def _check_doc(raw: str) -> None:
    doc = NLP(raw)
    assert doc.raw == raw
    for t in doc.tokens:
        assert raw[t.start : t.end] == t.text
        assert t.text.strip() == t.text and t.text
        for p in t.parts:
            assert raw[p.start : p.end] == p.text
    for s in doc.sentences:
        assert 0 <= s.start < s.end <= len(raw)
    for m in doc.mentions:
        assert raw[m.start : m.end] == m.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed)
def test_offsets_exact_and_no_crash(raw):
    _check_doc(raw)


@settings(max_examples=300, deadline=None)
@given(mixed)
def test_normalization_idempotent(raw):
    norm = normalize_text(raw)[0]
    assert normalize_text(norm)[0] == norm


@settings(max_examples=200, deadline=None)
@given(mixed)
def test_alignment_shape(raw):
    norm, starts, ends = normalize_text(raw)
    if starts is None:
        assert len(norm) == len(raw)
    else:
        assert len(starts) == len(ends) == len(norm)
        assert all(0 <= s < e <= len(raw) for s, e in zip(starts.tolist(), ends.tolist()))
