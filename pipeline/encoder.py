"""A small transformer encoder of news text (masked-LM pretrained, BERT-style) and the contextual word
states it gives: the second source of context for the accurate NER, beside the character LMs.

Why: the character LMs (`pipeline.charlm`) give each word one left and one right summary; a transformer
attends to every word of the sentence at once, which is what fine-tuned Arabic BERTs use to reach the
low 80s on ANERcorp. Pretrained here on the raw news (`pipeline.training.encoder`): on a lent GPU in
minutes, on CPU in hours; either way it runs on CPU at extraction time. Its size is chosen for that:
four layers of 256 units run at several thousand subwords per second on one core.

A word's vector is the encoder's last layer at the word's first subword. The text it reads is the NER
view of a sentence (its tokens' `cluster_key` forms), as the character LMs read it, cut into subwords
by a byte-pair vocabulary trained on the same text (`tokenizer.json`, the `tokenizers` package).
Torch and tokenizers are needed; the rest of the pipeline does not import this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pipeline.crf import save_npz

__all__ = [
    "EncoderConfig",
    "Encoder",
    "WordEncoder",
    "SPECIAL",
    "Window",
    "autocast",
    "word_windows",
    "sentence_windows",
    "batch_tensors",
]

# Special subwords, in vocabulary order (ids 0..4).
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PAD, UNK, CLS, SEP, MASK = range(len(SPECIAL))


@dataclass(frozen=True)
class EncoderConfig:
    """Sizes of the encoder."""

    vocab: int
    dim: int = 256
    layers: int = 4
    heads: int = 4
    ff: int = 1024
    max_len: int = 128  # subwords per window, [CLS] and [SEP] included
    dropout: float = 0.1


class Encoder(nn.Module):
    """Subword and position embeddings → pre-norm transformer layers → the contextual states; the
    masked-LM head (tied to the subword embeddings) is for pretraining only."""

    def __init__(self, cfg: EncoderConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab, cfg.dim, padding_idx=PAD)
        self.pos = nn.Embedding(cfg.max_len, cfg.dim)
        self.norm_in = nn.LayerNorm(cfg.dim)
        self.drop = nn.Dropout(cfg.dropout)
        layer = nn.TransformerEncoderLayer(
            cfg.dim, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True,
            norm_first=True,
        )  # fmt: skip
        self.layers = nn.TransformerEncoder(
            layer, cfg.layers, norm=nn.LayerNorm(cfg.dim), enable_nested_tensor=False
        )
        self.mlm_dense = nn.Linear(cfg.dim, cfg.dim)
        self.mlm_norm = nn.LayerNorm(cfg.dim)
        self.mlm_bias = nn.Parameter(torch.zeros(cfg.vocab))
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        with torch.no_grad():
            self.tok.weight[PAD].zero_()

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """B × T subword ids (PAD-padded) → B × T × dim states."""
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.drop(self.norm_in(self.tok(ids) + self.pos(positions)))
        pad = ids == PAD
        # no mask when nothing is padded (pretraining windows): attention then takes its fused kernels
        return self.layers(x, src_key_padding_mask=pad if bool(pad.any()) else None)

    def mlm_logits(self, states: torch.Tensor) -> torch.Tensor:
        """Scores over the vocabulary for each state (the masked-LM head)."""
        h = self.mlm_norm(nn.functional.gelu(self.mlm_dense(states)))
        return h @ self.tok.weight.T + self.mlm_bias


def autocast(device: str):
    """bfloat16 matrix work on CUDA, plain float32 elsewhere (pretraining, fine-tuning, scoring)."""
    return torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda"))


def word_windows(n_subwords: Sequence[int], limit: int) -> list[tuple[int, int]]:
    """Cut a sentence's words into consecutive windows [a, b) of at most `limit` subwords each.

    Why: a sentence longer than the encoder's positions (run-ons the splitter did not cut) is read as
    several windows; a single word longer than the limit is a window of its own, cut to the limit."""
    out: list[tuple[int, int]] = []
    a, used = 0, 0
    for i, n in enumerate(n_subwords):
        if i > a and used + n > limit:
            out.append((a, i))
            a, used = i, 0
        used += n
    if a < len(n_subwords):
        out.append((a, len(n_subwords)))
    return out


class WordEncoder:
    """The tokenizer and the encoder together; turns sentences into per-word contextual vectors."""

    def __init__(self, model: Encoder, tokenizer) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer

    @property
    def dim(self) -> int:
        return self.model.cfg.dim

    @classmethod
    def load(cls, path: Path) -> WordEncoder:
        """Load `encoder.json`, `encoder.npz` (float16 weights) and `tokenizer.json`."""
        from tokenizers import Tokenizer

        path = Path(path)
        meta = json.loads((path / "encoder.json").read_text(encoding="utf-8"))
        model = Encoder(EncoderConfig(**meta["config"]))
        z = np.load(path / "encoder.npz")
        model.load_state_dict({k: torch.from_numpy(z[k].astype(np.float32)) for k in z.files})
        return cls(model, Tokenizer.from_file(str(path / "tokenizer.json")))

    def save(self, path: Path, extra: dict | None = None) -> None:
        """Write the weights in float16 (`encoder.npz`, byte-reproducible), the sizes and `extra`
        (`encoder.json`) and the tokenizer (`tokenizer.json`)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = self.model.state_dict()
        arrays = {k: v.detach().numpy().astype(np.float16) for k, v in state.items()}
        save_npz(path / "encoder.npz", arrays)
        meta = {"config": asdict(self.model.cfg), **(extra or {})}
        (path / "encoder.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        self.tokenizer.save(str(path / "tokenizer.json"))

    @torch.inference_mode()
    def embed_sentences(
        self, sentences: Sequence[Sequence[str]], batch: int = 32
    ) -> list[np.ndarray]:
        """Per sentence, a (words × dim) float32 array: the last layer at each word's first subword.

        `sentences` are token `cluster_key` forms. Windows of similar length run in padded batches;
        padding is masked out of attention, so a window's states do not depend on its batch."""
        windows = sentence_windows(self.tokenizer, sentences, self.model.cfg.max_len)
        out = [np.zeros((len(words), self.dim), np.float32) for words in sentences]
        order = sorted(range(len(windows)), key=lambda i: len(windows[i][2]))
        for k in range(0, len(order), batch):
            part = [windows[i] for i in order[k : k + batch]]
            ids, _ = batch_tensors(part)
            states = self.model(ids).float().numpy()
            for r, (s, a, _, firsts) in enumerate(part):
                out[s][a : a + len(firsts)] = states[r, firsts]
        return out


# A window of one sentence: (sentence index, first word, subword ids with [CLS] and [SEP], the
# position of each word's first subword among them)
Window = tuple[int, int, list[int], list[int]]


def sentence_windows(tokenizer, sentences: Sequence[Sequence[str]], max_len: int) -> list[Window]:
    """Each sentence's words (`cluster_key` forms) cut into subwords (at least one per word: an empty
    piece list becomes [UNK]) and into windows of at most `max_len` subwords, [CLS] and [SEP]
    included: a run-on sentence the splitter did not cut becomes several windows."""
    limit = max_len - 2
    out: list[Window] = []
    for s, words in enumerate(sentences):
        if not words:
            continue
        enc = tokenizer.encode(list(words), is_pretokenized=True, add_special_tokens=False)
        pieces: list[list[int]] = [[] for _ in words]
        for sid, w in zip(enc.ids, enc.word_ids):
            if w is not None:
                pieces[w].append(sid)
        pieces = [p or [UNK] for p in pieces]
        for a, b in word_windows([len(p) for p in pieces], limit):
            ids, firsts = [CLS], []
            for p in pieces[a:b]:
                firsts.append(min(len(ids), limit))
                ids.extend(p)
            out.append((s, a, [*ids[: limit + 1], SEP], firsts))
    return out


def batch_tensors(windows: Sequence[Window]) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of windows as padded subword ids (B × T) and first-subword positions (B × W, 0 past
    a window's words)."""
    width = max(len(w[2]) for w in windows)
    words = max(len(w[3]) for w in windows)
    ids = torch.full((len(windows), width), PAD, dtype=torch.long)
    firsts = torch.zeros((len(windows), words), dtype=torch.long)
    for r, (_, _, sub, first) in enumerate(windows):
        ids[r, : len(sub)] = torch.tensor(sub)
        firsts[r, : len(first)] = torch.tensor(first)
    return ids, firsts
