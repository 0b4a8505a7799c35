"""Fine-tune the pretrained news encoder for NER (`pipeline.ner.transformer`): the transformer route
of the accurate backend.

    python -m pipeline.training.ner_encoder prepare --data $DATA_DIR --work build/ner_encoder
    python -m pipeline.training.ner_encoder train --work build/ner_encoder \\
        --encoder build/encoder_out --out DIR [--device cuda] [--epochs 8]
    python -m pipeline.training.ner_encoder score --work build/ner_encoder --model DIR

Why two commands: `prepare` writes the NER corpora as the encoder reads them (`cluster_key` forms and
BIO labels, `ner_sets.json.gz`, a few MB) into a folder that can travel to a lent GPU machine, where
`../shared` does not; `train` needs only that folder and an encoder export (`encoder.json`,
`encoder.npz`, `tokenizer.json` from `pipeline.training.encoder`).

Training: every weight of the encoder and one label layer per corpus (ANERcorp train, the exported
head; WikiFANE train and Wojood train through heads of their own, drawn afresh each epoch as the
BiLSTM's `aux_sets` are, `pipeline.training.ner_lstm.epoch_batches`); cross-entropy at each word's
first subword; AdamW with linear warm-up and decay to zero; seed fixed. After each epoch the
ANERcorp head's exact-span F1 on ANERcorp dev (the network alone: BIO-valid argmax, no CRF pooling,
no document steps) is printed and logged; after the last, WikiFANE held-out and Wojood val as well.
On CUDA the matrix work runs in bfloat16. The export is `NAME.npz` (float16, the encoder without its
masked-LM head and the ANERcorp head), `NAME.json`, `NAME.tokenizer.json`: what the stage loads.
`score` prints an export's per-type F1 on the three scored sets (the network alone, as `train` scores
it; the stage's figure, pooled with the CRF, is `python -m pipeline.training.ner eval --backend accurate`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from pipeline.encoder import WordEncoder, autocast, batch_tensors, sentence_windows
from pipeline.ner.document import decode_bio
from pipeline.ner.tokens import cluster_key
from pipeline.ner.transformer import LABELS, EncoderTagger, TaggerNet
from pipeline.resources import data_dir
from pipeline.training.ner import prf
from pipeline.training.ner_data import load_splits
from pipeline.training.ner_lstm import epoch_batches
from pipeline.training.reproducible import pin_environment

__all__ = ["SETS", "SETTINGS", "prepare", "load_sets", "train"]

SETS_FILE = "ner_sets.json.gz"
# what `prepare` writes: the training sets and the three scored ones
SETS = (
    "anercorp_train",
    "anercorp_dev",
    "wikifane_train",
    "wikifane_heldout",
    "wojood_train",
    "wojood_val",
)
SETTINGS = {
    "epochs": 8,
    "batch": 32,
    "lr": 2e-4,
    "warmup": 0.1,  # share of the steps
    "weight_decay": 0.01,
    "dropout": 0.1,
    "aux_sets": "wikifane_train,wojood_train",
    "aux_ratio": 1.0,
    "seed": 13,
    "scratch": False,  # the encoder's sizes and tokenizer, not its weights: the no-pretraining baseline
}
_IGNORE = -100  # label of padded word positions


def prepare(data: Path, work: Path, limit: int | None = None) -> dict[str, int]:
    """Write `SETS` as (cluster_key forms, labels) per sentence into work/ner_sets.json.gz (the
    same bytes every run); `limit`: the first N sentences of each (tests). Returns the counts."""
    splits = load_splits(data)
    sets = {
        name: [[[cluster_key(t) for t, _ in s], [lab for _, lab in s]] for s in splits[name] if s][
            :limit
        ]
        for name in SETS
    }
    work.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(sets, ensure_ascii=False).encode("utf-8")
    with open(work / SETS_FILE, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw)
    return {k: len(v) for k, v in sets.items()}


def load_sets(work: Path) -> dict[str, list[tuple[list[str], list[str]]]]:
    path = work / SETS_FILE
    if not path.exists():
        raise SystemExit(
            f"{path} is missing: run `python -m pipeline.training.ner_encoder prepare`"
        )
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {k: [(w, lab) for w, lab in v] for k, v in json.load(fh).items()}


def _examples(tokenizer, sents, max_len: int) -> list[tuple[list[int], list[int], list[int]]]:
    """Each window of each sentence as (subword ids, first-subword positions, label ids)."""
    lab_id = {lab: i for i, lab in enumerate(LABELS)}
    out = []
    for s, a, ids, firsts in sentence_windows(tokenizer, [w for w, _ in sents], max_len):
        labels = sents[s][1][a : a + len(firsts)]
        out.append((ids, firsts, [lab_id[x] for x in labels]))
    return out


def _batch(examples, device: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids, firsts = batch_tensors([(0, 0, e[0], e[1]) for e in examples])
    labels = torch.full(firsts.shape, _IGNORE, dtype=torch.long)
    for r, e in enumerate(examples):
        labels[r, : len(e[2])] = torch.tensor(e[2])
    return ids.to(device), firsts.to(device), labels.to(device)


def score(tagger: EncoderTagger, sents: Sequence[tuple[list[str], list[str]]]) -> dict:
    """Exact-span P/R/F1 of the network alone (BIO-valid argmax of its label probabilities)."""
    probs = tagger.probabilities([w for w, _ in sents])
    pred = [decode_bio(p, LABELS)[0] for p in probs]
    return prf([lab for _, lab in sents], pred)


def train(work: Path, encoder: Path, out: Path, name: str, settings: dict, device: str) -> dict:
    """Fine-tune (module docstring), export to `out`/`name`.*, return the log."""
    s = {**SETTINGS, **settings}
    t0 = time.time()
    sets = load_sets(work)
    pretrained = WordEncoder.load(encoder)  # sizes, float16 weights, tokenizer
    cfg, tokenizer = pretrained.model.cfg, pretrained.tokenizer
    curve = json.loads((encoder / "encoder.json").read_text(encoding="utf-8")).get("curve")
    aux_names = [n for n in s["aux_sets"].split(",") if n]
    torch.manual_seed(s["seed"])
    rng = random.Random(s["seed"])
    net = TaggerNet(cfg, heads=1 + len(aux_names), dropout=s["dropout"])
    if not s["scratch"]:
        net.encoder.load_state_dict(pretrained.model.state_dict())
    net.to(device)
    main = _examples(tokenizer, sets["anercorp_train"], cfg.max_len)
    aux = [_examples(tokenizer, sets[n], cfg.max_len) for n in aux_names]
    per_epoch = len(epoch_batches(main, aux, s, random.Random(0)))
    total = per_epoch * s["epochs"]
    warm = max(1, int(s["warmup"] * total))
    opt = torch.optim.AdamW(net.parameters(), lr=s["lr"], weight_decay=s["weight_decay"])
    tagger = EncoderTagger(net, tokenizer, threads=torch.get_num_threads(), device=device)
    print(
        f"{device}: {len(main)} windows, auxiliary {[len(a) for a in aux]}, {per_epoch} batches "
        f"per epoch, encoder {'from scratch' if s['scratch'] else encoder}",
        flush=True,
    )
    history, step = [], 0
    for epoch in range(1, s["epochs"] + 1):
        net.train()
        loss_sum, n = 0.0, 0
        for head, batch in epoch_batches(main, aux, s, rng):
            frac = step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))
            for group in opt.param_groups:
                group["lr"] = s["lr"] * frac
            ids, firsts, labels = _batch(batch, device)
            with autocast(device):
                logits = net(ids, firsts, head)
            loss = torch.nn.functional.cross_entropy(
                logits.float().reshape(-1, len(LABELS)), labels.reshape(-1), ignore_index=_IGNORE
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            step += 1
            loss_sum, n = loss_sum + float(loss.detach()), n + 1
        f1 = score(tagger, sets["anercorp_dev"])["micro"][2]
        history.append(
            {"epoch": epoch, "loss": round(loss_sum / max(n, 1), 4), "dev_f1": round(f1, 2)}
        )
        print(
            f"epoch {epoch}: loss {loss_sum / max(n, 1):.4f} dev F1 {f1:.2f} ({time.time() - t0:.0f}s)",
            flush=True,
        )
    scores = {
        split: round(score(tagger, sets[split])["micro"][2], 2)
        for split in ("anercorp_dev", "wikifane_heldout", "wojood_val")
    }
    print(f"network alone: {scores}", flush=True)
    log = {
        "history": history,
        "scores": scores,
        "settings": s,
        "encoder_pretraining": (curve or [None])[-1],
        "train_windows": len(main),
    }
    EncoderTagger.save(net.cpu(), tokenizer, out, name, log)
    return log


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    pr = sub.add_parser("prepare", help="the NER corpora as the encoder reads them")
    pr.add_argument("--data", type=Path, default=data_dir())
    pr.add_argument("--work", type=Path, default=Path("build/ner_encoder"))
    pr.add_argument("--limit", type=int, default=None, help="the first N sentences of each set")
    tr = sub.add_parser("train", help="fine-tune and export")
    tr.add_argument("--work", type=Path, default=Path("build/ner_encoder"))
    tr.add_argument("--encoder", type=Path, required=True, help="an encoder export folder")
    tr.add_argument("--out", type=Path, required=True)
    tr.add_argument("--name", default="accurate", help="file stem of the export")
    tr.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    tr.add_argument("--threads", type=int, default=1, help="torch threads on CPU")
    for key, value in SETTINGS.items():
        if isinstance(value, bool):
            tr.add_argument("--" + key.replace("_", "-"), action="store_true")
        else:
            tr.add_argument("--" + key.replace("_", "-"), type=type(value), default=value)
    sc = sub.add_parser("score", help="an export's F1 on the scored sets, the network alone")
    sc.add_argument("--work", type=Path, default=Path("build/ner_encoder"))
    sc.add_argument("--model", type=Path, required=True, help="the folder of NAME.npz")
    sc.add_argument("--name", default="accurate")
    args = ap.parse_args(argv)
    if args.cmd == "prepare":
        print(json.dumps(prepare(args.data, args.work, args.limit)))
        return
    if args.cmd == "score":
        tagger = EncoderTagger.load(args.model, args.name)
        sets = load_sets(args.work)
        for split in ("anercorp_dev", "wikifane_heldout", "wojood_val"):
            res = score(tagger, sets[split])
            print(split, "  ".join(f"{k} {v[2]:.2f}" for k, v in res.items()), flush=True)
        return
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(args.threads)
    settings = {k: getattr(args, k) for k in SETTINGS}
    train(args.work, args.encoder, args.out, args.name, settings, device)


if __name__ == "__main__":
    pin_environment("pipeline.training.ner_encoder")
    main()
