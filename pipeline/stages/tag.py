"""Tag stage: split each word into clitics and stem with raw offsets, and give each part a UPOS tag.

Reads the sentences' normalized tokens, asks the `Tagger` (`pipeline.tagging`) for each token's
part spans and the UPOS of each part, and writes `Token.parts` and `Token.pos`. Both models run on
`Token.norm` (no diacritics, one alef, ة→ه), so a part's cut points are norm indices mapped back to
raw through the document's alignment: every `Part` satisfies `raw[start:end] == text` and the parts
tile the token. The article ال stays inside the stem, as in UD (لليابان = ل + ليابان, the article's
alef is not written; `part_norm` restores it as اليابان).

An optional stanza backend (`TagStage(backend="stanza", model_dir=...)`) keeps this segmentation
and asks a stanza POS model (trained with stanza's own code on the same PADT words) for the tags.
The camel backend (`TagStage(backend="camel")`) takes parts, UPOS, lemma and features from
camel-tools' disambiguated analysis of each token (`pipeline.tagging.camel`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.document import Document, Part, Token
from pipeline.gc_pause import gc_paused
from pipeline.tagging.camel import CamelTagger
from pipeline.tagging.model import Tagger
from pipeline.tagging.parts import part_kinds, raw_spans

__all__ = ["TagStage"]


class TagStage:
    """Pipeline stage: fills `Token.parts` (raw offsets, kind, UPOS) and `Token.pos` (the stem's).

    backend="crf" (default) loads the models shipped in models/tag/ (`python -m
    pipeline.training.tag train` rebuilds them). backend="stanza" tags the same segmented words
    with a stanza POS model from `model_dir` (default models/stanza), offline.
    """

    name = "tag"
    requires: tuple[str, ...] = ("norm", "tokens", "sentences")
    provides: tuple[str, ...] = ("parts", "pos")

    def __init__(
        self,
        model_dir: Path | str | None = None,
        backend: str = "crf",
        cache_limit: int | None = None,
    ) -> None:
        """Load the tag models once.

        Args:
            model_dir: the folder of the models; default models/tag (crf), models/stanza
                (stanza, the project's own stanza POS model trained on PADT), or the
                camel-tools database `calima-msa-r13` (camel; else a `morphology.db` file or a
                folder holding one and, optionally, the MLE `model.json`).
            backend: "crf" (default: segmenter + UPOS CRF, numpy only), "stanza" (the same
                clitic segmentation, UPOS from a stanza model; needs `pip install stanza`), or
                "camel" (camel-tools' analyzer and MLE disambiguator: the clitics, UPOS, lemma
                and UD features of its chosen analysis, `pipeline.tagging.camel`; missing data
                raises `pipeline.resources.BackendMissing` naming `camel_data -i ...`).
            cache_limit: how many distinct word forms the per-form analysis cache keeps (default:
                the tagger's own limit); lower it to bound memory on huge vocabularies.
        """
        self.backend = backend
        self.model: Tagger | CamelTagger
        if backend == "camel":
            self.model = CamelTagger(model_dir)
        else:
            self.model = Tagger(model_dir, backend, cache_limit)

    def __call__(self, doc: Document) -> Document:
        if self.backend == "stanza":
            return self._call_stanza(doc)
        if self.backend == "camel":
            return self._call_camel(doc)
        # The stage allocates a few objects per token (its output parts) and makes no reference
        # cycles: automatic collection is held off until it returns, so that these allocations
        # do not set off collections (full ones scan every live document: a large share of the
        # stage's time when a run keeps hundreds of documents in memory, as make bench does).
        with gc_paused():
            return self._tag_document(doc)

    def _tag_document(self, doc: Document) -> Document:
        tokens = doc.tokens
        groups = (
            [(s.first_token, s.last_token) for s in doc.sentences]
            if doc.sentences
            else [(0, len(tokens))]
        )
        sents = [tokens[first:last] for first, last in groups if last > first]
        recs, tok_f, labels = self.model._analyse([[t.norm for t in sent] for sent in sents])
        single = [len(rec[0]) == 1 for rec in recs]
        fill = self._fill_split
        starts: list[int] | None | bool = False  # the alignment as lists, made when first needed
        ends: list[int] | None = None
        w = 0
        for tok, f in zip([t for sent in sents for t in sent], tok_f):
            if single[f]:  # most tokens: one stem part, the token itself
                tag = labels[w]
                w += 1
                tok.parts = [Part(tok.start, tok.end, tok.text, "stem", tag)]
                tok.pos = tag
            else:
                spans, keys = recs[f]
                k = len(spans)
                if starts is False:
                    starts = doc._starts.tolist() if doc._starts is not None else None
                    ends = doc._ends.tolist() if doc._ends is not None else None
                fill(doc, tok, spans, labels[w : w + k], [x[0] for x in keys], starts, ends)
                w += k
        return doc

    @staticmethod
    def _fill_split(
        doc: Document,
        tok: Token,
        spans: Sequence[tuple[int, int]],
        tags: list[str],
        norms: list[str],
        starts: list[int] | None,
        ends: list[int] | None,
    ) -> None:
        """`_fill` of a token split in several parts (norms: their norm texts), with the
        document's norm -> raw alignment given as lists (or None when it is the identity)."""
        cuts = raw_spans(doc, tok, spans, starts, ends)
        if len(cuts) != len(spans):  # a cut vanished in raw: merge into one stem
            cuts = [(tok.start, tok.end)]
            tags = [tags[-1] if tags[-1] != "PRON" or len(tags) == 1 else tags[0]]
            norms = [tok.norm]
        kinds = part_kinds(norms, tags)
        raw = doc.raw
        tok.parts = [
            Part(a, b, raw[a:b], kind, tag) for (a, b), kind, tag in zip(cuts, kinds, tags)
        ]
        tok.pos = tags[kinds.index("stem")]

    @staticmethod
    def _fill(doc: Document, tok: Token, spans: list[tuple[int, int]], tags: list[str]) -> None:
        if len(spans) == 1:  # most tokens: one stem part, the token itself
            tok.parts = [Part(tok.start, tok.end, tok.text, "stem", tags[0])]
            tok.pos = tags[0]
            return
        TagStage._fill_split(doc, tok, spans, tags, [tok.norm[a:b] for a, b in spans], None, None)

    # -- camel-tools backend

    def _call_camel(self, doc: Document) -> Document:
        """Parts from camel-tools' chosen analysis of each token (`pipeline.tagging.camel`)."""
        analyse = self.model.analyse
        for tok in doc.tokens:
            w = analyse(tok.text, tok.norm)
            cuts, kinds, upos = raw_spans(doc, tok, w.spans), w.kinds, w.upos
            if len(cuts) != len(w.spans):  # a cut vanished in raw: keep the token whole
                cuts, kinds, upos = [(tok.start, tok.end)], ["stem"], [upos[kinds.index("stem")]]
            tok.parts = [Part(a, b, doc.raw[a:b], k, u) for (a, b), k, u in zip(cuts, kinds, upos)]
            stem = tok.parts[kinds.index("stem")]
            stem.lemma, stem.feats = w.lemma, w.feats
            tok.pos, tok.lemma, tok.feats = stem.pos, w.lemma, w.feats
        return doc

    # -- stanza backend

    def _call_stanza(self, doc: Document) -> Document:
        tokens = doc.tokens
        groups = (
            [(s.first_token, s.last_token) for s in doc.sentences]
            if doc.sentences
            else [(0, len(tokens))]
        )
        groups = [(a, b) for a, b in groups if b > a]
        if not groups:
            return doc
        all_spans = [self.model.split_words([t.norm for t in tokens[a:b]]) for a, b in groups]
        batch = [
            [t.norm[x:y] for t, sp in zip(tokens[a:b], spans) for x, y in sp]
            for (a, b), spans in zip(groups, all_spans)
        ]
        result = self.model._stanza(batch)
        for (a, b), spans, sent in zip(groups, all_spans, result.sentences):
            upos = [w.upos or "X" for w in sent.words]
            i = 0
            for tok, sp in zip(tokens[a:b], spans):
                self._fill(doc, tok, sp, upos[i : i + len(sp)])
                i += len(sp)
        return doc
