"""Running a pipeline over many documents: in this process, or spread over local processes.

Order is always the input order, so output is identical whatever the number of processes.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pipeline.document import Document

if TYPE_CHECKING:
    from pipeline.pipeline import Pipeline

__all__ = ["process_one", "run_local"]

_WORKER_PIPELINE: Pipeline | None = None


def process_one(pipeline: Pipeline, doc: Document) -> Document:
    """Run one document, turning any exception into `doc.error` so one bad article never stops a run."""
    if doc.error:
        return doc
    t0 = time.perf_counter()
    try:
        doc = pipeline(doc)
    except Exception as exc:  # noqa: BLE001 - the run must go on; the error is reported per document
        doc.error = f"{type(exc).__name__} while processing: {exc}"
        doc.mentions = []
    doc.meta["seconds"] = round(time.perf_counter() - t0, 6)
    return doc


def _worker(doc: Document) -> Document:
    assert _WORKER_PIPELINE is not None
    return process_one(_WORKER_PIPELINE, doc)


def run_local(
    pipeline: Pipeline, docs: Iterable[Document], n_process: int = 1, batch_size: int = 16
) -> Iterator[Document]:
    """Yield processed documents in input order, using `n_process` forked worker processes."""
    if n_process <= 1:
        for doc in docs:
            yield process_one(pipeline, doc)
        return
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = pipeline  # inherited by the forked workers: models load once, in the parent
    ctx = mp.get_context("fork")
    with ctx.Pool(n_process) as pool:
        yield from pool.imap(_worker, docs, chunksize=max(1, batch_size))
