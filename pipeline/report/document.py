"""The per-document pages: the article right-to-left with every mention highlighted by type,
and a table of its mentions and their entities.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.report.markup import TYPES, _chip, _doc_href, _e, _num, _page
from pipeline.report.tables import _Run


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
