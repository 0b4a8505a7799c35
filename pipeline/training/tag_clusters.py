"""Distributional word clusters from raw news, as features for the UPOS CRF.

Why: on PADT the tagger is right on ~97% of words it saw in training but far less on unseen ones,
mostly names (X vs NOUN) and adjectives. Words that occur in the same contexts in a large body of
news (SaudiNewsNet, unlabeled) share a cluster, which carries what the small treebank cannot.
Method (deliberately cheap, numpy only, deterministic): segment the raw text with the trained
segmenter, count each frequent word's left and right neighbours among the most frequent words,
log-scale and row-normalize, reduce with an SVD, and k-means the vectors at two granularities.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pipeline.document import Document
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tokenize import Tokenizer
from pipeline.tagging.features import cuts_to_spans
from pipeline.tagging.segmenter import Segmenter

__all__ = ["segmented_words", "build_clusters", "write_clusters", "CLUSTER_ARTICLES"]

CLUSTER_ARTICLES = 12_000
VOCAB = 40_000
CONTEXTS = 600
DIMS = 80
KS = (64, 400)
SEED = 13


def segmented_words(raw_path: Path, segmenter: Segmenter, articles: int) -> Iterator[list[str]]:
    """Sentences of normalized syntactic words from the first `articles` of a gzip JSONL file."""
    norm, tok = Normalizer(), Tokenizer()
    with gzip.open(raw_path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= articles:
                break
            doc = tok(norm(Document(id=str(i), raw=json.loads(line)["text"])))
            for s in doc.sentences:
                words: list[str] = []
                for t in doc.tokens[s.first_token : s.last_token]:
                    w = t.norm
                    words.extend(w[a:b] for a, b in cuts_to_spans(len(w), segmenter.cuts(w)))
                yield words


def _kmeans(x: np.ndarray, k: int, rng: np.random.Generator, iters: int = 25) -> np.ndarray:
    centers = x[rng.choice(len(x), size=k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iters):
        sims = x @ centers.T  # rows are unit vectors: cosine k-means
        labels = sims.argmax(1)
        for j in range(k):
            members = x[labels == j]
            if len(members):
                c = members.sum(0)
                centers[j] = c / (np.linalg.norm(c) + 1e-9)
    return labels


def build_clusters(sentences: Iterator[list[str]]) -> dict[str, tuple[int, ...]]:
    """Cluster ids (one per granularity in KS) for the VOCAB most frequent words."""
    sents = list(sentences)
    freq = Counter(w for s in sents for w in s)
    vocab = [w for w, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:VOCAB]]
    vid = {w: i for i, w in enumerate(vocab)}
    n_ctx = min(CONTEXTS, len(vocab))
    ids = []
    for s in sents:
        ids.append(-2)  # sentence boundary
        ids.extend(vid.get(w, -1) for w in s)
    ids.append(-2)
    arr = np.asarray(ids, dtype=np.int64)
    cur, nxt = arr[:-1], arr[1:]
    counts = np.zeros((len(vocab), 2 * n_ctx + 2), dtype=np.float32)
    # right neighbour of cur; left neighbour of nxt (slot n_ctx = other word, last two = boundary)
    ctx_r = np.where(nxt == -2, 2 * n_ctx + 1, np.where((nxt >= 0) & (nxt < n_ctx), nxt, n_ctx))
    ok = cur >= 0
    np.add.at(counts, (cur[ok], n_ctx + 1 + np.minimum(ctx_r[ok], n_ctx)), 1)
    ctx_l = np.where(cur == -2, 2 * n_ctx + 1, np.where((cur >= 0) & (cur < n_ctx), cur, n_ctx))
    ok = nxt >= 0
    np.add.at(counts, (nxt[ok], np.minimum(ctx_l[ok], n_ctx)), 1)
    x = np.log1p(counts)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    x -= x.mean(0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    z = u[:, :DIMS] * s[:DIMS]
    z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-9
    rng = np.random.default_rng(SEED)
    labels = [_kmeans(z.astype(np.float32), k, rng) for k in KS]
    return {w: tuple(int(lab[i]) for lab in labels) for i, w in enumerate(vocab)}


def write_clusters(clusters: dict[str, tuple[int, ...]], path: Path) -> None:
    """word<TAB>id,id per line, sorted, gzip without a timestamp (byte-reproducible)."""
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        for w in sorted(clusters):
            fh.write(f"{w}\t{','.join(map(str, clusters[w]))}\n".encode())
