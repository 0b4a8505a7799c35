"""Latin-script names (pipeline.romanize): every line of romanize_examples.tsv, and the rules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.romanize as romanize_module
from pipeline.cli import main
from pipeline.romanize import romanize
from pipeline.table import read_table

EXAMPLES = Path(__file__).resolve().parent.parent / "pipeline" / "romanize_examples.tsv"


def _examples() -> list[tuple[str, str]]:
    rows = []
    for line in EXAMPLES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            arabic, latin = line.split("\t")
            rows.append((arabic, latin))
    return rows


@pytest.mark.parametrize(("arabic", "latin"), _examples())
def test_examples(arabic, latin):
    assert romanize(arabic) == latin


def test_diacritics_and_spelling_variants_do_not_change_the_result():
    assert romanize("فُومِيُو كِيشِيدَا") == romanize("فوميو كيشيدا") == "Fumio Kishida"


def test_unknown_words_get_letters_and_the_article():
    assert romanize("الخارجية") == "al-Kharjia"
    assert romanize("شخبوط") == "Shakhbut"
    assert romanize("") == ""


# camel-tools' transliterations (`--latin bw|safebw|xmlbw|hsb`)

_ARABIC_NAMES = st.text(
    alphabet=st.sampled_from("ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيَُِّْ "), min_size=1, max_size=30
)


@settings(max_examples=100, deadline=None)
@given(_ARABIC_NAMES)
def test_buckwalter_names_read_back_to_the_name_as_written(name):
    """Buckwalter is lossless: camel-tools' own reverse map gives back the name (spaces collapsed),
    hamzas and diacritics included, which the press spelling cannot."""
    charmap = pytest.importorskip("camel_tools.utils.charmap")
    for scheme in ("bw", "safebw", "xmlbw"):
        back = charmap.CharMapper.builtin_mapper(f"{scheme}2ar")(romanize(name, scheme))
        assert back == " ".join(name.split())


def test_schemes_keep_what_the_press_spelling_drops():
    pytest.importorskip("camel_tools.utils.charmap")
    assert romanize("أحمد الشَّرقاوي", "bw") == ">Hmd Al$a~rqAwy"
    assert romanize("أحمد الشَّرقاوي", "hsb") == "ÂHmd Alša~rqAwy"
    assert romanize("أحمد الشَّرقاوي") == "Ahmad al-Sharqawi"
    with pytest.raises(ValueError, match="scheme"):
        romanize("أحمد", "ala-lc")


def _extract(tmp_path, *extra):
    src = tmp_path / "in.txt"
    src.write_text(
        "قال الرئيس قاسم جومارت توكاييف في أستانا إن شركة سامسونغ للإلكترونيات ستفتح مصنعا.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    return main(["extract", str(src), "--out", str(out), "--quiet", *extra]), out


def test_latin_scheme_through_the_command(tmp_path):
    charmap = pytest.importorskip("camel_tools.utils.charmap")
    code, out = _extract(tmp_path, "--latin", "bw")
    assert code == 0
    corpus = read_table(out / "corpus_entities.csv")
    named = corpus[corpus["name_latn"] != ""]
    assert len(named) >= 1
    bw2ar = charmap.CharMapper.builtin_mapper("bw2ar")
    for row in named.itertuples():
        assert bw2ar(row.name_latn) == " ".join(row.canonical.split())


def test_latin_scheme_without_camel_tools_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "camel_tools.utils.charmap", None)  # import fails
    monkeypatch.setattr(romanize_module, "_camel_mapper", romanize_module._camel_mapper.__wrapped__)
    code, out = _extract(tmp_path, "--latin", "hsb")
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert len(err.splitlines()) == 1 and "pip install camel-tools" in err
