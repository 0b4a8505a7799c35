"""A static HTML report of a run: an overview page and one page per document.

`build_report(OUT)` reads the tables `arabic-ie extract` wrote into OUT (and the articles again, from
the sources the documents table names) and writes OUT/report/:

    index.html        the corpus at a glance: figures, the first page of documents, failures, the
                      top people / places / organizations, dates by month, amounts by currency
    report.css        the only stylesheet (no script, no font, nothing from the network)
    d/000001.html     one page per document (the N-th row of the documents table), the article
                      right-to-left with every mention highlighted by type and a table of them
    l/*-1.html ...    paginated lists of documents (all documents, failures, and the documents
                      behind each row of the overview)

Every page works from file:// and is escaped throughout: ids and article text are input, never
markup, and never a file name (pages are named by position). See docs/report.md.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import html
import json
import math
import re
import shutil
import statistics
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline.io import InputError, decode_bytes, decode_text
from pipeline.publish import MANIFEST, OutOfStepError, own_manifest
from pipeline.store import table_names
from pipeline.table import TABLES, read_table

__all__ = ["MARKER", "ReportError", "TYPES", "build_report"]

# The mention types, in legend order, with the short label a highlight carries.
TYPES = {
    "PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG", "NORP": "NORP", "DATE": "DATE",
    "TIME": "TIME", "MONEY": "MONEY", "PERCENT": "PCT", "QUANTITY": "QTY", "NUMBER": "NUM",
    "ORDINAL": "ORD",
}  # fmt: skip
MARKER = ".arabic-ie-report"  # in a report folder: this tool wrote it and may replace it
TOP = 25  # rows in each "top" table of the overview
_NAMED = ("PERSON", "LOCATION", "ORGANIZATION")
MAX_YEARS = 30  # rows in a timeline; further years are listed below it
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSONL_REF = re.compile(r"(.+):([0-9]+)")
_DATE_VALUE = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?![0-9])")
_ISO_WEEK = re.compile(r"-W([0-9]{2})")


class ReportError(ValueError):
    """OUT is not a run's output folder, or the report cannot be written there; says why."""


# --------------------------------------------------------------------------------------------
# small HTML helpers


def _e(value: Any) -> str:
    """Text for an element's content or an attribute value: everything escaped, CR kept.

    A raw CR would be turned into LF by the HTML parser (and CR LF into one LF), which would shift
    every offset after it; as a character reference it survives as itself.
    """
    return html.escape("" if value is None else str(value), quote=True).replace("\r", "&#13;")


def _num(n: int | float) -> str:
    return f"{n:,}" if isinstance(n, int) else f"{n:,.2f}"


def _chip(kind: str, n: int | None = None) -> str:
    cls = kind if kind in TYPES else "OTHER"
    count = f'<span class="n">{n:,}</span>' if n is not None else ""
    return f'<span class="chip t-{cls}">{_e(kind)}{count}</span>'


def _page(title: str, body: str, depth: int, crumbs: str = "") -> str:
    up = "../" * depth
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="arabic-ie report">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'self'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
        f'<link rel="stylesheet" href="{up}report.css">\n'
        f"<title>{_e(title)}</title>\n</head>\n<body>\n"
        f'<header class="top"><div class="crumbs"><a href="{up}index.html">arabic-ie report</a>'
        f"{crumbs}</div><h1>{_e(title)}</h1></header>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _pager(page: int, pages: int, href) -> str:
    """Links to pages 1..pages (first, last and a window around the current one)."""
    if pages <= 1:
        return ""
    shown = sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})
    parts = []
    if page > 1:
        parts.append(f'<a href="{href(page - 1)}" rel="prev">‹ previous</a>')
    last = 0
    for p in shown:
        if p > last + 1:
            parts.append('<span class="gap">…</span>')
        if p == page:
            parts.append(f'<span class="cur">{p}</span>')
        else:
            parts.append(f'<a href="{href(p)}">{p}</a>')
        last = p
    if page < pages:
        parts.append(f'<a href="{href(page + 1)}" rel="next">next ›</a>')
    return f'<nav class="pager" aria-label="pages">{"".join(parts)}</nav>'


