"""Run the command twice over the same SaudiNewsNet articles in every format and compare the bytes.

    python bench/check_determinism.py --data ../shared/data -n 500

Every table file (and every part of a folder table) must be byte-identical between the two runs;
`run.json` is left out (it holds the run's start time and seconds). Prints one line per format and
exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import filecmp
import gzip
import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FORMATS = ("csv", "jsonl", "parquet", "parquet-partitioned")


def write_articles(data: Path, n: int, dest: Path) -> None:
    src = data / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz"
    if not src.exists():
        sys.exit(f"check_determinism: {src} not found; set DATA_DIR (or --data)")
    with gzip.open(src, "rt", encoding="utf-8") as fh, dest.open("w", encoding="utf-8") as out:
        for line in itertools.islice(fh, n):
            r = json.loads(line)
            out.write(json.dumps({"id": r["id"], "text": r["text"], "date": r["date"]}) + "\n")


def table_files(out: Path) -> list[Path]:
    return sorted(
        p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != "run.json"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("DATA_DIR", "../shared/data")))
    ap.add_argument("-n", type=int, default=500)
    args = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        articles = Path(tmp) / "articles.jsonl"
        write_articles(args.data, args.n, articles)
        for fmt in FORMATS:
            outs = [Path(tmp) / f"{fmt}-{k}" for k in (1, 2)]
            for out in outs:
                cmd = [sys.executable, "-m", "pipeline.cli", "extract", str(articles),
                       "--out", str(out), "--format", fmt, "--quiet"]  # fmt: skip
                subprocess.run(cmd, check=True)
            files = table_files(outs[0])
            same = files == table_files(outs[1]) and all(
                filecmp.cmp(outs[0] / f, outs[1] / f, shallow=False) for f in files
            )
            failures += not same
            print(f"{fmt:20s} {len(files)} files  {'identical' if same else 'DIFFERENT'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
