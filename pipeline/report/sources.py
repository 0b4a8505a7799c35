"""The articles, read again from the sources the documents table names.

The run's tables hold offsets, not text: a document page needs the article itself, so it is read
again (.txt files; a line of a .jsonl[.gz] file, each file read once) and checked against the
length the run read. What cannot be read again gets a note that says why instead of its text.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.io import InputError, decode_bytes, decode_text

_SURROGATE = re.compile("[\ud800-\udfff]")
_JSONL_REF = re.compile(r"(.+):([0-9]+)")


def _is_jsonl(name: str) -> bool:
    return name.endswith((".jsonl", ".jsonl.gz", ".ndjson"))


def _scrub(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _source_kind(source: str) -> tuple[str, str, int]:
    """("stdin"|"jsonl"|"txt"|"none", path, line) for a documents-table `source`."""
    if source == "-":
        return "stdin", "", 0
    if not source:
        return "none", "", 0
    m = _JSONL_REF.fullmatch(source)
    if m and _is_jsonl(m.group(1)):
        return "jsonl", m.group(1), int(m.group(2))
    return "txt", source, 0


def _texts(docs: list[dict[str, Any]], root: Path) -> Iterator[tuple[int, str | None, str]]:
    """(row index, text or None, note) for every document, each JSONL file read once, in order."""
    by_file: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, doc in enumerate(docs):
        if doc.get("status") != "ok":
            yield i, None, ""
            continue
        kind, path, line = _source_kind(str(doc.get("source") or ""))
        if kind == "stdin":
            yield (
                i,
                None,
                "The article was read from standard input, which cannot be read again: its text is not shown, only its mentions.",
            )
        elif kind == "none":
            yield (
                i,
                None,
                "The documents table names no source for this article: its text is not shown.",
            )
        elif kind == "txt":
            yield i, *_checked(doc, _read_txt(root / path))
        else:
            by_file[path][line].append(i)
    for path, lines in by_file.items():
        for line, text, note in _read_jsonl_lines(root / path, set(lines)):
            for i in lines[line]:
                if text is None:
                    yield i, None, note
                else:
                    yield i, *_checked(docs[i], (text, ""))


def _read_txt(path: Path) -> tuple[str | None, str]:
    try:
        return _scrub(decode_bytes(path.read_bytes())[0]), ""
    except (OSError, InputError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        return None, f"The source {path} cannot be read now ({why}): the text is not shown."


def _read_jsonl_lines(path: Path, wanted: set[int]) -> Iterator[tuple[int, str | None, str]]:
    """(line, text, note) for each wanted line of a JSONL file; every wanted line once."""
    found: set[int] = set()
    problem = ""
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            last = max(wanted)
            for lineno, raw in enumerate(fh, 1):
                if lineno in wanted:
                    found.add(lineno)
                    try:
                        rec = json.loads(decode_text(raw))
                        text = rec["text"]
                        if not isinstance(text, str):
                            raise TypeError("'text' is not a string")
                    except (InputError, ValueError, KeyError, TypeError) as exc:
                        yield (
                            lineno,
                            None,
                            f"{path}:{lineno} no longer holds the article ({exc}): the text is not shown.",
                        )
                        continue
                    yield lineno, _scrub(text), ""
                if lineno >= last:
                    break
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        problem = f"The source {path} cannot be read now ({why}): the text is not shown."
    for lineno in sorted(wanted - found):
        yield lineno, None, problem or f"{path} has no line {lineno} now: the text is not shown."


def _checked(doc: dict[str, Any], read: tuple[str | None, str]) -> tuple[str | None, str]:
    text, note = read
    if text is None:
        return None, note
    chars = int(doc.get("chars") or 0)
    if len(text) != chars:
        return None, (
            f"The source now holds {len(text):,} characters where the run read {chars:,}: it has "
            "changed since, so the text is not shown (the mentions are listed below)."
        )
    return text, ""
