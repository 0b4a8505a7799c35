"""`Pipeline`: an ordered list of stages, checked once, run on one document or streamed over many."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pipeline.document import Document
from pipeline.stage import PipelineError, Stage, StageChain, as_document, safe_document

__all__ = ["Stage", "Pipeline", "PipelineError", "as_document"]


class Pipeline(StageChain):
    """Run stages in order. `Pipeline.default()` is the standard offline pipeline."""

    @classmethod
    def default(cls, **options: Any) -> Pipeline:
        """The standard pipeline, built from the stages that exist and the models shipped.

        Options choose other backends (see `pipeline.stages.default_stages`): `ner="camel" |
        "stanza" | "accurate" | ...`, `ner_model=DIR`, `tagger="stanza" | "camel"`,
        `tagger_model=PATH`."""
        from pipeline.stages import default_stages

        return cls(default_stages(**options))

    def pipe(
        self,
        items: Iterable[str | Document | tuple[str, dict[str, Any]]],
        n_process: int = 1,
        batch_size: int = 16,
        on_error: Callable[[Document, BaseException], None] | None = None,
    ) -> Iterator[Document]:
        """Stream documents through the pipeline, in input order.

        With n_process > 1 the work is spread over local processes (see `pipeline.engine`).
        Items are texts, Documents, or (text, meta) pairs whose meta may give `id` and `date`
        (spaCy's `as_tuples`). A document whose input is bad (a `date` that is not YYYY-MM-DD,
        meta that is not a dict) or whose processing raises is yielded with `error` set instead
        of stopping the stream; `on_error` is called for it when given.
        """
        from pipeline.engine import run_local

        docs = (safe_document(item, i) for i, item in enumerate(items))
        for doc in run_local(self, docs, n_process=n_process, batch_size=batch_size):
            if doc.error and on_error is not None:
                on_error(doc, RuntimeError(doc.error))
            yield doc
