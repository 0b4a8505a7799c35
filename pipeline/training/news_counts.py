"""Word counts of the raw news (SaudiNewsNet + ANT Corpus), for deciding whether a first letter is a proclitic.

Why: a name may begin with a letter that is also a proclitic (بايدن، لافروف، بلينكن). The tagger, trained on
PADT, splits such unseen words (ب + ايدن); how often each form stands alone in eleven million words of news
says which reading is the word. Forms seen fewer than `min_count` times are left out (typos, rare
inflections), which keeps the file small. Deterministic: counts, then ties by form.

    python -m pipeline.training.news_counts --data $DATA_DIR     # models/ner/news_counts.tsv.gz
"""

from __future__ import annotations

import argparse
import gzip
from collections import Counter
from pathlib import Path

from pipeline.resources import data_dir, models_dir
from pipeline.training.ner_clusters import news_sentences
from pipeline.training.reproducible import pin_environment

__all__ = ["count_news_words", "write_counts"]

_ARABIC = frozenset(chr(c) for c in range(0x0621, 0x064B))


def count_news_words(data: Path, limit: int | None = None) -> Counter[str]:
    """Counts of the normalized Arabic word forms of the raw news."""
    counts: Counter[str] = Counter()
    for toks in news_sentences(data, limit):
        counts.update(t for t in toks if t[0] in _ARABIC)
    return counts


def write_counts(counts: Counter[str], out: Path, min_count: int = 3) -> int:
    """Write `form<TAB>count` lines, most frequent first (gzip with a fixed header time); returns the count."""
    rows = sorted(
        ((w, c) for w, c in counts.items() if c >= min_count), key=lambda r: (-r[1], r[0])
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# normalized word form\tcount in SaudiNewsNet + ANT Corpus (forms seen 3 times or more)\n"
    )
    text += "".join(f"{w}\t{c}\n" for w, c in rows)
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(text.encode("utf-8"))
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--out", type=Path, default=models_dir() / "ner" / "news_counts.tsv.gz")
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args(argv)
    n = write_counts(count_news_words(args.data), args.out, args.min_count)
    print(f"{args.out}: {n} forms")


if __name__ == "__main__":
    pin_environment("pipeline.training.news_counts")
    main()
