"""stanza's Arabic NER as the NER backend (`--ner stanza --stanza-dir DIR`), on a tiny model that
stanza's own trainer builds here, laid out as `stanza.download` lays out the official one
(tests/tiny_stanza.py)."""

from __future__ import annotations

import shutil

import pytest

from pipeline import cli
from pipeline.arabic.clitics import PROCLITIC_LETTERS
from pipeline.cli import main
from pipeline.ner.document import TYPE_MAP, bio_spans, clean_spans
from pipeline.ner.model import load_counts
from pipeline.ner.toolkit import our_label
from pipeline.resources import models_dir
from pipeline.table import read_table

stanza = pytest.importorskip("stanza")
TEXT = "قال الرئيس قاسم جومارت توكاييف في أستانا إن وتوكاييف زار لليابان.\n"


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    from tiny_stanza import resources_dir

    return resources_dir(tmp_path_factory.mktemp("stanza_resources"))


@pytest.fixture(scope="module")
def stanza_nlp(resources):
    """The tiny model through stanza's own Pipeline, to compare the backend's output with."""
    return stanza.Pipeline(
        "ar",
        dir=str(resources),
        processors="tokenize,ner",
        tokenize_pretokenized=True,
        download_method=None,
        logging_level="WARN",
    )


def _run(tmp_path, text, *extra):
    cli._default_pipeline.cache_clear()  # each test builds its backend with its own data
    src = tmp_path / "in.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    return main(["extract", str(src), "--out", str(out), "--quiet", *extra]), out


def _stanza_spans(nlp, text):
    """(type, raw start of the first token, raw end of the last, first token) of each entity the
    stanza model itself finds on our tokens, after the span cleanup every backend gets."""
    from pipeline import Pipeline

    doc = Pipeline.default()(text)
    counts = load_counts(models_dir() / "ner" / "vocab.tsv")
    out = []
    for s in doc.sentences:
        toks = doc.tokens[s.first_token : s.last_token]
        labels = [t.ner for t in nlp([[t.text for t in toks]]).sentences[0].tokens]
        spans = clean_spans(
            [t.norm for t in toks], bio_spans([our_label(x) for x in labels]), counts
        )
        out += [(TYPE_MAP[typ], toks[a].start, toks[b - 1].end, toks[a]) for a, b, typ in spans]
    return out


def _ner_mentions(tmp_path, text: str, resources):
    """Run the command with the stanza NER on `text`: every mention must point at its raw text;
    returns the NER's mentions and the output folder."""
    code, out = _run(tmp_path, text, "--ner", "stanza", "--stanza-dir", str(resources))
    assert code == 0
    ments = read_table(out / "mentions.csv")
    for m in ments.itertuples():
        assert text[m.start : m.end] == m.text
    return ments[ments.source == "ner"], out


def test_labels_map_to_ours():
    assert [our_label(x) for x in ("S-PER", "B-LOC", "I-ORG", "E-LOC", "O", None)] == [
        "B-PER", "B-LOC", "I-ORG", "I-LOC", "O", "O",
    ]  # fmt: skip
    assert [our_label(x) for x in ("B-PERS", "S-GPE", "E-PERSON", "B-MISC", "S-DATE")] == [
        "B-PER", "B-LOC", "I-PER", "O", "O",
    ]  # fmt: skip


def test_stanza_ner_through_the_command(tmp_path, resources, stanza_nlp):
    # the tiny model labels whole tokens, clitics and all: that is what the backend must undo
    words = TEXT.replace(".", " .").split()
    tags = dict(zip(words, (t.ner for t in stanza_nlp([words]).sentences[0].tokens)))
    assert tags["وتوكاييف"] == "S-PER" and tags["لليابان"] == "S-LOC" and tags["قال"] == "O"
    names, out = _ner_mentions(tmp_path, TEXT, resources)
    assert {(m.type, m.text) for m in names.itertuples()} == {
        ("PERSON", "قاسم جومارت توكاييف"),
        ("LOCATION", "أستانا"),
        ("PERSON", "توكاييف"),  # وتوكاييف without its proclitic
        ("LOCATION", "ليابان"),  # لليابان: ل + ليابان
    }
    bare = names[(names.text == "توكاييف")].iloc[0]
    assert TEXT[bare.start - 1] == "و"
    japan = names[names.text == "ليابان"].iloc[0]
    assert japan.normalized == "اليابان" and TEXT[japan.start - 1] == "ل"
    ents = read_table(out / "entities.csv")
    full = ents[ents.canonical == "قاسم جومارت توكاييف"]
    assert len(full) == 1 and full.mentions.iloc[0] == 2  # the surname joins the full name


