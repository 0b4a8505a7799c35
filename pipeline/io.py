"""Reading inputs: .txt files, folders, JSONL (optionally gzipped), stdin — with errors per document.

Why per document: one unreadable file must never stop a run of thousands. A file that cannot be read
becomes a `Document` with `error` set; the engine skips it and the tables report it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import gzip
import hashlib
import io
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.document import Document
from pipeline.publish import (
    JOURNAL,
    MANIFEST,
    REPORT_MARKER,
    TABLE_MARKER,
    WORK_DIR,
    own_manifest,
    pending_journal,
)

__all__ = [
    "InputError",
    "decode_bytes",
    "decode_text",
    "count_documents",
    "document_digest",
    "iter_documents",
    "parse_date",
]

# An id that starts with one of these would be read as a formula by a spreadsheet (OWASP CSV
# injection); such ids are prefixed with an apostrophe, as OWASP recommends.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(ValueError):
    """The bytes of an input cannot be read as text; the message says why and what to do."""


def parse_date(value: object, where: str = "") -> _dt.date | None:
    """Read a document date: a string YYYY-MM-DD, optionally with an ISO time; None when empty.

    Strict on purpose: `20240809` (a number) or `2024-08-09T99:99 garbage` anchors every relative
    date of the document, so a value that is not plainly a date is an error, not a guess.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(
            f"{where}date {json.dumps(value)} is a {type(value).__name__}, not a string YYYY-MM-DD"
        )
    text = value.strip()
    try:
        if len(text) == 10:
            return _dt.date.fromisoformat(text)
        if len(text) > 10 and text[10] in "T ":
            return _dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    raise InputError(f"{where}date {text!r} is not a date YYYY-MM-DD (optionally with an ISO time)")


def _scrub(text: str) -> tuple[str, int]:
    """Replace lone surrogates (not Unicode; they cannot be written as UTF-8) by U+FFFD, one for one.

    One for one keeps every offset valid. They come from JSON escapes like "\\ud800" and from file
    names that are not UTF-8 (Python maps their bytes to surrogates).
    """
    if _SURROGATE.search(text) is None:
        return text, 0
    return _SURROGATE.subn("\ufffd", text)


def _note(doc: Document, warning: str) -> None:
    old = doc.meta.get("warning", "")
    doc.meta["warning"] = f"{old}; {warning}" if old else warning


def document_digest(doc: Document) -> str:
    """A hash of everything a document's rows depend on (to tell a changed input on --resume)."""
    h = hashlib.sha256()
    for part in (doc.id, doc.raw, doc.date.isoformat() if doc.date else "", doc.error,
                 str(doc.meta.get("warning", ""))):  # fmt: skip
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


_ARABIC_LETTER = re.compile("[\u0621-\u064a]")


