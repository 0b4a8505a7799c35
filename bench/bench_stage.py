"""Speed of one stage of the default pipeline alone, on real news (SaudiNewsNet).

    python bench/bench_stage.py dates --data ../shared/data -n 500 --repeat 3
    python bench/bench_stage.py ner --ner accurate -n 200      # another NER backend

The documents first go through the stages before it (untimed); then the stage runs over all of them
`--repeat` times (mentions reset between passes) and the first and the best pass are reported (the
first pass includes filling per-word caches). Start-up time is reported by bench_pipeline.py. Figures
only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_pipeline import load_articles  # noqa: E402

from pipeline.pipeline import Pipeline, as_document  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "stage", help="stage name: normalize, tokenize, tag, ner, dates, numbers, resolve"
    )
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("-n", type=int, default=500, help="number of articles")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ner", default=None, help="NER backend (crf, accurate, lstm, ensemble)")
    args = ap.parse_args()

    stages = list(Pipeline.default().stages)  # built as in real runs (models frozen out of the GC)
    names = [s.name for s in stages]
    rss0 = _rss_mb()
    if args.ner:
        from pipeline.stages.ner import NerStage

        t = time.perf_counter()
        stages[names.index("ner")] = NerStage(backend=args.ner)
        print(f"NER backend {args.ner}: loaded in {time.perf_counter() - t:.2f} s")
    if args.stage not in names:
        sys.exit(f"bench: no stage {args.stage!r}; stages: {', '.join(names)}")
    k = names.index(args.stage)
    stage = stages[k]

    docs = []
    for i, (text, meta) in enumerate(load_articles(Path(args.data), args.n)):
        doc = as_document((text, meta), i)
        for before in stages[:k]:
            doc = before(doc)
        docs.append(doc)
    kept = [list(d.mentions) for d in docs]
    tokens = sum(len(d.tokens) for d in docs)
    times = []
    cpu = []  # CPU seconds of this process: the figure that holds on a machine shared with others
    for _ in range(args.repeat):
        for d, m in zip(docs, kept):
            d.mentions = list(m)
        t = time.perf_counter()
        c = time.process_time()
        for d in docs:
            stage(d)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    added = sum(len(d.mentions) for d in docs) - sum(map(len, kept))
    print(f"{args.stage}: {len(docs)} articles, {tokens:,} tokens, {added:,} mentions added")
    print(
        f"  first pass: {tokens / times[0]:,.0f} tokens/s   best of {args.repeat}: "
        f"{tokens / min(times):,.0f} tokens/s"
    )
    print(
        f"  per CPU-second: first pass {tokens / cpu[0]:,.0f}   best of {args.repeat}: "
        f"{tokens / min(cpu):,.0f}   (load average {os.getloadavg()[0]:.1f})"
    )
    print(f"  peak RSS {_rss_mb():,.0f} MB (after loading the default stages: {rss0:,.0f} MB)")


def _rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
