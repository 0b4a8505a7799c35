"""The stages, one module each, in pipeline order.

`default_stages()` lists the stages of `Pipeline.default()`. A stage that is not built yet is simply
absent from it; nothing here produces placeholder output.
"""

from __future__ import annotations

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


def default_stages() -> list:
    """Build the standard stages (each loads its resources once, here).

    Order matters: the tagger's clitic parts set the NER spans; names come before dates and numbers,
    and dates before numbers, so each later stage skips what an earlier one claimed; resolve comes last
    and gives every mention its entity.
    """
    return [
        Normalizer(),
        Tokenizer(),
        TagStage(),
        NerStage(),
        DateStage(),
        NumberStage(),
        ResolveStage(),
    ]
