"""Tiny camel-tools artifacts built by the tests, in camel-tools' own formats and layout.

`data_dir(root)` makes a camel-tools data folder (the catalogue camel-tools reads when
`camel_tools.ner` / `.morphology` / `.disambig` is imported, copied from the project's offline
copy; see its README) for `CAMELTOOLS_DATA`. `ner_model(folder, labels)` saves a
`BertForTokenClassification` + `BertTokenizer` with `save_pretrained`, the layout
`camel_data -i ner-arabert` installs, whose prediction for a word is fixed by `labels`: no
attention layer, each word's embedding is one-hot on its label and the classifier is the identity,
so the model's output is known without training.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CAMEL_LABELS = ["B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC", "O"]


def catalogue_source() -> Path | None:
    import os

    root = Path(os.environ.get("DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))
    path = root / "camel_tools" / "catalogue-1.5.json"
    return path if path.is_file() else None


def data_dir(root: Path) -> Path:
    """A camel-tools data folder with its catalogue (and nothing installed yet)."""
    src = catalogue_source()
    if src is None:
        import pytest

        pytest.skip("camel-tools' catalogue is not in DATA_DIR/camel_tools")
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, root / "catalogue.json")
    return root


def ner_model(folder: Path, labels: dict[str, str]) -> Path:
    """Save a tiny camel-tools NER model predicting `labels[word]` for each word (else O)."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *labels]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(
        str(folder / "vocab.txt"), do_lower_case=False, tokenize_chinese_chars=False
    )
    n = len(CAMEL_LABELS)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=n,
        num_hidden_layers=0,
        num_attention_heads=1,
        intermediate_size=4,
        max_position_embeddings=512,
        id2label=dict(enumerate(CAMEL_LABELS)),
        label2id={lab: i for i, lab in enumerate(CAMEL_LABELS)},
    )
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    with torch.no_grad():
        emb = model.bert.embeddings
        emb.word_embeddings.weight.zero_()
        for i, word in enumerate(vocab):
            emb.word_embeddings.weight[i, CAMEL_LABELS.index(labels.get(word, "O"))] = 10.0
        emb.position_embeddings.weight.zero_()
        emb.token_type_embeddings.weight.zero_()
        model.classifier.weight.copy_(torch.eye(n))
        model.classifier.bias.zero_()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


_FEATS = "pos prc3 prc2 prc1 prc0 enc0 asp cas gen mod num per stt vox".split()
_DEFAULT = {f: "na" for f in _FEATS} | {f: "0" for f in ("prc3", "prc2", "prc1", "prc0", "enc0")}


def _line(feats: dict[str, str]) -> str:
    return " ".join(f"{k}:{v}" for k, v in feats.items())