def _doc_href(i: int, up: str = "") -> str:
    return f"{up}d/{i + 1:06d}.html"


# --------------------------------------------------------------------------------------------
# reading the run


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


# --------------------------------------------------------------------------------------------
# the articles, read again from their sources


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


# --------------------------------------------------------------------------------------------
# the document pages


def _mention_title(m: dict[str, Any], ent: dict[str, Any] | None) -> str:
    lines = [str(m.get("type") or "")]
    for label, key in (("normalized", "normalized"), ("value", "value"), ("unit", "unit")):
        if m.get(key):
            lines.append(f"{label}: {m[key]}")
    if ent:
        lines.append(f"entity: {ent.get('canonical') or ''}")
        if ent.get("name_en"):
            lines.append(f"English: {ent['name_en']}")
        if ent.get("country_code"):
            lines.append(f"country: {ent['country_code']}")
    return "\n".join(lines)


def _highlight(
    text: str, mentions: list[dict[str, Any]], entities: dict[str, dict[str, Any]]
) -> tuple[str, dict[int, str]]:
    """The article as HTML with each mention an <a class="ent"> element; and, for each mention
    (by its position in `mentions`) that is not highlighted, why not."""
    skipped: dict[int, str] = {}
    order = sorted(
        range(len(mentions)), key=lambda k: (mentions[k]["start"], -mentions[k]["end"], k)
    )
    parts: list[str] = []
    cursor = 0
    holder = -1
    for k in order:
        m = mentions[k]
        start, end = int(m["start"]), int(m["end"])
        if not (0 <= start < end <= len(text)) or text[start:end] != (m.get("text") or ""):
            skipped[k] = "its offsets do not match the text"
            continue
        if start < cursor:
            skipped[k] = f"it overlaps mention {holder + 1}, which is highlighted"
            continue
        kind = str(m.get("type") or "")
        cls = kind if kind in TYPES else "OTHER"
        ent = entities.get(str(m.get("entity_id") or ""))
        parts.append(_e(text[cursor:start]))
        parts.append(
            f'<a class="ent t-{cls}" id="m{k + 1}" href="#r{k + 1}" data-t="{_e(TYPES.get(kind, kind))}" '
            f'data-start="{start}" data-end="{end}" title="{_e(_mention_title(m, ent))}">'
            f"{_e(text[start:end])}</a>"
        )
        cursor, holder = end, k
    parts.append(_e(text[cursor:]))
    return "".join(parts), skipped


def _geonames(gid: Any) -> str:
    gid = str(gid or "")
    if gid.isdigit():
        return f'<a href="https://www.geonames.org/{gid}" rel="noopener noreferrer">{gid}</a>'
    return _e(gid)


