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
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.document import Document, Part, Token
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

_CACHE_LIMIT = 20_000  # per-form cache entries before a cache is cleared: bounds memory on long runs


def is_arabic_word(text: str) -> bool:
    """True for a run of Arabic letters (the only tokens that can carry clitics)."""
    return len(text) > 0 and all(
        "\u0621" <= c <= "\u064a" or "\u0671" <= c <= "\u06d3" for c in text
    )


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

    def crf_cuts(self, word: str) -> tuple[int, ...]:
        """Cut points predicted by the CRF alone (no memory), for evaluation and unseen forms."""
        model = self.model
        if model is None or len(word) < 2:
            return ()
        emissions = model.emissions(seg_features(word, self.lexicon))
        labels = model.labels
        path = model.viterbi(emissions)
        return tuple(i for i, lab in enumerate(path) if i > 0 and labels[lab] == "B")

    def prefetch(self, words: Iterable[str]) -> None:
        """Fill the cache for all new forms among `words` with one batched CRF scoring."""
        cache = self._cache
        memory = self.memory
        new = []
        for w in dict.fromkeys(words):
            if w in cache:
                continue
            if not is_arabic_word(w) or len(w) < 2:
                cache[w] = ()
            elif w in memory:
                cache[w] = memory[w]
            else:
                new.append(w)
        if not new or self.model is None:
            for w in new:
                cache[w] = ()
            return
        if len(cache) + len(new) >= _CACHE_LIMIT:
            cache.clear()
        lex = self.lexicon
        groups = [f for w in new for f in seg_features(w, lex)]
        em = self.model.emissions(groups).tolist()
        trans = self.model.trans.tolist()
        is_b = [lab == "B" for lab in self.model.labels]
        i = 0
        for w in new:
            path = _viterbi2(em[i : i + len(w)], trans)
            i += len(w)
            cache[w] = tuple(k for k, lab in enumerate(path) if k > 0 and is_b[lab])

    def cuts(self, word: str) -> tuple[int, ...]:
        """Cut points of `word` (norm indices where a new part starts), cached per form."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        if not is_arabic_word(word) or len(word) < 2:
            out: tuple[int, ...] = ()
        else:
            mem = self.memory.get(word)
            out = mem if mem is not None else self.crf_cuts(word)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = out
        return out


class PosTagger:
    """UPOS of the syntactic words of a sentence (first-order CRF over cached word features)."""

    def __init__(
        self, model: LinearChain | None, clusters: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self.clusters = clusters
        self.model = model
        self._own: dict[tuple[str, str], list[str]] = {}
        self._ctx: dict[tuple[str, str, str], list[str]] = {}
        self._vec: dict[tuple[str, str], np.ndarray] = {}
        if model is not None:
            self._fixed = {f: model.emission([f]) for f in ("BOS", "-2BOS", "EOS")}

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

    def _vecs(self, key: tuple[str, str]) -> np.ndarray:
        """Scores a word contributes, cached per (form, where): rows = own, as the word before
        (-1), two before (-2), after (+1), two after (+2) the word being tagged."""
        v = self._vec.get(key)
        if v is None:
            if len(self._vec) >= _CACHE_LIMIT:
                self._vec.clear()
            w, where = key
            c = self.clusters
            v = self._vec[key] = self.model.emissions(
                [word_features(w, where, c)]
                + [_ctx_features(w, where, k, c) for k in ("-1", "-2", "+1", "+2")]
            )
        return v

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Compute the cached score rows of all new (form, where) keys in one numpy call."""
        vec = self._vec
        new = [k for k in dict.fromkeys(keys) if k not in vec]
        if not new:
            return
        if len(vec) + len(new) >= _CACHE_LIMIT:
            vec.clear()
        c = self.clusters
        groups: list[list[str]] = []
        for w, where in new:
            groups.append(word_features(w, where, c))
            groups.extend(_ctx_features(w, where, k, c) for k in ("-1", "-2", "+1", "+2"))
        em = self.model.emissions(groups)
        for i, key in enumerate(new):
            vec[key] = em[5 * i : 5 * i + 5]

    def tag(self, words: Sequence[tuple[str, str]]) -> list[str]:
        """UPOS per word: emission scores from cached per-form sums, then Viterbi."""
        return self.tag_many([words])[0]

    def tag_many(self, sentences: Sequence[Sequence[tuple[str, str]]]) -> list[list[str]]:
        """UPOS of several sentences at once (one padded Viterbi)."""
        if self.model is None:
            raise RuntimeError("PosTagger built without a model can only extract features")
        labels = self.model.labels
        self.prefetch(key for words in sentences for key in words)
        ems = [self.emission_matrix(w) for w in sentences]
        return [[labels[j] for j in path] for path in self.model.viterbi_many(ems)]

    def emission_matrix(self, words: Sequence[tuple[str, str]]) -> np.ndarray:
        """(n words, labels) scores of one sentence: the same sum crfsuite computes."""
        n = len(words)
        model = self.model
        if n == 0:
            return np.zeros((0, len(model.labels)), dtype=np.float32)
        vecs = self._vecs
        a = np.stack([vecs(key) for key in words])
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