def _legacy_arabic(data: bytes) -> str | None:
    """Windows-1256 text, when that reading is plainly Arabic (most non-ASCII chars are letters)."""
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        return None
    non_ascii = sum(1 for c in text if ord(c) > 127)
    if non_ascii and len(_ARABIC_LETTER.findall(text)) >= 0.8 * non_ascii:
        return text
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes to (text, warning); raise InputError when they are not text.

    UTF-8 (a BOM is dropped), UTF-16/32 when a BOM says so, and — because legacy Arabic files are
    common — Windows-1256 when the bytes are not UTF-8 but read plainly as Arabic in that code page;
    the warning then says so. Offsets count Unicode code points of the decoded text, after the BOM.
    """
    try:
        return decode_text(data), ""
    except InputError as exc:
        if "UTF-8" not in str(exc):
            raise
        text = _legacy_arabic(data)
        if text is None:
            raise
        return text, "not UTF-8: decoded as Windows-1256 (legacy Arabic)"


def decode_text(data: bytes) -> str:
    """Decode file bytes to text. UTF-8 (a BOM is dropped), or UTF-16/32 when a BOM says so.

    Offsets in all outputs count Unicode code points of the decoded text, after the BOM.
    """
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return data.decode("utf-32")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"has a UTF-16 byte-order mark but is not valid UTF-16: {exc}"
            ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"looks like a binary file (a NUL byte at offset {nul}), not text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); if it is a "
            "legacy Arabic file, convert it first: iconv -f WINDOWS-1256 -t UTF-8"
        ) from None


def _failed(doc_id: str, source: str, message: str) -> Document:
    return Document(id=doc_id, raw="", meta={"source": source}, error=message)


def _own_outputs(folder: Path) -> set[str]:
    """Names in `folder` that a run of this tool wrote there (tables, manifest): never input."""
    names = {WORK_DIR}
    manifest = own_manifest(folder)
    if manifest is not None:
        names |= {MANIFEST, *manifest.get("tables", {}), *manifest.get("earlier", [])}
    journal = pending_journal(folder)
    if journal is not None:
        names |= {JOURNAL, *(final for _, final in journal.get("moves", []))}
    return names


# Article files by kind, matched case-blind (`.TXT` is a text file too).
TEXT_SUFFIXES = (".txt", ".html", ".htm")
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json", ".csv")


def _is_input_name(name: str) -> bool:
    return name.lower().endswith(TEXT_SUFFIXES + RECORD_SUFFIXES)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


def _walk(root: Path, skipped: Counter | None = None) -> list[tuple[Path, str]]:
    """Every input file below `root` as (path, ""), and (path, error) for what cannot be walked.

    Folders that cannot be listed and symbolic links that loop back to a folder above them are
    reported, never skipped silently; the tool's own tables and work folder are left out. Symbolic
    links to folders are followed (corpora are often assembled that way). Files of other kinds are
    counted by extension in `skipped` (the command's summary names them).
    """
    found: list[tuple[Path, str]] = []

    def visit(folder: Path, above: frozenset[tuple[int, int]]) -> None:
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            found.append((folder, f"{folder}: cannot read folder: {exc.strerror or exc}"))
            return
        own = _own_outputs(folder)
        for entry in entries:
            if entry.name in own:
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                if _is_input_name(entry.name):
                    found.append((path, ""))
                elif skipped is not None and not entry.name.startswith("."):
                    skipped[_suffix(path) or "(no extension)"] += 1
                continue
            try:
                st = path.stat()
            except OSError as exc:
                found.append((path, f"{path}: cannot read folder: {exc.strerror or exc}"))
                continue
            if (path / TABLE_MARKER).exists() or (path / REPORT_MARKER).exists():
                continue  # a table, export or report folder the tool wrote: never input
            key = (st.st_dev, st.st_ino)
            if key in above:
                found.append(
                    (
                        path,
                        f"{path}: symbolic link loop (it leads back to {os.path.realpath(path)})",
                    )
                )
                continue
            visit(path, above | {key})

    st = root.stat()
    visit(root, frozenset({(st.st_dev, st.st_ino)}))
    return sorted(found)


def _read_txt(path: Path, doc_id: str, default_date: _dt.date | None) -> Document:
    try:
        raw, warning = decode_bytes(path.read_bytes())
    except InputError as exc:
        return _failed(doc_id, str(path), f"{path}: {exc}")
    except OSError as exc:
        return _failed(doc_id, str(path), f"{path}: cannot read: {exc.strerror or exc}")
    meta = {"source": str(path), "warning": warning} if warning else {"source": str(path)}
    return Document(id=doc_id, raw=raw, date=default_date, meta=meta)


def _open_lines(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def _read_jsonl(path: Path, default_date: _dt.date | None) -> Iterator[Document]:
    stem = _stem(path)
    try:
        handle = _open_lines(path)
    except OSError as exc:
        yield _failed(stem, str(path), f"{path}: cannot read: {exc.strerror or exc}")
        return
    with handle:
        lineno = 0
        try:
            for lineno, line in enumerate(handle, 1):  # noqa: B007 - lineno used after the loop
                if not line.strip():
                    continue
                yield _jsonl_record(line, path, lineno, default_date)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            yield _failed(
                f"{stem}:{lineno + 1}", str(path), f"{path}: unreadable after line {lineno}: {exc}"
            )


def _jsonl_record(line: bytes, path: Path, lineno: int, default_date: _dt.date | None) -> Document:
    where = f"{path}:{lineno}: "
    fallback_id = f"{_stem(path)}:{lineno}"
    try:
        rec = json.loads(decode_text(line))
    except (InputError, ValueError) as exc:
        return _failed(fallback_id, str(path), f"{where}not a JSON object: {exc}")
    return _record(rec, path, lineno, default_date)


def _record(
    rec: object,
    path: Path,
    number: int,
    default_date: _dt.date | None,
    blank_is_absent: bool = False,
) -> Document:
    """One article from a JSON object or a CSV row: `text`, and optional `id` and `date`.

    `blank_is_absent`: an empty CSV cell means the field was not given (JSON has null for that).
    """
    where = f"{path}:{number}: "
    fallback_id = f"{_stem(path)}:{number}"
    if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
        return _failed(fallback_id, str(path), f"{where}needs an object with a string 'text'")
    doc_id = fallback_id
    value = rec.get("id")
    if "id" in rec and not (blank_is_absent and value == ""):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            return _failed(
                fallback_id,
                str(path),
                f"{where}'id' is {json.dumps(value, ensure_ascii=False)}: it must be a non-empty "
                "string or an integer (leave it out to use file:line)",
            )
        doc_id = value
    try:
        date = parse_date(rec.get("date"), where) or default_date
    except InputError as exc:
        return _failed(doc_id, str(path), str(exc))
    meta = {"source": f"{path}:{number}"}
    return Document(id=doc_id, raw=rec["text"], date=date, meta=meta)


def _stem(path: Path) -> str:
    return path.name.split(".")[0]


def _read_json(path: Path, default_date: _dt.date | None) -> Iterator[Document]:
    """A .json file: an array of {text, id?, date?} objects (or one such object)."""
    try:
        data = json.loads(decode_text(path.read_bytes()))
    except (InputError, ValueError) as exc:
        yield _failed(_stem(path), str(path), f"{path}: not JSON: {exc}")
        return
    except OSError as exc:
        yield _failed(_stem(path), str(path), f"{path}: cannot read: {exc.strerror or exc}")
        return
    records = data if isinstance(data, list) else [data]
    for number, rec in enumerate(records, 1):
        yield _record(rec, path, number, default_date)


def _read_csv(path: Path, default_date: _dt.date | None) -> Iterator[Document]:
    """A .csv file with a header naming a `text` column (and optionally `id`, `date`): one
    article per row, numbered from 1 after the header."""
    try:
        text, _ = decode_bytes(path.read_bytes())
    except InputError as exc:
        yield _failed(_stem(path), str(path), f"{path}: {exc}")
        return
    except OSError as exc:
        yield _failed(_stem(path), str(path), f"{path}: cannot read: {exc.strerror or exc}")
        return
    csv.field_size_limit(2**31 - 1)  # articles are far longer than the module's 128 KiB default
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fields = reader.fieldnames or []
        if "text" not in fields:
            yield _failed(
                _stem(path), str(path), f"{path}: a CSV of articles needs a 'text' column; it has "
                f"{', '.join(fields) or 'no header'}"
            )  # fmt: skip
            return
        for number, row in enumerate(reader, 1):
            rec = {k: v for k, v in row.items() if k in ("id", "text", "date") and v is not None}
            if rec.get("date") == "":
                del rec["date"]
            yield _record(rec, path, number, default_date, blank_is_absent=True)
    except csv.Error as exc:
        yield _failed(
            f"{_stem(path)}:{reader.line_num}", str(path), f"{path}: line {reader.line_num}: {exc}"
        )


def _is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith((".jsonl", ".jsonl.gz", ".ndjson"))


def _read_file(path: Path, doc_id: str, default_date: _dt.date | None) -> Iterator[Document]:
    """The articles of one file, by its kind: records (JSONL, JSON, CSV) or one text."""
    suffix = _suffix(path)
    if _is_jsonl(path):
        yield from _read_jsonl(path, default_date)
    elif suffix == ".json":
        yield from _read_json(path, default_date)
    elif suffix == ".csv":
        yield from _read_csv(path, default_date)
    else:
        yield _read_txt(path, doc_id, default_date)


def iter_documents(
    inputs: list[str], default_date: _dt.date | None = None, skipped: Counter | None = None
) -> Iterator[Document]:
    """Yield one Document per article, in a stable order (folders sorted by path).

    `default_date` anchors relative dates for documents that carry no date of their own. Ids are
    made unique and safe here, so that every key in the tables is: see `_checked`. Files in
    folders that are not articles are counted by extension in `skipped`, when given.
    """
    yield from _checked(_read_all(inputs, default_date, skipped))


def count_documents(inputs: list[str]) -> int | None:
    """How many documents the inputs hold, counted without decoding them (for a progress bar).

    JSONL lines and JSON/CSV files cost a read; None when an input cannot be counted (stdin).
    """
    total = 0
    for spec in inputs:
        if spec == "-":
            return None
        path = Path(spec)
        files = [f for f, error in _walk(path)] if path.is_dir() else [path]
        for f in files:
            try:
                if _is_jsonl(f):
                    with _open_lines(f) as fh:
                        total += sum(1 for line in fh if line.strip())
                elif _suffix(f) in (".json", ".csv"):
                    return None
                else:
                    total += 1
            except (OSError, EOFError, gzip.BadGzipFile):
                total += 1
    return total


def _read_all(
    inputs: list[str], default_date: _dt.date | None, skipped: Counter | None = None
) -> Iterator[Document]:
    for spec in inputs:
        if spec == "-":
            try:
                raw, warning = decode_bytes(sys.stdin.buffer.read())
            except InputError as exc:
                yield _failed("stdin", "-", f"stdin: {exc}")
                continue
            meta = {"source": "-", "warning": warning} if warning else {"source": "-"}
            yield Document(id="stdin", raw=raw, date=default_date, meta=meta)
            continue
        path = Path(spec)
        if path.is_dir():
            try:
                files = _walk(path, skipped)
            except OSError as exc:
                yield _failed(path.name or spec, spec, f"{spec}: cannot read folder: {exc}")
                continue
            for f, error in files:
                rel = f.relative_to(path)
                doc_id = rel.with_suffix("").as_posix() if rel.name else (path.name or spec)
                if error:
                    yield _failed(doc_id, str(f), error)
                else:
                    yield from _read_file(f, doc_id, default_date)
        elif path.is_file():
            if path.name in _own_outputs(path.parent):
                yield _failed(
                    path.stem, spec, f"{spec}: is a table written by arabic-ie, not articles"
                )
            else:
                yield from _read_file(path, path.stem, default_date)
        else:
            yield _failed(path.stem or spec, spec, f"{spec}: no such file or folder")


def _checked(docs: Iterable[Document]) -> Iterator[Document]:
    """Make every document writable and every id a unique, spreadsheet-safe key.

    - lone surrogates in the text, id or source become U+FFFD (with a warning);
    - an id that would start a spreadsheet formula gets a leading apostrophe (with a warning);
    - an id seen before becomes `id~2`, `id~3`, ... (with a warning), so that mention and entity
      ids stay unique and joins never multiply rows.
    """
    seen: set[str] = set()
    for doc in docs:
        raw, n = _scrub(doc.raw)
        if n:
            doc.raw = raw
            _note(doc, f"{n} lone surrogate(s) in the text (not Unicode) replaced by U+FFFD")
        source, n_source = _scrub(str(doc.meta.get("source", "")))
        if n_source:
            doc.meta["source"] = source
        doc.error = _scrub(doc.error)[0]
        doc_id, n = _scrub(doc.id)
        if n:
            _note(doc, f"the id held {n} character(s) that are not Unicode, replaced by U+FFFD")
        if doc_id.startswith(_FORMULA_START):
            _note(doc, f"id {doc_id!r} would start a spreadsheet formula; written with a leading '")
            doc_id = "'" + doc_id
        if doc_id in seen:
            k = 2
            while f"{doc_id}~{k}" in seen:
                k += 1
            _note(
                doc, f"id {doc_id!r} was already used by an earlier document; renamed {doc_id}~{k}"
            )
            doc_id = f"{doc_id}~{k}"
        seen.add(doc_id)
        doc.id = doc_id
        yield doc
