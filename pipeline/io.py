"""Reading inputs: .txt files, folders, JSONL (optionally gzipped), stdin — with errors per document.

Why per document: one unreadable file must never stop a run of thousands. A file that cannot be read
becomes a `Document` with `error` set; the engine skips it and the tables report it.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import gzip
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline.document import Document

__all__ = ["InputError", "decode_bytes", "decode_text", "iter_documents", "parse_date"]

# A NUL byte never occurs in text we can process; in the first 8 KiB it marks a binary file.
_SNIFF = 8192


class InputError(ValueError):
    """The bytes of an input cannot be read as text; the message says why and what to do."""


def parse_date(value: object, where: str = "") -> _dt.date | None:
    """Read a document date (YYYY-MM-DD, optionally followed by a time); None when empty."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"{where}date {text!r} is not YYYY-MM-DD") from None


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
    if b"\x00" in data[:_SNIFF]:
        raise InputError("looks like a binary file (it contains NUL bytes), not text")
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
    stem = path.name.split(".")[0]
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
    fallback_id = f"{path.name.split('.')[0]}:{lineno}"
    try:
        rec = json.loads(decode_text(line))
    except (InputError, ValueError) as exc:
        return _failed(fallback_id, str(path), f"{where}not a JSON object: {exc}")
    if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
        return _failed(fallback_id, str(path), f"{where}needs an object with a string 'text'")
    doc_id = str(rec.get("id") or fallback_id)
    try:
        date = parse_date(rec.get("date"), where) or default_date
    except InputError as exc:
        return _failed(doc_id, str(path), str(exc))
    meta = {"source": f"{path}:{lineno}"}
    return Document(id=doc_id, raw=rec["text"], date=date, meta=meta)


def _is_jsonl(path: Path) -> bool:
    return path.name.endswith((".jsonl", ".jsonl.gz", ".ndjson"))


def iter_documents(inputs: list[str], default_date: _dt.date | None = None) -> Iterator[Document]:
    """Yield one Document per article, in a stable order (folders sorted by path).

    `default_date` anchors relative dates for documents that carry no date of their own.
    """
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
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and (p.suffix == ".txt" or _is_jsonl(p))
            )
            for f in files:
                if _is_jsonl(f):
                    yield from _read_jsonl(f, default_date)
                else:
                    doc_id = f.relative_to(path).with_suffix("").as_posix()
                    yield _read_txt(f, doc_id, default_date)
        elif path.is_file():
            if _is_jsonl(path):
                yield from _read_jsonl(path, default_date)
            else:
                yield _read_txt(path, path.stem, default_date)
        else:
            yield _failed(path.stem or spec, spec, f"{spec}: no such file or folder")