def token_norm_start(doc: Document, token: Token) -> int:
    """Index in `doc.norm` where `token.norm` begins (tokens store raw offsets only)."""
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


def _raw_spans(doc: Document, token: Token, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map norm-local part spans of a token to raw spans that tile [token.start, token.end).

    A cut that maps onto no raw character boundary of its own (inside a ligature expanded by
    normalization) is dropped, merging the two parts, so no part is ever empty.
    """
    if len(spans) == 1:
        return [(token.start, token.end)]
    if doc._starts is None:
        base = token.start
        return [(base + a, base + b) for a, b in spans]
    n0 = token_norm_start(doc, token)
    cuts = []
    prev = token.start
    for _, b in spans[:-1]:
        r = doc.to_raw_pos(n0 + b)
        if prev < r < token.end:
            cuts.append(r)
            prev = r
    out = []
    prev = token.start
    for c in cuts:
        out.append((prev, c))
        prev = c
    out.append((prev, token.end))
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

    def __init__(self, model_dir: Path | str | None = None, backend: str = "crf") -> None:
        self.backend = backend
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
                LinearChain(d / "pos"), _load_clusters(clusters) if clusters.exists() else None
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

    def __call__(self, doc: Document) -> Document:
        if self.backend == "stanza":
            return self._call_stanza(doc)
        tokens = doc.tokens
        groups = (
            [(s.first_token, s.last_token) for s in doc.sentences]
            if doc.sentences
            else [(0, len(tokens))]
        )
        sents = [tokens[first:last] for first, last in groups if last > first]
        results = self.tag_sentences([[t.norm for t in sent] for sent in sents])
        fill = self._fill
        for sent, (spans, tags) in zip(sents, results):
            for tok, sp, tg in zip(sent, spans, tags):
                fill(doc, tok, sp, tg)
        return doc

    @staticmethod
    def _fill(doc: Document, tok: Token, spans: list[tuple[int, int]], tags: list[str]) -> None:
        if len(spans) == 1:  # most tokens: one stem part, the token itself
            tok.parts = [Part(tok.start, tok.end, tok.text, "stem", tags[0])]
            tok.pos = tags[0]
            return
        raw_spans = _raw_spans(doc, tok, spans)
        if len(raw_spans) != len(spans):  # a cut vanished in raw: merge into one stem
            raw_spans = [(tok.start, tok.end)]
            tags = [tags[-1] if tags[-1] != "PRON" or len(tags) == 1 else tags[0]]
            norms = [tok.norm]
        else:
            norms = [tok.norm[a:b] for a, b in spans]
        kinds = part_kinds(norms, tags)
        raw = doc.raw
        tok.parts = [
            Part(a, b, raw[a:b], kind, tag) for (a, b), kind, tag in zip(raw_spans, kinds, tags)
        ]
        tok.pos = tags[kinds.index("stem")]

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


STANZA_POS_NAME = "ar_padt_nopretrain_tagger.pt"


def _load_stanza(model_dir: Path) -> Any:
    """Build an offline stanza POS pipeline over pretokenized words, or say how to get the model.

    The model is the one `python -m pipeline.training.tag stanza` trains with stanza's own
    training code (stanza.models.tagger, no pretrained vectors) on normalized PADT words; it is
    looked up as model_dir/ar/pos/ar_padt_nopretrain_tagger.pt. No network access is attempted.
    """
    try:
        import stanza
    except ImportError as exc:
        raise ImportError("the stanza tag backend needs stanza: pip install stanza") from exc
    pos_model = model_dir / "ar" / "pos" / STANZA_POS_NAME
    if not pos_model.exists():
        raise FileNotFoundError(
            f"no stanza Arabic POS model at {pos_model}; train it offline with "
            "`python -m pipeline.training.tag stanza --data DATA_DIR --out "
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
