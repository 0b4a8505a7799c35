"""camel-tools' analyzer + MLE disambiguator as the tag backend (`--tagger camel`), on a small
morphology database and MLE model written here in camel-tools' formats."""

from __future__ import annotations

import pytest
from tiny_camel import TAG_MLE as MLE
from tiny_camel import TAG_STEMS as STEMS
from tiny_camel import data_dir, mle_model, morphology_db

from pipeline import cli
from pipeline.cli import main
from pipeline.table import read_table

pytest.importorskip("camel_tools")

TEXT = "قال وتوكاييف إن دعمه لليابان وصل في 2024.\n"


@pytest.fixture(scope="module")
def camel_home(tmp_path_factory):
    root = data_dir(tmp_path_factory.mktemp("camel") / "camel_tools")
    morphology_db(root / "data" / "morphology_db" / "calima-msa-r13" / "morphology.db", STEMS)
    (root / "data" / "disambig_mle" / "calima-msa-r13").mkdir(parents=True)
    mle_model(root / "data" / "disambig_mle" / "calima-msa-r13" / "model.json", MLE)
    return root


def _run(tmp_path, *extra):
    cli._default_pipeline.cache_clear()
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    return main(["extract", str(src), "--out", str(out), "--quiet", *extra]), out


def test_camel_tagger_through_the_command(tmp_path, camel_home, monkeypatch):
    conllu = pytest.importorskip("conllu")
    monkeypatch.setenv("CAMELTOOLS_DATA", str(camel_home))
    code, out = _run(tmp_path, "--tagger", "camel", "--export", "conllu")
    assert code == 0
    for m in read_table(out / "mentions.csv").itertuples():
        assert TEXT[m.start : m.end] == m.text
    sent = conllu.parse((out / "corpus.conllu").read_text(encoding="utf-8"))[0]
    words = {}
    for w in sent:
        a, b = map(int, w["misc"]["TokenRange"].split(":"))
        assert TEXT[a:b] == w["form"]
        if isinstance(w["id"], int):
            words.setdefault(w["form"], w)
    multi = [w["form"] for w in sent if not isinstance(w["id"], int)]
    assert multi == ["وتوكاييف", "دعمه", "لليابان"]  # the clitics the database knows
    assert words["و"]["upos"] == "CCONJ" and words["ل"]["upos"] == "ADP"
    assert words["ه"]["upos"] == "PRON"
    tok = words["توكاييف"]
    assert tok["upos"] == "PROPN" and tok["lemma"] == "توكاييف"
    assert tok["feats"] == {"Gender": "Masc", "Number": "Sing"}
    assert words["دعم"]["lemma"] == "دَعْم"
    assert words["قال"]["lemma"] == "قال" and words["قال"]["feats"]["Aspect"] == "Perf"
    assert words["وصل"]["upos"] == "VERB"  # the MLE model keeps it whole
    assert words["2024"]["upos"] == "NUM" and words["."]["upos"] == "PUNCT"


def test_without_the_mle_model_the_database_decides(tmp_path, camel_home, monkeypatch):
    from pipeline.tagging.camel import CamelTagger

    monkeypatch.setenv("CAMELTOOLS_DATA", str(camel_home))
    db = tmp_path / "morphology.db"  # a database alone: no model.json beside it
    db.write_bytes(
        (camel_home / "data" / "morphology_db" / "calima-msa-r13" / "morphology.db").read_bytes()
    )
    split = CamelTagger(db).analyse("وصل", "وصل")
    assert split.kinds == ["proclitic", "stem"] and split.upos == ["CCONJ", "VERB"]
    whole = CamelTagger().analyse("وصل", "وصل")  # the installed MLE model
    assert whole.kinds == ["stem"] and whole.feats == "Aspect=Perf"


def test_tagger_model_path_and_missing_data(tmp_path, camel_home, monkeypatch, capsys):
    monkeypatch.setenv("CAMELTOOLS_DATA", str(camel_home))
    folder = camel_home / "data" / "morphology_db" / "calima-msa-r13"
    code, _ = _run(tmp_path, "--tagger", "camel", "--tagger-model", str(folder))
    assert code == 0
    code, _ = _run(tmp_path, "--force", "--tagger", "camel", "--tagger-model", str(tmp_path / "x"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "camel_data -i disambig-mle-calima-msa-r13" in err[0]
    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path / "empty"))
    code, out = _run(tmp_path / "b", "--tagger", "camel")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "camel_data -i disambig-mle-calima-msa-r13" in err[0]
    assert not (out / "mentions.csv").exists()
