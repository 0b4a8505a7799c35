"""`PosTagger`: UPOS of the syntactic words of sentences with the word-level CRF (`pipeline.crf`),
per-form attribute rows cached, a whole document decoded side by side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.cache import evict_oldest, remember
from pipeline.crf import LinearChain
from pipeline.tagging.features import (
    CTX,
    WHERE,
    WHERE_I,
    ctx_features,
    pair_features,
    shape,
    word_features,
)
from pipeline.tagging.segmenter import CACHE_LIMIT

__all__ = ["PosTagger", "WordKey"]

WordKey = tuple[str, str]


class PosTagger:
    """UPOS of the syntactic words of a sentence (first-order CRF over cached word features).

    Per (form, where) key the tagger caches the five score rows the word contributes (as the word
    tagged, and as its neighbour at -1, -2, +1, +2) in one preallocated array (`_slab`, bounded:
    the least recently used keys are dropped when it is full), plus the two small ids the
    pair features need. A document's emissions are then a few numpy gathers and shifted adds,
    in the order `emission_matrix` (the plain per-sentence reference) adds them.
    """

    def __init__(
        self,
        model: LinearChain | None,
        clusters: dict[str, tuple[str, ...]] | None = None,
        cache_limit: int | None = None,
    ) -> None:
        self.clusters = clusters
        self.model = model
        self.cache_limit = cache_limit if cache_limit is not None else CACHE_LIMIT
        self._own: dict[tuple[str, str], list[str]] = {}
        self._ctx: dict[tuple[str, str, str], list[str]] = {}
        self._slot: dict[WordKey, int] = {}  # key -> row of _slab, least recently used first
        self._slab: np.ndarray | None = None
        self._meta: np.ndarray | None = None  # per slot: pair-vocabulary id, agreement class
        self._free: list[int] = []
        if model is not None:
            self._fixed = {f: model.emission([f]) for f in ("BOS", "-2BOS", "EOS")}
            self._build_pair_tables()
            self._init_rows()
            self.label_names = np.array(model.labels, dtype=object)

    # -- pair features as table look-ups

    def _build_pair_tables(self) -> None:
        """ww=/wn= (word pairs) and agr= attributes of the model as integer look-up tables, so
        that a document's pair features are found with numpy instead of one string each."""
        model = self.model
        pad = model._pad
        vocab: dict[str, int] = {}
        pairs: dict[tuple[str, str], list[int]] = {}
        agr: dict[tuple[bool, str, bool, str], int] = {}
        for attr, row in model.index.items():
            head = attr[:3]
            if head in ("ww=", "wn="):
                body = attr[3:]
                col = 0 if head == "ww=" else 1
                j = body.find("|")
                while j >= 0:  # a word may hold "|": every split is a candidate pair
                    a, b = body[:j], body[j + 1 :]
                    pairs.setdefault((a, b), [pad, pad])[col] = row
                    vocab.setdefault(a, len(vocab))
                    vocab.setdefault(b, len(vocab))
                    j = body.find("|", j + 1)
            elif attr.startswith("agr="):
                body = attr[4:]
                for d1 in (True, False):
                    for d2 in (True, False):
                        head2 = f"{d1}{d2}"
                        rest = body[len(head2) :]
                        if body.startswith(head2) and len(rest) == 2:
                            agr[(d1, rest[0], d2, rest[1])] = row
        self._pair_vocab = vocab
        self._n_vocab = len(vocab) + 1  # the last id: a word in no pair attribute
        codes = np.array([vocab[a] * self._n_vocab + vocab[b] for a, b in pairs], dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        rows = np.array(list(pairs.values()), dtype=np.intp).reshape(-1, 2)
        self._pair_codes = codes[order]
        self._pair_rows = rows[order]
        classes: dict[tuple[bool, str], int] = {}
        for d1, c1, d2, c2 in agr:
            classes.setdefault((d1, c1), len(classes))
            classes.setdefault((d2, c2), len(classes))
        self._agr_class = classes
        table = np.full((len(classes) + 1, len(classes) + 1), pad, dtype=np.intp)
        for (d1, c1, d2, c2), row in agr.items():
            table[classes[(d1, c1)], classes[(d2, c2)]] = row
        self._agr_rows = table  # last row/column: a word whose class is in no attribute

    def _key_meta(self, word: str) -> tuple[int, int]:
        return (
            self._pair_vocab.get(word, self._n_vocab - 1),
            self._agr_class.get((word[:2] == "ال", word[-1:]), len(self._agr_class)),
        )

    # -- features (what the CRF is trained on)

    def _own_f(self, word: str, where: str) -> list[str]:
        key = (word, where)
        f = self._own.get(key)
        if f is None:
            if len(self._own) >= CACHE_LIMIT:
                self._own.clear()
            f = self._own[key] = word_features(word, where, self.clusters)
        return f

    def _ctx_f(self, word: str, where: str, k: str) -> list[str]:
        key = (word, where, k)
        f = self._ctx.get(key)
        if f is None:
            if len(self._ctx) >= CACHE_LIMIT:
                self._ctx.clear()
            f = self._ctx[key] = ctx_features(word, where, k, self.clusters)
        return f

    def sequence_features(self, words: Sequence[tuple[str, str]]) -> list[list[str]]:
        """Feature lists of a sentence's words [(norm form, where), ...]: own + neighbours'.

        This is what the CRF is trained on; `tag` computes the same scores from cached sums.
        """
        n = len(words)
        out = []
        for i, (w, where) in enumerate(words):
            f = list(self._own_f(w, where))
            if i > 0:
                f.extend(pair_features(words[i - 1][0], w))
                f += self._ctx_f(*words[i - 1], "-1")
                if i > 1:
                    f += self._ctx_f(words[i - 2][0], words[i - 2][1], "-2")
                else:
                    f.append("-2BOS")
            else:
                f.append("BOS")
            if i + 1 < n:
                f.append("wn=" + w + "|" + words[i + 1][0])
                f += self._ctx_f(*words[i + 1], "+1")
                if i + 2 < n:
                    f += self._ctx_f(words[i + 2][0], words[i + 2][1], "+2")
            else:
                f.append("EOS")
            out.append(f)
        return out

    # -- cached score rows

    def feature_groups(self, keys: Sequence[WordKey]) -> list[list[str]]:
        """The five feature lists of each key (own, then as the word at -1, -2, +1, +2)."""
        c = self.clusters
        groups: list[list[str]] = []
        for w, where in keys:
            groups.append(word_features(w, where, c))
            groups.extend(ctx_features(w, where, k, c) for k in CTX)
        return groups

    def compute_vectors(self, keys: Sequence[WordKey]) -> np.ndarray:
        """(keys, 5, labels): the scores each key contributes as the word tagged and as the word
        at -1, -2, +1, +2 of it (no cache). Summed over the attribute rows `key_rows` gives,
        which are those of `feature_groups`, so this is `model.emissions(feature_groups(keys))`."""
        rows: list[int] = []
        starts: list[int] = []
        for w, where in keys:
            self.key_rows(w, where, rows, starts)
        model = self.model
        return np.add.reduceat(model.weights[rows], starts, axis=0).reshape(len(keys), 5, -1)

    def _init_rows(self) -> None:
        get, pad = self.model.index.get, self.model._pad
        self._fixed_rows = {
            "b": get("b", pad),
            "al": get("al", pad),
            "sh": {s: get("sh=" + s, pad) for s in "ADdLP"},
            "n": [get(f"n={k}", pad) for k in range(9)],
            "k=none": get("k=none", pad),
        }
        # caches of attribute rows: word end / start (4 chars) -> affix rows, place code ->
        # p= rows, cluster ids -> rows, inner trigram -> row
        self._rc: tuple[dict, ...] = ({}, {}, {}, {}, {}, {}, {})
        # word -> rows of w=, -1w=, -2w=, +1w=, +2w=, pw=S.., pw=F.., pw=M.., pw=L.. (the
        # attributes naming a whole word, read off the model once: one look-up per new word)
        heads = {"w=": 0, "-1w=": 1, "-2w=": 2, "+1w=": 3, "+2w=": 4}
        heads.update({"pw=" + x: 5 + i for i, x in enumerate(WHERE)})
        words: dict[str, list[int]] = {}
        for attr, row in self.model.index.items():
            j = attr.find("=")
            if j < 0:
                continue
            slot = heads.get(attr[: j + 2] if attr.startswith("pw=") else attr[: j + 1])
            if slot is not None:
                word = attr[j + 2 :] if slot >= 5 else attr[j + 1 :]
                words.setdefault(word, [pad] * 9)[slot] = row
        self._word_rows = {w: tuple(r) for w, r in words.items()}
        self._no_word_rows = (pad,) * 9

    def _end_rows(self, end: str) -> tuple[int, ...]:
        """s1..s4=, als2= and the neighbours' s2= rows of a word ending in `end` (4 chars)."""
        get, pad = self.model.index.get, self.model._pad
        s2 = end[-2:]
        names = ["s1=" + end[-1:], "s2=" + s2, "s3=" + end[-3:], "s4=" + end, "als2=" + s2]
        names += [k + "s2=" + s2 for k in CTX]
        return remember(self._rc[0], end, tuple(get(f, pad) for f in names))

    def _start_rows(self, start: str) -> tuple[int, ...]:
        """f1..f4= and the neighbours' f2= rows of a word starting with `start` (4 chars)."""
        get, pad = self.model.index.get, self.model._pad
        f2 = start[:2]
        names = ["f1=" + start[:1], "f2=" + f2, "f3=" + start[:3], "f4=" + start]
        names += [k + "f2=" + f2 for k in CTX]
        return remember(self._rc[1], start, tuple(get(f, pad) for f in names))

    def _where_rows(self, where: str) -> tuple[int, ...]:
        get, pad = self.model.index.get, self.model._pad
        names = ["p=" + where] + [k + "p=" + where for k in CTX]
        return remember(self._rc[2], where, tuple(get(f, pad) for f in names))

    def _cluster_rows(self, which: int, ids: tuple[str, ...]) -> tuple[int, ...]:
        """which 3: own k0=, k1=, ...; 4: own ak0=, ... (the word without its article);
        5: the neighbours' k= of the last id."""
        get, pad = self.model.index.get, self.model._pad
        if which == 3:
            names = [f"k{i}={c}" for i, c in enumerate(ids)]
        elif which == 4:
            names = [f"ak{i}={c}" for i, c in enumerate(ids)]
        else:
            names = [k + "k=" + ids[-1] for k in CTX]
        return remember(self._rc[which], ids, tuple(get(f, pad) for f in names))

    def key_rows(self, word: str, where: str, rows: list[int], starts: list[int]) -> None:
        """Append the attribute rows of `feature_groups([(word, where)])` as five groups (each a
        zero row first, unknown attributes as the zero row): the rows `LinearChain.emissions`
        sums for those features, in the same order, with few feature strings built."""
        get, pad = self.model.index.get, self.model._pad
        fx = self._fixed_rows
        rc = self._rc
        end = word[-4:]
        start = word[:4]
        e = rc[0].get(end) or self._end_rows(end)
        s = rc[1].get(start) or self._start_rows(start)
        p = rc[2].get(where) or self._where_rows(where)
        wr = self._word_rows.get(word, self._no_word_rows)
        wi = WHERE_I.get(where)
        starts.append(len(rows))
        rows += (
            pad, fx["b"], wr[0], p[0], e[0], e[1], e[2], s[0], s[1], s[2],
            e[3], s[3], get("fs=" + start[:1] + end[-1:], pad), fx["sh"].get(shape(word), pad),
            fx["n"][min(len(word), 8)],
            wr[5 + wi] if wi is not None else get("pw=" + where + word, pad),
        )  # fmt: skip
        article = word.startswith("ال")
        if article:
            rows += (fx["al"], e[4])
        if len(word) > 4:
            tri = rc[6]
            for g in dict.fromkeys(word[i : i + 3] for i in range(1, len(word) - 3)):
                r = tri.get(g)
                if r is None:
                    r = remember(tri, g, get("g=" + g, pad))
                rows.append(r)
        clusters = self.clusters
        ids = None
        if clusters is not None:
            ids = clusters.get(word)
            if ids is None and article:
                ids2 = clusters.get(word[2:])
                if ids2 is not None:
                    rows += rc[4].get(ids2) or self._cluster_rows(4, ids2)
            elif ids is not None:
                rows += rc[3].get(ids) or self._cluster_rows(3, ids)
            else:
                rows.append(fx["k=none"])
        k_rows = (rc[5].get(ids) or self._cluster_rows(5, ids)) if ids is not None else None
        for j in range(4):  # as the word at -1, -2, +1, +2
            starts.append(len(rows))
            rows += (pad, wr[1 + j], e[5 + j], p[1 + j], s[4 + j])
            if k_rows is not None:
                rows.append(k_rows[j])

    def key_vectors(self, keys: Sequence[WordKey]) -> tuple[np.ndarray, np.ndarray]:
        """Score rows (len(keys), 5, labels) and pair-table ids (len(keys), 2) of distinct keys,
        from the cache where it has them (marking them recently used); new keys are computed
        with one numpy call and cached, dropping the least recently used half when full."""
        slot_of = self._slot
        slots: list[int] = []
        miss: list[int] = []
        for i, k in enumerate(keys):
            s = slot_of.pop(k, None)
            if s is None:
                miss.append(i)
                slots.append(0)
            else:
                slot_of[k] = s
                slots.append(s)
        if self._slab is None:
            n_lab = len(self.model.labels)
            self._slab = np.empty((self.cache_limit, 5, n_lab), dtype=self.model.weights.dtype)
            self._meta = np.empty((self.cache_limit, 2), dtype=np.intp)
            self._free = list(range(self.cache_limit - 1, -1, -1))
        if not miss:
            return self._slab[slots], self._meta[slots]
        vec = self._slab[slots]
        meta = self._meta[slots]
        new_keys = [keys[i] for i in miss]
        new_vec = self.compute_vectors(new_keys)
        new_meta = np.array([self._key_meta(w) for w, _ in new_keys], dtype=np.intp)
        vec[miss] = new_vec
        meta[miss] = new_meta
        # cache the new keys (at most cache_limit of them); the rows above are copies already
        limit = self.cache_limit
        m = min(len(new_keys), limit)
        free = self._free
        if len(free) < m:
            free.extend(evict_oldest(slot_of, min(limit // 2, limit - m)))
        new_slots = [free.pop() for _ in range(m)]
        self._slab[new_slots] = new_vec[:m]
        self._meta[new_slots] = new_meta[:m]
        slot_of.update(zip(new_keys[:m], new_slots))
        return vec, meta

    # -- tagging

    def tag(self, words: Sequence[tuple[str, str]]) -> list[str]:
        """UPOS per word: emission scores from cached per-form sums, then Viterbi."""
        return self.tag_many([words])[0]

    def tag_many(self, sentences: Sequence[Sequence[tuple[str, str]]]) -> list[list[str]]:
        """UPOS of several sentences at once (one padded Viterbi)."""
        if self.model is None:
            raise RuntimeError("PosTagger built without a model can only extract features")
        ukeys: dict[WordKey, int] = {}
        wk = [ukeys.setdefault(k, len(ukeys)) for words in sentences for k in words]
        lens = [len(words) for words in sentences]
        flat = self.label_names[self.tag_flat(list(ukeys), wk, lens)].tolist()
        out = []
        i = 0
        for n in lens:
            out.append(flat[i : i + n])
            i += n
        return out

    def tag_flat(
        self, ukeys: Sequence[WordKey], wk: Sequence[int], lens: Sequence[int]
    ) -> np.ndarray:
        """Label indices of all words of a document, decoded sentence by sentence.

        ukeys: the distinct (form, where) keys; wk: per word (document order) its index in
        ukeys; lens: words per sentence (summing to len(wk)). Emissions are summed in the
        order of `emission_matrix`, so the answer is the per-sentence one, bit for bit.
        """
        n_words = len(wk)
        if n_words == 0:
            return np.zeros(0, dtype=np.intp)
        model = self.model
        vec, meta = self.key_vectors(ukeys)
        n_lab = vec.shape[2]
        # Sentences laid out with two empty slots before each and after the last, so that the
        # shifted neighbour adds never cross a sentence (they add zero rows there).
        lens_a = np.asarray(lens, dtype=np.intp)
        keep = lens_a > 0
        lens_a = lens_a[keep]
        n_sent = len(lens_a)
        sent_of = np.repeat(np.arange(n_sent), lens_a)
        starts = np.zeros(n_sent, dtype=np.intp)
        np.cumsum(lens_a[:-1], out=starts[1:])
        pos_in = np.arange(n_words) - starts[sent_of]
        at = np.arange(n_words) + 2 * sent_of + 2  # word -> its padded slot
        size = n_words + 2 * n_sent + 2
        u = len(ukeys)
        idx = np.full(size, u, dtype=np.intp)
        idx[at] = wk
        vec_z = np.concatenate([vec, np.zeros((1, 5, n_lab), vec.dtype)])
        meta_z = np.concatenate([meta, [[self._n_vocab - 1, len(self._agr_class)]]])
        a = vec_z[idx]
        pv, ag = meta_z[idx].T
        em = a[:, 0].copy()
        first = at[starts]
        last = first + lens_a - 1
        em[first] += self._fixed["BOS"]
        em[last] += self._fixed["EOS"]
        em[first[lens_a > 1] + 1] += self._fixed["-2BOS"]
        em[1:] += a[:-1, 1]
        em[:-1] += a[1:, 3]
        em[2:] += a[:-2, 2]
        em[:-2] += a[2:, 4]
        weights = model.weights
        pad = model._pad
        codes = pv[:-1] * self._n_vocab + pv[1:]
        table = self._pair_codes
        if len(table):
            j = np.searchsorted(table, codes)
            j[j == len(table)] = 0
            found = table[j] == codes
            ww = np.where(found, self._pair_rows[j, 0], pad)
            wn = np.where(found, self._pair_rows[j, 1], pad)
        else:
            ww = wn = np.full(len(codes), pad, dtype=np.intp)
        em[1:] += weights[ww]
        em[1:] += weights[self._agr_rows[ag[:-1], ag[1:]]]
        em[:-1] += weights[wn]
        return model.viterbi_flat(em[at], sent_of, pos_in, lens_a)

    def emission_matrix(self, words: Sequence[tuple[str, str]]) -> np.ndarray:
        """(n words, labels) scores of one sentence: the same sum crfsuite computes.

        The plain per-sentence reference of what `tag_flat` computes for a whole document."""
        n = len(words)
        model = self.model
        if n == 0:
            return np.zeros((0, len(model.labels)), dtype=np.float32)
        a = self.compute_vectors(words)
        em = a[:, 0].copy()
        em[0] += self._fixed["BOS"]
        em[-1] += self._fixed["EOS"]
        if n > 1:
            em[1] += self._fixed["-2BOS"]
            em[1:] += a[:-1, 1]
            em[:-1] += a[1:, 3]
            if n > 2:
                em[2:] += a[:-2, 2]
                em[:-2] += a[2:, 4]
            index = model.index
            weights = model.weights
            for i in range(1, n):
                pw, w = words[i - 1][0], words[i][0]
                for f in pair_features(pw, w):
                    r = index.get(f)
                    if r is not None:
                        em[i] += weights[r]
                r = index.get("wn=" + pw + "|" + w)
                if r is not None:
                    em[i - 1] += weights[r]
        return em
