"""Entities across documents: the same person, place or organization in every article of a run.

Why a separate, final step: resolution inside one article sees one article; a reader of a corpus
wants Tokayev once, whether an article calls him `توكاييف` or `قاسم جومارت توكاييف`, and Astana
once, whether spelled `أستانا` or `آستانة`. The per-document entities are merged here, at the end of
a run, by evidence that holds across articles:

- the same name once normalized (no diacritics, one alef, no article);
- the same consonant skeleton (transliterations: `قرغيزستان` / `قيرغيزستان`), for skeletons long
  enough to say something;
- the same gazetteer identity (GeoNames id for cities, ISO code for countries and gentilics);
- a surname (or the last words of a name) standing alone, only when exactly one fuller name in the
  whole corpus ends that way, and never a common given name alone (`محمد`);
- amounts and dates: the same machine value and unit (one without a value is its own entity).

Types never merge. Ids (`c1`, `c2`, ...) follow the order in which entities first appear in the
input, so they do not depend on the number of processes, the engine or a resume.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from pipeline.arabic.normalize import normalize_text
from pipeline.linking import COMMON_GIVEN, NAME_TYPES, name_key, skeleton
from pipeline.romanize import SCHEMES, romanize

__all__ = ["CORPUS_ENTITY_COLUMNS", "CorpusLinker"]

CORPUS_ENTITY_COLUMNS = (
    "corpus_entity_id", "type", "canonical", "documents", "mentions", "variants",
    "country_code", "geonames_id", "name_en", "name_latn",
)  # fmt: skip
_ARABIC = re.compile("[\u0600-\u06ff]")
# Across documents a shared skeleton is weaker evidence than inside one: ask for a longer one.
_MIN_SKELETON = 4


class _UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:  # the earlier entity stays the root: ids follow first appearance
            self.parent[max(a, b)] = min(a, b)


class CorpusLinker:
    """Collects the entity rows of a run (in input order) and merges them across documents."""

    def __init__(self, latin: str = "press") -> None:
        """`latin`: how `name_latn` is written, one of `pipeline.romanize.SCHEMES` (the press spelling,
        or a camel-tools transliteration such as Buckwalter)."""
        if latin not in SCHEMES:
            raise ValueError(f"unknown transliteration scheme {latin!r}; use one of {SCHEMES}")
        self.latin = latin
        self.rows: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.sets = _UnionFind()
        self.first_with: dict[tuple, int] = {}

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Entity rows of `entities.csv` (doc_id, entity_id, type, canonical, ...), in input order."""
        for row in rows:
            i = self.sets.add()
            keep = {k: row[k] for k in ("doc_id", "entity_id", "type", "canonical", "mentions",
                                        "variants", "country_code", "geonames_id", "name_en")}  # fmt: skip
            self.rows.append(keep)
            type_ = row["type"]
            if type_ in NAME_TYPES:
                key = name_key(normalize_text(row["canonical"])[0])
                # a common given name alone (محمد) names a different person in each article
                alone = type_ == "PERSON" and key in COMMON_GIVEN
                evidence = [] if alone else [("key", key)]
                sk = skeleton(key)
                if len(sk) >= _MIN_SKELETON and not alone:
                    evidence.append(("skeleton", sk))
                if row.get("geonames_id"):
                    evidence.append(("geonames", row["geonames_id"]))
                elif row.get("country_code") and type_ in ("LOCATION", "NORP"):
                    evidence.append(("country", row["country_code"]))
            else:
                key = row["canonical"]
                # "5700000000 USD", "2024-08-09": a machine value; words (يوم الجمعة) are not one
                # day across articles
                evidence = [] if _ARABIC.search(key) else [("value", key)]
            self.keys.append(key)
            for ev in evidence:
                first = self.first_with.setdefault((type_, *ev), i)
                self.sets.union(first, i)

    def _merge_surnames(self) -> None:
        """A short name joins the one fuller name of the corpus that ends with it."""
        forms: dict[int, set[tuple[str, ...]]] = defaultdict(set)
        for i, row in enumerate(self.rows):
            if row["type"] == "PERSON" and self.keys[i]:
                forms[self.sets.find(i)].add(tuple(self.keys[i].split()))
        endings: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for root, names in forms.items():
            for name in names:
                for k in range(1, len(name)):
                    endings[name[k:]].add(root)
        for root in sorted(forms):
            longest = max(len(n) for n in forms[root])
            if longest > 2:
                continue
            for name in sorted(forms[root]):
                if " ".join(name) in COMMON_GIVEN or len("".join(name)) < 3:
                    continue
                fuller = {self.sets.find(r) for r in endings.get(name, ())} - {self.sets.find(root)}
                if len(fuller) == 1:
                    self.sets.union(root, fuller.pop())
                    break

    def finish(self) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """(entity_id -> corpus_entity_id, the corpus entity rows in order of first appearance)."""
        self._merge_surnames()
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.rows)):
            groups[self.sets.find(i)].append(i)
        mapping: dict[str, str] = {}
        out: list[dict[str, Any]] = []
        for n, root in enumerate(sorted(groups), 1):
            cid = f"c{n}"
            members = [self.rows[i] for i in groups[root]]
            for row in members:
                mapping[row["entity_id"]] = cid
            out.append(_corpus_row(cid, members, self.latin))
        return mapping, out


def _corpus_row(cid: str, members: list[dict[str, Any]], scheme: str) -> dict[str, Any]:
    docs = Counter(row["canonical"] for row in members)
    canonical = max(
        docs, key=lambda c: (len(c.split()), docs[c], len(c), -_first(members, c))
    )  # the fullest form, then the most common
    variants: dict[str, None] = {}
    for row in members:
        for v in [row["canonical"], *filter(None, str(row["variants"]).split("|"))]:
            variants.setdefault(v)
    linked = next((r for r in members if r["country_code"] or r["geonames_id"]), {})
    type_ = members[0]["type"]
    latin = type_ in ("PERSON", "ORGANIZATION") or (
        type_ == "LOCATION" and not linked.get("name_en")
    )
    return {
        "corpus_entity_id": cid,
        "type": type_,
        "canonical": canonical,
        "documents": len({row["doc_id"] for row in members}),
        "mentions": sum(int(row["mentions"]) for row in members),
        "variants": "|".join(variants),
        "country_code": linked.get("country_code", ""),
        "geonames_id": linked.get("geonames_id", ""),
        "name_en": linked.get("name_en", ""),
        "name_latn": romanize(canonical, scheme) if latin else "",
    }


def _first(members: list[dict[str, Any]], canonical: str) -> int:
    return next(k for k, row in enumerate(members) if row["canonical"] == canonical)
