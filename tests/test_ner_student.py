"""The default CRF as the accurate backend's student (pipeline.training.ner_student): the build order it
checks, the silver names it keeps, and the gold CRF the accurate backend pools with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.ner.crf import CrfScorer
from pipeline.ner.features import NerFeaturizer
from pipeline.ner.model import NerModel
from pipeline.resources import models_dir
from pipeline.training.ner_student import GOLD_CRF, check_gold, unlisted_names

SHIPPED = models_dir() / "ner"


def test_silver_names_a_gazetteer_holds_are_left_out():
    fz = NerFeaturizer(
        {
            "city": frozenset({"استانا"}),
            "given": frozenset({"قاسم"}),
            "t_org": frozenset({"وزاره"}),
        },
        {},
        {},
    )
    rows = [
        ("استانا", "LOC", 40, 0.9),  # a city of the gazetteer: its own flag speaks for it
        ("قاسم", "PER", 30, 0.8),
        ("وزاره", "ORG", 20, 0.6),  # a trigger word is no name: kept if the teacher says so
        ("توكاييف", "PER", 10, 0.9),
    ]
    assert [r[0] for r in unlisted_names(rows, fz)] == ["وزاره", "توكاييف"]


def _model_dir(tmp_path: Path, meta: dict, accurate: bool = True) -> Path:
    d = tmp_path / "ner"
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    if accurate:
        (d / "accurate.npz").write_bytes(b"x")
    return d


def test_a_student_is_never_taught_again(tmp_path):
    with pytest.raises(SystemExit, match="already a student"):
        check_gold(_model_dir(tmp_path, {"silver_names": True, "accurate_crf": GOLD_CRF}))


def test_the_teacher_must_exist(tmp_path):
    with pytest.raises(SystemExit, match="accurate.npz"):
        check_gold(_model_dir(tmp_path, {"tag_features": True}, accurate=False))
    good = _model_dir(tmp_path / "b", {"tag_features": True})
    (good.parent / "charlm").symlink_to(SHIPPED.parent / "charlm")  # the network's LMs
    assert check_gold(good)["tag_features"]


def test_the_shipped_default_is_the_student_and_the_accurate_backend_pools_with_the_gold_crf():
    meta = json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))
    assert meta["silver_names"] and meta["accurate_crf"] == GOLD_CRF
    assert "silver_news" in meta["train_sets"]
    gold = CrfScorer.load(SHIPPED / GOLD_CRF)
    student = CrfScorer.load(SHIPPED / "ner.weights.npz")
    assert not any(a.startswith("g=s_") for a in gold.index)
    assert any(a.startswith("g=s_") for a in student.index)
    pooled = NerModel(SHIPPED, backend="accurate").scorer
    assert pooled.index == gold.index and np.array_equal(pooled.weights, gold.weights)
    assert NerModel(SHIPPED, backend="crf").scorer.index == student.index


def test_a_missing_gold_crf_says_how_to_build_it(tmp_path):
    d = tmp_path / "ner"
    shutil.copytree(SHIPPED, d)
    (tmp_path / "charlm").symlink_to(SHIPPED.parent / "charlm")  # the network's LMs, found
    (d / GOLD_CRF).unlink()
    with pytest.raises(FileNotFoundError, match="ner_student"):
        NerModel(d, backend="accurate")
