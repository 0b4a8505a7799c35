"""Throughput of the tag stage alone, on real news (the first N SaudiNewsNet articles).

    python bench/bench_tag.py [--data DIR] [--articles 500] [--backend crf]

Normalize and tokenize run first, untimed; only `TagStage.__call__` is timed, one process, cold
cache (a fresh stage), then a second pass with the per-form caches warm. Prints tokens/s for both,
by wall clock and by this process's CPU time (the two differ when other jobs share the cores).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

from pipeline.document import Document
from pipeline.resources import data_dir
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tag import TagStage
from pipeline.stages.tokenize import Tokenizer

__all__ = ["load_articles", "main"]


def load_articles(path: Path, n: int) -> list[str]:
    """The `text` field of the first n articles of a gzip JSONL file."""
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(texts) >= n:
                break
            texts.append(json.loads(line)["text"])
    return texts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--backend", default="crf")
    args = ap.parse_args(argv)
    path = (args.data or data_dir()) / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz"
    if not path.exists():
        print(f"{path} not found (set --data or DATA_DIR)", file=sys.stderr)
        return 2
    texts = load_articles(path, args.articles)
    norm, tok = Normalizer(), Tokenizer()
    t = time.perf_counter()
    stage = TagStage(backend=args.backend)
    load_s = time.perf_counter() - t
    for label in ("cold", "warm"):
        docs = [tok(norm(Document(id=str(i), raw=x))) for i, x in enumerate(texts)]
        n_tokens = sum(len(d.tokens) for d in docs)
        t = time.perf_counter()
        c = time.process_time()
        for d in docs:
            stage(d)
        dt = time.perf_counter() - t
        dc = time.process_time() - c
        print(
            f"{label}: {len(docs)} articles, {n_tokens} tokens, wall {dt:.2f}s = "
            f"{n_tokens / dt:,.0f} tokens/s, CPU {dc:.2f}s = {n_tokens / dc:,.0f} tokens/CPU-s "
            "(tag stage only)"
        )
    print(f"model load: {load_s:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
