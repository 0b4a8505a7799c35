"""Small lexicons shipped with the package, and one loader for them.

Why here and not in DATA_DIR: the pipeline must run offline from the installed package alone. The TSVs
are derived from the source lexicons by `python -m pipeline.training.ner_lexicons` (attribution in
SOURCES.md); each holds normalized entries (the pipeline's own `normalize_text`), first column the
entry, further columns optional, `#` lines are comments.
"""

from __future__ import annotations

from functools import lru_cache

from pipeline.resources import lexicons_dir

__all__ = ["load_rows", "load_set", "load_map"]


@lru_cache(maxsize=32)
def load_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """All rows of `<name>.tsv` as tuples of columns (comments and blank lines skipped)."""
    path = lexicons_dir() / f"{name}.tsv"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                rows.append(tuple(line.split("\t")))
    return tuple(rows)


def load_set(name: str, column_value: str | None = None) -> frozenset[str]:
    """First-column entries of `<name>.tsv`, optionally only rows whose 2nd column equals a value."""
    return frozenset(
        r[0]
        for r in load_rows(name)
        if column_value is None or (len(r) > 1 and r[1] == column_value)
    )


def load_map(name: str) -> dict[str, str]:
    """First column -> second column (the last row wins for a repeated key)."""
    return {r[0]: (r[1] if len(r) > 1 else "") for r in load_rows(name)}
