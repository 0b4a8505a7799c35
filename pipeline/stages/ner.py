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
from pipeline.lexicons import load_set
from pipeline.ner.camel import CamelNerModel
from pipeline.ner.document import MAX_NAME_CHARS, MAX_NAME_TOKENS, TYPE_MAP, bio_spans
from pipeline.ner.model import NerModel
from pipeline.ner.stanza import StanzaNerModel
from pipeline.ner.tokens import kept_proclitics, strip_proclitic, unseen_with_proclitic
from pipeline.ner.toolkit import ToolkitNerModel
from pipeline.tagging.parts import token_norm_start

__all__ = ["NerStage"]


class _Either:
    """Membership in either of two sets, without building their union for every document."""

    def __init__(self, a: frozenset[str], b: frozenset[str]) -> None:
        self.a, self.b = a, b

    def __contains__(self, item: object) -> bool:
        return item in self.a or item in self.b


class NerStage:
    """Pipeline stage: tags PERSON / LOCATION / ORGANIZATION mentions with the shipped model.

    `model_dir`: the model folder (default models/ner); `source`: the `Mention.source` written;
    `propagate`: tag later repeats of names found once in the document; `backstop`: the document
    backstops (countries, coordinated names, and with `institutions` the institution grammar of
    `pipeline.ner.institutions`); `backend`: "crf" (the default, fast), "accurate" (a BiLSTM-CRF
    over contextual character-LM states pooled with the CRF; needs torch, slower), "lstm" or
    "ensemble" (see models/cards/ner.md), or another toolkit's model: "camel" (camel-tools'
    AraBERT NER) or "stanza" (the Arabic NER model of a stanza resources folder).
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
        institutions: bool = True,
    ) -> None:
        """Load the NER model once.

        Args:
            model_dir: the model folder (default models/ner, shipped; with backend="camel", a
                camel-tools NER model folder, default the one `camel_data -i ner-arabert`
                installed; with backend="stanza", a stanza resources folder, default stanza's
                own ~/stanza_resources or $STANZA_RESOURCES_DIR).
            source: the `Mention.source` written on each mention (the tables' `source` column).
            propagate: after tagging, tag later repeats of a name found once in the document
                (an article names a person in full once, then repeats the surname).
            backstop: the document backstops: country names, coordinated names, and (with
                `institutions`) the institution grammar of `pipeline.ner.institutions`.
            backend: "crf" (default, fast), "accurate" (a BiLSTM-CRF over the contextual states
                of character language models pretrained on news, pooled with the CRF: needs
                torch and the files of `make pretrain` / `make train-accurate`; slower), "lstm"
                (the BiLSTM-CRF of `make train-lstm`),
                "ensemble" (the two models' label probabilities averaged), "camel"
                (camel-tools' AraBERT `NERecognizer` on our tokens, `pipeline.ner.camel`) or
                "stanza" (the default Arabic NER package of the stanza resources folder
                `model_dir`, offline, on our tokens, `pipeline.ner.stanza`); the document steps
                below do not apply to these two. Their missing data raises
                `pipeline.resources.BackendMissing` naming the install command (`camel_data -i
                ner-arabert`, `stanza.download('ar', ...)`).
            institutions: with `backstop`, find ministry / company / university names by
                their head noun and genitive chain.
        """
        self.model: NerModel | ToolkitNerModel
        if backend == "camel":
            self.model = CamelNerModel(model_dir)
        elif backend == "stanza":
            self.model = StanzaNerModel(model_dir)
        else:
            self.model = NerModel(
                model_dir,
                propagate=propagate,
                backstop=backstop,
                backend=backend,
                institutions=institutions,
            )
        # names whose first letter is also a proclitic letter stay whole (فادي، بايدن): see `_strip`
        self.known_names = load_set("person_names")
        if self.model.uses_tags:  # the model reads the tag stage's parts (stem UPOS, proclitics)
            self.requires = (*self.requires, "parts")
        self.source = source

    def _strip(
        self, doc: Document, tok: Token, names: frozenset[str] = frozenset()
    ) -> tuple[int, str]:
        """(raw chars to drop at the start of the first token, normalized remainder).

        The tag stage's proclitic parts decide, checked against the evidence of `kept_proclitics`
        (`names`: the forms seen inside this document's names, and the name gazetteer); a split the
        tagger missed comes from `unseen_with_proclitic`; without parts, `strip_proclitic` decides.
        """
        procl = [p for p in tok.parts if p.kind == "proclitic"]
        if tok.parts and any(p.kind == "stem" for p in tok.parts):
            known = _Either(names, self.known_names)
            if procl:
                rest = normalize_text(tok.text[procl[-1].end - tok.start :])[0]
                norms = [normalize_text(p.text)[0] for p in procl]
                procl = procl[: kept_proclitics(norms, rest, self.model.news_counts, known)]
            if not procl:
                n, rest = unseen_with_proclitic(tok.norm, self.model.news_counts, known)
                return self._norm_cut(doc, tok, n, rest)
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
        return self._norm_cut(doc, tok, n, rest)

    @staticmethod
    def _norm_cut(doc: Document, tok: Token, n: int, rest: str) -> tuple[int, str]:
        """`_strip`'s answer for a cut after n characters of the token's norm."""
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
        found = []
        for si, (toks, labels, scores) in enumerate(zip(sents, all_labels, all_scores)):
            for a, b, label in bio_spans(labels):
                mtype = TYPE_MAP.get(label)
                if mtype is None or b - a > MAX_NAME_TOKENS:
                    continue
                if toks[b - 1].end - toks[a].start > MAX_NAME_CHARS:
                    continue
                found.append((si, toks, a, b, mtype, scores))
        # forms that appear inside a name, where nothing is stripped: "بايدن" in "جو بايدن"
        names = frozenset(t.norm for _, toks, a, b, _, _ in found for t in toks[a + 1 : b])
        for si, toks, a, b, mtype, scores in found:
            first, last = toks[a], toks[b - 1]
            cut, first_norm = self._strip(doc, first, names)
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
