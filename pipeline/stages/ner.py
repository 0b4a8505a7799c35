"""Named entities (PERSON, LOCATION, ORGANIZATION) with a CRF over our own tokens.

Why a CRF (trained with python-crfsuite, scored in numpy by `ner_crf`): on the 2-core machine it tags
30-37k tokens per CPU-second and loads in half a second; lexical, gazetteer and news word-cluster features
carry it (figures and what else was tried: models/cards/ner.md). The shipped weights average an ANERcorp
CRF and a domain-adapted one trained on all three corpora (`pipeline.training.ner`). The model sees exactly the tokens our Tokenizer produces (clitics
attached, punctuation split), because the training corpora are re-tokenized with it. After the CRF,
document-level steps run: propagation of names found once to their repeats, a backstop for one-word
country/capital names and for unseen names coordinated with a found one, and span cleanup.

`NerFeaturizer.sentence_features` is THE feature function: training (`pipeline.training.ner`) and
this stage both call it, so the two can never drift apart. The shipped model also uses the tag
stage's output (stem UPOS, proclitics, stem, article; `tag_info`): from `Token.parts` when TagStage
ran, else from the tag models run here on the sentence, as in training.

Span rule (DESIGN.md): a mention excludes attached proclitics و ف ب ل ك: "وتوكاييف" -> "توكاييف", and
"لليابان" -> span "ليابان" with normalized "اليابان" (the article's alef, dropped after ل, restored).
When the tag stage has filled `Token.parts`, its proclitic parts decide; otherwise `strip_proclitic`
decides from the token alone, using word counts from the training corpora and the gazetteers.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pipeline.document import Document, Mention, Token
from pipeline.lexicons import load_rows
from pipeline.pipeline import gc_paused
from pipeline.resources import models_dir
from pipeline.stages.normalize import normalize_text

__all__ = [
    "NerStage",
    "NerFeaturizer",
    "proclitic_candidates",
    "strip_proclitic",
    "bio_spans",
    "propagate_labels",
    "clean_spans",
    "country_backstop",
    "coordination_backstop",
    "cluster_key",
    "tag_info",
    "token_tag_info",
    "tag_sentences_info",
    "TagInfo",
    "TYPE_MAP",
]

# Model labels -> Mention types. Anything else the model might emit is dropped.
TYPE_MAP: dict[str, str] = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}

_DIGITS = re.compile(r"\d")
_ARABIC_LETTERS = re.compile(r"^[\u0621-\u064a\u0671-\u06d3]+$")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z.'&-]*$")
# Characters the normalizer deletes inside a word (diacritics, tatweel, format controls): skipped
# when a proclitic's length in `norm` is converted into a length in `raw`.
_REMOVED = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
_CONJ = ("و", "ف")
_PROCLITIC_LETTERS = frozenset("وفبلك")
_PREP = ("ب", "ل", "ك")
# Per-form feature cache entries; when full, the older half is dropped (memory stays flat on long
# runs, while the frequent forms, re-added at once, stay cached: clearing it whole cost ~25% misses).
_MAX_CACHE = 40_000


def _evict_half(cache: dict) -> None:
    """Drop the older half of an insertion-ordered cache."""
    for key in list(itertools.islice(cache, len(cache) // 2)):
        del cache[key]
# Cluster feature names by number of cluster columns (a 2-column file: coarse, fine).
_CLUSTER_NAMES = {2: ["cc=", "cf="]}
# CLDR territory names that are common words in running text, never backstop hits.
_NOT_COUNTRIES = frozenset({"العالم", "الاتحاد"})
# Sports vocabulary (normalized; with or without the article): a document using several of these
# words is a sports report, where a city or country name is usually a team (ORG), not a place.
SPORT_WORDS = frozenset(
    w2 for w in ("مباراه", "دوري", "فريق", "لاعب", "لاعبين", "هدف", "هدفا", "اهداف", "منتخب",
                 "بطوله", "كاس", "مدرب", "ملعب", "نادي", "فوز", "تعادل", "شوط", "مهاجم", "حارس",
                 "مرمي", "ركله", "جزاء", "التصفيات", "مباريات", "اللاعبين", "الفرق", "كره")
    for w2 in (w, "ال" + w)
)
SPORT_MIN = 3  # sports words in a document for it to count as a sports report
# Score given to labels that come from document-level propagation rather than the CRF.
PROPAGATED_SCORE = 0.5


def cluster_key(norm: str) -> str:
    """The form word clusters are keyed by: the token's norm, Latin lower-cased, digits as 0."""
    return _DIGITS.sub("0", norm.lower())


