"""`Segmenter`: the clitic split points of a normalized Arabic word, from a memory of the forms
seen in UD Arabic-PADT, backed by a character CRF (`pipeline.crf`) for unseen forms; cached per form."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from pipeline.cache import ROW_CACHE_LIMIT, evict_oldest, remember
from pipeline.crf import LinearChain, viterbi2
from pipeline.tagging.features import is_arabic_word, seg_features

__all__ = ["Segmenter", "CACHE_LIMIT"]

CACHE_LIMIT = 32_768  # entries of each per-form cache; the least recently used half goes when full


class Segmenter:
    """Clitic split points of a normalized Arabic word: memory of seen forms, CRF for the rest."""

    def __init__(
        self,
        model: LinearChain | None,
        memory: dict[str, tuple[int, ...]],
        lexicon: frozenset[str],
    ) -> None:
        self.memory = memory
        self.lexicon = lexicon
        self.model = model
        self._cache: dict[str, tuple[int, ...]] = {}
        # attribute rows of the character-trigram features, cached per trigram (see `_rows`)
        self._tri: dict[str, tuple[tuple[int, ...], tuple[int, ...], int]] = {}
        self._side: tuple[dict[str, tuple[int, int, int]], ...] = ({}, {})  # word starts, ends
        if model is not None:
            get, pad = model.index.get, model._pad
            self._fixed = {
                "b": get("b", pad),
                "i": [get(f"i={k}", pad) for k in range(7)],
                "e": [get(f"e={k}", pad) for k in range(7)],
                "n": [get(f"n={k}", pad) for k in range(11)],
                "RK": [get("RK=False", pad), get("RK=True", pad)],
                "LK": [get("LK=False", pad), get("LK=True", pad)],
                "WK": [get("WK=False", pad), get("WK=True", pad)],
                "ART_RK": get("ART_RK", pad),
            }

    def _trigram_rows(self, tri: str) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        """Rows of the features a 3-character window x0x1x2 of the padded word determines, in
        its three roles: ending at the current char (c0, c-1, c-2, b-1, b-2, t-1), starting at
        it (c+1, c+2, b+1, t+1), centred on it (t0)."""
        get, pad = self.model.index.get, self.model._pad
        left = ("c0=" + tri[2], "c-1=" + tri[1], "c-2=" + tri[0], "b-1=" + tri[1:],
                "b-2=" + tri[:2], "t-1=" + tri)  # fmt: skip
        right = ("c+1=" + tri[1], "c+2=" + tri[2], "b+1=" + tri[:2], "t+1=" + tri)
        out = (tuple(get(f, pad) for f in left), tuple(get(f, pad) for f in right),
               get("t0=" + tri, pad))  # fmt: skip
        return remember(self._tri, tri, out)

    def _side_rows(self, which: int, part: str) -> tuple[int, int, int]:
        """Rows of L=, L_RK=...False, L_RK=...True for a word start (which 0) or of R=, R_LK=
        for a word end (which 1)."""
        cache = self._side[which]
        get, pad = self.model.index.get, self.model._pad
        a, b = ("L=", "L_RK=") if which == 0 else ("R=", "R_LK=")
        if len(cache) >= ROW_CACHE_LIMIT:
            cache.clear()
        out = cache[part] = (
            get(a + part, pad),
            get(b + part + "False", pad),
            get(b + part + "True", pad),
        )
        return out

    def _rows(self, word: str, rows: list[int], starts: list[int]) -> None:
        """Append the attribute rows of `seg_features(word)` (one group per character, a zero row
        first, unknown attributes as the zero row): exactly the rows `LinearChain.emissions`
        sums for those features, in the same order, without building the feature strings."""
        pad = self.model._pad
        fx = self._fixed
        b, irow, erow, rk_rows, lk_rows = fx["b"], fx["i"], fx["e"], fx["RK"], fx["LK"]
        art = fx["ART_RK"]
        lex = self.lexicon
        tri_get, tri = self._tri.get, self._trigram_rows
        side_l, side_r = self._side
        side = self._side_rows
        n = len(word)
        padded = "^^^" + word + "$$$"
        # the trigram windows padded[j:j+3], j = 1 .. n+2: char i ends window i, is centred in
        # window i+1 and starts window i+2
        tr = [tri_get(t) or tri(t) for t in [padded[j : j + 3] for j in range(1, n + 3)]]
        n_row = fx["n"][min(n, 10)]
        wk = fx["WK"][word in lex]
        for i in range(n):
            lt = tr[i][0]
            rt = tr[i + 2][1]
            starts.append(len(rows))
            rows += (pad, b, lt[0], lt[1], lt[2], rt[0], rt[1], lt[3], lt[4], rt[2], lt[5],
                     rt[3], tr[i + 1][2], irow[i if i < 6 else 6], erow[n - i if n - i < 6 else 6],
                     n_row)  # fmt: skip
            left = word[:i]
            right = word[i:]
            if i <= 4:
                ls = side_l.get(left) or side(0, left)
                rows.append(ls[0])
            if n - i <= 4:
                rs = side_r.get(right) or side(1, right)
                rows.append(rs[0])
            if i > 0:
                r_known = right in lex
                l_known = left in lex
                rows.append(rk_rows[r_known])
                rows.append(lk_rows[l_known])
                if i <= 4:
                    rows.append(ls[1 + r_known])
                if n - i <= 4:
                    rows.append(rs[1 + l_known])
                if left[-1] == "ل" and ("ا" + right) in lex:
                    rows.append(art)
            rows.append(wk)

    def crf_cuts(self, word: str) -> tuple[int, ...]:
        """Cut points predicted by the CRF alone (no memory), for evaluation and unseen forms."""
        model = self.model
        if model is None or len(word) < 2:
            return ()
        emissions = model.emissions(seg_features(word, self.lexicon))
        labels = model.labels
        path = model.viterbi(emissions)
        return tuple(i for i, lab in enumerate(path) if i > 0 and labels[lab] == "B")

    def cuts_many(self, words: Sequence[str]) -> list[tuple[int, ...]]:
        """`cuts` of each word, without the cache: memory, else the CRF (all unseen forms scored
        with one numpy call). What the stage calls for forms it has not cached itself."""
        memory = self.memory
        out: list[tuple[int, ...]] = []
        new: list[int] = []
        for i, w in enumerate(words):
            if len(w) < 2 or not is_arabic_word(w):
                out.append(())
            else:
                mem = memory.get(w)
                if mem is None:
                    new.append(i)
                    mem = ()
                out.append(mem)
        model = self.model
        if not new or model is None:
            return out
        rows: list[int] = []
        starts: list[int] = []
        for i in new:
            self._rows(words[i], rows, starts)
        em = np.add.reduceat(model.weights[rows], starts, axis=0).tolist()
        trans = model.trans.tolist()
        is_b = [lab == "B" for lab in model.labels]
        k = 0
        for i in new:
            n = len(words[i])
            path = viterbi2(em[k : k + n], trans)
            k += n
            out[i] = tuple(j for j, lab in enumerate(path) if j > 0 and is_b[lab])
        return out

    def prefetch(self, words: Iterable[str]) -> None:
        """Fill the cache for all new forms among `words` with one batched CRF scoring."""
        cache = self._cache
        new = [w for w in dict.fromkeys(words) if w not in cache]
        if not new:
            return
        if len(cache) + len(new) > CACHE_LIMIT:
            evict_oldest(cache, max(0, CACHE_LIMIT // 2 - len(new)))
        for w, c in zip(new, self.cuts_many(new)):
            cache[w] = c

    def cuts(self, word: str) -> tuple[int, ...]:
        """Cut points of `word` (norm indices where a new part starts), cached per form."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        self.prefetch([word])
        return self._cache[word]
