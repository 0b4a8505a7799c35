"""Features of the two tag models: characters of a word for the clitic split-point CRF
(`seg_features`), and a syntactic word and its neighbours for the UPOS CRF (`word_features`).
Shared by training (`pipeline.training.tag`) and run time."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "UPOS",
    "CTX",
    "WHERE",
    "WHERE_I",
    "is_arabic_word",
    "seg_features",
    "cuts_to_spans",
    "word_features",
    "pair_features",
    "shape",
    "ctx_features",
    "where_codes",
]

UPOS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
    "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip

_ARABIC_WORD = re.compile("[\u0621-\u064a\u0671-\u06d3]+")


# No Arabic word, clitics included, comes near this many letters; a longer run of letters (a
# keyboard smash, text with its spaces lost) is not segmented: that work grows with the square of
# the length, and such a run has no clitics to find.
MAX_WORD_LETTERS = 40


def is_arabic_word(text: str) -> bool:
    """True for a run of Arabic letters short enough to be a word (only words carry clitics)."""
    return len(text) <= MAX_WORD_LETTERS and _ARABIC_WORD.fullmatch(text) is not None


# ---------------------------------------------------------------- segmentation features


def seg_features(word: str, lexicon: frozenset[str] | set[str]) -> list[list[str]]:
    """Features of each character of a normalized word for the split-point CRF.

    Label of char i: "B" when a new part starts at i, else "I". Lexicon features ask whether the
    left or right side of a cut is a known stem: that is what tells و|صادر from وصل.
    """
    n = len(word)
    padded = "^^^" + word + "$$$"
    feats: list[list[str]] = []
    for i in range(n):
        p = i + 3
        left = word[:i]
        right = word[i:]
        f = [
            "b",
            "c0=" + padded[p],
            "c-1=" + padded[p - 1],
            "c-2=" + padded[p - 2],
            "c+1=" + padded[p + 1],
            "c+2=" + padded[p + 2],
            "b-1=" + padded[p - 1 : p + 1],
            "b-2=" + padded[p - 2 : p],
            "b+1=" + padded[p : p + 2],
            "t-1=" + padded[p - 2 : p + 1],
            "t+1=" + padded[p : p + 3],
            "t0=" + padded[p - 1 : p + 2],
            "i=" + str(min(i, 6)),
            "e=" + str(min(n - i, 6)),
            "n=" + str(min(n, 10)),
        ]
        if i <= 4:
            f.append("L=" + left)
        if n - i <= 4:
            f.append("R=" + right)
        if i > 0:
            r_known = right in lexicon
            l_known = left in lexicon
            f.append("RK=" + str(r_known))
            f.append("LK=" + str(l_known))
            if i <= 4:
                f.append("L_RK=" + left + str(r_known))
            if n - i <= 4:
                f.append("R_LK=" + right + str(l_known))
            if left.endswith("ل") and ("ا" + right) in lexicon:
                f.append("ART_RK")
        f.append("WK=" + str(word in lexicon))
        feats.append(f)
    return feats


def cuts_to_spans(n: int, cuts: Sequence[int]) -> list[tuple[int, int]]:
    """Turn cut points (0 < c < n, increasing) into consecutive spans covering [0, n)."""
    spans = []
    prev = 0
    for c in cuts:
        if prev < c < n:
            spans.append((prev, c))
            prev = c
    spans.append((prev, n))
    return spans


# ---------------------------------------------------------------- POS features


def shape(w: str) -> str:
    if is_arabic_word(w):
        return "A"
    if w.isdigit() or w.replace(".", "").replace(",", "").isdigit():
        return "D"
    if any(c.isdigit() for c in w):
        return "d"
    if any(c.isalpha() for c in w):
        return "L"
    return "P"


def word_features(
    word: str, where: str, clusters: dict[str, tuple[str, ...]] | None = None
) -> list[str]:
    """Context-free features of one syntactic word; `where` is its place in its surface token.

    where: "S" (the token is not split), "F"/"M"/"L" (first, middle, last part of a split token).
    `clusters` maps frequent news words to distributional cluster ids (see training/tag_clusters).
    Kept context-free so the feature list can be cached per (form, where).
    """
    f = [
        "b",
        "w=" + word,
        "p=" + where,
        "s1=" + word[-1:],
        "s2=" + word[-2:],
        "s3=" + word[-3:],
        "f1=" + word[:1],
        "f2=" + word[:2],
        "f3=" + word[:3],
        "s4=" + word[-4:],
        "f4=" + word[:4],
        "fs=" + word[:1] + word[-1:],
        "sh=" + shape(word),
        "n=" + str(min(len(word), 8)),
        "pw=" + where + word,
    ]
    if word.startswith("ال"):
        f.append("al")
        f.append("als2=" + word[-2:])
    if len(word) > 4:  # inner trigrams: foreign names (X) look unlike Arabic patterns
        f.extend(dict.fromkeys("g=" + word[i : i + 3] for i in range(1, len(word) - 3)))
    if clusters is not None:
        ids = clusters.get(word)
        if ids is None and word.startswith("ال"):
            ids = clusters.get(word[2:])
            if ids is not None:
                f.extend(f"ak{i}={c}" for i, c in enumerate(ids))
        elif ids is not None:
            f.extend(f"k{i}={c}" for i, c in enumerate(ids))
        else:
            f.append("k=none")
    return f


def ctx_features(
    word: str, where: str, k: str, clusters: dict[str, tuple[str, ...]] | None = None
) -> list[str]:
    """Features a neighbour contributes (prefixed with its relative position k)."""
    f = [k + "w=" + word, k + "s2=" + word[-2:], k + "p=" + where, k + "f2=" + word[:2]]
    if clusters is not None:
        ids = clusters.get(word)
        if ids is not None:
            f.append(k + "k=" + ids[-1])
    return f


CTX = ("-1", "-2", "+1", "+2")  # neighbour positions of the POS features
WHERE = ("S", "F", "M", "L")  # place codes of a word in its token (see `word_features`)
WHERE_I = {x: i for i, x in enumerate(WHERE)}


def pair_features(prev: str, word: str) -> tuple[str, str]:
    """Features of a word and the one before it: the pair, and noun-adjective agreement cues
    (definiteness and feminine ending)."""
    return (
        "ww=" + prev + "|" + word,
        f"agr={prev[:2] == 'ال'}{word[:2] == 'ال'}{prev[-1:]}{word[-1:]}",
    )


def where_codes(k: int) -> list[str]:
    """Place codes of the k parts of one token (see `word_features`)."""
    if k == 1:
        return ["S"]
    return ["F"] + ["M"] * (k - 2) + ["L"]
