"""`Tagger`: the tag models together: clitic segmentation and UPOS of sentences of normalized
words, with the crf backend (models/tag) or the optional stanza POS backend (same segmentation).

Why two small models instead of one big one: clitic segmentation of a written word barely depends on
its neighbours, so it is decided once per word form (`Segmenter`) and cached; news vocabulary repeats
so much that almost every token is a cache hit. UPOS does depend on context, so a word-level CRF
tags each sentence's syntactic words (`PosTagger`), with per-form feature lists cached too.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.cache import evict_oldest
from pipeline.crf import LinearChain
from pipeline.resources import models_dir
from pipeline.stanza_models import stanza_pipeline
from pipeline.tagging.features import cuts_to_spans, where_codes
from pipeline.tagging.pos import PosTagger, WordKey
from pipeline.tagging.segmenter import CACHE_LIMIT, Segmenter

__all__ = ["Tagger", "STANZA_POS_NAME"]


def _load_memory(path: Path) -> dict[str, tuple[int, ...]]:
    memory: dict[str, tuple[int, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            form, _, cuts = line.rstrip("\n").partition("\t")
            memory[form] = tuple(int(c) for c in cuts.split(",")) if cuts else ()
    return memory


def _load_clusters(path: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            w, _, ids = line.rstrip("\n").partition("\t")
            out[w] = tuple(ids.split(","))
    return out


def _load_lexicon(path: Path) -> frozenset[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.rstrip("\n") for line in fh if line.strip())


class Tagger:
    """Clitic segmentation and UPOS of sentences of normalized words.

    backend="crf" (default) loads the models shipped in models/tag/ (`python -m
    pipeline.training.tag train` rebuilds them). backend="stanza" tags the same segmented words
    with a stanza POS model from `model_dir` (default models/stanza), offline.
    """

    def __init__(
        self,
        model_dir: Path | str | None = None,
        backend: str = "crf",
        cache_limit: int | None = None,
    ) -> None:
        self.backend = backend
        # entries of each per-form cache (forms here, (part, where) keys in the POS tagger)
        self.cache_limit = cache_limit if cache_limit is not None else CACHE_LIMIT
        self._forms: dict[str, tuple[tuple[tuple[int, int], ...], tuple[WordKey, ...]]] = {}
        if backend == "crf":
            d = Path(model_dir) if model_dir is not None else models_dir() / "tag"
            needed = [
                "seg.weights.npz", "pos.weights.npz", "seg_memory.tsv.gz", "lexicon.txt.gz",
            ]  # fmt: skip
            missing = [f for f in needed if not (d / f).exists()]
            if missing:
                raise FileNotFoundError(
                    f"tag models missing in {d}: {', '.join(missing)}; rebuild them with "
                    "`python -m pipeline.training.tag train --data DATA_DIR`"
                )
            self.segmenter = Segmenter(
                LinearChain.load(d / "seg.weights.npz"), _load_memory(d / "seg_memory.tsv.gz"),
                _load_lexicon(d / "lexicon.txt.gz"),
            )  # fmt: skip
            clusters = d / "clusters.tsv.gz"
            self.pos_tagger = PosTagger(
                LinearChain.load(d / "pos.weights.npz"),
                _load_clusters(clusters) if clusters.exists() else None,
                cache_limit=self.cache_limit,
            )
            meta = d / "meta.json"
            self.meta = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
            self._stanza = None
        elif backend == "stanza":
            self._stanza = _load_stanza(
                Path(model_dir) if model_dir is not None else models_dir() / "stanza"
            )
            tag_dir = models_dir() / "tag"
            self.segmenter = Segmenter(
                LinearChain.load(tag_dir / "seg.weights.npz"), _load_memory(tag_dir / "seg_memory.tsv.gz"),
                _load_lexicon(tag_dir / "lexicon.txt.gz"),
            )  # fmt: skip
        else:
            raise ValueError(f"unknown tag backend {backend!r}; use 'crf' or 'stanza'")

    # -- crf backend

    def split_words(self, words: Iterable[str]) -> list[list[tuple[int, int]]]:
        """Norm-local part spans of each normalized word (the segmentation alone, no tags)."""
        cuts = self.segmenter.cuts
        return [cuts_to_spans(len(w), cuts(w)) for w in words]

    def tag_words(self, words: Sequence[tuple[str, str]]) -> list[str]:
        """UPOS of one sentence's syntactic words [(norm form, where code), ...]."""
        if self._stanza is not None:
            if not words:
                return []
            sent = self._stanza([[w for w, _ in words]]).sentences[0]
            return [w.upos or "X" for w in sent.words]
        return self.pos_tagger.tag(words)

    def tag_sentence(
        self, words: Sequence[str]
    ) -> tuple[list[list[tuple[int, int]]], list[list[str]]]:
        """Segment and tag one sentence of normalized surface words.

        Returns, per word, its norm-local part spans and the UPOS of each part.
        """
        return self.tag_sentences([words])[0]

    def tag_sentences(
        self, sentences: Sequence[Sequence[str]]
    ) -> list[tuple[list[list[tuple[int, int]]], list[list[str]]]]:
        """`tag_sentence` for many sentences (the crf backend decodes them together)."""
        if self._stanza is None:
            return self._tag_sentences_crf(sentences)
        self.segmenter.prefetch(w for words in sentences for w in words)
        all_spans = [self.split_words(words) for words in sentences]
        seqs: list[list[tuple[str, str]]] = []
        for words, spans in zip(sentences, all_spans):
            seq: list[tuple[str, str]] = []
            for w, sp in zip(words, spans):
                if len(sp) == 1:
                    seq.append((w, "S"))
                else:
                    for (a, b), where in zip(sp, where_codes(len(sp))):
                        seq.append((w[a:b], where))
            seqs.append(seq)
        flats = [self.tag_words(seq) for seq in seqs]
        out = []
        for spans, flat in zip(all_spans, flats):
            tags: list[list[str]] = []
            i = 0
            for sp in spans:
                tags.append(flat[i : i + len(sp)])
                i += len(sp)
            out.append((spans, tags))
        return out

    def _tag_sentences_crf(
        self, sentences: Sequence[Sequence[str]]
    ) -> list[tuple[list[list[tuple[int, int]]], list[list[str]]]]:
        recs, tok_f, labels = self._analyse([list(words) for words in sentences])
        out = []
        t = w = 0
        for words in sentences:
            spans_out: list[list[tuple[int, int]]] = []
            tags_out: list[list[str]] = []
            for _ in words:
                spans = recs[tok_f[t]][0]
                t += 1
                spans_out.append(list(spans))
                tags_out.append(labels[w : w + len(spans)])
                w += len(spans)
            out.append((spans_out, tags_out))
        return out

    def _records(
        self, forms: list[str]
    ) -> list[tuple[tuple[tuple[int, int], ...], tuple[WordKey, ...]]]:
        """Per distinct normalized token form: its part spans and the (part, where) key of each
        part, from the per-form cache (least recently used forms dropped when it is full)."""
        cache = self._forms
        recs: list = []
        miss: list[int] = []
        for i, w in enumerate(forms):
            r = cache.pop(w, None)
            if r is None:
                miss.append(i)
            else:
                cache[w] = r
            recs.append(r)
        if miss:
            words = [forms[i] for i in miss]
            for i, w, cuts in zip(miss, words, self.segmenter.cuts_many(words)):
                if not cuts:
                    rec = (((0, len(w)),), ((w, "S"),))
                else:
                    spans = tuple(cuts_to_spans(len(w), cuts))
                    wheres = where_codes(len(spans))
                    rec = (spans, tuple((w[a:b], x) for (a, b), x in zip(spans, wheres)))
                recs[i] = cache[w] = rec
            if len(cache) > self.cache_limit:
                evict_oldest(cache, self.cache_limit // 2)
        return recs

    def _analyse(self, sentences: list[list[str]]) -> tuple[list, list[int], list[str]]:
        """Segment and tag sentences of normalized tokens together: the distinct forms' records
        (spans, keys), each token's index among them, and every part's UPOS in text order."""
        fidx: dict[str, int] = {}
        tok_f = [fidx.setdefault(w, len(fidx)) for words in sentences for w in words]
        if not tok_f:
            return [], [], []
        recs = self._records(list(fidx))
        ukeys: dict[WordKey, int] = {}
        form_k = [tuple(ukeys.setdefault(k, len(ukeys)) for k in rec[1]) for rec in recs]
        # each token's words (its parts' keys), laid out flat: a CSR expansion in numpy
        n_parts = np.fromiter(map(len, form_k), np.intp, len(form_k))
        off = np.zeros(len(form_k) + 1, dtype=np.intp)
        np.cumsum(n_parts, out=off[1:])
        flat_k = np.fromiter(chain.from_iterable(form_k), np.intp, int(off[-1]))
        tf = np.array(tok_f, dtype=np.intp)
        tok_n = n_parts[tf]
        tok_end = np.cumsum(tok_n)
        n_words = int(tok_end[-1])
        if n_words == len(tf):  # no token split in this text
            wk = flat_k[off[tf]]
        else:
            inner = np.arange(n_words) - np.repeat(tok_end - tok_n, tok_n)
            wk = flat_k[np.repeat(off[tf], tok_n) + inner]
        sent_end = np.cumsum([len(words) for words in sentences])
        words_end = np.concatenate([[0], tok_end])[sent_end]
        lens = np.diff(words_end, prepend=0)
        flat = self.pos_tagger.tag_flat(list(ukeys), wk, lens)
        return recs, tok_f, self.pos_tagger.label_names[flat].tolist()


STANZA_POS_NAME = "padt_nopretrain.pt"  # as `pipeline.training.stanza_padt` writes it


def _load_stanza(model_dir: Path) -> Any:
    """Build an offline stanza POS pipeline over pretokenized words, or say how to get the model.

    The project's model is the one `python -m pipeline.training.stanza_padt train` trains with
    stanza's own training code (stanza.models.tagger, no pretrained vectors) on normalized PADT
    words; it is looked up as model_dir/ar/pos/padt_nopretrain.pt. Any other folder is read as a
    stanza resources folder (`stanza.download("ar", model_dir=DIR)`: `resources.json` names the
    default Arabic POS package and what it depends on) by `pipeline.stanza_models`, the loader the
    stanza NER backend shares. No network access is attempted.
    """
    pos_model = model_dir / "ar" / "pos" / STANZA_POS_NAME
    if not pos_model.exists() and model_dir.resolve() != (models_dir() / "stanza").resolve():
        return stanza_pipeline(model_dir, "pos")  # official models, found by their resources.json
    if not pos_model.exists():
        raise FileNotFoundError(
            f"no stanza Arabic POS model at {pos_model}; train it offline with "
            "`python -m pipeline.training.stanza_padt train --only pos --data DATA_DIR --out "
            f"{model_dir}` (stanza.models.tagger on UD Arabic-PADT; see models/cards/tag.md)"
        )
    return stanza_pipeline(model_dir, "pos", model_path=pos_model)
