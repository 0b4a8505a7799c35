"""The paginated lists of documents under l/: all documents, failures, and the documents behind
each row of the overview.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from pipeline.report.markup import _doc_href, _e, _page, _pager
from pipeline.report.tables import _Run


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
