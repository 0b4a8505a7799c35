"""The NER as a fine-tuned transformer: the pretrained news encoder (`pipeline.encoder`) with a label
layer on top, every weight trained on the NER corpora (`pipeline.training.ner_encoder`).

Why a second kind of accurate network: the BiLSTM-CRF reads the character LMs' states frozen; a
fine-tuned encoder adapts all its layers to the task, which is how Arabic BERTs reach the low 80s on
ANERcorp. It plugs into the stage where the BiLSTM does (`NerModel`'s accurate backend, chosen by
`accurate.json`'s `"kind": "encoder"`): per token, label probabilities pooled with the CRF's.

A word's label is read at its first subword, as in BERT's NER recipe. Training has one label layer
per corpus (ANERcorp, WikiFANE, Wojood: their conventions differ); only the ANERcorp one is exported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from torch import nn

from pipeline.crf import save_npz
from pipeline.encoder import Encoder, EncoderConfig, autocast, batch_tensors, sentence_windows
from pipeline.ner import ENCODER_KIND
from pipeline.ner.document import BIO_LABELS
from pipeline.ner.tokens import cluster_key

__all__ = ["LABELS", "TaggerNet", "EncoderTagger", "export_state"]

LABELS = BIO_LABELS
DEFAULT_THREADS = 2  # torch threads of a loaded tagger unless its json says `threads`


class TaggerNet(nn.Module):
    """The encoder and one label layer per corpus (head 0: the exported one)."""

    def __init__(self, cfg: EncoderConfig, heads: int = 1, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = Encoder(cfg)
        self.drop = nn.Dropout(dropout)
        self.heads = nn.ModuleList(nn.Linear(cfg.dim, len(LABELS)) for _ in range(heads))

    def forward(self, ids: torch.Tensor, firsts: torch.Tensor, head: int = 0) -> torch.Tensor:
        """B × T subword ids, B × W first-subword positions (0 for padding) → B × W × labels logits."""
        states = self.encoder(ids)
        picked = states.gather(1, firsts.unsqueeze(-1).expand(-1, -1, states.shape[-1]))
        return self.heads[head](self.drop(picked))


def export_state(net: TaggerNet) -> dict[str, np.ndarray]:
    """The weights the stage needs (the encoder without its masked-LM head, label layer 0), float16."""
    state = {
        "encoder." + k: v
        for k, v in net.encoder.state_dict().items()
        if not k.startswith(("mlm_dense", "mlm_norm", "mlm_bias"))
    }
    state["head.weight"] = net.heads[0].weight
    state["head.bias"] = net.heads[0].bias
    return {k: v.detach().float().cpu().numpy().astype(np.float16) for k, v in state.items()}


class EncoderTagger:
    """The stage's side: load `NAME.npz`, `NAME.json`, `NAME.tokenizer.json`; label probabilities."""

    labels = LABELS

    def __init__(self, net: TaggerNet, tokenizer, threads: int = 1, device: str = "cpu") -> None:
        self.net = net.eval()
        self.tokenizer = tokenizer
        self.threads = threads  # torch threads on CPU
        self.device = device  # training evaluates on its own device

    @classmethod
    def load(cls, model_dir: Path, name: str = "accurate") -> EncoderTagger:
        """The three files; torch threads from the json's `threads` (default 2, as many cores as the
        LM pair of the BiLSTM backend takes), never more than the machine's cores.

        Why two and not one like each LM: a transformer layer's products over a batch of windows are
        large enough for torch to split across cores (about twice the words per second on two),
        where a character LSTM's steps are not."""
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        meta = json.loads((model_dir / f"{name}.json").read_text(encoding="utf-8"))
        net = TaggerNet(EncoderConfig(**meta["config"]))
        z = np.load(model_dir / f"{name}.npz")
        state = {k: torch.from_numpy(z[k].astype(np.float32)) for k in z.files}
        net.heads[0].load_state_dict(
            {"weight": state.pop("head.weight"), "bias": state.pop("head.bias")}
        )
        enc = {k[len("encoder.") :]: v for k, v in state.items()}
        missing = net.encoder.load_state_dict(enc, strict=False).missing_keys
        if any(not k.startswith("mlm_") for k in missing):
            raise ValueError(f"{model_dir / f'{name}.npz'} lacks encoder weights: {missing}")
        tokenizer = Tokenizer.from_file(str(model_dir / f"{name}.tokenizer.json"))
        threads = max(1, min(int(meta.get("threads", DEFAULT_THREADS)), os.cpu_count() or 1))
        return cls(net, tokenizer, threads=threads)

    @staticmethod
    def save(
        net: TaggerNet, tokenizer, model_dir: Path, name: str, extra: dict | None = None
    ) -> None:
        """Write the three files (the weights byte-reproducibly)."""
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        save_npz(model_dir / f"{name}.npz", export_state(net))
        meta = {
            "kind": ENCODER_KIND,
            "labels": LABELS,
            "config": asdict(net.encoder.cfg),
            **(extra or {}),
        }
        (model_dir / f"{name}.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        tokenizer.save(str(model_dir / f"{name}.tokenizer.json"))

    @torch.inference_mode()
    def probabilities(
        self, sentences: Sequence[Sequence[str]], batch: int = 32
    ) -> list[np.ndarray]:
        """Per sentence of `cluster_key` forms, P(label) per word (words × labels, `LABELS` order)."""
        windows = sentence_windows(self.tokenizer, sentences, self.net.encoder.cfg.max_len)
        out = [np.zeros((len(s), len(LABELS)), np.float32) for s in sentences]
        order = sorted(range(len(windows)), key=lambda i: len(windows[i][2]))
        threads, training = torch.get_num_threads(), self.net.training
        torch.set_num_threads(self.threads)
        self.net.eval()  # no dropout, also when training scores its network between epochs
        try:
            for k in range(0, len(order), batch):
                part = [windows[i] for i in order[k : k + batch]]
                ids, firsts = (t.to(self.device) for t in batch_tensors(part))
                with autocast(self.device):
                    logits = self.net(ids, firsts)
                probs = torch.softmax(logits.float(), -1).cpu().numpy()
                for r, (s, a, _, first) in enumerate(part):
                    out[s][a : a + len(first)] = probs[r, : len(first)]
        finally:
            torch.set_num_threads(threads)
            self.net.train(training)
        return out

    def posteriors(self, sentences: Sequence[Sequence[str]], tags=None) -> list[np.ndarray]:
        """The stage's call (as `LstmTagger.posteriors`): `sentences` of normalized forms; the tag
        stage's view is not read."""
        return self.probabilities([[cluster_key(w) for w in s] for s in sentences])
