from __future__ import annotations

import pytest
from examples import load_examples

from pipeline import Pipeline
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tokenize import Tokenizer

EXAMPLES = load_examples("tokenize_examples.tsv")
NLP = Pipeline([Normalizer(), Tokenizer()])


def test_examples_file_is_large_enough():
    assert len(EXAMPLES) >= 40


@pytest.mark.parametrize("row", EXAMPLES, ids=lambda r: r["text"][:24])
def test_examples(row):
    doc = NLP(row["text"])
    assert [t.text for t in doc.tokens] == row["tokens"].split(" | ")
    for t in doc.tokens:
        assert doc.raw[t.start : t.end] == t.text


def test_sentences_split_on_arabic_and_latin_punctuation_and_lines():
    doc = NLP("قال إنه سيحضر. هل حضر؟ نعم!\nسطر جديد «وانتهى».")
    texts = [doc.raw[s.start : s.end] for s in doc.sentences]
    assert texts == ["قال إنه سيحضر.", "هل حضر؟", "نعم!", "سطر جديد «وانتهى»."]
    for k, s in enumerate(doc.sentences):
        assert all(doc.tokens[i].sentence == k for i in range(s.first_token, s.last_token))


def test_decimal_point_does_not_end_a_sentence():
    doc = NLP("بلغ 5.7 مليار دولار. ثم ارتفع")
    assert len(doc.sentences) == 2
    assert "5.7" in [t.text for t in doc.tokens]


def test_crlf_is_kept_and_counted():
    raw = "السطر الأول\r\nالسطر الثاني"
    doc = NLP(raw)
    assert [doc.raw[s.start : s.end] for s in doc.sentences] == ["السطر الأول", "السطر الثاني"]
    second = doc.tokens[2]
    assert second.text == "السطر" and second.start == raw.index("السطر", 5)


def test_seed_article_tokens_are_raw_slices(seed_text):
    doc = NLP(seed_text)
    assert len(doc.tokens) > 400
    assert all(seed_text[t.start : t.end] == t.text for t in doc.tokens)
    assert "وتوكاييف" in [t.text for t in doc.tokens]
