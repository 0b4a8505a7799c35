"""Speed and memory of the default pipeline on real news (SaudiNewsNet), per stage and end to end.

    python bench/bench_pipeline.py --data ../shared/data -n 1000 [--stages normalize,tokenize]
    python bench/bench_pipeline.py --data ../shared/data --full --jobs 2

--full runs the `arabic-ie extract` command itself over every raw/*/*.jsonl.gz corpus (SaudiNewsNet and
ANT, 41,191 articles) and reports documents/s, tokens/s, failures, row counts, the peak RSS of the
whole process tree, and the tree's RSS after 1,000 and after 40,000 documents (flat memory).

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


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def full_run(data: Path, jobs: int, out: Path) -> None:
    """The whole corpus through the real command, sampled for memory as it goes."""
    import subprocess

    import psutil

    from pipeline.store import WORK_DIR
    from pipeline.table import read_table

    inputs = sorted(str(p) for p in data.glob("raw/*/*.jsonl.gz"))
    if not inputs:
        sys.exit(f"bench: no raw/*/*.jsonl.gz under {data}")
    shard = 500
    cmd = [sys.executable, "-m", "pipeline.cli", "extract", *inputs, "--out", str(out)]
    cmd += ["--jobs", str(jobs), "--quiet"]
    env = {**__import__("os").environ, "ARABIC_IE_SHARD_DOCS": str(shard)}
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, env=env)
    proc = psutil.Process(child.pid)
    samples: list[tuple[int, int]] = []  # (documents saved, tree RSS)
    peak = 0
    while child.poll() is None:
        rss = _tree_rss(proc)
        peak = max(peak, rss)
        done = len(list((out / WORK_DIR).glob("shard-*.pkl"))) * shard
        samples.append((done, rss))
        time.sleep(0.5)
    wall = time.perf_counter() - t0
    docs = read_table(out / "documents.csv")
    n_mentions = sum(1 for _ in open(out / "mentions.csv", encoding="utf-8")) - 1
    n_entities = sum(1 for _ in open(out / "entities.csv", encoding="utf-8")) - 1

    def rss_at(n: int) -> float:
        after = [r for d, r in samples if d >= n]
        return max(after[:4]) / 2**20 if after else float("nan")

    print(f"command: {' '.join(cmd[1:])}")
    print(f"exit code: {child.returncode}   wall: {wall:,.0f} s   jobs: {jobs}")
    print(f"documents: {len(docs):,}   failed: {(docs['status'] == 'failed').sum():,}")
    print(f"tokens: {docs['tokens'].sum():,}   mentions: {n_mentions:,}   entities: {n_entities:,}")
    print(f"documents/s: {len(docs) / wall:,.1f}   tokens/s: {docs['tokens'].sum() / wall:,.0f}")
    print(f"peak RSS (whole process tree): {peak / 2**20:,.0f} MB")
    print(
        f"tree RSS after 1,000 docs: {rss_at(1000):,.0f} MB   after 40,000: {rss_at(40000):,.0f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("-n", type=int, default=1000, help="number of articles")
    ap.add_argument(
        "--stages",
        help="comma-separated stage names to keep (e.g. normalize,tokenize); default all",
    )
    ap.add_argument("--full", action="store_true", help="the whole corpus through the command")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default="outputs/bench-full")
    args = ap.parse_args()
    if args.full:
        full_run(Path(args.data), args.jobs, Path(args.out))
        return

    items = load_articles(Path(args.data), args.n)
    t0 = time.perf_counter()
    if args.stages:  # only these stages are built: nothing else loaded into the process
        import pipeline.stages as st

        classes = {c.name: c for c in map(st.__dict__.get, st.__all__) if hasattr(c, "name")}
        nlp = Pipeline([classes[name]() for name in args.stages.split(",")])
    else:
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
    print(f"start-up (building the pipeline, models included): {startup:.2f} s")
    print(f"{'stage':<12}{'tokens/s (wall)':>18}{'tokens/s (cpu)':>18}")
    for name in nlp.names:
        print(
            f"{name:<12}{tokens / max(wall[name], 1e-9):>18,.0f}{tokens / max(cpu[name], 1e-9):>18,.0f}"
        )
    print(f"{'ALL':<12}{tokens / total_wall:>18,.0f}{tokens / total_cpu:>18,.0f}")
    print(
        f"documents/s: {len(items) / total_wall:,.1f} (wall)   {len(items) / total_cpu:,.1f} (cpu)"
    )
    print(f"peak RSS: {rss_mb:,.0f} MB")


if __name__ == "__main__":
    main()
