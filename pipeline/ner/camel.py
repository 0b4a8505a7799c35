"""camel-tools' NER as a backend of the NER stage (`NerStage(backend="camel")`, `--ner camel`).

camel-tools' `NERecognizer` is a fine-tuned `BertForTokenClassification` (AraBERT, installed by
`camel_data -i ner-arabert` into `$CAMELTOOLS_DATA/data/ner/arabert`; any model folder in that layout
— `config.json` with `id2label`, the weights and a BERT `vocab.txt` — loads the same way). It labels
whitespace/punctuation tokens with clitics attached (ANERcorp style: B-PERS, I-LOC, B-ORG, B-MISC…),
which is exactly what our Tokenizer produces, so it is given our tokens as written (`Token.text`: the
BERT vocabulary knows hamza and ة, which `norm` removes) and its labels come back one per token. The
stage then cuts proclitics off the first token as for every backend (spans follow DESIGN.md). MISC
is dropped (no table type). camel-tools gives no probabilities: every token's score is 1.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.document import Token
from pipeline.ner.document import bio_spans, clean_spans
from pipeline.ner.model import load_counts
from pipeline.resources import BackendMissing, models_dir, require_camel

__all__ = ["CamelNerModel", "INSTALL_PACKAGE"]

INSTALL_PACKAGE = "ner-arabert"  # the camel_data package of the default model
# camel-tools' label names -> ours (bio_spans and TYPE_MAP speak PER/LOC/ORG)
_LABELS = {"PERS": "PER", "PER": "PER", "LOC": "LOC", "ORG": "ORG"}


def _our_label(label: str) -> str:
    if label[:2] in ("B-", "I-") and label[2:] in _LABELS:
        return label[:2] + _LABELS[label[2:]]
    return "O"


class CamelNerModel:
    """The interface the NER stage asks of a model (`NerModel`'s), over camel-tools' recognizer.

    `model_dir`: a camel-tools NER model folder (default: the one `camel_data -i ner-arabert`
    installed). `counts_dir`: where the word counts used to cut proclitics live (default the
    shipped models/ner). Raises BackendMissing, naming the install command, when camel-tools, its
    data catalogue or the model is absent.
    """

    backend = "camel"
    uses_tags = False  # reads the tokens as written, not the tag stage's parts

    def __init__(self, model_dir: Path | str | None = None, counts_dir: Path | None = None) -> None:
        root = require_camel(INSTALL_PACKAGE)
        path = Path(model_dir) if model_dir else root / "data" / "ner" / "arabert"
        if not (path / "config.json").is_file():
            raise BackendMissing(
                f"no camel-tools NER model at {path}: camel_data -i {INSTALL_PACKAGE} "
                "(or --ner-model DIR, a BertForTokenClassification folder)"
            )
        try:
            from camel_tools.ner import NERecognizer
            from transformers.utils import logging as tf_logging
        except ImportError as exc:  # torch or transformers missing
            raise BackendMissing(
                f"camel-tools NER needs torch and transformers ({exc.name} missing): "
                "pip install camel-tools"
            ) from None
        tf_logging.disable_progress_bar()
        self.recognizer = NERecognizer(str(path), use_gpu=False)
        self.model_dir = path
        counts = Path(counts_dir) if counts_dir else models_dir() / "ner"
        self.counts = load_counts(counts / "vocab.tsv")
        self.news_counts = load_counts(counts / "news_counts.tsv.gz")

    def token_tags(self, sents: Sequence[Sequence[Token]]) -> list[list[str]]:
        """What the recognizer reads: each sentence's tokens as written."""
        return [[t.text for t in toks] for toks in sents]

    def tag_document(
        self, sentences: Sequence[Sequence[str]], words: Sequence[Sequence[str]] | None = None
    ) -> tuple[list[list[str]], list[list[float]]]:
        """BIO labels (PER/LOC/ORG) and scores for each sentence; `sentences` are the normalized
        tokens (for our span cleanup), `words` the tokens as written (what camel-tools reads)."""
        words = [list(w) for w in (words if words is not None else sentences)]
        live = [i for i, w in enumerate(words) if w]
        predicted = self.recognizer.predict([words[i] for i in live]) if live else []
        labels: list[list[str]] = [["O"] * len(w) for w in words]
        for i, labs in zip(live, predicted):
            # camel-tools drops a word its tokenizer makes nothing of: align by length, else skip
            if len(labs) == len(words[i]):
                labels[i] = [_our_label(lab) for lab in labs]
        for lab, norms in zip(labels, sentences):
            spans = clean_spans(list(norms), bio_spans(lab), self.counts)
            lab[:] = ["O"] * len(lab)
            for a, b, typ in spans:
                lab[a:b] = ["B-" + typ] + ["I-" + typ] * (b - a - 1)
        return labels, [[1.0] * len(w) for w in words]
