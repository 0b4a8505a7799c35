"""The one linear-chain CRF runtime: crfsuite models exported to numpy, scored and decoded here.

Both taggers use it: the tag stage's segmenter and POS tagger, and the NER (`pipeline.ner.crf`).
One file format, NAME.weights.npz (`save_table`/`load_table`): `labels`, `attrs` (row names),
`weights` (attributes x labels) and `trans` (labels x labels). `export_crf` writes it from a
crfsuite model. Decoding: `LinearChain.viterbi_many`/`viterbi_flat` (sentences side by side),
`viterbi` and `marginals` (padded batches), `viterbi2` (two labels, plain Python). `RowCache` keeps
per-key summed weight rows in one array, so a document's rows are one gather.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path

import numpy as np

__all__ = [
    "LinearChain",
    "RowCache",
    "export_crf",
    "read_crfsuite",
    "save_table",
    "save_npz",
    "load_table",
    "viterbi",
    "viterbi2",
    "marginals",
]

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date: no build time in the file
_CACHE_LIMIT = 40_000  # default rows of a RowCache (older half dropped when full)


def read_crfsuite(path: Path) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Labels (crfsuite's order), sorted attributes, state weights (attributes x labels) and
    transitions of a crfsuite model, as float64."""
    try:
        import pycrfsuite
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise ImportError("reading a crfsuite model needs python-crfsuite") from exc

    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    info = tagger.info()
    labels = sorted(info.labels, key=lambda lab: int(info.labels[lab]))
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


def save_table(
    out: Path, labels: Sequence[str], attrs: Sequence[str], w: np.ndarray, trans: np.ndarray
) -> Path:
    """Write a weight table (NAME.weights.npz), atomically and byte-reproducibly.

    Why not `np.savez_compressed`: it stamps each zip member with the current time, so two builds
    of the same weights would differ in bytes; here every member carries a fixed date (what
    `np.load` reads is the same).
    """
    arrays = {"labels": np.array(labels), "attrs": np.array(attrs), "weights": w, "trans": trans}
    return save_npz(out, arrays)


def save_npz(out: Path, arrays: Mapping[str, np.ndarray]) -> Path:
    """Write arrays as a compressed .npz (what `np.load` reads), atomically, every zip member with a
    fixed date so that the same arrays give the same bytes (see `save_table`)."""
    tmp = out.with_name(out.stem + ".tmp.npz")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(arr), allow_pickle=False)
    tmp.replace(out)
    return out


def load_table(path: Path) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """(labels, attrs, weights, trans) of a weight table written by `save_table`."""
    z = np.load(path)
    return z["labels"].tolist(), z["attrs"].tolist(), z["weights"], z["trans"]


def export_crf(crfsuite_path: Path, out: Path, dtype: type = np.float64) -> Path:
    """Write a crfsuite model's weight table (`save_table`) in `dtype`."""
    labels, attrs, w, trans = read_crfsuite(crfsuite_path)
    return save_table(out, labels, attrs, w.astype(dtype), trans.astype(dtype))


