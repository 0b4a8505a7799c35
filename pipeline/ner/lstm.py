"""A BiLSTM-CRF NER tagger run in numpy: the neural half of the NER stage.

Why numpy at run time: the network is trained with torch (`pipeline.training.ner_lstm`), but
importing torch costs seconds of start-up and the stage must load in under one; the forward pass is a
few matrix products per time step, which numpy does as fast for the sentence batches of one document.

Inputs per token (`LstmEncoder`, shared by training and run time):
- the word (`cluster_key` of the normalized form) and its stem (the tag stage's stem, else the
  form) in one embedding table initialized from word2vec vectors trained on raw news;
- its characters through a width-3 convolution, max-pooled (unseen names, clitics, suffixes);
- a bag of discrete features summed into one vector: the CRF featurizer's shape, gazetteer flags,
  word clusters, article, stripped prefix and length, the tag stage's UPOS and proclitics, and
  multi-word gazetteer matches.
With a character LM (the accurate backend, `pipeline.charlm`), each token's contextual LM state is a
fourth input; the LM runs in torch, the BiLSTM-CRF here.
A one-layer BiLSTM reads the sentence; a linear layer gives label scores; a CRF (transitions,
start and end scores) decodes. Marginals (forward-backward) give each label's probability.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

from pipeline.cache import evict_half
from pipeline.crf import marginals, viterbi
from pipeline.ner.features import NerFeaturizer
from pipeline.ner.tokens import TagInfo, cluster_key

__all__ = ["LstmEncoder", "LstmTagger", "FEATURE_PREFIXES", "MAX_CHARS", "PAD", "UNK"]

PAD, UNK = 0, 1  # ids shared by the word, char and feature vocabularies
MAX_CHARS = 16  # characters of a token fed to the char CNN (longer: first 8 + last 8)
# Which of the CRF featurizer's per-type features go into the feature bag (the rest are lexical
# and covered by the word, stem and character inputs).
FEATURE_PREFIXES = ("g=", "sh=", "cc=", "cf=", "al", "pre=", "len=")
_ENC_CACHE_LIMIT = 50_000
_GX_CACHE_LIMIT = 30_000  # distinct tokens whose gate inputs are kept (2 × 4H floats each)


class LstmEncoder:
    """Token -> ids (word, stem, characters, feature bag), from vocabularies saved with the model."""

    def __init__(
        self,
        words: Mapping[str, int],
        chars: Mapping[str, int],
        feats: Mapping[str, int],
        featurizer: NerFeaturizer,
    ) -> None:
        self.words = dict(words)
        self.chars = dict(chars)
        self.feats = dict(feats)
        self.featurizer = featurizer
        self._cache: dict[tuple[str, TagInfo | None], tuple[int, int, list[int], list[int]]] = {}

    @classmethod
    def from_vocabularies(
        cls,
        words: Sequence[str],
        chars: Sequence[str],
        feats: Sequence[str],
        featurizer: NerFeaturizer,
    ) -> LstmEncoder:
        """The encoder of vocabularies as a model saves them: lists whose positions are the ids."""
        return cls(
            {w: i for i, w in enumerate(words)},
            {c: i for i, c in enumerate(chars)},
            {f: i for i, f in enumerate(feats)},
            featurizer,
        )

    def _token(self, w: str, info: TagInfo | None) -> tuple[int, int, list[int], list[int]]:
        key = (w, info)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        words, feats = self.words, self.feats
        wid = words.get(cluster_key(w), UNK)
        procl, stem, pos = info if info is not None else self.featurizer._heuristic_tag_info(w)
        sk = cluster_key(stem)
        sid = words.get(sk, UNK)
        if sid == UNK and sk.startswith("ال") and len(sk) > 4:
            sid = words.get(sk[2:], UNK)
        cs = w if len(w) <= MAX_CHARS else w[: MAX_CHARS // 2] + w[-MAX_CHARS // 2 :]
        cids = [self.chars.get(c, UNK) for c in cs] or [UNK]
        own = self.featurizer._type_features(w)[0]
        fs = [f for f in own if f.startswith(FEATURE_PREFIXES)]
        fs.append("tp=" + (pos or "none"))
        fs.append("pc=" + procl)
        fids = [feats[f] for f in fs if f in feats]
        out = (wid, sid, cids, fids)
        if len(self._cache) >= _ENC_CACHE_LIMIT:  # drop the older half: memory stays flat
            evict_half(self._cache)
        self._cache[key] = out
        return out

    def encode_keys(
        self,
        norms: Sequence[str],
        tags: Sequence[TagInfo | None] | None = None,
    ) -> tuple[list[tuple], list[tuple[int, int, list[int], list[int]]]]:
        """Per token, a cache key (form, tag info, phrase feature) and its ids (word, stem,
        chars, features): everything the network's input depends on."""
        if tags is None:
            tags = [None] * len(norms)
        rows = [self._token(w, t) for w, t in zip(norms, tags)]
        feats = self.feats
        keys: list[tuple] = []
        toks = []
        fz = self.featurizer
        phrases = fz._phrase_tags(norms, [fz.phrase_firsts(w) for w in norms])
        for w, t, row, ph in zip(norms, tags, rows, phrases):
            if ph:
                fid = feats.get("ph=" + ph)
                if fid is not None:
                    row = (row[0], row[1], row[2], [*row[3], fid])
            keys.append((w, t, ph))
            toks.append(row)
        return keys, toks

    def encode(
        self,
        norms: Sequence[str],
        tags: Sequence[TagInfo | None] | None = None,
    ) -> tuple[list[int], list[int], list[list[int]], list[list[int]]]:
        """Ids for one sentence (training): word ids, stem ids, char ids and feature ids per token."""
        _, toks = self.encode_keys(norms, tags)
        return (
            [t[0] for t in toks],
            [t[1] for t in toks],
            [t[2] for t in toks],
            [t[3] for t in toks],
        )


