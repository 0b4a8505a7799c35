"""Corpus readers for NER training and evaluation, all brought to one form.

Every corpus is returned as sentences of (token, label) with labels in BIO over PER / LOC / ORG only,
and tokens as OUR Tokenizer would cut them (clitics attached, punctuation split), because that is what
the model sees at run time. Tag mappings (documented in models/cards/ner.md):

ANERcorp    PERS -> PER, LOC -> LOC, ORG -> ORG, MISC -> O. Stray I- after O becomes B-.
WikiFANE    from the FINE file (50 classes), line-aligned with the coarse one:
            persons (Politician, Artist, Athlete, ... Other_PER) -> PER, but Group (nationalities,
            peoples: "الاوروبيين") -> O as ANERcorp does not tag them;
            GPE (Nation, Population-Center, State-or-Province, County-or-District, Continent,
            GPE-Cluster) and LOC (Water-Body, Land-Region-Natural) -> LOC; Celestial -> O;
            ORG (Government, Commercial, Educational, Media, Sports, ...) -> ORG;
            FAC, PRO, VEH, WEA -> O.
            Its clitic segmentation is undone: a separated و/ف (and ب/ل/ك) is glued to the next word,
            a separated pronoun (ه ها هم هما هن كم نا) to the previous word; the glued token keeps the
            word's label.
Wojood      nested (one column per layer): the outermost PERS/ORG/GPE/LOC span of any layer wins
            (a GPE inside an OCC is kept, an ORG's inner PERS is not); PERS -> PER, GPE/LOC -> LOC,
            ORG -> ORG, everything else (FAC, OCC, NORP, DATE...) -> O. `$#$` paragraph marks dropped.

Splits: ANERcorp last 10% of sentences = dev; WikiFANE last 10% = held out; Wojood val = held out.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from pipeline.arabic.normalize import normalize_text
from pipeline.stages.tokenize import tokenize_spans

__all__ = [
    "Sentence",
    "read_anercorp",
    "read_wikifane",
    "read_wojood",
    "retokenize",
    "fix_bio",
    "load_splits",
    "load_anercorp_train",
    "anercorp_cut",
    "WIKIFANE_FINE_MAP",
]

Sentence = list[tuple[str, str]]

WIKIFANE_FINE_MAP: dict[str, str] = {
    **{
        k: "PER"
        for k in (
            "Politician",
            "Artist",
            "Scientist",
            "Religious_PER",
            "Athlete",
            "Businessperson",
            "Engineer",
            "Lawyer",
            "Police",
            "Other_PER",
        )
    },
    **{
        k: "LOC"
        for k in (
            "Population-Center",
            "Nation",
            "State-or-Province",
            "County-or-District",
            "Continent",
            "GPE-Cluster",
            "Water-Body",
            "Land-Region-Natural",
        )
    },
    **{
        k: "ORG"
        for k in (
            "Commercial",
            "Non-Governmental",
            "Government",
            "Sports",
            "Media",
            "Educational",
            "Religious_ORG",
            "Medical-Science",
            "Entertainment",
        )
    },
}
ANER_MAP = {"PERS": "PER", "LOC": "LOC", "ORG": "ORG"}
WOJOOD_MAP = {"PERS": "PER", "GPE": "LOC", "LOC": "LOC", "ORG": "ORG"}
_PROCLITIC_TOKENS = frozenset("و ف ب ل ك".split())
_ENCLITIC_TOKENS = frozenset("ه ها هم هما هن كم كما نا".split())


def fix_bio(labels: list[str]) -> list[str]:
    """Repair IOB2: an I-X not preceded by B-X/I-X becomes B-X."""
    out = []
    prev = "O"
    for lab in labels:
        if lab.startswith("I-") and prev[2:] != lab[2:]:
            lab = "B-" + lab[2:]
        out.append(lab)
        prev = lab
    return out


def _map_label(tag: str, mapping: dict[str, str]) -> str:
    if tag in ("O", "") or "-" not in tag:
        return "O"
    bio, _, typ = tag.partition("-")
    mapped = mapping.get(typ)
    return f"{bio}-{mapped}" if mapped else "O"


def _blocks(path: Path, sep: str | None) -> Iterator[list[list[str]]]:
    opener = gzip.open if path.suffix == ".gz" else open
    block: list[list[str]] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                if block:
                    yield block
                block = []
                continue
            block.append(line.split(sep))
    if block:
        yield block


def read_anercorp(path: Path) -> list[Sentence]:
    """ANERcorp (space-separated `token TAG`)."""
    sents = []
    for block in _blocks(path, None):
        toks = [r[0] for r in block if len(r) >= 2]
        labs = fix_bio([_map_label(r[-1], ANER_MAP) for r in block if len(r) >= 2])
        if toks:
            sents.append(list(zip(toks, labs)))
    return sents


def _reattach(toks: list[str], labs: list[str]) -> Sentence:
    """Undo WikiFANE's clitic segmentation so tokens look like news tokens."""
    out_t: list[str] = []
    out_l: list[str] = []
    pending = ""
    for tok, lab in zip(toks, labs):
        if tok in _PROCLITIC_TOKENS and lab == "O":
            pending += tok
            continue
        if (
            tok in _ENCLITIC_TOKENS
            and lab == "O"
            and out_t
            and not pending
            and out_t[-1][-1:].isalpha()
        ):
            out_t[-1] += tok
            continue
        if pending:
            if tok[:1].isalpha():
                tok = pending + tok
            else:
                out_t.append(pending)
                out_l.append("O")
            pending = ""
        out_t.append(tok)
        out_l.append(lab)
    if pending:
        out_t.append(pending)
        out_l.append("O")
    return list(zip(out_t, fix_bio(out_l)))


