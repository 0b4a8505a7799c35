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
    for needle in ("to_spacy", "DocBin", "stanza", "camel_tools", "label-studio.json"):
        assert needle in code, needle
    assert any(lang == "sh" for lang, _ in blocks)


def test_section_snippets_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("spacy")
    pytest.importorskip("stanza")
    pytest.importorskip("camel_tools")
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
    assert ran >= 5
    out = capsys.readouterr().out
    assert "NER=B-PER" in out and "twkAyyf" in out  # the CoNLL-U and camel-tools snippets printed
