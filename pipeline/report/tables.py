"""Reading a run's output folder: its manifest and tables, checked, as the report uses them.

Everything the report knows of a run comes from here; a folder that is not a finished run's
raises ReportError, which says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline.publish import MANIFEST, OutOfStepError, own_manifest
from pipeline.store import table_names
from pipeline.table import TABLES, read_table


class ReportError(ValueError):
    """OUT is not a run's output folder, or the report cannot be written there; says why."""


class _Run:
    """A run's tables. Mentions and entities stay DataFrames (a dict per row would cost gigabytes
    for a large corpus); a document's rows are taken out when its page is written."""

    def __init__(self, out: Path, manifest: dict[str, Any], frames: dict[str, pd.DataFrame]):
        self.out, self.manifest = out, manifest
        self.docs = _records(frames["documents"])
        self.mentions, self.entities = frames["mentions"], frames["entities"]
        self._m_rows = (
            self.mentions.groupby("doc_id", sort=False).indices if len(self.mentions) else {}
        )
        self._e_rows = (
            self.entities.groupby("doc_id", sort=False).indices if len(self.entities) else {}
        )

        # pyarrow takes a document's rows in microseconds, pandas in milliseconds
        self._m_arrow = pa.Table.from_pandas(self.mentions, preserve_index=False)
        self._e_arrow = pa.Table.from_pandas(self.entities, preserve_index=False)

    def mentions_of(self, doc_id: str) -> list[dict[str, Any]]:
        """A document's mentions, in table (text) order."""
        rows = self._m_rows.get(doc_id)
        return [] if rows is None else _take(self._m_arrow, rows)

    def entities_of(self, doc_id: str) -> dict[str, dict[str, Any]]:
        """A document's entities by entity_id."""
        rows = self._e_rows.get(doc_id)
        if rows is None:
            return {}
        return {str(r["entity_id"]): r for r in _take(self._e_arrow, rows)}

    def column_rows(self, table: str, columns: tuple[str, ...], types: tuple[str, ...]):
        """(values of `columns`) for each row of `table` whose type is one of `types`."""
        df = self.mentions if table == "mentions" else self.entities
        if not len(df):
            return iter(())
        df = df[df["type"].isin(list(types))]
        return zip(*([None if _missing(v) else v for v in df[c].tolist()] for c in columns))


def _take(table: pa.Table, rows) -> list[dict[str, Any]]:
    out = table.take(pa.array(sorted(rows), type=pa.int64())).to_pylist()
    floats = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    for row in out:  # nulls are None already; NaN too
        for key in floats:
            if row[key] != row[key]:
                row[key] = None
    return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = {c: df[c].tolist() for c in df.columns}
    return [
        {c: (None if _missing(v[i]) else v[i]) for c, v in cols.items()} for i in range(len(df))
    ]


def _missing(v: Any) -> bool:
    try:
        return v is None or bool(v != v)  # NaN, pd.NA
    except (TypeError, ValueError):
        return v is None


def _read_run(out: Path) -> _Run:
    if not out.is_dir():
        raise ReportError(f"{out}: no such folder (give the --out folder of an arabic-ie run)")
    manifest = own_manifest(out)
    if manifest is None:
        raise ReportError(
            f"{out}: holds no {MANIFEST} written by arabic-ie; give the --out folder of a "
            "finished run"
        )
    fmt = manifest.get("format", "csv")
    try:
        names = table_names(fmt)
    except Exception as exc:  # an unknown format
        raise ReportError(f"{out / MANIFEST}: unknown format {fmt!r}") from exc
    frames = {}
    for name, file_name in names.items():
        path = out / file_name
        if not path.exists():
            raise ReportError(f"{path}: missing (the run in {out} did not finish?)")
        try:
            frames[name] = read_table(path)
        except OutOfStepError as exc:
            raise ReportError(str(exc)) from exc
        except (OSError, ValueError) as exc:
            raise ReportError(f"{path}: cannot read: {exc}") from exc
    for name, frame in frames.items():
        if not len(frame.columns):  # an empty JSONL table has no columns
            frames[name] = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES[name]})
    return _Run(out, manifest, frames)
