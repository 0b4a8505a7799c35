"""The `arabic-ie` command.

Exit codes: 0 every document succeeded; 1 some documents failed (each is a row in documents.csv
with its error, and every other document is written); 2 usage error (bad option, output folder
that cannot be written).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import itertools
import os
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pipeline.export import EXPORTS
from pipeline.export.spacy import INSTALL as SPACY_INSTALL
from pipeline.publish import FORMATS
from pipeline.romanize import SCHEMES, romanize

__all__ = ["main"]

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
DEFAULT_OUT = "outputs"
# Without a terminal, one progress line per this many documents or seconds, whichever comes first.
LOG_EVERY_DOCS, LOG_EVERY_SECONDS = 1000, 60.0


class UsageError(Exception):
    """A problem with how the command was called, reported with exit code 2."""


_EPILOG = """\
exit codes:
  0  every document succeeded
  1  some documents failed: each is a row of documents.csv with status=failed and its error;
     every other document is processed and written
  2  usage error: a bad option, an output folder that cannot be written or holds things the
     tool did not write, tables of another run without --force, a full disk (progress kept)

tables (in OUT, published together; OUT/run.json names them with their checksums):
  mentions   one row per mention: doc_id, mention_id, entity_id, type, start, end (code-point
             offsets into the raw text), text, normalized, value, unit, sentence, source, score
  entities   one row per entity per document: canonical form, variants, gazetteer links
  documents  one row per input document: source, date, counts, status, error, warning

examples:
  arabic-ie extract articles/ --out results/
  arabic-ie extract archive.jsonl.gz --date 2024-08-09 --format parquet --jobs 4 --out results/
  cat article.txt | arabic-ie extract - --format xlsx --out results/ --force