def morphology_db(path: Path, stems: list[tuple[str, str, dict[str, str]]]) -> Path:
    """Write a small database in camel-tools' morphology.db format (DEFINES, DEFAULTS, ORDER,
    TOKENIZATIONS, STEMBACKOFF, PREFIXES, SUFFIXES, STEMS and the three compatibility tables).

    `stems`: (stem, category N|V|P, features). Prefixes: none, و, ل, ال, لل (ل + article), وال;
    suffixes: none and the 3rd person masculine possessive ه (on nouns)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = ["###DEFINES###"]
    for f in _FEATS:
        out.append(f"DEFINE {f} " + " ".join(f"{f}:{v}" for v in ("na", "0", "x")))
    for f in ("diac", "lex", "bw", "gloss", "pos_logprob", "lex_logprob", "pos_lex_logprob"):
        out.append(f"DEFINE {f} {f}:*open*")
    out.append("###DEFAULTS###")
    for pos in ("noun", "noun_prop", "verb", "prep", "digit", "punc", "latin"):
        out.append("DEFAULT " + _line(_DEFAULT | {"pos": pos}))
    out += ["###ORDER###", "ORDER " + " ".join(_FEATS), "###TOKENIZATIONS###", "TOKENIZATION bw"]
    out += ["###STEMBACKOFF###", "STEMBACKOFF NOAN_PROP N", "###PREFIXES###"]
    prefixes = [
        ("", "P0", {"diac": "", "bw": ""}),
        ("و", "Pw", {"diac": "وَ", "bw": "wa/CONJ", "prc2": "wa_conj"}),
        ("ل", "Pl", {"diac": "لِ", "bw": "li/PREP", "prc1": "li_prep"}),
        ("ال", "Pal", {"diac": "ال", "bw": "Al/DET", "prc0": "Al_det"}),
        ("لل", "Plal", {"diac": "لِل", "bw": "li/PREP+Al/DET", "prc1": "li_prep", "prc0": "Al_det"}),
        (
            "وال",
            "Pwal",
            {"diac": "وَال", "bw": "wa/CONJ+Al/DET", "prc2": "wa_conj", "prc0": "Al_det"},
        ),
    ]
    for form, cat, feats in prefixes:
        out.append(f"{form}\t{cat}\t{_line(feats)}")
    out.append("###SUFFIXES###")
    out.append("\tS0\tdiac: bw:")
    out.append("ه\tSh\tdiac:هُ bw:+hu/POSS_PRON_3MS enc0:3ms_poss")
    out.append("###STEMS###")
    for stem, cat, feats in stems:
        full = {"diac": stem, "lex": stem, "bw": f"{stem}/X", "gloss": "x"} | feats
        out.append(f"{stem}\t{cat}\t{_line(_DEFAULT | full)}")
    out.append("###TABLE AB###")
    out += [f"{p} {s}" for p in ("P0", "Pw") for s in ("N", "V", "P")]
    out += [f"{p} N" for p in ("Pl", "Pal", "Plal", "Pwal")]
    out.append("###TABLE BC###")
    out += ["N S0", "N Sh", "V S0", "P S0"]
    out.append("###TABLE AC###")
    out += [f"{p} S0" for p in ("P0", "Pw", "Pl", "Pal", "Plal", "Pwal")] + ["P0 Sh", "Pw Sh"]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def mle_model(path: Path, words: dict[str, dict[str, str]]) -> Path:
    """camel-tools' MLE model file: the analysis to prefer for each (undiacritized) word."""
    import json

    path.write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    return path


# The tiny models of the backend tests and the README test.
# what the tiny model says of each word (camel-tools' labels); every other word is O
NER_LABELS = {
    "قاسم": "B-PERS",
    "جومارت": "I-PERS",
    "توكاييف": "I-PERS",
    "وتوكاييف": "B-PERS",
    "أستانا": "B-LOC",
    "لليابان": "B-LOC",
    "الرئيس": "B-MISC",
}

TAG_STEMS = [
    ("توكاييف", "N", {"pos": "noun_prop", "gen": "m", "num": "s", "pos_lex_logprob": "-4"}),
    ("يابان", "N", {"pos": "noun_prop", "gen": "f", "num": "s", "pos_lex_logprob": "-4"}),
    ("دعم", "N", {"pos": "noun", "lex": "دَعْم", "gen": "m", "num": "s", "pos_lex_logprob": "-3"}),
    (
        "قال",
        "V",
        {
            "pos": "verb",
            "lex": "قال-u",
            "asp": "p",
            "per": "3",
            "gen": "m",
            "num": "s",
            "pos_lex_logprob": "-2",
        },
    ),
    ("في", "P", {"pos": "prep", "pos_lex_logprob": "-1"}),
    ("إن", "P", {"pos": "part", "pos_lex_logprob": "-1"}),
    # وصل: "arrived" (one word) or و + صل; the pos-lex model prefers the split, the MLE model
    # (what the corpus says of this word) the whole word
    ("وصل", "V", {"pos": "verb", "asp": "p", "pos_lex_logprob": "-5"}),
    ("صل", "V", {"pos": "verb", "asp": "c", "pos_lex_logprob": "-2"}),
]
TAG_MLE = {
    "وصل": {"diac": "وَصَل", "lex": "وَصَل", "bw": "وصل/X", "pos": "verb", "prc2": "0", "asp": "p"}
}
