"""Speed and memory of the default pipeline on real news (SaudiNewsNet), per stage and end to end.

    python bench/bench_pipeline.py --data ../shared/data -n 1000

Prints documents/s, tokens/s (wall clock and process CPU time: on a shared machine the CPU figure is
the stabler one), start-up time and peak RSS. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import Pipeline  # noqa: E402
from pipeline.io import parse_date  # noqa: E402
from pipeline.pipeline import as_document  # noqa: E402


def load_articles(data: Path, n: int) -> list[tuple[str, dict]]:
    path = data / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz"
    if not path.exists():
        sys.exit(f"bench: {path} not found; set DATA_DIR (or --data) to the corpora folder")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in itertools.islice(fh, n)]
    return [(r["text"], {"id": r["id"], "date": r.get("date")}) for r in recs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("-n", type=int, default=1000, help="number of articles")
    args = ap.parse_args()

    items = load_articles(Path(args.data), args.n)
    t0 = time.perf_counter()
    nlp = Pipeline.default()
    startup = time.perf_counter() - t0

    wall = dict.fromkeys(nlp.names, 0.0)
    cpu = dict.fromkeys(nlp.names, 0.0)
    tokens = chars = 0
    for i, (text, meta) in enumerate(items):
        doc = as_document((text, dict(meta, date=str(parse_date(meta["date"]) or ""))), i)
        for stage in nlp.stages:
            w, c = time.perf_counter(), time.process_time()
            doc = stage(doc)
            wall[stage.name] += time.perf_counter() - w
            cpu[stage.name] += time.process_time() - c
        tokens += len(doc.tokens)
        chars += len(doc.raw)
    total_wall, total_cpu = sum(wall.values()), sum(cpu.values())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {len(items)}   tokens: {tokens:,}   chars: {chars:,}")
    print(f"start-up (Pipeline.default()): {startup:.2f} s")
    print(f"{'stage':<12}{'tokens/s (wall)':>18}{'tokens/s (cpu)':>18}")
    for name in nlp.names:
        print(f"{name:<12}{tokens / max(wall[name], 1e-9):>18,.0f}{tokens / max(cpu[name], 1e-9):>18,.0f}")
    print(f"{'ALL':<12}{tokens / total_wall:>18,.0f}{tokens / total_cpu:>18,.0f}")
    print(f"documents/s: {len(items) / total_wall:,.1f} (wall)   {len(items) / total_cpu:,.1f} (cpu)")
    print(f"peak RSS: {rss_mb:,.0f} MB")


if __name__ == "__main__":
    main()
