"""How the NER sees one token: its word-cluster key, the tag stage's view of it (`TagInfo`), and
its proclitics (the split decided from word counts when the tag stage has not run).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from functools import cache

from pipeline.arabic.clitics import CONJUNCTIONS, PREPOSITIONS
from pipeline.arabic.normalize import normalize_text
from pipeline.document import Token
from pipeline.lexicons import load_set
from pipeline.tagging.parts import part_kinds

__all__ = [
    "TagInfo",
    "cluster_key",
    "tag_info",
    "token_tag_info",
    "tag_sentences_info",
    "proclitic_candidates",
    "strip_proclitic",
    "kept_proclitics",
    "unseen_with_proclitic",
    "nisba_stem",
    "country_adjective",
    "phrase_matches",
]

_DIGITS = re.compile(r"\d")


@cache
def _gentilics() -> frozenset[str]:
    return load_set("gentilics")


def nisba_stem(norm: str) -> str:
    """A definite adjective's masculine form without the article: المصريه → مصري, الاوروبي → اوروبي."""
    return norm[2:-1] if norm.endswith("يه") else norm[2:]


def country_adjective(norm: str) -> bool:
    """ال + a country's adjective (gentilics.tsv), masculine or feminine: السعودي، اللبنانيه."""
    return norm.startswith("ال") and nisba_stem(norm) in _gentilics()


def phrase_matches(
    norms: Sequence[str],
    firsts: Sequence[Sequence[str]],
    phrases: Container[tuple[str, ...]],
    longest: int,
    accept: Callable[[int, int], bool] | None = None,
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Multi-word names in a sentence, left to right, the longest first: (start, end, name).

    `firsts[i]`: the forms under which token i may open a name (itself, or with its clitics
    stripped), so that a name behind a proclitic is found (وجنوب افريقيا). `accept(start, end)` may
    refuse a match, and a shorter one is tried. The gazetteer features and the country backstop
    both read names this way."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    n = len(norms)
    i = 0
    while i < n:
        hit = None
        for first in firsts[i]:
            for size in range(min(longest, n - i), 1, -1):
                name = (first, *norms[i + 1 : i + size])
                if name in phrases and (accept is None or accept(i, i + size)):
                    hit = (i, i + size, name)
                    break
            if hit:
                break
        if hit:
            out.append(hit)
            i = hit[1]
        else:
            i += 1
    return out


def cluster_key(norm: str) -> str:
    """The form word clusters are keyed by: the token's norm, Latin lower-cased, digits as 0."""
    return _DIGITS.sub("0", norm.lower())


# What the tag stage says about one token, as the NER features use it: (proclitics, stem, UPOS).
# proclitics: the normalized proclitic parts joined ("" when none); stem: the stem part's normalized
# form as written (لليابان -> "ليابان"); UPOS: the stem's tag, None when unknown.
TagInfo = tuple[str, str, str | None]


def tag_info(
    part_norms: Sequence[str], kinds: Sequence[str], tags: Sequence[str | None]
) -> TagInfo:
    """(proclitics, stem, stem UPOS) from one token's parts: normalized texts, kinds and UPOS.

    THE conversion from tag-stage output to NER features: training calls it on `Tagger.tag_sentences`
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
    return tag_info(
        [normalize_text(p.text)[0] for p in parts], [p.kind for p in parts], [p.pos for p in parts]
    )


def tag_sentences_info(sentences: Sequence[Sequence[str]], tagger) -> list[list[TagInfo]]:
    """Run a `Tagger` (`pipeline.tagging.model`) on sentences of normalized tokens: per token, `tag_info` of its parts.

    Training runs it on the corpora; the stage runs it on sentences whose tokens have no
    `Token.parts` (a pipeline without the tag stage). It gives what `token_tag_info` gives after the
    tag stage (tests/test_ner.py checks this).
    """
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
    for conj in ("", *CONJUNCTIONS):
        if conj and not norm.startswith(conj):
            continue
        for prep in ("", *PREPOSITIONS):
            prefix = conj + prep
            if not prefix or not norm.startswith(prefix):
                continue
            rest = norm[len(prefix) :]
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
        if norm[:n] in CONJUNCTIONS and len(rest) >= min_rest:
            return n, rest
    return 0, norm


def kept_proclitics(
    proclitics: Sequence[str],
    rest: str,
    news_counts: Mapping[str, int],
    names: Container[str] = (),
) -> int:
    """How many of the tagger's proclitic parts of a name's first token really are proclitics.

    `proclitics`: the normalized proclitic parts in order (و، ب); `rest`: the normalized remainder
    after all of them. Why: the tagger, trained on PADT, splits unseen names whose first letter is a
    proclitic letter (بايدن -> ب + ايدن, فادي -> ف + ادي). Walking from the innermost part out, a part
    stays attached to the word when the form with it is a known name (`names`: the name gazetteer and
    the forms seen inside this document's names, where nothing is stripped) or stands alone in the raw
    news more often than the form without it (بايدن 45 > ايدن 17; بالرياض 792 < الرياض 5174). Before the article (ال، and لل
    read as ل + ال) the split always stands. Returns the number of leading parts to strip.
    """
    k = len(proclitics)
    while k > 0:
        with_part = proclitics[k - 1] + rest
        article = rest.startswith("ال") or (proclitics[k - 1] == "ل" and rest.startswith("ل"))
        if article or not (
            with_part in names or news_counts.get(with_part, 0) > news_counts.get(rest, 0)
        ):
            break
        rest = with_part
        k -= 1
    return k


def unseen_with_proclitic(
    norm: str, news_counts: Mapping[str, int], names: Container[str]
) -> tuple[int, str]:
    """A proclitic split the tagger missed: (chars to strip, normalized remainder), (0, norm) for none.

    Why: the tagger keeps some unseen forms whole (بلافروف). A form that never stands alone in the raw
    news and is no known name, while its remainder after a proclitic is a known name (`names`: the
    name gazetteer and the forms inside this document's names: لافروف), is that name with a proclitic.
    Forms the news knows (فادي، فيصل، كامل) are never split here, nor كامالا, whose remainder is no name.
    """
    if news_counts.get(norm, 0) or norm in names:
        return 0, norm
    for n, rest in proclitic_candidates(norm):
        if rest in names:
            return n, rest
    return 0, norm
