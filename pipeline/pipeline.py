"""`Pipeline`: an ordered list of stages, checked once, run on one document or streamed over many."""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

from pipeline.document import Document

__all__ = ["Stage", "Pipeline", "PipelineError", "as_document"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off automatic garbage collection for the duration (a stage's work on one document).

    Why: a stage that allocates a few objects per token and makes no reference cycles would set off
    collections whose full passes scan every live document and cache entry: up to a quarter of
    the time of the tag and NER stages when a run keeps hundreds of documents in memory. The
    collection is deferred, not lost: it is re-enabled (only if it was enabled) on the way out.
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class PipelineError(ValueError):
    """A pipeline was assembled wrongly (a stage's requirement is not provided before it)."""


@runtime_checkable
class Stage(Protocol):
    """A named `Document -> Document` callable that declares what it needs and what it adds.

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


class Pipeline:
    """Run stages in order. `Pipeline.default()` is the standard offline pipeline."""

    def __init__(self, stages: Iterable[Stage]) -> None:
        self.stages: list[Stage] = list(stages)
        self._check()

    def _check(self) -> None:
        have: set[str] = set()
        names: set[str] = set()
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
            have.update(stage.provides)
            names.add(stage.name)

    @classmethod
    def default(cls) -> Pipeline:
        """The standard pipeline, built from the stages that exist and the models shipped."""
        from pipeline.stages import default_stages

        return cls(default_stages())

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

    def pipe(
        self,
        items: Iterable[str | Document | tuple[str, dict[str, Any]]],
        n_process: int = 1,
        batch_size: int = 16,
        on_error: Callable[[Document, BaseException], None] | None = None,
    ) -> Iterator[Document]:
        """Stream documents through the pipeline, in input order.

        With n_process > 1 the work is spread over local processes (see `pipeline.engine`).
        A document whose processing raises is yielded with `error` set instead of stopping the
        stream; `on_error` is called for it when given.
        """
        from pipeline.engine import run_local

        docs = (as_document(item, i) for i, item in enumerate(items))
        for doc in run_local(self, docs, n_process=n_process, batch_size=batch_size):
            if doc.error and on_error is not None:
                on_error(doc, RuntimeError(doc.error))
            yield doc
