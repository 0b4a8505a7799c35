"""`NerFeaturizer`: THE feature function of the NER CRF (and the BiLSTM's inputs), shared by training
and the stage, so the two never drift apart; and the document emissions of the numpy CRF scorer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pipeline.cache import evict_half
from pipeline.lexicons import load_rows
from pipeline.ner.tokens import TagInfo, cluster_key, phrase_matches, proclitic_candidates
from pipeline.resources import models_dir

__all__ = ["NerFeaturizer"]

_ARABIC_LETTERS = re.compile(r"^[\u0621-\u064a\u0671-\u06d3]+$")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z.'&-]*$")
# Per-form feature cache entries; when full, the older half is dropped (memory stays flat on long
# runs, while the frequent forms, re-added at once, stay cached: clearing it whole cost many more misses).
_MAX_CACHE = 40_000
# Cluster feature names by number of cluster columns (a 2-column file: coarse, fine).
_CLUSTER_NAMES = {2: ["cc=", "cf="]}


class NerFeaturizer:
    """Token features for the NER CRF: one instance shared by training and the stage.

    Per word type (cached): the form, its clitic-stripped stem, prefix/suffix, shape, gazetteer
    flags and word clusters. Per token: those of the token plus the form/stem/gazetteer/cluster
    of its neighbours at -2..+2, two word bigrams, and multi-word gazetteer matches.
    """

    VERSION = 1

    def __init__(
        self,
        gazetteers: Mapping[str, frozenset[str]],
        phrases: Mapping[tuple[str, ...], str],
        clusters: Mapping[str, tuple[str, ...]],
        use_tags: bool = False,
    ) -> None:
        # Tag-stage features (stem UPOS, proclitics, article, stem; and of the ±1 neighbours): on
        # when the model was trained with them (meta.json "tag_features").
        self.use_tags = use_tags
        self._tag_cache: dict[tuple, tuple[tuple[str, ...], ...]] = {}  # (form, info) ->
        self.gazetteers = dict(gazetteers)
        self.phrases = dict(phrases)
        self.phrase_first = {p[0] for p in self.phrases}
        self.max_phrase = max((len(p) for p in self.phrases), default=1)
        self.clusters = dict(clusters)
        self._cache: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._first_cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def load(
        cls, model_dir: Path | None = None, use_tags: bool = False, silver: bool = False
    ) -> NerFeaturizer:
        """Gazetteers from pipeline/lexicons, clusters from `model_dir` (models/ner) when present;
        with `silver` (meta.json "silver_names"), the names the accurate NER found in the raw news
        (`silver_names.tsv`, `pipeline.training.silver_names`) as the gazetteers s_PER/s_LOC/s_ORG."""
        model_dir = model_dir or models_dir() / "ner"
        gaz: dict[str, set[str]] = {
            "country": set(),
            "city": set(),
            "given": set(),
            "surname": set(),
            "foreign": set(),
        }
        phrases: dict[tuple[str, ...], str] = {}
        for name, kind in (("countries", "country"), ("cities", "city")):
            for row in load_rows(name):
                words = tuple(row[0].split())
                if len(words) == 1:
                    gaz[kind].add(words[0])
                elif len(words) <= 4:
                    phrases.setdefault(words, kind)
        for row in load_rows("person_names"):
            gaz[row[1] if len(row) > 1 and row[1] in gaz else "given"].add(row[0])
        for row in load_rows("ner_triggers"):
            gaz.setdefault("t_" + row[1], set()).add(row[0])
        if silver:
            with (model_dir / "silver_names.tsv").open(encoding="utf-8") as fh:
                for line in fh:
                    if not line.startswith("#"):
                        form, typ = line.split("\t", 2)[:2]
                        gaz.setdefault("s_" + typ, set()).add(form)
        clusters: dict[str, tuple[str, ...]] = {}
        path = model_dir / "clusters.tsv"
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    if not line.startswith("#"):
                        w, *ids = line.rstrip("\n").split("\t")
                        clusters[w] = tuple(ids)
        return cls({k: frozenset(v) for k, v in gaz.items()}, phrases, clusters, use_tags)

    def _lookup(self, w: str, cands: list[tuple[int, str]]) -> list[str]:
        flags = []
        for kind, words in self.gazetteers.items():
            if w in words:
                flags.append(kind)
            elif any(rest in words for _, rest in cands):
                flags.append(kind + "~")
        return flags

    def _type_features(self, w: str) -> tuple[tuple[str, ...], ...]:
        """`build_type_features`, cached per form (for `sentence_features`: training, the BiLSTM)."""
        cached = self._cache.get(w)
        if cached is not None:
            return cached
        out = self.build_type_features(w)
        if len(self._cache) >= _MAX_CACHE:
            evict_half(self._cache)
        self._cache[w] = out
        return out

    def build_type_features(self, w: str) -> tuple[tuple[str, ...], ...]:
        """A form's features in six parts: its own; what it gives the tokens at +2, +1, -1, -2 (as
        their -2/-1/+1/+2 features); the forms under which it may open a multi-word gazetteer name.

        Not cached here: the numpy scorer keeps the parts' summed weights per form instead (one cache
        of each form, not two).
        """
        cands = proclitic_candidates(w) if _ARABIC_LETTERS.match(w) else []
        stem = w
        for _, rest in cands:  # the longest split whose remainder keeps the article, else none
            if rest.startswith("ال"):
                stem = rest
                break
        bare = stem[2:] if stem.startswith("ال") and len(stem) > 4 else stem
        if _ARABIC_LETTERS.match(w):
            shape = "A"
        elif _LATIN.match(w):
            shape = "Lc" if w[0].isupper() else "Ll"
        elif w.isdigit():
            shape = "D"
        elif any(ch.isalnum() for ch in w):
            shape = "X"
        else:
            shape = "P"
        gaz = self._lookup(w, cands)
        key = cluster_key(w)
        cl = self.clusters.get(key)
        if cl is None and cands:
            cl = self.clusters.get(cands[-1][1])  # the shortest clitic split (و+word -> word)
        own = [
            "b",
            "w=" + w,
            "st=" + stem,
            "bare=" + bare,
            "sh=" + shape,
            "p2=" + bare[:2],
            "p3=" + bare[:3],
            "s2=" + w[-2:],
            "s3=" + w[-3:],
            "s1=" + w[-1:],
            "len=" + str(min(len(bare), 9)),
        ]
        if stem != w:
            own.append("pre=" + w[: len(w) - len(stem)])
        if stem.startswith("ال"):
            own.append("al")
        own.extend("g=" + g for g in gaz)
        ctx = ["w=" + w, "bare=" + bare, "sh=" + shape]
        ctx.extend("g=" + g for g in gaz)
        if cl is not None:
            names = _CLUSTER_NAMES.get(len(cl)) or [f"c{i}=" for i in range(len(cl))]
            cfeats = [name + c for name, c in zip(names, cl)]
            own.extend(cfeats)
            ctx.extend(cfeats)
        else:
            own.append("cf=none")
        pfirst = self._firsts(w, cands)
        if len(self._first_cache) >= _MAX_CACHE:
            evict_half(self._first_cache)
        self._first_cache[w] = pfirst  # `phrase_firsts` of this form, known now
        parts = (own, *([f"{off}:{f}" for f in ctx] for off in ("-2", "-1", "+1", "+2")))
        # tuples, not lists: tuples of strings drop out of the garbage collector's tracking, and
        # a cache of tens of thousands of lists made every full collection slow (a large share of the stage)
        return (*map(tuple, parts), pfirst)

    def _firsts(self, w: str, cands: Sequence[tuple[int, str]]) -> tuple[str, ...]:
        return tuple(f for f in (w, *(r for _, r in cands)) if f in self.phrase_first)

    def phrase_firsts(self, w: str) -> tuple[str, ...]:
        """The forms under which `w` may open a multi-word gazetteer name (itself, clitics stripped);
        cached per form (small: almost always the empty tuple)."""
        hit = self._first_cache.get(w)
        if hit is None:
            hit = self._firsts(w, proclitic_candidates(w) if _ARABIC_LETTERS.match(w) else [])
            if len(self._first_cache) >= _MAX_CACHE:
                evict_half(self._first_cache)
            self._first_cache[w] = hit
        return hit

    def _phrase_tags(
        self, norms: Sequence[str], firsts: Sequence[tuple[str, ...]]
    ) -> list[str | None]:
        """Multi-word gazetteer matches (آسيا الوسطى، جنوب السودان), longest first, proclitic-tolerant.

        `firsts`: per token, the forms under which it may open a name (`phrase_firsts`).
        """
        tags: list[str | None] = [None] * len(norms)
        for a, b, name in phrase_matches(norms, firsts, self.phrases, self.max_phrase):
            kind = self.phrases[name]
            tags[a:b] = ["B" + kind] + ["I" + kind] * (b - a - 1)
        return tags

    @staticmethod
    def _heuristic_tag_info(w: str) -> TagInfo:
        """Fallback when the tag stage did not run: the longest proclitic split keeping the article
        (as `st=`), no UPOS."""
        if _ARABIC_LETTERS.match(w):
            for n, rest in proclitic_candidates(w):
                if rest.startswith("ال") and rest == w[n:]:
                    return w[:n], rest, None
        return "", w, None

    def _tag_features(self, w: str, info: TagInfo | None) -> tuple[tuple[str, ...], ...]:
        """`build_tag_features`, cached per form and info."""
        key = (w, info)  # the form too: "لكن" and "لكنهم" share (procl, stem, pos) but not features
        cached = self._tag_cache.get(key)
        if cached is not None:
            return cached
        out = self.build_tag_features(w, info)
        if len(self._tag_cache) >= _MAX_CACHE:
            evict_half(self._tag_cache)
        self._tag_cache[key] = out
        return out

    def build_tag_features(self, w: str, info: TagInfo | None) -> tuple[tuple[str, ...], ...]:
        """Features from the tag stage's view of a token: its own, those it gives the next token (as
        that token's -1) and the previous one (as its +1). Not cached here (see `build_type_features`)."""
        procl, stem, pos = info if info is not None else self._heuristic_tag_info(w)
        feats = ["tp=" + (pos or "none"), "pc=" + procl]
        if stem != w:  # the stem as its own feature only when clitics were split (else it is w=)
            feats.append("ts=" + stem)
        if stem.startswith("ال") and len(stem) > 3:
            feats.append("tal")
        return tuple(feats), tuple("-1:" + f for f in feats), tuple("+1:" + f for f in feats)

    def sentence_features(
        self, norms: Sequence[str], tags: Sequence[TagInfo | None] | None = None
    ) -> list[list[str]]:
        """Features of every token of one sentence, given the tokens' normalized forms.

        `tags`: per token, `tag_info` of the tag stage's parts (training: the Tagger run on the
        sentence; run time: `token_tag_info`); used only when `use_tags`. Missing (None, or a token
        without parts) falls back to a heuristic proclitic split with no UPOS.
        """
        types = [self._type_features(w) for w in norms]
        phrase = self._phrase_tags(norms, [t[5] for t in types])
        n = len(norms)
        tfs = None
        if self.use_tags:
            cache, tf = self._tag_cache, self._tag_features
            if tags is None:
                tags = [None] * n
            tfs = [cache.get((w, info)) or tf(w, info) for w, info in zip(norms, tags)]
        out: list[list[str]] = []
        for i in range(n):
            f = list(types[i][0])
            if tfs is not None:
                f.extend(tfs[i][0])
                if i >= 1:
                    f.extend(tfs[i - 1][1])
                if i + 1 < n:
                    f.extend(tfs[i + 1][2])
            if i >= 2:
                f.extend(types[i - 2][1])
            if i >= 1:
                f.extend(types[i - 1][2])
                f.append("bg-=" + norms[i - 1] + "|" + norms[i])
            else:
                f.append("BOS")
            if i + 1 < n:
                f.extend(types[i + 1][3])
                f.append("bg+=" + norms[i] + "|" + norms[i + 1])
            else:
                f.append("EOS")
            if i + 2 < n:
                f.extend(types[i + 2][4])
            if phrase[i]:
                f.append("ph=" + phrase[i])
            out.append(f)
        return out

    def document_emissions(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[TagInfo | None] | None] | None,
        scorer,
    ) -> list[np.ndarray]:
        """The CRF's label scores (n × labels) for each sentence of a document: the sum of the
        weights of `sentence_features`, from per-form cached rows (`pipeline.ner.crf.CrfScorer`)."""
        norms = [w for s in sentences for w in s]
        n = len(norms)
        nl = len(scorer.labels)
        if n == 0:
            return [np.zeros((0, nl)) for _ in sentences]
        sid = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
        same1 = (sid[1:] == sid[:-1])[:, None]  # token i and i+1 in one sentence
        same2 = (sid[2:] == sid[:-2])[:, None]
        ids = scorer.forms.ids(
            norms, self.build_type_features
        )  # before reading .table: adding rows may replace it
        a = scorer.forms.table[ids]  # n × 5 × L
        em = a[:, 0].copy()
        em[1:] += a[:-1, 2] * same1
        em[:-1] += a[1:, 3] * same1
        if n >= 3:
            em[2:] += a[:-2, 1] * same2
            em[:-2] += a[2:, 4] * same2
        if self.use_tags:
            flat_tags = [
                t
                for i, s in enumerate(sentences)
                for t in (tags[i] if tags is not None and tags[i] is not None else [None] * len(s))
            ]
            keys = list(zip(norms, flat_tags))
            build = self.build_tag_features
            ids = scorer.tag_rows.ids(keys, lambda k: build(*k))
            tv = scorer.tag_rows.table[ids]
            em += tv[:, 0]
            em[1:] += tv[:-1, 1] * same1
            em[:-1] += tv[1:, 2] * same1
        index, weights = scorer.index, scorer.weights
        pf = self.phrase_firsts
        bos, eos = index.get("BOS"), index.get("EOS")
        pos = 0
        out = []
        for s in sentences:
            m = len(s)
            if m:
                if bos is not None:
                    em[pos] += weights[bos]
                if eos is not None:
                    em[pos + m - 1] += weights[eos]
                for i in range(pos + 1, pos + m):
                    pair = norms[i - 1] + "|" + norms[i]
                    k = index.get("bg-=" + pair)
                    if k is not None:
                        em[i] += weights[k]
                    k = index.get("bg+=" + pair)
                    if k is not None:
                        em[i - 1] += weights[k]
                firsts = [pf(w) for w in s]
                if any(firsts):
                    for i, ph in enumerate(self._phrase_tags(s, firsts), pos):
                        k = index.get("ph=" + ph) if ph else None
                        if k is not None:
                            em[i] += weights[k]
            out.append(em[pos : pos + m])
            pos += m
        return out
