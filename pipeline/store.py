"""Writing a run's tables: shards saved as documents finish, merged atomically at the end.

Why shards: a run over a whole corpus must neither hold every row in memory nor lose hours of work
when it is stopped. Rows go to a work folder (`OUT/.arabic-ie-work/`) in shards of a few hundred
documents, each written atomically; the final tables are built from the shards, one shard in memory at
a time, and renamed into place only when whole. `--resume` reuses the shards of a stopped run with the
same inputs and options, so the final tables equal an uninterrupted run's.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

from pipeline.table import TABLES, Rows, atomic_write, frame, write_jsonl_lines

__all__ = ["RunStore", "ResumeError", "WORK_DIR"]

WORK_DIR = ".arabic-ie-work"


class ResumeError(ValueError):
    """The work folder cannot be resumed (it belongs to another run)."""


class RunStore:
    """Buffers per-document rows, saves them in shards, and merges the shards into the tables."""

    def __init__(
        self,
        out: Path,
        fmt: str,
        signature: dict[str, Any],
        resume: bool = False,
        shard_docs: int = 500,
    ) -> None:
        self.out = out
        self.fmt = fmt
        self.work = out / WORK_DIR
        self.shard_docs = shard_docs
        self.signature = hashlib.sha256(
            json.dumps(signature, sort_keys=True, default=str).encode()
        ).hexdigest()
        self.buffer: list[tuple[int, Rows]] = []
        self.done = 0  # documents saved in shards: always a prefix of the input
        self.failed = 0
        self.counts = dict.fromkeys(TABLES, 0)
        self._open(resume)

    def _open(self, resume: bool) -> None:
        manifest = self.work / "run.json"
        if resume and manifest.exists():
            saved = json.loads(manifest.read_text(encoding="utf-8"))
            if saved.get("signature") != self.signature:
                raise ResumeError(
                    f"{self.work} holds a run with other inputs or options; run without --resume "
                    "to start afresh"
                )
            for shard in self._shards():
                for _, rows in self._load(shard):
                    self._count(rows)
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
    def _load(shard: Path) -> list[tuple[int, Rows]]:
        with shard.open("rb") as fh:
            return pickle.load(fh)

    def _count(self, rows: Rows) -> None:
        for name, table_rows in rows.items():
            self.counts[name] += len(table_rows)
        self.failed += sum(r["status"] == "failed" for r in rows["documents"])

    def add(self, index: int, rows: Rows) -> None:
        """Record document `index` (they arrive in input order, after the resumed prefix)."""
        self.buffer.append((index, rows))
        self._count(rows)
        if len(self.buffer) >= self.shard_docs:
            self.flush()

    def flush(self) -> None:
        """Save the buffered documents as one shard (atomically)."""
        if not self.buffer:
            return
        first = self.buffer[0][0]
        path = self.work / f"shard-{first:012d}.pkl"

        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                pickle.dump(self.buffer, fh, protocol=pickle.HIGHEST_PROTOCOL)

        atomic_write(path, write)
        self.done += len(self.buffer)
        self.buffer = []

    def finish(self) -> list[Path]:
        """Merge every shard into the final tables, each renamed into place whole; clean up."""
        self.flush()
        shards = self._shards()
        written = []
        for name in TABLES:
            if self.fmt == "parquet-partitioned":
                written.append(self._partitioned(name, shards))
                continue
            path = self.out / f"{name}.{self.fmt}"
            atomic_write(path, lambda tmp, name=name: self._merge(name, shards, tmp))
            written.append(path)
        shutil.rmtree(self.work, ignore_errors=True)
        return written

    def _partitioned(self, name: str, shards: list[Path]) -> Path:
        """A folder `name/` of Parquet parts, one per shard (readable with pd.read_parquet(folder));
        built beside its place and renamed in whole, replacing an older one."""
        final = self.out / name
        tmp = self.work / f"{name}.partitioned"
        tmp.mkdir()
        for k, df in enumerate(self._frames(name, shards)):
            df.to_parquet(tmp / f"part-{k:05d}.parquet", index=False)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        return final

    def _frames(self, name: str, shards: list[Path]):
        yielded = False
        for shard in shards:
            rows = [r for _, bundle in self._load(shard) for r in bundle[name]]
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
            for df in self._frames(name, shards):
                if self.fmt == "csv":
                    df.to_csv(fh, index=False, header=first)
                else:
                    write_jsonl_lines(df, fh)
                first = False
            fh.flush()
            os.fsync(fh.fileno())
