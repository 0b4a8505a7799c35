"""Names the accurate NER finds in the raw news, for the default CRF (issue: the default learns from
the accurate model).

Why: the accurate backend (character-LM BiLSTM-CRF) is slower than the default CRF; what it knows can
reach the CRF as a gazetteer it reads like the others. The teacher is the accurate backend as shipped
(the network pooled with the CRF, and the document steps) with the CRF trained *without* silver names
(`accurate_crf.weights.npz` once the default is its student), so the build has one order: network
and gold CRF → silver names → the CRF with them (`pipeline.training.ner_student`, the last step of
`make train`, which keeps the names no gazetteer holds). It labels the first `--articles` raw news articles
(SaudiNewsNet, then ANT Corpus; 0: all); every word of a PER/LOC/ORG mention counts once for that type, every
word outside the names once for O. A form seen at least `--min-count` times and labelled one type at least `--share`
of the time is a silver name of that type (`silver_names.tsv`: form, PER|LOC|ORG, count, share).
`NerFeaturizer` reads it as the gazetteers `s_PER`, `s_LOC`, `s_ORG` when meta.json says
`"silver_names": true`. Deterministic: the articles in file order, ties by form.

    python -m pipeline.training.silver_names --data $DATA_DIR --jobs 2 --out build/ner_silver/silver_names.tsv
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from pipeline.arabic.normalize import norm_word
from pipeline.ner.document import TYPE_MAP
from pipeline.resources import data_dir, models_dir
from pipeline.training.reproducible import pin_environment

__all__ = ["label_news", "silver_rows", "write_rows"]

# the stage's mention types -> the corpora's short types (PERSON -> PER)
_TYPES = {long: short for short, long in TYPE_MAP.items()}
# The first 5,000 SaudiNewsNet articles (1.9 M tokens): all the news (41k articles) scored higher on
# ANERcorp dev but lower on WikiFANE (models/cards/ner.md).
ARTICLES = 5000


_SOURCES = ("raw/saudinewsnet/saudinewsnet.jsonl.gz", "raw/antcorpus/antcorpus.jsonl.gz")


def _articles(data: Path, limit: int | None) -> Iterator[str]:
    """The raw news articles in file order: SaudiNewsNet, then ANT Corpus (`limit`: the first N)."""
    n = 0
    for rel in _SOURCES:
        with gzip.open(data / rel, "rt", encoding="utf-8") as fh:
            for line in fh:
                if limit is not None and n >= limit:
                    return
                n += 1
                yield json.loads(line).get("text") or ""


def _label_share(args: tuple[Path, int | None, str, int, int]) -> dict[str, Counter[str]]:
    """The counts of every `jobs`-th article from the `part`-th: one worker's share."""
    data, limit, backend, part, jobs = args
    meta_path = models_dir() / "ner" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    if meta.get("silver_names") and not meta.get("accurate_crf"):
        raise SystemExit(
            f"{meta_path} is a CRF trained with silver names: the teacher pools the network with the "
            "CRF trained without them; build that first (`python -m pipeline.training.ner train`)"
        )
    from pipeline.pipeline import Pipeline

    nlp = Pipeline.default(ner=backend)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    t0, tokens = time.time(), 0
    for k, text in enumerate(_articles(data, limit)):
        if k % jobs != part:
            continue
        doc = nlp(text)
        names = [m for m in doc.mentions if m.source == "ner" and m.type in _TYPES]
        for m in names:
            for w in norm_word(m.text).split():
                counts[w][_TYPES[m.type]] += 1
        spans = sorted((m.start, m.end) for m in names)
        for t in doc.tokens:
            if not any(a < t.end and t.start < b for a, b in spans):
                counts[t.norm]["O"] += 1
        tokens += len(doc.tokens)
        if (k // jobs) % 1000 == 999:
            print(
                f"worker {part}: {k + 1} articles read, {tokens} tokens ({time.time() - t0:.0f}s)",
                flush=True,
            )
    return dict(counts)


def label_news(
    data: Path, articles: int | None, backend: str = "accurate", jobs: int = 1
) -> dict[str, Counter[str]]:
    """Per normalized word form, how often the `backend` NER labelled it PER, LOC, ORG or O, over
    the first `articles` news articles (all with None), in `jobs` processes (the sums do not depend
    on how the articles are shared)."""
    shares = [(data, articles, backend, part, jobs) for part in range(jobs)]
    if jobs == 1:
        results = [_label_share(shares[0])]
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            results = pool.map(_label_share, shares)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for res in results:
        for w, c in res.items():
            counts[w].update(c)
    return counts


def silver_rows(
    counts: dict[str, Counter[str]], min_count: int = 3, share: float = 0.5
) -> list[tuple[str, str, int, float]]:
    """(form, type, times seen, share of that type) for the forms mostly labelled one name type."""
    rows = []
    for form, c in counts.items():
        total = sum(c.values())
        if total < min_count:
            continue
        typ, n = max(((t, c[t]) for t in ("PER", "LOC", "ORG")), key=lambda x: (x[1], x[0]))
        if n and n / total >= share:
            rows.append((form, typ, total, round(n / total, 3)))
    return sorted(rows, key=lambda r: (r[1], -r[2], r[0]))


def write_rows(rows: list[tuple[str, str, int, float]], out: Path, articles: int | None) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    which = "all the raw news" if articles is None else f"the first {articles} raw news articles"
    head = f"# form\ttype\tseen\tshare (the accurate NER over {which})\n"
    out.write_text(head + "".join("\t".join(map(str, r)) + "\n" for r in rows), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--out", type=Path, default=Path("build/ner_silver/silver_names.tsv"))
    ap.add_argument(
        "--articles",
        type=int,
        default=ARTICLES,
        help=f"the first N articles (default {ARTICLES}; 0: all)",
    )
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--share", type=float, default=0.5)
    ap.add_argument("--backend", default="accurate")
    args = ap.parse_args(argv)
    articles = args.articles or None
    counts = label_news(args.data, articles, args.backend, args.jobs)
    rows = silver_rows(counts, args.min_count, args.share)
    write_rows(rows, args.out, articles)
    by_type = Counter(r[1] for r in rows)
    print(f"{args.out}: {len(rows)} forms {dict(sorted(by_type.items()))}")


if __name__ == "__main__":
    pin_environment("pipeline.training.silver_names")
    main()
