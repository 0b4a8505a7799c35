"""The stages, one module each, in pipeline order.

`default_stages()` lists the stages of `Pipeline.default()`. A stage that is not built yet is simply
absent from it; nothing here produces placeholder output.
"""

from __future__ import annotations

from pipeline.stages.dates import DateStage
from pipeline.stages.normalize import Normalizer
from pipeline.stages.numbers import NumberStage
from pipeline.stages.resolve import ResolveStage
from pipeline.stages.tag import TagStage
from pipeline.stages.tokenize import Tokenizer

__all__ = [
    "DateStage",
    "Normalizer",
    "NumberStage",
    "ResolveStage",
    "TagStage",
    "Tokenizer",
    "default_stages",
]


def default_stages() -> list:
    """Build the standard stages (each loads its resources once, here).

    Order matters: dates run before numbers, which skips any span a date already claimed; resolve
    comes last and gives every mention its entity.
    """
    return [Normalizer(), Tokenizer(), TagStage(), DateStage(), NumberStage(), ResolveStage()]
