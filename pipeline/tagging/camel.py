"""camel-tools' morphological analyzer and MLE disambiguator as a tag backend
(`TagStage(backend="camel")`, `--tagger camel`).

camel-tools analyzes a word against a morphology database (`calima-msa-r13`, installed by
`camel_data -i disambig-mle-calima-msa-r13` with its MLE model, or any database file in camel-tools'
format) and its MLE disambiguator picks one analysis per word: proclitic features (prc3 question,
prc2 conjunction, prc1 preposition / future / emphasis; prc0, the article, stays in the stem as in
UD and in the crf backend), the stem's POS, lemma (`lex`) and inflection, and the enclitic (enc0).
This module turns the chosen analysis into our parts: how many letters each proclitic and the
enclitic take at the ends of the token's normalized form (the clitic's surface from its Buckwalter
form, through camel-tools' own `bw2ar` map), with UPOS for each part, and the stem's lemma and
features (`Part.lemma`; `Part.feats` in UD's FEATS form, `Gender=Masc|Number=Sing`). A word the
database does not know stays one stem part tagged X.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.arabic.normalize import normalize_text
from pipeline.resources import BackendMissing, require_camel

__all__ = ["CamelTagger", "INSTALL_PACKAGE", "WordAnalysis"]

INSTALL_PACKAGE = "disambig-mle-calima-msa-r13"  # brings its database (morphology-db-msa-r13)
DB_NAME = "calima-msa-r13"

# camel-tools' POS tags -> UPOS (the stem's); the longest matching prefix wins (adj_comp -> ADJ)
_UPOS = {
    "noun_prop": "PROPN",
    "noun_num": "NUM",
    "noun": "NOUN",
    "adj": "ADJ",
    "verb_pseudo": "AUX",
    "verb": "VERB",
    "adv": "ADV",
    "pron": "PRON",
    "prep": "ADP",
    "conj_sub": "SCONJ",
    "conj": "CCONJ",
    "part_det": "DET",
    "part": "PART",
    "punc": "PUNCT",
    "digit": "NUM",
    "interj": "INTJ",
    "abbrev": "X",
    "foreign": "X",
    "latin": "X",
}
# the role in a proclitic feature value (wa_conj, bi_prep, sa_fut, >a_ques) -> UPOS of the part
_CLITIC_UPOS = {"conj": "CCONJ", "sub": "SCONJ", "prep": "ADP", "fut": "AUX", "ques": "PART"}
_PROCLITIC_FEATS = ("prc3", "prc2", "prc1")  # outermost first
# camel-tools' inflectional features -> UD FEATS (Part.feats), as in UD Arabic-PADT; a value not
# listed (na, u, -) gives no feature
_UD_FEATS: dict[str, tuple[str, dict[str, str]]] = {
    "asp": ("Aspect", {"p": "Perf", "i": "Imp"}),
    "cas": ("Case", {"n": "Nom", "a": "Acc", "g": "Gen"}),
    "gen": ("Gender", {"m": "Masc", "f": "Fem"}),
    "mod": ("Mood", {"i": "Ind", "s": "Sub", "j": "Jus"}),
    "num": ("Number", {"s": "Sing", "d": "Dual", "p": "Plur"}),
    "per": ("Person", {"1": "1", "2": "2", "3": "3"}),
    "stt": ("Definite", {"d": "Def", "i": "Ind", "c": "Cons"}),
    "vox": ("Voice", {"a": "Act", "p": "Pass"}),
}


@dataclass(slots=True)
class WordAnalysis:
    """One word's parts: norm-local spans with kind and UPOS, and the stem's lemma and features."""

    spans: list[tuple[int, int]]
    kinds: list[str]
    upos: list[str]
    lemma: str | None
    feats: str | None


def _pos_upos(pos: str) -> str:
    for key in sorted(_UPOS, key=len, reverse=True):
        if pos.startswith(key):
            return _UPOS[key]
    return "X"


class CamelTagger:
    """camel-tools' analyzer + MLE disambiguator over a morphology database.

    `path`: a morphology database file (`morphology.db`), or a folder holding one (and, when
    present, the MLE model `model.json`); default: the `calima-msa-r13` database and MLE model
    that `camel_data -i disambig-mle-calima-msa-r13` installs. Raises BackendMissing, naming the
    install command, when camel-tools or the data is absent.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        root = require_camel(INSTALL_PACKAGE)
        if path is None:
            db = root / "data" / "morphology_db" / DB_NAME / "morphology.db"
            mle = root / "data" / "disambig_mle" / DB_NAME / "model.json"
        else:
            path = Path(path)
            db = path / "morphology.db" if path.is_dir() else path
            mle = db.parent / "model.json"
        if not db.is_file():
            raise BackendMissing(
                f"no camel-tools morphology database at {db}: camel_data -i {INSTALL_PACKAGE} "
                "(or --tagger-model PATH, a database in camel-tools' format)"
            )
        from camel_tools.disambig.mle import MLEDisambiguator
        from camel_tools.morphology.analyzer import Analyzer
        from camel_tools.morphology.database import MorphologyDB
        from camel_tools.utils.charmap import CharMapper

        analyzer = Analyzer(MorphologyDB(str(db), "a"), backoff="NONE")
        self.disambiguator = MLEDisambiguator(analyzer, str(mle) if mle.is_file() else None)
        self._bw2ar = CharMapper.builtin_mapper("bw2ar")
        self._cache: dict[str, WordAnalysis] = {}

    def _surface(self, bw: str) -> str:
        """The normalized letters of a Buckwalter form (wa -> و, li -> ل, hu -> ه)."""
        return normalize_text(self._bw2ar(bw))[0]

    def analyse(self, word: str, norm: str) -> WordAnalysis:
        """The parts of one token (`word` as written, `norm` its normalized form, which the spans
        index)."""
        key = word
        hit = self._cache.get(key)
        if hit is None:
            hit = self._analyse(word, norm)
            if len(self._cache) < 200_000:
                self._cache[key] = hit
        return hit

    def _analyse(self, word: str, norm: str) -> WordAnalysis:
        scored = self.disambiguator.disambiguate([word])[0].analyses
        if not scored or not norm:
            return WordAnalysis([(0, len(norm))], ["stem"], ["X"], None, None)
        a: dict[str, Any] = scored[0].analysis
        spans: list[tuple[int, int]] = []
        kinds: list[str] = []
        upos: list[str] = []
        pos = 0
        for feat in _PROCLITIC_FEATS:
            value = str(a.get(feat) or "0")
            if value in ("0", "na", "-") or "_" not in value:
                continue
            form, role = value.split("_", 1)
            letters = self._surface(form)
            if not letters or not norm.startswith(letters, pos) or pos + len(letters) >= len(norm):
                continue
            spans.append((pos, pos + len(letters)))
            kinds.append("proclitic")
            upos.append(_CLITIC_UPOS.get(role, "PART"))
            pos += len(letters)
        end = len(norm)
        enc = str(a.get("enc0") or "0")
        enclitic = None
        if enc not in ("0", "na", "-"):
            bw = str(a.get("bw", "")).rsplit("+", 1)[-1].split("/", 1)[0]
            letters = self._surface(bw)
            if letters and norm.endswith(letters) and end - len(letters) > pos:
                enclitic = (end - len(letters), end)
                end -= len(letters)
        spans.append((pos, end))
        kinds.append("stem")
        upos.append(_pos_upos(str(a.get("pos", ""))))
        if enclitic:
            spans.append(enclitic)
            kinds.append("enclitic")
            upos.append("PRON")
        feats = "|".join(
            sorted(
                f"{name}={values[v]}"
                for f, (name, values) in _UD_FEATS.items()
                if (v := str(a.get(f, ""))) in values
            )
        )
        if str(a.get("asp")) == "c":  # camel-tools' command "aspect" is UD's imperative mood
            feats = "|".join(sorted([*filter(None, feats.split("|")), "Mood=Imp"]))
        lemma = str(a.get("lex") or "") or None
        return WordAnalysis(spans, kinds, upos, lemma, feats or None)
