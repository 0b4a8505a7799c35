"""The overview page (index.html): the corpus's figures, failures, top people / places /
organizations, dates by month, amounts by currency, and the first page of documents.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from typing import Any

from pipeline.report.lists import _Lists
from pipeline.report.markup import TYPES, _chip, _e, _num, _page, _pager
from pipeline.report.tables import _Run
from pipeline.report.timeline import _heat, _month_of

TOP = 25  # rows in each "top" table of the overview
_NAMED = ("PERSON", "LOCATION", "ORGANIZATION")


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
