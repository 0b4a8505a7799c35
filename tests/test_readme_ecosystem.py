"""README's "Use with camel-tools / stanza / spaCy / annotation tools" section runs as written.

Its ```sh blocks (`arabic-ie ...` lines) and ```python blocks are executed in order, in one
namespace, in a folder holding a copy of `seeds/`: a snippet that drifts from the code fails here.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.cli import main

ROOT = Path(__file__).resolve().parent.parent
TITLE = "## Use with camel-tools / stanza / spaCy / annotation tools"


def section_blocks(readme: str) -> list[tuple[str, str]]:
    """(language, code) of each fenced block of the section, in order."""
    start = readme.index(TITLE)
    end = readme.find("\n## ", start + len(TITLE))
    body = readme[start : end if end > 0 else len(readme)]
    return re.findall(r"```(\w+)\n(.*?)```", body, flags=re.S)


def test_section_has_snippets_for_each_tool():
    blocks = section_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    code = "\n".join(c for lang, c in blocks if lang == "python")
    for needle in (
        "to_spacy",
        "DocBin",
        "stanza",
        'romanize(m.text, "bw")',
        "label-studio.json",
        'ner="camel"',
    ):
        assert needle in code, needle
    shell = "\n".join(c for lang, c in blocks if lang == "sh")
    assert "--ner stanza --stanza-dir" in shell


def _camel_data(root: Path) -> Path:
    """camel-tools data as `camel_data` installs it, with tiny models (tests/tiny_camel.py)."""
    from tiny_camel import (
        NER_LABELS,
        TAG_MLE,
        TAG_STEMS,
        data_dir,
        mle_model,
        morphology_db,
        ner_model,
    )

    root = data_dir(root)
    ner_model(root / "data" / "ner" / "arabert", NER_LABELS)
    morphology_db(root / "data" / "morphology_db" / "calima-msa-r13" / "morphology.db", TAG_STEMS)
    (root / "data" / "disambig_mle" / "calima-msa-r13").mkdir(parents=True)
    mle_model(root / "data" / "disambig_mle" / "calima-msa-r13" / "model.json", TAG_MLE)
    return root


def test_section_snippets_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("spacy")
    pytest.importorskip("stanza")
    pytest.importorskip("camel_tools")
    pytest.importorskip("transformers")
    monkeypatch.setenv("CAMELTOOLS_DATA", str(_camel_data(tmp_path / "camel_tools")))
    from tiny_stanza import resources_dir

    resources_dir(tmp_path / "stanza_resources")  # a tiny NER model where the snippet points
    cli._default_pipeline.cache_clear()
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    ran = 0
    for lang, code in section_blocks((ROOT / "README.md").read_text(encoding="utf-8")):
        if lang == "sh":
            for line in code.splitlines():
                if line.startswith("arabic-ie "):
                    assert main(shlex.split(line)[1:]) == 0, line
                    ran += 1
        elif lang == "python":
            exec(compile(code, "README.md", "exec"), namespace)
            ran += 1
    assert ran >= 7
    out = capsys.readouterr().out
    assert "NER=B-PER" in out and "twkAyyf" in out  # the CoNLL-U and camel-tools snippets printed
    assert "('PERSON', 'توكاييف')" in out and "Gender=Masc" in out  # the camel backends ran
    assert (tmp_path / "out-camel" / "corpus.conllu").is_file()
    assert (tmp_path / "out-stanza" / "mentions.csv").is_file()
