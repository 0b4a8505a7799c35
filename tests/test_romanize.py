"""Latin-script names (pipeline.romanize): every line of romanize_examples.tsv, and the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.romanize import romanize

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