class LinearChain:
    """A first-order linear-chain CRF (trained by crfsuite), scored and decoded with numpy.

    Why not crfsuite's own tagger at run time: handing tens of feature strings per word to
    crfsuite costs more than the rest of a stage, while here a word's feature weights are summed
    once per form and cached. Decoding gives crfsuite's answer (tests compare them).
    `labels`; `index`: attribute -> row of `weights` (attributes x labels, plus one zero row at
    `_pad` for unknown attributes); `trans`: previous label x label.
    """

    def __init__(
        self, labels: Sequence[str], attrs: Sequence[str], weights: np.ndarray, trans: np.ndarray
    ) -> None:
        self.labels = list(labels)
        self.index = {a: i for i, a in enumerate(attrs)}
        n_labels = len(self.labels)
        # one zero row appended: every group in `emissions` holds it, so none is empty
        self.weights = np.vstack([weights, np.zeros((1, n_labels), weights.dtype)])
        self._pad = len(self.weights) - 1
        self.trans = trans
        self.zero = np.zeros(n_labels, dtype=weights.dtype)

    @classmethod
    def load(cls, path: Path) -> LinearChain:
        """A model from its weight table (`save_table`, NAME.weights.npz)."""
        labels, attrs, weights, trans = load_table(path)
        return cls(labels, attrs, weights, trans)

    def emission(self, feats: Iterable[str]) -> np.ndarray:
        """Sum of the weight rows of the known attributes among `feats` (one score per label)."""
        index = self.index
        rows = [index[f] for f in feats if f in index]
        if not rows:
            return self.zero
        return self.weights[rows].sum(0)

    def emissions(self, groups: Iterable[Iterable[str]]) -> np.ndarray:
        """`emission` of many feature lists at once, one row each (one numpy call in all)."""
        get = self.index.get
        pad = self._pad
        rows: list[int] = []
        starts: list[int] = []
        for feats in groups:
            starts.append(len(rows))
            rows.append(pad)
            rows.extend([get(f, pad) for f in feats])  # unknown attributes add the zero row
        return np.add.reduceat(self.weights[rows], starts, axis=0)

    def viterbi(self, emissions: np.ndarray) -> list[int]:
        """Best label sequence (indices) for an (n, labels) emission matrix."""
        return self.viterbi_many([emissions])[0]

    def viterbi_many(self, ems: Sequence[np.ndarray]) -> list[list[int]]:
        """Best label sequences of many sentences, decoded side by side (padded), which costs
        numpy calls per position of the longest sentence instead of per word."""
        if not ems:
            return []
        lens = [len(e) for e in ems]
        n_sent, longest, n_lab = len(ems), max(lens), len(self.labels)
        if n_lab == 2 and n_sent == 1:
            return [viterbi2(ems[0].tolist(), self.trans.tolist())]
        em = np.zeros((n_sent, longest, n_lab), dtype=np.float32)
        for i, e in enumerate(ems):
            em[i, : len(e)] = e
        back = np.zeros((longest, n_sent, n_lab), dtype=np.intp)
        scores = np.empty((longest, n_sent, n_lab), dtype=np.float32)
        score = scores[0] = em[:, 0]
        trans = self.trans[None]
        for t in range(1, longest):
            cand = score[:, :, None] + trans
            back[t] = cand.argmax(1)
            score = scores[t] = cand.max(1) + em[:, t]
        out = []
        for i, n in enumerate(lens):
            if n == 0:
                out.append([])
                continue
            j = int(scores[n - 1, i].argmax())
            path = [j]
            col = back[:, i]
            for t in range(n - 1, 0, -1):
                j = int(col[t, j])
                path.append(j)
            path.reverse()
            out.append(path)
        return out

    def viterbi_flat(
        self, em: np.ndarray, sent_of: np.ndarray, pos_in: np.ndarray, lens: np.ndarray
    ) -> np.ndarray:
        """Best label (index) of every word of many sentences given as one (words, labels)
        emission matrix: word i is word pos_in[i] of sentence sent_of[i]; lens > 0.

        The sentences are decoded side by side, longest first, so that step t works on the
        sentences still running as one slice, laid out (labels, sentences) so that the max over
        the previous label is a reduction over the outer axis (fast in numpy). The forward pass
        keeps only the scores; the backtrace recomputes the argmax for the chosen label alone.
        Same float32 sums and first-best tie-breaking as `viterbi_many`, hence the same paths."""
        n_sent = len(lens)
        order = np.argsort(-lens, kind="stable")
        rank = np.empty(n_sent, dtype=np.intp)
        rank[order] = np.arange(n_sent)
        lens_s = lens[order]
        longest = int(lens_s[0])
        n_lab = em.shape[1]
        col = rank[sent_of]
        em3 = np.zeros((longest, n_lab, n_sent), dtype=em.dtype)
        em3[pos_in, :, col] = em
        # running[t]: how many sentences (a prefix in length order) have a word t
        running = np.searchsorted(-lens_s, -np.arange(longest + 1), side="left").tolist()
        trans3 = self.trans[:, :, None]  # (previous, current, 1)
        trans_t = self.trans.T  # (current, previous)
        buf = np.empty(n_lab * n_lab * n_sent, dtype=em.dtype)
        scores = [em3[0]]
        score = em3[0]
        for t in range(1, longest):
            k = running[t]
            cand = np.add(
                score[:, None, :k], trans3, out=buf[: n_lab * n_lab * k].reshape(n_lab, n_lab, k)
            )
            score = cand.max(0)
            score += em3[t, :, :k]
            scores.append(score)
        paths = np.empty((longest, n_sent), dtype=np.intp)
        j = np.empty(n_sent, dtype=np.intp)
        for t in range(longest - 1, -1, -1):
            k, k_next = running[t], running[t + 1]
            if k_next < k:  # sentences whose last word is t
                j[k_next:k] = scores[t][:, k_next:k].argmax(0)
            paths[t, :k] = j[:k]
            if t:
                j[:k] = (scores[t - 1][:, :k].T + trans_t[j[:k]]).argmax(1)
        return paths[pos_in, col]


