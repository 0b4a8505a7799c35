"""stanza's Arabic NER as a backend of the NER stage (`NerStage(backend="stanza")`, `--ner stanza`).

The model is the default Arabic NER package of a stanza resources folder (what
`stanza.download("ar", model_dir=DIR)` writes; `--stanza-dir DIR`, default stanza's own
~/stanza_resources or $STANZA_RESOURCES_DIR), with the pretrained vectors and character language
models its `resources.json` entry depends on, loaded offline by `pipeline.stanza_models` (the loader
the stanza tag backend uses). stanza's NER labels tokens with clitics attached, in BIOES (S-PER,
B-LOC … E-LOC); it reads our tokens as they are (`tokenize_pretokenized`), so its labels come back
one per token, and `pipeline.ner.toolkit` does the rest as for camel-tools: labels mapped to ours
(MISC dropped), spans tidied, proclitics cut by the stage (`وتوكاييف` -> `توكاييف`).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.ner.toolkit import ToolkitNerModel
from pipeline.stanza_models import stanza_pipeline, stanza_resources_dir

__all__ = ["StanzaNerModel"]


class StanzaNerModel(ToolkitNerModel):
    """The interface the NER stage asks of a model (`NerModel`'s), over a stanza NER pipeline.

    `model_dir`: a stanza resources folder (default stanza's own, `stanza_resources_dir()`).
    `counts_dir`: where the word counts used to cut proclitics live (default the shipped
    models/ner). Raises BackendMissing, naming the `stanza.download` command, when stanza or the
    folder's Arabic NER model (or a file it depends on) is absent.
    """

    backend = "stanza"

    def __init__(self, model_dir: Path | str | None = None, counts_dir: Path | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir else stanza_resources_dir()
        self.nlp = stanza_pipeline(self.model_dir, "ner")
        super().__init__(counts_dir)

    def predict(self, sentences: list[list[str]]) -> list[list[str]]:
        """stanza's labels (S-PER, B-LOC, E-LOC, ...) for each sentence of tokens as written."""
        doc = self.nlp(sentences)
        if len(doc.sentences) != len(sentences):  # stanza merged or dropped one: none is trusted
            return [[] for _ in sentences]
        return [[t.ner or "O" for t in sent.tokens] for sent in doc.sentences]
