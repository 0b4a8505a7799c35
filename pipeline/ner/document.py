"""Document-level NER steps after the CRF: BIO spans, propagation of names found once, the country
and coordination backstops, span cleanup, and BIO decoding of label probabilities.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container, Mapping, Sequence
from functools import partial

import numpy as np

from pipeline.arabic.clitics import PROCLITIC_LETTERS
from pipeline.ner.tokens import country_adjective, phrase_matches, strip_proclitic

__all__ = [
    "MAX_NAME_CHARS",
    "MAX_NAME_TOKENS",
    "TYPE_MAP",
    "BIO_LABELS",
    "PROPAGATED_SCORE",
    "bio_spans",
    "propagate_labels",
    "clean_spans",
    "coordination_backstop",
    "country_backstop",
    "decode_bio",
]

# Model labels -> Mention types. Anything else the model might emit is dropped.
TYPE_MAP: dict[str, str] = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
# The networks' label order (BiLSTM-CRF, fine-tuned encoder): O, then B-/I- of each type.
BIO_LABELS: list[str] = ["O", *(f"{p}-{t}" for t in TYPE_MAP for p in ("B", "I"))]
_ARABIC_LETTERS = re.compile(r"^[\u0621-\u064a\u0671-\u06d3]+$")
# Score given to labels that come from document-level propagation rather than the CRF.
PROPAGATED_SCORE = 0.5


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


def propagate_labels(
    sentences: Sequence[Sequence[str]],
    labels: list[list[str]],
    counts: Mapping[str, int],
    max_common: int = 300,
) -> list[list[bool]]:
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
            key = (_key_form(sent[a], counts), *sent[a + 1 : b])
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
                w in firsts
                or w[1:] in firsts
                or w[2:] in firsts
                or "ا" + w[1:] in firsts
                or "ا" + w[2:] in firsts
            ):
                i += 1
                continue
            first = w if w in firsts else _key_form(w, counts)
            for size in range(min(max_len, n - i), 0, -1):
                key = (first, *sent[i + 1 : i + size])
                c = votes.get(key)
                # The run must be untagged, or hold only shorter spans of the same type inside it
                # (the CRF found "آسيا" of "آسيا الوسطى"): never cut through another span.
                if not c or (i + size < n and labs[i + size].startswith("I-")):
                    continue
                typ = c.most_common(1)[0][0]
                inner = labs[i : i + size]
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


# Function words the CRF sometimes pulls into a span's edge ("بين كيشيدا"): trimmed off. Not على:
# normalized it is علي, the name Ali.
_EDGE_STOP = frozenset("بين في من الي عن مع او ثم قد ان لكن حيث بعد قبل منذ".split())


def clean_spans(
    norms: Sequence[str], spans: list[tuple[int, int, str]], counts: Mapping[str, int]
) -> list[tuple[int, int, str]]:
    """Tidy entity spans: trim function words at the edges, a country's adjective at the start of a
    person's name (الرئيس [الاندونيسي] برابوو سوبيانتو: it describes the title before it), split
    coordinated person names.

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
            if b - a >= 2 and country_adjective(norms[a]):
                a += 1
            cut = a
            for k in range(a + 1, b):
                w = norms[k]
                if w.startswith("و") and w != "ولد" and strip_proclitic(w, counts)[0] == 1:
                    out.append((cut, k, typ))
                    cut = k
            a = cut
        out.append((a, b, typ))
    return out


def coordination_backstop(
    sentences: Sequence[Sequence[str]],
    labels: list[list[str]],
    counts: Mapping[str, int],
    max_count: int = 2,
) -> list[list[bool]]:
    """ "A وB" with B an entity: an untagged, unseen word A right before it gets B's type.

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


def country_backstop(
    sentences: Sequence[Sequence[str]],
    labels: list[list[str]],
    countries: frozenset[str],
    counts: Mapping[str, int],
    phrases: frozenset[tuple[str, ...]] = frozenset(),
) -> list[list[bool]]:
    """Tag country and capital names as LOC; returns the changed tokens.

    - an untagged one-word name (clitics allowed; `countries`);
    - a one-word name that ends a person's name of three words or more: the place a visit names
      (وليام روتو نيروبي → PER وليام روتو, LOC نيروبي);
    - a name of several words (`phrases`: جنوب افريقيا، كوريا الجنوبيه) of which the model tagged a part
      as a place, or nothing: the whole name, unless it lies inside a longer place name.

    Why: a country or capital name is a place in almost every news sentence, yet the CRF sometimes
    leaves one untagged in an unusual context (inside parentheses after a name), runs a person's
    name on into the place after it, or tags the head word of a longer country name alone.
    """
    added = [[False] * len(s) for s in sentences]
    longest = max((len(p) for p in phrases), default=0)
    firsts = {p[0] for p in phrases}
    keys: dict[str, str] = {}  # _key_form per word of the document, computed once

    def key(w: str) -> str:
        k = keys.get(w)
        if k is None:
            k = keys[w] = _key_form(w, counts)
        return k

    for si, (sent, labs) in enumerate(zip(sentences, labels)):
        n = len(sent)
        for i, w in enumerate(sent):
            if len(w) < 3 or labs[i] not in ("O", "I-PER"):
                continue
            if labs[i] == "I-PER" and (
                labs[i - 1] != "I-PER" or (i + 1 < n and labs[i + 1] == "I-PER")
            ):
                continue  # not the last word of a person's name of three words or more
            if w in countries or (w[0] in PROCLITIC_LETTERS and key(w) in countries):
                labs[i] = "B-LOC"
                added[si][i] = True
        opens = [_phrase_first(w, firsts, key) for w in sent]
        free = partial(_free_for_place, labs)
        for a, b, _ in phrase_matches(sent, opens, phrases, longest, free):
            new = ["B-LOC"] + ["I-LOC"] * (b - a - 1)
            for k in range(a, b):
                if labs[k] != new[k - a]:
                    labs[k] = new[k - a]
                    added[si][k] = True
    return added


def _free_for_place(labs: Sequence[str], a: int, b: int) -> bool:
    """Whether tokens a..b may become one place: only places or nothing inside, and not inside a
    longer place name."""
    inside = labs[a] == "I-LOC" or (b < len(labs) and labs[b] == "I-LOC")
    return not inside and all(x in ("O", "B-LOC", "I-LOC") for x in labs[a:b])


def _phrase_first(w: str, firsts: Container[str], key: Callable[[str], str]) -> tuple[str, ...]:
    """The form under which `w` may open a country name: itself, or its `key` (proclitics stripped
    as the counts decide), looked up only when a cheap look says it could open one (وجنوب، للولايات)."""
    if w in firsts:
        return (w,)
    rest = w[2:]
    if w[:1] in PROCLITIC_LETTERS and (w[1:] in firsts or rest in firsts or "ال" + rest in firsts):
        k = key(w)
        if k in firsts:
            return (k,)
    return ()


def decode_bio(probs: np.ndarray, labels: Sequence[str]) -> tuple[list[str], list[float]]:
    """The label sequence of highest summed log-probability that is valid BIO (I-X only after
    B-X or I-X), and the probability of each chosen label. `probs`: length × labels."""
    n, nl = probs.shape
    if n == 0:
        return [], []
    allowed = np.array(
        [[not (b.startswith("I-") and a[2:] != b[2:]) for b in labels] for a in labels]
    )
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