# What the tag stage says about one token, as the NER features use it: (proclitics, stem, UPOS).
# proclitics: the normalized proclitic parts joined ("" when none); stem: the stem part's normalized
# form as written (لليابان -> "ليابان"); UPOS: the stem's tag, None when unknown.
TagInfo = tuple[str, str, str | None]


def tag_info(part_norms: Sequence[str], kinds: Sequence[str], tags: Sequence[str | None]) -> TagInfo:
    """(proclitics, stem, stem UPOS) from one token's parts: normalized texts, kinds and UPOS.

    THE conversion from tag-stage output to NER features: training calls it on `TagStage.tag_sentences`
    output (parts cut from the token's norm), the stage on `Token.parts` (`token_tag_info`).
    """
    procl = ""
    for n, k, t in zip(part_norms, kinds, tags):
        if k == "proclitic":
            procl += n
        elif k == "stem":
            return procl, n, t
    return procl, "".join(part_norms), None


def token_tag_info(tok: Token) -> TagInfo | None:
    """`tag_info` of a token the tag stage has filled (`Token.parts`), None when it has not."""
    parts = tok.parts
    if not parts:
        return None
    if len(parts) == 1:
        return "", tok.norm, parts[0].pos or tok.pos
    return tag_info([normalize_text(p.text)[0] for p in parts], [p.kind for p in parts],
                    [p.pos for p in parts])


def tag_sentences_info(sentences: Sequence[Sequence[str]], tagger) -> list[list[TagInfo]]:
    """Run a `TagStage` on sentences of normalized tokens: per token, `tag_info` of its parts.

    Training runs it on the corpora; the stage runs it on sentences whose tokens have no
    `Token.parts` (a pipeline without the tag stage). It gives what `token_tag_info` gives after the
    tag stage (tests/test_ner.py checks this).
    """
    from pipeline.stages.tag import part_kinds

    out: list[list[TagInfo]] = []
    for words, (spans, tags) in zip(sentences, tagger.tag_sentences(sentences)):
        row = []
        for w, sp, tg in zip(words, spans, tags):
            norms = [w[a:b] for a, b in sp]
            row.append(tag_info(norms, part_kinds(norms, tg), tg))
        out.append(row)
    return out


def proclitic_candidates(norm: str) -> list[tuple[int, str]]:
    """Each plausible proclitic split of a normalized word: (chars stripped, normalized remainder).

    Longest prefix first. Proclitics are an optional conjunction (و ف) then an optional
    preposition (ب ل ك). After ل, a remainder starting with ل is also offered with the article's
    alef restored (لليابان -> ليابان and اليابان). The remainder keeps at least 2 letters.
    """
    out: list[tuple[int, str]] = []
    for conj in ("", *_CONJ):
        if conj and not norm.startswith(conj):
            continue
        for prep in ("", *_PREP):
            prefix = conj + prep
            if not prefix or not norm.startswith(prefix):
                continue
            rest = norm[len(prefix):]
            if len(rest) < 2:
                continue
            if prep == "ل" and rest.startswith("ل"):
                out.append((len(prefix), "ا" + rest))
            out.append((len(prefix), rest))
    out.sort(key=lambda c: -c[0])
    return out


