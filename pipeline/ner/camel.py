"""camel-tools' NER as a backend of the NER stage (`NerStage(backend="camel")`, `--ner camel`).

camel-tools' `NERecognizer` is a fine-tuned `BertForTokenClassification` (AraBERT, installed by
`camel_data -i ner-arabert` into `$CAMELTOOLS_DATA/data/ner/arabert`; any model folder in that layout
— `config.json` with `id2label`, the weights and a BERT `vocab.txt` — loads the same way). It labels
whitespace/punctuation tokens with clitics attached (ANERcorp style: B-PERS, I-LOC, B-ORG, B-MISC…),
which is exactly what our Tokenizer produces; what it shares with the stanza backend (tokens as
written in, labels mapped to ours, spans tidied, proclitics cut by the stage) is
`pipeline.ner.toolkit`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.ner.toolkit import ToolkitNerModel
from pipeline.resources import BackendMissing, require_camel

__all__ = ["CamelNerModel", "INSTALL_PACKAGE"]

INSTALL_PACKAGE = "ner-arabert"  # the camel_data package of the default model


class CamelNerModel(ToolkitNerModel):
    """The interface the NER stage asks of a model (`NerModel`'s), over camel-tools' recognizer.

    `model_dir`: a camel-tools NER model folder (default: the one `camel_data -i ner-arabert`
    installed). `counts_dir`: where the word counts used to cut proclitics live (default the
    shipped models/ner). Raises BackendMissing, naming the install command, when camel-tools, its
    data catalogue or the model is absent.
    """

    backend = "camel"

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
        super().__init__(counts_dir)

    def predict(self, sentences: list[list[str]]) -> list[list[str]]:
        """camel-tools' labels (B-PERS, I-LOC, ...) for each sentence of tokens as written."""
        return [list(labs) for labs in self.recognizer.predict(sentences)]
