"""Throughput of the dates stage alone: tokens per second over real news articles.

Why a separate benchmark: the dates stage runs on every document, so it must stay far below the
cost of the model stages (target >= 100,000 tokens/s per process). Normalize and tokenize run first
and are not timed; only `DateStage.__call__` is.

Run: .venv/bin/python bench/bench_dates.py [--n 500] [--path FILE.jsonl.gz]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import time
from pathlib import Path

from pipeline.document import Document
from pipeline.resources import data_dir
from pipeline.stages.dates import DateStage
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tokenize import Tokenizer

__all__ = ["main"]


def _load(path: Path, n: int) -> list[Document]:
    docs: list[Document] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            rec = json.loads(line)
            date = rec.get("date")
            anchor = dt.date.fromisoformat(date[:10]) if date else None
            docs.append(Document(id=str(rec.get("id", i)), raw=rec["text"], date=anchor))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="number of articles (default 500)")
    ap.add_argument(
        "--path",
        type=Path,
        default=data_dir() / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz",
    )
    ap.add_argument("--repeat", type=int, default=3, help="timed passes; the best is reported")
    args = ap.parse_args()
    docs = _load(args.path, args.n)
    norm, tok = Normalizer(), Tokenizer()
    t0 = time.perf_counter()
    stage = DateStage()
    load_s = time.perf_counter() - t0
    for d in docs:
        tok(norm(d))
    n_tokens = sum(len(d.tokens) for d in docs)
    best = float("inf")
    n_mentions = 0
    for _ in range(args.repeat):
        for d in docs:
            d.mentions.clear()
        t0 = time.perf_counter()
        for d in docs:
            stage(d)
        best = min(best, time.perf_counter() - t0)
        n_mentions = sum(len(d.mentions) for d in docs)
    print(
        f"dates stage: {len(docs)} docs, {n_tokens} tokens, {n_mentions} mentions, "
        f"{best:.3f} s -> {n_tokens / best:,.0f} tokens/s (stage load {load_s:.2f} s)"
    )


if __name__ == "__main__":
    main()