def strip_proclitic(norm: str, counts: Mapping[str, int], min_rest: int = 3) -> tuple[int, str]:
    """Decide how many leading chars of an entity's first token are proclitics.

    Returns (chars to strip, normalized form of the remainder); (0, norm) when nothing is stripped.
    Why counts: a name may itself begin with a proclitic letter (وليد، فرنسا، بغداد، لبنان، كازاخستان),
    so letters are only stripped when the remainder is a better-attested word than the whole token
    (counts come from the training corpora, with clitics split in WikiFANE, and the gazetteers).
    Unknown words: و/ف + anything, and ب/ل/ك before the article (بال، كال، لل) are stripped.
    """
    full = counts.get(norm, 0)
    best: tuple[int, str] | None = None
    best_count = 0
    for n, rest in proclitic_candidates(norm):
        c = counts.get(rest, 0)
        if c > best_count:
            best, best_count = (n, rest), c
    if best is not None and best_count > 2 * full + 1:
        return best
    if full > 0 or best_count > 0:
        return 0, norm
    for n, rest in proclitic_candidates(norm):
        if rest.startswith("ال") and n < len(norm) and len(rest) >= min_rest + 2:
            return n, rest
        if norm[:n] in _CONJ and len(rest) >= min_rest:
            return n, rest
    return 0, norm


# The longest names in news (a full official title, a long organization name) stay well within
# these; anything longer is a tagging run-away (text without spaces, a list the model ran through).
MAX_NAME_TOKENS = 15
MAX_NAME_CHARS = 150


def bio_spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, last exclusive, type) of each entity in a BIO label sequence (a stray I- opens one)."""
    spans: list[tuple[int, int, str]] = []
    start, cur = -1, ""
    for i, lab in enumerate(labels):
        if lab.startswith("B-") or (lab.startswith("I-") and lab[2:] != cur):
            if cur:
                spans.append((start, i, cur))
            start, cur = i, lab[2:]
        elif lab == "O" or not lab:
            if cur:
                spans.append((start, i, cur))
            start, cur = -1, ""
    if cur:
        spans.append((start, len(labels), cur))
    return spans


def _key_form(norm: str, counts: Mapping[str, int]) -> str:
    """A token's form for document-level matching: proclitics stripped as for mention spans."""
    return strip_proclitic(norm, counts)[1] if len(norm) > 3 else norm


def propagate_labels(sentences: Sequence[Sequence[str]], labels: list[list[str]],
                     counts: Mapping[str, int], max_common: int = 300) -> list[list[bool]]:
    """Document-level consistency: tag later (or earlier) repeats of names the CRF found once.

    Why: news introduces a name in full once ("قاسم جومارت توكاييف") and then repeats it bare,
    often with a clitic ("وتوكاييف"), where a sentence-level CRF misses it. Every entity span found
    becomes a key (its forms, proclitics stripped); a person's last name becomes a key of its own.
    Untagged token runs equal to a key get its majority type. Keys made of one frequent word
    (count > `max_common` in the training vocabulary) are skipped. Changes `labels` in place and
    returns, per token, whether its label came from this step.
    """
    votes: dict[tuple[str, ...], Counter[str]] = {}
    for sent, labs in zip(sentences, labels):
        for a, b, typ in bio_spans(labs):
            if typ not in TYPE_MAP:
                continue
            key = (_key_form(sent[a], counts), *sent[a + 1: b])
            keys = [key]
            if typ == "PER" and b - a >= 2:
                keys.append(key[-1:])
            for k in keys:
                if len(k) == 1 and (counts.get(k[0], 0) > max_common or len(k[0]) < 3):
                    continue
                votes.setdefault(k, Counter())[typ] += 1
    added = [[False] * len(s) for s in sentences]
    if not votes:
        return added
    max_len = max(len(k) for k in votes)
    firsts = {k[0] for k in votes}
    for si, (sent, labs) in enumerate(zip(sentences, labels)):
        i = 0
        n = len(labs)
        while i < n:
            w = sent[i]
            if labs[i].startswith("I-") or not (
                w in firsts or w[1:] in firsts or w[2:] in firsts or "ا" + w[1:] in firsts
                or "ا" + w[2:] in firsts
            ):
                i += 1
                continue
            first = w if w in firsts else _key_form(w, counts)
            for size in range(min(max_len, n - i), 0, -1):
                key = (first, *sent[i + 1: i + size])
                c = votes.get(key)
                # The run must be untagged, or hold only shorter spans of the same type inside it
                # (the CRF found "آسيا" of "آسيا الوسطى"): never cut through another span.
                if not c or (i + size < n and labs[i + size].startswith("I-")):
                    continue
                typ = c.most_common(1)[0][0]
                inner = labs[i: i + size]
                if any(lab != "O" and lab[2:] != typ for lab in inner):
                    continue
                if inner == ["B-" + typ] + ["I-" + typ] * (size - 1):
                    break
                for k in range(i, i + size):
                    labs[k] = ("B-" if k == i else "I-") + typ
                    added[si][k] = True
                i += size - 1
                break
            i += 1
    return added
    return added


