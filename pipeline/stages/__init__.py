"""The stages, one module each, in pipeline order.

`default_stages()` lists the stages of `Pipeline.default()`. A stage that is not built yet is simply
absent from it; nothing here produces placeholder output.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.stages.dates import DateStage
from pipeline.stages.ner import NerStage
from pipeline.stages.normalize import Normalizer
from pipeline.stages.numbers import NumberStage
from pipeline.stages.resolve import ResolveStage
from pipeline.stages.tag import TagStage
from pipeline.stages.tokenize import Tokenizer

__all__ = [
    "DateStage",
    "NerStage",
    "Normalizer",
    "NumberStage",
    "ResolveStage",
    "TagStage",
    "Tokenizer",
    "default_stages",
]


def default_stages(
    *,
    ner: str | None = None,
    ner_model: str | Path | None = None,
    tagger: str = "crf",
    tagger_model: str | Path | None = None,
) -> list:
    """Build the standard stages (each loads its resources once, here).

    Order matters: the tagger's clitic parts set the NER spans; names come before dates and numbers,
    and dates before numbers, so each later stage skips what an earlier one claimed; resolve comes last
    and gives every mention its entity.

    `ner`/`ner_model` and `tagger`/`tagger_model` choose the backends of the NER and tag stages
    (`NerStage(backend=, model_dir=)`, `TagStage(backend=, model_dir=)`); None keeps the default.
    """
    return [
        Normalizer(),
        Tokenizer(),
        TagStage(tagger_model, backend=tagger),
        NerStage(ner_model, backend=ner),
        DateStage(),
        NumberStage(),
        ResolveStage(),
    ]
