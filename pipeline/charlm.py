"""Character language models of news text and the contextual word states they give (Flair embeddings).

Why: the NER models see only 125k labelled tokens; a forward and a backward character LSTM trained on
eleven million words of raw news learn what a name looks like in context (what precedes a person, how a
foreign surname is spelled, where an organization's name ends) without labels. A word's contextual
vector is the forward LM's state after its last character and the backward LM's state after (reading
right to left) its first character, as in Akbik et al. 2018, "Contextual String Embeddings for Sequence
Labeling".

The text both LMs read is the NER view of a sentence: its tokens' `cluster_key` forms (normalized, Latin
lower-cased, digits as 0) joined by single spaces, so training and run time see the same characters.
Torch is needed (`pip install torch`); the rest of the pipeline does not import this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pipeline.crf import save_npz

__all__ = ["LmConfig", "CharLM", "CharLMPair", "sentence_text", "UNK", "BOUNDARY"]

UNK = "\x00"  # characters outside the vocabulary
BOUNDARY = "\n"  # between paragraphs in training; before and after each sentence at run time


def sentence_text(keys: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The LM text of one sentence and each token's (start, end) in it."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for k in keys:
        spans.append((pos, pos + len(k)))
        pos += len(k) + 1
    return " ".join(keys), spans


@dataclass(frozen=True)
class LmConfig:
    """Sizes of one character LM."""

    chars: str  # the vocabulary, index = position (UNK first)
    embed: int = 64
    hidden: int = 512
    dropout: float = 0.1


class CharLM(nn.Module):
    """One direction: embedding → one-layer LSTM → next-character softmax."""

    def __init__(self, cfg: LmConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.index = {c: i for i, c in enumerate(cfg.chars)}
        self.embed = nn.Embedding(len(cfg.chars), cfg.embed)
        self.lstm = nn.LSTM(cfg.embed, cfg.hidden, batch_first=True)
        self.drop = nn.Dropout(cfg.dropout)
        self.out = nn.Linear(cfg.hidden, len(cfg.chars))

    def encode(self, text: str) -> list[int]:
        return [self.index.get(c, 0) for c in text]

    def forward(
        self, ids: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Logits of the next character at each position, the hidden states, the final state."""
        hidden, state = self.lstm(self.embed(ids), state)
        return self.out(self.drop(hidden)), hidden, state