# Function words the CRF sometimes pulls into a span's edge ("بين كيشيدا"): trimmed off. Not على:
# normalized it is علي, the name Ali.
_EDGE_STOP = frozenset("بين في من الي عن مع او ثم قد ان لكن حيث بعد قبل منذ".split())


def clean_spans(norms: Sequence[str], spans: list[tuple[int, int, str]],
                counts: Mapping[str, int]) -> list[tuple[int, int, str]]:
    """Tidy entity spans: trim function words at the edges, split coordinated person names.

    "رحمون وبيردي محمدوف" is two people joined by و: a PER span is cut before an inner token whose
    leading و is a conjunction by `strip_proclitic` (not "ولد" of Mauritanian names).
    """
    out: list[tuple[int, int, str]] = []
    for a, b, typ in spans:
        while a < b and norms[a] in _EDGE_STOP:
            a += 1
        while b > a and norms[b - 1] in _EDGE_STOP:
            b -= 1
        if a >= b:
            continue
        if typ == "PER":
            cut = a
            for k in range(a + 1, b):
                w = norms[k]
                if w.startswith("و") and w != "ولد" and strip_proclitic(w, counts)[0] == 1:
                    out.append((cut, k, typ))
                    cut = k
            a = cut
        out.append((a, b, typ))
    return out


def coordination_backstop(sentences: Sequence[Sequence[str]], labels: list[list[str]],
                          counts: Mapping[str, int], max_count: int = 2) -> list[list[bool]]:
    """"A وB" with B an entity: an untagged, unseen word A right before it gets B's type.

    Why: news lists people and places by coordination ("وقع جاباروف وتوكاييف وميرزيوييف"); a name
    the CRF has never seen, next to one it tagged, is almost always of the same kind. Only words
    seen at most `max_count` times in training (names, not vocabulary) and of 4+ letters qualify.
    """
    added = [[False] * len(s) for s in sentences]
    for si, (sent, labs) in enumerate(zip(sentences, labels)):
        for i in range(len(sent) - 2, -1, -1):
            nxt = labs[i + 1]
            if labs[i] != "O" or not nxt.startswith("B-") or not sent[i + 1].startswith("و"):
                continue
            w = _key_form(sent[i], counts)
            if len(w) < 4 or not _ARABIC_LETTERS.match(w) or counts.get(w, 0) > max_count:
                continue
            if strip_proclitic(sent[i + 1], counts)[0] != 1:
                continue
            labs[i] = nxt
            added[si][i] = True
    return added


def country_backstop(sentences: Sequence[Sequence[str]], labels: list[list[str]],
                     countries: frozenset[str], counts: Mapping[str, int]) -> list[list[bool]]:
    """Tag untagged one-word country and capital names (clitics allowed) as LOC; returns additions.

    Why: a country or capital name is a place in almost every news sentence, yet the CRF sometimes
    leaves one untagged in an unusual context (inside parentheses after a name).
    """
    added = [[False] * len(s) for s in sentences]
    for si, (sent, labs) in enumerate(zip(sentences, labels)):
        for i, w in enumerate(sent):
            if labs[i] != "O" or len(w) < 3:
                continue
            if w in countries or (w[0] in _PROCLITIC_LETTERS and _key_form(w, counts) in countries):
                labs[i] = "B-LOC"
                added[si][i] = True
    return added


