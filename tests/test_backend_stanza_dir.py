"""`--stanza-dir`: stanza models in stanza's own resources layout (what `stanza.download("ar")`
writes), here the project's shipped stanza models laid out under the names stanza's catalogue uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.cli import main
from pipeline.table import read_table

pytest.importorskip("stanza")
MODELS = Path(__file__).resolve().parent.parent / "models" / "stanza" / "ar"
TEXT = "قال الرئيس وتوكاييف في أستانا إن صادرات كازاخستان لليابان بلغت 5.7 مليار دولار.\n"


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    if not (MODELS / "pos" / "padt_nopretrain.pt").exists():
        pytest.skip("the shipped stanza models are absent")
    root = tmp_path_factory.mktemp("stanza_resources")
    for proc, src in (("tokenize", "padt.pt"), ("pos", "padt_nopretrain.pt")):
        (root / "ar" / proc).mkdir(parents=True)
        (root / "ar" / proc / "padt.pt").symlink_to(MODELS / proc / src)
    default = {"tokenize": "padt", "pos": "padt"}
    (root / "resources.json").write_text(
        json.dumps({"ar": {"tokenize": {"padt": {}}, "pos": {"padt": {}}, "lang_name": "Arabic",
                           "default_processors": default, "packages": {"default": default}}}),
        encoding="utf-8",
    )  # fmt: skip
    return root


def _run(tmp_path, *extra):
    cli._default_pipeline.cache_clear()
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    return main(["extract", str(src), "--out", str(out), "--quiet", *extra]), out


def test_stanza_resources_folder_through_the_command(tmp_path, resources):
    conllu = pytest.importorskip("conllu")
    code, out = _run(tmp_path, "--stanza-dir", str(resources), "--export", "conllu")
    assert code == 0
    for m in read_table(out / "mentions.csv").itertuples():
        assert TEXT[m.start : m.end] == m.text
    sent = conllu.parse((out / "corpus.conllu").read_text(encoding="utf-8"))[0]
    words = [w for w in sent if isinstance(w["id"], int)]
    for w in sent:
        a, b = map(int, w["misc"]["TokenRange"].split(":"))
        assert TEXT[a:b] == w["form"]
    upos = {w["form"]: w["upos"] for w in words}
    assert upos["في"] == "ADP" and upos["و"] == "CCONJ" and upos["."] == "PUNCT"
    assert all(w["upos"] not in (None, "_") for w in words)


def test_a_folder_without_stanza_models_is_one_line_and_exit_2(tmp_path, capsys):
    code, out = _run(tmp_path, "--stanza-dir", str(tmp_path / "none"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "stanza.download('ar'" in err[0]
    assert not (out / "mentions.csv").exists()
    assert _run(tmp_path, "--stanza-dir", str(tmp_path), "--tagger", "crf")[0] == 2
