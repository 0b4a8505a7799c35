"""Documents -> the three output tables (mentions, entities, documents), and reading them back.

The tables hold only what the input determines, so that two runs over the same input give the same
bytes; timings and versions go to the run's manifest (`run.json`, see `pipeline.publish`).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.corpus import CORPUS_ENTITY_COLUMNS, CorpusLinker
from pipeline.publish import OutOfStepError, file_digest, own_manifest, pending_journal

if TYPE_CHECKING:  # annotations only: the data model imports this module (Document.to_frames)
    from pipeline.document import Document

__all__ = [
    "MENTION_COLUMNS",
    "ENTITY_COLUMNS",
    "DOCUMENT_COLUMNS",
    "DOCUMENT_TABLES",
    "FORMATS",
    "TABLES",
    "Rows",
    "check_in_step",
    "document_rows",
    "format_value",
    "frame",
    "read_table",
    "rows_to_frames",
    "write_csv_rows",
    "write_workbook",
    "neutralize_formulas",
    "write_jsonl_lines",
]

MENTION_COLUMNS = (
    "doc_id", "mention_id", "entity_id", "type", "start", "end", "text", "normalized",
    "value", "unit", "sentence", "source", "score",
)  # fmt: skip
LINK_COLUMNS = ("country_code", "geonames_id", "name_en")
ENTITY_COLUMNS = (
    "doc_id", "entity_id", "type", "canonical", "mentions", "first_start", "variants",
    *LINK_COLUMNS, "corpus_entity_id",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "doc_id", "source", "date", "chars", "tokens", "mentions", "status", "error", "warning",
)  # fmt: skip
FORMATS = ("csv", "jsonl", "parquet", "parquet-partitioned")

_DTYPES: dict[str, dict[str, str]] = {
    "mentions": {
        "doc_id": "string", "mention_id": "string", "entity_id": "string", "type": "string",
        "start": "int64", "end": "int64", "text": "string", "normalized": "string",
        "value": "string", "unit": "string", "sentence": "int64", "source": "string",
        "score": "float64",
    },
    "entities": {
        "doc_id": "string", "entity_id": "string", "type": "string", "canonical": "string",
        "mentions": "int64", "first_start": "int64", "variants": "string",
        "country_code": "string", "geonames_id": "string", "name_en": "string",
        "corpus_entity_id": "string",
    },
    "documents": {
        "doc_id": "string", "source": "string", "date": "string", "chars": "int64",
        "tokens": "int64", "mentions": "int64", "status": "string", "error": "string",
        "warning": "string",
    },
}  # fmt: skip
_DTYPES["corpus_entities"] = {
    "corpus_entity_id": "string", "type": "string", "canonical": "string", "documents": "int64",
    "mentions": "int64", "variants": "string", "country_code": "string", "geonames_id": "string",
    "name_en": "string", "name_latn": "string",
}  # fmt: skip
TABLES = {
    "mentions": MENTION_COLUMNS,
    "entities": ENTITY_COLUMNS,
    "documents": DOCUMENT_COLUMNS,
    "corpus_entities": CORPUS_ENTITY_COLUMNS,
}
# The tables each document contributes rows to (corpus_entities is built at the end of a run).
DOCUMENT_TABLES = ("mentions", "entities", "documents")


def format_value(value: Any) -> str:
    """One textual form for a mention value: 5700000000 (not 5.7e9), 26.8, 2024-08-09."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    return str(value)


Rows = dict[str, list[dict[str, Any]]]


def document_rows(doc: Document) -> Rows:
    """The rows one processed document contributes to each table (mentions in text order)."""
    mentions = doc.sorted_mentions() if not doc.error else []
    out: Rows = {"mentions": [], "entities": [], "documents": []}
    for n, m in enumerate(mentions, 1):
        out["mentions"].append(
            {
                "doc_id": doc.id,
                "mention_id": f"{doc.id}#m{n}",
                "entity_id": m.entity_id,
                "type": m.type,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "normalized": m.normalized,
                "value": format_value(m.value),
                "unit": m.unit,
                "sentence": m.sentence,
                "source": m.source,
                "score": round(float(m.score), 4),
            }
        )
    if not doc.error:
        for e in doc.entities:
            members = [doc.mentions[i] for i in e.mentions if 0 <= i < len(doc.mentions)]
            out["entities"].append(
                {
                    "doc_id": doc.id,
                    "entity_id": e.id,
                    "type": e.type,
                    "canonical": e.canonical,
                    "mentions": len(members),
                    "first_start": min((m.start for m in members), default=-1),
                    "variants": "|".join(e.variants),
                    **{c: str(e.links.get(c, "")) for c in LINK_COLUMNS},
                    "corpus_entity_id": "",  # filled when the run's entities are linked
                }
            )
    out["documents"].append(
        {
            "doc_id": doc.id,
            "source": str(doc.meta.get("source", "")),
            "date": doc.date.isoformat() if doc.date else str(doc.meta.get("date_inferred", "")),
            "chars": len(doc.raw),
            "tokens": len(doc.tokens),
            "mentions": len(mentions),
            "status": "failed" if doc.error else "ok",
            "error": doc.error,
            "warning": str(doc.meta.get("warning", "")),
        }
    )
    return out


def frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One table's rows as a DataFrame with its fixed columns and dtypes."""
    return pd.DataFrame(rows, columns=list(TABLES[name])).astype(_DTYPES[name])


