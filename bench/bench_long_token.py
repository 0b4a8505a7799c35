"""Time the command on one article of a million letters without a space (a hostile input).

Prints the seconds the whole command takes (model loading included) and the mentions it found.
The work per token is bounded, so this stays near the time of an ordinary article of that size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LETTERS = "ابتثجحخدذرسشصضطظعغفقكلمنهوي"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--letters", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "blob.txt"
        src.write_text(
            "".join(LETTERS[(i * 7919) % len(LETTERS)] for i in range(args.letters)),
            encoding="utf-8",
        )
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "extract", str(src), "--out", f"{tmp}/out",
             "--quiet"],
            check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - t0
        mentions = len((Path(tmp) / "out" / "mentions.csv").read_text().splitlines()) - 1
    print(f"letters {args.letters}  seconds {seconds:.2f}  mentions {mentions}")


if __name__ == "__main__":
    main()
