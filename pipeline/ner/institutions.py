"""The institution grammar: a generic head noun with its genitive and adjective chain is one organization.

Why a grammar: the NER finds famous names (ارامكو، الامم المتحده) but not the many institutions named by
a description — وزاره الداخليه الكويتيه، مجلس الوزراء اللبناني، صندوق الاستثمارات العامه، الاتحاد الدولي لكره
القدم. Their shape is regular: a head noun from `institution_heads.tsv` (construct state, or definite
with the article), then a definite genitive noun or a name the model found, then adjectives and genitive
phrases with ل (للمراه، لكره القدم، لشؤون اللاجئين). The chain stops at the first word of another kind
(a verb, a preposition, an indefinite noun), so "عقد المجلس جلسته" and "بدات الوزاره حمله" give nothing.
Works on normalized tokens and, when the tag stage ran, on its UPOS (adjectives); without it, a definite
word ending in the nisba ي/يه counts as an adjective.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pipeline.arabic.calendar import RELATIVE_MODIFIERS
from pipeline.arabic.clitics import CONJUNCTIONS, PREPOSITIONS
from pipeline.lexicons import load_rows
from pipeline.ner.tokens import TagInfo, country_adjective, nisba_stem

__all__ = ["DEFINITE_HEADS", "HEADS", "PHRASE_NOUNS", "institution_backstop"]

# head noun (construct form) -> "with" | "apart" (see the lexicon's header)
HEADS: dict[str, str] = {r[0]: r[1] for r in load_rows("institution_heads") if r[1] != "phrase"}
# nouns that open a ل phrase inside a name (لكره القدم، لشؤون اللاجئين)
PHRASE_NOUNS: frozenset[str] = frozenset(
    r[0] for r in load_rows("institution_heads") if r[1] == "phrase"
)
# Place adjectives end an institution's adjectives. A country's (`country_adjective`: السعودي،
# اللبنانيه): after a name the model found that ends in a noun it describes that name and stays out
# (ORG [حزب الله] اللبناني, as the training data marks it); after an adjective (البنك المركزي المصري) or
# in a chain the grammar reads alone (وزاره الداخليه الكويتيه) it is the name's last word. A region's
# (below): البرلمان الاوروبي, not البرلمان الاوروبي المقترح; a country's adjective or a ل phrase may
# still follow it (مؤسسه النقد العربي السعودي، الاتحاد الاوروبي لكره القدم).
_REGION_ADJECTIVES = frozenset("اوروبي افريقي اسيوي عربي خليجي لاتيني".split())
# heads that, with the article and an adjective, name one institution (البنك الدولي)
DEFINITE_HEADS: frozenset[str] = frozenset(
    r[0] for r in load_rows("institution_heads") if r[2] == "yes"
)
# Definite words that never continue a name: relative pronouns, إلى/إلا, time adverbs.
_NOT_GENITIVE = frozenset(
    "الذي التي الذين اللذين اللتين اللاتي الي الا الان اليوم امس الاداره".split()
)
# Definite adjectives that describe an occasion or a relation, never part of a name: مجلس الامن البالغ
# عدد اعضائه، جلسه مجلس الوزراء الاسبوعيه، مجلس الامن التابع للامم المتحده;
_NOT_MODIFIER_WORDS = (
    "البالغ البالغه التابع التابعه الاسبوعي الاسبوعيه الشهري الشهريه السنوي السنويه الاخير الاخيره "
    "المعني المعنيه المذكور المذكوره المشار"
)
# and the relative modifiers of pipeline.arabic.calendar (الاجتماع المقبل، الرئيس السابق، مجلس الوزراء
# القادم): a chain of adjectives stops at them.
_NOT_MODIFIER = frozenset(_NOT_MODIFIER_WORDS.split()) | {
    w for w in RELATIVE_MODIFIERS if " " not in w
}
# لل phrases of time or occasion: للفتره، للعام، للمره
_NOT_PHRASE = frozenset("للفتره للعام للسنه للمره لليوم للشهر للاسبوع للمرحله".split())
_MAX_CHAIN = 10
# A word seen at most this often in the training data is a name, not vocabulary (as the coordination
# backstop of pipeline.ner.document counts it).
_MAX_NAME_COUNT = 2
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]+$")


def _head(word: str) -> tuple[str, bool] | None:
    """(head noun, definite) when `word` is a head noun after optional و/ف and ب/ل/ك proclitics."""
    forms = [word]
    for conj in CONJUNCTIONS:
        if word.startswith(conj):
            forms.append(word[len(conj) :])
    for form in list(forms):
        for prep in PREPOSITIONS:
            if form.startswith(prep):
                forms.append(form[len(prep) :])
    for form in forms:
        if form in HEADS:
            return form, False
        if form.startswith("ال") and form[2:] in DEFINITE_HEADS:
            return form[2:], True
        if (
            form.startswith("ل")
            and form[1:] in DEFINITE_HEADS
            and word.startswith(("لل", "ولل", "فلل"))
        ):
            return form[1:], True  # لل + head: ل + ال with the article's alef dropped
    return None


def _definite(word: str) -> bool:
    return word.startswith("ال") and len(word) > 3 and word not in _NOT_GENITIVE


def _adjective(word: str, info: TagInfo | None) -> bool:
    if not _definite(word) or word in _NOT_MODIFIER:
        return False
    if info is not None and info[2] is not None:
        return info[2] == "ADJ"
    return word.endswith(("ي", "يه"))


def _adjective_kind(word: str) -> str:
    """The chain state after an adjective: "place" after a country's (المصري), "region" after a
    region's (الاوروبي، الافريقيه), else "adj"."""
    if country_adjective(word):
        return "place"
    return "region" if word.startswith("ال") and nisba_stem(word) in _REGION_ADJECTIVES else "adj"


