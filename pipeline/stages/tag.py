"""Tag stage: split each word into clitics and stem with raw offsets, and give each part a UPOS tag.

Why two small models instead of one big one: clitic segmentation of a written word barely depends on
its neighbours, so it is decided once per word form (a memory of the forms seen in UD Arabic-PADT,
backed by a character-level CRF for unseen forms) and cached; news vocabulary repeats so much that
almost every token is a cache hit. UPOS does depend on context, so a word-level CRF tags each
sentence's syntactic words, with per-form feature lists cached too. Both run on `Token.norm`
(no diacritics, one alef, ة→ه), so a part's cut points are norm indices mapped back to raw through
the document's alignment: every `Part` satisfies `raw[start:end] == text` and the parts tile the
token. The article ال stays inside the stem, as in UD (لليابان = ل + ليابان, the article's alef is
not written; `part_norm` restores it as اليابان).

An optional stanza backend (`TagStage(backend="stanza", model_dir=...)`) keeps this segmentation
and asks a stanza POS model (trained with stanza's own code on the same PADT words) for the tags.
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.document import Document, Part, Token
from pipeline.pipeline import gc_paused
from pipeline.resources import models_dir
from pipeline.stages.normalize import normalize_text

__all__ = [
    "TagStage",
    "Segmenter",
    "PosTagger",
    "LinearChain",
    "export_crf",
    "seg_features",
    "word_features",
    "cuts_to_spans",
    "part_kinds",
    "part_norm",
    "token_norm_start",
    "is_arabic_word",
    "ENCLITICS",
    "UPOS",
]

# Enclitic pronouns (normalized spelling: ة→ه does not touch these, ى→ي does not either).
ENCLITICS = frozenset({"ه", "ها", "هم", "هما", "هن", "كم", "كما", "كن", "نا", "ي", "ك", "ني"})
UPOS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
    "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip

_CACHE_LIMIT = 32_768  # entries of each per-form cache; the least recently used half goes when full
_ROW_CACHE_LIMIT = 20_000  # entries of each small cache of attribute rows (cleared when full)


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


def _shape(w: str) -> str:
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
        "sh=" + _shape(word),
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


def _ctx_features(
    word: str, where: str, k: str, clusters: dict[str, tuple[str, ...]] | None = None
) -> list[str]:
    """Features a neighbour contributes (prefixed with its relative position k)."""
    f = [k + "w=" + word, k + "s2=" + word[-2:], k + "p=" + where, k + "f2=" + word[:2]]
    if clusters is not None:
        ids = clusters.get(word)
        if ids is not None:
            f.append(k + "k=" + ids[-1])
    return f


# ---------------------------------------------------------------- models


def _need_crfsuite() -> Any:
    try:
        import pycrfsuite
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise ImportError(
            "the tag stage needs python-crfsuite: pip install python-crfsuite"
        ) from exc
    return pycrfsuite


class LinearChain:
    """A first-order linear-chain CRF (trained by crfsuite), scored and decoded with numpy.

    Why not crfsuite's own tagger at run time: handing ~40 feature strings per word to crfsuite
    costs more than the whole rest of the stage, while here a word's feature weights are summed
    once per form and cached. `export_crf` writes the files; decoding gives crfsuite's answer.
    Files: NAME.attrs.txt.gz (first line: labels, TAB-separated; then one attribute per line,
    row i of the weights) and NAME.weights.npy (attributes x labels, then labels x labels of
    transition weights).
    """

    def __init__(self, stem: Path) -> None:
        with gzip.open(stem.with_name(stem.name + ".attrs.txt.gz"), "rt", encoding="utf-8") as fh:
            self.labels = fh.readline().rstrip("\n").split("\t")
            self.index = {line.rstrip("\n"): i for i, line in enumerate(fh)}
        table = np.load(stem.with_name(stem.name + ".weights.npy"))
        n_labels = len(self.labels)
        # one zero row appended: every group in `emissions` holds it, so none is empty
        self.weights = np.vstack([table[:-n_labels], np.zeros((1, n_labels), table.dtype)])
        self._pad = len(self.weights) - 1
        self.trans = table[-n_labels:]
        self.zero = np.zeros(n_labels, dtype=table.dtype)
        self._cols = np.arange(n_labels)

    def emission(self, feats: Iterable[str]) -> np.ndarray:
        """Sum of the weight rows of the known attributes among `feats` (one score per label)."""
        index = self.index
        rows = [index[f] for f in feats if f in index]
        if not rows:
            return self.zero
        return self.weights[rows].sum(0)

    def emissions(self, groups: Iterable[Iterable[str]]) -> np.ndarray:
        """`emission` of many feature lists at once, one row each (one numpy call in all)."""
        get = self.index.get
        pad = self._pad
        rows: list[int] = []
        starts: list[int] = []
        for feats in groups:
            starts.append(len(rows))
            rows.append(pad)
            rows.extend([get(f, pad) for f in feats])  # unknown attributes add the zero row
        return np.add.reduceat(self.weights[rows], starts, axis=0)

    def viterbi(self, emissions: np.ndarray) -> list[int]:
        """Best label sequence (indices) for an (n, labels) emission matrix."""
        return self.viterbi_many([emissions])[0]

    def viterbi_many(self, ems: Sequence[np.ndarray]) -> list[list[int]]:
        """Best label sequences of many sentences, decoded side by side (padded), which costs
        numpy calls per position of the longest sentence instead of per word."""
        if not ems:
            return []
        lens = [len(e) for e in ems]
        n_sent, longest, n_lab = len(ems), max(lens), len(self.labels)
        if n_lab == 2 and n_sent == 1:
            return [_viterbi2(ems[0].tolist(), self.trans.tolist())]
        em = np.zeros((n_sent, longest, n_lab), dtype=np.float32)
        for i, e in enumerate(ems):
            em[i, : len(e)] = e
        back = np.zeros((longest, n_sent, n_lab), dtype=np.intp)
        scores = np.empty((longest, n_sent, n_lab), dtype=np.float32)
        score = scores[0] = em[:, 0]
        trans = self.trans[None]
        for t in range(1, longest):
            cand = score[:, :, None] + trans
            back[t] = cand.argmax(1)
            score = scores[t] = cand.max(1) + em[:, t]
        out = []
        for i, n in enumerate(lens):
            if n == 0:
                out.append([])
                continue
            j = int(scores[n - 1, i].argmax())
            path = [j]
            col = back[:, i]
            for t in range(n - 1, 0, -1):
                j = int(col[t, j])
                path.append(j)
            path.reverse()
            out.append(path)
        return out

    def viterbi_flat(
        self, em: np.ndarray, sent_of: np.ndarray, pos_in: np.ndarray, lens: np.ndarray
    ) -> np.ndarray:
        """Best label (index) of every word of many sentences given as one (words, labels)
        emission matrix: word i is word pos_in[i] of sentence sent_of[i]; lens > 0.

        The sentences are decoded side by side, longest first, so that step t works on the
        sentences still running as one slice, laid out (labels, sentences) so that the max over
        the previous label is a reduction over the outer axis (fast in numpy). The forward pass
        keeps only the scores; the backtrace recomputes the argmax for the chosen label alone.
        Same float32 sums and first-best tie-breaking as `viterbi_many`, hence the same paths."""
        n_sent = len(lens)
        order = np.argsort(-lens, kind="stable")
        rank = np.empty(n_sent, dtype=np.intp)
        rank[order] = np.arange(n_sent)
        lens_s = lens[order]
        longest = int(lens_s[0])
        n_lab = em.shape[1]
        col = rank[sent_of]
        em3 = np.zeros((longest, n_lab, n_sent), dtype=em.dtype)
        em3[pos_in, :, col] = em
        # running[t]: how many sentences (a prefix in length order) have a word t
        running = np.searchsorted(-lens_s, -np.arange(longest + 1), side="left").tolist()
        trans3 = self.trans[:, :, None]  # (previous, current, 1)
        trans_t = self.trans.T  # (current, previous)
        buf = np.empty(n_lab * n_lab * n_sent, dtype=em.dtype)
        scores = [em3[0]]
        score = em3[0]
        for t in range(1, longest):
            k = running[t]
            cand = np.add(
                score[:, None, :k], trans3, out=buf[: n_lab * n_lab * k].reshape(n_lab, n_lab, k)
            )
            score = cand.max(0)
            score += em3[t, :, :k]
            scores.append(score)
        paths = np.empty((longest, n_sent), dtype=np.intp)
        j = np.empty(n_sent, dtype=np.intp)
        for t in range(longest - 1, -1, -1):
            k, k_next = running[t], running[t + 1]
            if k_next < k:  # sentences whose last word is t
                j[k_next:k] = scores[t][:, k_next:k].argmax(0)
            paths[t, :k] = j[:k]
            if t:
                j[:k] = (scores[t - 1][:, :k].T + trans_t[j[:k]]).argmax(1)
        return paths[pos_in, col]


def _viterbi2(em: list[list[float]], trans: list[list[float]]) -> list[int]:
    """Plain-Python Viterbi for two labels (segmentation): faster than numpy on a short word."""
    (t00, t01), (t10, t11) = trans
    s0, s1 = em[0]
    back = []
    for e0, e1 in em[1:]:
        a, b = s0 + t00, s1 + t10
        c, d = s0 + t01, s1 + t11
        back.append((0 if a >= b else 1, 0 if c >= d else 1))
        s0, s1 = max(a, b) + e0, max(c, d) + e1
    j = 0 if s0 >= s1 else 1
    path = [j]
    for b0, b1 in reversed(back):
        j = b0 if j == 0 else b1
        path.append(j)
    path.reverse()
    return path


def export_crf(crfsuite_path: Path, stem: Path) -> None:
    """Write a crfsuite model's weights in `LinearChain`'s format (byte-reproducible)."""
    tagger = _need_crfsuite().Tagger()
    tagger.open(str(crfsuite_path))
    info = tagger.info()
    labels = sorted(info.labels, key=lambda lab: int(info.labels[lab]))
    lab_i = {lab: i for i, lab in enumerate(labels)}
    attrs = sorted({a for a, _ in info.state_features})
    att_i = {a: i for i, a in enumerate(attrs)}
    table = np.zeros((len(attrs) + len(labels), len(labels)), dtype=np.float32)
    for (a, lab), w in info.state_features.items():
        table[att_i[a], lab_i[lab]] = w
    for (x, y), w in info.transitions.items():
        table[len(attrs) + lab_i[x], lab_i[y]] = w
    with gzip.GzipFile(stem.with_name(stem.name + ".attrs.txt.gz"), "wb", mtime=0) as fh:
        fh.write(("\t".join(labels) + "\n" + "".join(a + "\n" for a in attrs)).encode())
    np.save(stem.with_name(stem.name + ".weights.npy"), table)


_CTX = ("-1", "-2", "+1", "+2")  # neighbour positions of the POS features
_WHERE = ("S", "F", "M", "L")  # place codes of a word in its token (see `word_features`)
_WHERE_I = {x: i for i, x in enumerate(_WHERE)}


def _remember(cache: dict, key: Any, value: Any) -> Any:
    """cache[key] = value, clearing the cache first when it is full (a small cache of attribute
    rows: cheap to refill)."""
    if len(cache) >= _ROW_CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _evict_oldest(cache: dict, keep: int) -> list:
    """Drop the oldest entries of an insertion-ordered (LRU-touched) dict down to `keep`;
    returns the dropped values."""
    drop = len(cache) - keep
    if drop <= 0:
        return []
    return [cache.pop(k) for k in list(islice(cache, drop))]


class Segmenter:
    """Clitic split points of a normalized Arabic word: memory of seen forms, CRF for the rest."""

    def __init__(
        self,
        model: LinearChain | None,
        memory: dict[str, tuple[int, ...]],
        lexicon: frozenset[str],
    ) -> None:
        self.memory = memory
        self.lexicon = lexicon
        self.model = model
        self._cache: dict[str, tuple[int, ...]] = {}
        # attribute rows of the character-trigram features, cached per trigram (see `_rows`)
        self._tri: dict[str, tuple[tuple[int, ...], tuple[int, ...], int]] = {}
        self._side: tuple[dict[str, tuple[int, int, int]], ...] = ({}, {})  # word starts, ends
        if model is not None:
            get, pad = model.index.get, model._pad
            self._fixed = {
                "b": get("b", pad),
                "i": [get(f"i={k}", pad) for k in range(7)],
                "e": [get(f"e={k}", pad) for k in range(7)],
                "n": [get(f"n={k}", pad) for k in range(11)],
                "RK": [get("RK=False", pad), get("RK=True", pad)],
                "LK": [get("LK=False", pad), get("LK=True", pad)],
                "WK": [get("WK=False", pad), get("WK=True", pad)],
                "ART_RK": get("ART_RK", pad),
            }

    def _trigram_rows(self, tri: str) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        """Rows of the features a 3-character window x0x1x2 of the padded word determines, in
        its three roles: ending at the current char (c0, c-1, c-2, b-1, b-2, t-1), starting at
        it (c+1, c+2, b+1, t+1), centred on it (t0)."""
        get, pad = self.model.index.get, self.model._pad
        left = ("c0=" + tri[2], "c-1=" + tri[1], "c-2=" + tri[0], "b-1=" + tri[1:],
                "b-2=" + tri[:2], "t-1=" + tri)  # fmt: skip
        right = ("c+1=" + tri[1], "c+2=" + tri[2], "b+1=" + tri[:2], "t+1=" + tri)
        out = (tuple(get(f, pad) for f in left), tuple(get(f, pad) for f in right),
               get("t0=" + tri, pad))  # fmt: skip
        return _remember(self._tri, tri, out)

    def _side_rows(self, which: int, part: str) -> tuple[int, int, int]:
        """Rows of L=, L_RK=...False, L_RK=...True for a word start (which 0) or of R=, R_LK=
        for a word end (which 1)."""
        cache = self._side[which]
        get, pad = self.model.index.get, self.model._pad
        a, b = ("L=", "L_RK=") if which == 0 else ("R=", "R_LK=")
        if len(cache) >= _ROW_CACHE_LIMIT:
            cache.clear()
        out = cache[part] = (
            get(a + part, pad),
            get(b + part + "False", pad),
            get(b + part + "True", pad),
        )
        return out

    def _rows(self, word: str, rows: list[int], starts: list[int]) -> None:
        """Append the attribute rows of `seg_features(word)` (one group per character, a zero row
        first, unknown attributes as the zero row): exactly the rows `LinearChain.emissions`
        sums for those features, in the same order, without building the feature strings."""
        pad = self.model._pad
        fx = self._fixed
        b, irow, erow, rk_rows, lk_rows = fx["b"], fx["i"], fx["e"], fx["RK"], fx["LK"]
        art = fx["ART_RK"]
        lex = self.lexicon
        tri_get, tri = self._tri.get, self._trigram_rows
        side_l, side_r = self._side
        side = self._side_rows
        n = len(word)
        padded = "^^^" + word + "$$$"
        # the trigram windows padded[j:j+3], j = 1 .. n+2: char i ends window i, is centred in
        # window i+1 and starts window i+2
        tr = [tri_get(t) or tri(t) for t in [padded[j : j + 3] for j in range(1, n + 3)]]
        n_row = fx["n"][min(n, 10)]
        wk = fx["WK"][word in lex]
        for i in range(n):
            lt = tr[i][0]
            rt = tr[i + 2][1]
            starts.append(len(rows))
            rows += (pad, b, lt[0], lt[1], lt[2], rt[0], rt[1], lt[3], lt[4], rt[2], lt[5],
                     rt[3], tr[i + 1][2], irow[i if i < 6 else 6], erow[n - i if n - i < 6 else 6],
                     n_row)  # fmt: skip
            left = word[:i]
            right = word[i:]
            if i <= 4:
                ls = side_l.get(left) or side(0, left)
                rows.append(ls[0])
            if n - i <= 4:
                rs = side_r.get(right) or side(1, right)
                rows.append(rs[0])
            if i > 0:
                r_known = right in lex
                l_known = left in lex
                rows.append(rk_rows[r_known])
                rows.append(lk_rows[l_known])
                if i <= 4:
                    rows.append(ls[1 + r_known])
                if n - i <= 4:
                    rows.append(rs[1 + l_known])
                if left[-1] == "ل" and ("ا" + right) in lex:
                    rows.append(art)
            rows.append(wk)

    def crf_cuts(self, word: str) -> tuple[int, ...]:
        """Cut points predicted by the CRF alone (no memory), for evaluation and unseen forms."""
        model = self.model
        if model is None or len(word) < 2:
            return ()
        emissions = model.emissions(seg_features(word, self.lexicon))
        labels = model.labels
        path = model.viterbi(emissions)
        return tuple(i for i, lab in enumerate(path) if i > 0 and labels[lab] == "B")

    def cuts_many(self, words: Sequence[str]) -> list[tuple[int, ...]]:
        """`cuts` of each word, without the cache: memory, else the CRF (all unseen forms scored
        with one numpy call). What the stage calls for forms it has not cached itself."""
        memory = self.memory
        out: list[tuple[int, ...]] = []
        new: list[int] = []
        for i, w in enumerate(words):
            if len(w) < 2 or not is_arabic_word(w):
                out.append(())
            else:
                mem = memory.get(w)
                if mem is None:
                    new.append(i)
                    mem = ()
                out.append(mem)
        model = self.model
        if not new or model is None:
            return out
        rows: list[int] = []
        starts: list[int] = []
        for i in new:
            self._rows(words[i], rows, starts)
        em = np.add.reduceat(model.weights[rows], starts, axis=0).tolist()
        trans = model.trans.tolist()
        is_b = [lab == "B" for lab in model.labels]
        k = 0
        for i in new:
            n = len(words[i])
            path = _viterbi2(em[k : k + n], trans)
            k += n
            out[i] = tuple(j for j, lab in enumerate(path) if j > 0 and is_b[lab])
        return out

    def prefetch(self, words: Iterable[str]) -> None:
        """Fill the cache for all new forms among `words` with one batched CRF scoring."""
        cache = self._cache
        new = [w for w in dict.fromkeys(words) if w not in cache]
        if not new:
            return
        if len(cache) + len(new) > _CACHE_LIMIT:
            _evict_oldest(cache, max(0, _CACHE_LIMIT // 2 - len(new)))
        for w, c in zip(new, self.cuts_many(new)):
            cache[w] = c

    def cuts(self, word: str) -> tuple[int, ...]:
        """Cut points of `word` (norm indices where a new part starts), cached per form."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        self.prefetch([word])
        return self._cache[word]


