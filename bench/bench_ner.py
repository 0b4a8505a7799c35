"""Benchmark the NER stage: model load time and tokens/s over real news (after normalize+tokenize).

    python bench/bench_ner.py [--data DIR] [--n 500] [--no-tag]

Reads the first N SaudiNewsNet articles from DATA_DIR, runs Normalizer + Tokenizer + TagStage once
(not timed; --no-tag leaves the tag stage out, as a pipeline without it), then times NerStage alone
over all of them in one process. Prints load seconds, tokens, seconds, tokens/s and mentions found.
Measurement only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from pipeline.document import Document
from pipeline.resources import data_dir
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tokenize import Tokenizer

__all__ = ["main"]


def load_articles(data: Path, n: int) -> list[str]:
    """The text of the first `n` articles of SaudiNewsNet."""
    out = []
    with gzip.open(data / "raw/saudinewsnet/saudinewsnet.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line).get("text") or "")
            if len(out) >= n:
                break
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--no-tag", action="store_true", help="do not run the tag stage first")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    from pipeline.stages.ner import NerStage

    stage = NerStage()
    load_s = time.perf_counter() - t0

    norm, tok = Normalizer(), Tokenizer()
    docs = [
        tok(norm(Document(f"d{i}", text)))
        for i, text in enumerate(load_articles(args.data, args.n))
    ]
    if not args.no_tag:
        from pipeline.stages.tag import TagStage

        tag = TagStage()
        docs = [tag(d) for d in docs]
    n_tokens = sum(len(d.tokens) for d in docs)

    t1 = time.perf_counter()
    for d in docs:
        stage(d)
    secs = time.perf_counter() - t1
    n_mentions = sum(len(d.mentions) for d in docs)
    print(f"model load      {load_s:.3f} s (import + NerStage())")
    print(
        f"articles        {len(docs)}{' (no tag stage)' if args.no_tag else ' (tag stage run first)'}"
    )
    print(f"backend         {stage.model.backend}, tag features {stage.model.uses_tags}")
    print(f"tokens          {n_tokens}")
    print(f"ner seconds     {secs:.2f}")
    print(f"tokens/s        {n_tokens / secs:,.0f}")
    print(f"mentions        {n_mentions}")


if __name__ == "__main__":
    main()
