"""Running a pipeline over many documents: in this process, in local processes, or on Dask.

Order is always the input order and ids depend only on the input, so the output is the same whatever
the engine or the number of processes. Workers send back table rows, not whole documents: rows are
what the tables need and are far cheaper to move between processes than tokens.
"""

from __future__ import annotations

import datetime as _dt
import functools
import multiprocessing as mp
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.document import Document
from pipeline.export.payload import TOKEN_EXPORTS, join_pieces, payloads
from pipeline.table import Rows, document_rows

if TYPE_CHECKING:
    from pipeline.pipeline import Pipeline

__all__ = [
    "MAX_CHARS",
    "EngineError",
    "process_one",
    "process_rows",
    "run_local",
    "run_rows",
    "split_text",
]

# A document longer than this is processed in pieces cut at line breaks, so that memory stays
# bounded on a 50 MB file; offsets are shifted back, so the rows are those of the whole text.
MAX_CHARS = 500_000

# How long to wait for a Dask scheduler given with --scheduler before giving up (seconds).
SCHEDULER_TIMEOUT = 10.0

_WORKER_PIPELINE: Pipeline | None = None


class EngineError(RuntimeError):
    """The engine itself cannot run (a scheduler that cannot be reached, a lost cluster)."""


def _run_stages(stages: Iterable[Callable[[Document], Document]], doc: Document) -> Document:
    """Run stages on one document, turning any exception into `doc.error` (the run must go on)."""
    try:
        for stage in stages:
            doc = stage(doc)
    except Exception as exc:  # noqa: BLE001 - the error is reported per document
        doc.error = (
            f"{doc.meta.get('source') or doc.id}: {type(exc).__name__} while processing: {exc}"
        )
        doc.mentions = []
        doc.entities = []
    return doc


def process_one(pipeline: Pipeline, doc: Document) -> Document:
    """Run one document, turning any exception into `doc.error` so one bad article never stops a run."""
    if doc.error:
        return doc
    t0 = time.perf_counter()
    doc = _run_stages(pipeline.stages, doc)
    doc.meta["seconds"] = round(time.perf_counter() - t0, 6)
    return doc