def _doc_page(
    i: int, n_docs: int, doc: dict[str, Any], text: str | None, note: str, run: _Run
) -> str:
    doc_id = str(doc.get("doc_id") or "")
    mentions = run.mentions_of(doc_id)
    entities = run.entities_of(doc_id)
    body: list[str] = []
    nav = ['<nav class="prevnext">']
    nav.append(
        f'<a href="{_doc_href(i - 1, "../")}" rel="prev">‹ previous document</a>'
        if i > 0
        else "<span></span>"
    )
    nav.append(f'<span class="muted">{i + 1:,} of {n_docs:,}</span>')
    nav.append(
        f'<a href="{_doc_href(i + 1, "../")}" rel="next">next document ›</a>'
        if i + 1 < n_docs
        else "<span></span>"
    )
    nav.append("</nav>")
    body.append("".join(nav))
    facts = [
        ("id", doc_id), ("status", doc.get("status")), ("date", doc.get("date") or "—"),
        ("characters", _num(int(doc.get("chars") or 0))), ("tokens", _num(int(doc.get("tokens") or 0))),
        ("mentions", _num(int(doc.get("mentions") or 0))),
    ]  # fmt: skip
    body.append('<section class="card"><dl class="facts">')
    for label, value in facts:
        body.append(f"<div><dt>{label}</dt><dd>{_e(value)}</dd></div>")
    body.append("</dl>")
    body.append(
        f'<p class="small muted">source: <span class="id">{_e(doc.get("source") or "—")}</span></p>'
    )
    body.append("</section>")
    if doc.get("status") != "ok":
        body.append(
            f'<div class="note bad"><strong>This document failed:</strong> {_e(doc.get("error") or "no error given")}</div>'
        )
    if doc.get("warning"):
        body.append(f'<div class="note"><strong>Warning:</strong> {_e(doc["warning"])}</div>')
    if note:
        body.append(f'<div class="note">{_e(note)}</div>')
    skipped: dict[int, str] = {}
    if mentions or text is not None:
        counts = Counter(str(m.get("type") or "") for m in mentions)
        body.append('<ul class="legend" aria-label="legend">')
        for kind in [*TYPES, *sorted(set(counts) - set(TYPES))]:
            if counts.get(kind):
                body.append(f"<li>{_chip(kind, counts[kind])}</li>")
        body.append("</ul>")
    if text is not None:
        marked, skipped = _highlight(text, mentions, entities)
        body.append(f'<article class="doc" dir="rtl" lang="ar">{marked}</article>')
        if skipped:
            body.append(
                f'<p class="small muted">{len(skipped):,} mention(s) are listed below but not '
                "highlighted (nested in or overlapping another, or offsets that do not match).</p>"
            )
    if mentions:
        body.append(_mention_table(mentions, entities, skipped, text is not None))
    return _page(f"Document {doc_id}", "\n".join(body), 1, f" › document {i + 1:,}")


def _mention_table(
    mentions: list[dict[str, Any]],
    entities: dict[str, dict[str, Any]],
    skipped: dict[int, str],
    shown: bool,
) -> str:
    rows = [
        '<h2 id="mentions">Mentions</h2><div class="scroll"><table class="mentions">',
        "<thead><tr><th>#</th><th>type</th><th>text</th><th>normalized</th><th>value</th>"
        '<th>unit</th><th>entity</th><th>links</th><th class="num">offsets</th><th>found by</th>'
        '<th class="num">score</th></tr></thead><tbody>',
    ]
    for k, m in enumerate(mentions):
        ent = entities.get(str(m.get("entity_id") or ""))
        if shown and k not in skipped:
            first = f'<a href="#m{k + 1}">{k + 1}</a>'
        elif shown:
            first = f'<span title="not highlighted: {_e(skipped[k])}">{k + 1}*</span>'
        else:
            first = str(k + 1)
        if ent:
            variants = str(ent.get("variants") or "")
            entity = (
                f'<span class="ar" dir="rtl">{_e(ent.get("canonical"))}</span> '
                f'<span class="muted small" title="{_e("variants: " + variants.replace("|", ", "))}">'
                f"({_e(ent.get('mentions'))}×)</span>"
            )
            links = " ".join(
                x
                for x in (
                    _e(ent.get("name_en") or ""),
                    _e(ent.get("country_code") or ""),
                    _geonames(ent.get("geonames_id")),
                )
                if x
            )
        else:
            entity, links = '<span class="muted">—</span>', ""
        score = m.get("score")
        rows.append(
            f'<tr id="r{k + 1}"><td class="num">{first}</td><td>{_chip(str(m.get("type") or ""))}</td>'
            f'<td class="ar" dir="rtl">{_e(m.get("text"))}</td>'
            f'<td class="ar" dir="rtl">{_e(m.get("normalized"))}</td>'
            f"<td>{_e(m.get('value'))}</td><td>{_e(m.get('unit'))}</td><td>{entity}</td>"
            f'<td class="small">{links}</td><td class="num">{_e(m.get("start"))}–{_e(m.get("end"))}</td>'
            f'<td class="small">{_e(m.get("source"))}</td>'
            f'<td class="num">{"" if score is None else f"{float(score):.2f}"}</td></tr>'
        )
    rows.append("</tbody></table></div>")
    if shown and skipped:
        rows.append(
            '<p class="small muted">* not highlighted in the text: '
            + "; ".join(f"{k + 1}: {_e(why)}" for k, why in sorted(skipped.items()))
            + "</p>"
        )
    return "".join(rows)


