"""Word vectors for the neural NER tagger: word2vec on raw news, tokens as the stage sees them.

Why: ANERcorp has 113k labelled tokens; a name or a trigger word the tagger never saw in them is
still close, in vectors learned from 11 M unlabeled news tokens, to ones it did see. The vectors only
initialize the tagger's embeddings (`ner_neural` fine-tunes them and ships the used rows), so they are
kept in build/ and not in models/.

    python -m pipeline.training.ner_vectors --data DIR [--out build/ner_vectors.npz]

Skip-gram, one worker, seeded, a stable hash: reproducible. About 10-15 minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.resources import data_dir
from pipeline.training.ner_clusters import news_sentences, skipgram

__all__ = ["train_vectors", "DEFAULT_PATH"]

DEFAULT_PATH = Path("build") / "ner_vectors.npz"


def train_vectors(
    data: Path,
    out: Path,
    dim: int = 100,
    epochs: int = 3,
    min_count: int = 3,
    max_words: int = 200_000,
    seed: int = 13,
) -> Path:
    """Train word2vec and save the `max_words` most frequent words with their vectors (npz)."""
    import numpy as np

    t0 = time.time()
    sents = list(news_sentences(data))
    print(
        f"{len(sents)} paragraphs, {sum(map(len, sents))} tokens ({time.time() - t0:.0f}s)",
        flush=True,
    )
    model = skipgram(sents, dim, min_count, epochs, seed)
    words = model.wv.index_to_key[:max_words]
    vecs = np.asarray([model.wv[w] for w in words], dtype=np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, words=np.asarray(words), vectors=vecs)
    tmp.replace(out)
    print(f"wrote {out}: {len(words)} words ({time.time() - t0:.0f}s)", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--out", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args(argv)
    train_vectors(args.data, args.out, epochs=args.epochs)


if __name__ == "__main__":
    main()
