"""Train and evaluate the tag stage's models on UD Arabic-PADT.

    python -m pipeline.training.tag train [--data DIR] [--out models/tag]
    python -m pipeline.training.tag eval  [--data DIR] [--models models/tag] [--split test]
    python -m pipeline.training.tag eval --backend stanza   # stanza POS on our segmentation

(stanza's own tokenizer, MWT and POS models are trained by `pipeline.training.stanza_padt`.)

Why this shape: segmentation is learned per word type (the runtime decides it once per form), with
the stem-lexicon features computed jack-knifed (5 folds by type) so that the CRF learns how much to
trust "the rest is a known stem" on forms it has not seen — which is the only case where the CRF is
consulted at run time, since seen forms come from the memory table. UPOS is a first-order CRF over
the gold syntactic words of train. Everything is deterministic: types are sorted, folds come from a
seeded shuffle, and crfsuite's L-BFGS has no randomness.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from pipeline.crf import LinearChain, export_crf
from pipeline.resources import data_dir, models_dir
from pipeline.tagging.features import cuts_to_spans, is_arabic_word, seg_features, where_codes
from pipeline.tagging.model import Tagger
from pipeline.tagging.pos import PosTagger
from pipeline.tagging.segmenter import Segmenter
from pipeline.training.padt import PadtToken, align_parts, norm, padt_path, read_conllu
from pipeline.training.reproducible import pin_environment
from pipeline.training.tag_clusters import (
    CLUSTER_ARTICLES,
    build_clusters,
    segmented_words,
    write_clusters,
)

__all__ = [
    "load_split", "build_lexicon", "train", "evaluate", "main",
]  # fmt: skip

SEED = 13
FOLDS = 5
SEG_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 120, "feature.possible_transitions": True}
POS_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}

# One gold token: normalized surface, its norm-local word spans, and the UPOS of each word.
GoldToken = tuple[str, list[tuple[int, int]], list[str]]


def _gold_token(tok: PadtToken) -> GoldToken:
    surface = norm(tok.form)
    parts = [norm(w) for w, _ in tok.words]
    tags = [u for _, u in tok.words]
    spans = align_parts(surface, parts) if len(parts) > 1 else [(0, len(surface))]
    if not spans:  # more words than characters: keep one word, tagged as its last word
        spans, tags = [(0, len(surface))], [tags[-1]]
    return surface, spans, tags


def load_split(data: Path, split: str) -> list[list[GoldToken]]:
    """Sentences of gold tokens (normalized surface, word spans, UPOS) of one PADT split."""
    return [[_gold_token(t) for t in sent] for sent in read_conllu(padt_path(data, split))]


def build_lexicon(tokens: list[GoldToken]) -> set[str]:
    """Written (normalized) forms of every syntactic word, plus ت-spellings of ه-final ones."""
    lex: set[str] = set()
    for surface, spans, _ in tokens:
        for a, b in spans:  # as written: زيارت in زيارت|ه, ليابان in ل|ليابان
            lex.add(surface[a:b])
    for w in list(lex):
        if len(w) > 1 and w.endswith("ه"):
            lex.add(w[:-1] + "ت")
    return lex


def _type_table(sents: list[list[GoldToken]]) -> dict[str, Counter]:
    table: dict[str, Counter] = defaultdict(Counter)
    for sent in sents:
        for surface, spans, _ in sent:
            if is_arabic_word(surface):
                table[surface][tuple(a for a, _ in spans[1:])] += 1
    return table


def _seg_labels(n: int, cuts: tuple[int, ...]) -> list[str]:
    return ["B" if i == 0 or i in cuts else "I" for i in range(n)]


def _pos_items(sent: list[GoldToken]) -> tuple[list[tuple[str, str]], list[str]]:
    words: list[tuple[str, str]] = []
    tags: list[str] = []
    for surface, spans, tg in sent:
        for (a, b), where, t in zip(spans, where_codes(len(spans)), tg):
            words.append((surface[a:b], where))
            tags.append(t)
    return words, tags


def train(data: Path, out: Path, log=print) -> None:
    """Rebuild models/tag/*: the two CRFs (their weight tables, `pipeline.crf`; the crfsuite files
    are trained in a temporary folder), the segmentation memory, the stem lexicon, the word clusters
    and meta.json."""
    import pycrfsuite

    out.mkdir(parents=True, exist_ok=True)
    for stale in (
        "seg.crfsuite",
        "pos.crfsuite",
        "seg.attrs.txt.gz",
        "seg.weights.npy",
        "pos.attrs.txt.gz",
        "pos.weights.npy",
    ):  # files of the former model format
        (out / stale).unlink(missing_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="tag-crf-"))
    t0 = time.time()
    sents = load_split(data, "train")
    table = _type_table(sents)
    memory = {form: c.most_common(1)[0][0] for form, c in sorted(table.items())}
    flat = [t for s in sents for t in s]
    lexicon = build_lexicon(flat)
    log(
        f"train: {len(sents)} sentences, {len(flat)} tokens, {len(table)} Arabic types, "
        f"lexicon {len(lexicon)} ({time.time() - t0:.1f}s)"
    )

    # Jack-knifed lexicon features: the lexicon of fold k is built from the tokens of the other
    # folds' types, so a type's own stems are not "known" just because the type was seen.
    types = sorted(table)
    rng = random.Random(SEED)
    rng.shuffle(types)
    fold_of = {w: i % FOLDS for i, w in enumerate(types)}
    fold_tokens: list[list[GoldToken]] = [[] for _ in range(FOLDS)]
    seen: set[str] = set()
    for t in flat:
        if t[0] in fold_of and t[0] not in seen:
            seen.add(t[0])
            fold_tokens[fold_of[t[0]]].append(t)
    trainer = pycrfsuite.Trainer(verbose=False)
    for k in range(FOLDS):
        others = [t for j in range(FOLDS) if j != k for t in fold_tokens[j]]
        lex_k = build_lexicon(others)
        for surface, spans, _ in fold_tokens[k]:
            if len(surface) < 2:
                continue
            cuts = tuple(a for a, _ in spans[1:])
            trainer.append(seg_features(surface, lex_k), _seg_labels(len(surface), cuts))
    trainer.set_params(SEG_PARAMS)
    t1 = time.time()
    trainer.train(str(tmp / "seg.crfsuite"))
    export_crf(tmp / "seg.crfsuite", out / "seg.weights.npz", np.float32)
    log(f"seg CRF trained on {len(seen)} types in {time.time() - t1:.1f}s")

    with gzip.GzipFile(out / "seg_memory.tsv.gz", "wb", mtime=0) as fh:
        for form in sorted(memory):
            fh.write(f"{form}\t{','.join(map(str, memory[form]))}\n".encode())
    with gzip.GzipFile(out / "lexicon.txt.gz", "wb", mtime=0) as fh:
        fh.write("".join(w + "\n" for w in sorted(lexicon)).encode())

    clusters = None
    raw_path = data / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz"
    if raw_path.exists():
        t3 = time.time()
        segmenter = Segmenter(LinearChain.load(out / "seg.weights.npz"), memory, frozenset(lexicon))
        built = build_clusters(segmented_words(raw_path, segmenter, CLUSTER_ARTICLES))
        write_clusters(built, out / "clusters.tsv.gz")
        clusters = {w: tuple(map(str, ids)) for w, ids in built.items()}
        log(
            f"clusters of {len(built)} words from {CLUSTER_ARTICLES} articles in "
            f"{time.time() - t3:.1f}s"
        )
    else:
        (out / "clusters.tsv.gz").unlink(missing_ok=True)
        log(f"{raw_path} missing: UPOS CRF trained without word clusters")

    ptrainer = pycrfsuite.Trainer(verbose=False)
    feats = PosTagger(None, clusters)  # feature extraction only, no model yet
    for sent in sents:
        words, tags = _pos_items(sent)
        ptrainer.append(feats.sequence_features(words), tags)
    ptrainer.set_params(POS_PARAMS)
    t2 = time.time()
    ptrainer.train(str(tmp / "pos.crfsuite"))
    export_crf(tmp / "pos.crfsuite", out / "pos.weights.npz", np.float32)
    shutil.rmtree(tmp, ignore_errors=True)
    log(f"pos CRF trained in {time.time() - t2:.1f}s")
    meta = {
        "data": "UD Arabic-PADT (reconstructed), train split; CC BY-NC-SA 3.0",
        "seed": SEED,
        "folds": FOLDS,
        "seg_params": SEG_PARAMS,
        "pos_params": POS_PARAMS,
        "clusters": f"SaudiNewsNet (CC BY-NC-SA 4.0), first {CLUSTER_ARTICLES} articles"
        if clusters is not None
        else None,
        "memory_types": len(memory),
        "lexicon": len(lexicon),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    log(f"done in {time.time() - t0:.1f}s -> {out}")


def _prf(correct: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = correct / pred if pred else 0.0
    r = correct / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(
    data: Path, model: Path | None, split: str = "test", backend: str = "crf"
) -> dict[str, float]:
    """Word segmentation P/R/F1 and UPOS (own and gold segmentation) on one PADT split."""
    stage = Tagger(model, backend=backend)
    sents = load_split(data, split)
    seg_c = seg_p = seg_g = 0
    crf_c = crf_p = 0
    pos_c = 0
    gold_pos_c = gold_pos_n = 0
    aligned = 0
    split_g = split_c = split_p = 0
    for sent in sents:
        surfaces = [s for s, _, _ in sent]
        spans, tags = stage.tag_sentence(surfaces)
        words, gtags = _pos_items(sent)
        gpred = stage.tag_words(words)
        gold_pos_n += len(gtags)
        gold_pos_c += sum(a == b for a, b in zip(gpred, gtags))
        for (surface, gspans, gt), psp, pt in zip(sent, spans, tags):
            gold = dict(zip(gspans, gt))
            pred = dict(zip(psp, pt))
            seg_g += len(gold)
            seg_p += len(pred)
            for sp, t in pred.items():
                if sp in gold:
                    seg_c += 1
                    aligned += 1
                    pos_c += gold[sp] == t
            crf = (
                cuts_to_spans(len(surface), stage.segmenter.crf_cuts(surface))
                if is_arabic_word(surface)
                else [(0, len(surface))]
            )
            crf_p += len(crf)
            crf_c += sum(sp in gold for sp in crf)
            if len(gspans) > 1 or len(psp) > 1:
                split_g += len(gspans)
                split_p += len(psp)
                split_c += sum(sp in gold for sp in psp)
    sp_, sr, sf = _prf(seg_c, seg_p, seg_g)
    pp, pr, pf = _prf(pos_c, seg_p, seg_g)
    _, _, cf = _prf(crf_c, crf_p, seg_g)
    _, _, xf = _prf(split_c, split_p, split_g)
    return {
        "split": split,
        "words_gold": seg_g,
        "seg_precision": 100 * sp_,
        "seg_recall": 100 * sr,
        "seg_f1": 100 * sf,
        "seg_f1_crf_only": 100 * cf,
        "seg_f1_split_tokens": 100 * xf,
        "upos_f1_own_seg": 100 * pf,
        "upos_acc_aligned_words": 100 * pos_c / aligned if aligned else 0.0,
        "upos_acc_gold_seg": 100 * gold_pos_c / gold_pos_n if gold_pos_n else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m pipeline.training.tag",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="rebuild models/tag from PADT train")
    tr.add_argument(
        "--data", type=Path, default=None, help="DATA_DIR (default: resources.data_dir())"
    )
    tr.add_argument("--out", type=Path, default=None, help="output folder (default models/tag)")
    ev = sub.add_parser("eval", help="print segmentation and UPOS figures")
    ev.add_argument("--data", type=Path, default=None)
    ev.add_argument("--models", type=Path, default=None)
    ev.add_argument("--split", default="test", choices=["train", "dev", "test"])
    ev.add_argument("--backend", default="crf", choices=["crf", "stanza"])
    args = ap.parse_args(argv)
    data = args.data or data_dir()
    if not padt_path(data, "train").exists():
        print(f"PADT not found under {data}/ud/padt (set --data or DATA_DIR)", file=sys.stderr)
        return 2
    if args.cmd == "train":
        train(data, args.out or models_dir() / "tag")
        return 0
    default = models_dir() / ("stanza" if args.backend == "stanza" else "tag")
    res = evaluate(data, args.models or default, args.split, args.backend)
    for k, v in res.items():
        print(f"{k:24s} {v:.2f}" if isinstance(v, float) else f"{k:24s} {v}")
    return 0


if __name__ == "__main__":
    pin_environment("pipeline.training.tag")
    sys.exit(main())
