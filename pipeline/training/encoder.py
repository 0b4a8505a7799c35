"""Pretrain the transformer encoder (pipeline.encoder) on the raw news, resumably, on CPU or a GPU.

    python -m pipeline.training.encoder prepare --data DIR [--work build/encoder]
    python -m pipeline.training.encoder train [--work build/encoder] [--objective mlm|electra]
        [--steps 20000] [--minutes 60] [--resume]

`prepare` builds the corpus the character LMs read (`pipeline.training.charlm.build_corpus`: every
paragraph of the raw news as `cluster_key` tokens, every 100th held out) unless it is there, trains a
subword vocabulary on it (byte-pair merges, `tokenizer.json`) and writes the text as subword ids
(`subwords.npy`, `heldout.npy`: uint16, a [SEP] after each paragraph). Those two files and the
tokenizer are all `train` reads: they are what travels to a GPU machine (28 MB for the whole news), the
raw data does not.

`train` pretrains with `--objective mlm` (BERT's masked LM) or `electra` (a small generator fills the
masked positions, the encoder tells replaced subwords from original ones: it learns from every
position). It cuts the stream into windows of `max_len - 2` subwords, visits them in a seeded order
per epoch, and trains for `--steps` optimizer steps in all (linear warm-up, then linear decay to zero
at `--steps`), ending a sitting after `--minutes` or at step `--until`. It saves a checkpoint
(`checkpoint.pt`: weights, optimizer, position, random states, the learning curve) every
`--save-every` seconds and at the end, prints the held-out losses and exports the float16 encoder
(`--out`, default build/encoder_out). `--resume` continues from the checkpoint; on CPU a run split over
sittings gives the weights of one run (same thread count). On CUDA the matrix work runs in bfloat16.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import time
from pathlib import Path

import numpy as np
import torch

from pipeline.encoder import (
    CLS,
    MASK,
    SEP,
    SPECIAL,
    Encoder,
    EncoderConfig,
    WordEncoder,
    autocast,
)
from pipeline.resources import data_dir
from pipeline.training.reproducible import pin_environment

__all__ = ["prepare", "train"]

VOCAB = 16_000
HELDOUT_WINDOWS = 256
MASK_SEED = 97  # the held-out windows are masked the same way at every evaluation


def _paragraphs(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield line


def prepare(data: Path, work: Path, vocab: int = VOCAB, limit: int | None = None) -> dict:
    """Build the corpus (when missing), the subword vocabulary and the subword-id files in `work`."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    from pipeline.training.charlm import build_corpus  # here: a GPU machine only runs `train`

    work.mkdir(parents=True, exist_ok=True)
    if not (work / "train.txt").exists():
        build_corpus(data, work, limit)
    # Byte-pair merges over words marked at their start (SentencePiece's "▁"), not WordPiece: the
    # WordPiece trainer numbers its "##" pieces in hash-map order, and ties between equally frequent
    # merges then fall differently from run to run; this vocabulary is the same every time.
    tok = Tokenizer(models.BPE(unk_token=SPECIAL[1]))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.BpeTrainer(
        vocab_size=vocab, min_frequency=5, special_tokens=list(SPECIAL), show_progress=False
    )
    tok.train_from_iterator(_paragraphs(work / "train.txt"), trainer)
    tok.save(str(work / "tokenizer.json"))
    sizes = {}
    for name, src in (("subwords", "train.txt"), ("heldout", "heldout.txt")):
        ids = _encode_file(tok, work / src)
        np.save(work / f"{name}.npy", ids)
        sizes[name] = int(ids.size)
    info = {"vocab": tok.get_vocab_size(), **sizes}
    (work / "prepared.json").write_text(json.dumps(info) + "\n", encoding="utf-8")
    return info


