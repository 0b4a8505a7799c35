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

The work is split by job: `tables` reads the run, `sources` reads the articles again, `markup`
holds the shared HTML pieces, `document` writes the document pages, `lists` the paginated lists,
`overview` (with `timeline`) the overview page, and `build` puts the report into place. This
module only re-exports the public API.
"""

from __future__ import annotations

from pipeline.report.build import MARKER, build_report
from pipeline.report.document import _highlight  # noqa: F401  (tests reach it here)
from pipeline.report.markup import TYPES
from pipeline.report.tables import ReportError
from pipeline.report.timeline import _month_of  # noqa: F401  (tests reach it here)

__all__ = ["MARKER", "ReportError", "TYPES", "build_report"]
