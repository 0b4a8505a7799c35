"""Word clusters for the NER features: k-means over word2vec vectors trained on raw news.

Why: a CRF sees only the words of its training corpora (125k ANERcorp tokens); clusters learned from
millions of unlabeled news tokens let it generalize to names it never saw in labelled text (a new
Central-Asian president clusters with other foreign surnames). Vectors are trained on the *same*
tokens the stage sees at run time (our Normalizer + Tokenizer), lower-cased Latin, digits collapsed.

    python -m pipeline.training.ner_clusters --data DIR --out models/ner/clusters.tsv

Needs `gensim` and `scikit-learn` (the `train` extra; training only, not at run time). Fixed seed,
one worker, a stable hash: reproducible.
About 30 minutes on the 2-core machine (word2vec skip-gram dominates).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from pipeline.arabic.normalize import normalize_text
from pipeline.ner.tokens import cluster_key
from pipeline.resources import data_dir, models_dir
from pipeline.stages.tokenize import tokenize_spans
from pipeline.training.reproducible import pin_environment

__all__ = ["news_sentences", "skipgram", "train_clusters", "stable_hash"]


def stable_hash(text: str) -> int:
    """A process-independent string hash for gensim's vector seeding (Python's hash is salted)."""
    return zlib.crc32(text.encode("utf-8"))


def skipgram(sents: list[list[str]], dim: int, min_count: int, epochs: int, seed: int):
    """word2vec skip-gram on `sents` as the NER's clusters and vectors train it: one worker, the seed
    and a stable hash, so a rebuild gives the same vectors."""
    from gensim.models import Word2Vec

    return Word2Vec(
        sents,
        vector_size=dim,
        window=5,
        min_count=min_count,
        workers=1,
        sg=1,
        negative=5,
        epochs=epochs,
        seed=seed,
        hashfxn=stable_hash,
    )


def news_sentences(data: Path, limit: int | None = None) -> Iterator[list[str]]:
    """Tokenized paragraphs of SaudiNewsNet and ANT Corpus, keyed with `cluster_key`."""
    n = 0
    for rel in ("raw/saudinewsnet/saudinewsnet.jsonl.gz", "raw/antcorpus/antcorpus.jsonl.gz"):
        with gzip.open(data / rel, "rt", encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line).get("text") or ""
                for para in text.split("\n"):
                    norm, _, _ = normalize_text(para)
                    toks = [cluster_key(norm[a:b]) for a, b in tokenize_spans(norm)]
                    if len(toks) > 2:
                        yield toks
                n += 1
                if limit and n >= limit:
                    return


def train_clusters(
    data: Path,
    out: Path,
    k: int = 600,
    min_count: int = 5,
    dim: int = 100,
    epochs: int = 5,
    max_words: int = 120_000,
    seed: int = 13,
) -> None:
    """Train word2vec (skip-gram, 1 worker, seeded), k-means the most frequent words, write a TSV.

    Columns: word, coarse id (k/10 clusters of the fine centroids), fine id (k clusters). Skip-gram
    rather than CBOW: CBOW trains faster, but its clusters scored lower on ANERcorp dev and on the
    seed article (models/cards/ner.md).
    """
    import numpy as np
    from sklearn.cluster import MiniBatchKMeans

    t0 = time.time()
    sents = list(news_sentences(data))
    print(f"{len(sents)} paragraphs, {sum(map(len, sents))} tokens ({time.time() - t0:.0f}s)")
    model = skipgram(sents, dim, min_count, epochs, seed)
    print(f"word2vec: {len(model.wv)} words ({time.time() - t0:.0f}s)")
    words = model.wv.index_to_key[:max_words]
    vecs = np.asarray([model.wv[w] for w in words])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
    fine = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=3).fit(vecs)
    coarse = MiniBatchKMeans(n_clusters=k // 10, random_state=seed, batch_size=4096, n_init=3).fit(
        fine.cluster_centers_
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        fh.write("# word\tcoarse\tfine (k-means over word2vec on SaudiNewsNet + ANT Corpus)\n")
        for w, c in zip(words, fine.labels_):
            fh.write(f"{w}\t{coarse.labels_[c]}\t{c}\n")
    print(f"wrote {out} ({time.time() - t0:.0f}s)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--out", type=Path, default=models_dir() / "ner" / "clusters.tsv")
    ap.add_argument("--k", type=int, default=600)
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args(argv)
    train_clusters(args.data, args.out, k=args.k, epochs=args.epochs)


if __name__ == "__main__":
    pin_environment("pipeline.training.ner_clusters")
    main()
