"""Writing a run's tables: shards saved as documents finish, merged and published at the end.

Why shards: a run over a whole corpus must neither hold every row in memory nor lose hours of work
when it is stopped. Rows go to a work folder (`OUT/.arabic-ie-work/`) in shards of a few hundred
documents, each written atomically with a content hash of every document; the final tables are built
from the shards, one shard in memory at a time, and published together (`pipeline.publish`).
`--resume` reuses the shards of a stopped run with the same inputs and options, checks each saved
document against the input as it is now, and reprocesses from the first one that changed, so the
final tables equal an uninterrupted run's.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
from pathlib import Path
from typing import Any

from pipeline.corpus import CorpusLinker
from pipeline.export import EXPORTS
from pipeline.export.spacy import to_docbin
from pipeline.publish import (
    FORMATS,
    TABLE_MARKER,
    WORK_DIR,
    ForeignPathError,
    atomic_write,
    check_out,
    file_digest,
    publish,
    recover,
    staging_dir,
    staging_file,
)
from pipeline.table import (
    DOCUMENT_TABLES,
    TABLES,
    Rows,
    frame,
    write_csv_rows,
    write_jsonl_lines,
    write_workbook,
)

_UNSAFE = re.compile(r"[^\w.-]+")


def _file_name(doc_id: str, used: set[str]) -> str:
    """A file name for a document id (ids may hold '/', quotes, anything), unique in `used`."""
    base = _UNSAFE.sub("_", doc_id).strip("._") or "doc"
    name, k = base[:120], 2
    while name.lower() in used:
        name, k = f"{base[:120]}~{k}", k + 1
    used.add(name.lower())
    return name


__all__ = ["FORMATS", "RunStore", "ResumeError", "WORK_DIR", "output_names", "table_names"]

_WORK_MANIFEST = "run.json"
# Corpus entities per Parquet part (they are not tied to shards of documents).
_CORPUS_CHUNK = 20_000
# Bumped whenever the shard layout changes, so that an older work folder is refused, not misread.
_SHARD_FORMAT = 3


class ResumeError(ValueError):
    """The work folder cannot be resumed (it belongs to another run)."""


WORKBOOK = "tables.xlsx"


def table_names(fmt: str) -> dict[str, str]:
    """The final name in OUT of each table for a format (a folder for parquet-partitioned; one
    workbook with a sheet per table for xlsx)."""
    if fmt == "parquet-partitioned":
        return {name: name for name in TABLES}
    if fmt == "xlsx":
        return dict.fromkeys(TABLES, WORKBOOK)
    return {name: f"{name}.{fmt}" for name in TABLES}


def output_names() -> list[str]:
    """Every name a run of any format, with any export, may publish in OUT."""
    return sorted({n for fmt in FORMATS for n in table_names(fmt).values()} | set(EXPORTS.values()))


class RunStore:
    """Buffers per-document rows, saves them in shards, and merges the shards into the tables."""

    def __init__(
        self,
        out: Path,
        fmt: str,
        signature: dict[str, Any],
        resume: bool = False,
        shard_docs: int = 500,
        excel: bool = False,
        exports: tuple[str, ...] = (),
        latin: str = "press",
    ) -> None:
        self.out = out
        self.fmt = fmt
        self.excel = excel  # CSV for spreadsheets: byte-order mark, formulas neutralized
        self.exports = tuple(exports)  # pipeline.export formats written beside the tables
        self.latin = latin  # the name_latn scheme of corpus_entities (pipeline.romanize.SCHEMES)
        self.work = out / WORK_DIR
        self.shard_docs = shard_docs
        self.signature = hashlib.sha256(
            json.dumps(
                {**signature, "shard_format": _SHARD_FORMAT}, sort_keys=True, default=str
            ).encode()
        ).hexdigest()
        self.buffer: list[tuple[int, Rows, str]] = []
        self.corpus_ids: dict[str, str] = {}
        self.corpus_rows: list[dict[str, Any]] = []
        self.digests: list[str] = []  # content hash of each saved document, in input order
        self.done = 0  # documents saved in shards: always a prefix of the input
        self.failed = 0
        self.counts = dict.fromkeys(TABLES, 0)
        self.log = recover(out)
        check_out(out, sorted(set(table_names(fmt).values()) | {EXPORTS[e] for e in exports}))
        self._open(resume)

    def _open(self, resume: bool) -> None:
        manifest = self.work / _WORK_MANIFEST
        if self.work.exists() and not manifest.is_file():
            raise ForeignPathError(
                f"{self.work} exists but was not made by arabic-ie; it will not remove it. "
                "Choose another --out"
            )
        if resume and manifest.exists():
            saved = json.loads(manifest.read_text(encoding="utf-8"))
            if saved.get("signature") != self.signature:
                raise ResumeError(
                    f"{self.work} holds a run with other inputs or options; run without --resume "
                    "to start afresh"
                )
            for shard in self._shards():
                for _, rows, digest in self._load(shard):
                    self._count(rows)
                    self.digests.append(digest)
                    self.done += 1
            return
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        atomic_write(
            manifest,
            lambda tmp: Path(tmp).write_text(json.dumps({"signature": self.signature}), "utf-8"),
        )

    def _shards(self) -> list[Path]:
        return sorted(self.work.glob("shard-*.pkl"))

    @staticmethod
    def _load(shard: Path) -> list[tuple[int, Rows, str]]:
        with shard.open("rb") as fh:
            return pickle.load(fh)

    def _count(self, rows: Rows, sign: int = 1) -> None:
        for name in DOCUMENT_TABLES:
            self.counts[name] += sign * len(rows[name])
        self.failed += sign * sum(r["status"] == "failed" for r in rows["documents"])

    def truncate(self, index: int) -> None:
        """Forget the saved documents from `index` on (the input changed there since they were saved)."""
        for shard in self._shards():
            kept = []
            for entry in self._load(shard):
                if entry[0] < index:
                    kept.append(entry)
                else:
                    self._count(entry[1], sign=-1)
            if not kept:
                shard.unlink()
            elif len(kept) < len(self._load(shard)):
                self._write_shard(shard, kept)
        del self.digests[index:]
        self.done = min(self.done, index)

    def add(self, index: int, rows: Rows, digest: str = "") -> None:
        """Record document `index` (they arrive in input order, after the resumed prefix)."""
        self.buffer.append((index, rows, digest))
        self._count(rows)
        if len(self.buffer) >= self.shard_docs:
            self.flush()

    @staticmethod
    def _write_shard(path: Path, entries: list[tuple[int, Rows, str]]) -> None:
        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                pickle.dump(entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.flush()
                os.fsync(fh.fileno())

        atomic_write(path, write)

    def flush(self) -> None:
        """Save the buffered documents as one shard (atomically)."""
        if not self.buffer:
            return
        first = self.buffer[0][0]
        self._write_shard(self.work / f"shard-{first:012d}.pkl", self.buffer)
        self.done += len(self.buffer)
        self.digests.extend(d for _, _, d in self.buffer)
        self.buffer = []

    def finish(self, manifest: dict[str, Any] | None = None) -> tuple[list[Path], bool]:
        """Merge every shard into the final tables and publish them as one set; clean up.

        Returns the published paths, and whether a stop signal arrived while they were being
        renamed into place (held until the set was complete).
        """
        self.flush()
        shards = self._shards()
        self._link(shards)
        staged: list[tuple[Path, str]] = []
        entries: dict[str, dict[str, Any]] = {}
        try:
            if self.fmt == "xlsx":
                tmp = staging_file(self.out, WORKBOOK)
                staged.append((tmp, WORKBOOK))
                write_workbook(tmp, {name: self._frames(name, shards) for name in TABLES})
                entries[WORKBOOK] = {"sha256": file_digest(tmp), "rows": dict(self.counts)}
            else:
                for name, final in table_names(self.fmt).items():
                    tmp = self._stage(name, shards)
                    staged.append((tmp, final))
                    entries[final] = {"sha256": file_digest(tmp), "rows": self.counts[name]}
            for export in self.exports:
                tmp = self._stage_export(export, shards)
                staged.append((tmp, EXPORTS[export]))
                entries[EXPORTS[export]] = {"sha256": file_digest(tmp), "export": export}
        except BaseException:
            for tmp, _ in staged:
                if tmp.is_dir():
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    tmp.unlink(missing_ok=True)
            raise
        info = {
            **(manifest or {}),
            "format": self.fmt,
            "documents": self.counts["documents"],
            "failed": self.failed,
            "tables": entries,
        }
        stopped = publish(self.out, staged, info)
        shutil.rmtree(self.work, ignore_errors=True)
        return [self.out / final for _, final in staged], stopped

    def _stage(self, name: str, shards: list[Path]) -> Path:
        if self.fmt == "parquet-partitioned":
            return self._partitioned(name, shards)
        tmp = staging_file(self.out, table_names(self.fmt)[name])
        try:
            self._merge(name, shards, str(tmp))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def _export_texts(self, export: str, shards: list[Path]):
        """(doc_id, export text) of every document that has one, in input order."""
        for shard in shards:
            for _, bundle, _ in self._load(shard):
                text = bundle.get("exports", {}).get(export)
                if text is not None:
                    yield bundle["documents"][0]["doc_id"], text

    def _stage_export(self, export: str, shards: list[Path]) -> Path:
        if export == "brat":
            tmp = staging_dir(self.out, "brat")
            try:
                (tmp / TABLE_MARKER).write_text("written by arabic-ie\n", encoding="utf-8")
                used: set[str] = set()
                for doc_id, (txt, ann) in self._export_texts(export, shards):
                    name = _file_name(doc_id, used)
                    (tmp / f"{name}.txt").write_text(txt, encoding="utf-8", newline="")
                    (tmp / f"{name}.ann").write_text(ann, encoding="utf-8", newline="")
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            return tmp
        tmp = staging_file(self.out, EXPORTS[export])
        if export == "spacy":
            try:
                texts = self._export_texts(export, shards)
                to_docbin(json.loads(text) for _, text in texts).to_disk(tmp)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            return tmp
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                if export == "label-studio":
                    fh.write("[\n")
                    for k, (_, text) in enumerate(self._export_texts(export, shards)):
                        fh.write((",\n" if k else "") + text)
                    fh.write("\n]\n")
                else:
                    for _, text in self._export_texts(export, shards):
                        fh.write(text)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def _partitioned(self, name: str, shards: list[Path]) -> Path:
        """A folder of Parquet parts, one per shard (readable with pd.read_parquet(folder))."""
        tmp = staging_dir(self.out, name)
        try:
            (tmp / TABLE_MARKER).write_text("written by arabic-ie\n", encoding="utf-8")
            for k, df in enumerate(self._frames(name, shards)):
                df.to_parquet(tmp / f"part-{k:05d}.parquet", index=False)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return tmp

    def _link(self, shards: list[Path]) -> None:
        """Merge the run's entities across documents (one pass over the shards)."""
        linker = CorpusLinker(self.latin)
        for shard in shards:
            for _, bundle, _ in self._load(shard):
                linker.add(bundle["entities"])
        self.corpus_ids, self.corpus_rows = linker.finish()
        self.counts["corpus_entities"] = len(self.corpus_rows)

    def _frames(self, name: str, shards: list[Path]):
        if name == "corpus_entities":
            rows = self.corpus_rows
            for k in range(0, max(len(rows), 1), _CORPUS_CHUNK):
                yield frame(name, rows[k : k + _CORPUS_CHUNK])
            return
        yielded = False
        for shard in shards:
            rows = [r for _, bundle, _ in self._load(shard) for r in bundle[name]]
            if name == "entities":
                for r in rows:
                    r["corpus_entity_id"] = self.corpus_ids[r["entity_id"]]
            if rows:
                yielded = True
                yield frame(name, rows)
        if not yielded:
            yield frame(name, [])

    def _merge(self, name: str, shards: list[Path], tmp: str) -> None:
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            writer = None
            for df in self._frames(name, shards):
                table = pa.Table.from_pandas(df, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
            if writer is not None:
                writer.close()
            return
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            first = True
            if self.excel:
                fh.write("\ufeff")  # Excel reads UTF-8 only with a byte-order mark
            for df in self._frames(name, shards):
                if self.fmt == "csv":
                    write_csv_rows(df, fh, header=first, excel=self.excel)
                else:
                    write_jsonl_lines(df, fh)
                first = False
            fh.flush()
            os.fsync(fh.fileno())
