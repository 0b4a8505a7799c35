"""A readable Latin-script rendering of an Arabic name (`فوميو كيشيدا` -> `Fumio Kishida`).

Why two ways: Arabic writes few vowels, so a letter-by-letter rendering of `محمد` gives `Mhmd`;
the press spelling of a name unit is known for some 12,000 units (arabnamer's name pairs, inverted
by `pipeline.training.build_latin_names`) and is used word by word. Words not in that list get a
rule-based transliteration: one Latin form per letter (the common news conventions: ث th, خ kh,
ش sh, غ gh, ع and ء as an apostrophe), long vowels from ا و ي, the article as `al-`. It is readable,
not a scholarly romanization. `romanize_examples.tsv` beside this file is the specification.

For a scholarly, reversible rendering the other schemes are camel-tools' own character maps
(`CharMapper.builtin_mapper`): `bw` Buckwalter, `safebw` its variant without punctuation marks,
`xmlbw` its XML-safe variant and `hsb` Habash-Soudi-Buckwalter. They transliterate the name as written
(hamzas and diacritics kept, nothing guessed), the key that joins our names with camel-tools' and
MADAMIRA's data; camel-tools is then needed (`pip install camel-tools`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from pipeline.arabic.normalize import normalize_text
from pipeline.lexicons import load_map

__all__ = ["SCHEMES", "romanize"]

# "press" is this module's own rendering; the others are camel-tools' ar2<scheme> character maps.
SCHEMES = ("press", "bw", "safebw", "xmlbw", "hsb")

_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "'", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ء": "'", "ؤ": "'",
    "ئ": "'", "پ": "p", "چ": "ch", "ڤ": "v", "گ": "g",
}  # fmt: skip


# Name particles, in the spelling the press uses for them.
_PARTICLES = {"بن": "bin", "بنت": "bint", "ابن": "ibn", "ابو": "Abu", "ابي": "Abi", "عبد": "Abd",
              "ال": "Al", "ولد": "Ould", "دي": "de", "فان": "van", "فون": "von"}  # fmt: skip


@lru_cache(maxsize=1)
def _known() -> dict[str, str]:
    return load_map("latin_names")


def _letters(word: str) -> str:
    """Rule-based rendering of one normalized word (no dictionary entry)."""
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        prev_vowel = bool(out) and out[-1][-1:] in "aiu"
        if ch == "ا":
            out.append("a")
        elif ch in "وي":
            vowel = "u" if ch == "و" else "i"
            glide = "w" if ch == "و" else "y"
            # a glide at the start of a word or between vowels, a long vowel after a consonant
            if i == 0 or (prev_vowel and i + 1 < n and word[i + 1] in "اوي"):
                out.append(glide)
            elif prev_vowel:
                out.append(glide)
            else:
                out.append(vowel)
        elif ch == "ه" and i == n - 1 and n > 2:
            out.append("a")  # teh marbuta, normalized to heh
        else:
            out.append(_CONSONANTS.get(ch, ch))
    text = "".join(out).strip("'") or word
    # two consonants opening a word had a short vowel between them that Arabic does not write
    first = 2 if text[:2] in ("th", "kh", "sh", "gh", "dh", "ch") else 1
    if len(text) > first + 1 and text[0] not in "aiu'" and text[first] not in "aiuhwy'":
        text = text[:first] + "a" + text[first:]
    return text


def _word(word: str) -> str:
    if word in _PARTICLES:
        return _PARTICLES[word]
    known = _known().get(word)
    if known:
        return known.title()
    if word.startswith("ال") and len(word) > 3:
        rest = word[2:]
        known = _known().get(rest)
        return "al-" + (known.title() if known else _letters(rest).capitalize())
    return _letters(word).capitalize()


@cache
def _camel_mapper(scheme: str) -> Callable[[str], str]:
    try:
        from camel_tools.utils.charmap import CharMapper
    except ImportError as exc:
        raise ImportError(
            f"the {scheme} transliteration is camel-tools' own: pip install camel-tools"
        ) from exc
    return CharMapper.builtin_mapper(f"ar2{scheme}")


def romanize(name: str, scheme: str = "press") -> str:
    """A Latin-script rendering of an Arabic name ("" for an empty name): the press spelling word by
    word, or with `scheme` one of camel-tools' transliterations (`SCHEMES`)."""
    if scheme != "press":
        if scheme not in SCHEMES:
            raise ValueError(f"unknown transliteration scheme {scheme!r}; use one of {SCHEMES}")
        return _camel_mapper(scheme)(" ".join(name.split()))
    norm = normalize_text(name)[0]
    key = " ".join(norm.split())
    whole = _known().get(key)
    if whole:
        return whole.title()
    return " ".join(_word(w) for w in key.split())