def test_stanza_ner_on_the_seed(tmp_path, resources, stanza_nlp, seed_text):
    names, _ = _ner_mentions(tmp_path, seed_text, resources)
    got = {(m.type, m.end): m.start for m in names.itertuples()}
    expected = _stanza_spans(stanza_nlp, seed_text)
    assert len(expected) >= 10 and len(got) == len(expected)
    for typ, start, end, first in expected:  # each of stanza's spans is a mention ...
        assert (typ, end) in got
        cut = got[typ, end] - start  # ... that starts after the proclitics of its first token
        assert 0 <= cut < len(first.text)
        assert all(c in PROCLITIC_LETTERS for c in seed_text[start : start + cut])
    # the tagger splits the proclitic ل of لليابان, and the mention starts after it
    japan = names[(names.type == "LOCATION") & (names.normalized == "اليابان")]
    assert any(seed_text[m.start - 1] == "ل" and m.text == "ليابان" for m in japan.itertuples())


def test_python_api(resources):
    from pipeline import Pipeline
    from pipeline.stages import NerStage

    nlp = Pipeline.default()
    nlp.replace_stage("ner", NerStage(backend="stanza", model_dir=resources))
    doc = nlp(TEXT)
    assert {m.text for m in doc.ents if m.source == "ner"} >= {"أستانا", "توكاييف", "ليابان"}
    assert all(TEXT[m.start : m.end] == m.text for m in doc.mentions)
    assert Pipeline.default(ner="stanza", ner_model=str(resources))(TEXT).ents == doc.ents


def test_stanza_dir_feeds_the_backends_chosen(resources):
    def options(*argv):
        args = cli._parser().parse_args(["extract", "x.txt", *argv])
        return dict(cli._backend_options(args))

    d = str(resources)
    assert options("--ner", "stanza", "--stanza-dir", d) == {"ner": "stanza", "ner_model": d}
    assert options("--stanza-dir", d) == {"tagger": "stanza", "tagger_model": d}
    both = options("--ner", "stanza", "--tagger", "stanza", "--stanza-dir", d)
    assert both == {"ner": "stanza", "ner_model": d, "tagger": "stanza", "tagger_model": d}
    assert options("--ner", "stanza") == {"ner": "stanza"}  # stanza's default folder
    for bad in (
        ["--ner", "stanza", "--ner-model", d],
        ["--stanza-dir", d, "--tagger", "crf"],
        ["--tagger", "stanza", "--tagger-model", d, "--stanza-dir", d],  # which one?
    ):
        with pytest.raises(cli.UsageError):
            options(*bad)


def _one_line_exit_2(capsys, code, out):
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "Traceback" not in err[0] and not (out / "mentions.csv").exists()
    return err[0]


def test_missing_stanza_data_is_one_line_and_exit_2(tmp_path, resources, monkeypatch, capsys):
    empty = tmp_path / "empty"
    line = _one_line_exit_2(
        capsys, *_run(tmp_path, TEXT, "--ner", "stanza", "--stanza-dir", str(empty))
    )
    assert f"stanza.download('ar', model_dir='{empty}', processors='tokenize,ner')" in line
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path / "default"))
    line = _one_line_exit_2(capsys, *_run(tmp_path, TEXT, "--ner", "stanza"))
    assert f"model_dir='{tmp_path / 'default'}'" in line
    half = tmp_path / "half"  # resources.json and the model, not the vectors it depends on
    shutil.copytree(resources, half)
    (half / "ar" / "pretrain" / "tiny.pt").unlink()
    line = _one_line_exit_2(
        capsys, *_run(tmp_path, TEXT, "--ner", "stanza", "--stanza-dir", str(half))
    )
    assert "ar/pretrain/tiny.pt" in line and "stanza.download('ar'" in line
    bad = tmp_path / "bad"  # a model file stanza cannot read
    shutil.copytree(resources, bad)
    (bad / "ar" / "ner" / "tiny.pt").write_bytes(b"not a model")
    line = _one_line_exit_2(
        capsys, *_run(tmp_path, TEXT, "--ner", "stanza", "--stanza-dir", str(bad))
    )
    assert "stanza could not load" in line