# A cell starting with one of these is read as a formula by spreadsheets (OWASP, CSV injection).
_FORMULA = r"[=+\-@\t\r]"
# Rows per worksheet in Excel (header included); a longer table continues on "name (2)" ...
EXCEL_MAX_ROWS = 1_048_576


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that would start a formula get a leading apostrophe, as OWASP recommends.

    Only for the spreadsheet outputs (xlsx, --excel-csv): the plain CSV keeps the exact text.
    """
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == "string":
            risky = df[c].str.match(_FORMULA).fillna(False)
            if risky.any():
                df[c] = df[c].mask(risky, "'" + df[c])
    return df


def write_workbook(path: str | Path, tables: dict[str, Iterable[pd.DataFrame]]) -> None:
    """One workbook, a sheet per table: right-to-left, header row frozen, formulas neutralized.

    The file is made deterministic (fixed zip times and document dates), like the other formats.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)

    def sheet(title: str, columns: list[str]):
        ws = wb.create_sheet(title)
        ws.sheet_view.rightToLeft = True
        ws.freeze_panes = "A2"
        ws.append(columns)
        return ws

    for name, frames in tables.items():
        columns = list(TABLES[name])
        ws, rows, part = sheet(name, columns), 1, 1
        for df in frames:
            for rec in neutralize_formulas(df).itertuples(index=False):
                if rows == EXCEL_MAX_ROWS:
                    part += 1
                    ws, rows = sheet(f"{name} ({part})", columns), 1
                ws.append([None if v is pd.NA else v for v in rec])
                rows += 1
    wb.save(path)
    _fix_zip_times(Path(path))


def _fix_zip_times(path: Path) -> None:
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for filename, data in entries:
            if filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2000-01-01T00:00:00Z",
                    data,
                )
            z.writestr(zipfile.ZipInfo(filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                       zipfile.ZIP_DEFLATED)  # fmt: skip


def write_csv_rows(df: pd.DataFrame, fh, header: bool, excel: bool = False) -> None:
    """Rows as CSV. A chunk holding a carriage return in any text cell is written with every text
    cell quoted: Python's csv module quotes only the characters of its line terminator ("\n"), and
    a bare "\r" left unquoted splits the row for every reader. Other chunks keep minimal quoting.
    `excel`: formulas neutralized (see `neutralize_formulas`)."""
    if excel:
        df = neutralize_formulas(df)
    text = [c for c in df.columns if df[c].dtype == "string"]
    has_cr = any(df[c].str.contains("\r", regex=False).any() for c in text)
    quoting = csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL
    df.to_csv(fh, index=False, header=header, quoting=quoting)


def write_jsonl_lines(df: pd.DataFrame, fh) -> None:
    """One JSON object per row (missing values as null), UTF-8 text kept as is."""
    for rec in df.to_dict(orient="records"):
        clean = {k: (None if v is pd.NA else v) for k, v in rec.items()}
        fh.write(json.dumps(clean, ensure_ascii=False) + "\n")


def read_table(path: str | Path, verify: bool = True, sheet: str | None = None) -> pd.DataFrame:
    """Read a table written by `arabic-ie extract` back with its exact dtypes (empty strings kept).

    With `verify`, a table whose run manifest (`run.json` beside it) gives another checksum, or
    whose folder holds an unfinished publish, raises `OutOfStepError` instead of silently mixing
    two runs' tables. For the xlsx workbook, `sheet` names the table (its continuation sheets
    are read with it).
    """
    path = Path(path)
    if verify:
        check_in_step(path)
    name = sheet or path.name.split(".")[0]
    dtypes = _DTYPES.get(name, {})
    if path.suffix == ".xlsx":
        if sheet is None:
            raise ValueError(f"{path} is a workbook: say which table, e.g. sheet='mentions'")
        sheets = pd.read_excel(
            path, sheet_name=None, dtype=dtypes, keep_default_na=False, na_values=[]
        )
        parts = [
            df for title, df in sheets.items() if title == sheet or title.startswith(f"{sheet} (")
        ]
        return pd.concat(parts, ignore_index=True).astype(dtypes)
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[])
    if path.suffix == ".jsonl":
        df = pd.read_json(path, lines=True, dtype=False)
        return df.astype({k: v for k, v in dtypes.items() if k in df.columns}) if len(df) else df
    return pd.read_parquet(path)


def check_in_step(path: Path) -> None:
    """Raise OutOfStepError when `path` is not the table its run's manifest names."""
    folder = path.parent
    if pending_journal(folder) is not None:
        raise OutOfStepError(
            f"{folder} holds tables from an interrupted publish; run the same arabic-ie command "
            "again (with --resume) to finish it"
        )
    manifest = own_manifest(folder)
    entry = (manifest or {}).get("tables", {}).get(path.name)
    if entry and file_digest(path) != entry.get("sha256"):
        raise OutOfStepError(
            f"{path} does not match {folder / 'run.json'}: it was changed, or belongs to another run"
        )


def rows_to_frames(docs: Iterable[Document], latin: str = "press") -> dict[str, pd.DataFrame]:
    """The four tables, as DataFrames, for processed documents (the API's way to the tables);
    `latin` is how corpus_entities' `name_latn` is written (`pipeline.romanize.SCHEMES`)."""
    rows: Rows = {name: [] for name in TABLES}
    for doc in docs:
        for name, table_rows in document_rows(doc).items():
            rows[name].extend(table_rows)
    linker = CorpusLinker(latin)
    linker.add(rows["entities"])
    mapping, rows["corpus_entities"] = linker.finish()
    for row in rows["entities"]:
        row["corpus_entity_id"] = mapping[row["entity_id"]]
    return {name: frame(name, rows[name]) for name in TABLES}
