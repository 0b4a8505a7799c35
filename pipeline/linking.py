"""In-document entity resolution rules (pure functions) and the place gazetteer: the key and
consonant skeleton names are compared by, the canonical form of a mention, clustering of name
mentions (clitics, transliterations, a surname for the full name), and `PlaceLinker` (places.tsv,
gentilics.tsv). The examples in pipeline/stages/resolve_examples.tsv are the specification."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.arabic.normalize import normalize_text, strip_diacritics
from pipeline.lexicons import load_rows

if TYPE_CHECKING:  # annotations only: the data model imports this module's importers
    from pipeline.document import Document, Mention

NAME_TYPES = ("PERSON", "LOCATION", "ORGANIZATION", "NORP")
# Long-vowel letters and hamza seats: transliterated names add or drop them freely.
_RELAXED = str.maketrans("", "", "اويءؤئ")
# Given names too common to identify a person on their own (normalized).
COMMON_GIVEN = frozenset(
    normalize_text(w)[0]
    for w in (
        "محمد،أحمد،علي،حسن،حسين،محمود،عبد،عبدالله،عبد الله،عبد الرحمن،عبد العزيز،مصطفى،إبراهيم،"
        "خالد،عمر،يوسف،سعيد،سالم،صالح،فهد،سلمان،عبدالعزيز،ناصر،جمال،كمال،طارق،وليد،فيصل،"
        "سلطان،زايد،حمد،عيسى،موسى"
    ).split("،")
)
_MIN_SKELETON = 3  # shorter skeletons (علي → ل) say nothing
_MIN_KEY = 4


def name_key(normalized: str) -> str:
    """The form names are compared by: normalized, single spaces, no definite article."""
    words = normalized.split()
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 4 else w for w in words)


def skeleton(key: str) -> str:
    """Letters left once long vowels and hamza seats are dropped (قيرغيزستان → قرغزستن)."""
    return key.replace(" ", "").translate(_RELAXED)


def canonical_form(m: Mention) -> str:
    """The mention as written, without diacritics or tatweel, with the article restored (لل → ال)."""
    text = " ".join(strip_diacritics(m.text).split())
    if m.normalized.startswith("ال") and text.startswith("ل") and not text.startswith("ال"):
        text = "ال" + text[1:]
    return text


class PlaceLinker:
    """Look places and gentilic adjectives up in the shipped lexicons (loaded once)."""

    def __init__(self) -> None:
        self.places: dict[str, tuple[str, str, str, str]] = {}
        self.by_skeleton: dict[str, str] = {}
        for row in load_rows("places"):
            name, kind, code, gid, en = (row + ("", "", "", ""))[:5]
            self.places[name] = (kind, code, gid, en)
            key = name_key(name)
            self.places.setdefault(key, (kind, code, gid, en))
            if kind == "country" and len(skeleton(key)) >= 4:
                self.by_skeleton.setdefault(skeleton(key), name)
        self.gentilics = {r[0]: r[1] for r in load_rows("gentilics")}
        self.country_en = {v[1]: v[3] for v in self.places.values() if v[0] == "country"}

    def place(self, normalized: str) -> dict[str, str] | None:
        """Links for a place name (exact, article-less, then skeleton match for countries)."""
        hit = self.places.get(normalized) or self.places.get(name_key(normalized))
        if hit is None:
            alias = self.by_skeleton.get(skeleton(name_key(normalized)))
            hit = self.places.get(alias) if alias else None
        if hit is None:
            return None
        kind, code, gid, en = hit
        return {"country_code": code, "geonames_id": gid, "name_en": en, "kind": kind}

    def gentilic(self, normalized: str) -> str | None:
        """ISO code of the country a gentilic adjective refers to (الكازاخستانيه → KZ)."""
        word = name_key(normalized)
        if " " in word:
            return None
        for form in (word, word[:-1] if word.endswith("ه") else "", _plural_stem(word)):
            if form and form in self.gentilics:
                return self.gentilics[form]
        return None


def _plural_stem(word: str) -> str:
    for suffix in ("ون", "ين", "ان"):
        if word.endswith("ي" + suffix):
            return word[: -len(suffix)]
    return ""


@lru_cache(maxsize=1)
def place_linker() -> PlaceLinker:
    return PlaceLinker()


class _Cluster:
    __slots__ = ("type", "members", "keys", "skeletons", "tokens")

    def __init__(self, type_: str) -> None:
        self.type = type_
        self.members: list[int] = []
        self.keys: set[str] = set()
        self.skeletons: set[str] = set()
        self.tokens: list[tuple[str, ...]] = []

    def add(self, index: int, key: str) -> None:
        self.members.append(index)
        self.keys.add(key)
        sk = skeleton(key)
        if len(sk) >= _MIN_SKELETON and len(key) >= _MIN_KEY:
            self.skeletons.add(sk)
        self.tokens.append(tuple(key.split()))


def _same_person_by_part(key: str, cluster: _Cluster) -> bool:
    """A one- or two-word name that is the tail of a longer name in the cluster (توكاييف)."""
    parts = tuple(key.split())
    if not parts or " ".join(parts) in COMMON_GIVEN:
        return False
    sparts = tuple(skeleton(p) for p in parts)
    for full in cluster.tokens:
        if len(full) > len(parts) and full[-len(parts) :] == parts:
            return True
        if (
            len(full) > len(parts)
            and min(map(len, sparts)) >= _MIN_SKELETON
            and tuple(skeleton(p) for p in full[-len(parts) :]) == sparts
        ):
            return True  # the tail spelled another way (بيردي محمدوف / بردي محمدوف)
        if len(parts) == 1 and len(parts[0]) >= 4 and parts[0] in full[1:]:
            return True
    return False


def cluster_names(doc: Document, indices: list[int]) -> list[list[int]]:
    """Group name mentions of one document into entities (lists of mention indices)."""
    clusters: list[_Cluster] = []
    # longest names first, so a surname meets its full name before standing alone
    order = sorted(indices, key=lambda i: (-len(doc.mentions[i].normalized.split()), i))
    for i in order:
        m = doc.mentions[i]
        key = name_key(m.normalized or normalize_text(m.text)[0])
        sk = skeleton(key)
        target = None
        for c in clusters:
            if c.type != m.type:
                continue
            if key in c.keys or (len(key) >= _MIN_KEY and sk in c.skeletons):
                target = c
                break
        if target is None and m.type == "PERSON":
            candidates = [
                c for c in clusters if c.type == "PERSON" and _same_person_by_part(key, c)
            ]
            if len(candidates) == 1:
                target = candidates[0]
        if target is None:
            target = _Cluster(m.type)
            clusters.append(target)
        target.add(i, key)
    return [sorted(c.members) for c in clusters]


def merge_linked(groups: list[list[int]], link_of) -> list[list[int]]:
    """Merge groups whose first linkable mention points to the same gazetteer entry."""
    merged: list[list[int]] = []
    seen: dict[tuple, list[int]] = {}
    for g in groups:
        key = next((k for i in g if (k := link_of(i)) is not None), None)
        if key is not None and key in seen:
            seen[key].extend(g)
            seen[key].sort()
            continue
        merged.append(g)
        if key is not None:
            seen[key] = g
    return merged


def value_key(m: Mention) -> tuple:
    return (m.type, str(m.value) if m.value not in (None, "") else m.normalized, m.unit)
