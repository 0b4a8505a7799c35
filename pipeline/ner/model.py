"""`NerModel`: the NER of one document's sentences (lists of normalized tokens) -> BIO labels and
scores: the feature CRF, the BiLSTM-CRF or their ensemble, then the document-level steps.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.crf import marginals
from pipeline.document import Token
from pipeline.lexicons import load_rows
from pipeline.ner import ENCODER_KIND
from pipeline.ner.document import (
    PROPAGATED_SCORE,
    bio_spans,
    clean_spans,
    coordination_backstop,
    country_backstop,
    decode_bio,
    propagate_labels,
)
from pipeline.ner.features import NerFeaturizer
from pipeline.ner.institutions import institution_backstop
from pipeline.ner.tokens import TagInfo, token_tag_info
from pipeline.resources import BackendMissing, models_dir

__all__ = ["NerModel", "load_counts"]

# CLDR territory names that are common words in running text, never backstop hits.
_NOT_COUNTRIES = frozenset({"العالم", "الاتحاد"})
# CLDR "territories" that are organizations or test locales, not places: the European Union, the
# United Nations, the euro area, pseudo-locales (الاتحاد الاوروبي is an ORGANIZATION)
_NOT_PLACE_CODES = frozenset({"EU", "UN", "EZ", "XA", "XB"})


def load_counts(path: Path) -> dict[str, int]:
    """`form<TAB>count` lines (plain or gzip) as a dict; {} when the file is absent."""
    counts: dict[str, int] = {}
    if path.exists():
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    w, c = line.rstrip("\n").split("\t")
                    counts[w] = int(c)
    return counts


def _crf_parts(model_dir: Path, meta: dict, weights: str = "ner.weights.npz"):
    """The feature CRF's scorer (`weights`: the default's table, or the gold CRF the accurate backend
    pools with) and featurizer, or a FileNotFoundError saying how to build them."""
    path = model_dir / weights
    if not path.exists():
        how = "`python -m pipeline.training.ner train`" + (
            ""
            if weights == "ner.weights.npz"
            else ", then `python -m pipeline.training.ner_student`"
        )
        raise FileNotFoundError(f"NER model not found at {path}; rebuild it with {how}")
    from pipeline.ner.crf import CrfScorer

    featurizer = NerFeaturizer.load(
        model_dir, bool(meta.get("tag_features")), bool(meta.get("silver_names"))
    )
    return CrfScorer.load(path), featurizer


def _network_meta(model_dir: Path, name: str) -> dict:
    """NAME.json of a network ({} when absent)."""
    path = model_dir / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _lstm_tagger(model_dir: Path, featurizer: NerFeaturizer, name: str = "lstm"):
    """A BiLSTM-CRF (NAME.npz: lstm, or accurate once `require_accurate` passed), or a
    FileNotFoundError saying how to build it."""
    if not (model_dir / f"{name}.npz").exists():
        raise FileNotFoundError(
            f"NER model not found at {model_dir / f'{name}.npz'}; rebuild it with "
            "`python -m pipeline.training.ner_lstm train`"
        )
    from pipeline.ner.lstm import LstmTagger

    return LstmTagger(model_dir, featurizer, name=name)


def _accurate_network(model_dir: Path, featurizer: NerFeaturizer, meta: dict):
    """The accurate backend's network: the fine-tuned encoder when accurate.json (`meta`, as
    `require_accurate` read it) says `"kind": "encoder"` (`pipeline.ner.transformer`), else the
    BiLSTM-CRF over the context models' states."""
    if meta.get("kind") == ENCODER_KIND:
        from pipeline.ner.transformer import EncoderTagger

        return EncoderTagger.load(model_dir, "accurate")
    return _lstm_tagger(model_dir, featurizer, "accurate")


