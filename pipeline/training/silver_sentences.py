"""News sentences labelled by the accurate NER, for training the default CRF on them (self-training;
issue: the default learns from the accurate model).

Why sentences and not only names: the silver names (`pipeline.training.silver_names`) pass on what
the teacher knows about word forms; the contexts it has learned (which verbs, titles and head nouns
come before a name, where an organization's name ends) reach the CRF only through labelled
sentences. The teacher is the accurate backend as shipped (the network pooled with the CRF, and the
document steps). A sentence is kept when every name the teacher found in it scored at least
`--min-score` (the pooled label probability of the mention): the confident part of its output,
which is where self-training gains rather than copies the teacher's errors. Articles in file order
(SaudiNewsNet, then ANT Corpus) until `--tokens` tokens are kept; deterministic.

The file (`silver_sentences.tsv`): one token per line, `normalized token<TAB>BIO label`
(PER/LOC/ORG), a blank line between sentences: the tokens are the pipeline's, as `ner_data`'s
re-tokenized corpora are. `python -m pipeline.training.ner train --silver-sentences FILE` reads it
as the set `silver_news`.

    python -m pipeline.training.silver_sentences --data $DATA_DIR --out build/ner_self/silver_sentences.tsv
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.resources import data_dir
from pipeline.training.ner_data import Sentence, _blocks, fix_bio
from pipeline.training.reproducible import pin_environment
from pipeline.training.silver_names import _TYPES, _articles

__all__ = [
    "SILVER_SET",
    "label_sentences",
    "read_silver_sentences",
    "write_silver_sentences",
    "training_splits",
]

SILVER_SET = "silver_news"
# the seed of the draw `training_splits` makes when asked for a sample (the file is in article order)
SAMPLE_SEED = 7
MIN_SCORE = 0.8
TOKENS = 300_000
# Sentences shorter than this are mostly headlines, datelines and captions; longer ones are run-ons
# the sentence splitter did not cut.
MIN_TOKENS, MAX_TOKENS = 4, 80


def _document_sentences(doc, min_score: float) -> list[Sentence]:
    """The sentences of one tagged document whose names all scored at least `min_score`."""
    names = [m for m in doc.mentions if m.source == "ner" and m.type in _TYPES]
    by_sent: dict[int, list] = {}
    for t in doc.tokens:
        by_sent.setdefault(t.sentence, []).append(t)
    out = []
    for toks in by_sent.values():
        if not MIN_TOKENS <= len(toks) <= MAX_TOKENS:
            continue
        here = [m for m in names if m.overlaps(toks[0].start, toks[-1].end)]
        if any(m.score < min_score for m in here):
            continue
        labels = ["O"] * len(toks)
        for m in sorted(here, key=lambda m: m.start):
            inside = [j for j, t in enumerate(toks) if m.overlaps(t.start, t.end)]
            for n, j in enumerate(inside):
                labels[j] = ("B-" if n == 0 else "I-") + _TYPES[m.type]
        out.append(list(zip((t.norm for t in toks), fix_bio(labels))))
    return out


def label_sentences(
    data: Path, tokens: int = TOKENS, min_score: float = MIN_SCORE, backend: str = "accurate"
) -> list[Sentence]:
    """Teacher-labelled news sentences, in article order, until `tokens` tokens are kept."""
    from pipeline.pipeline import Pipeline

    nlp = Pipeline.default(ner=backend)
    kept: list[Sentence] = []
    n_tok, read, t0 = 0, 0, time.time()
    for text in _articles(data, None):
        if n_tok >= tokens:
            break
        read += 1
        for sent in _document_sentences(nlp(text), min_score):
            kept.append(sent)
            n_tok += len(sent)
        if read % 200 == 0:
            print(
                f"{read} articles, {len(kept)} sentences kept, {n_tok} tokens ({time.time() - t0:.0f}s)",
                flush=True,
            )
    return kept


def write_silver_sentences(sents: list[Sentence], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for sent in sents:
            fh.write("".join(f"{w}\t{lab}\n" for w, lab in sent) + "\n")
    tmp.replace(out)


def read_silver_sentences(path: Path) -> list[Sentence]:
    return [[(w, lab) for w, lab in block] for block in _blocks(path, "\t")]


def training_splits(
    splits: dict[str, list[Sentence]],
    names: Sequence[str],
    silver_sentences: Path | None = None,
    sample: int | None = None,
) -> dict[str, list[Sentence]]:
    """`splits` with the set `silver_news` read from `silver_sentences` (all of them, or a seeded
    draw of `sample`), refusing any of `names` that no corpus gives: the trainers' one check."""
    if silver_sentences is not None:
        silver = read_silver_sentences(silver_sentences)
        if sample is not None:
            random.Random(SAMPLE_SEED).shuffle(silver)
            silver = silver[:sample]
        splits = {**splits, SILVER_SET: silver}
    unknown = [n for n in names if n not in splits]
    if unknown:
        raise SystemExit(
            f"unknown training sets {unknown}: the corpora give {sorted(splits)}"
            f" ({SILVER_SET} comes with --silver-sentences FILE)"
        )
    return splits


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--out", type=Path, default=Path("build/ner_self/silver_sentences.tsv"))
    ap.add_argument("--tokens", type=int, default=TOKENS, help="stop once this many are kept")
    ap.add_argument("--min-score", type=float, default=MIN_SCORE)
    ap.add_argument("--backend", default="accurate")
    args = ap.parse_args(argv)
    sents = label_sentences(args.data, args.tokens, args.min_score, args.backend)
    write_silver_sentences(sents, args.out)
    names = sum(lab.startswith("B-") for s in sents for _, lab in s)
    print(f"{args.out}: {len(sents)} sentences, {sum(map(len, sents))} tokens, {names} names")


if __name__ == "__main__":
    pin_environment("pipeline.training.silver_sentences")
    main()
