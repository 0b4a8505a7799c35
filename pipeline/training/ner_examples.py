"""Run the NER example corpus (pipeline/stages/ner_examples.tsv) and say which lines each backend passes.

Why a spec file beside the model: the held-out corpora measure agreement with their annotators, the
examples measure the constructions a new user meets first (clitic-attached names, institutions with a
generic head noun, clubs named after cities). A line passes when the PERSON / LOCATION / ORGANIZATION
mentions of the NER stage equal the expected ones exactly: same types, same raw texts, same order.

    python -m pipeline.training.ner_examples                 # pass counts per backend, per kind
    python -m pipeline.training.ner_examples --misses        # the failing lines, with what came out
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.pipeline import Pipeline
from pipeline.stages import NerStage, Normalizer, TagStage, Tokenizer

__all__ = [
    "EXAMPLES",
    "Example",
    "load_examples",
    "ner_pipeline",
    "found_mentions",
    "run_examples",
    "backend_names",
]

EXAMPLES = Path(__file__).resolve().parent.parent / "stages" / "ner_examples.tsv"
_SHORT = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
_LONG = {v: k for k, v in _SHORT.items()}


@dataclass(frozen=True)
class Example:
    """One line of the example file: a sentence and the mentions it must give, as (type, raw text)."""

    text: str
    mentions: tuple[tuple[str, str], ...]
    kind: str


def _parse_mentions(cell: str) -> tuple[tuple[str, str], ...]:
    if cell.strip() == "-":
        return ()
    out = []
    for item in cell.split(" ; "):
        typ, _, text = item.strip().partition(":")
        if typ not in _SHORT or not text:
            raise ValueError(f"bad mention {item!r} in {EXAMPLES.name}")
        out.append((_SHORT[typ], text))
    return tuple(out)


def load_examples(path: Path = EXAMPLES) -> list[Example]:
    """The example lines; '#' lines are comments, the first other line is the header."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [Example(r["text"], _parse_mentions(r["mentions"]), r["kind"]) for r in rows]


def ner_pipeline(backend: str | None = None) -> Pipeline:
    """The stages the NER depends on, then the NER stage of `backend` (None: the shipped default)."""
    return Pipeline([Normalizer(), Tokenizer(), TagStage(), NerStage(backend=backend)])


def found_mentions(nlp: Pipeline, text: str) -> tuple[tuple[str, str], ...]:
    """The name mentions the pipeline gives for `text`, in text order, as (type, raw text)."""
    doc = nlp(text)
    names = sorted((m for m in doc.mentions if m.type in _LONG), key=lambda m: (m.start, m.end))
    return tuple((m.type, m.text) for m in names)


def run_examples(
    nlp: Pipeline, examples: Sequence[Example]
) -> list[tuple[Example, tuple[tuple[str, str], ...]]]:
    """Each example with what the pipeline gave for it."""
    return [(ex, found_mentions(nlp, ex.text)) for ex in examples]


def _fmt(mentions: Iterable[tuple[str, str]]) -> str:
    return " ; ".join(f"{_LONG[t]}:{x}" for t, x in mentions) or "-"


def backend_names(args: Sequence[str] | None) -> list[str | None]:
    """The backends named by repeated and/or comma-separated `--backend` values, in order;
    [None] (the shipped default) when none is named."""
    return [b for arg in args or [] for b in arg.split(",") if b] or [None]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--backend",
        action="append",
        help="NER backend(s) to run, repeated or comma-separated as in `ner eval` "
        "(default: the shipped one)",
    )
    ap.add_argument("--misses", action="store_true", help="print every failing line")
    args = ap.parse_args(argv)
    examples = load_examples()
    for backend in backend_names(args.backend):
        results = run_examples(ner_pipeline(backend), examples)
        passed = Counter(ex.kind for ex, got in results if got == ex.mentions)
        total = Counter(ex.kind for ex in examples)
        name = backend or "default"
        print(f"{name}: {sum(passed.values())}/{len(examples)} lines pass")
        for kind in total:
            print(f"  {kind:12s} {passed[kind]:3d}/{total[kind]}")
        if args.misses:
            for ex, got in results:
                if got != ex.mentions:
                    print(f"  MISS {ex.text}\n     want {_fmt(ex.mentions)}\n     got  {_fmt(got)}")


if __name__ == "__main__":
    main()
