"""Build `pipeline/lexicons/latin_names.tsv`: normalized Arabic name units -> a Latin spelling.

Why: a reader of the corpus table wants `Fumio Kishida`, not `فوميو كيشيدا`. arabnamer lists
English -> Arabic name pairs; inverted, they give the Latin spelling of a name unit as the Arabic
press writes it. Where several Latin spellings share one Arabic form (mohammed, muhammad ...), the
longest is kept (it keeps doubled letters: abbas over abas), then the first alphabetically, so the
file is the same on every build.

    python -m pipeline.training.build_latin_names --data DIR
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.arabic.normalize import normalize_text
from pipeline.resources import data_dir, lexicons_dir
from pipeline.training.reproducible import pin_environment

__all__ = ["build"]


def build(data: Path) -> dict[str, str]:
    pairs = json.loads((data / "lexicons/arabnamer/dict_FINAL.json").read_text(encoding="utf-8"))
    best: dict[str, str] = {}
    for latin, arabic in sorted(pairs.items()):
        key = " ".join(normalize_text(arabic)[0].split())
        latin = latin.strip().lower()
        if not key or not latin.replace("'", "").replace("-", "").replace(" ", "").isalpha():
            continue
        old = best.get(key)
        if old is None or (-len(latin), latin) < (-len(old), old):
            best[key] = latin
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=data_dir())
    args = ap.parse_args()
    table = build(args.data)
    out = lexicons_dir() / "latin_names.tsv"
    with out.open("w", encoding="utf-8") as fh:
        fh.write("# normalized Arabic name\tLatin spelling (from arabnamer, CC BY 4.0)\n")
        for key in sorted(table):
            fh.write(f"{key}\t{table[key]}\n")
    print(f"{out}: {len(table)} names")


if __name__ == "__main__":
    pin_environment("pipeline.training.build_latin_names")
    main()
