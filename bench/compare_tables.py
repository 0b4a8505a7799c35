"""Byte-identity gate for refactors: the tables of the default pipeline, before and after.

    python bench/compare_tables.py snapshot DIR [--data ../shared/data] [-n 500] [--jobs 1]
    python bench/compare_tables.py compare DIR_A DIR_B

`snapshot` runs the `arabic-ie extract` command of this checkout (`python -m pipeline.cli`, CSV tables)
over (a) the seed folder `seeds/` and (b) the first N SaudiNewsNet articles of DATA_DIR (written to a
temporary JSONL file, in file order), and keeps the tables under DIR/seed and DIR/news.
`compare` checks two such folders table by table, byte for byte, except the `seconds` column of
documents.csv (a timing), which is dropped from both sides before comparing when present.
Exit code 0 when every table is identical, 1 otherwise. Before and after a change: run `snapshot` with
the script of each checkout (an older one unpacked with `git archive REV | tar -x -C DIR`, say), then
`compare` the two folders.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = ("seed", "news")
TIMING_COLUMNS = {"documents.csv": ("seconds",)}


def _news_jsonl(data: Path, n: int, dest: Path) -> Path:
    src = data / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz"
    if not src.exists():
        sys.exit(f"compare_tables: {src} not found; set DATA_DIR (or --data) to the corpora folder")
    out = dest / "news.jsonl"
    with gzip.open(src, "rt", encoding="utf-8") as fh, out.open("w", encoding="utf-8") as w:
        for line in itertools.islice(fh, n):
            r = json.loads(line)
            rec = {"id": r["id"], "text": r["text"], "date": r.get("date")}
            w.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def _extract(inp: str, cwd: Path, out: Path, jobs: int) -> None:
    """Run the command from `cwd` on the relative path `inp` (the source column names it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pipeline.cli", "extract", inp, "--out", str(out.resolve())]
    cmd += ["--format", "csv", "--quiet", "--jobs", str(jobs)]
    rc = subprocess.run(cmd, cwd=cwd, env=env).returncode
    if rc not in (0, 1):  # 1: some documents failed, which the tables record
        sys.exit(f"compare_tables: extract exited with {rc}")


def snapshot(dest: Path, data: Path, n: int, jobs: int) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    _extract("seeds", ROOT, dest / "seed", jobs)
    with tempfile.TemporaryDirectory() as tmp:
        _extract(_news_jsonl(data, n, Path(tmp)).name, Path(tmp), dest / "news", jobs)
    for run in RUNS:
        for p in sorted((dest / run).glob("*.csv")):
            print(f"{run}/{p.name}: {p.stat().st_size:,} bytes")


def _canonical(path: Path) -> bytes:
    """The table's bytes, without its timing columns (re-serialized only when there are some)."""
    raw = path.read_bytes()
    drop = TIMING_COLUMNS.get(path.name, ())
    if not drop:
        return raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    if not rows or not any(c in rows[0] for c in drop):
        return raw
    keep = [i for i, c in enumerate(rows[0]) if c not in drop]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow([r[i] for i in keep if i < len(r)])
    return buf.getvalue().encode("utf-8")


def compare(a: Path, b: Path) -> int:
    bad = 0
    for run in RUNS:
        names = sorted(
            {p.name for p in (a / run).glob("*.csv")} | {p.name for p in (b / run).glob("*.csv")}
        )
        if not names:
            print(f"{run}: no tables")
            bad += 1
        for name in names:
            pa, pb = a / run / name, b / run / name
            if not pa.exists() or not pb.exists():
                print(f"{run}/{name}: only in {a if pa.exists() else b}")
                bad += 1
                continue
            ca, cb = _canonical(pa), _canonical(pb)
            if ca == cb:
                print(f"{run}/{name}: identical ({len(ca):,} bytes)")
                continue
            bad += 1
            la, lb = ca.splitlines(), cb.splitlines()
            first = next(
                (i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb))
            )
            print(
                f"{run}/{name}: DIFFERENT ({len(la)} vs {len(lb)} lines; first at line {first + 1})"
            )
            for side, lines in (("<", la), (">", lb)):
                if first < len(lines):
                    print(f"  {side} {lines[first].decode('utf-8', 'replace')[:300]}")
    print("identical" if not bad else f"{bad} table(s) differ")
    return 0 if not bad else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("snapshot", help="run the pipeline and keep its tables in DIR")
    s.add_argument("dir", type=Path)
    s.add_argument("--data", type=Path, default=Path(os.environ.get("DATA_DIR", "../shared/data")))
    s.add_argument("-n", type=int, default=500, help="number of SaudiNewsNet articles")
    s.add_argument("--jobs", type=int, default=1)
    c = sub.add_parser("compare", help="compare two snapshot folders")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.command == "snapshot":
        snapshot(args.dir, args.data, args.n, args.jobs)
    else:
        sys.exit(compare(args.a, args.b))


if __name__ == "__main__":
    main()
