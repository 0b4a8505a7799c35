"""The `arabic-ie` command.

Exit codes: 0 every document succeeded; 1 some documents failed (each is a row in documents.csv
with its error, and every other document is written); 2 usage error (bad option, output folder
that cannot be written).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["main"]

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how the command was called, reported with exit code 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arabic-ie",
        description="Extract people, places, organizations, amounts and dates from Arabic news.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    ex = sub.add_parser(
        "extract",
        help="run the pipeline over articles and write the tables",
        description="INPUT: a .txt file, a folder (every *.txt and *.jsonl[.gz] below it), a "
        ".jsonl[.gz] file of {id, text, date?} objects, or - for stdin.",
    )
    ex.add_argument("inputs", nargs="+", metavar="INPUT")
    ex.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    ex.add_argument(
        "--date",
        help="YYYY-MM-DD anchor for relative dates, for documents that carry no date of their own",
    )
    ex.add_argument(
        "--format",
        choices=("csv", "jsonl", "parquet", "parquet-partitioned"),
        default="csv",
        help="parquet-partitioned writes a folder of Parquet parts per table (large runs)",
    )
    ex.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ex.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes, or a Dask cluster (a local one with --jobs workers by default)",
    )
    ex.add_argument("--scheduler", help="address of a running Dask scheduler (with --engine dask)")
    ex.add_argument(
        "--scheduler-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for the --scheduler to answer (default 10)",
    )
    ex.add_argument(
        "--resume",
        action="store_true",
        help="finish a stopped run: keep the documents it saved in OUT and process the rest",
    )
    ex.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    return p


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"cannot write to output folder {out}: {exc.strerror or exc}") from None


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@functools.lru_cache(maxsize=1)
def _default_pipeline():
    """The default pipeline, built once per process (a program or notebook may call main() often)."""
    from pipeline.pipeline import Pipeline

    return Pipeline.default()


def _versions() -> dict[str, str]:
    import platform
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in ("arabic-ie", "numpy", "pandas", "pyarrow", "regex"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = ""
    return out


def _extract(args: argparse.Namespace) -> int:
    from pipeline.engine import EngineError, run_rows
    from pipeline.io import InputError, document_digest, iter_documents, parse_date
    from pipeline.store import ResumeError, RunStore

    try:
        default_date = parse_date(args.date, "--date: ") if args.date else None
    except InputError as exc:
        raise UsageError(str(exc)) from None
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if args.inputs.count("-") > 1:
        raise UsageError("- (standard input) can be given only once")
    out = Path(args.out)
    _check_writable(out)

    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    signature = {
        "inputs": [str(Path(i).resolve()) if i != "-" else i for i in args.inputs],
        "date": args.date,
        "format": args.format,
    }
    try:
        shard_docs = int(os.environ.get("ARABIC_IE_SHARD_DOCS", "500"))
        store = RunStore(out, args.format, signature, resume=args.resume, shard_docs=shard_docs)
    except ResumeError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot use output folder {out}: {exc.strerror or exc}") from None
    for line in store.log:
        if not args.quiet:
            print(f"arabic-ie: {line}", file=sys.stderr)
    docs = _resumed(store, iter_documents(args.inputs, default_date), args.quiet, document_digest)
    skip = store.done
    digests: deque[str] = deque()

    def pending():
        for doc in docs:
            digests.append(document_digest(doc))
            yield doc

    results = run_rows(
        _default_pipeline,
        pending(),
        args.jobs,
        args.engine,
        args.scheduler,
        scheduler_timeout=args.scheduler_timeout,
    )
    show = not args.quiet and sys.stderr.isatty()
    if show:
        from tqdm import tqdm

        results = tqdm(results, unit="doc", file=sys.stderr, delay=0.5, initial=skip)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    index = skip
    try:
        for rows in results:
            store.add(index, rows, digests.popleft())
            index += 1
            for row in rows["documents"]:
                if row["error"] and not args.quiet:
                    _report(f"error: {row['error']}", results if show else None)
        manifest = {
            "started": started,
            "seconds": round(time.perf_counter() - t0, 3),
            "resumed_documents": skip,
            "versions": _versions(),
            "options": {"date": args.date, "jobs": args.jobs, "engine": args.engine},
        }
        paths, _ = store.finish(manifest)
    except KeyboardInterrupt:
        store.flush()
        print(
            f"arabic-ie: interrupted after {store.done} documents; no table was replaced. "
            "Run the same command with --resume to finish.",
            file=sys.stderr,
        )
        return 130
    except EngineError as exc:
        _save_progress(store)
        raise UsageError(str(exc)) from None
    except OSError as exc:
        saved = _save_progress(store)
        raise UsageError(
            f"cannot write to {out}: {exc.strerror or exc}"
            + (f" ({exc.filename})" if getattr(exc, "filename", None) else "")
            + f"; {saved} documents are saved: make room, then run the same command with --resume"
        ) from None
    if not args.quiet:
        print(
            f"{store.counts['documents']} documents ({store.failed} failed), "
            f"{store.counts['mentions']} mentions, {store.counts['entities']} entities in "
            f"{time.perf_counter() - t0:.1f}s -> " + ", ".join(str(p) for p in paths),
            file=sys.stderr,
        )
    return EXIT_FAILURES if store.failed else EXIT_OK


def _save_progress(store) -> int:
    """Save what can be saved after a failure; the number of documents kept for --resume."""
    try:
        store.flush()
    except OSError:
        store.buffer = []
    return store.done


def _resumed(store, docs: Iterator, quiet: bool, digest) -> Iterator:
    """The documents still to process. On --resume, each saved document is compared with the input
    as it is now; from the first one that changed, the saved rows are dropped and processed again
    (a saved row must never describe a text that is no longer there)."""
    for index in range(store.done):
        doc = next(docs, None)
        if doc is not None and digest(doc) == store.digests[index]:
            continue
        what = "the input has fewer documents" if doc is None else f"document {doc.id!r} changed"
        if not quiet:
            print(
                f"arabic-ie: {what} since the stopped run; processing again from there",
                file=sys.stderr,
            )
        store.truncate(index)
        return itertools.chain([doc] if doc is not None else [], docs)
    return docs


def _report(message: str, bar) -> None:
    if bar is not None:
        bar.write(message, file=sys.stderr)
    else:
        print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        if args.command == "extract":
            return _extract(args)
    except UsageError as exc:
        print(f"arabic-ie: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("arabic-ie: interrupted; no table was replaced", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
