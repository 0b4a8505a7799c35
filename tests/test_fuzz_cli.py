"""Fuzzing the whole command: random bytes, random JSONL objects and hostile Unicode in a folder.

Whatever comes in, the command must finish with 0 or 1, report every input exactly once in
documents.csv, write tables that read back, and keep `raw[start:end] == text` for every mention.
FUZZ_EXAMPLES sets the number of examples (500 by default, the figure CI runs).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.io import iter_documents
from pipeline.table import read_table

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))

# Arabic words and the characters that break naive text code: bidi controls, zero-width joiners,
# combining marks, tatweel, BOMs, lone surrogates, line and paragraph separators, markup.
_WORDS = ["قال", "الرئيس", "توكاييف", "في", "أستانا", "9", "أغسطس", "2024", "مليار", "دولار",
          "وزارة", "الخارجية", "السعودية", "٥٫٧", "%", "أمس", "<p>", "</a>", '<a href="/x">']  # fmt: skip
_ODD = ["\u200f", "\u202e", "\u2066", "\u200d", "\u200c", "\u0651", "\u064b", "\u0301", "\u0640",
        "\ufeff", "\ud800", "\udfff", "\u2028", "\u2029", "\r\n", "\r", "\t", "\x00", "\U0001f600",
        "\ufdfa", "\ufe8d", " ", "\n", "."]  # fmt: skip

texts = st.lists(st.sampled_from(_WORDS + _ODD) | st.text(max_size=8), max_size=40).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["a", "a", "", "=x", "0"]) | st.integers(-2, 2) | st.none() | texts,
        "text": texts | json_values,
        "date": st.sampled_from(["2024-08-09", "2024-02-30", "", "20240809", "2024-08-09T10:00"])
        | st.integers(),
    },
)
jsonl_lines = st.lists(
    records.map(lambda r: json.dumps(r, ensure_ascii=True)) | st.binary(max_size=30).map(repr),
    max_size=5,
)


def _expected_documents(folder: Path) -> int:
    """How many documents the inputs hold: one per .txt, one per non-blank JSONL line."""
    n = 0
    for p in folder.iterdir():
        if p.suffix == ".txt":
            n += 1
        elif p.suffix == ".jsonl":
            n += sum(1 for line in p.read_bytes().split(b"\n") if line.strip())
    return n


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(
    raw_bytes=st.binary(max_size=300),
    text=texts,
    lines=jsonl_lines,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1256"]),
)
def test_the_command_survives_anything(raw_bytes, text, lines, encoding):
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        (src / "bytes.txt").write_bytes(raw_bytes)
        (src / "text.txt").write_bytes(
            text.encode(encoding, errors="surrogatepass" if "utf-8" in encoding else "replace")
        )
        (src / "records.jsonl").write_text("\n".join(lines), encoding="utf-8")
        code = main(["extract", str(src), "--out", str(out), "--quiet"])
        assert code in (0, 1)
        docs = read_table(out / "documents.csv")
        ments = read_table(out / "mentions.csv")
        ents = read_table(out / "entities.csv")
        assert len(docs) == _expected_documents(src)
        assert docs["doc_id"].is_unique and ments["mention_id"].is_unique
        assert set(ments["entity_id"]) <= set(ents["entity_id"])
        assert (docs["status"] == "failed").any() == (code == 1)
        raws = {d.id: d.raw for d in iter_documents([str(src)])}
        for row in ments.itertuples():
            assert raws[row.doc_id][row.start : row.end] == row.text
