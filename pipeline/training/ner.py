"""Train and evaluate the NER CRF.

    python -m pipeline.training.ner train [--data DIR] [--out models/ner]
    python -m pipeline.training.ner eval  [--data DIR] [--model models/ner]

`train` rebuilds models/ner/ner.weights.npz, vocab.tsv and meta.json from the corpora in DATA_DIR (the
word clusters, models/ner/clusters.tsv, come from `python -m pipeline.training.ner_clusters`, and the
gazetteers from `python -m pipeline.training.ner_lexicons`). The model is the average of two CRFs
(`average_weights`): one trained on ANERcorp alone, one on all three corpora with ANERcorp's features
also copied under a target-domain prefix (domain adaptation). This is the CRF on gold data; `make
train` then runs `pipeline.training.ner_student`, which keeps it for the accurate backend and trains
the shipped default again from it with what the accurate backend teaches. Deterministic: L-BFGS has no
randomness and the corpora are read in file order. `eval` prints exact-span P/R/F1 per type and micro-averaged
on the ANERcorp dev split (last 10% of train.txt), the WikiFANE held-out 10% and the Wojood val file.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.lexicons import load_rows
from pipeline.ner.crf import TARGET_PREFIX, average_weights, export_weights
from pipeline.ner.document import bio_spans
from pipeline.ner.features import NerFeaturizer
from pipeline.ner.model import NerModel
from pipeline.ner.tokens import TagInfo, tag_sentences_info
from pipeline.resources import data_dir, models_dir
from pipeline.training.ner_data import Sentence, load_splits
from pipeline.training.reproducible import pin_environment
from pipeline.training.silver_sentences import SILVER_SET, training_splits

__all__ = [
    "train",
    "evaluate",
    "prf",
    "tag_infos",
    "TRAIN_SETS",
    "ADAPT_SETS",
    "ALL_TRAIN_SETS",
    "EVAL_SETS",
    "CRF_PARAMS",
]

# The in-domain part: ANERcorp alone scored best on ANERcorp dev and the seed (models/cards/ner.md;
# WikiFANE and Wojood simply added lower ANERcorp dev). Others: --sets.
TRAIN_SETS = ("anercorp_train",)
# The adapted part is trained on TRAIN_SETS + ADAPT_SETS, TRAIN_SETS' features also copied under
# TARGET_PREFIX (Daume 2007), and averaged with the in-domain part at ADAPT_SHARE. The average keeps
# ANERcorp dev (77.0 either way) and gains on the other sources' held-out data: WikiFANE 62.7 -> 65.8,
# Wojood 42.0 -> 49.0 (models/cards/ner.md).
ADAPT_SETS = ("wikifane_train", "wojood_train")
ADAPT_SHARE = 0.5
ALL_TRAIN_SETS = ("anercorp_train", "wikifane_train", "wojood_train")
EVAL_SETS = ("anercorp_dev", "wikifane_heldout", "wojood_val")
TYPES = ("PER", "LOC", "ORG")
# Features from the tag stage (models/tag), see NerFeaturizer.sentence_features: on in the shipped
# model (it scores higher on ANERcorp dev than without, same code and data: models/cards/ner.md).
TAG_FEATURES = True
# The names the accurate backend finds in the raw news (`pipeline.training.silver_names`) as
# gazetteers: off for `ner train`, which builds the CRF on gold data; the shipped default is that
# CRF's student, trained with them by `pipeline.training.ner_student`.
SILVER_NAMES = False
# Sentences per pseudo-document in `evaluate` (the corpora have no document boundaries).
DOC_SIZE = 10
CRF_PARAMS = {
    "c1": 0.05,
    "c2": 0.02,
    "max_iterations": 150,
    "feature.possible_transitions": True,
    "feature.minfreq": 1,
}


def _vocab(sents: Iterable[Sentence]) -> Counter[str]:
    """Word counts for the proclitic decision: training tokens plus every gazetteer name."""
    counts: Counter[str] = Counter(tok for s in sents for tok, _ in s)
    for name in ("countries", "cities", "person_names"):
        for row in load_rows(name):
            for w in row[0].split():
                counts[w] += 3
    return counts


def tag_infos(sents: Sequence[Sentence], tagger=None) -> list[list[TagInfo]]:
    """Run the tag models (models/tag) on corpus sentences of our tokens: `tag_sentences_info`."""
    from pipeline.tagging.model import Tagger

    return tag_sentences_info([[t for t, _ in s] for s in sents], tagger or Tagger())


def _features(
    feat: NerFeaturizer,
    sents: list[Sentence],
    infos: Sequence[list[TagInfo] | None],
) -> Iterable[tuple[list[list[str]], list[str]]]:
    """(features, labels) of every sentence of a training set; `infos`: its `tag_infos` (or Nones)."""
    for sent, info in zip(sents, infos):
        yield feat.sentence_features([t for t, _ in sent], info), [lab for _, lab in sent]


def _train_part(
    feat: NerFeaturizer,
    splits: dict[str, list[Sentence]],
    infos: dict[str, list],
    sets: Sequence[str],
    target: Sequence[str],
    params: dict,
    weights: dict[str, int],
    model: Path,
    t0: float,
) -> tuple[Path, int]:
    """Train one CRF on `sets` (sentences of `target` sets also with prefixed copies of their
    features); write `model` and its numpy table beside it. Returns the table and the token count."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    n_tok = 0
    for name in sets:
        copy = name in target
        for _ in range(weights.get(name, 1)):
            for feats, labels in _features(feat, splits[name], infos[name]):
                if copy:
                    feats = [f + [TARGET_PREFIX + x for x in f] for f in feats]
                trainer.append(feats, labels)
                n_tok += len(labels)
    print(f"features of {'+'.join(sets)}: {n_tok} tokens ({time.time() - t0:.0f}s)", flush=True)
    trainer.select("lbfgs", "crf1d")
    trainer.set_params(params)
    trainer.train(str(model))
    print(f"trained {model.name} ({time.time() - t0:.0f}s)", flush=True)
    return export_weights(model), n_tok