# (form, where) of one syntactic word: the key of its cached score rows
WordKey = tuple[str, str]


class PosTagger:
    """UPOS of the syntactic words of a sentence (first-order CRF over cached word features).

    Per (form, where) key the tagger caches the five score rows the word contributes (as the word
    tagged, and as its neighbour at -1, -2, +1, +2) in one preallocated array (`_slab`, bounded:
    the least recently used keys are dropped when it is full), plus the two small ids the
    pair features need. A document's emissions are then a few numpy gathers and shifted adds,
    in the order `emission_matrix` (the plain per-sentence reference) adds them.
    """

    def __init__(
        self,
        model: LinearChain | None,
        clusters: dict[str, tuple[str, ...]] | None = None,
        cache_limit: int | None = None,
    ) -> None:
        self.clusters = clusters
        self.model = model
        self.cache_limit = cache_limit if cache_limit is not None else _CACHE_LIMIT
        self._own: dict[tuple[str, str], list[str]] = {}
        self._ctx: dict[tuple[str, str, str], list[str]] = {}
        self._slot: dict[WordKey, int] = {}  # key -> row of _slab, least recently used first
        self._slab: np.ndarray | None = None
        self._meta: np.ndarray | None = None  # per slot: pair-vocabulary id, agreement class
        self._free: list[int] = []
        if model is not None:
            self._fixed = {f: model.emission([f]) for f in ("BOS", "-2BOS", "EOS")}
            self._build_pair_tables()
            self._init_rows()
            self.label_names = np.array(model.labels, dtype=object)

    # -- pair features as table look-ups

    def _build_pair_tables(self) -> None:
        """ww=/wn= (word pairs) and agr= attributes of the model as integer look-up tables, so
        that a document's pair features are found with numpy instead of one string each."""
        model = self.model
        pad = model._pad
        vocab: dict[str, int] = {}
        pairs: dict[tuple[str, str], list[int]] = {}
        agr: dict[tuple[bool, str, bool, str], int] = {}
        for attr, row in model.index.items():
            head = attr[:3]
            if head in ("ww=", "wn="):
                body = attr[3:]
                col = 0 if head == "ww=" else 1
                j = body.find("|")
                while j >= 0:  # a word may hold "|": every split is a candidate pair
                    a, b = body[:j], body[j + 1 :]
                    pairs.setdefault((a, b), [pad, pad])[col] = row
                    vocab.setdefault(a, len(vocab))
                    vocab.setdefault(b, len(vocab))
                    j = body.find("|", j + 1)
            elif attr.startswith("agr="):
                body = attr[4:]
                for d1 in (True, False):
                    for d2 in (True, False):
                        head2 = f"{d1}{d2}"
                        rest = body[len(head2) :]
                        if body.startswith(head2) and len(rest) == 2:
                            agr[(d1, rest[0], d2, rest[1])] = row
        self._pair_vocab = vocab
        self._n_vocab = len(vocab) + 1  # the last id: a word in no pair attribute
        codes = np.array([vocab[a] * self._n_vocab + vocab[b] for a, b in pairs], dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        rows = np.array(list(pairs.values()), dtype=np.intp).reshape(-1, 2)
        self._pair_codes = codes[order]
        self._pair_rows = rows[order]
        classes: dict[tuple[bool, str], int] = {}
        for d1, c1, d2, c2 in agr:
            classes.setdefault((d1, c1), len(classes))
            classes.setdefault((d2, c2), len(classes))
        self._agr_class = classes
        table = np.full((len(classes) + 1, len(classes) + 1), pad, dtype=np.intp)
        for (d1, c1, d2, c2), row in agr.items():
            table[classes[(d1, c1)], classes[(d2, c2)]] = row
        self._agr_rows = table  # last row/column: a word whose class is in no attribute

    def _key_meta(self, word: str) -> tuple[int, int]:
        return (
            self._pair_vocab.get(word, self._n_vocab - 1),
            self._agr_class.get((word[:2] == "ال", word[-1:]), len(self._agr_class)),
        )

    # -- features (what the CRF is trained on)

    def _own_f(self, word: str, where: str) -> list[str]:
        key = (word, where)
        f = self._own.get(key)
        if f is None:
            if len(self._own) >= _CACHE_LIMIT:
                self._own.clear()
            f = self._own[key] = word_features(word, where, self.clusters)
        return f

    def _ctx_f(self, word: str, where: str, k: str) -> list[str]:
        key = (word, where, k)
        f = self._ctx.get(key)
        if f is None:
            if len(self._ctx) >= _CACHE_LIMIT:
                self._ctx.clear()
            f = self._ctx[key] = _ctx_features(word, where, k, self.clusters)
        return f

    def sequence_features(self, words: Sequence[tuple[str, str]]) -> list[list[str]]:
        """Feature lists of a sentence's words [(norm form, where), ...]: own + neighbours'.

        This is what the CRF is trained on; `tag` computes the same scores from cached sums.
        """
        n = len(words)
        out = []
        for i, (w, where) in enumerate(words):
            f = list(self._own_f(w, where))
            if i > 0:
                f.extend(_pair_features(words[i - 1][0], w))
                f += self._ctx_f(*words[i - 1], "-1")
                if i > 1:
                    f += self._ctx_f(words[i - 2][0], words[i - 2][1], "-2")
                else:
                    f.append("-2BOS")
            else:
                f.append("BOS")
            if i + 1 < n:
                f.append("wn=" + w + "|" + words[i + 1][0])
                f += self._ctx_f(*words[i + 1], "+1")
                if i + 2 < n:
                    f += self._ctx_f(words[i + 2][0], words[i + 2][1], "+2")
            else:
                f.append("EOS")
            out.append(f)
        return out

    # -- cached score rows

    def feature_groups(self, keys: Sequence[WordKey]) -> list[list[str]]:
        """The five feature lists of each key (own, then as the word at -1, -2, +1, +2)."""
        c = self.clusters
        groups: list[list[str]] = []
        for w, where in keys:
            groups.append(word_features(w, where, c))
            groups.extend(_ctx_features(w, where, k, c) for k in _CTX)
        return groups

    def compute_vectors(self, keys: Sequence[WordKey]) -> np.ndarray:
        """(keys, 5, labels): the scores each key contributes as the word tagged and as the word
        at -1, -2, +1, +2 of it (no cache). Summed over the attribute rows `key_rows` gives,
        which are those of `feature_groups`, so this is `model.emissions(feature_groups(keys))`."""
        rows: list[int] = []
        starts: list[int] = []
        for w, where in keys:
            self.key_rows(w, where, rows, starts)
        model = self.model
        return np.add.reduceat(model.weights[rows], starts, axis=0).reshape(len(keys), 5, -1)

    def _init_rows(self) -> None:
        get, pad = self.model.index.get, self.model._pad
        self._fixed_rows = {
            "b": get("b", pad),
            "al": get("al", pad),
            "sh": {s: get("sh=" + s, pad) for s in "ADdLP"},
            "n": [get(f"n={k}", pad) for k in range(9)],
            "k=none": get("k=none", pad),
        }
        # caches of attribute rows: word end / start (4 chars) -> affix rows, place code ->
        # p= rows, cluster ids -> rows, inner trigram -> row
        self._rc: tuple[dict, ...] = ({}, {}, {}, {}, {}, {}, {})
        # word -> rows of w=, -1w=, -2w=, +1w=, +2w=, pw=S.., pw=F.., pw=M.., pw=L.. (the
        # attributes naming a whole word, read off the model once: one look-up per new word)
        heads = {"w=": 0, "-1w=": 1, "-2w=": 2, "+1w=": 3, "+2w=": 4}
        heads.update({"pw=" + x: 5 + i for i, x in enumerate(_WHERE)})
        words: dict[str, list[int]] = {}
        for attr, row in self.model.index.items():
            j = attr.find("=")
            if j < 0:
                continue
            slot = heads.get(attr[: j + 2] if attr.startswith("pw=") else attr[: j + 1])
            if slot is not None:
                word = attr[j + 2 :] if slot >= 5 else attr[j + 1 :]
                words.setdefault(word, [pad] * 9)[slot] = row
        self._word_rows = {w: tuple(r) for w, r in words.items()}
        self._no_word_rows = (pad,) * 9

    def _end_rows(self, end: str) -> tuple[int, ...]:
        """s1..s4=, als2= and the neighbours' s2= rows of a word ending in `end` (4 chars)."""
        get, pad = self.model.index.get, self.model._pad
        s2 = end[-2:]
        names = ["s1=" + end[-1:], "s2=" + s2, "s3=" + end[-3:], "s4=" + end, "als2=" + s2]
        names += [k + "s2=" + s2 for k in _CTX]
        return _remember(self._rc[0], end, tuple(get(f, pad) for f in names))

    def _start_rows(self, start: str) -> tuple[int, ...]:
        """f1..f4= and the neighbours' f2= rows of a word starting with `start` (4 chars)."""
        get, pad = self.model.index.get, self.model._pad
        f2 = start[:2]
        names = ["f1=" + start[:1], "f2=" + f2, "f3=" + start[:3], "f4=" + start]
        names += [k + "f2=" + f2 for k in _CTX]
        return _remember(self._rc[1], start, tuple(get(f, pad) for f in names))

    def _where_rows(self, where: str) -> tuple[int, ...]:
        get, pad = self.model.index.get, self.model._pad
        names = ["p=" + where] + [k + "p=" + where for k in _CTX]
        return _remember(self._rc[2], where, tuple(get(f, pad) for f in names))

    def _cluster_rows(self, which: int, ids: tuple[str, ...]) -> tuple[int, ...]:
        """which 3: own k0=, k1=, ...; 4: own ak0=, ... (the word without its article);
        5: the neighbours' k= of the last id."""
        get, pad = self.model.index.get, self.model._pad
        if which == 3:
            names = [f"k{i}={c}" for i, c in enumerate(ids)]
        elif which == 4:
            names = [f"ak{i}={c}" for i, c in enumerate(ids)]
        else:
            names = [k + "k=" + ids[-1] for k in _CTX]
        return _remember(self._rc[which], ids, tuple(get(f, pad) for f in names))

    def key_rows(self, word: str, where: str, rows: list[int], starts: list[int]) -> None:
        """Append the attribute rows of `feature_groups([(word, where)])` as five groups (each a
        zero row first, unknown attributes as the zero row): the rows `LinearChain.emissions`
        sums for those features, in the same order, with few feature strings built."""
        get, pad = self.model.index.get, self.model._pad
        fx = self._fixed_rows
        rc = self._rc
        end = word[-4:]
        start = word[:4]
        e = rc[0].get(end) or self._end_rows(end)
        s = rc[1].get(start) or self._start_rows(start)
        p = rc[2].get(where) or self._where_rows(where)
        wr = self._word_rows.get(word, self._no_word_rows)
        wi = _WHERE_I.get(where)
        starts.append(len(rows))
        rows += (
            pad, fx["b"], wr[0], p[0], e[0], e[1], e[2], s[0], s[1], s[2],
            e[3], s[3], get("fs=" + start[:1] + end[-1:], pad), fx["sh"].get(_shape(word), pad),
            fx["n"][min(len(word), 8)],
            wr[5 + wi] if wi is not None else get("pw=" + where + word, pad),
        )  # fmt: skip
        article = word.startswith("ال")
        if article:
            rows += (fx["al"], e[4])
        if len(word) > 4:
            tri = rc[6]
            for g in dict.fromkeys(word[i : i + 3] for i in range(1, len(word) - 3)):
                r = tri.get(g)
                if r is None:
                    r = _remember(tri, g, get("g=" + g, pad))
                rows.append(r)
        clusters = self.clusters
        ids = None
        if clusters is not None:
            ids = clusters.get(word)
            if ids is None and article:
                ids2 = clusters.get(word[2:])
                if ids2 is not None:
                    rows += rc[4].get(ids2) or self._cluster_rows(4, ids2)
            elif ids is not None:
                rows += rc[3].get(ids) or self._cluster_rows(3, ids)
            else:
                rows.append(fx["k=none"])
        k_rows = (rc[5].get(ids) or self._cluster_rows(5, ids)) if ids is not None else None
        for j in range(4):  # as the word at -1, -2, +1, +2
            starts.append(len(rows))
            rows += (pad, wr[1 + j], e[5 + j], p[1 + j], s[4 + j])
            if k_rows is not None:
                rows.append(k_rows[j])

    def key_vectors(self, keys: Sequence[WordKey]) -> tuple[np.ndarray, np.ndarray]:
        """Score rows (len(keys), 5, labels) and pair-table ids (len(keys), 2) of distinct keys,
        from the cache where it has them (marking them recently used); new keys are computed
        with one numpy call and cached, dropping the least recently used half when full."""
        slot_of = self._slot
        slots: list[int] = []
        miss: list[int] = []
        for i, k in enumerate(keys):
            s = slot_of.pop(k, None)
            if s is None:
                miss.append(i)
                slots.append(0)
            else:
                slot_of[k] = s
                slots.append(s)
        if self._slab is None:
            n_lab = len(self.model.labels)
            self._slab = np.empty((self.cache_limit, 5, n_lab), dtype=self.model.weights.dtype)
            self._meta = np.empty((self.cache_limit, 2), dtype=np.intp)
            self._free = list(range(self.cache_limit - 1, -1, -1))
        if not miss:
            return self._slab[slots], self._meta[slots]
        vec = self._slab[slots]
        meta = self._meta[slots]
        new_keys = [keys[i] for i in miss]
        new_vec = self.compute_vectors(new_keys)
        new_meta = np.array([self._key_meta(w) for w, _ in new_keys], dtype=np.intp)
        vec[miss] = new_vec
        meta[miss] = new_meta
        # cache the new keys (at most cache_limit of them); the rows above are copies already
        limit = self.cache_limit
        m = min(len(new_keys), limit)
        free = self._free
        if len(free) < m:
            free.extend(_evict_oldest(slot_of, min(limit // 2, limit - m)))
        new_slots = [free.pop() for _ in range(m)]
        self._slab[new_slots] = new_vec[:m]
        self._meta[new_slots] = new_meta[:m]
        slot_of.update(zip(new_keys[:m], new_slots))
        return vec, meta

    # -- tagging

    def tag(self, words: Sequence[tuple[str, str]]) -> list[str]:
        """UPOS per word: emission scores from cached per-form sums, then Viterbi."""
        return self.tag_many([words])[0]

    def tag_many(self, sentences: Sequence[Sequence[tuple[str, str]]]) -> list[list[str]]:
        """UPOS of several sentences at once (one padded Viterbi)."""
        if self.model is None:
            raise RuntimeError("PosTagger built without a model can only extract features")
        ukeys: dict[WordKey, int] = {}
        wk = [ukeys.setdefault(k, len(ukeys)) for words in sentences for k in words]
        lens = [len(words) for words in sentences]
        flat = self.label_names[self.tag_flat(list(ukeys), wk, lens)].tolist()
        out = []
        i = 0
        for n in lens:
            out.append(flat[i : i + n])
            i += n
        return out

    def tag_flat(
        self, ukeys: Sequence[WordKey], wk: Sequence[int], lens: Sequence[int]
    ) -> np.ndarray:
        """Label indices of all words of a document, decoded sentence by sentence.

        ukeys: the distinct (form, where) keys; wk: per word (document order) its index in
        ukeys; lens: words per sentence (summing to len(wk)). Emissions are summed in the
        order of `emission_matrix`, so the answer is the per-sentence one, bit for bit.
        """
        n_words = len(wk)
        if n_words == 0:
            return np.zeros(0, dtype=np.intp)
        model = self.model
        vec, meta = self.key_vectors(ukeys)
        n_lab = vec.shape[2]
        # Sentences laid out with two empty slots before each and after the last, so that the
        # shifted neighbour adds never cross a sentence (they add zero rows there).
        lens_a = np.asarray(lens, dtype=np.intp)
        keep = lens_a > 0
        lens_a = lens_a[keep]
        n_sent = len(lens_a)
        sent_of = np.repeat(np.arange(n_sent), lens_a)
        starts = np.zeros(n_sent, dtype=np.intp)
        np.cumsum(lens_a[:-1], out=starts[1:])
        pos_in = np.arange(n_words) - starts[sent_of]
        at = np.arange(n_words) + 2 * sent_of + 2  # word -> its padded slot
        size = n_words + 2 * n_sent + 2
        u = len(ukeys)
        idx = np.full(size, u, dtype=np.intp)
        idx[at] = wk
        vec_z = np.concatenate([vec, np.zeros((1, 5, n_lab), vec.dtype)])
        meta_z = np.concatenate([meta, [[self._n_vocab - 1, len(self._agr_class)]]])
        a = vec_z[idx]
        pv, ag = meta_z[idx].T
        em = a[:, 0].copy()
        first = at[starts]
        last = first + lens_a - 1
        em[first] += self._fixed["BOS"]
        em[last] += self._fixed["EOS"]
        em[first[lens_a > 1] + 1] += self._fixed["-2BOS"]
        em[1:] += a[:-1, 1]
        em[:-1] += a[1:, 3]
        em[2:] += a[:-2, 2]
        em[:-2] += a[2:, 4]
        weights = model.weights
        pad = model._pad
        codes = pv[:-1] * self._n_vocab + pv[1:]
        table = self._pair_codes
        if len(table):
            j = np.searchsorted(table, codes)
            j[j == len(table)] = 0
            found = table[j] == codes
            ww = np.where(found, self._pair_rows[j, 0], pad)
            wn = np.where(found, self._pair_rows[j, 1], pad)
        else:
            ww = wn = np.full(len(codes), pad, dtype=np.intp)
        em[1:] += weights[ww]
        em[1:] += weights[self._agr_rows[ag[:-1], ag[1:]]]
        em[:-1] += weights[wn]
        return model.viterbi_flat(em[at], sent_of, pos_in, lens_a)

    def emission_matrix(self, words: Sequence[tuple[str, str]]) -> np.ndarray:
        """(n words, labels) scores of one sentence: the same sum crfsuite computes.

        The plain per-sentence reference of what `tag_flat` computes for a whole document."""
        n = len(words)
        model = self.model
        if n == 0:
            return np.zeros((0, len(model.labels)), dtype=np.float32)
        a = self.compute_vectors(words)
        em = a[:, 0].copy()
        em[0] += self._fixed["BOS"]
        em[-1] += self._fixed["EOS"]
        if n > 1:
            em[1] += self._fixed["-2BOS"]
            em[1:] += a[:-1, 1]
            em[:-1] += a[1:, 3]
            if n > 2:
                em[2:] += a[:-2, 2]
                em[:-2] += a[2:, 4]
            index = model.index
            weights = model.weights
            for i in range(1, n):
                pw, w = words[i - 1][0], words[i][0]
                for f in _pair_features(pw, w):
                    r = index.get(f)
                    if r is not None:
                        em[i] += weights[r]
                r = index.get("wn=" + pw + "|" + w)
                if r is not None:
                    em[i - 1] += weights[r]
        return em


def _pair_features(prev: str, word: str) -> tuple[str, str]:
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


def part_kinds(norms: Sequence[str], tags: Sequence[str]) -> list[str]:
    """proclitic / stem / enclitic for the parts of one token.

    Trailing parts (not the first) that are pronouns are enclitics; the last remaining part is the
    stem; everything before it is a proclitic. به = ب (stem, ADP) + ه (enclitic).
    """
    k = len(norms)
    stem = k - 1
    while stem > 0 and (tags[stem] == "PRON" or tags[stem] is None) and norms[stem] in ENCLITICS:
        stem -= 1
    return ["proclitic"] * stem + ["stem"] + ["enclitic"] * (k - stem - 1)


def part_norm(token: Token, index: int) -> str:
    """Normalized form of part `index` of a token, with the elided article restored.

    لليابان is ل + ليابان in the text; the word is اليابان. Useful as a lexicon key or a mention's
    `normalized` value; the part's offsets and `text` stay those of what is written.
    """
    parts = token.parts
    text = normalize_text(parts[index].text)[0]
    if (
        index > 0
        and parts[index - 1].kind == "proclitic"
        and normalize_text(parts[index - 1].text)[0] == "ل"
        and text.startswith("ل")
        and parts[index].kind == "stem"
        and (parts[index].pos in ("NOUN", "ADJ", "PROPN", "X", "NUM", None))
    ):
        return "ا" + text
    return text


def token_norm_start(doc: Document, token: Token, starts: Sequence[int] | None = None) -> int:
    """Index in `doc.norm` where `token.norm` begins (tokens store raw offsets only).

    `starts`: `doc._starts` as a list, when the caller has it (bisecting a list is faster)."""
    if starts is None:
        starts = doc._starts
    if starts is None:
        return token.start
    i = bisect_left(starts, token.start)
    n = len(token.norm)
    norm = doc.norm
    while i < len(starts) and starts[i] == token.start and norm[i : i + n] != token.norm:
        i += 1
    if i >= len(starts) or norm[i : i + n] != token.norm:
        # Should not happen for tokens made by the tokenizer; fall back to a local search.
        j = norm.find(token.norm, max(0, bisect_left(starts, token.start) - 2))
        return j if j >= 0 else bisect_left(starts, token.start)
    return i


def _raw_spans(doc: Document, token: Token, spans: Sequence[tuple[int, int]],
               starts: list[int] | None = None, ends: list[int] | None = None,
               ) -> list[tuple[int, int]]:
    """Map norm-local part spans of a token to raw spans that tile [token.start, token.end).

    A cut that maps onto no raw character boundary of its own (inside a ligature expanded by
    normalization) is dropped, merging the two parts, so no part is ever empty. `starts`/`ends`:
    the document's norm -> raw alignment as lists (faster look-ups than `doc.to_raw_pos` in the
    stage's loop); None: read from `doc`.
    """
    if len(spans) == 1:
        return [(token.start, token.end)]
    if doc._starts is None:
        base = token.start
        return [(base + a, base + b) for a, b in spans]
    if starts is None:
        starts, ends = doc._starts, doc._ends
    n0 = token_norm_start(doc, token, starts)
    n_starts = len(starts)
    last = int(ends[-1]) if len(ends) else len(doc.raw)
    cuts = []
    prev, end = token.start, token.end
    for _, b in spans[:-1]:
        pos = n0 + b
        r = int(starts[pos]) if pos < n_starts else last
        if prev < r < end:
            cuts.append(r)
            prev = r
    out = []
    prev = token.start
    for c in cuts:
        out.append((prev, c))
        prev = c
    out.append((prev, end))
    return out


# ---------------------------------------------------------------- the stage


def _load_memory(path: Path) -> dict[str, tuple[int, ...]]:
    memory: dict[str, tuple[int, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            form, _, cuts = line.rstrip("\n").partition("\t")
            memory[form] = tuple(int(c) for c in cuts.split(",")) if cuts else ()
    return memory


def _load_clusters(path: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            w, _, ids = line.rstrip("\n").partition("\t")
            out[w] = tuple(ids.split(","))
    return out


def _load_lexicon(path: Path) -> frozenset[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.rstrip("\n") for line in fh if line.strip())


class TagStage:
    """Pipeline stage: fills `Token.parts` (raw offsets, kind, UPOS) and `Token.pos` (the stem's).

    backend="crf" (default) loads the models shipped in models/tag/ (`python -m
    pipeline.training.tag train` rebuilds them). backend="stanza" tags the same segmented words
    with a stanza POS model from `model_dir` (default models/stanza), offline.
    """

    name = "tag"
    requires: tuple[str, ...] = ("norm", "tokens")
    provides: tuple[str, ...] = ("parts", "pos")

    def __init__(
        self,
        model_dir: Path | str | None = None,
        backend: str = "crf",
        cache_limit: int | None = None,
    ) -> None:
        self.backend = backend
        # entries of each per-form cache (forms here, (part, where) keys in the POS tagger)
        self.cache_limit = cache_limit if cache_limit is not None else _CACHE_LIMIT
        self._forms: dict[str, tuple[tuple[tuple[int, int], ...], tuple[WordKey, ...]]] = {}
        if backend == "crf":
            d = Path(model_dir) if model_dir is not None else models_dir() / "tag"
            needed = [
                "seg.attrs.txt.gz", "seg.weights.npy", "pos.attrs.txt.gz", "pos.weights.npy",
                "seg_memory.tsv.gz", "lexicon.txt.gz",
            ]  # fmt: skip
            missing = [f for f in needed if not (d / f).exists()]
            if missing:
                raise FileNotFoundError(
                    f"tag models missing in {d}: {', '.join(missing)}; rebuild them with "
                    "`python -m pipeline.training.tag train --data DATA_DIR`"
                )
            self.segmenter = Segmenter(
                LinearChain(d / "seg"), _load_memory(d / "seg_memory.tsv.gz"),
                _load_lexicon(d / "lexicon.txt.gz"),
            )  # fmt: skip
            clusters = d / "clusters.tsv.gz"
            self.pos_tagger = PosTagger(
                LinearChain(d / "pos"),
                _load_clusters(clusters) if clusters.exists() else None,
                cache_limit=self.cache_limit,
            )
            meta = d / "meta.json"
            self.meta = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
            self._stanza = None
        elif backend == "stanza":
            self._stanza = _load_stanza(
                Path(model_dir) if model_dir is not None else models_dir() / "stanza"
            )
            tag_dir = models_dir() / "tag"
            self.segmenter = Segmenter(
                LinearChain(tag_dir / "seg"), _load_memory(tag_dir / "seg_memory.tsv.gz"),
                _load_lexicon(tag_dir / "lexicon.txt.gz"),
            )  # fmt: skip
        else:
            raise ValueError(f"unknown tag backend {backend!r}; use 'crf' or 'stanza'")

    # -- crf backend

    def split_words(self, words: Iterable[str]) -> list[list[tuple[int, int]]]:
        """Norm-local part spans of each normalized word (the segmentation alone, no tags)."""
        cuts = self.segmenter.cuts
        return [cuts_to_spans(len(w), cuts(w)) for w in words]

    def tag_words(self, words: Sequence[tuple[str, str]]) -> list[str]:
        """UPOS of one sentence's syntactic words [(norm form, where code), ...]."""
        if self._stanza is not None:
            if not words:
                return []
            sent = self._stanza([[w for w, _ in words]]).sentences[0]
            return [w.upos or "X" for w in sent.words]
        return self.pos_tagger.tag(words)

    def tag_sentence(
        self, words: Sequence[str]
    ) -> tuple[list[list[tuple[int, int]]], list[list[str]]]:
        """Segment and tag one sentence of normalized surface words.

        Returns, per word, its norm-local part spans and the UPOS of each part.
        """
        return self.tag_sentences([words])[0]

    def tag_sentences(
        self, sentences: Sequence[Sequence[str]]
    ) -> list[tuple[list[list[tuple[int, int]]], list[list[str]]]]:
        """`tag_sentence` for many sentences (the crf backend decodes them together)."""
        if self._stanza is None:
            return self._tag_sentences_crf(sentences)
        self.segmenter.prefetch(w for words in sentences for w in words)
        all_spans = [self.split_words(words) for words in sentences]
        seqs: list[list[tuple[str, str]]] = []
        for words, spans in zip(sentences, all_spans):
            seq: list[tuple[str, str]] = []
            for w, sp in zip(words, spans):
                if len(sp) == 1:
                    seq.append((w, "S"))
                else:
                    for (a, b), where in zip(sp, where_codes(len(sp))):
                        seq.append((w[a:b], where))
            seqs.append(seq)
        if self._stanza is not None:
            flats = [self.tag_words(seq) for seq in seqs]
        else:
            flats = self.pos_tagger.tag_many(seqs)
        out = []
        for spans, flat in zip(all_spans, flats):
            tags: list[list[str]] = []
            i = 0
            for sp in spans:
                tags.append(flat[i : i + len(sp)])
                i += len(sp)
            out.append((spans, tags))
        return out

    def _tag_sentences_crf(
        self, sentences: Sequence[Sequence[str]]
    ) -> list[tuple[list[list[tuple[int, int]]], list[list[str]]]]:
        recs, tok_f, labels = self._analyse([list(words) for words in sentences])
        out = []
        t = w = 0
        for words in sentences:
            spans_out: list[list[tuple[int, int]]] = []
            tags_out: list[list[str]] = []
            for _ in words:
                spans = recs[tok_f[t]][0]
                t += 1
                spans_out.append(list(spans))
                tags_out.append(labels[w : w + len(spans)])
                w += len(spans)
            out.append((spans_out, tags_out))
        return out

    def _records(
        self, forms: list[str]
    ) -> list[tuple[tuple[tuple[int, int], ...], tuple[WordKey, ...]]]:
        """Per distinct normalized token form: its part spans and the (part, where) key of each
        part, from the per-form cache (least recently used forms dropped when it is full)."""
        cache = self._forms
        recs: list = []
        miss: list[int] = []
        for i, w in enumerate(forms):
            r = cache.pop(w, None)
            if r is None:
                miss.append(i)
            else:
                cache[w] = r
            recs.append(r)
        if miss:
            words = [forms[i] for i in miss]
            for i, w, cuts in zip(miss, words, self.segmenter.cuts_many(words)):
                if not cuts:
                    rec = (((0, len(w)),), ((w, "S"),))
                else:
                    spans = tuple(cuts_to_spans(len(w), cuts))
                    wheres = where_codes(len(spans))
                    rec = (spans, tuple((w[a:b], x) for (a, b), x in zip(spans, wheres)))
                recs[i] = cache[w] = rec
            if len(cache) > self.cache_limit:
                _evict_oldest(cache, self.cache_limit // 2)
        return recs

    def _analyse(self, sentences: list[list[str]]) -> tuple[list, list[int], list[str]]:
        """Segment and tag sentences of normalized tokens together: the distinct forms' records
        (spans, keys), each token's index among them, and every part's UPOS in text order."""
        fidx: dict[str, int] = {}
        tok_f = [fidx.setdefault(w, len(fidx)) for words in sentences for w in words]
        if not tok_f:
            return [], [], []
        recs = self._records(list(fidx))
        ukeys: dict[WordKey, int] = {}
        form_k = [tuple(ukeys.setdefault(k, len(ukeys)) for k in rec[1]) for rec in recs]
        # each token's words (its parts' keys), laid out flat: a CSR expansion in numpy
        n_parts = np.fromiter(map(len, form_k), np.intp, len(form_k))
        off = np.zeros(len(form_k) + 1, dtype=np.intp)
        np.cumsum(n_parts, out=off[1:])
        flat_k = np.fromiter(chain.from_iterable(form_k), np.intp, int(off[-1]))
        tf = np.array(tok_f, dtype=np.intp)
        tok_n = n_parts[tf]
        tok_end = np.cumsum(tok_n)
        n_words = int(tok_end[-1])
        if n_words == len(tf):  # no token split in this text
            wk = flat_k[off[tf]]
        else:
            inner = np.arange(n_words) - np.repeat(tok_end - tok_n, tok_n)
            wk = flat_k[np.repeat(off[tf], tok_n) + inner]
        sent_end = np.cumsum([len(words) for words in sentences])
        words_end = np.concatenate([[0], tok_end])[sent_end]
        lens = np.diff(words_end, prepend=0)
        flat = self.pos_tagger.tag_flat(list(ukeys), wk, lens)
        return recs, tok_f, self.pos_tagger.label_names[flat].tolist()

    def __call__(self, doc: Document) -> Document:
        if self.backend == "stanza":
            return self._call_stanza(doc)
        # The stage allocates a few objects per token (its output parts) and makes no reference
        # cycles: automatic collection is held off until it returns, so that these allocations
        # do not set off collections (full ones scan every live document: a quarter of the
        # stage's time when a run keeps hundreds of documents in memory, as make bench does).
        with gc_paused():
            return self._tag_document(doc)

    def _tag_document(self, doc: Document) -> Document:
        tokens = doc.tokens
        groups = (
            [(s.first_token, s.last_token) for s in doc.sentences]
            if doc.sentences
            else [(0, len(tokens))]
        )
        sents = [tokens[first:last] for first, last in groups if last > first]
        recs, tok_f, labels = self._analyse([[t.norm for t in sent] for sent in sents])
        single = [len(rec[0]) == 1 for rec in recs]
        fill = self._fill_split
        starts: list[int] | None | bool = False  # the alignment as lists, made when first needed
        ends: list[int] | None = None
        w = 0
        for tok, f in zip([t for sent in sents for t in sent], tok_f):
            if single[f]:  # most tokens: one stem part, the token itself
                tag = labels[w]
                w += 1
                tok.parts = [Part(tok.start, tok.end, tok.text, "stem", tag)]
                tok.pos = tag
            else:
                spans, keys = recs[f]
                k = len(spans)
                if starts is False:
                    starts = doc._starts.tolist() if doc._starts is not None else None
                    ends = doc._ends.tolist() if doc._ends is not None else None
                fill(doc, tok, spans, labels[w : w + k], [x[0] for x in keys], starts, ends)
                w += k
        return doc

    @staticmethod
    def _fill_split(
        doc: Document,
        tok: Token,
        spans: Sequence[tuple[int, int]],
        tags: list[str],
        norms: list[str],
        starts: list[int] | None,
        ends: list[int] | None,
    ) -> None:
        """`_fill` of a token split in several parts (norms: their norm texts), with the
        document's norm -> raw alignment given as lists (or None when it is the identity)."""
        raw_spans = _raw_spans(doc, tok, spans, starts, ends)
        if len(raw_spans) != len(spans):  # a cut vanished in raw: merge into one stem
            raw_spans = [(tok.start, tok.end)]
            tags = [tags[-1] if tags[-1] != "PRON" or len(tags) == 1 else tags[0]]
            norms = [tok.norm]
        kinds = part_kinds(norms, tags)
        raw = doc.raw
        tok.parts = [
            Part(a, b, raw[a:b], kind, tag) for (a, b), kind, tag in zip(raw_spans, kinds, tags)
        ]
        tok.pos = tags[kinds.index("stem")]

    @staticmethod
    def _fill(doc: Document, tok: Token, spans: list[tuple[int, int]], tags: list[str]) -> None:
        if len(spans) == 1:  # most tokens: one stem part, the token itself
            tok.parts = [Part(tok.start, tok.end, tok.text, "stem", tags[0])]
            tok.pos = tags[0]
            return
        TagStage._fill_split(doc, tok, spans, tags, [tok.norm[a:b] for a, b in spans], None, None)

    # -- stanza backend

    def _call_stanza(self, doc: Document) -> Document:
        tokens = doc.tokens
        groups = (
            [(s.first_token, s.last_token) for s in doc.sentences]
            if doc.sentences
            else [(0, len(tokens))]
        )
        groups = [(a, b) for a, b in groups if b > a]
        if not groups:
            return doc
        all_spans = [self.split_words([t.norm for t in tokens[a:b]]) for a, b in groups]
        batch = [
            [t.norm[x:y] for t, sp in zip(tokens[a:b], spans) for x, y in sp]
            for (a, b), spans in zip(groups, all_spans)
        ]
        result = self._stanza(batch)
        for (a, b), spans, sent in zip(groups, all_spans, result.sentences):
            upos = [w.upos or "X" for w in sent.words]
            i = 0
            for tok, sp in zip(tokens[a:b], spans):
                self._fill(doc, tok, sp, upos[i : i + len(sp)])
                i += len(sp)
        return doc


STANZA_POS_NAME = "padt_nopretrain.pt"  # as `pipeline.training.stanza_padt` writes it


def _load_stanza(model_dir: Path) -> Any:
    """Build an offline stanza POS pipeline over pretokenized words, or say how to get the model.

    The model is the one `python -m pipeline.training.stanza_padt train` trains with stanza's own
    training code (stanza.models.tagger, no pretrained vectors) on normalized PADT words; it is
    looked up as model_dir/ar/pos/padt_nopretrain.pt. No network access is attempted.
    """
    try:
        import stanza
    except ImportError as exc:
        raise ImportError("the stanza tag backend needs stanza: pip install stanza") from exc
    pos_model = model_dir / "ar" / "pos" / STANZA_POS_NAME
    if not pos_model.exists():
        raise FileNotFoundError(
            f"no stanza Arabic POS model at {pos_model}; train it offline with "
            "`python -m pipeline.training.stanza_padt train --only pos --data DATA_DIR --out "
            f"{model_dir}` (stanza.models.tagger on UD Arabic-PADT; see models/cards/tag.md)"
        )
    return stanza.Pipeline(
        "ar",
        dir=str(model_dir),
        processors="tokenize,pos",
        tokenize_pretokenized=True,
        pos_model_path=str(pos_model),
        pos_pretrain_path=None,
        download_method=None,
        logging_level="WARN",
    )
