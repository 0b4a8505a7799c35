"""Exports of processed documents to the formats other tools read.

One module per format, each a function of a processed `Document` (tokens, parts and mentions) to
the text of that format, so that they serve the API and the command alike:

- `conllu.to_conllu`: CoNLL-U, tokens as multiword tokens over their parts, UPOS, `NER=B-PER` and
  character offsets in MISC (readable by the `conllu` package and stanza);
- `iob.to_iob2`: one unit per line with its BIO tag, parts or whole tokens (CRF/BERT trainers);
- `brat.to_brat`: brat standoff (`.txt` + `.ann`), values as annotator notes;
- `label_studio.to_task`: a Label Studio task with the mentions as predictions at character offsets;
- `spacy.to_spacy`: a spaCy `Doc` whose tokens are our parts, mentions as `doc.ents` (a `DocBin`
  file from the command; needs the optional spaCy, `pip install 'arabic-ie[spacy]'`).

`EXPORTS` lists the names the command accepts (`arabic-ie extract --export conllu,brat`).
"""

from __future__ import annotations

__all__ = ["EXPORTS", "LABELS", "mention_label", "to_spacy", "unit_labels"]

from collections.abc import Sequence

from pipeline.document import Document

# What `arabic-ie extract --export` accepts, and the file or folder each writes in OUT.
EXPORTS: dict[str, str] = {
    "conllu": "corpus.conllu",
    "iob2": "corpus.iob2",
    "iob2-tokens": "corpus.tokens.iob2",
    "brat": "brat",
    "label-studio": "label-studio.json",
    "spacy": "corpus.spacy",
}

# Short labels for the name types (the CoNLL convention); other types keep their names.
LABELS = {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}


def mention_label(type_: str) -> str:
    return LABELS.get(type_, type_)


def unit_labels(doc: Document, spans: Sequence[tuple[int, int]]) -> list[str]:
    """BIO tags for units given by raw spans (parts or tokens, in text order).

    A unit inside a mention is B- when it is the first unit of that mention, I- after; a unit that
    only overlaps one (a proclitic before a name: و of وتوكاييف) is outside it, as in the tables.
    """
    mentions = sorted(doc.mentions, key=lambda m: (m.start, -m.end))
    tags = ["O"] * len(spans)
    k = 0
    current = None
    for i, (a, b) in enumerate(spans):
        while k < len(mentions) and mentions[k].end <= a:
            k += 1
        hit = None
        for m in mentions[k : k + 4]:
            if m.start <= a and b <= m.end:
                hit = m
                break
        if hit is None:
            current = None
            continue
        tags[i] = ("I-" if hit is current else "B-") + mention_label(hit.type)
        current = hit
    return tags


# at the end: the spaCy module needs nothing above, and imports spaCy itself only when called
from pipeline.export.spacy import to_spacy  # noqa: E402
