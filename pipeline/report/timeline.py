"""The overview's timelines: date values read as (year, month), and the year × month table of
document counts that links each cell to its documents.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections import defaultdict

from pipeline.report.lists import _Lists
from pipeline.report.markup import _e

MAX_YEARS = 30  # rows in a timeline; further years are listed below it
_DATE_VALUE = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?![0-9])")
_ISO_WEEK = re.compile(r"-W([0-9]{2})")


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
