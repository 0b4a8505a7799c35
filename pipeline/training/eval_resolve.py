"""Pairwise precision/recall/F1 of in-document resolution on pipeline/stages/resolve_examples.tsv.

    python -m pipeline.training.eval_resolve

Every pair of mentions in a case is a decision (same entity or not); the scores count the pairs the
stage puts together against the pairs the examples put together.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

from pipeline.arabic.normalize import normalize_text
from pipeline.document import Document, Mention
from pipeline.stages.resolve import ResolveStage

__all__ = ["load_cases", "build_document", "predicted_clusters", "pairwise", "main"]

EXAMPLES = Path(__file__).resolve().parent.parent / "stages" / "resolve_examples.tsv"


def load_cases(path: Path = EXAMPLES) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def build_document(spec: str) -> Document:
    """A document whose raw text is the mentions joined by ' ، ', with the mentions already added."""
    items = []
    for part in spec.split(" ; "):
        type_, _, text = part.partition(":")
        text, _, normalized = text.partition("=")
        items.append((type_, text, normalized or normalize_text(text)[0]))
    raw = " ، ".join(text for _, text, _ in items)
    doc = Document(id="case", raw=raw)
    pos = 0
    for type_, text, normalized in items:
        start = raw.index(text, pos)
        doc.mentions.append(Mention(type_, start, start + len(text), text, normalized))
        pos = start + len(text)
    return doc


def predicted_clusters(doc: Document) -> list[set[int]]:
    groups: dict[str, set[int]] = {}
    for i, m in enumerate(doc.mentions):
        groups.setdefault(m.entity_id, set()).add(i)
    return list(groups.values())


def parse_clusters(text: str) -> list[set[int]]:
    return [set(map(int, g.split())) for g in text.split("|")]


def _pairs(clusters: list[set[int]]) -> set[tuple[int, int]]:
    return {p for c in clusters for p in itertools.combinations(sorted(c), 2)}


def pairwise(gold: list[set[int]], pred: list[set[int]]) -> tuple[int, int, int]:
    """(true positive pairs, predicted pairs, gold pairs)."""
    g, p = _pairs(gold), _pairs(pred)
    return len(g & p), len(p), len(g)


def main() -> None:
    stage = ResolveStage()
    tp = npred = ngold = 0
    wrong = []
    cases = load_cases()
    for case in cases:
        doc = stage(build_document(case["mentions"]))
        gold, pred = parse_clusters(case["clusters"]), predicted_clusters(doc)
        a, b, c = pairwise(gold, pred)
        tp, npred, ngold = tp + a, npred + b, ngold + c
        if sorted(map(sorted, gold)) != sorted(map(sorted, pred)):
            wrong.append(case["mentions"])
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"resolve examples: {len(cases)} cases, {len(cases) - len(wrong)} exactly right")
    print(f"pairwise  P {100 * p:.1f}  R {100 * r:.1f}  F1 {100 * f:.1f}  (gold pairs {ngold})")
    for w in wrong:
        print("  wrong:", w)


if __name__ == "__main__":
    main()