def train(
    data: Path,
    out: Path,
    sets: Sequence[str] = TRAIN_SETS,
    params: dict | None = None,
    weights: dict[str, int] | None = None,
    tag_features: bool = TAG_FEATURES,
    adapt_sets: Sequence[str] = ADAPT_SETS,
    adapt_share: float = ADAPT_SHARE,
    silver: bool = SILVER_NAMES,
    silver_sentences: Path | None = None,
    extra_meta: dict | None = None,
) -> dict:
    """Train the NER CRF on `sets` and write ner.weights.npz, vocab.tsv and meta.json into `out`.

    With `adapt_sets`, the model is the average of the CRF on `sets` (share 1 - `adapt_share`) and
    the CRF on `sets` + `adapt_sets` with `sets` as the target domain. `tag_features`: add the tag
    stage's features (the tag stage is run on the training sentences). `silver`: the accurate NER's
    names in the raw news as gazetteers (`out`/silver_names.tsv, `pipeline.training.silver_names`).
    `silver_sentences`: news sentences the accurate NER labelled (`pipeline.training.silver_sentences`),
    the set `silver_news` that `sets` or `adapt_sets` may then name. `extra_meta`: entries added at
    the end of meta.json (the student's `accurate_crf`).
    """
    t0 = time.time()
    splits = training_splits(load_splits(data), (*sets, *adapt_sets), silver_sentences)
    if silver and not (out / "silver_names.tsv").exists():
        raise SystemExit(
            f"{out / 'silver_names.tsv'} is missing: build it with "
            "`python -m pipeline.training.silver_names` (or train with --no-silver)"
        )
    feat = NerFeaturizer.load(out, use_tags=tag_features, silver=silver)
    params = {**CRF_PARAMS, **(params or {})}
    weights = weights or {}
    out.mkdir(parents=True, exist_ok=True)
    parts = [(list(sets), [], 1.0 - adapt_share if adapt_sets else 1.0)]
    if adapt_sets:
        parts.append(([*sets, *adapt_sets], list(sets), adapt_share))
    # the tag stage runs once per set, though a set may feed both parts (and repeat within one)
    infos = {
        name: tag_infos(splits[name]) if tag_features else [None] * len(splits[name])
        for name in dict.fromkeys(n for p in parts for n in p[0])
    }
    tables, part_meta = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (part_sets, target, share) in enumerate(parts):
            table, n_tok = _train_part(
                feat,
                splits,
                infos,
                part_sets,
                target,
                params,
                weights,
                Path(tmp) / f"part{k}.crfsuite",
                t0,
            )
            tables.append(table)
            part_meta.append(
                {"sets": part_sets, "target_sets": target, "share": share, "train_tokens": n_tok}
            )
        average_weights(tables, [p[2] for p in parts], out / "ner.weights.npz")
    for stale in ("ner.crfsuite", "attributes.txt"):  # files of the single-crfsuite model format
        (out / stale).unlink(missing_ok=True)
    # gold sets only: the counts decide proclitics and unseen words for every backend, and a student
    # CRF (pipeline.training.ner_student) shares them with the accurate backend's gold CRF
    counts = _vocab(s for name in sets if name != SILVER_SET for s in splits[name])
    with (out / "vocab.tsv").open("w", encoding="utf-8") as fh:
        fh.write("# normalized word\tcount (training tokens + 3 per gazetteer occurrence)\n")
        for w, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            if c >= 2 and not any(ch.isdigit() for ch in w):
                fh.write(f"{w}\t{c}\n")
    meta = {
        "features_version": NerFeaturizer.VERSION,
        "train_sets": list(sets),
        "parts": part_meta,
        "weights": weights,
        "crf_params": params,
        "clusters": bool(feat.clusters),
        "tag_features": tag_features,
        **({"silver_names": True} if silver else {}),
        **({"silver_sentences": len(splits[SILVER_SET])} if silver_sentences is not None else {}),
        **(extra_meta or {}),
    }
    # no training time in meta.json: the file is a build output, the same bytes on every build
    print(f"trained in {time.time() - t0:.0f}s", flush=True)
    (out / "meta.json").write_text(
        json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return meta


def prf(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]
) -> dict[str, tuple[float, ...]]:
    """Exact-span precision/recall/F1 (percent) and counts per type and micro over TYPES."""
    tp: Counter[str] = Counter()
    ng: Counter[str] = Counter()
    np_: Counter[str] = Counter()
    for g, p in zip(gold, pred):
        gs = {s for s in bio_spans(g) if s[2] in TYPES}
        ps = {s for s in bio_spans(p) if s[2] in TYPES}
        for s in gs:
            ng[s[2]] += 1
        for s in ps:
            np_[s[2]] += 1
        for s in gs & ps:
            tp[s[2]] += 1
    out = {}
    for t in (*TYPES, "micro"):
        a, b, c = (
            (sum(tp.values()), sum(np_.values()), sum(ng.values()))
            if t == "micro"
            else (tp[t], np_[t], ng[t])
        )
        p = 100 * a / b if b else 0.0
        r = 100 * a / c if c else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[t] = (p, r, f, c)
    return out