def require_accurate(model_dir: Path) -> dict:
    """Raise BackendMissing, saying how to build or install it, when the accurate backend's files or
    torch are missing; return accurate.json ({} when absent), read once here."""
    files = [model_dir / "accurate.npz"]
    meta = _network_meta(model_dir, "accurate")
    # a fine-tuned encoder (pipeline.ner.transformer) carries its tokenizer and reads no context model
    encoder = meta.get("kind") == ENCODER_KIND
    if encoder:
        files.append(model_dir / "accurate.tokenizer.json")
    where = meta["settings"].get("charlm", "") if meta and not encoder else ""
    for name in [] if encoder else (where or "charlm").split(","):  # its context models
        context = model_dir.parent / Path(name).name
        if not context.is_dir():
            files.append(context)
        else:
            is_encoder = (context / "encoder.json").exists()
            files.append(context / ("encoder.npz" if is_encoder else "charlm.npz"))
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise BackendMissing(
            f"accurate NER model not found ({', '.join(missing)}); build it with `make pretrain` "
            "(the character LMs; `make pretrain-encoder` for an encoder) and `make train-accurate`"
        )
    try:
        import torch  # noqa: F401
    except ImportError as err:
        raise BackendMissing("the accurate NER backend needs torch: pip install torch") from err
    return meta


