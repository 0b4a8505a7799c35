"""A tiny stanza Arabic NER model built by the tests, in stanza's own formats and layout.

`resources_dir(root)` lays out what `stanza.download("ar", model_dir=root, processors="tokenize,ner")`
writes, with tiny files: `ar/pretrain/tiny.pt` (stanza's `Pretrain`, written by stanza from a word
vector file of random vectors over the training words), `ar/ner/tiny.pt` (trained by stanza's own
NER trainer, `stanza.models.ner_tagger`, no character LM, a few hundred weights, ~2 s on a CPU) and
`resources.json` naming the NER package as the Arabic default and the pretrain as its dependency
(the tokenizer is named too, as in stanza's catalogue, but never loaded: the project gives stanza
its own tokens). The training sentences are written here from a few name lists and templates, with
names attached to the proclitics و / ل (`وتوكاييف`, `لليابان`) labelled as whole tokens (stanza's
NER labels tokens, not their clitic parts); after ~60 steps the model tags them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

NER_PACKAGE = "tiny"

PEOPLE = [
    ["قاسم", "جومارت", "توكاييف"],
    ["فوميو", "كيشيدا"],
    ["شوكت", "ميرزيوييف"],
    ["سامي", "نوار"],
    ["توكاييف"],
]
PLACES = [["أستانا"], ["طوكيو"], ["اليابان"], ["كازاخستان"], ["آسيا", "الوسطى"]]
ORGS = [["بنك", "المدينة"], ["شركة", "الزهور", "للنقل"]]
# P/L/G: a person, place or organization; a lower-case letter: the same with a proclitic
TEMPLATES = [
    ["قال", "الرئيس", "P", "في", "L", "إن", "البلدين", "يتعاونان", "."],
    ["زار", "P", "L", "أمس", "و", "التقى", "p", "."],
    ["توجه", "وفد", "G", "l", "اليوم", "."],
    ["أعلن", "G", "أن", "P", "سيتوجه", "l", "قريبا", "."],
    ["وأكد", "p", "أن", "العلاقات", "مع", "L", "جيدة", "."],
    ["نشرت", "صحيفة", "محلية", "مقالا", "عن", "التعاون", "بين", "البلدين", "."],
]


def _fill(template: list[str], i: int) -> list[dict[str, str]]:
    """One sentence: the template's slots filled with the i-th names, BIO labelled."""
    out: list[dict[str, str]] = []
    for k, slot in enumerate(template):
        kind = slot.upper()
        if kind not in ("P", "L", "G"):
            out.append({"text": slot, "ner": "O"})
            continue
        names, typ = {"P": (PEOPLE, "PER"), "L": (PLACES, "LOC"), "G": (ORGS, "ORG")}[kind]
        name = names[(i + k) % len(names)]
        if slot.islower():  # a proclitic on the name's first word: و for people, ل for places
            if kind == "P":
                name = ["و" + name[-1]]
            else:  # ل + ال writes لل: اليابان -> لليابان
                name = ["ل" + (name[0][1:] if name[0].startswith("ال") else name[0]), *name[1:]]
        for j, word in enumerate(name):
            out.append({"text": word, "ner": ("B-" if j == 0 else "I-") + typ})
    return out


def training_sentences() -> list[list[dict[str, str]]]:
    """The training set, in stanza's NER json format (sentences of {"text", "ner"} tokens)."""
    return [_fill(t, i) for i in range(len(PEOPLE)) for t in TEMPLATES]


def resources_dir(root: Path, steps: int = 60) -> Path:
    """Build the tiny stanza resources folder in `root` (see the module docstring)."""
    import numpy as np
    from stanza.models import ner_tagger
    from stanza.models.common.pretrain import Pretrain

    root.mkdir(parents=True, exist_ok=True)
    sents = training_sentences()
    work = root / "training"
    work.mkdir()
    words = sorted({w["text"] for s in sents for w in s})
    vectors = np.random.default_rng(0).normal(size=(len(words), 16))
    vec_file = work / "vectors.txt"
    with vec_file.open("w", encoding="utf-8") as fh:
        fh.write(f"{len(words)} {vectors.shape[1]}\n")
        for w, v in zip(words, vectors):
            fh.write(w + " " + " ".join(f"{x:.5f}" for x in v) + "\n")
    pretrain = root / "ar" / "pretrain" / f"{NER_PACKAGE}.pt"
    Pretrain(str(pretrain), str(vec_file), save_to_file=True).load()
    data = work / "train.json"
    data.write_text(json.dumps(sents, ensure_ascii=False), encoding="utf-8")
    (root / "ar" / "ner").mkdir(parents=True)
    import torch

    stanza_log = logging.getLogger("stanza")
    level, threads = stanza_log.level, torch.get_num_threads()
    stanza_log.setLevel(logging.WARNING)
    torch.set_num_threads(1)  # tiny matrices: threads only contend (with pytest-xdist, other jobs)
    try:
        ner_tagger.main(
            [
                "--train_file", str(data), "--eval_file", str(data),
                "--wordvec_pretrain_file", str(pretrain), "--shorthand", "ar_tiny",
                "--save_dir", str(root / "ar" / "ner"), "--save_name", f"{NER_PACKAGE}.pt",
                "--cpu", "--seed", "1", "--hidden_dim", "16", "--char_hidden_dim", "8",
                "--char_emb_dim", "8", "--batch_size", "8", "--optim", "adam", "--lr", "0.01",
                "--dropout", "0", "--word_dropout", "0", "--max_steps", str(steps),
                "--eval_interval", "20",
            ]
        )  # fmt: skip
    finally:
        stanza_log.setLevel(level)
        torch.set_num_threads(threads)
    default = {"tokenize": "padt", "ner": NER_PACKAGE}
    resources = {
        "ar": {
            "tokenize": {"padt": {}},
            "ner": {NER_PACKAGE: {"dependencies": [{"model": "pretrain", "package": NER_PACKAGE}]}},
            "pretrain": {NER_PACKAGE: {}},
            "lang_name": "Arabic",
            "default_processors": default,
            "packages": {"default": default},
        }
    }
    (root / "resources.json").write_text(json.dumps(resources), encoding="utf-8")
    return root