# --------------------------------------------------------------------------------------------
# lists of documents (paginated)


class _Lists:
    """Writes the paginated lists of documents under l/ and remembers their first pages."""

    def __init__(self, dest: Path, run: _Run, page_size: int):
        self.dest, self.run, self.page_size = dest, run, page_size
        self.pages = 0

    def href(self, slug: str, page: int = 1, up: str = "") -> str:
        return f"{up}l/{slug}.{page}.html"

    def write(
        self,
        slug: str,
        title: str,
        rows: list[int],
        extra: dict[int, int] | None = None,
        extra_label: str = "",
        errors: bool = False,
    ) -> str:
        """Write l/SLUG-1.html ... for the documents at `rows` (document-table indices)."""
        pages = max(1, math.ceil(len(rows) / self.page_size))
        for p in range(1, pages + 1):
            chunk = rows[(p - 1) * self.page_size : p * self.page_size]
            pager = _pager(p, pages, lambda q: f"{slug}.{q}.html")
            first = (p - 1) * self.page_size + 1
            body = [
                f'<p class="muted">{len(rows):,} document(s)'
                + (f"; {first:,}–{first + len(chunk) - 1:,} on this page" if pages > 1 else "")
                + "</p>",
                pager,
                self.table(chunk, "../", extra, extra_label, errors),
                pager,
            ]
            crumbs = f" › {_e(title)}" + (f" › page {p}" if pages > 1 else "")
            (self.dest / "l" / f"{slug}.{p}.html").write_text(
                _page(title, "\n".join(body), 1, crumbs), encoding="utf-8"
            )
            self.pages += 1
        return self.href(slug)

    def table(
        self,
        rows: Iterable[int],
        up: str,
        extra: dict[int, int] | None = None,
        extra_label: str = "",
        errors: bool = False,
    ) -> str:
        docs = self.run.docs
        head = (
            '<th class="num">#</th><th>document</th><th>status</th><th>date</th>'
            '<th class="num">chars</th><th class="num">tokens</th><th class="num">mentions</th>'
        )
        if extra is not None:
            head += f'<th class="num">{_e(extra_label)}</th>'
        head += "<th>error</th>" if errors else "<th>error / warning</th>"
        out = [f'<div class="scroll"><table class="docs"><thead><tr>{head}</tr></thead><tbody>']
        for i in rows:
            d = docs[i]
            status = str(d.get("status") or "")
            cls = ' class="status-failed"' if status != "ok" else ""
            cells = [
                f'<td class="num">{i + 1:,}</td>',
                f'<td class="id"><a href="{_doc_href(i, up)}">{_e(d.get("doc_id"))}</a></td>',
                f"<td{cls}>{_e(status)}</td>",
                f"<td>{_e(d.get('date') or '')}</td>",
                f'<td class="num">{int(d.get("chars") or 0):,}</td>',
                f'<td class="num">{int(d.get("tokens") or 0):,}</td>',
                f'<td class="num">{int(d.get("mentions") or 0):,}</td>',
            ]
            if extra is not None:
                cells.append(f'<td class="num">{extra.get(i, 0):,}</td>')
            if d.get("error"):
                cells.append(f'<td class="err">{_e(d["error"])}</td>')
            else:
                cells.append(f'<td class="warn">{_e(d.get("warning") or "")}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table></div>")
        return "".join(out)


# --------------------------------------------------------------------------------------------
# the overview


def _top_entities(run: _Run, index: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """For PERSON, LOCATION, ORGANIZATION: (canonical) groups by document count, top TOP."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    columns = ("doc_id", "type", "canonical", "mentions", "name_en", "country_code")
    for doc_id, kind, canonical, n, name_en, cc in run.column_rows("entities", columns, _NAMED):
        i = index.get(doc_id)
        if i is None:
            continue
        key = (str(kind), str(canonical or ""))
        g = groups.setdefault(key, {"docs": {}, "mentions": 0, "en": Counter(), "cc": Counter()})
        g["docs"][i] = g["docs"].get(i, 0) + int(n or 0)
        g["mentions"] += int(n or 0)
        if name_en:
            g["en"][str(name_en)] += 1
        if cc:
            g["cc"][str(cc)] += 1
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in _NAMED:
        ranked = sorted(
            ((key, g) for key, g in groups.items() if key[0] == kind),
            key=lambda kg: (-len(kg[1]["docs"]), -kg[1]["mentions"], kg[0][1]),
        )[:TOP]
        out[kind] = [
            {
                "canonical": key[1],
                "docs": g["docs"],
                "mentions": g["mentions"],
                "en": g["en"].most_common(1)[0][0] if g["en"] else "",
                "cc": g["cc"].most_common(1)[0][0] if g["cc"] else "",
            }
            for key, g in ranked
        ]
    return out


def _month_of(value: str) -> tuple[int, int] | None:
    """(year, month) of a date value (month 0: the year only; an ISO week: the month of its
    Thursday); None for what is not a date of four-digit year."""
    m = _DATE_VALUE.match(value or "")
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2) or 0)
    week = _ISO_WEEK.match(value, m.end(1))
    if week and not m.group(2):
        try:
            return year, _dt.date.fromisocalendar(year, int(week.group(1)), 4).month
        except ValueError:
            return year, 0
    if not 0 <= month <= 12:
        return None
    return year, month


def _heat(
    counts: dict[tuple[int, int], dict[int, int]],
    lists: _Lists,
    slug: str,
    title: str,
    year_only: bool,
) -> str:
    """A year × month table of document counts; each cell links to the list of its documents.

    The MAX_YEARS consecutive years that hold the most documents get a row each; the years
    before and after them (far past or future, usually few documents each) are listed below,
    each linking to its documents."""
    if not counts:
        return '<p class="muted">none</p>'
    top = max(len(v) for v in counts.values())
    by_year: dict[int, dict[int, int]] = defaultdict(dict)
    for (y, _), docs in counts.items():
        for i, n in docs.items():
            by_year[y][i] = by_year[y].get(i, 0) + n
    present = sorted(by_year)
    weight = {y: (len(by_year[y]), sum(by_year[y].values())) for y in present}
    best, span = None, (present[0], present[0])
    for first in present:  # the MAX_YEARS consecutive years that hold the most documents
        inside = [weight[y] for y in present if first <= y < first + MAX_YEARS]
        score = (sum(w[0] for w in inside), sum(w[1] for w in inside))
        if best is None or score > best:
            best = score
            span = (first, max(y for y in present if y < first + MAX_YEARS))
    years = list(range(span[0], span[1] + 1))
    months = ([0] if year_only else []) + list(range(1, 13))
    head = "".join(
        f"<th>{'year only' if m == 0 else _dt.date(2000, m, 1).strftime('%b')}</th>" for m in months
    )
    out = [
        '<div class="scroll"><table class="heat">'
        f'<thead><tr><th class="y">year</th>{head}</tr></thead><tbody>'
    ]
    for y in years:
        cells = []
        for mo in months:
            docs = counts.get((y, mo))
            if not docs:
                cells.append('<td class="h0"></td>')
                continue
            level = 1 + min(3, int(4 * math.log(len(docs)) / math.log(top + 1)))
            name = f"{slug}-{y:04d}" + (f"-{mo:02d}" if mo else "")
            label = f"{y:04d}" + (f"-{mo:02d}" if mo else " (year only)")
            href = lists.write(name, f"{title}: {label}", sorted(docs), docs, "mentions")
            cells.append(
                f'<td class="h{level}"><a href="{href}" title="{_e(label)}: '
                f'{len(docs):,} document(s)">{len(docs):,}</a></td>'
            )
        out.append(f'<tr><th class="y">{y:04d}</th>{"".join(cells)}</tr>')
    out.append("</tbody></table></div>")
    for label, rest in (
        ("Earlier", [y for y in present if y < span[0]]),
        ("Later", [y for y in present if y > span[1]]),
    ):
        if not rest:
            continue
        links = []
        for y in rest:
            docs = by_year[y]
            href = lists.write(
                f"{slug}-{y:04d}-all", f"{title}: {y:04d}", sorted(docs), docs, "mentions"
            )
            links.append(f'<a href="{href}">{y:04d}</a>&nbsp;({len(docs):,})')
        out.append(
            f'<p class="small">{label} years ({len(rest):,}; documents in brackets): '
            + " · ".join(links)
            + "</p>"
        )
    return "".join(out)


def _overview(run: _Run, lists: _Lists, n_pages: int) -> str:
    docs = run.docs
    index = {str(d.get("doc_id")): i for i, d in enumerate(docs)}
    failed = [i for i, d in enumerate(docs) if d.get("status") != "ok"]
    n_mentions = len(run.mentions)
    m = run.manifest
    body: list[str] = []
    facts = [
        ("documents", _num(len(docs))), ("failed", _num(len(failed))),
        ("mentions", _num(n_mentions)), ("entities", _num(len(run.entities))),
        ("characters", _num(sum(int(d.get("chars") or 0) for d in docs))),
        ("format", m.get("format", "")), ("run started", m.get("started", "")),
        ("seconds", m.get("seconds", "")),
        ("arabic-ie", (m.get("versions") or {}).get("arabic-ie", "")),
    ]  # fmt: skip
    body.append('<section class="card"><dl class="facts">')
    for label, value in facts:
        body.append(f"<div><dt>{_e(label)}</dt><dd>{_e(value)}</dd></div>")
    body.append("</dl>")
    counts = Counter({str(k): int(v) for k, v in run.mentions["type"].value_counts().items()})
    body.append('<ul class="legend" aria-label="mentions by type">')
    for kind in [*TYPES, *sorted(set(counts) - set(TYPES))]:
        if counts.get(kind):
            body.append(f"<li>{_chip(kind, counts[kind])}</li>")
    body.append("</ul>")
    body.append(
        '<nav class="small">Jump to: <a href="#failures">failures</a> · '
        '<a href="#entities">people, places, organizations</a> · <a href="#dates">dates</a> · '
        '<a href="#money">amounts</a> · <a href="#documents">documents</a></nav>'
    )
    body.append("</section>")

    # failures
    body.append('<h2 id="failures">Failures</h2>')
    if failed:
        href = lists.write("failed", "Failed documents", failed, errors=True)
        shown = failed[: lists.page_size]
        more = (
            f' <a href="{href}">All {len(failed):,} failures</a>.'
            if len(failed) > len(shown)
            else ""
        )
        body.append(
            f'<p class="muted">{len(failed):,} document(s) failed; each row gives the error.{more}</p>'
        )
        body.append(lists.table(shown, "", errors=True))
    else:
        body.append('<p class="muted">No document failed.</p>')

    # top people, places, organizations
    body.append('<h2 id="entities">Top people, places and organizations</h2>')
    body.append(
        '<p class="muted small">By the number of documents that name them (same type and canonical form); each name links to its documents.</p>'
    )
    body.append('<div class="grid3">')
    tops = _top_entities(run, index)
    for kind, title in (
        ("PERSON", "People"),
        ("LOCATION", "Places"),
        ("ORGANIZATION", "Organizations"),
    ):
        body.append(f"<div><h3>{_chip(kind)} {title}</h3>")
        rows = tops[kind]
        if not rows:
            body.append('<p class="muted">none</p></div>')
            continue
        most = max(len(r["docs"]) for r in rows)
        body.append(
            '<div class="scroll"><table><thead><tr><th>name</th><th class="num">docs</th><th class="num">mentions</th></tr></thead><tbody>'
        )
        for rank, r in enumerate(rows, 1):
            href = lists.write(
                f"{kind.lower()}-{rank}",
                f"{title[:-1] if title != 'People' else 'Person'}: {r['canonical']}",
                sorted(r["docs"]),
                r["docs"],
                "mentions",
            )
            extra = " ".join(x for x in (r["en"], r["cc"]) if x)
            extra = f' <span class="muted small">{_e(extra)}</span>' if extra else ""
            width = max(1, round(10 * len(r["docs"]) / most))
            body.append(
                f'<tr><td><a class="ar" dir="rtl" href="{href}">{_e(r["canonical"])}</a>{extra}</td>'
                f'<td class="num">{len(r["docs"]):,} <span class="bar b{width}"></span></td>'
                f'<td class="num">{r["mentions"]:,}</td></tr>'
            )
        body.append("</tbody></table></div></div>")
    body.append("</div>")

    # dates
    mention_months: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    pub_months: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    money: dict[str, dict[str, Any]] = {}
    columns = ("doc_id", "type", "value", "unit")
    for doc_id, kind, value, unit in run.column_rows("mentions", columns, ("DATE", "MONEY")):
        i = index.get(doc_id)
        if i is None:
            continue
        if kind == "DATE":
            ym = _month_of(str(value or ""))
            if ym:
                bucket = mention_months[ym]
                bucket[i] = bucket.get(i, 0) + 1
        else:
            g = money.setdefault(str(unit or "") or "(no currency)", {"docs": {}, "values": []})
            g["docs"][i] = g["docs"].get(i, 0) + 1
            try:
                v = float(value or "")
                if math.isfinite(v):
                    g["values"].append(v)
            except ValueError:
                pass
    for i, d in enumerate(docs):
        ym = _month_of(str(d.get("date") or ""))
        if ym and ym[1]:
            pub_months[ym][i] = 1
    body.append('<h2 id="dates">Dates by month</h2>')
    body.append(
        '<p class="muted small">The dates the articles mention (DATE values; a range counts at its start), as the number of documents per month; each cell links to its documents.</p>'
    )
    body.append(_heat(mention_months, lists, "date", "Dates mentioned", True))
    body.append('<h3>Publication dates</h3><p class="muted small">The documents\' own dates.</p>')
    body.append(_heat(pub_months, lists, "published", "Published", False))

    # amounts
    body.append('<h2 id="money">Amounts by currency</h2>')
    if money:
        body.append(
            '<div class="scroll"><table><thead><tr><th>currency</th><th class="num">mentions</th><th class="num">docs</th><th class="num">median</th><th class="num">largest</th></tr></thead><tbody>'
        )
        ranked = sorted(money.items(), key=lambda kv: (-sum(kv[1]["docs"].values()), kv[0]))
        for rank, (unit, g) in enumerate(ranked, 1):
            href = lists.write(
                f"money-{rank}", f"Amounts in {unit}", sorted(g["docs"]), g["docs"], "amounts"
            )
            vals = g["values"]
            med = _amount(statistics.median(vals)) if vals else ""
            top = _amount(max(vals)) if vals else ""
            body.append(
                f'<tr><td><a href="{href}">{_e(unit)}</a></td><td class="num">{sum(g["docs"].values()):,}</td>'
                f'<td class="num">{len(g["docs"]):,}</td><td class="num">{med}</td><td class="num">{top}</td></tr>'
            )
        body.append("</tbody></table></div>")
    else:
        body.append('<p class="muted">No amounts of money.</p>')

    # documents: the first page here, all of them under l/
    all_docs = lists.write("documents", "All documents", list(range(len(docs))))
    pages = max(1, math.ceil(len(docs) / lists.page_size))
    body.append('<h2 id="documents">Documents</h2>')
    body.append(
        f'<p class="muted">{len(docs):,} document(s), {len(failed):,} failed; '
        f"one page per document ({n_pages:,} pages). "
        + (
            f'The first {lists.page_size:,} are below; <a href="{all_docs}">all documents</a> '
            f"({pages:,} pages).</p>"
            if pages > 1
            else "</p>"
        )
    )
    body.append(_pager(1, pages, lambda q: lists.href("documents", q)))
    body.append(lists.table(range(min(len(docs), lists.page_size)), ""))

    return _page("Corpus report", "\n".join(body), 0)


def _amount(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.2f}"


# --------------------------------------------------------------------------------------------


def build_report(
    out: str | Path,
    dest: str | Path | None = None,
    page_size: int = 200,
    root: str | Path | None = None,
) -> Path:
    """Write the HTML report of the run in `out`; return the path of its index.html.

    out:       the --out folder of a finished `arabic-ie extract` run (its run.json names the
               format and tables; tables that do not match it raise ReportError).
    dest:      the report folder (default OUT/report). It is replaced as a whole when it holds an
               earlier report (the MARKER file says so); a folder that is not empty and was not
               written by this function raises ReportError, and is left alone.
    page_size: rows per page in every list of documents (at least 1).
    root:      the folder that relative `source` paths in the documents table are resolved
               against (default: the current directory, where `extract` is usually run).

    The articles are read again from the sources the documents table names (.txt files; a line of
    a .jsonl[.gz] file, read once per file). A document whose text cannot be read again (stdin,
    a moved or changed file: its length differs from the run's `chars`) gets its page with its
    mentions but without the text, and a note that says why; it never stops the report. The
    report is built in a temporary folder beside `dest` and moved into place at the end.
    """
    out = Path(out)
    dest = Path(dest) if dest is not None else out / "report"
    root = Path(root) if root is not None else Path.cwd()
    if page_size < 1:
        raise ReportError(f"page_size must be at least 1, not {page_size}")
    run = _read_run(out)
    if dest.exists() and (
        not dest.is_dir() or (any(dest.iterdir()) and not (dest / MARKER).exists())
    ):
        raise ReportError(
            f"{dest}: exists and is not a report written by arabic-ie; remove it or choose another folder"
        )
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".report-build.", dir=dest.parent))
    except OSError as exc:
        raise ReportError(f"{dest}: cannot write the report there: {exc}") from exc
    try:
        _write(run, tmp, page_size, root)
        if dest.exists():
            old = dest.with_name(dest.name + ".old-report")
            if old.exists():
                shutil.rmtree(old)
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old)
        else:
            tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest / "index.html"


def _write(run: _Run, dest: Path, page_size: int, root: Path) -> None:
    (dest / "d").mkdir()
    (dest / "l").mkdir()
    css = resources.files(__name__).joinpath("report.css").read_text(encoding="utf-8")
    (dest / "report.css").write_text(css, encoding="utf-8")
    n = len(run.docs)
    for i, text, note in _texts(run.docs, root):
        page = _doc_page(i, n, run.docs[i], text, note, run)
        (dest / "d" / f"{i + 1:06d}.html").write_text(page, encoding="utf-8")
    lists = _Lists(dest, run, page_size)
    (dest / "index.html").write_text(_overview(run, lists, n), encoding="utf-8")
    (dest / MARKER).write_text(
        json.dumps({"tool": "arabic-ie report", "documents": n, "list_pages": lists.pages}) + "\n",
        encoding="utf-8",
    )