class Pretrainer(torch.nn.Module):
    """The encoder with what only pretraining needs.

    `mlm` (BERT): the encoder predicts masked subwords through its tied output layer. `electra`
    (Clark et al. 2020): a small generator (`gen_dim` units, same depth) fills the masked positions
    with its samples and the encoder learns to tell, at every position, whether the subword was
    replaced. Why offer both: ELECTRA learns from all positions, not the 15% masked, so a small model
    gains more per step, which matters on two CPU cores; the encoder exported is the same either way.
    """

    def __init__(self, cfg: EncoderConfig, settings: dict) -> None:
        super().__init__()
        self.objective = settings["objective"]
        self.encoder = Encoder(cfg)
        if self.objective == "electra":
            g = settings["gen_dim"]
            self.generator = Encoder(
                EncoderConfig(
                    vocab=cfg.vocab, dim=g, layers=cfg.layers, heads=max(1, g // 64), ff=4 * g,
                    max_len=cfg.max_len, dropout=cfg.dropout,
                )
            )  # fmt: skip
            self.rtd = torch.nn.Linear(cfg.dim, 1)
        elif self.objective != "mlm":
            raise SystemExit(f"unknown objective {self.objective!r}: mlm or electra")

    def losses(
        self, ids: torch.Tensor, generator: torch.Generator, rate: float = 0.15
    ) -> dict[str, torch.Tensor]:
        """The training loss (`loss`) and its parts, on a batch of windows. `rate` of the non-special
        subwords are chosen; `generator` draws every random choice, so a run is repeatable.

        mlm: of the chosen, 80% become [MASK], 10% a random subword, 10% stay; `mlm` is the
        cross-entropy over the chosen. electra: the chosen become [MASK] for the generator (`mlm`, its
        loss), are replaced by its samples, and `rtd` is the encoder's replaced-or-not loss over all
        non-special positions (`replaced`: the share that differs); `loss` = mlm + 50 × rtd, as in
        the paper."""
        dev = ids.device
        can = ids > MASK
        chosen = (torch.rand(ids.shape, generator=generator, device=dev) < rate) & can
        f = torch.nn.functional
        if self.objective == "mlm":
            roll = torch.rand(ids.shape, generator=generator, device=dev)
            rand_ids = torch.randint(
                len(SPECIAL), self.encoder.cfg.vocab, ids.shape, generator=generator, device=dev
            )
            inp = torch.where(chosen & (roll < 0.8), torch.full_like(ids, MASK), ids)
            inp = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), rand_ids, inp)
            logits = self.encoder.mlm_logits(self.encoder(inp)[chosen])
            mlm = f.cross_entropy(logits.float(), ids[chosen])
            return {"loss": mlm, "mlm": mlm}
        masked = torch.where(chosen, torch.full_like(ids, MASK), ids)
        logits = self.generator.mlm_logits(self.generator(masked)[chosen]).float()
        mlm = f.cross_entropy(logits, ids[chosen])
        with torch.no_grad():
            sampled = torch.multinomial(logits.softmax(-1), 1, generator=generator).squeeze(1)
        corrupted = ids.clone()
        corrupted[chosen] = sampled
        replaced = (corrupted != ids)[can].float()
        scores = self.rtd(self.encoder(corrupted)).squeeze(-1)[can].float()
        rtd = f.binary_cross_entropy_with_logits(scores, replaced)
        return {"loss": mlm + 50.0 * rtd, "mlm": mlm, "rtd": rtd, "replaced": replaced.mean()}


def _encode_file(tok, path: Path, chunk: int = 10_000) -> np.ndarray:
    """The paragraphs of `path` as one uint16 stream of subword ids, a [SEP] after each."""
    parts: list[np.ndarray] = []
    lines: list[str] = []
    for line in itertools.chain(_paragraphs(path), [None]):
        if line is not None:
            lines.append(line)
        if lines and (line is None or len(lines) == chunk):
            for e in tok.encode_batch(lines, add_special_tokens=False):
                parts.append(np.array([*e.ids, SEP], dtype=np.uint16))
            lines = []
    return np.concatenate(parts) if parts else np.zeros(0, np.uint16)


def _windows(stream: np.ndarray, width: int, idx: np.ndarray) -> torch.Tensor:
    """Windows number `idx` of the stream, each [CLS] + `width` subwords + [SEP]."""
    rows = np.stack([stream[i * width : (i + 1) * width] for i in idx]).astype(np.int64)
    out = np.empty((len(idx), width + 2), dtype=np.int64)
    out[:, 0], out[:, -1], out[:, 1:-1] = CLS, SEP, rows
    return torch.from_numpy(out)


