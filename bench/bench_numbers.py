"""Throughput of the numbers stage alone, in tokens per second.

Why this shape: the stage must keep up with the rest of the pipeline (target >= 100,000 tokens/s
per process). Normalize and tokenize run first and are not timed; only `NumberStage.__call__` is.

    .venv/bin/python bench/bench_numbers.py [N_ARTICLES]
"""

from __future__ import annotations

import gzip
import json
import sys
import time

from pipeline.document import Document
from pipeline.resources import data_dir
from pipeline.stages.normalize import Normalizer
from pipeline.stages.numbers import NumberStage
from pipeline.stages.tokenize import Tokenizer

__all__ = ["main"]


def load(n: int) -> list[str]:
    """The first n article bodies of SaudiNewsNet (gzip JSONL, field "text")."""
    path = data_dir() / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz"
    out: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"])
            if len(out) >= n:
                break
    return out


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 500
    t0 = time.perf_counter()
    stage = NumberStage()
    init = time.perf_counter() - t0
    norm, tok = Normalizer(), Tokenizer()
    docs = [tok(norm(Document(id=str(i), raw=t))) for i, t in enumerate(load(n))]
    tokens = sum(len(d.tokens) for d in docs)
    best = float("inf")
    mentions = 0
    for _ in range(3):
        for d in docs:
            d.mentions.clear()
        t = time.perf_counter()
        for d in docs:
            stage(d)
        best = min(best, time.perf_counter() - t)
        mentions = sum(len(d.mentions) for d in docs)
    print(f"articles {len(docs)}  tokens {tokens}  mentions {mentions}  init {init:.3f}s")
    print(f"numbers stage: {best:.3f}s  {tokens / best:,.0f} tokens/s (best of 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
