"""Pretrain the forward and backward character LMs (pipeline.charlm) on the raw news, resumably.

    python -m pipeline.training.charlm --data DIR [--minutes 60] [--resume] [--chars 130e6]

Each sitting trains for `--minutes` (or until `--chars` characters per direction have been read in all),
saves a checkpoint (`build/charlm/checkpoint.pt`: weights, optimizers, stream position, hidden states,
random states, the learning curve) every `--save-every` seconds and at the end, and exports the float16
weights to `models/charlm/` with the held-out bits per character. `--resume` continues from the
checkpoint; a run split over several sittings gives the same weights as one run (same thread count).

The corpus: every paragraph of SaudiNewsNet and ANT Corpus as NER tokens (`cluster_key` forms) joined by
spaces, one paragraph per line (`build/charlm/train.txt`, built once); every 100th paragraph is held out
(`heldout.txt`) for bits/char. The backward LM reads the same characters reversed. Streams: the text is cut
into `--batch` equal slices read side by side, `--bptt` characters per step, the LSTM state carried over
(truncated back-propagation). Fixed seeds; `--threads` torch threads (1 by default).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pipeline.charlm import BOUNDARY, UNK, CharLM, CharLMPair, LmConfig
from pipeline.resources import data_dir, models_dir
from pipeline.training.ner_clusters import news_sentences
from pipeline.training.reproducible import pin_environment

__all__ = ["build_corpus", "train"]

HELDOUT_EVERY = 100
HELDOUT_CHARS = 200_000
MIN_CHAR_COUNT = 200


def build_corpus(data: Path, out: Path, limit: int | None = None) -> None:
    """Write train.txt and heldout.txt (paragraphs of cluster_key tokens, one per line)."""
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "train.txt.tmp", "w", encoding="utf-8") as tr,
        open(out / "heldout.txt.tmp", "w", encoding="utf-8") as ho,
    ):
        for n, toks in enumerate(news_sentences(data, limit)):
            line = " ".join(toks).replace(BOUNDARY, " ") + BOUNDARY
            (ho if n % HELDOUT_EVERY == HELDOUT_EVERY - 1 else tr).write(line)
    (out / "train.txt.tmp").replace(out / "train.txt")
    (out / "heldout.txt.tmp").replace(out / "heldout.txt")


def _vocabulary(text: str) -> str:
    counts = Counter(text)
    chars = sorted(
        (c for c, n in counts.items() if n >= MIN_CHAR_COUNT and c != UNK),
        key=lambda c: (-counts[c], c),
    )
    return UNK + "".join(chars)


def _ids(model: CharLM, text: str) -> np.ndarray:
    """The text as vocabulary ids (uint8: the vocabulary has fewer than 256 characters)."""
    if len(model.cfg.chars) > 255:
        raise ValueError(f"vocabulary of {len(model.cfg.chars)} characters does not fit uint8 ids")
    table = np.zeros(0x110000, np.uint8)
    for c, i in model.index.items():
        table[ord(c)] = i
    return table[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]


@torch.no_grad()
def bits_per_char(model: CharLM, ids: np.ndarray, width: int = 20_000) -> float:
    """Held-out bits per character, reading `ids` in rows of `width` (state not carried across rows)."""
    model.eval()
    width = min(width, len(ids))
    rows = len(ids) // width
    x = torch.from_numpy(ids[: rows * width].astype(np.int64)).view(rows, width)
    logits, _, _ = model(x[:, :-1])
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
    model.train()
    return float(loss) / math.log(2)


class _Direction:
    """One LM with its optimizer, its token streams and its carried state."""

    def __init__(self, model: CharLM, ids: np.ndarray, batch: int, lr: float) -> None:
        self.model = model
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        per = len(ids) // batch
        self.streams = torch.from_numpy(ids[: per * batch].astype(np.int64)).view(batch, per)
        self.pos = 0
        self.state: tuple[torch.Tensor, torch.Tensor] | None = None

    def step(self, bptt: int, clip: float) -> float:
        per = self.streams.shape[1]
        if self.pos + bptt + 1 > per:  # a new pass over the corpus
            self.pos, self.state = 0, None
        x = self.streams[:, self.pos : self.pos + bptt + 1]
        logits, _, state = self.model(x[:, :-1], self.state)
        self.state = (state[0].detach(), state[1].detach())
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1)
        )
        self.opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), clip)
        self.opt.step()
        self.pos += bptt
        return loss.item()

    def state_dict(self) -> dict:
        return {
            "model": self.model.state_dict(),
            "opt": self.opt.state_dict(),
            "pos": self.pos,
            "state": self.state,
        }

    def load_state_dict(self, d: dict) -> None:
        self.model.load_state_dict(d["model"])
        self.opt.load_state_dict(d["opt"])
        self.pos, self.state = d["pos"], d["state"]


def train(args: argparse.Namespace) -> dict:
    torch.set_num_threads(args.threads)
    work = Path(args.work)
    if not (work / "train.txt").exists():
        t0 = time.time()
        build_corpus(Path(args.data), work, args.limit)
        print(f"corpus built in {time.time() - t0:.0f} s", flush=True)
    text = (work / "train.txt").read_text(encoding="utf-8")
    held = (work / "heldout.txt").read_text(encoding="utf-8")[:HELDOUT_CHARS]
    ckpt_path = work / "checkpoint.pt"
    resume = args.resume and ckpt_path.exists()
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False) if resume else None
    if ckpt:
        cfg = LmConfig(**ckpt["config"])
    else:
        cfg = LmConfig(
            chars=_vocabulary(text), embed=args.embed, hidden=args.hidden, dropout=args.dropout
        )
    torch.manual_seed(args.seed)
    fwd, bwd = CharLM(cfg), CharLM(cfg)
    ids = _ids(fwd, text)
    dirs = {
        "fwd": _Direction(fwd, ids, args.batch, args.lr),
        "bwd": _Direction(bwd, ids[::-1].copy(), args.batch, args.lr),
    }
    held_ids = {"fwd": _ids(fwd, held), "bwd": _ids(fwd, held[::-1])}
    del text, ids
    curve: list[dict] = []
    chars_done, seconds = 0, 0.0
    if ckpt:
        for name, d in dirs.items():
            d.load_state_dict(ckpt[name])
        chars_done, seconds, curve = ckpt["chars"], ckpt["seconds"], ckpt["curve"]
        torch.set_rng_state(ckpt["rng"])
        print(f"resumed at {chars_done:,} chars per direction, {seconds / 60:.1f} min", flush=True)
    print(
        f"vocabulary {len(cfg.chars)} chars; {dirs['fwd'].streams.numel():,} training chars; hidden {cfg.hidden}",
        flush=True,
    )

    def save() -> None:
        entry = {
            "chars": chars_done,
            "minutes": round(seconds / 60, 1),
            **{f"{n}_bpc": round(bits_per_char(d.model, held_ids[n]), 4) for n, d in dirs.items()},
        }
        if not curve or curve[-1]["chars"] != chars_done:
            curve.append(entry)
        state = {n: d.state_dict() for n, d in dirs.items()}
        state.update(
            config=cfg.__dict__,
            chars=chars_done,
            seconds=seconds,
            curve=curve,
            rng=torch.get_rng_state(),
        )
        torch.save(state, work / "checkpoint.pt.tmp")
        (work / "checkpoint.pt.tmp").replace(ckpt_path)
        CharLMPair(fwd, bwd).save(Path(args.out), {"curve": curve, "settings": vars_of(args)})
        fwd.train()
        bwd.train()
        print(f"checkpoint: {entry}", flush=True)

    start = time.time()
    last_save = start
    target = int(float(args.chars)) if args.chars else None
    if target is not None and chars_done > target:  # exporting it would not be a run of that length
        raise SystemExit(
            f"the checkpoint {ckpt_path} has read {chars_done:,} characters per direction, more than "
            f"--chars {target:,}: give a larger --chars (PRETRAIN_CHARS), or start afresh without "
            "--resume"
        )
    losses: list[float] = []
    while (time.time() - start) < args.minutes * 60 and (target is None or chars_done < target):
        t = time.time()
        losses.append(sum(d.step(args.bptt, args.clip) for d in dirs.values()) / 2)
        chars_done += args.batch * args.bptt
        seconds += time.time() - t
        if len(losses) == 200:
            print(
                f"{chars_done:,} chars  loss {np.mean(losses) / math.log(2):.3f} bpc  {chars_done / max(seconds, 1e-9):,.0f} chars/s",
                flush=True,
            )
            losses = []
        if time.time() - last_save > args.save_every:
            save()
            last_save = time.time()
    save()
    return curve[-1]


def vars_of(args: argparse.Namespace) -> dict:
    """The settings that decide the weights (not where files go, nor when a sitting stops)."""
    skip = ("data", "work", "out", "resume", "minutes", "chars", "save_every", "limit")
    return {k: v for k, v in vars(args).items() if k not in skip}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", default=str(data_dir()))
    ap.add_argument("--work", default="build/charlm", help="corpus files and the checkpoint")
    ap.add_argument("--out", default=str(models_dir() / "charlm"))
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--minutes", type=float, default=60.0, help="training time of this sitting")
    ap.add_argument(
        "--chars",
        type=float,
        default=130e6,
        help="stop after this many characters per direction in all",
    )
    ap.add_argument(
        "--limit", type=int, default=None, help="only the first N articles (a tiny run for tests)"
    )
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--bptt", type=int, default=200)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--save-every", type=float, default=600.0, help="seconds between checkpoints")
    print(json.dumps(train(ap.parse_args())))


if __name__ == "__main__":
    pin_environment("pipeline.training.charlm")
    main()