def split_text(raw: str, limit: int = MAX_CHARS) -> list[tuple[int, str]]:
    """Cut a long text into (offset, piece) at line breaks (or spaces) near `limit` characters."""
    pieces = []
    pos = 0
    while len(raw) - pos > limit:
        cut = raw.rfind("\n", pos + limit // 2, pos + limit)
        if cut < 0:
            cut = raw.rfind(" ", pos + limit // 2, pos + limit)
        cut = pos + limit if cut < 0 else cut + 1
        pieces.append((pos, raw[pos:cut]))
        pos = cut
    pieces.append((pos, raw[pos:]))
    return pieces


def process_rows(pipeline: Pipeline, doc: Document, exports: Sequence[str] = ()) -> Rows:
    """Process one document into its table rows (and, when asked, its export texts under the key
    "exports"); long documents go through in pieces."""
    if doc.error or len(doc.raw) <= MAX_CHARS:
        doc = process_one(pipeline, doc)
        rows = document_rows(doc)
        if exports and not doc.error:
            rows["exports"] = payloads(doc, exports)
        return rows
    pieces: dict[str, list] = {name: [] for name in exports if name in TOKEN_EXPORTS}
    doc, n_tokens = _process_long(pipeline, doc, pieces)
    rows = document_rows(doc)
    if not doc.error:
        rows["documents"][0]["tokens"] = n_tokens
        if exports:
            whole = payloads(doc, [n for n in exports if n not in TOKEN_EXPORTS])
            joined = {n: join_pieces(n, p, doc) for n, p in pieces.items()}
            rows["exports"] = {**whole, **joined}
    return rows


def _process_long(
    pipeline: Pipeline, doc: Document, pieces: dict[str, list] | None = None
) -> tuple[Document, int]:
    """A long document, piece by piece through every stage but resolution, then resolved whole.

    Why: the stages before resolution look at a sentence or a few at a time, so pieces cut at line
    breaks give them what the whole text would; resolution groups mentions across the document
    (one person named in every piece is one entity), so it runs once, on all the mentions. The
    date inferred from the first piece anchors the relative dates of the later ones. Only the
    mentions of each piece are kept: memory stays bounded by the piece, not the document.
    """
    resolvers = [s for s in pipeline.stages if s.name == "resolve"]
    before = [s for s in pipeline.stages if s.name != "resolve"]
    t0 = time.perf_counter()
    anchor = doc.date
    n_tokens = n_sentences = 0
    for offset, piece in split_text(doc.raw, MAX_CHARS):
        part = Document(id=doc.id, raw=piece, date=anchor, meta=dict(doc.meta))
        part = _run_stages(before, part)
        if part.error:
            doc.error, doc.mentions, doc.entities = part.error, [], []
            return doc, 0
        inferred = part.meta.get("date_inferred")
        if anchor is None and inferred:
            anchor = _dt.date.fromisoformat(inferred)
            doc.meta["date_inferred"] = inferred
        for m in part.mentions:
            m.start += offset
            m.end += offset
            if m.sentence >= 0:
                m.sentence += n_sentences
            doc.mentions.append(m)
        if pieces:
            for name, text in payloads(part, list(pieces), offset, n_sentences + 1).items():
                pieces[name].append(text)
        n_tokens += len(part.tokens)
        n_sentences += len(part.sentences)
    doc = _run_stages(resolvers, doc)
    doc.meta["seconds"] = round(time.perf_counter() - t0, 6)
    return doc, n_tokens


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent, which saves what is done and stops them; SIGTERM (how the
    pool stops its workers) ends a worker quietly, whatever handler the parent had installed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _worker_rows(doc: Document, exports: Sequence[str] = ()) -> Rows:
    assert _WORKER_PIPELINE is not None
    return process_rows(_WORKER_PIPELINE, doc, exports)


def _worker_doc(doc: Document) -> Document:
    assert _WORKER_PIPELINE is not None
    return process_one(_WORKER_PIPELINE, doc)


def _run_pool(pipeline: Pipeline, docs: Iterable[Document], n_process: int, fn, batch_size: int):
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = pipeline  # inherited by the forked workers: models load once, in the parent
    ctx = mp.get_context("fork")
    with ctx.Pool(n_process, initializer=_worker_signals) as pool:
        yield from pool.imap(fn, docs, chunksize=max(1, batch_size))


def run_local(
    pipeline: Pipeline, docs: Iterable[Document], n_process: int = 1, batch_size: int = 16
) -> Iterator[Document]:
    """Yield processed documents in input order, using `n_process` forked worker processes."""
    if n_process <= 1:
        for doc in docs:
            yield process_one(pipeline, doc)
        return
    yield from _run_pool(pipeline, docs, n_process, _worker_doc, batch_size)


def run_rows(
    pipeline_factory: Callable[[], Pipeline],
    docs: Iterable[Document],
    n_process: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    batch_size: int = 8,
    scheduler_timeout: float = SCHEDULER_TIMEOUT,
    exports: Sequence[str] = (),
    options: dict[str, Any] | None = None,
) -> Iterator[Rows]:
    """Yield each document's table rows, in input order, on the chosen engine (with the export
    texts named in `exports`, see `pipeline.export`). `options`: the backends of the default
    pipeline (`Pipeline.default(**options)`), which a Dask worker builds for itself.

    Raises EngineError (at the first document) when the engine cannot run.
    """
    exports = tuple(exports)
    if engine == "dask":
        yield from _run_dask(
            docs, n_process, scheduler, batch_size, scheduler_timeout, exports, options or {}
        )
        return
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; choose local or dask")
    pipeline = pipeline_factory()
    if n_process <= 1:
        for doc in docs:
            yield process_rows(pipeline, doc, exports)
        return
    work = functools.partial(_worker_rows, exports=exports)
    yield from _run_pool(pipeline, docs, n_process, work, batch_size)


def _dask_batch(
    docs: list[Document], exports: tuple[str, ...] = (), options: dict[str, Any] | None = None
) -> list[Rows]:
    """Runs on a Dask worker: the default pipeline (with `options`) is built once per worker."""
    global _WORKER_PIPELINE
    if _WORKER_PIPELINE is None:
        from pipeline.stage import default_chain

        _WORKER_PIPELINE = default_chain(**(options or {}))
    return [process_rows(_WORKER_PIPELINE, d, exports) for d in docs]


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_dask(
    docs: Iterable[Document],
    n_workers: int,
    scheduler: str | None,
    batch_size: int,
    timeout: float = SCHEDULER_TIMEOUT,
    exports: tuple[str, ...] = (),
    options: dict[str, Any] | None = None,
) -> Iterator[Rows]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise RuntimeError(
            "the dask engine needs dask[distributed]: pip install 'dask[distributed]'"
        ) from exc
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise EngineError(
                f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s "
                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no answer'})"
            ) from None
    else:
        cluster = LocalCluster(
            n_workers=max(1, n_workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        in_flight: deque = deque()
        limit = 2 * max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        for batch in _batches(docs, batch_size):
            in_flight.append(client.submit(_dask_batch, batch, exports, options, pure=False))
            while len(in_flight) >= limit:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()
    except (OSError, TimeoutError) as exc:
        raise EngineError(f"lost the Dask cluster: {type(exc).__name__}: {exc}") from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
