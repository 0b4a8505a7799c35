"""Writing the report: the folder checks, the pages in a temporary folder, and the move into place.

The one place that touches the destination; the pages themselves are made by the sibling modules.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from pipeline.publish import REPORT_MARKER
from pipeline.report.document import _doc_page
from pipeline.report.lists import _Lists
from pipeline.report.overview import _overview
from pipeline.report.sources import _texts
from pipeline.report.tables import ReportError, _read_run, _Run

# in a report folder: this tool wrote it and may replace it (one home: pipeline.publish)
MARKER = REPORT_MARKER


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
    # the stylesheet is a resource of the package (pipeline.report), beside this module
    css = resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")
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
