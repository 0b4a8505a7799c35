"""The `arabic-ie` command.

Exit codes: 0 every document succeeded; 1 some documents failed (each is a row in documents.csv
with its error, and every other document is written); 2 usage error (bad option, output folder
that cannot be written).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
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
    ex.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv")
    ex.add_argument("--jobs", type=int, default=1, help="local worker processes (default 1)")
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


def _extract(args: argparse.Namespace) -> int:
    from pipeline.engine import run_local
    from pipeline.io import InputError, iter_documents, parse_date
    from pipeline.pipeline import Pipeline
    from pipeline.table import TableBuilder, write_tables

    try:
        default_date = parse_date(args.date, "--date: ") if args.date else None
    except InputError as exc:
        raise UsageError(str(exc)) from None
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    out = Path(args.out)
    _check_writable(out)

    t0 = time.perf_counter()
    nlp = Pipeline.default()
    docs = iter_documents(args.inputs, default_date)
    results = run_local(nlp, docs, n_process=args.jobs)
    show = not args.quiet and sys.stderr.isatty()
    if show:
        from tqdm import tqdm

        results = tqdm(results, unit="doc", file=sys.stderr, delay=0.5)
    builder = TableBuilder()
    for doc in results:
        builder.add(doc)
        if doc.error and not args.quiet:
            msg = f"error: {doc.error}"
            if show:
                results.write(msg, file=sys.stderr)  # type: ignore[attr-defined]
            else:
                print(msg, file=sys.stderr)
    frames = builder.frames()
    try:
        paths = write_tables(frames, out, args.format)
    except OSError as exc:
        raise UsageError(f"cannot write tables to {out}: {exc.strerror or exc}") from None
    if not args.quiet:
        n = len(frames["documents"])
        print(
            f"{n} documents ({builder.failed} failed), {len(frames['mentions'])} mentions, "
            f"{len(frames['entities'])} entities in {time.perf_counter() - t0:.1f}s -> "
            + ", ".join(str(p) for p in paths),
            file=sys.stderr,
        )
    return EXIT_FAILURES if builder.failed else EXIT_OK


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
        print("arabic-ie: interrupted; no table was written", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