def viterbi2(em: list[list[float]], trans: list[list[float]]) -> list[int]:
    """Plain-Python Viterbi for two labels (segmentation): faster than numpy on a short word."""
    (t00, t01), (t10, t11) = trans
    s0, s1 = em[0]
    back = []
    for e0, e1 in em[1:]:
        a, b = s0 + t00, s1 + t10
        c, d = s0 + t01, s1 + t11
        back.append((0 if a >= b else 1, 0 if c >= d else 1))
        s0, s1 = max(a, b) + e0, max(c, d) + e1
    j = 0 if s0 >= s1 else 1
    path = [j]
    for b0, b1 in reversed(back):
        j = b0 if j == 0 else b1
        path.append(j)
    path.reverse()
    return path


def viterbi(
    em: np.ndarray,
    lens: np.ndarray,
    trans: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> np.ndarray:
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


def marginals(
    em: np.ndarray,
    lens: np.ndarray,
    trans: np.ndarray,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
) -> np.ndarray:
    """P(label at t) of padded sentences, B × T × labels (padding positions: unused values).

    Forward-backward in probability space, each step rescaled to sum 1: one small matrix product
    per step instead of a log-sum-exp over B × labels × labels (several times faster). The scales cancel when
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


class RowCache:
    """Per-key weight vectors (`parts` attribute lists summed each) in one preallocated array, so
    that the rows of a whole document are one gather. The older half is dropped when full."""

    def __init__(self, model: LinearChain, parts: int, limit: int | None = None) -> None:
        self.model = model
        self.parts = parts
        self.limit = limit or _CACHE_LIMIT
        self.rows: dict = {}
        self.table = np.zeros((1024, parts, len(model.labels)))

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
        get = self.model.index.get
        unknown = len(self.model.weights) - 1
        zero = repeat(unknown)
        flat: list[int] = []
        starts: list[int] = []
        for k in keys:
            for part in features(k)[: self.parts]:
                starts.append(len(flat))
                # features without a weight point at the zero row (cheaper than filtering them)
                flat.extend(map(get, part, zero))
                flat.append(unknown)  # keeps every segment non-empty
        sums = np.add.reduceat(self.model.weights[flat], starts, axis=0)
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
        keep = list(self.rows)[len(self.rows) // 2 :] if incoming < self.limit // 2 else []
        old = np.fromiter((self.rows[k] for k in keep), dtype=np.int64, count=len(keep))
        self.table[: len(keep)] = self.table[old]
        self.rows = {k: i for i, k in enumerate(keep)}
