"""The contextual word states the accurate NER reads, from whichever pretrained models it was trained
with: the character LMs (`pipeline.charlm`), the transformer encoder (`pipeline.encoder`), or both.

Why one loader: the network's settings name its context models as directories (`charlm`, comma-separated
when several); training and the stage must build the same states from that name. A directory holding
`encoder.json` is an encoder, any other a character-LM pair; several give their states side by side,
in the order named.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["ContextStack", "load_context"]


class ContextStack:
    """Several context models read as one: each token's states concatenated, in order."""

    def __init__(self, models: Sequence) -> None:
        self.models = list(models)

    @property
    def dim(self) -> int:
        return sum(m.dim for m in self.models)

    def embed_sentences(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Per sentence, a (tokens × dim) float32 array (`sentences`: token `cluster_key` forms)."""
        parts = [m.embed_sentences(sentences) for m in self.models]
        return [np.concatenate(row, axis=1) for row in zip(*parts)]


def load_context(paths: Sequence[Path]):
    """The context model of each directory in `paths`, stacked when there are several."""
    models = []
    for path in paths:
        if (Path(path) / "encoder.json").exists():
            from pipeline.encoder import WordEncoder

            models.append(WordEncoder.load(path))
        else:
            from pipeline.charlm import CharLMPair

            models.append(CharLMPair.load(path))
    return models[0] if len(models) == 1 else ContextStack(models)
