"""The NER CRF scored in numpy: crfsuite's model, summed per word form and decoded per document.

Why: through crfsuite every token's ~60 feature strings are built, looked up and summed again for
every occurrence, one sentence at a time. But a token's CRF features are the union of parts that
each depend on one word form (its own features, what it gives its neighbours at -2..+2, its tag
features) plus a few pair features (bigrams); so each part's weight vector is summed once per form
and cached, a token's emission is the sum of a handful of cached vectors, and Viterbi and
forward-backward run over all sentences of a document at once. The answers are crfsuite's (tests
compare them).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from pathlib import Path

import numpy as np

__all__ = ["CrfScorer", "RowCache", "viterbi", "marginals", "export_weights", "average_weights",
           "weights_path", "TARGET_PREFIX"]

# Domain adaptation (Daume 2007): in training, sentences of the target corpus carry every feature
# twice, as itself and with this prefix; the prefixed copy's weights are added to the shared ones on
# export, so the exported model scores target-domain text with both and needs no prefixed features.
TARGET_PREFIX = "T|"

_CACHE_LIMIT = 40_000  # per-form vector rows kept (older half dropped when full)


def viterbi(em: np.ndarray, lens: np.ndarray, trans: np.ndarray,
            start: np.ndarray | None = None, end: np.ndarray | None = None) -> np.ndarray:
    """Best label paths of padded sentences (B × T × labels, lengths `lens`): B × T (0 past the end)."""
    bsz, steps, nl = em.shape
    score = em[:, 0] + (start if start is not None else 0.0)
    back = np.zeros((bsz, steps, nl), dtype=np.int64)
    for t in range(1, steps):
        cand = score[:, :, None] + trans[None]
        best = cand.argmax(axis=1)
        nxt = np.take_along_axis(cand, best[:, None, :], axis=1)[:, 0] + em[:, t]
        live = (lens > t)[:, None]
        score = np.where(live, nxt, score)
        back[:, t] = np.where(live, best, np.arange(nl)[None, :])
    path = np.zeros((bsz, steps), dtype=np.int64)
    cur = (score + (end if end is not None else 0.0)).argmax(axis=1)
    rows = np.arange(bsz)
    for t in range(steps - 1, -1, -1):
        path[:, t] = np.where(lens > t, cur, 0)
        cur = back[rows, t, cur]
    return path


def marginals(em: np.ndarray, lens: np.ndarray, trans: np.ndarray,
              start: np.ndarray | None = None, end: np.ndarray | None = None) -> np.ndarray:
    """P(label at t) of padded sentences, B × T × labels (padding positions: unused values).

    Forward-backward in probability space, each step rescaled to sum 1: one small matrix product
    per step instead of a log-sum-exp over B × labels × labels (4x faster). The scales cancel when
    each position's alpha·beta is normalized; emissions are shifted by their row maximum first, so
    nothing overflows, and every transition factor is positive, so no row sums to zero.
    """
    bsz, steps, nl = em.shape
    start = start if start is not None else np.zeros(nl, dtype=em.dtype)
    end = end if end is not None else np.zeros(nl, dtype=em.dtype)
    e = np.exp(em - em.max(axis=2, keepdims=True))
    t_fwd = np.exp(trans - trans.max())
    t_bwd = t_fwd.T.copy()
    alpha = np.empty_like(em)
    beta = np.ones_like(em)
    a = np.exp(start - start.max()) * e[:, 0]
    alpha[:, 0] = a / a.sum(axis=1, keepdims=True)
    for t in range(1, steps):
        a = (alpha[:, t - 1] @ t_fwd) * e[:, t]
        alpha[:, t] = a / a.sum(axis=1, keepdims=True)
    rows = np.arange(bsz)
    beta[rows, lens - 1] = np.exp(end - end.max())
    for t in range(steps - 2, -1, -1):
        b = (e[:, t + 1] * beta[:, t + 1]) @ t_bwd
        b /= b.sum(axis=1, keepdims=True)
        live = (lens - 1 > t)[:, None]
        beta[:, t] = np.where(live, b, beta[:, t])
    post = alpha * beta
    return post / post.sum(axis=2, keepdims=True)


def weights_path(path: Path) -> Path:
    """Where the numpy copy of a crfsuite model lives: ner.crfsuite -> ner.weights.npz."""
    return path.with_name(path.stem + ".weights.npz")


def _read_crfsuite(path: Path) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Labels, attributes, state weights (attributes × labels) and transitions of a crfsuite model."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    info = tagger.info()
    labels = list(tagger.labels())
    lab = {x: i for i, x in enumerate(labels)}
    attrs = sorted({a for a, _ in info.state_features})
    index = {a: i for i, a in enumerate(attrs)}
    w = np.zeros((len(attrs), len(labels)))
    for (a, y), v in info.state_features.items():
        w[index[a], lab[y]] = v
    trans = np.zeros((len(labels), len(labels)))
    for (a, b), v in info.transitions.items():
        trans[lab[a], lab[b]] = v
    return labels, attrs, w, trans


def _save(out: Path, labels: Sequence[str], attrs: Sequence[str], w: np.ndarray, trans: np.ndarray) -> Path:
    tmp = out.with_name(out.stem + ".tmp.npz")
    np.savez_compressed(tmp, labels=np.array(labels), attrs=np.array(attrs), weights=w, trans=trans)
    tmp.replace(out)
    return out


def export_weights(path: Path, out: Path | None = None) -> Path:
    """Write the numpy copy of a crfsuite model (training calls this after each training), with
    `TARGET_PREFIX` copies folded into the shared attributes."""
    labels, attrs, w, trans = _read_crfsuite(path)
    folded: dict[str, np.ndarray] = {}
    for a, row in zip(attrs, w):
        base = a[len(TARGET_PREFIX):] if a.startswith(TARGET_PREFIX) else a
        folded[base] = folded[base] + row if base in folded else row
    names = sorted(folded)
    table = np.array([folded[a] for a in names]) if names else np.zeros((0, len(labels)))
    return _save(out or weights_path(path), labels, names, table, trans)


def average_weights(parts: Sequence[Path], shares: Sequence[float], out: Path) -> Path:
    """One CRF whose every weight is the `shares`-weighted mean of the parts' (numpy tables).

    Why: a linear CRF's label scores are linear in its weights, so the averaged model scores each
    sentence with the weighted mean of the parts' scores (a log-linear pool of the parts), at the
    cost of one model. An attribute a part lacks has weight 0 there.
    """
    tables = [np.load(p) for p in parts]
    labels = tables[0]["labels"].tolist()
    if any(sorted(t["labels"].tolist()) != sorted(labels) for t in tables):
        raise ValueError(f"NER parts {', '.join(map(str, parts))} have different label sets")
    attrs = sorted(set().union(*(t["attrs"].tolist() for t in tables)))
    index = {a: i for i, a in enumerate(attrs)}
    w = np.zeros((len(attrs), len(labels)))
    trans = np.zeros_like(tables[0]["trans"])
    for t, share in zip(tables, shares):
        own = t["labels"].tolist()  # crfsuite numbers labels in order of first appearance
        cols = [own.index(lab) for lab in labels]
        rows = np.fromiter((index[a] for a in t["attrs"].tolist()), dtype=np.int64)
        w[rows] += share * t["weights"][:, cols]
        trans += share * t["trans"][np.ix_(cols, cols)]
    return _save(out, labels, attrs, w, trans)


class CrfScorer:
    """crfsuite's NER model as a weight table: attribute -> label scores, and transitions."""

    def __init__(self, path: Path) -> None:
        """`path`: a weight table (.npz) written by `export_weights` or `average_weights`."""
        z = np.load(path)
        self.labels = z["labels"].tolist()
        attrs = z["attrs"].tolist()
        w, self.trans = z["weights"], z["trans"]
        self.attr_index = {a: i for i, a in enumerate(attrs)}
        self.weights = np.vstack([w, np.zeros((1, w.shape[1]))])  # last row: unknown (zero)
        lab = {x: i for i, x in enumerate(self.labels)}
        self.outside = lab.get("O", 0)
        self.forms = RowCache(self, 5)  # a form's own features and what it gives at -2 -1 +1 +2
        self.tag_rows = RowCache(self, 3)  # its tag features: own, as -1, as +1

    def vector(self, feats: Sequence[str]) -> np.ndarray:
        """Summed weights of a list of attributes (each counted as often as it occurs)."""
        idx = self.attr_index
        rows = [idx[f] for f in feats if f in idx]
        if not rows:
            return np.zeros(len(self.labels))
        return self.weights[rows].sum(axis=0)

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
                probs = [1.0 if p == self.outside else float(x) for p, x in zip(path.tolist(), probs)]
                m += 1
            else:
                probs = [1.0] * n
            out[i] = ([labels[j] for j in path.tolist()], probs)
        return out


