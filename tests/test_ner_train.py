"""`python -m pipeline.training.ner train` end to end on a tiny DATA_DIR written here.

Why: `make train` is the only other place the training code runs, and it needs the corpora and eight
minutes. This checks the path that builds the shipped model: both parts trained, the target-domain copies
folded away, the average written as the one file the stage loads, stale crfsuite files removed.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.ner.crf import TARGET_PREFIX
from pipeline.resources import models_dir
from pipeline.stages.ner import NerStage

# (tokens, labels) in ANERcorp's tag set; the other corpora get the same sentences in theirs.
SENTS = [
    ("قال الرئيس عبد الله في عمان امس".split(), ["O", "O", "B-PERS", "I-PERS", "O", "B-LOC", "O"]),
    (
        "وزار محمد القاهره مع وفد من شركه نيسان".split(),
        ["O", "B-PERS", "B-LOC", "O", "O", "O", "O", "O", "B-ORG"],
    ),
    (
        "فاز نادي الهلال علي الاهلي في الرياض".split(),
        ["O", "O", "B-ORG", "O", "B-ORG", "O", "B-LOC"],
    ),
    (
        "واكد احمد ان الامم المتحده تدعم لبنان".split(),
        ["O", "B-PERS", "O", "B-ORG", "I-ORG", "O", "B-LOC"],
    ),
]
FINE = {"PERS": "Politician", "LOC": "Population-Center", "ORG": "Government"}


def _write_data(root: Path, copies: int = 5) -> Path:
    ner = root / "ner"
    for d in ("anercorp", "wikifane", "wojood-sample"):
        (ner / d).mkdir(parents=True)
    aner = SENTS * copies
    # the other corpora: the same sentences with words of their own, so they bring new features
    other = [(toks + ["حسب", "ويكيبيديا"], labs + ["O", "O"]) for toks, labs in aner]

    def rows(fmt, sents=other) -> str:
        return "".join(
            "".join(fmt(t, lab) + "\n" for t, lab in zip(toks, labs)) + "\n" for toks, labs in sents
        )

    (ner / "anercorp/train.txt").write_text(
        rows(lambda t, lab: f"{t} {lab}", aner), encoding="utf-8"
    )
    (ner / "wikifane/wikifane_gold.coarse.iob2.txt").write_text(
        rows(lambda t, lab: f"{t}\t{lab}"), encoding="utf-8"
    )
    fine = rows(lambda t, lab: f"{t}\t{lab[:2] + FINE[lab[2:]] if lab != 'O' else 'O'}")
    with gzip.open(ner / "wikifane/wikifane_gold.fine.iob2.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write(fine)
    for name in ("train", "val"):
        (ner / f"wojood-sample/{name}.txt").write_text(
            rows(lambda t, lab: f"{t} {lab}"), encoding="utf-8"
        )
    return root


def test_train_writes_the_averaged_model(tmp_path: Path) -> None:
    from pipeline.training.ner import train

    data = _write_data(tmp_path / "data")
    out = tmp_path / "model"
    out.mkdir()
    shutil.copy(models_dir() / "ner" / "clusters.tsv", out / "clusters.tsv")
    (out / "ner.crfsuite").write_bytes(b"stale")  # a model of the old format: must go
    with pytest.raises(SystemExit, match="silver_names"):  # the silver names are built first
        train(data, out, params={"max_iterations": 30}, silver=True)
    (out / "silver_names.tsv").write_text("# form\ttype\nتوكاييف\tPER\t9\t0.9\n", encoding="utf-8")
    meta = train(data, out, params={"max_iterations": 30}, silver=True)
    assert not (out / "ner.crfsuite").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        "clusters.tsv",
        "meta.json",
        "ner.weights.npz",
        "silver_names.tsv",
        "vocab.tsv",
    ]
    assert json.loads((out / "meta.json").read_text(encoding="utf-8")) == meta
    assert meta["silver_names"] is True
    parts = meta["parts"]
    assert [p["share"] for p in parts] == [0.5, 0.5]
    assert parts[0]["sets"] == ["anercorp_train"] and parts[0]["target_sets"] == []
    assert parts[1]["target_sets"] == ["anercorp_train"]
    assert parts[1]["train_tokens"] > parts[0]["train_tokens"]
    table = np.load(out / "ner.weights.npz")
    attrs = table["attrs"].tolist()
    assert attrs and not any(a.startswith(TARGET_PREFIX) for a in attrs)  # copies folded on export
    assert sorted(table["labels"].tolist()) == sorted(
        ["O", "B-PER", "I-PER", "B-LOC", "B-ORG", "I-ORG"]
    )
    stage = NerStage(out)
    labels, _ = stage.model.tag_document([SENTS[0][0]])
    assert len(labels[0]) == len(SENTS[0][0])

    (tmp_path / "alone").mkdir()
    shutil.copy(models_dir() / "ner" / "clusters.tsv", tmp_path / "alone" / "clusters.tsv")
    alone = train(
        data, tmp_path / "alone", params={"max_iterations": 30}, adapt_sets=(), silver=False
    )
    assert [p["share"] for p in alone["parts"]] == [1.0]
    own = set(np.load(tmp_path / "alone" / "ner.weights.npz")["attrs"].tolist())
    assert own < set(attrs)  # the average holds the in-domain part and more
