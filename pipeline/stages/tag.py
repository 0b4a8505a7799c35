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

An optional stanza backend (`TagStage(backend="stanza", model_dir=...)`) runs stanza's own MWT and
POS models on our tokens and aligns stanza's words back onto raw offsets the same way.
"""

from __future__ import annotations

import gzip
import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.document import Document, Part, Token
from pipeline.resources import models_dir

__all__ = [
    "TagStage",
    "Segmenter",
    "PosTagger",
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

_CACHE_LIMIT = 300_000  # per-form cache entries before it is cleared (bounds memory on huge runs)


def is_arabic_word(text: str) -> bool:
    """True for a run of Arabic letters (the only tokens that can carry clitics)."""
    return len(text) > 0 and all("\u0621" <= c <= "\u064a" or "\u0671" <= c <= "\u06d3" for c in text)


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


class Segmenter:
    """Clitic split points of a normalized Arabic word: memory of seen forms, CRF for the rest."""

    def __init__(
        self,
        crf_path: Path | None,
        memory: dict[str, tuple[int, ...]],
        lexicon: frozenset[str],
    ) -> None:
        self.memory = memory
        self.lexicon = lexicon
        self._tagger = None
        if crf_path is not None:
            self._tagger = _need_crfsuite().Tagger()
            self._tagger.open(str(crf_path))
        self._cache: dict[str, tuple[int, ...]] = {}

    def crf_cuts(self, word: str) -> tuple[int, ...]:
        """Cut points predicted by the CRF alone (no memory), for evaluation and unseen forms."""
        if self._tagger is None or len(word) < 2:
            return ()
        labels = self._tagger.tag(seg_features(word, self.lexicon))
        return tuple(i for i, lab in enumerate(labels) if i > 0 and lab == "B")

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
        self, crf_path: Path | None, clusters: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self.clusters = clusters
        self._tagger = None
        if crf_path is not None:
            self._tagger = _need_crfsuite().Tagger()
            self._tagger.open(str(crf_path))
        self._own: dict[tuple[str, str], list[str]] = {}
        self._ctx: dict[tuple[str, str, str], list[str]] = {}

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
        """Feature lists of a sentence's words [(norm form, where), ...]: own + neighbours'."""
        n = len(words)
        out = []
        for i, (w, where) in enumerate(words):
            f = list(self._own_f(w, where))
            if i > 0:
                pw = words[i - 1][0]
                f.append("ww=" + pw + "|" + w)
                # agreement of a noun and its adjective: definiteness and feminine ending
                f.append(f"agr={pw[:2] == 'ال'}{w[:2] == 'ال'}{pw[-1:]}{w[-1:]}")
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

    def tag(self, words: Sequence[tuple[str, str]]) -> list[str]:
        """UPOS per word."""
        if not words:
            return []
        if self._tagger is None:
            raise RuntimeError("PosTagger built without a model can only extract features")
        return self._tagger.tag(self.sequence_features(words))


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
    # The token norm and its parts line up by length only when no char was composed/decomposed,
    # so rebuild from the parts' own norm slices computed at tag time when possible.
    from pipeline.stages.normalize import normalize_text

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
    pipeline.training.tag train` rebuilds them). backend="stanza" runs stanza's Arabic mwt+pos
    models from `model_dir` (default models/stanza), offline.
    """

    name = "tag"
    requires: tuple[str, ...] = ("norm", "tokens")
    provides: tuple[str, ...] = ("parts", "pos")

    def __init__(self, model_dir: Path | str | None = None, backend: str = "crf") -> None:
        self.backend = backend
        if backend == "crf":
            d = Path(model_dir) if model_dir is not None else models_dir() / "tag"
            needed = ["seg.crfsuite", "pos.crfsuite", "seg_memory.tsv.gz", "lexicon.txt.gz"]
            missing = [f for f in needed if not (d / f).exists()]
            if missing:
                raise FileNotFoundError(
                    f"tag models missing in {d}: {', '.join(missing)}; rebuild them with "
                    "`python -m pipeline.training.tag train --data DATA_DIR`"
                )
            self.segmenter = Segmenter(
                d / "seg.crfsuite", _load_memory(d / "seg_memory.tsv.gz"),
                _load_lexicon(d / "lexicon.txt.gz"),
            )  # fmt: skip
            clusters = d / "clusters.tsv.gz"
            self.pos_tagger = PosTagger(
                d / "pos.crfsuite", _load_clusters(clusters) if clusters.exists() else None
            )
            meta = d / "meta.json"
            self.meta = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
            self._stanza = None
        elif backend == "stanza":
            self._stanza = _load_stanza(
                Path(model_dir) if model_dir is not None else models_dir() / "stanza"
            )
        else:
            raise ValueError(f"unknown tag backend {backend!r}; use 'crf' or 'stanza'")

    # -- crf backend

    def split_words(self, words: Iterable[str]) -> list[list[tuple[int, int]]]:
        """Norm-local part spans of each normalized word (the segmentation alone, no tags)."""
        cuts = self.segmenter.cuts
        return [cuts_to_spans(len(w), cuts(w)) for w in words]

    def tag_sentence(self, words: Sequence[str]) -> tuple[list[list[tuple[int, int]]], list[list[str]]]:
        """Segment and tag one sentence of normalized surface words.

        Returns, per word, its norm-local part spans and the UPOS of each part.
        """
        spans = self.split_words(words)
        seq: list[tuple[str, str]] = []
        for w, sp in zip(words, spans):
            for (a, b), where in zip(sp, where_codes(len(sp))):
                seq.append((w[a:b], where))
        flat = self.pos_tagger.tag(seq)
        tags: list[list[str]] = []
        i = 0
        for sp in spans:
            tags.append(flat[i : i + len(sp)])
            i += len(sp)
        return spans, tags

    def __call__(self, doc: Document) -> Document:
        if self.backend == "stanza":
            return self._call_stanza(doc)
        tokens = doc.tokens
        groups = (
            [(s.first_token, s.last_token) for s in doc.sentences]
            if doc.sentences
            else [(0, len(tokens))]
        )
        for first, last in groups:
            sent = tokens[first:last]
            if not sent:
                continue
            spans, tags = self.tag_sentence([t.norm for t in sent])
            for tok, sp, tg in zip(sent, spans, tags):
                self._fill(doc, tok, sp, tg)
        return doc

    @staticmethod
    def _fill(doc: Document, tok: Token, spans: list[tuple[int, int]], tags: list[str]) -> None:
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
        from pipeline.training.padt import align_parts, norm

        tokens = doc.tokens
        groups = (
            [(s.first_token, s.last_token) for s in doc.sentences]
            if doc.sentences
            else [(0, len(tokens))]
        )
        sents = [[t.text for t in tokens[a:b]] for a, b in groups if b > a]
        if not sents:
            return doc
        result = self._stanza(sents)
        flat_tokens = [t for a, b in groups for t in tokens[a:b]]
        flat_out = [t for s in result.sentences for t in s.tokens]
        for tok, st in zip(flat_tokens, flat_out):
            words = [(w.text, w.upos) for w in st.words]
            spans = align_parts(tok.norm, [norm(w) for w, _ in words]) or [(0, len(tok.norm))]
            tags = [u or "X" for _, u in words] if len(spans) == len(words) else [words[-1][1] or "X"]
            self._fill(doc, tok, spans, tags)
        return doc


def _load_stanza(model_dir: Path) -> Any:
    """Build an offline stanza pipeline (pretokenized input) or say how to get the models."""
    try:
        import stanza
    except ImportError as exc:
        raise ImportError("the stanza tag backend needs stanza: pip install stanza") from exc
    if not (model_dir / "ar").is_dir():
        raise FileNotFoundError(
            f"no stanza Arabic models in {model_dir}; download them once with "
            f"`python -c \"import stanza; stanza.download('ar', model_dir='{model_dir}', "
            "processors='tokenize,mwt,pos')\"` or train them with stanza.models.tagger "
            "(see models/cards/tag.md)"
        )
    return stanza.Pipeline(
        "ar",
        dir=str(model_dir),
        processors="tokenize,mwt,pos",
        tokenize_pretokenized=True,
        download_method=None,
        logging_level="WARN",
    )
