"""NER stage: PERSON, LOCATION and ORGANIZATION mentions from the NER model (`pipeline.ner`).

Reads the sentences' tokens (and the tag stage's parts, when the model uses them), asks `NerModel`
for BIO labels and scores, and writes one `Mention` per entity span. The model sees exactly the
tokens our Tokenizer produces (clitics attached, punctuation split): the training corpora are
re-tokenized with it (`pipeline.training.ner`; figures in models/cards/ner.md).

Span rule (docs/design.md): a mention excludes attached proclitics و ف ب ل ك: "وتوكاييف" -> "توكاييف",
and "لليابان" -> span "ليابان" with normalized "اليابان" (the article's alef, dropped after ل,
restored). When the tag stage has filled `Token.parts`, its proclitic parts decide; otherwise
`strip_proclitic` decides from the token alone, using word counts from the training corpora.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.arabic.normalize import normalize_text
from pipeline.document import Document, Mention, Token
from pipeline.gc_pause import gc_paused
from pipeline.ner.document import MAX_NAME_CHARS, MAX_NAME_TOKENS, TYPE_MAP, bio_spans
from pipeline.ner.model import NerModel
from pipeline.ner.tokens import strip_proclitic
from pipeline.tagging.parts import token_norm_start

__all__ = ["NerStage"]


class NerStage:
    """Pipeline stage: tags PERSON / LOCATION / ORGANIZATION mentions with the shipped model.

    `model`: the `NerModel` (backend "crf" by default, "lstm" or "ensemble"; see models/cards/ner.md).
    """

    name = "ner"
    requires: tuple[str, ...] = ("norm", "tokens", "sentences")
    provides: tuple[str, ...] = ("mentions", "names")

    def __init__(
        self,
        model_dir: Path | None = None,
        source: str = "ner",
        propagate: bool = True,
        backstop: bool = True,
        backend: str | None = None,
    ) -> None:
        self.model = NerModel(model_dir, propagate=propagate, backstop=backstop, backend=backend)
        if self.model.uses_tags:  # the model reads the tag stage's parts (stem UPOS, proclitics)
            self.requires = (*self.requires, "parts")
        self.source = source

    def _strip(self, doc: Document, tok: Token) -> tuple[int, str]:
        """(raw chars to drop at the start of the first token, normalized remainder)."""
        procl = [p for p in tok.parts if p.kind == "proclitic"]
        if tok.parts and any(p.kind == "stem" for p in tok.parts):
            if not procl:
                return 0, tok.norm
            cut = procl[-1].end - tok.start
            rest = normalize_text(tok.text[cut:])[0]
            if (
                procl[-1].text.endswith("ل")
                and rest.startswith("ل")
                and self.model.counts.get("ا" + rest, 0)
            ):
                rest = "ا" + rest
            return cut, rest
        n, rest = strip_proclitic(tok.norm, self.model.counts)
        if n == 0:
            return 0, tok.norm
        # the raw position where norm character n of the token begins (marks stay with the
        # proclitic before them), from the normalizer's alignment
        cut = doc.to_raw_pos(token_norm_start(doc, tok) + n) - tok.start
        if cut <= 0 or cut >= len(tok.text):
            return 0, tok.norm
        return cut, rest

    def __call__(self, doc: Document) -> Document:
        with gc_paused():
            return self._tag_document(doc)

    def _tag_document(self, doc: Document) -> Document:
        tokens = doc.tokens
        sents = [tokens[s.first_token : s.last_token] for s in doc.sentences]
        norms = [[t.norm for t in toks] for toks in sents]
        all_labels, all_scores = self.model.tag_document(norms, self.model.token_tags(sents))
        for si, (toks, labels, scores) in enumerate(zip(sents, all_labels, all_scores)):
            for a, b, label in bio_spans(labels):
                mtype = TYPE_MAP.get(label)
                if mtype is None or b - a > MAX_NAME_TOKENS:
                    continue
                first, last = toks[a], toks[b - 1]
                if last.end - first.start > MAX_NAME_CHARS:
                    continue
                cut, first_norm = self._strip(doc, first)
                start, end = first.start + cut, last.end
                parts = [first_norm] + [t.norm for t in toks[a + 1 : b]]
                doc.mentions.append(
                    Mention(
                        type=mtype,
                        start=start,
                        end=end,
                        text=doc.raw[start:end],
                        normalized=" ".join(parts),
                        source=self.source,
                        score=round(sum(scores[a:b]) / (b - a), 4),
                        sentence=si,
                    )
                )
        return doc
