"""What the camel-tools and stanza NER backends share: another toolkit's token labeller behind the
interface the NER stage asks of a model (`NerModel`'s: `token_tags`, `tag_document`, `counts`,
`news_counts`, `uses_tags`).

Both toolkits label whitespace/punctuation tokens with clitics attached — exactly what our
Tokenizer produces — so they are given our tokens as written (`Token.text`: their vocabularies know
hamza and ة, which `norm` removes) and answer one label per token. Their label names differ
(camel-tools' AraBERT says B-PERS, stanza's models S-PER / E-LOC in BIOES, other models PERSON or
GPE): `our_label` maps each to the BIO labels over PER/LOC/ORG that `bio_spans` and `TYPE_MAP`
speak; MISC and anything else is dropped (no table type). The spans are then tidied as our own
model's are (`clean_spans`), and the stage cuts proclitics off each mention's first token with the
word counts loaded here (spans follow DESIGN.md). The toolkits give no probabilities: every token's
score is 1.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.document import Token
from pipeline.ner.document import bio_spans, clean_spans
from pipeline.ner.model import load_counts
from pipeline.resources import models_dir

__all__ = ["ToolkitNerModel", "our_label"]

# entity names toolkits' models use -> ours
_TYPES = {
    "PER": "PER", "PERS": "PER", "PERSON": "PER",
    "LOC": "LOC", "LOCATION": "LOC", "GPE": "LOC",
    "ORG": "ORG", "ORGANIZATION": "ORG", "ORGANISATION": "ORG",
}  # fmt: skip
# BIOES prefixes -> BIO (a single-token S- entity opens a span like B-; E- continues it like I-)
_PREFIXES = {"B-": "B-", "S-": "B-", "I-": "I-", "E-": "I-"}


def our_label(label: str | None) -> str:
    """A toolkit's BIO or BIOES label as ours: "S-PERS" -> "B-PER", "E-GPE" -> "I-LOC",
    "B-MISC" / "O" / None -> "O"."""
    if not label:
        return "O"
    prefix = _PREFIXES.get(label[:2].upper())
    typ = _TYPES.get(label[2:].upper())
    return prefix + typ if prefix and typ else "O"


class ToolkitNerModel:
    """Base of the toolkit backends: subclasses set `backend` and implement `predict`.

    `counts_dir`: where the word counts used to cut proclitics live (default the shipped
    models/ner).
    """

    backend = ""
    uses_tags = False  # reads the tokens as written, not the tag stage's parts

    def __init__(self, counts_dir: Path | None = None) -> None:
        counts = Path(counts_dir) if counts_dir else models_dir() / "ner"
        self.counts = load_counts(counts / "vocab.tsv")
        self.news_counts = load_counts(counts / "news_counts.tsv.gz")

    def predict(self, sentences: list[list[str]]) -> list[list[str]]:
        """The toolkit's own labels for each of `sentences` (none empty), one per word."""
        raise NotImplementedError

    def token_tags(self, sents: Sequence[Sequence[Token]]) -> list[list[str]]:
        """What the toolkit reads: each sentence's tokens as written."""
        return [[t.text for t in toks] for toks in sents]

    def tag_document(
        self, sentences: Sequence[Sequence[str]], words: Sequence[Sequence[str]] | None = None
    ) -> tuple[list[list[str]], list[list[float]]]:
        """BIO labels (PER/LOC/ORG) and scores for each sentence; `sentences` are the normalized
        tokens (for our span cleanup), `words` the tokens as written (what the toolkit reads)."""
        words = [list(w) for w in (words if words is not None else sentences)]
        live = [i for i, w in enumerate(words) if w]
        predicted = self.predict([words[i] for i in live]) if live else []
        labels: list[list[str]] = [["O"] * len(w) for w in words]
        for i, labs in zip(live, predicted):
            # a toolkit may drop a word its own tokenizer makes nothing of: align by length, else skip
            if len(labs) == len(words[i]):
                labels[i] = [our_label(lab) for lab in labs]
        for lab, norms in zip(labels, sentences):
            spans = clean_spans(list(norms), bio_spans(lab), self.counts)
            lab[:] = ["O"] * len(lab)
            for a, b, typ in spans:
                lab[a:b] = ["B-" + typ] + ["I-" + typ] * (b - a - 1)
        return labels, [[1.0] * len(w) for w in words]