def _entity_end(labels: Sequence[str], j: int) -> int:
    """The end of the entity that starts at j (labels[j] is B-X or I-X)."""
    k = j + 1
    while k < len(labels) and labels[k].startswith("I-"):
        k += 1
    return k


def _unknown_name(word: str, info: TagInfo | None, counts: Mapping[str, int]) -> bool:
    """An Arabic word of 3+ letters, not definite, not tagged an adjective or verb, seen at most
    twice in the training data (شركه ناشئه is a start-up, not a company named ناشئه)."""
    return (
        (info is None or info[2] not in ("ADJ", "VERB"))
        and len(word) >= 3
        and not word.startswith("ال")
        and _ARABIC_WORD.match(word) is not None
        and counts.get(word, 0) <= _MAX_NAME_COUNT
    )


def _chain(
    sent: Sequence[str],
    labels: Sequence[str],
    tags: Sequence[TagInfo | None],
    counts: Mapping[str, int],
    i: int,
) -> int:
    """The end (exclusive) of the institution name whose head is token i; i when there is none,
    and -end for a name after a descriptive head, whose span leaves the head out.

    After the head: a definite genitive (وزاره [الصحه]) or, for a head that belongs to the name, a place
    the model found (مصرف [لبنان]); a model-found organization or person right after the head is its
    own name and is left as the model gave it. Then adjectives; a person's name only right after a
    genitive noun (جامعه الملك [سعود]); genitive phrases with ل only after an adjective or a name
    (الاتحاد الدولي [لكره القدم], not مجلس الشوري [لمناقشه التعديلات], a purpose). A head that is a
    description ("apart": شركه، وكاله) needs an adjective or a ل phrase: "وكاله الانباء" alone is generic.
    """
    found = _head(sent[i])
    if found is None or labels[i].startswith("I-"):
        return i
    head, definite = found
    with_name = HEADS[head] == "with"
    model_span = False
    n = len(sent)
    if i + 1 >= n:
        return i
    if labels[i] == "B-ORG" and with_name:  # the model's own span opens at the head: extend it
        j = _entity_end(labels, i)
        last = sent[j - 1]
        if _adjective(last, tags[j - 1]):
            prev = _adjective_kind(last)
        else:
            prev = "genitive" if _definite(last) else "name"
        model_span = True
    elif labels[i] != "O":
        return i
    elif definite:
        if not _adjective(sent[i + 1], tags[i + 1]) or labels[i + 1] not in ("O", "B-LOC"):
            return i
        j, prev = i + 2, _adjective_kind(sent[i + 1])
    elif labels[i + 1] == "B-LOC" or (labels[i + 1] == "B-ORG" and _definite(sent[i + 1])):
        # a place (مصرف [لبنان]) or a definite name (هيئه [الامم المتحده]) in the genitive
        if not with_name:
            return i
        j, prev = _entity_end(labels, i + 1), "name"
    elif labels[i + 1] == "O" and _definite(sent[i + 1]):
        j, prev = i + 2, "genitive"
    elif not with_name and _unknown_name(sent[i + 1], tags[i + 1], counts):
        # شركه [تسلا]: a word the training data hardly knows, after a head that describes it
        j = i + 2
        while j < n and j - i < 4 and labels[j] == "O" and _unknown_name(sent[j], tags[j], counts):
            j += 1
        return -j
    else:
        return i
    described = prev in ("adj", "name", "place", "region") and j > i + 2
    while j < n and j - i < _MAX_CHAIN:
        w, lab = sent[j], labels[j]
        single = lab.startswith("B-") and _entity_end(labels, j) == j + 1
        after_adj = prev in ("adj", "name", "phrase", "place", "region")
        if lab == "B-PER" and prev == "genitive":
            j, prev = _entity_end(labels, j), "name"  # جامعه الملك [سعود]
        elif model_span and prev in ("name", "genitive") and country_adjective(w):
            break  # [حزب الله] اللبناني: a genitive may be a proper name, the adjective describes it
        elif (
            (prev != "place" and (prev != "region" or country_adjective(w)))
            and _adjective(w, tags[j])
            and (lab == "O" or (single and lab == "B-LOC"))
        ):
            # an adjective, also one the model took for a place (السعوديه); a country's adjective
            # ends the adjectives, a region's leaves room for a country's (مؤسسه النقد العربي
            # السعودي)
            j, prev = j + 1, _adjective_kind(w)
        elif (
            after_adj
            and w.startswith("لل")
            and len(w) > 4
            and w not in _NOT_PHRASE
            and lab in ("O", "B-ORG", "B-LOC")
        ):
            j, prev = (
                (j + 1 if lab == "O" else _entity_end(labels, j)),
                "phrase",
            )  # للمراه، للامم المتحده
        elif (
            after_adj
            and lab == "O"
            and w[1:] in PHRASE_NOUNS
            and w[0] == "ل"
            and j + 1 < n
            and labels[j + 1] == "O"
            and _definite(sent[j + 1])
        ):
            j, prev = j + 2, "phrase"  # ل + a noun in construct: لكره القدم، لشؤون اللاجئين
        else:
            break
        described = described or prev in ("adj", "phrase", "place", "region")
    if not with_name and not described:
        return i
    return j


def institution_backstop(
    sentences: Sequence[Sequence[str]],
    labels: list[list[str]],
    tags: Sequence[Sequence[TagInfo | None] | None] | None,
    counts: Mapping[str, int],
) -> list[list[bool]]:
    """Label each institution name the grammar reads as one ORG span; returns the changed tokens.

    A name the model found inside the chain (الامم المتحده in هيئه الامم المتحده للمراه, لبنان in مصرف
    لبنان) becomes part of the organization; a span the model found that runs past the chain is left
    as it is. Changes `labels` in place.
    """
    added = [[False] * len(s) for s in sentences]
    for si, (sent, labs) in enumerate(zip(sentences, labels)):
        info = (tags[si] if tags is not None else None) or [None] * len(sent)
        i = 0
        while i < len(sent):
            end = _chain(sent, labs, info, counts, i)
            start = i
            if end < 0:  # the head stays out of the span
                start, end = i + 1, -end
            if end <= i + 1 or (end < len(labs) and labs[end].startswith("I-")):
                i += 1
                continue
            new = ["B-ORG"] + ["I-ORG"] * (end - start - 1)
            for k in range(start, end):
                if labs[k] != new[k - start]:
                    labs[k] = new[k - start]
                    added[si][k] = True
            i = end
    return added