class RowCache:
    """Per-key weight vectors (`parts` attribute lists summed each) in one preallocated array, so
    that the rows of a whole document are one gather. The older half is dropped when full."""

    def __init__(self, scorer: CrfScorer, parts: int, limit: int | None = None) -> None:
        self.scorer = scorer
        self.parts = parts
        self.limit = limit or _CACHE_LIMIT
        self.rows: dict = {}
        self.table = np.zeros((1024, parts, len(scorer.labels)))

    def ids(self, keys: Sequence, features) -> np.ndarray:
        """Row ids of `keys`; a missing key's rows are `features(key)` (`parts` lists), summed."""
        missing = list(dict.fromkeys(k for k in keys if k not in self.rows))
        if missing:
            if len(self.rows) + len(missing) > self.limit:
                self._evict(len(missing))  # may drop some of `keys`: look them up again
                missing = list(dict.fromkeys(k for k in keys if k not in self.rows))
            self._add(missing, features)
        rows = self.rows
        return np.fromiter((rows[k] for k in keys), dtype=np.int64, count=len(keys))

    def _add(self, keys: list, features) -> None:
        get = self.scorer.attr_index.get
        unknown = len(self.scorer.weights) - 1
        zero = repeat(unknown)
        flat: list[int] = []
        starts: list[int] = []
        for k in keys:
            for part in features(k)[: self.parts]:
                starts.append(len(flat))
                # features without a weight point at the zero row (cheaper than filtering them)
                flat.extend(map(get, part, zero))
                flat.append(unknown)  # keeps every segment non-empty
        sums = np.add.reduceat(self.scorer.weights[flat], starts, axis=0)
        first = len(self.rows)
        need = first + len(keys)
        if need > len(self.table):
            grown = np.zeros((max(need, 2 * len(self.table)), *self.table.shape[1:]))
            grown[:first] = self.table[:first]
            self.table = grown
        self.table[first:need] = sums.reshape(len(keys), self.parts, -1)
        for i, k in enumerate(keys, first):
            self.rows[k] = i

    def _evict(self, incoming: int) -> None:
        keep = list(self.rows)[len(self.rows) // 2:] if incoming < self.limit // 2 else []
        old = np.fromiter((self.rows[k] for k in keep), dtype=np.int64, count=len(keep))
        self.table[: len(keep)] = self.table[old]
        self.rows = {k: i for i, k in enumerate(keep)}