class NerModel:
    """The NER model of one backend with its document-level steps.

    Loads the CRF's weight table (models/ner/ner.weights.npz) or the BiLSTM (lstm.npz), the
    gazetteers, word clusters and word counts once, here.
    """

    def __init__(
        self,
        model_dir: Path | None = None,
        propagate: bool = True,
        backstop: bool = True,
        backend: str | None = None,
        institutions: bool = True,
    ) -> None:
        model_dir = Path(model_dir) if model_dir else models_dir() / "ner"
        meta = model_dir / "meta.json"
        self.meta = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
        # "lstm": the BiLSTM-CRF (lstm.npz); "crf": the feature CRF (ner.weights.npz). The default is
        # the one meta.json names (see models/cards/ner.md for why).
        self.backend = backend or self.meta.get("backend", "crf")
        self.lstm = None
        # ensemble: weight of the BiLSTM's posteriors against the CRF's (meta.json "lstm_weight")
        self.lstm_weight = float(self.meta.get("lstm_weight", 0.5))
        if self.backend in ("ensemble", "accurate"):
            # accurate: the BiLSTM-CRF over character-LM states (accurate.npz, models/charlm) with
            # the CRF, pooled as the ensemble pools the plain BiLSTM (meta.json "accurate_weight")
            network_meta = {}
            if self.backend == "accurate":  # its own files first: their absence is the likely error
                network_meta = require_accurate(model_dir)
            # When the default CRF is the accurate backend's student (meta.json "accurate_crf",
            # pipeline.training.ner_student), the network pools with the CRF trained on gold data
            # alone, the one it was chosen with and the teacher of the student.
            pooled = self.meta.get("accurate_crf") if self.backend == "accurate" else None
            self.scorer, self.featurizer = _crf_parts(
                model_dir, self.meta, pooled or "ner.weights.npz"
            )
            # the networks read the tag features: the CRF's featurizer serves them when it has them
            tagged = (
                self.featurizer if self.featurizer.use_tags else NerFeaturizer.load(model_dir, True)
            )
            if self.backend == "accurate":
                self.lstm = _accurate_network(model_dir, tagged, network_meta)
                self.lstm_weight = float(self.meta.get("accurate_weight", 0.5))
            else:
                self.lstm = _lstm_tagger(model_dir, tagged)
        elif self.backend == "lstm":
            self.featurizer = NerFeaturizer.load(model_dir, True)
            self.lstm = _lstm_tagger(model_dir, self.featurizer)
        elif self.backend == "crf":
            self.scorer, self.featurizer = _crf_parts(model_dir, self.meta)
        else:
            raise ValueError(
                f"unknown NER backend {self.backend!r}; use 'crf', 'accurate', 'lstm', 'ensemble', "
                "'camel' or 'stanza'"
            )
        self.counts = load_counts(model_dir / "vocab.tsv")
        # how often each form stands alone in the raw news: decides whether a name's first letter is
        # a proclitic (pipeline.ner.tokens.kept_proclitics)
        self.news_counts = load_counts(model_dir / "news_counts.tsv.gz")
        self.propagate = propagate
        self.backstop = backstop
        # the institution grammar (pipeline.ner.institutions), one of the backstops
        self.institutions = institutions
        rows = [
            r for name in ("countries", "capitals") for r in load_rows(name)
            if r[1] not in _NOT_PLACE_CODES
        ]  # fmt: skip
        self.countries = frozenset(
            r[0] for r in rows if " " not in r[0] and r[0] not in _NOT_COUNTRIES
        )
        # names of countries and capitals of two to four words (جنوب افريقيا، اديس ابابا); not those
        # of world regions (CLDR's numeric codes: شرق افريقيا, where corpora differ on whether the
        # direction belongs to the name), nor those that open with a word that precedes place names
        # (دوله قطر, الجمهوريه التونسيه: the training data marks [قطر] alone)
        before_places = {r[0] for r in load_rows("ner_triggers") if r[1] == "location"}
        self.country_phrases = frozenset(
            tuple(words)
            for words, code in ((r[0].split(), r[1]) for r in rows)
            if 2 <= len(words) <= 4
            and not code.isdigit()
            and words[0] not in before_places
            and words[0].removeprefix("ال") not in before_places
        )

    @property
    def uses_tags(self) -> bool:
        """Whether the model reads the tag stage's view of tokens (UPOS, clitics)."""
        return self.lstm is not None or self.featurizer.use_tags

    def _crf_emissions(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[TagInfo | None] | None] | None,
    ) -> list[np.ndarray]:
        return self.featurizer.document_emissions(sentences, tags, self.scorer)

    def _crf_posteriors(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[TagInfo | None] | None] | None,
    ) -> list[np.ndarray]:
        """Per sentence, the CRF's P(label) per token (n × labels, `scorer.labels` order)."""
        ems = self._crf_emissions(sentences, tags)
        out = [np.zeros((0, len(self.scorer.labels))) for _ in ems]
        live = [i for i, e in enumerate(ems) if len(e)]
        if live:
            lens = np.array([len(ems[i]) for i in live])
            em = np.zeros((len(live), int(lens.max()), len(self.scorer.labels)))
            for k, i in enumerate(live):
                em[k, : lens[k]] = ems[i]
            marg = marginals(em, lens, self.scorer.trans)
            for k, i in enumerate(live):
                out[i] = marg[k, : lens[k]]
        return out

    def tag_document(
        self,
        sentences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[TagInfo | None] | None] | None = None,
    ) -> tuple[list[list[str]], list[list[float]]]:
        """Labels and scores for every sentence of a document: CRF, then document consistency."""
        labels: list[list[str]] = []
        scores: list[list[float]] = []
        if self.backend in ("ensemble", "accurate"):
            lstm_probs = self.lstm.posteriors(sentences, tags)
            names = self.lstm.labels
            w = self.lstm_weight
            crf_probs = self._crf_posteriors(sentences, tags)
            cols = [self.scorer.labels.index(lab) for lab in names]
            for lp, cp in zip(lstm_probs, crf_probs):
                lab, sc = decode_bio(w * lp + (1 - w) * cp[:, cols], names)
                labels.append(lab)
                scores.append(sc)
        elif self.lstm is not None:
            for lab, sc in self.lstm.tag_sentences(sentences, tags):
                labels.append(lab)
                scores.append(sc)
        else:
            for lab, sc in self.scorer.decode(self._crf_emissions(sentences, tags)):
                labels.append(lab)
                scores.append(sc)
        if self.propagate:
            added = propagate_labels(sentences, labels, self.counts)
            for sc, ad in zip(scores, added):
                for i, flag in enumerate(ad):
                    if flag:
                        sc[i] = PROPAGATED_SCORE
        if self.backstop:
            for added in (
                country_backstop(
                    sentences, labels, self.countries, self.counts, self.country_phrases
                ),
                coordination_backstop(sentences, labels, self.counts),
                *(
                    [institution_backstop(sentences, labels, tags, self.counts)]
                    if self.institutions
                    else []
                ),
            ):
                for sc, ad in zip(scores, added):
                    for i, flag in enumerate(ad):
                        if flag:
                            sc[i] = PROPAGATED_SCORE
        for lab, norms in zip(labels, sentences):
            spans = clean_spans(norms, bio_spans(lab), self.counts)
            lab[:] = ["O"] * len(lab)
            for a, b, typ in spans:
                lab[a:b] = ["B-" + typ] + ["I-" + typ] * (b - a - 1)
        return labels, scores

    def token_tags(self, sents: Sequence[Sequence[Token]]) -> list[list[TagInfo]] | None:
        """Per token of each sentence, the tag stage's view (`TagInfo`) from `Token.parts`, when
        the model uses it (None for a token without parts: `NerFeaturizer` then splits it itself)."""
        if not self.uses_tags:
            return None
        tags = [
            [("", t.norm, t.parts[0].pos) if len(t.parts) == 1 else token_tag_info(t) for t in toks]
            for toks in sents
        ]  # the one-part case of token_tag_info inlined (most tokens; speed)
        return tags