def read_wikifane(coarse: Path, fine: Path) -> list[Sentence]:
    """WikiFANE Gold: tokens from the coarse file, labels mapped from the line-aligned fine file."""
    sents = []
    for cb, fb in zip(_blocks(coarse, "\t"), _blocks(fine, "\t")):
        if [r[0] for r in cb] != [r[0] for r in fb]:
            raise ValueError("WikiFANE coarse and fine files are not aligned")
        toks = [r[0] for r in fb]
        labs = fix_bio([_map_label(r[1] if len(r) > 1 else "O", WIKIFANE_FINE_MAP) for r in fb])
        sents.append(_reattach(toks, labs))
    return sents


def _layer_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans, start, cur = [], -1, ""
    for i, t in enumerate([*tags, "O"]):
        if t.startswith("B-") or t == "O" or (t.startswith("I-") and t[2:] != cur):
            if cur:
                spans.append((start, i, cur))
            start, cur = (i, t[2:]) if t != "O" else (-1, "")
    return spans


def read_wojood(path: Path) -> list[Sentence]:
    """Wojood (nested, space-separated): outermost kept-type span of any layer."""
    sents = []
    for block in _blocks(path, None):
        rows = [r for r in block if r and r[0] != "$#$"]
        if not rows:
            continue
        toks = [r[0] for r in rows]
        width = max(len(r) for r in rows)
        chosen: list[tuple[int, int, str]] = []
        for col in range(1, width):
            tags = [r[col] if len(r) > col else "O" for r in rows]
            for a, b, typ in _layer_spans(tags):
                mapped = WOJOOD_MAP.get(typ)
                if mapped and not any(a < y and x < b for x, y, _ in chosen):
                    chosen.append((a, b, mapped))
        labs = ["O"] * len(toks)
        for a, b, typ in chosen:
            labs[a] = "B-" + typ
            for k in range(a + 1, b):
                labs[k] = "I-" + typ
        sents.append(list(zip(toks, labs)))
    return sents


def retokenize(sent: Sentence) -> Sentence:
    """Cut corpus tokens the way our Tokenizer cuts text (e.g. ANERcorp's "(د" -> "(", "د").

    Tokens are also normalized (our `norm`). Punctuation pieces split off an entity token get O;
    the entity's label moves to its first word piece, later pieces continue it with I-.
    """
    out_t: list[str] = []
    out_l: list[str] = []
    for tok, lab in sent:
        norm = normalize_text(tok)[0]
        pieces = [norm[a:b] for a, b in tokenize_spans(norm)]
        if len(pieces) <= 1:
            out_t.append(pieces[0] if pieces else norm)
            out_l.append(lab)
            continue
        seen_word = False
        for p in pieces:
            if lab != "O" and any(ch.isalnum() for ch in p):
                out_l.append(lab if not seen_word else "I-" + lab[2:])
                seen_word = True
            else:
                out_l.append("O")
            out_t.append(p)
    return list(zip(out_t, fix_bio(out_l)))


def anercorp_cut(sentences: list) -> int:
    """Where ANERcorp train.txt splits into our train and dev: the last 10% of sentences are dev."""
    return len(sentences) - len(sentences) // 10


def load_anercorp_train(data: Path) -> list[Sentence]:
    """ANERcorp train without the dev split, re-tokenized (what cross-validation folds)."""
    aner = read_anercorp(data / "ner" / "anercorp/train.txt")
    return [retokenize(s) for s in aner[: anercorp_cut(aner)]]


def load_splits(data: Path) -> dict[str, list[Sentence]]:
    """All training and held-out sets, re-tokenized: {name: sentences}."""
    ner = data / "ner"
    aner = read_anercorp(ner / "anercorp/train.txt")
    cut = anercorp_cut(aner)
    wf = read_wikifane(
        ner / "wikifane/wikifane_gold.coarse.iob2.txt",
        ner / "wikifane/wikifane_gold.fine.iob2.txt.gz",
    )
    wcut = len(wf) - len(wf) // 10
    splits = {
        "anercorp_train": aner[:cut],
        "anercorp_dev": aner[cut:],
        "wikifane_train": wf[:wcut],
        "wikifane_heldout": wf[wcut:],
        "wojood_train": read_wojood(ner / "wojood-sample/train.txt"),
        "wojood_val": read_wojood(ner / "wojood-sample/val.txt"),
    }
    return {k: [retokenize(s) for s in v] for k, v in splits.items()}
