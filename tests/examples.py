"""Reading the example corpora kept beside the rules (pipeline/stages/*_examples.tsv)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

STAGES = Path(__file__).resolve().parent.parent / "pipeline" / "stages"
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescape(text: str) -> str:
    """Turn \\uXXXX escapes (used for invisible and combining characters) into characters."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def load_examples(name: str) -> list[dict[str, str]]:
    """Rows of a TSV examples file; '#' lines are comments; the first other line is the header."""
    path = STAGES / name
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{k: unescape(v or "") for k, v in row.items()} for row in reader]
