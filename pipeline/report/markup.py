"""Shared HTML pieces of the report: escaping, the page frame, type chips, pagination links.

Every page of the report is put together from these, so escaping and the page head live in one
place: ids and article text are input, never markup.
"""

from __future__ import annotations

import html
from typing import Any

# The mention types, in legend order, with the short label a highlight carries.
TYPES = {
    "PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG", "NORP": "NORP", "DATE": "DATE",
    "TIME": "TIME", "MONEY": "MONEY", "PERCENT": "PCT", "QUANTITY": "QTY", "NUMBER": "NUM",
    "ORDINAL": "ORD",
}  # fmt: skip


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