class NerFeaturizer:
    """Token features for the NER CRF: one instance shared by training and the stage.

    Per word type (cached): the form, its clitic-stripped stem, prefix/suffix, shape, gazetteer
    flags and word clusters. Per token: those of the token plus the form/stem/gazetteer/cluster
    of its neighbours at -2..+2, two word bigrams, and multi-word gazetteer matches.
    """

    VERSION = 1

    def __init__(self, gazetteers: Mapping[str, frozenset[str]], phrases: Mapping[tuple[str, ...], str],
                 clusters: Mapping[str, tuple[str, ...]], use_tags: bool = False) -> None:
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
    def load(cls, model_dir: Path | None = None, use_tags: bool = False) -> NerFeaturizer:
        """Gazetteers from pipeline/lexicons, clusters from `model_dir` (models/ner) when present."""
        model_dir = model_dir or models_dir() / "ner"
        gaz: dict[str, set[str]] = {"country": set(), "city": set(), "given": set(),
                                    "surname": set(), "foreign": set()}
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
            _evict_half(self._cache)
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
            "b", "w=" + w, "st=" + stem, "bare=" + bare, "sh=" + shape,
            "p2=" + bare[:2], "p3=" + bare[:3], "s2=" + w[-2:], "s3=" + w[-3:], "s1=" + w[-1:],
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
            _evict_half(self._first_cache)
        self._first_cache[w] = pfirst  # `phrase_firsts` of this form, known now
        parts = (own, *([f"{off}:{f}" for f in ctx] for off in ("-2", "-1", "+1", "+2")))
        # tuples, not lists: tuples of strings drop out of the garbage collector's tracking, and
        # a cache of tens of thousands of lists made every full collection slow (~20% of the stage)
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
                _evict_half(self._first_cache)
            self._first_cache[w] = hit
        return hit

    def _phrase_tags(self, norms: Sequence[str], firsts: Sequence[tuple[str, ...]]) -> list[str | None]:
        """Multi-word gazetteer matches (آسيا الوسطى، جنوب السودان), longest first, proclitic-tolerant.

        `firsts`: per token, the forms under which it may open a name (`phrase_firsts`).
        """
        n = len(norms)
        tags: list[str | None] = [None] * n
        i = 0
        while i < n:
            hit = 0
            for first in firsts[i]:
                for size in range(min(self.max_phrase, n - i), 1, -1):
                    kind = self.phrases.get((first, *norms[i + 1: i + size]))
                    if kind:
                        tags[i] = "B" + kind
                        for k in range(i + 1, i + size):
                            tags[k] = "I" + kind
                        hit = size
                        break
                if hit:
                    break
            i += hit or 1
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
            _evict_half(self._tag_cache)
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

    def sentence_features(self, norms: Sequence[str],
                          tags: Sequence[TagInfo | None] | None = None,
                          doc: Sequence[str] = ()) -> list[list[str]]:
        """Features of every token of one sentence, given the tokens' normalized forms.

        `tags`: per token, `tag_info` of the tag stage's parts (training: TagStage run on the
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
            for flag in doc:  # document flags, alone and with the token's gazetteer flags/clusters
                own = types[i][0]
                f.append("d=" + flag)
                f.extend(f"d={flag}|{x}" for x in own if x.startswith(("g=", "cc=")))
            out.append(f)
        return out

    def document_emissions(self, sentences: Sequence[Sequence[str]],
                           tags: Sequence[Sequence[TagInfo | None] | None] | None,
                           doc: Sequence[str], scorer) -> list[np.ndarray]:
        """The CRF's label scores (n × labels) for each sentence of a document: the sum of the
        weights of `sentence_features`, from per-form cached rows (`ner_crf.CrfScorer`)."""
        norms = [w for s in sentences for w in s]
        n = len(norms)
        nl = len(scorer.labels)
        if n == 0:
            return [np.zeros((0, nl)) for _ in sentences]
        sid = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
        same1 = (sid[1:] == sid[:-1])[:, None]  # token i and i+1 in one sentence
        same2 = (sid[2:] == sid[:-2])[:, None]
        ids = scorer.forms.ids(norms, self.build_type_features)  # before reading .table: adding rows may replace it
        a = scorer.forms.table[ids]  # n × 5 × L
        em = a[:, 0].copy()
        em[1:] += a[:-1, 2] * same1
        em[:-1] += a[1:, 3] * same1
        if n >= 3:
            em[2:] += a[:-2, 1] * same2
            em[:-2] += a[2:, 4] * same2
        if self.use_tags:
            flat_tags = [t for i, s in enumerate(sentences)
                         for t in (tags[i] if tags is not None and tags[i] is not None else [None] * len(s))]
            keys = list(zip(norms, flat_tags))
            build = self.build_tag_features
            ids = scorer.tag_rows.ids(keys, lambda k: build(*k))
            tv = scorer.tag_rows.table[ids]
            em += tv[:, 0]
            em[1:] += tv[:-1, 1] * same1
            em[:-1] += tv[1:, 2] * same1
        index, weights = scorer.attr_index, scorer.weights
        pf, tf = self.phrase_firsts, self._type_features
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
                for flag in doc:
                    for i, w in enumerate(s, pos):
                        extra = ["d=" + flag,
                                 *(f"d={flag}|{x}" for x in tf(w)[0] if x.startswith(("g=", "cc=")))]
                        em[i] += scorer.vector(extra)
            out.append(em[pos: pos + m])
            pos += m
        return out


def document_flags(sentences: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """Document-level features for every token: ("sport",) when the document is a sports report.

    Why: sports pages name clubs by their city (هامبورغ، ليون، بريمن) or country (national
    teams); the same word is a LOCATION elsewhere. The CRF learns the switch from the conjunction
    of this flag with the token's gazetteer flags and clusters.
    """
    hits = 0
    for norms in sentences:
        for w in norms:
            if w in SPORT_WORDS or (len(w) > 3 and w[0] in "وفبل" and w[1:] in SPORT_WORDS):
                hits += 1
                if hits >= SPORT_MIN:
                    return ("sport",)
    return ()


def decode_bio(probs: np.ndarray, labels: Sequence[str]) -> tuple[list[str], list[float]]:
    """The label sequence of highest summed log-probability that is valid BIO (I-X only after
    B-X or I-X), and the probability of each chosen label. `probs`: length × labels."""
    n, nl = probs.shape
    if n == 0:
        return [], []
    allowed = np.array([[not (b.startswith("I-") and a[2:] != b[2:]) for b in labels] for a in labels])
    trans = np.where(allowed, 0.0, -np.inf)
    start = np.array([0.0 if not lab.startswith("I-") else -np.inf for lab in labels])
    logp = np.log(np.maximum(probs, 1e-9))
    score = start + logp[0]
    back = np.zeros((n, nl), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + trans
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + logp[t]
    path = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    path.reverse()
    return [labels[k] for k in path], [float(probs[t, k]) for t, k in enumerate(path)]


def _raw_prefix_len(raw_text: str, n_norm: int) -> int:
    """Raw length of the first `n_norm` normalized letters of a token (skipping removed marks)."""
    i = 0
    for _ in range(n_norm):
        if i >= len(raw_text):
            return -1
        i += 1
        while i < len(raw_text) and _REMOVED.match(raw_text[i]):
            i += 1
    return i


def _load_counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    w, c = line.rstrip("\n").split("\t")
                    counts[w] = int(c)
    return counts


class NerStage:
    """Pipeline stage: tags PERSON / LOCATION / ORGANIZATION mentions with the shipped CRF.

    Loads the CRF's weight table (models/ner/ner.weights.npz), the gazetteers, word clusters and word
    counts once, here.
    """

    name = "ner"
    requires: tuple[str, ...] = ("norm", "tokens")
    provides: tuple[str, ...] = ("entities",)

    def __init__(self, model_dir: Path | None = None, source: str = "ner",
                 propagate: bool = True, backstop: bool = True, backend: str | None = None) -> None:
        model_dir = Path(model_dir) if model_dir else models_dir() / "ner"
        meta = model_dir / "meta.json"
        self.meta = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
        # "lstm": the BiLSTM-CRF (lstm.npz); "crf": the feature CRF (ner.weights.npz). The default is
        # the one meta.json names (see models/cards/ner.md for why).
        self.backend = backend or self.meta.get("backend", "crf")
        self.lstm = None
        # ensemble: weight of the BiLSTM's posteriors against the CRF's (meta.json "lstm_weight")
        self.lstm_weight = float(self.meta.get("lstm_weight", 0.5))
        if self.backend == "ensemble":
            self.lstm = NerStage(model_dir, backend="lstm").lstm
            crf = NerStage(model_dir, backend="crf")
            self.featurizer, self.scorer = crf.featurizer, crf.scorer
        elif self.backend == "lstm":
            if not (model_dir / "lstm.npz").exists():
                raise FileNotFoundError(
                    f"NER model not found at {model_dir / 'lstm.npz'}; rebuild it with "
                    "`python -m pipeline.training.ner_lstm train`"
                )
            from pipeline.stages.ner_lstm import LstmTagger

            self.featurizer = NerFeaturizer.load(model_dir, True)
            self.lstm = LstmTagger(model_dir, self.featurizer)
        elif self.backend == "crf":
            path = model_dir / "ner.weights.npz"
            if not path.exists():
                raise FileNotFoundError(
                    f"NER model not found at {path}; rebuild it with `python -m pipeline.training.ner train`"
                )
            from pipeline.stages.ner_crf import CrfScorer

            self.scorer = CrfScorer(path)
            self.featurizer = NerFeaturizer.load(model_dir, bool(self.meta.get("tag_features")))
        else:
            raise ValueError(f"unknown NER backend {self.backend!r}; use 'lstm', 'crf' or 'ensemble'")
        self.counts = _load_counts(model_dir / "vocab.tsv")
        self._tagger = None  # see _fallback_tagger
        self.source = source
        self.propagate = propagate
        self.backstop = backstop
        self.countries = frozenset(
            r[0] for name in ("countries", "capitals") for r in load_rows(name)
            if " " not in r[0] and r[0] not in _NOT_COUNTRIES
        )

    @property
    def uses_tags(self) -> bool:
        """Whether the model reads the tag stage's view of tokens (UPOS, clitics)."""
        return self.lstm is not None or self.featurizer.use_tags

    def _fallback_tagger(self):
        """A TagStage of our own (models/tag, loaded on first need) for tokens without parts.

        Why: the model was trained with the tag stage's features; without the tag stage in the
        pipeline, running its models here keeps the features those of training. Without models/tag,
        None: `NerFeaturizer` then uses its heuristic split (lower F1, see models/cards/ner.md).
        """
        if self._tagger is None:
            try:
                from pipeline.stages.tag import TagStage

                self._tagger = TagStage()
            except (FileNotFoundError, ImportError):
                self._tagger = False
        return self._tagger or None

    def _doc_flags(self, sentences: Sequence[Sequence[str]]) -> tuple[str, ...]:
        """`document_flags` when the CRF was trained with them (meta.json "doc_features")."""
        return document_flags(sentences) if self.meta.get("doc_features") else ()

    def _strip(self, tok: Token) -> tuple[int, str]:
        """(raw chars to drop at the start of the first token, normalized remainder)."""
        procl = [p for p in tok.parts if p.kind == "proclitic"]
        if tok.parts and any(p.kind == "stem" for p in tok.parts):
            if not procl:
                return 0, tok.norm
            cut = procl[-1].end - tok.start
            rest = normalize_text(tok.text[cut:])[0]
            if procl[-1].text.endswith("ل") and rest.startswith("ل") and self.counts.get("ا" + rest, 0):
                rest = "ا" + rest
            return cut, rest
        n, rest = strip_proclitic(tok.norm, self.counts)
        if n == 0:
            return 0, tok.norm
        cut = _raw_prefix_len(tok.text, n)
        if cut <= 0 or cut >= len(tok.text):
            return 0, tok.norm
        return cut, rest

    def _crf_emissions(self, sentences: Sequence[Sequence[str]],
                       tags: Sequence[Sequence[TagInfo | None] | None] | None) -> list[np.ndarray]:
        return self.featurizer.document_emissions(sentences, tags, self._doc_flags(sentences),
                                                  self.scorer)

    def _crf_posteriors(self, sentences: Sequence[Sequence[str]],
                        tags: Sequence[Sequence[TagInfo | None] | None] | None) -> list[np.ndarray]:
        """Per sentence, the CRF's P(label) per token (n × labels, `scorer.labels` order)."""
        from pipeline.stages.ner_crf import marginals

        ems = self._crf_emissions(sentences, tags)
        out = [np.zeros((0, len(self.scorer.labels))) for _ in ems]
        live = [i for i, e in enumerate(ems) if len(e)]
        if live:
            lens = np.array([len(ems[i]) for i in live])
            em = np.zeros((len(live), int(lens.max()), len(self.scorer.labels)))
            for k, i in enumerate(live):
                em[k, : lens[k]] = ems[i]
            marg = marginals(em, lens, self.scorer.trans)
            for k, i in enumerate(live):
                out[i] = marg[k, : lens[k]]
        return out

    def tag_document(self, sentences: Sequence[Sequence[str]],
                     tags: Sequence[Sequence[TagInfo | None] | None] | None = None,
                     ) -> tuple[list[list[str]], list[list[float]]]:
        """Labels and scores for every sentence of a document: CRF, then document consistency."""
        labels: list[list[str]] = []
        scores: list[list[float]] = []
        if self.backend == "ensemble":
            lstm_probs = self.lstm.posteriors(sentences, tags)
            names = self.lstm.labels
            w = self.lstm_weight
            crf_probs = self._crf_posteriors(sentences, tags)
            cols = [self.scorer.labels.index(lab) for lab in names]
            for lp, cp in zip(lstm_probs, crf_probs):
                lab, sc = decode_bio(w * lp + (1 - w) * cp[:, cols], names)
                labels.append(lab)
                scores.append(sc)
        elif self.lstm is not None:
            for lab, sc in self.lstm.tag_sentences(sentences, tags):
                labels.append(lab)
                scores.append(sc)
        else:
            for lab, sc in self.scorer.decode(self._crf_emissions(sentences, tags)):
                labels.append(lab)
                scores.append(sc)
        if self.propagate:
            added = propagate_labels(sentences, labels, self.counts)
            for sc, ad in zip(scores, added):
                for i, flag in enumerate(ad):
                    if flag:
                        sc[i] = PROPAGATED_SCORE
        if self.backstop:
            for added in (country_backstop(sentences, labels, self.countries, self.counts),
                          coordination_backstop(sentences, labels, self.counts)):
                for sc, ad in zip(scores, added):
                    for i, flag in enumerate(ad):
                        if flag:
                            sc[i] = PROPAGATED_SCORE
        for lab, norms in zip(labels, sentences):
            spans = clean_spans(norms, bio_spans(lab), self.counts)
            lab[:] = ["O"] * len(lab)
            for a, b, typ in spans:
                lab[a: b] = ["B-" + typ] + ["I-" + typ] * (b - a - 1)
        return labels, scores

    def __call__(self, doc: Document) -> Document:
        with gc_paused():
            return self._tag_document(doc)

    def _tag_document(self, doc: Document) -> Document:
        tokens = doc.tokens
        sents = [tokens[s.first_token: s.last_token] for s in doc.sentences]
        norms = [[t.norm for t in toks] for toks in sents]
        tags = None
        if self.uses_tags:
            tags = [
                [("", t.norm, t.parts[0].pos) if len(t.parts) == 1 else token_tag_info(t) for t in toks]
                for toks in sents
            ]  # the one-part case of token_tag_info inlined (most tokens; speed)
            missing = [i for i, row in enumerate(tags) if row and any(x is None for x in row)]
            tagger = self._fallback_tagger() if missing else None
            if tagger is not None:
                for i, row in zip(missing, tag_sentences_info([norms[i] for i in missing], tagger)):
                    tags[i] = row
        all_labels, all_scores = self.tag_document(norms, tags)
        for si, (toks, labels, scores) in enumerate(zip(sents, all_labels, all_scores)):
            for a, b, label in bio_spans(labels):
                mtype = TYPE_MAP.get(label)
                if mtype is None or b - a > MAX_NAME_TOKENS:
                    continue
                first, last = toks[a], toks[b - 1]
                if last.end - first.start > MAX_NAME_CHARS:
                    continue
                cut, first_norm = self._strip(first)
                start, end = first.start + cut, last.end
                parts = [first_norm] + [t.norm for t in toks[a + 1: b]]
                doc.mentions.append(Mention(
                    type=mtype, start=start, end=end, text=doc.raw[start:end],
                    normalized=" ".join(parts), source=self.source,
                    score=round(sum(scores[a:b]) / (b - a), 4), sentence=si,
                ))
        return doc
