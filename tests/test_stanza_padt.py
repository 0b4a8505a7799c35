"""Data preparation for stanza's trainers, and the shipped stanza models (if present) loading offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.resources import data_dir, models_dir
from pipeline.training.padt import PadtToken, norm, padt_path
from pipeline.training.stanza_padt import (
    PACKAGES,
    detokenize,
    gold_spans,
    model_path,
    norm_sentence,
    tokenizer_labels,
    write_conllu,
    write_resources,
    write_tokenizer_files,
)

# وقال الرئيس إنه سيزور لليابان ( غدا ) ، " قريبا " .
SENT = [
    PadtToken("وقال", [("و", "CCONJ"), ("قال", "VERB")]),
    PadtToken("الرئيس", [("الرئيس", "NOUN")]),
    PadtToken("إنه", [("إن", "SCONJ"), ("ه", "PRON")]),
    PadtToken("سيزور", [("س", "AUX"), ("يزور", "VERB")]),
    PadtToken("لليابان", [("ل", "ADP"), ("اليابان", "X")]),
    PadtToken("(", [("(", "PUNCT")]),
    PadtToken("غدا", [("غدا", "ADV")]),
    PadtToken(")", [(")", "PUNCT")]),
    PadtToken("،", [("،", "PUNCT")]),
    PadtToken('"', [('"', "PUNCT")]),
    PadtToken("قريبا", [("قريبا", "ADV")]),
    PadtToken('"', [('"', "PUNCT")]),
    PadtToken(".", [(".", "PUNCT")]),
]
SENT2 = [PadtToken("ـ", [("ـ", "PUNCT")]), PadtToken("كتابه", [("كتاب", "NOUN"), ("ه", "PRON")])]


def test_detokenize_glues_punctuation():
    text, spans = detokenize([f for f, _, _ in norm_sentence(SENT)])
    assert text == norm('وقال الرئيس إنه سيزور لليابان (غدا)، "قريبا".')
    forms = [f for f, _, _ in norm_sentence(SENT)]
    assert [text[a:b] for a, b in spans] == forms


def test_norm_sentence_drops_empty_tokens():
    toks = norm_sentence(SENT2)  # a tatweel-only token normalizes to nothing
    assert toks == [("كتابه", ["كتاب", "ه"], ["NOUN", "PRON"])]


def test_tokenizer_labels_and_files(tmp_path: Path):
    sents = [norm_sentence(SENT), norm_sentence(SENT2)] * 5
    write_tokenizer_files(sents, tmp_path / "t.txt", tmp_path / "t.lab", tmp_path / "m.json")
    text = (tmp_path / "t.txt").read_text(encoding="utf-8")
    labels = (tmp_path / "t.lab").read_text(encoding="utf-8")
    assert len(text) == len(labels)
    for c, lab in zip(text, labels):
        assert (c == "\n") == (lab == "\n")  # paragraph breaks line up
        if c == " ":
            assert lab == "0"
    paras = labels.strip("\n").split("\n\n")
    assert len(paras) == 2  # 10 sentences, 8 to a paragraph
    assert sum(p.count("2") + p.count("4") for p in paras) == 10  # one sentence end each
    s = norm_sentence(SENT)
    t, sp = detokenize([f for f, _, _ in s])
    lab = tokenizer_labels(t, sp, [len(w) > 1 for _, w, _ in s])
    assert lab[sp[0][1] - 1] == "3" and lab[sp[1][1] - 1] == "1" and lab[-1] == "2"
    mwts = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert [[norm("لليابان"), [norm("ل"), norm("اليابان")]], 5] in mwts


def test_conllu_ranges(tmp_path: Path):
    write_conllu([norm_sentence(SENT)], tmp_path / "x.conllu")
    lines = (tmp_path / "x.conllu").read_text(encoding="utf-8").splitlines()
    text = next(x for x in lines if x.startswith("# text = "))[9:]
    rows = [x.split("\t") for x in lines if x and not x.startswith("#")]
    ranges = [r for r in rows if "-" in r[0]]
    words = [r for r in rows if "-" not in r[0]]
    assert len(ranges) == 4 and len(words) == len(norm_sentence(SENT)) + 4
    assert [int(r[0]) for r in words] == list(range(1, len(words) + 1))
    for r in ranges:
        a, b = map(int, r[0].split("-"))
        assert b > a and r[1] in text
    assert all(len(r) == 10 and r[1] and r[3] for r in words)


def test_gold_spans_align_clitics():
    text, gold = gold_spans(norm_sentence(SENT))
    # ل + اليابان is written لليابان: ل|ليابان
    start = text.index(norm("لليابان"))
    assert gold[(start, start + 1)] == "ADP" and gold[(start + 1, start + 7)] == "X"
    assert len(gold) == sum(len(t.words) for t in SENT)


def test_resources_json(tmp_path: Path):
    write_resources(tmp_path)
    res = json.loads((tmp_path / "resources.json").read_text())
    assert res["ar"]["default_processors"] == PACKAGES
    assert model_path(tmp_path, "pos") == tmp_path / "ar" / "pos" / "padt_nopretrain.pt"


STANZA_DIR = models_dir() / "stanza"


@pytest.mark.skipif(
    not all(model_path(STANZA_DIR, p).exists() for p in PACKAGES), reason="no models/stanza"
)
def test_pipeline_offline_clitic_split():
    stanza = pytest.importorskip("stanza")
    nlp = stanza.Pipeline(
        "ar", dir=str(STANZA_DIR), processors="tokenize,mwt,pos", download_method=None,
        use_gpu=False, logging_level="WARN", pos_pretrain_path=None, tokenize_no_ssplit=True,
    )  # fmt: skip
    doc = nlp(norm("وقال الرئيس إنه سيزور لليابان."))
    toks = doc.sentences[0].tokens
    assert [t.text for t in toks][-1] == "."  # the full stop is split off
    assert [w.text for w in toks[0].words] == ["و", "قال"]
    assert toks[0].words[1].upos == "VERB"
    assert len(toks[-2].words) == 2  # لليابان -> ل + اليابان
    assert all(w.upos for t in toks for w in t.words)


@pytest.mark.skipif(not padt_path(data_dir(), "test").exists(), reason="no DATA_DIR/ud/padt")
def test_padt_files_prepare():
    from pipeline.training.padt import read_conllu

    sents = [norm_sentence(s) for _, s in zip(range(50), read_conllu(padt_path(data_dir(), "dev")))]
    for s in sents:
        text, spans = detokenize([f for f, _, _ in s])
        assert [text[a:b] for a, b in spans] == [f for f, _, _ in s]
