"""The default CRF as the accurate backend's student: the last step of `make train`.

Why: the accurate backend (character-LM BiLSTM-CRF) finds more names but runs at a fraction of the
default's speed. What it knows reaches the fast CRF in two ways, both measured in
models/cards/ner.md: the news sentences whose names it is sure of, as training sentences beside
ANERcorp train (the contexts: which verbs, titles and head nouns come before a name), and the word
forms it labels one type most of the time, as gazetteer flags (`s_PER`, `s_LOC`, `s_ORG`). Forms a
gazetteer already holds are left out of the silver names: their own flag speaks for them, and a
silver flag beside it took weight from the gazetteer (أستانا, a city in the gazetteer, was lost).

The build has one order, and this step checks it:
1. `python -m pipeline.training.ner train` has built the CRF on gold data into models/ner;
2. that CRF is kept as `accurate_crf.weights.npz`: the accurate backend pools its network with it
   (meta.json "accurate_crf"), as it did when it was chosen, and the two are the teacher;
3. the teacher labels the raw news (`silver_names`: the first 5,000 articles; `silver_sentences`:
   300k tokens of the sentences whose names scored at least 0.8), in file order: deterministic;
4. the CRF is trained again, on ANERcorp train + the silver sentences, with the silver names, into
   models/ner: the default backend.
Running it twice without step 1 would teach the student with itself; it refuses.

    python -m pipeline.training.ner_student --data $DATA_DIR       # after `ner train` (make train)
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from pipeline.ner.features import NerFeaturizer
from pipeline.ner.model import require_accurate
from pipeline.resources import BackendMissing, data_dir, models_dir
from pipeline.training.ner import ADAPT_SETS, TRAIN_SETS, train
from pipeline.training.reproducible import pin_environment
from pipeline.training.silver_names import ARTICLES, label_news, silver_rows, write_rows
from pipeline.training.silver_sentences import (
    SILVER_SET,
    TOKENS,
    label_sentences,
    write_silver_sentences,
)

__all__ = ["GOLD_CRF", "unlisted_names", "check_gold", "build_student"]

# The gold CRF's weight table beside the student's (ner.weights.npz) in models/ner.
GOLD_CRF = "accurate_crf.weights.npz"


def unlisted_names(
    rows: list[tuple[str, str, int, float]], featurizer: NerFeaturizer
) -> list[tuple[str, str, int, float]]:
    """The silver names no gazetteer of `featurizer` holds (trigger words and silver names aside)."""
    listed: set[str] = set()
    for kind, words in featurizer.gazetteers.items():
        if not kind.startswith(("s_", "t_")):
            listed |= words
    return [r for r in rows if r[0] not in listed]


def check_gold(model_dir: Path) -> dict:
    """meta.json of the CRF in `model_dir`, refusing a student, or a directory without the teacher's
    files (the network, its LMs: `require_accurate`, the stage's own check)."""
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    if meta.get("accurate_crf") or meta.get("silver_names"):
        raise SystemExit(
            f"{model_dir / 'ner.weights.npz'} is already a student (meta.json names silver names or "
            "accurate_crf): build the CRF on gold data first, `python -m pipeline.training.ner train`"
        )
    try:
        require_accurate(model_dir)
    except BackendMissing as err:
        raise SystemExit(f"the teacher is the accurate backend: {err}") from err
    return meta


def build_student(
    data: Path,
    work: Path,
    articles: int | None = ARTICLES,
    tokens: int = TOKENS,
    jobs: int = 1,
) -> dict:
    """Steps 2–4 of the module docstring on models/ner; returns the student's meta.json."""
    model_dir = models_dir() / "ner"
    check_gold(model_dir)
    shutil.copyfile(model_dir / "ner.weights.npz", model_dir / GOLD_CRF)
    counts = label_news(data, articles, "accurate", jobs)
    featurizer = NerFeaturizer.load(model_dir, use_tags=True)
    rows = unlisted_names(silver_rows(counts), featurizer)
    write_rows(rows, model_dir / "silver_names.tsv", articles)
    print(f"silver names: {len(rows)} forms no gazetteer holds", flush=True)
    sentences = work / "silver_sentences.tsv"
    write_silver_sentences(label_sentences(data, tokens), sentences)
    return train(
        data,
        model_dir,
        (*TRAIN_SETS, SILVER_SET),
        adapt_sets=ADAPT_SETS,
        silver=True,
        silver_sentences=sentences,
        extra_meta={"accurate_crf": GOLD_CRF},
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--work", type=Path, default=Path("build/ner_student"))
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for the silver names")
    args = ap.parse_args(argv)
    meta = build_student(args.data, args.work, jobs=args.jobs)
    print(json.dumps(meta, ensure_ascii=False))


if __name__ == "__main__":
    pin_environment("pipeline.training.ner_student")
    main()