"""


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("arabic-ie")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arabic-ie",
        description="Extract people, places, organizations, amounts and dates from Arabic news.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    ex = sub.add_parser(
        "extract",
        help="run the pipeline over articles and write the tables",
        description="INPUT: a file or a folder (every article file below it), or - for stdin. "
        "Article files: .txt/.html/.htm (one article each, any case of the extension), "
        ".jsonl[.gz]/.ndjson (one {id?, text, date?} object per line), .json (an array of such "
        "objects), .csv (a header with a text column, and optionally id and date). Other files "
        "in a folder are skipped and counted in the summary.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ex.add_argument("inputs", nargs="+", metavar="INPUT")
    ex.add_argument("--out", help=f"output folder (default: {DEFAULT_OUT})")
    ex.add_argument(
        "--force",
        action="store_true",
        help="replace the tables of an earlier run in OUT (never needed for a new folder)",
    )
    ex.add_argument(
        "--date",
        help="YYYY-MM-DD anchor for relative dates, for documents that carry no date of their own",
    )
    ex.add_argument(
        "--format",
        choices=FORMATS,
        default="csv",
        help="parquet-partitioned writes a folder of Parquet parts per table (large runs); xlsx "
        "one workbook, a sheet per table, right-to-left, formulas neutralized",
    )
    ex.add_argument(
        "--export",
        default="",
        metavar="NAMES",
        help="also write the documents for other tools, comma-separated: conllu (CoNLL-U, "
        "clitics as multiword tokens, NER in MISC), iob2 (a clitic part per line), iob2-tokens, "
        "brat (OUT/brat/*.txt + *.ann), label-studio (tasks with predictions), spacy "
        "(corpus.spacy, a DocBin: tokens are clitic parts, mentions are doc.ents; needs spaCy)",
    )
    ex.add_argument(
        "--excel-csv",
        action="store_true",
        help="CSV for Excel: a UTF-8 byte-order mark (so Arabic opens right) and cells that would "
        "start a formula (= + - @) prefixed with ' as OWASP recommends; plain CSV keeps exact text",
    )
    ex.add_argument(
        "--ner",
        choices=("crf", "accurate", "lstm", "ensemble", "camel", "stanza"),
        help="the NER backend: crf (default, shipped), accurate (character-LM BiLSTM-CRF with the "
        "CRF: make pretrain, make train-accurate), lstm / ensemble (make train-lstm), camel "
        "(camel-tools' AraBERT NER: camel_data -i ner-arabert, or a model folder: --ner-model), "
        "stanza (the Arabic NER model of a stanza resources folder: --stanza-dir, default "
        "$STANZA_RESOURCES_DIR or ~/stanza_resources; stanza.download('ar', model_dir=DIR, "
        "processors='tokenize,ner') installs it)",
    )
    ex.add_argument("--ner-model", metavar="DIR", help="the NER backend's model folder")
    ex.add_argument(
        "--latin",
        choices=SCHEMES,
        default="press",
        help="how corpus_entities' name_latn is written: press (default: the press spelling, "
        "Fumio Kishida) or a camel-tools transliteration of the name as written: bw (Buckwalter), "
        "safebw, xmlbw, hsb (Habash-Soudi-Buckwalter); these need camel-tools",
    )
    ex.add_argument(
        "--tagger",
        choices=("crf", "stanza", "camel"),
        help="the tag backend: crf (default, shipped), stanza (the project's stanza POS model, or "
        "official stanza models with --stanza-dir), camel (camel-tools' morphological analyzer "
        "and MLE disambiguator: camel_data -i disambig-mle-calima-msa-r13, or --tagger-model)",
    )
    ex.add_argument(
        "--tagger-model", metavar="PATH", help="the tag backend's model folder or database"
    )
    ex.add_argument(
        "--stanza-dir",
        metavar="DIR",
        help="a stanza resources folder (stanza.download('ar', model_dir=DIR)) read by the stanza "
        "backends chosen: --tagger stanza (its POS model), --ner stanza (its NER model), or both; "
        "when neither is chosen it means --tagger stanza",
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
    ex.add_argument(
        "--html",
        action="store_true",
        help="also write the HTML report of the run in OUT/report/ (see: arabic-ie report)",
    )
    rp = sub.add_parser(
        "report",
        help="write the HTML report of a run's output folder",
        description="A static HTML report of the tables a run wrote in OUT (and the articles, "
        "re-read from their sources): OUT/report/index.html, one page per document, offline.",
    )
    rp.add_argument("out", metavar="OUT", help="the --out folder of an arabic-ie extract run")
    rp.add_argument("--dest", help="where to write the report (default: OUT/report)")
    rp.add_argument(
        "--page-size", type=int, default=200, help="rows per page of document lists (default 200)"
    )
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


@functools.lru_cache(maxsize=2)
def _default_pipeline(options: tuple[tuple[str, str], ...] = ()):
    """The default pipeline (with the backends in `options`), built once per process (a program
    or notebook may call main() often)."""
    from pipeline.pipeline import Pipeline

    return Pipeline.default(**dict(options))


def _backend_options(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """The backends chosen on the command line, as `Pipeline.default` options."""
    tagger = args.tagger
    if args.stanza_dir and not tagger and args.ner != "stanza":
        tagger = "stanza"  # --stanza-dir alone: the stanza tagger (its first meaning)
    if args.stanza_dir and "stanza" not in (tagger, args.ner):
        raise UsageError("--stanza-dir goes with --tagger stanza or --ner stanza")
    if args.ner_model and not args.ner:
        raise UsageError("--ner-model needs --ner (which backend reads the folder)")
    if args.ner_model and args.ner == "stanza":
        raise UsageError("--ner stanza reads a stanza resources folder: give it with --stanza-dir")
    if args.tagger_model and not args.tagger:
        raise UsageError("--tagger-model needs --tagger (which backend reads it)")
    if args.tagger_model and args.stanza_dir and tagger == "stanza":
        raise UsageError("--tagger stanza reads --stanza-dir or --tagger-model, not both")
    options = {
        "ner": args.ner,
        "ner_model": args.stanza_dir if args.ner == "stanza" else args.ner_model,
        "tagger": tagger,
        "tagger_model": (args.stanza_dir if tagger == "stanza" else None) or args.tagger_model,
    }
    return tuple((k, v) for k, v in options.items() if v)


def _build_pipeline(options: tuple[tuple[str, str], ...]):
    """Build the pipeline now, so that a backend whose data is missing is a usage error (one line
    naming the install command, exit 2) before anything is written."""
    from pipeline.resources import BackendMissing

    try:
        return _default_pipeline(options)
    except BackendMissing as exc:
        raise UsageError(str(exc)) from None
    except (FileNotFoundError, ImportError) as exc:
        if not options:
            raise
        raise UsageError(str(exc).splitlines()[0]) from None


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
    from pipeline.publish import previous_run
    from pipeline.store import ResumeError, RunStore, output_names

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
    exports = tuple(dict.fromkeys(e.strip() for e in args.export.split(",") if e.strip()))
    unknown = [e for e in exports if e not in EXPORTS]
    if unknown:
        raise UsageError(
            f"--export: unknown {', '.join(unknown)}; choose from {', '.join(EXPORTS)}"
        )
    if "spacy" in exports and importlib.util.find_spec("spacy") is None:
        raise UsageError(f"--export spacy needs spaCy: {SPACY_INSTALL}")
    if args.excel_csv and args.format != "csv":
        raise UsageError("--excel-csv goes with --format csv (xlsx neutralizes formulas itself)")
    if args.latin != "press":
        try:
            romanize("", args.latin)
        except ImportError as exc:
            raise UsageError(f"--latin {args.latin}: {exc}") from None
    options = _backend_options(args)
    if options:  # a backend's missing data is a usage error before anything is written
        _build_pipeline(options)
    out = Path(args.out or DEFAULT_OUT)
    if args.out is None and not args.quiet:
        print(f"arabic-ie: no --out given: the tables go to {out}/", file=sys.stderr)
    _check_writable(out)
    earlier = previous_run(out, output_names())
    if earlier and not (args.force or args.resume):
        raise UsageError(
            f"{out} holds the tables of another run ({', '.join(earlier)}); add --force to "
            "replace them, --resume to finish a stopped run, or choose another --out"
        )

    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    signature = {
        "inputs": [str(Path(i).resolve()) if i != "-" else i for i in args.inputs],
        "date": args.date,
        "format": args.format,
        "excel_csv": args.excel_csv,
        "exports": list(exports),
        **({"backends": dict(options)} if options else {}),  # --resume never mixes backends
    }
    try:
        shard_docs = int(os.environ.get("ARABIC_IE_SHARD_DOCS", "500"))
        store = RunStore(
            out,
            args.format,
            signature,
            resume=args.resume,
            shard_docs=shard_docs,
            excel=args.excel_csv,
            exports=exports,
            latin=args.latin,
        )
    except ResumeError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot use output folder {out}: {exc.strerror or exc}") from None
    for line in store.log:
        if not args.quiet:
            print(f"arabic-ie: {line}", file=sys.stderr)
    skipped: Counter = Counter()
    docs = iter_documents(args.inputs, default_date, skipped)
    docs = _resumed(store, docs, args.quiet, document_digest)
    skip = store.done
    digests: deque[str] = deque()

    def pending():
        for doc in docs:
            digests.append(document_digest(doc))
            yield doc

    results = run_rows(
        functools.partial(_default_pipeline, options),
        pending(),
        args.jobs,
        args.engine,
        args.scheduler,
        scheduler_timeout=args.scheduler_timeout,
        exports=exports,
        options=dict(options),
    )
    progress = Progress(args.inputs, skip, quiet=args.quiet)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    index = skip
    try:
        for rows in results:
            store.add(index, rows, digests.popleft())
            index += 1
            progress.update(store.failed)
            for row in rows["documents"]:
                if row["error"]:
                    progress.say(f"error: {row['error']}")
        manifest = {
            "started": started,
            "seconds": round(time.perf_counter() - t0, 3),
            "resumed_documents": skip,
            "skipped_files": dict(sorted(skipped.items())),
            "versions": _versions(),
            "options": {
                "date": args.date,
                "jobs": args.jobs,
                "engine": args.engine,
                **dict(options),
            },
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
    finally:
        progress.close()
    if args.html:
        _report(out, quiet=args.quiet)
    if not args.quiet:
        if skipped:
            kinds = ", ".join(f"{ext} ×{n}" for ext, n in skipped.most_common())
            print(f"{sum(skipped.values())} files skipped (not articles): {kinds}", file=sys.stderr)
        print(
            f"{store.counts['documents']} documents ({store.failed} failed), "
            f"{store.counts['mentions']} mentions, {store.counts['entities']} entities in "
            f"{time.perf_counter() - t0:.1f}s -> " + ", ".join(str(p) for p in paths),
            file=sys.stderr,
        )
    return EXIT_FAILURES if store.failed else EXIT_OK


class Progress:
    """Progress on stderr: a bar with the total and an ETA on a terminal; otherwise (a log file, a
    pipe) one line every LOG_EVERY_DOCS documents or LOG_EVERY_SECONDS seconds. Nothing when quiet."""

    def __init__(self, inputs: list[str], done: int, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        self.done = self.start = done
        self.t0 = self.last_t = time.monotonic()
        self.last_n = done
        self.total: int | None = None
        if quiet:
            return
        from pipeline.io import count_documents

        self.total = count_documents(inputs)
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit="doc", file=sys.stderr, delay=0.5, initial=done, total=self.total)

    def update(self, failed: int) -> None:
        self.done += 1
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(1)
            return
        now = time.monotonic()
        if self.done - self.last_n < LOG_EVERY_DOCS and now - self.last_t < LOG_EVERY_SECONDS:
            return
        self.last_n, self.last_t = self.done, now
        rate = (self.done - self.start) / max(now - self.t0, 1e-9)
        line = f"arabic-ie: {self.done}"
        if self.total:
            line += f"/{self.total}"
        line += f" documents ({failed} failed), {rate:.1f} doc/s"
        if self.total and rate > 0:
            line += f", about {_duration((self.total - self.done) / rate)} left"
        print(line, file=sys.stderr, flush=True)

    def say(self, message: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _report(out: Path, dest: str | None = None, page_size: int = 200, quiet: bool = False) -> int:
    """Write the HTML report of the run in `out`; a folder that is not a run is a usage error."""
    from pipeline.report import ReportError, build_report

    if page_size < 1:
        raise UsageError("--page-size must be at least 1")
    try:
        index = build_report(out, dest=Path(dest) if dest else None, page_size=page_size)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    if not quiet:
        print(f"arabic-ie: report -> {index}", file=sys.stderr)
    return EXIT_OK


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


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "report":
            return _report(Path(args.out), args.dest, args.page_size)
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
