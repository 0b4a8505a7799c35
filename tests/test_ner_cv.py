"""Cross-validation of the BiLSTM-CRF over ANERcorp train (`python -m pipeline.training.ner_lstm cv`):
folds partition the sentences, each fold's result is saved, a second run resumes instead of
retraining. A tiny network on the first sentences; needs torch and DATA_DIR."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from pipeline.resources import data_dir  # noqa: E402
from pipeline.training import ner_lstm  # noqa: E402

ANER = data_dir() / "ner" / "anercorp" / "train.txt"
pytestmark = pytest.mark.skipif(not ANER.exists(), reason="DATA_DIR with ANERcorp not available")
TINY = {
    "epochs": 2,
    "average_from": 2,
    "hidden": 8,
    "word_dim": 8,
    "char_filters": 8,
    "feat_dim": 4,
}


def test_folds_partition_the_sentences_and_a_second_run_resumes(tmp_path, monkeypatch):
    vectors = tmp_path / "vectors.npz"
    np.savez(vectors, words=np.array(["في", "قال"]), vectors=np.ones((2, 8), np.float32))
    seen: list[tuple[int, int]] = []
    fit = ner_lstm._fit

    def counting_fit(train_sents, held, *args):
        seen.append((len(train_sents), len(held)))
        return fit(train_sents, held, *args)

    monkeypatch.setattr(ner_lstm, "_fit", counting_fit)
    work = tmp_path / "cv"
    summary = ner_lstm.cross_validate(ANER.parents[2], work, 3, None, vectors, TINY, limit=90)
    assert summary["folds_done"] == 3 and len(summary["f1"]) == 3
    assert all(0.0 <= f <= 100.0 for f in summary["f1"])
    assert all(tr + held == 90 for tr, held in seen) and sum(h for _, h in seen) == 90
    saved = json.loads((work / "fold-1.json").read_text(encoding="utf-8"))
    assert saved["fold"] == 1 and saved["settings"]["hidden"] == 8

    monkeypatch.setattr(ner_lstm, "_fit", lambda *a: pytest.fail("retrained a finished fold"))
    again = ner_lstm.cross_validate(ANER.parents[2], work, 3, None, vectors, TINY, limit=90)
    assert again == summary

    other = {**TINY, "hidden": 9}
    with pytest.raises(SystemExit, match="other settings"):
        ner_lstm.cross_validate(ANER.parents[2], work, 3, None, vectors, other, limit=90)


def test_folds_train_with_the_auxiliary_corpora(tmp_path, monkeypatch):
    """With `aux_sets`, every fold's network also trains on those corpora (their own heads); the
    held-out tenth is ANERcorp only."""
    vectors = tmp_path / "vectors.npz"
    np.savez(vectors, words=np.array(["في", "قال"]), vectors=np.ones((2, 8), np.float32))
    seen: list[list[int]] = []
    fit = ner_lstm._fit

    def counting_fit(train_sents, held, featurizer, vectors_, s, t0, aux=()):
        seen.append([len(a) for a in aux])
        return fit(train_sents, held, featurizer, vectors_, s, t0, aux)

    monkeypatch.setattr(ner_lstm, "_fit", counting_fit)
    settings = {**TINY, "aux_sets": "wojood_train", "aux_ratio": 0.5}
    summary = ner_lstm.cross_validate(
        ANER.parents[2], tmp_path / "cv", 2, None, vectors, settings, limit=40
    )
    assert summary["folds_done"] == 2 and seen == [[40], [40]]
