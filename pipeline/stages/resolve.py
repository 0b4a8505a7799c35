"""Resolve mentions into entities: one row per person, place or organization per article.

Why rules and not a model: within one article, the ways a name is rewritten are few and regular —
the same name with other clitics (اليابان، لليابان), a transliteration spelled two ways (قرغيزستان /
قيرغيزستان: same consonant skeleton once long vowels and hamza seats are relaxed), a surname standing
for the full name (توكاييف → قاسم جومارت توكاييف). Each rule is a small pure function; the examples in
resolve_examples.tsv are the specification.
The rules live in `pipeline.linking`; this stage applies them to a document's mentions.
"""

from __future__ import annotations

from collections import Counter

from pipeline.document import Document, Entity, Mention
from pipeline.linking import (
    NAME_TYPES,
    canonical_form,
    cluster_names,
    merge_linked,
    place_linker,
    value_key,
)

__all__ = ["ResolveStage"]


class ResolveStage:
    """Pipeline stage: fills `Document.entities` and every mention's `entity_id`."""

    name = "resolve"
    requires: tuple[str, ...] = ("mentions",)
    provides: tuple[str, ...] = ("entities",)
    # every mention must be there before entities are made of them
    after: tuple[str, ...] = ("names", "dates", "amounts")

    def __init__(self) -> None:
        """Load the place gazetteer once (countries, cities, gentilics). No options: the merge
        rules are those of `pipeline.linking`, specified by resolve_examples.tsv."""
        self.linker = place_linker()

    def __call__(self, doc: Document) -> Document:
        linker = self.linker
        for m in doc.mentions:  # gentilic adjectives are not places
            if m.type == "LOCATION" and linker.place(m.normalized) is None:
                if linker.gentilic(m.normalized):
                    m.type = "NORP"
        groups: list[list[int]] = []
        for type_ in NAME_TYPES:
            idx = [i for i, m in enumerate(doc.mentions) if m.type == type_]
            found = cluster_names(doc, idx)
            if type_ == "LOCATION":
                found = merge_linked(found, lambda i: self._link_key(doc.mentions[i]))
            groups += found
        by_value: dict[tuple, list[int]] = {}
        for i, m in enumerate(doc.mentions):
            if m.type not in NAME_TYPES:
                by_value.setdefault(value_key(m), []).append(i)
        groups += list(by_value.values())
        groups.sort(key=lambda g: (min(doc.mentions[i].start for i in g), g[0]))

        doc.entities = []
        for n, members in enumerate(groups, 1):
            eid = f"{doc.id}#e{n}"
            ms = [doc.mentions[i] for i in members]
            for m in ms:
                m.entity_id = eid
            doc.entities.append(self._entity(eid, members, ms))
        return doc

    def _link_key(self, m: Mention) -> tuple | None:
        hit = self.linker.place(m.normalized)
        if hit is None:
            return None
        if hit["kind"] == "country":
            return ("country", hit["country_code"])
        return ("geonames", hit["geonames_id"]) if hit["geonames_id"] else None

    def _entity(self, eid: str, members: list[int], ms: list[Mention]) -> Entity:
        type_ = ms[0].type
        variants = list(dict.fromkeys(m.text for m in sorted(ms, key=lambda m: m.start)))
        if type_ in NAME_TYPES:
            forms = Counter(canonical_form(m) for m in ms)
            canonical = max(forms, key=lambda f: (len(f.split()), forms[f], len(f)))
        else:
            m0 = ms[0]
            canonical = f"{m0.value} {m0.unit}".strip() if m0.value not in (None, "") else m0.text
        links: dict[str, str] = {}
        if type_ == "LOCATION":
            for m in sorted(ms, key=lambda m: -len(m.normalized)):
                hit = self.linker.place(m.normalized)
                if hit:
                    links = {k: v for k, v in hit.items() if k != "kind" and v}
                    break
        elif type_ == "NORP":
            code = next((c for m in ms if (c := self.linker.gentilic(m.normalized))), "")
            if code:
                links = {"country_code": code, "name_en": self.linker.country_en.get(code, "")}
        return Entity(eid, type_, canonical, members, variants, links)
