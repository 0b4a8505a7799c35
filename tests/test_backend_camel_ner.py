"""camel-tools' NER as the NER backend (`--ner camel`), on a tiny model built here."""

from __future__ import annotations

import pytest
from tiny_camel import NER_LABELS as LABELS
from tiny_camel import data_dir, ner_model

from pipeline import cli
from pipeline.cli import main
from pipeline.table import read_table

pytest.importorskip("camel_tools")
pytest.importorskip("transformers")

TEXT = "قال الرئيس قاسم جومارت توكاييف في أستانا إن وتوكاييف زار لليابان.\n"


@pytest.fixture(scope="module")
def camel_home(tmp_path_factory):
    root = data_dir(tmp_path_factory.mktemp("camel") / "camel_tools")
    ner_model(root / "data" / "ner" / "arabert", LABELS)
    return root


def _run(tmp_path, *extra):
    cli._default_pipeline.cache_clear()  # each test builds its backend with its own data
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["extract", str(src), "--out", str(out), "--quiet", *extra])
    return code, out


def test_camel_ner_through_the_command(tmp_path, camel_home, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(camel_home))
    code, out = _run(tmp_path, "--ner", "camel")
    assert code == 0
    ments = read_table(out / "mentions.csv")
    names = ments[ments.source == "ner"]
    for m in ments.itertuples():
        assert TEXT[m.start : m.end] == m.text
    got = {(m.type, m.text) for m in names.itertuples()}
    assert got == {
        ("PERSON", "قاسم جومارت توكاييف"),
        ("LOCATION", "أستانا"),
        ("PERSON", "توكاييف"),  # وتوكاييف without its proclitic
        ("LOCATION", "ليابان"),  # لليابان: ل + ليابان
    }
    japan = names[names.text == "ليابان"].iloc[0]
    assert japan.normalized == "اليابان" and TEXT[japan.start - 1] == "ل"
    ents = read_table(out / "entities.csv")
    tok = ents[ents.canonical == "قاسم جومارت توكاييف"]
    assert len(tok) == 1 and tok.mentions.iloc[0] == 2  # the surname joins the full name


def test_a_model_folder_given_with_ner_model(tmp_path, camel_home, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(camel_home))
    other = ner_model(tmp_path / "my-model", {"أستانا": "B-ORG"})
    code, out = _run(tmp_path, "--ner", "camel", "--ner-model", str(other))
    assert code == 0
    ments = read_table(out / "mentions.csv")
    names = ments[ments.source == "ner"]
    assert {(m.type, m.text) for m in names.itertuples()} == {("ORGANIZATION", "أستانا")}


def test_missing_camel_data_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path / "nothing"))
    code, out = _run(tmp_path, "--ner", "camel")
    assert code == 2 and not (out / "mentions.csv").exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "camel_data -i ner-arabert" in err[0]
    home = data_dir(tmp_path / "ct")  # a catalogue, but no model installed
    monkeypatch.setenv("CAMELTOOLS_DATA", str(home))
    code, _ = _run(tmp_path, "--ner", "camel")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "camel_data -i ner-arabert" in err[0]
    assert "Traceback" not in "".join(err)


def test_python_api(camel_home, monkeypatch):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(camel_home))
    from pipeline import Pipeline
    from pipeline.stages import NerStage

    nlp = Pipeline.default()
    nlp.replace_stage("ner", NerStage(backend="camel"))
    doc = nlp(TEXT)
    assert {m.text for m in doc.ents if m.source == "ner"} >= {"أستانا", "توكاييف"}
    assert all(TEXT[m.start : m.end] == m.text for m in doc.mentions)