def _lr_factor(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


@torch.no_grad()
def heldout_losses(net: Pretrainer, held: torch.Tensor, device: str, batch: int = 64) -> dict:
    """Mean losses (`Pretrainer.losses`) over the held-out windows, masked the same way each time."""
    net.eval()
    gen = torch.Generator(device=device).manual_seed(MASK_SEED)
    parts: dict[str, list[float]] = {}
    for a in range(0, len(held), batch):
        with autocast(device):
            for k, v in net.losses(held[a : a + batch].to(device), gen).items():
                parts.setdefault(k, []).append(float(v))
    net.train()
    return {f"heldout_{k}": round(float(np.mean(v)), 4) for k, v in parts.items() if k != "loss"}


def train(args: argparse.Namespace) -> dict:
    """Run one sitting (see the module docstring); returns the last learning-curve entry."""
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(args.threads)
    work = Path(args.work)
    if not (work / "subwords.npy").exists():
        raise SystemExit(f"{work}/subwords.npy is missing: run `prepare` first")
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(work / "tokenizer.json"))
    stream = np.load(work / "subwords.npy")
    held_stream = np.load(work / "heldout.npy")
    ckpt_path = work / "checkpoint.pt"
    ckpt = (
        torch.load(ckpt_path, map_location="cpu", weights_only=False)
        if args.resume and ckpt_path.exists()
        else None
    )
    settings = ckpt["settings"] if ckpt else vars_of(args)
    cfg = EncoderConfig(
        vocab=tokenizer.get_vocab_size(), dim=settings["dim"], layers=settings["layers"],
        heads=settings["heads"], ff=settings["ff"], max_len=settings["max_len"],
    )  # fmt: skip
    width = cfg.max_len - 2
    n_windows = len(stream) // width
    if n_windows < settings["batch"]:
        raise SystemExit(f"{n_windows} windows of {width} subwords: fewer than one batch")
    held_n = min(HELDOUT_WINDOWS, len(held_stream) // width)
    held = _windows(held_stream, width, np.arange(held_n))
    torch.manual_seed(settings["seed"])
    net = Pretrainer(cfg, settings).to(device)
    opt = torch.optim.AdamW(
        net.parameters(), lr=settings["lr"], betas=(0.9, 0.98), weight_decay=0.01
    )
    gen = torch.Generator(device=device).manual_seed(settings["seed"])
    step, seconds, curve = 0, 0.0, []
    if ckpt:
        net.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        gen.set_state(ckpt["generator"])
        torch.set_rng_state(ckpt["rng"])
        if device.startswith("cuda") and ckpt["cuda_rng"] is not None:
            torch.cuda.set_rng_state(ckpt["cuda_rng"])
        step, seconds, curve = ckpt["step"], ckpt["seconds"], ckpt["curve"]
        print(f"resumed at step {step:,}, {seconds / 60:.1f} min", flush=True)
    total = int(args.steps)
    if ckpt and ckpt["steps"] != total:  # the learning-rate schedule ends at --steps
        raise SystemExit(
            f"the checkpoint was trained towards --steps {ckpt['steps']:,}, not {total:,}: give the "
            "same --steps, or start afresh without --resume"
        )
    per_epoch = n_windows // settings["batch"]
    print(
        f"{device}: vocabulary {cfg.vocab:,}, {n_windows:,} windows of {width} subwords, "
        f"{per_epoch:,} steps per epoch, {settings['objective']}, "
        f"{sum(p.numel() for p in net.encoder.parameters()):,} weights",
        flush=True,
    )

    def save() -> None:
        entry = {
            "step": step,
            "subwords": step * settings["batch"] * width,
            "minutes": round(seconds / 60, 1),
            **heldout_losses(net, held, device),
        }
        if not curve or curve[-1]["step"] != step:
            curve.append(entry)
        state = {
            "model": net.state_dict(),
            "optimizer": opt.state_dict(),
            "generator": gen.get_state(),
            "rng": torch.get_rng_state(),  # dropout
            "cuda_rng": torch.cuda.get_rng_state() if device.startswith("cuda") else None,
            "step": step,
            "seconds": seconds,
            "curve": curve,
            "settings": settings,
            "steps": total,
        }
        torch.save(state, work / "checkpoint.pt.tmp")
        (work / "checkpoint.pt.tmp").replace(ckpt_path)
        WordEncoder(copy.deepcopy(net.encoder).cpu(), tokenizer).save(
            Path(args.out), {"curve": curve, "settings": settings, "steps": total}
        )
        print(f"checkpoint: {entry}", flush=True)

    net.train()
    start = last_save = time.time()
    losses: list[float] = []  # every 50th step's loss (reading one waits for the device)
    order_epoch, order = -1, np.empty(0, np.int64)
    until = min(total, int(args.until)) if args.until is not None else total
    while step < until and time.time() - start < args.minutes * 60:
        t = time.time()
        epoch, k = divmod(step, per_epoch)
        if epoch != order_epoch:
            order_epoch = epoch
            order = np.random.default_rng(settings["seed"] + epoch).permutation(n_windows)
        ids = _windows(stream, width, order[k * settings["batch"] : (k + 1) * settings["batch"]])
        for group in opt.param_groups:
            group["lr"] = settings["lr"] * _lr_factor(step, settings["warmup"], total)
        with autocast(device):
            loss = net.losses(ids.to(device, non_blocking=True), gen)["loss"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            losses.append(float(loss.detach()))
        seconds += time.time() - t
        if step % 200 == 0:
            print(
                f"step {step:,}  loss {np.mean(losses):.3f}  "
                f"{step * settings['batch'] * width / max(seconds, 1e-9):,.0f} subwords/s",
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
    keep = ("objective", "gen_dim", "dim", "layers", "heads", "ff", "max_len", "batch", "lr")
    keep += ("warmup", "seed", "threads")
    return {k: getattr(args, k) for k in keep}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    pr = sub.add_parser("prepare", help="corpus, subword vocabulary, subword-id files")
    pr.add_argument("--data", type=Path, default=data_dir())
    pr.add_argument("--work", type=Path, default=Path("build/encoder"))
    pr.add_argument("--vocab", type=int, default=VOCAB)
    pr.add_argument("--limit", type=int, default=None, help="the first N articles (tests)")
    tr = sub.add_parser("train", help="masked-LM pretraining, resumable")
    tr.add_argument("--work", default="build/encoder")
    tr.add_argument("--out", default="build/encoder_out")
    tr.add_argument("--resume", action="store_true")
    tr.add_argument("--steps", type=float, default=20_000, help="optimizer steps of the whole run")
    tr.add_argument("--minutes", type=float, default=60.0, help="training time of this sitting")
    tr.add_argument("--until", type=float, default=None, help="end this sitting at step N")
    tr.add_argument("--save-every", type=float, default=600.0, help="seconds between checkpoints")
    tr.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    tr.add_argument("--objective", choices=("mlm", "electra"), default="mlm")
    tr.add_argument("--gen-dim", dest="gen_dim", type=int, default=64, help="electra's generator")
    tr.add_argument("--dim", type=int, default=256)
    tr.add_argument("--layers", type=int, default=4)
    tr.add_argument("--heads", type=int, default=4)
    tr.add_argument("--ff", type=int, default=1024)
    tr.add_argument("--max-len", dest="max_len", type=int, default=128)
    tr.add_argument("--batch", type=int, default=128)
    tr.add_argument("--lr", type=float, default=5e-4)
    tr.add_argument("--warmup", type=int, default=1000)
    tr.add_argument("--seed", type=int, default=13)
    tr.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    if args.cmd == "prepare":
        print(json.dumps(prepare(args.data, args.work, args.vocab, args.limit)), flush=True)
    else:
        print(json.dumps(train(args)), flush=True)


if __name__ == "__main__":
    pin_environment("pipeline.training.encoder")
    main()
