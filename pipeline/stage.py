"""The core of a pipeline: the `Stage` protocol and `StageChain`, stages run in order, checked once.

`pipeline.pipeline.Pipeline` adds the default stages and streaming over many documents (through
`pipeline.engine`); the engine itself runs a `StageChain`, so neither imports the other in a circle.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from pipeline.document import Document

__all__ = ["Stage", "StageChain", "PipelineError", "as_document", "default_chain"]


class PipelineError(ValueError):
    """A pipeline was assembled wrongly (a stage's requirement is not provided before it)."""


@runtime_checkable
class Stage(Protocol):
    """A named `Document -> Document` callable that declares what it reads and what it adds.

    `requires`: what the stage reads and cannot do without (an earlier stage must provide each).
    `provides`: what it writes. A stage may also have `after`: what it reads when present (the
    mentions it must not overlap, the mentions it resolves); no later stage may provide any of it.
    The names: norm (Document.norm and its alignment to raw), tokens, sentences, parts (Token.parts
    and Token.pos), mentions, and the kinds of mentions: names (PERSON, LOCATION, ORGANIZATION),
    dates (DATE, TIME), amounts (NUMBER, ORDINAL, MONEY, PERCENT, QUANTITY); entities.

    A stage loads its resources once, in `__init__`, and only adds to the document: it never
    changes `raw`.
    """

    name: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]

    def __call__(self, doc: Document) -> Document: ...


def as_document(item: str | Document | tuple[str, dict[str, Any]], index: int = 0) -> Document:
    """Accept a str, a Document, or (text, meta) and return a Document."""
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(id=f"doc{index}", raw=item)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
        text, meta = item
        meta = dict(meta or {})
        date = meta.pop("date", None)
        if isinstance(date, str) and date:
            date = _dt.date.fromisoformat(date[:10])
        return Document(id=str(meta.pop("id", f"doc{index}")), raw=text, date=date, meta=meta)
    raise TypeError(f"cannot make a Document from {type(item).__name__}")


class StageChain:
    """Run stages in order, after checking that each one's requirements come before it."""

    def __init__(self, stages: Iterable[Stage]) -> None:
        self.stages: list[Stage] = list(stages)
        self._check()

    def _check(self) -> None:
        have: set[str] = set()
        names: set[str] = set()
        read_if_present: dict[str, str] = {}  # what an earlier stage reads when present -> stage
        for stage in self.stages:
            if not isinstance(stage, Stage):
                raise PipelineError(f"{stage!r} is not a stage (needs name, requires, provides)")
            if stage.name in names:
                raise PipelineError(f"stage {stage.name!r} appears twice")
            missing = [r for r in stage.requires if r not in have]
            if missing:
                raise PipelineError(
                    f"stage {stage.name!r} requires {', '.join(missing)}, which no earlier stage "
                    f"provides; stages so far: {[s.name for s in self.stages[: len(names)]]}"
                )
            late = [p for p in stage.provides if p in read_if_present]
            if late:
                raise PipelineError(
                    f"stage {stage.name!r} provides {', '.join(late)}, which stage "
                    f"{read_if_present[late[0]]!r} before it reads: put {stage.name!r} first"
                )
            have.update(stage.provides)
            names.add(stage.name)
            for item in getattr(stage, "after", ()):
                read_if_present.setdefault(item, stage.name)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def __getitem__(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f"no stage named {name!r}; stages: {self.names}")

    def __call__(self, doc: str | Document) -> Document:
        doc = as_document(doc)
        for stage in self.stages:
            doc = stage(doc)
        return doc


def default_chain() -> StageChain:
    """The stages of `Pipeline.default()` as a `StageChain` (what an engine worker runs)."""
    from pipeline.stages import default_stages

    return StageChain(default_stages())