class CharLMPair:
    """The forward and backward LMs together; turns sentences into per-token contextual vectors."""

    def __init__(self, fwd: CharLM, bwd: CharLM) -> None:
        self.fwd = fwd.eval()
        self.bwd = bwd.eval()
        # Why two threads: the two directions are independent, and a character LSTM's steps are
        # too small for torch to split one step across cores; one direction per core is faster.
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="charlm")

    @property
    def dim(self) -> int:
        return self.fwd.cfg.hidden + self.bwd.cfg.hidden

    @classmethod
    def load(cls, path: Path) -> CharLMPair:
        """Load `charlm.json` + `charlm.npz` (float16 weights) from a model directory."""
        path = Path(path)
        meta = json.loads((path / "charlm.json").read_text(encoding="utf-8"))
        cfg = LmConfig(**meta["config"])
        z = np.load(path / "charlm.npz")
        models = []
        for name in ("fwd", "bwd"):
            m = CharLM(cfg)
            prefix = name + "."
            m.load_state_dict(
                {
                    k[len(prefix) :]: torch.from_numpy(z[k].astype(np.float32))
                    for k in z.files
                    if k.startswith(prefix)
                }
            )
            models.append(m)
        return cls(*models)

    def save(self, path: Path, extra: dict | None = None) -> None:
        """Write the weights in float16 (`charlm.npz`, byte-reproducible) and the sizes (`charlm.json`)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        arrays = {
            f"{name}.{k}": v.detach().numpy().astype(np.float16)
            for name, m in (("fwd", self.fwd), ("bwd", self.bwd))
            for k, v in m.state_dict().items()
        }
        save_npz(path / "charlm.npz", arrays)
        meta = {"config": asdict(self.fwd.cfg), **(extra or {})}
        (path / "charlm.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    @torch.inference_mode()
    def embed_sentences(
        self, sentences: Sequence[Sequence[str]], batch: int = 64
    ) -> list[np.ndarray]:
        """Per sentence, a (tokens × dim) float32 array of contextual vectors.

        `sentences` are token `cluster_key` forms. Sentences are sorted by length and run in padded
        batches (the padding follows the text, so it never reaches the states that are read).
        """
        texts = [sentence_text(s) for s in sentences]
        order = sorted(
            (i for i in range(len(texts)) if texts[i][1]), key=lambda i: len(texts[i][0])
        )
        out: list[np.ndarray] = [np.zeros((0, self.dim), np.float32)] * len(texts)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # this thread's LM on one core, the other LM on another
        try:
            self._embed(texts, order, batch, out)
        finally:
            torch.set_num_threads(threads)
        return out

    def _embed(
        self,
        texts: list[tuple[str, list[tuple[int, int]]]],
        order: list[int],
        batch: int,
        out: list[np.ndarray],
    ) -> None:
        """Fill `out` for the sentences `order` (sorted by length) in length buckets. The forward LM
        runs here and the backward one on the pair's worker thread at the same time."""
        for a, b in _buckets([len(texts[i][0]) + 1 for i in order], batch):
            idx = order[a:b]
            width = max(len(texts[i][0]) for i in idx) + 1
            f_ids = torch.zeros((len(idx), width), dtype=torch.long)
            b_ids = torch.zeros((len(idx), width), dtype=torch.long)
            for r, i in enumerate(idx):
                text = BOUNDARY + texts[i][0]
                f_ids[r, : len(text)] = torch.tensor(self.fwd.encode(text))
                rev = BOUNDARY + texts[i][0][::-1]
                b_ids[r, : len(rev)] = torch.tensor(self.bwd.encode(rev))
            backward = self._worker.submit(_lstm_states, self.bwd, b_ids)
            f_np = _lstm_states(self.fwd, f_ids)
            b_np = backward.result()
            for r, i in enumerate(idx):
                text, spans = texts[i]
                n = len(text)
                # forward: the state after the token's last character (position end, +1 for the
                # boundary, -1 for the last character); backward: reading the reversed text, the
                # state after the token's first character, at reversed position n - start
                ends = [e for _, e in spans]
                starts = [n - s for s, _ in spans]
                out[i] = np.concatenate([f_np[r, ends], b_np[r, starts]], axis=1)


def _lstm_states(lm: CharLM, ids: torch.Tensor) -> np.ndarray:
    """The LSTM states of a batch of character ids, on one torch thread (the next-character layer is
    for training only)."""
    if torch.get_num_threads() != 1:  # the worker thread's setting is its own
        torch.set_num_threads(1)
    with torch.inference_mode():  # per thread: the worker needs its own
        return lm.lstm(lm.embed(ids))[0].numpy()


# The cost of one LSTM step over a batch, in rows: a step costs about as much as this many extra
# rows whatever the batch size (torch's per-step overhead on one CPU thread).
_STEP_OVERHEAD_ROWS = 2.2


def _buckets(lengths: Sequence[int], batch: int) -> list[tuple[int, int]]:
    """Split lengths sorted ascending into batches [a, b) that minimize the padded LSTM work.

    Why: one batch per document pads every sentence to the longest, about half of the work on
    news; one batch per sentence pays the per-step overhead each time. Each batch costs its width
    × (rows + overhead); the split is the cheapest one (dynamic programming, at most `batch` rows).
    """
    n = len(lengths)
    best = [0.0] + [float("inf")] * n
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - batch), j):
            cost = best[i] + lengths[j - 1] * (j - i + _STEP_OVERHEAD_ROWS)
            if cost < best[j]:
                best[j], cut[j] = cost, i
    spans = []
    while n:
        spans.append((cut[n], n))
        n = cut[n]
    return spans[::-1]