def evaluate(
    data: Path,
    model: Path,
    sets: Sequence[str] = EVAL_SETS,
    splits: dict[str, list[Sentence]] | None = None,
    propagate: bool = True,
    doc_size: int = DOC_SIZE,
    backend: str | None = None,
    institutions: bool = True,
    quiet: bool = False,
) -> dict[str, dict]:
    """Tag each held-out set with the model in `model` and print P/R/F1 tables.

    The corpora have no document boundaries we can trust, so with `propagate` (the stage's
    document-level consistency step) consecutive runs of `doc_size` sentences stand for a document.
    """
    stage = NerModel(model, propagate=propagate, backend=backend, institutions=institutions)
    splits = splits or load_splits(data)
    results = {}
    for name in sets:
        gold, pred = [], []
        sents = splits[name]
        infos = tag_infos(sents) if stage.uses_tags else None
        for g in range(0, len(sents), doc_size):
            group = sents[g : g + doc_size]
            labels, _ = stage.tag_document(
                [[t for t, _ in s] for s in group], infos[g : g + doc_size] if infos else None
            )
            gold.extend([lab for _, lab in s] for s in group)
            pred.extend(labels)
        res = prf(gold, pred)
        results[name] = res
        if quiet:
            continue
        mode = f"documents of {doc_size} sentences" if propagate else "model only"
        print(f"\n{name}  ({len(gold)} sentences, exact span, {stage.backend}, {mode})")
        print(f"{'type':6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
        for t, (p, r, f, n) in res.items():
            print(f"{t:6} {p:6.2f} {r:6.2f} {f:6.2f} {n:6d}")
    return results


def evaluate_side_by_side(
    data: Path, model: Path, backends: Sequence[str], **kw
) -> dict[str, dict[str, dict]]:
    """Evaluate several backends on the same sets and print one table per set, backends side by
    side; a backend whose files are missing is named and left out."""
    results: dict[str, dict[str, dict]] = {}
    splits = load_splits(data)
    for b in backends:
        try:
            results[b] = evaluate(data, model, splits=splits, backend=b, quiet=True, **kw)
        except (FileNotFoundError, ImportError) as err:
            print(f"{b}: not evaluated ({err})")
    if not results:
        return results
    names = list(results)
    for name in next(iter(results.values())):
        print(
            f"\n{name}  (exact span, P / R / F1; documents of {kw.get('doc_size', DOC_SIZE)} sentences)"
        )
        print(f"{'type':6} " + " ".join(f"{b:>22}" for b in names) + f" {'gold':>6}")
        for t in (*TYPES, "micro"):
            cells = [results[b][name][t] for b in names]
            print(
                f"{t:6} "
                + " ".join(f"{p:6.2f} {r:6.2f} {f:6.2f}   " for p, r, f, _ in cells)
                + f" {cells[0][3]:6d}"
            )
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="rebuild models/ner from DATA_DIR")
    tr.add_argument("--data", type=Path, default=data_dir())
    tr.add_argument("--out", type=Path, default=models_dir() / "ner")
    tr.add_argument("--sets", default=",".join(TRAIN_SETS))
    tr.add_argument("--c1", type=float, default=CRF_PARAMS["c1"])
    tr.add_argument("--c2", type=float, default=CRF_PARAMS["c2"])
    tr.add_argument("--iters", type=int, default=CRF_PARAMS["max_iterations"])
    tr.add_argument("--weight", action="append", default=[], help="SET=N: repeat a set N times")
    tr.add_argument("--eval", action="store_true", help="evaluate right after training")
    tr.add_argument(
        "--tag-features",
        action=argparse.BooleanOptionalAction,
        default=TAG_FEATURES,
        help="features from the tag stage (models/tag)",
    )
    tr.add_argument(
        "--adapt-sets",
        default=",".join(ADAPT_SETS),
        help="sets of the domain-adapted part ('' for the in-domain CRF alone)",
    )
    tr.add_argument(
        "--adapt-share",
        type=float,
        default=ADAPT_SHARE,
        help="weight of the adapted part in the average",
    )
    tr.add_argument(
        "--silver",
        action=argparse.BooleanOptionalAction,
        default=SILVER_NAMES,
        help="the accurate network's names in the raw news as gazetteers (OUT/silver_names.tsv)",
    )
    tr.add_argument(
        "--silver-sentences",
        type=Path,
        default=None,
        help=f"news sentences labelled by the accurate NER, as the set {SILVER_SET} "
        "(pipeline.training.silver_sentences); name it in --sets or --adapt-sets",
    )
    ev = sub.add_parser("eval", help="P/R/F1 on the held-out sets")
    ev.add_argument("--data", type=Path, default=data_dir())
    ev.add_argument("--model", type=Path, default=models_dir() / "ner")
    ev.add_argument("--no-propagate", action="store_true", help="CRF only, no document step")
    ev.add_argument("--doc-size", type=int, default=DOC_SIZE, help="sentences per pseudo-document")
    ev.add_argument(
        "--no-institutions",
        action="store_true",
        help="without the institution grammar (pipeline.ner.institutions)",
    )
    ev.add_argument(
        "--backend",
        default=None,
        help="crf, accurate, lstm or ensemble (default: the one models/ner/meta.json "
        "names); several, comma-separated, print side by side",
    )
    args = ap.parse_args(argv)
    if args.cmd == "train":
        weights = {k: int(v) for k, v in (w.split("=") for w in args.weight)}
        meta = train(
            args.data,
            args.out,
            args.sets.split(","),
            {"c1": args.c1, "c2": args.c2, "max_iterations": args.iters},
            weights,
            args.tag_features,
            [x for x in args.adapt_sets.split(",") if x],
            args.adapt_share,
            args.silver,
            args.silver_sentences,
        )
        print(json.dumps(meta, ensure_ascii=False))
        if args.eval:
            evaluate(args.data, args.out)
    elif args.backend and "," in args.backend:
        evaluate_side_by_side(
            args.data,
            args.model,
            args.backend.split(","),
            propagate=not args.no_propagate,
            doc_size=args.doc_size,
            institutions=not args.no_institutions,
        )
    else:
        evaluate(
            args.data,
            args.model,
            propagate=not args.no_propagate,
            doc_size=args.doc_size,
            backend=args.backend,
            institutions=not args.no_institutions,
        )


if __name__ == "__main__":
    pin_environment("pipeline.training.ner")
    main()
