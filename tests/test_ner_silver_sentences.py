"""Silver sentences (pipeline.training.silver_sentences): news sentences the accurate NER labelled,
kept only where every name it found is confident, and read by the CRF trainer as one more set."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.document import Mention, Token
from pipeline.resources import models_dir
from pipeline.training.silver_sentences import (
    SILVER_SET,
    _document_sentences,
    read_silver_sentences,
    write_silver_sentences,
)


@dataclass
class _Doc:
    """The two fields of a tagged `Document` that the sentence filter reads."""

    tokens: list[Token]
    mentions: list[Mention]


def _doc(sentences: list[str], mentions: list[tuple[str, str, float]]) -> _Doc:
    """Tokens of space-separated sentences, and mentions found by their text (first occurrence)."""
    toks, text, pos = [], "", 0
    for k, sent in enumerate(sentences):
        for w in sent.split():
            toks.append(Token(pos, pos + len(w), w, w, sentence=k))
            pos += len(w) + 1
        text += sent + " "
    found = []
    for words, typ, score in mentions:
        a = text.index(words)
        found.append(Mention(typ, a, a + len(words), words, score=score, source="ner"))
    return _Doc(toks, found)


def test_sentences_whose_names_are_all_confident_are_kept_with_bio_labels():
    doc = _doc(
        [
            "قال الرئيس جو بايدن في واشنطن امس",
            "واكد ان شركه ارامكو السعوديه ستعلن النتائج",
            "عاجل",  # too short: a headline
        ],
        [
            ("جو بايدن", "PERSON", 0.97),
            ("واشنطن", "LOCATION", 0.91),
            ("ارامكو السعوديه", "ORGANIZATION", 0.55),  # unsure: the sentence goes
        ],
    )
    kept = _document_sentences(doc, min_score=0.8)
    assert kept == [
        [
            ("قال", "O"),
            ("الرئيس", "O"),
            ("جو", "B-PER"),
            ("بايدن", "I-PER"),
            ("في", "O"),
            ("واشنطن", "B-LOC"),
            ("امس", "O"),
        ]
    ]
    assert len(_document_sentences(doc, min_score=0.5)) == 2
    # a name that is not the NER's (a date, an amount) never labels a token
    doc.mentions.append(Mention("DATE", 0, 3, "قال", score=0.1, source="dates"))
    assert len(_document_sentences(doc, min_score=0.8)) == 1


def test_a_name_inside_a_clitic_token_labels_the_whole_token():
    doc = _doc(["وصل الوفد الي وواشنطن صباح اليوم"], [])
    a = doc.tokens[3].start + 1  # "واشنطن" behind the conjunction
    doc.mentions.append(
        Mention("LOCATION", a, doc.tokens[3].end, "واشنطن", score=0.99, source="ner")
    )
    (sent,) = _document_sentences(doc, min_score=0.8)
    assert sent[3] == ("وواشنطن", "B-LOC")


def test_the_file_reads_back_what_was_written(tmp_path):
    sents = [
        [("قال", "O"), ("بايدن", "B-PER")],
        [("في", "O"), ("الامم", "B-ORG"), ("المتحده", "I-ORG")],
    ]
    write_silver_sentences(sents, tmp_path / "s.tsv")
    assert read_silver_sentences(tmp_path / "s.tsv") == sents


def _model_dir(path: Path) -> Path:
    path.mkdir()
    shutil.copy(models_dir() / "ner" / "clusters.tsv", path / "clusters.tsv")
    return path


def test_the_crf_trainer_takes_them_as_a_set(tmp_path):
    from test_ner_train import _write_data

    from pipeline.training.ner import train

    data = _write_data(tmp_path / "data")
    silver = [[("قال", "O"), ("توكاييف", "B-PER"), ("في", "O"), ("استانا", "B-LOC")]] * 6
    write_silver_sentences(silver, tmp_path / "silver.tsv")
    kw = {"params": {"max_iterations": 20}, "silver": False}
    with pytest.raises(SystemExit, match="--silver-sentences"):  # the set needs its file
        train(data, tmp_path, adapt_sets=(SILVER_SET,), **kw)
    meta = train(
        data,
        _model_dir(tmp_path / "with"),
        adapt_sets=("wikifane_train", SILVER_SET),
        silver_sentences=tmp_path / "silver.tsv",
        **kw,
    )
    assert meta["silver_sentences"] == 6
    assert meta["parts"][1]["sets"] == ["anercorp_train", "wikifane_train", SILVER_SET]
    without = train(data, _model_dir(tmp_path / "without"), adapt_sets=("wikifane_train",), **kw)
    assert "silver_sentences" not in without
    assert meta["parts"][1]["train_tokens"] == without["parts"][1]["train_tokens"] + 24


class _Stop(Exception):
    """Raised by the stand-in for the network's training loop once it has seen its data."""


def test_the_network_trainer_takes_them_in_the_main_head_or_a_head_of_their_own(
    tmp_path, monkeypatch
):
    """`ner_lstm train --silver-sentences`: the set joins the exported head's data when `sets`
    names it, or trains a head of its own when `aux_sets` does; unnamed, it is an error."""
    pytest.importorskip("torch")
    from test_ner_train import _write_data

    from pipeline.training import ner_lstm

    data = _write_data(tmp_path / "data")
    silver = [[("قال", "O"), ("توكاييف", "B-PER"), ("في", "O"), ("استانا", "B-LOC")]] * 5
    write_silver_sentences(silver, tmp_path / "silver.tsv")
    vectors = tmp_path / "vectors.npz"
    seen: list[tuple[int, list[int]]] = []

    def recording_fit(train_sents, dev, featurizer, vectors_, s, t0, aux=()):
        seen.append((len(train_sents), [len(a) for a in aux]))
        raise _Stop

    monkeypatch.setattr(ner_lstm, "_fit", recording_fit)
    monkeypatch.setattr(ner_lstm, "_vectors", lambda data, path: {})
    out = _model_dir(tmp_path / "out")
    with pytest.raises(SystemExit, match="--silver-sentences"):
        ner_lstm.train(data, out, vectors, ("anercorp_train", SILVER_SET))
    assert not seen  # refused before any training
    for sets, aux in (
        (("anercorp_train",), ""),
        (("anercorp_train", SILVER_SET), ""),
        (("anercorp_train",), SILVER_SET),
    ):
        with pytest.raises(_Stop):
            ner_lstm.train(data, out, vectors, sets, {"aux_sets": aux}, tmp_path / "silver.tsv")
    with pytest.raises(_Stop):  # a sample of the file
        ner_lstm.train(data, out, vectors, sets=("anercorp_train", SILVER_SET),
                       silver_sentences=tmp_path / "silver.tsv", silver_sample=2)  # fmt: skip
    (base, no_aux), (with_silver, _), (main_only, aux_sizes), (sampled, _) = seen
    assert no_aux == [] and with_silver == base + 5 and sampled == base + 2
    assert main_only == base and aux_sizes == [5]
