"""The NER's CRF: crfsuite's model as a numpy weight table (`pipeline.crf`), scored per word form
and decoded per document.

Why: through crfsuite every token's ~60 feature strings are built, looked up and summed again for
every occurrence, one sentence at a time. But a token's CRF features are the union of parts that
each depend on one word form (its own features, what it gives its neighbours at -2..+2, its tag
features) plus a few pair features (bigrams); so each part's weight vector is summed once per form
and cached (`RowCache`), a token's emission is the sum of a handful of cached vectors, and Viterbi
and forward-backward run over all sentences of a document at once. The answers are crfsuite's
(tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.crf import (
    LinearChain,
    RowCache,
    load_table,
    marginals,
    read_crfsuite,
    save_table,
    viterbi,
)

__all__ = ["CrfScorer", "export_weights", "average_weights", "weights_path", "TARGET_PREFIX"]

# Domain adaptation (Daume 2007): in training, sentences of the target corpus carry every feature
# twice, as itself and with this prefix; the prefixed copy's weights are added to the shared ones on
# export, so the exported model scores target-domain text with both and needs no prefixed features.
TARGET_PREFIX = "T|"


def weights_path(path: Path) -> Path:
    """Where the numpy copy of a crfsuite model lives: ner.crfsuite -> ner.weights.npz."""
    return path.with_name(path.stem + ".weights.npz")


def export_weights(path: Path, out: Path | None = None) -> Path:
    """Write the numpy copy of a crfsuite model (training calls this after each training), with
    `TARGET_PREFIX` copies folded into the shared attributes."""
    labels, attrs, w, trans = read_crfsuite(path)
    folded: dict[str, np.ndarray] = {}
    for a, row in zip(attrs, w):
        base = a[len(TARGET_PREFIX) :] if a.startswith(TARGET_PREFIX) else a
        folded[base] = folded[base] + row if base in folded else row
    names = sorted(folded)
    table = np.array([folded[a] for a in names]) if names else np.zeros((0, len(labels)))
    return save_table(out or weights_path(path), labels, names, table, trans)


def average_weights(parts: Sequence[Path], shares: Sequence[float], out: Path) -> Path:
    """One CRF whose every weight is the `shares`-weighted mean of the parts' (numpy tables).

    Why: a linear CRF's label scores are linear in its weights, so the averaged model scores each
    sentence with the weighted mean of the parts' scores (a log-linear pool of the parts), at the
    cost of one model. An attribute a part lacks has weight 0 there.
    """
    tables = [dict(zip(("labels", "attrs", "weights", "trans"), load_table(p))) for p in parts]
    labels = tables[0]["labels"]
    if any(sorted(t["labels"]) != sorted(labels) for t in tables):
        raise ValueError(f"NER parts {', '.join(map(str, parts))} have different label sets")
    attrs = sorted(set().union(*(t["attrs"] for t in tables)))
    index = {a: i for i, a in enumerate(attrs)}
    w = np.zeros((len(attrs), len(labels)))
    trans = np.zeros_like(tables[0]["trans"])
    for t, share in zip(tables, shares):
        own = t["labels"]  # crfsuite numbers labels in order of first appearance
        cols = [own.index(lab) for lab in labels]
        rows = np.fromiter((index[a] for a in t["attrs"]), dtype=np.int64)
        w[rows] += share * t["weights"][:, cols]
        trans += share * t["trans"][np.ix_(cols, cols)]
    return save_table(out, labels, attrs, w, trans)


class CrfScorer(LinearChain):
    """crfsuite's NER model as a weight table, with per-form caches of summed rows and decoding
    into labels and their marginal probabilities."""

    def __init__(
        self, labels: Sequence[str], attrs: Sequence[str], weights: np.ndarray, trans: np.ndarray
    ) -> None:
        super().__init__(labels, attrs, weights, trans)
        self.outside = self.labels.index("O") if "O" in self.labels else 0
        self.forms = RowCache(self, 5)  # a form's own features and what it gives at -2 -1 +1 +2
        self.tag_rows = RowCache(self, 3)  # its tag features: own, as -1, as +1

    def decode(self, emissions: Sequence[np.ndarray]) -> list[tuple[list[str], list[float]]]:
        """Labels and each label's marginal probability for sentences of emissions (n × labels)."""
        out: list[tuple[list[str], list[float]]] = [([], []) for _ in emissions]
        live = [i for i, e in enumerate(emissions) if len(e)]
        if not live:
            return out
        lens = np.array([len(emissions[i]) for i in live])
        em = np.zeros((len(live), int(lens.max()), len(self.labels)))
        for k, i in enumerate(live):
            em[k, : lens[k]] = emissions[i]
        paths = viterbi(em, lens, self.trans)
        named = (paths != self.outside).any(axis=1) & (lens > 0)
        # padding positions decode to label 0; only real positions are read below
        marg = marginals(em[named], lens[named], self.trans) if named.any() else None
        m = 0
        labels = self.labels
        for k, i in enumerate(live):
            n = int(lens[k])
            path = paths[k, :n]
            if named[k]:
                probs = np.take_along_axis(marg[m, :n], path[:, None], axis=1)[:, 0]
                probs = [
                    1.0 if p == self.outside else float(x) for p, x in zip(path.tolist(), probs)
                ]
                m += 1
            else:
                probs = [1.0] * n
            out[i] = ([labels[j] for j in path.tolist()], probs)
        return out