class LstmTagger:
    """The trained BiLSTM-CRF (models/ner/lstm.npz + lstm.json) as numpy arrays."""

    def __init__(self, model_dir: Path, featurizer: NerFeaturizer, name: str = "lstm") -> None:
        meta = json.loads((model_dir / f"{name}.json").read_text(encoding="utf-8"))
        self.labels: list[str] = meta["labels"]
        z = np.load(model_dir / f"{name}.npz")
        self.p = {k: z[k].astype(np.float32) for k in z.files}
        vocab = meta["vocab"]
        self.encoder = LstmEncoder.from_vocabularies(
            vocab["words"], vocab["chars"], vocab["feats"], featurizer
        )
        self.hidden = h = self.p["lstm_f_whh"].shape[1]
        # torch's gate rows are i f g o; reorder to i f o g so one sigmoid covers three gates
        perm = np.r_[0 : 2 * h, 3 * h : 4 * h, 2 * h : 3 * h]
        for d in ("f", "b"):
            for k in ("wih", "whh", "b"):
                self.p[f"lstm_{d}_{k}"] = np.ascontiguousarray(self.p[f"lstm_{d}_{k}"][perm])
        self._whh = np.stack([self.p["lstm_f_whh"].T, self.p["lstm_b_whh"].T])
        wih = np.stack([self.p["lstm_f_wih"].T, self.p["lstm_b_wih"].T])  # 2 × input × 4H
        # the character-LM states are the last `lm_dim` inputs: their gate terms are added per
        # occurrence (they depend on the context), the rest is cached per distinct token
        lm_dim = int(meta["settings"].get("lm_dim", 0))
        self.charlm = None
        if lm_dim:
            from pipeline.context import load_context

            where = meta["settings"]["charlm"].split(",")
            self.charlm = load_context([model_dir.parent / Path(w).name for w in where])
        self._wih = np.ascontiguousarray(wih[:, : wih.shape[1] - lm_dim])
        self._wlm = np.ascontiguousarray(wih[:, wih.shape[1] - lm_dim :]) if lm_dim else None
        self._bias = np.stack([self.p["lstm_f_b"], self.p["lstm_b_b"]])
        self._out_w = np.stack([self.p["out_w"][:, :h].T, self.p["out_w"][:, h:].T])
        self._gx_cache: dict[tuple, np.ndarray] = {}
        # The network's products are small (a few dozen rows per step), too small for BLAS threads to
        # pay off; and beside the LMs' torch threads, idle BLAS threads spinning for work take the
        # cores the LMs need. So the tagger runs numpy's BLAS on one thread (restored on return).
        self._blas = ThreadpoolController()

    # -- network

    def _token_inputs(self, toks: Sequence[tuple[int, int, list[int], list[int]]]) -> np.ndarray:
        """Network input of each (word id, stem id, char ids, feature ids) token: n × input dim."""
        p = self.p
        n = len(toks)
        wids = np.fromiter((t[0] for t in toks), dtype=np.int64, count=n)
        sids = np.fromiter((t[1] for t in toks), dtype=np.int64, count=n)
        emb = p["word_emb"]
        longest = max(len(t[2]) for t in toks)
        cid = np.zeros((n, longest + 2), dtype=np.int64)  # one pad column each side (conv width 3)
        for i, t in enumerate(toks):
            cid[i, 1 : 1 + len(t[2])] = t[2]
        ce = p["char_emb"][cid]  # n × (L+2) × dc
        win = np.concatenate([ce[:, :-2], ce[:, 1:-1], ce[:, 2:]], axis=2)  # n × L × 3dc
        conv = win @ p["char_conv_w"] + p["char_conv_b"]  # n × L × filters
        lens = np.fromiter((len(t[2]) for t in toks), dtype=np.int64, count=n)
        mask = np.arange(longest)[None, :] < lens[:, None]
        conv = np.tanh(np.where(mask[:, :, None], conv, -1e4).max(axis=1))
        width = max(len(t[3]) for t in toks) or 1
        fid = np.zeros((n, width), dtype=np.int64)
        for i, t in enumerate(toks):
            fid[i, : len(t[3])] = t[3]
        fe = p["feat_emb"][fid].sum(axis=1)  # row 0 (PAD) is zero
        return np.concatenate([emb[wids], emb[sids], conv, fe], axis=1)

    def _gate_inputs(self, keys: list, toks: list) -> np.ndarray:
        """Input-to-gate terms (both directions, bias included) of each token: n × 2 × 4H.

        A token's input depends on its form, tag info and phrase feature only, so this product —
        the largest of the network — is done once per distinct token and cached.
        """
        cache = self._gx_cache
        rows: dict = {}  # this call's rows: an eviction below must not lose the cached ones
        missing = {}
        for k, t in zip(keys, toks):
            if k in rows or k in missing:
                continue
            row = cache.get(k)
            if row is None:
                missing[k] = t
            else:
                rows[k] = row
        if missing:
            x = self._token_inputs(list(missing.values()))
            gx = np.stack(
                [x @ self._wih[0] + self._bias[0], x @ self._wih[1] + self._bias[1]], axis=1
            )
            if (
                len(cache) + len(missing) > _GX_CACHE_LIMIT
            ):  # drop the older half: memory stays flat
                evict_half(cache)
            for k, row in zip(missing, gx):
                cache[k] = rows[k] = row
        return np.stack([rows[k] for k in keys])

    def emissions(
        self, keys: list, toks: list, lens: np.ndarray, lm: np.ndarray | None = None
    ) -> np.ndarray:
        """Label scores (n × labels) of the tokens of sentences of lengths `lens`, concatenated.

        The recurrence runs all sentences side by side, both directions in one loop, without
        padding: at step t, the live sentences (sorted longest first) read their token t (forward)
        and their token n-1-t (backward) by index.
        """
        hsz = self.hidden
        n = len(keys)
        gx = self._gate_inputs(keys, toks)  # n × 2 × 4H
        if lm is not None:  # n × lm_dim: the character-LM states of the same tokens
            gx = gx + np.stack([lm @ self._wlm[0], lm @ self._wlm[1]], axis=1)
        order = np.argsort(-lens, kind="stable")
        slen = lens[order]
        starts = (np.cumsum(lens) - lens)[order]
        bsz, steps = len(lens), int(slen[0])
        live_at = np.searchsorted(-slen, -np.arange(steps), side="left")  # count of slen > t
        # time-major gather indices: forward reads token t, backward token len-1-t (n = padding)
        t_idx = np.arange(steps)[:, None]
        valid = t_idx < slen[None, :]
        fwd = np.where(valid, starts[None, :] + t_idx, n)
        bwd = np.where(valid, starts[None, :] + slen[None, :] - 1 - t_idx, n)
        gpad = np.concatenate([gx, np.zeros((1, *gx.shape[1:]), dtype=gx.dtype)])
        g_in = np.stack([gpad[fwd, 0], gpad[bwd, 1]], axis=1)  # T × 2 × B × 4H
        whh = self._whh
        h = np.zeros((2, bsz, hsz), dtype=np.float32)
        c = np.zeros((2, bsz, hsz), dtype=np.float32)
        hs = np.zeros((steps, 2, bsz, hsz), dtype=np.float32)
        h3 = 3 * hsz
        for t in range(steps):
            k = int(live_at[t])
            g = np.matmul(h[:, :k], whh)
            g += g_in[t, :, :k]
            sg = 0.5 * (np.tanh(0.5 * g[..., :h3]) + 1.0)
            cc = sg[..., hsz : 2 * hsz] * c[:, :k] + sg[..., :hsz] * np.tanh(g[..., h3:])
            c[:, :k] = cc
            hh = sg[..., 2 * hsz : h3] * np.tanh(cc)
            h[:, :k] = hh
            hs[t, :, :k] = hh
        out = np.zeros((2, n + 1, hsz), dtype=np.float32)
        out[0, fwd] = hs[:, 0]
        out[1, bwd] = hs[:, 1]
        out = out[:, :n]
        return out[0] @ self._out_w[0] + out[1] @ self._out_w[1] + self.p["out_b"]

    # -- CRF, batched over sentences (padded steps leave the scores unchanged)

    def viterbi(self, em: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Best label paths, B × T (padding positions hold 0)."""
        p = self.p
        return viterbi(em, lens, p["crf_trans"], p["crf_start"], p["crf_end"])

    def marginals(self, em: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """P(label at t) for every sentence, B × T × labels."""
        p = self.p
        return marginals(em, lens, p["crf_trans"], p["crf_start"], p["crf_end"])

    def _padded_emissions(
        self,
        sentences: Sequence[Sequence[str]],
        live: list[int],
        tags: Sequence[Sequence[TagInfo | None] | None] | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Label scores of the non-empty sentences `live`, padded: B × T × labels, and lengths."""
        keys: list = []
        toks: list = []
        for i in live:
            k, t = self.encoder.encode_keys(sentences[i], tags[i] if tags is not None else None)
            keys.extend(k)
            toks.extend(t)
        lens = np.array([len(sentences[i]) for i in live], dtype=np.int64)
        lm = None
        if self.charlm is not None:
            states = self.charlm.embed_sentences(
                [[cluster_key(w) for w in sentences[i]] for i in live]
            )
            lm = np.concatenate(states).astype(np.float32)
        flat = self.emissions(keys, toks, lens, lm)
        em = np.zeros((len(live), int(lens.max()), flat.shape[1]), dtype=np.float32)
        pos = 0
        for k, n in enumerate(lens.tolist()):
            em[k, :n] = flat[pos : pos + n]
            pos += n
        return em, lens

    def posteriors(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[TagInfo | None] | None] | None = None,
    ) -> list[np.ndarray]:
        """P(label) per token (length × labels, in `self.labels` order) for every sentence."""
        live = [i for i, s in enumerate(sentences) if len(s)]
        out = [np.zeros((0, len(self.labels)), dtype=np.float32) for _ in sentences]
        if live:
            with self._blas.limit(limits=1, user_api="blas"):
                em, lens = self._padded_emissions(sentences, live, tags)
                marg = self.marginals(em, lens)
            for k, n in enumerate(lens.tolist()):
                out[live[k]] = marg[k, :n]
        return out

    def tag_sentences(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[TagInfo | None] | None] | None = None,
    ) -> list[tuple[list[str], list[float]]]:
        """BIO labels and each label's marginal probability for every sentence of a document."""
        live = [i for i, s in enumerate(sentences) if len(s)]
        out: list[tuple[list[str], list[float]]] = [([], []) for _ in sentences]
        if not live:
            return out
        with self._blas.limit(limits=1, user_api="blas"):
            em, lens = self._padded_emissions(sentences, live, tags)
            paths = self.viterbi(em, lens)
            named = (paths != 0).any(axis=1)
            marg = self.marginals(em[named], lens[named]) if named.any() else None
        labels = self.labels
        m = 0
        for k, n in enumerate(lens.tolist()):
            path = paths[k, :n]
            if named[k]:
                probs = np.take_along_axis(marg[m, :n], path[:, None], axis=1)[:, 0].tolist()
                m += 1
            else:
                probs = [1.0] * n
            out[live[k]] = ([labels[j] for j in path.tolist()], probs)
        return out
