"""The files `make train` builds ship with the code, and a build writes the same bytes every time.

Why fail rather than skip: the core tests (tag, NER, seed recall, examples) gate what a rebuild gives;
a missing model file must stop the suite with the file's name and the command that builds it, not
turn the quality tests into skips that pass unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pytest

from pipeline.crf import load_table, save_table
from pipeline.resources import lexicons_dir, models_dir

# file -> the command of `make train` that writes it
SHIPPED: dict[str, str] = {
    **{f"tag/{f}": "pipeline.training.tag train" for f in (
        "seg.weights.npz", "pos.weights.npz", "seg_memory.tsv.gz", "lexicon.txt.gz",
        "clusters.tsv.gz", "meta.json")},
    "ner/clusters.tsv": "pipeline.training.ner_clusters",
    "ner/news_counts.tsv.gz": "pipeline.training.news_counts",
    "ner/vocab.tsv": "pipeline.training.ner train",
    # the gold CRF, kept for the accurate backend; then the default CRF, its student
    "ner/accurate_crf.weights.npz": "pipeline.training.ner_student",
    **{f"ner/{f}": "pipeline.training.ner_student" for f in (
        "ner.weights.npz", "silver_names.tsv", "meta.json")},
    # the accurate NER backend: `make pretrain`, then `make train-accurate`
    "charlm/charlm.npz": "make pretrain: pipeline.training.charlm",
    "charlm/charlm.json": "make pretrain: pipeline.training.charlm",
    "ner/accurate.npz": "make train-accurate: pipeline.training.ner_lstm",
    "ner/accurate.json": "make train-accurate: pipeline.training.ner_lstm",
}  # fmt: skip
LEXICONS: dict[str, str] = {
    "months.tsv": "pipeline.training.build_date_lexicon",
    "places.tsv": "pipeline.training.build_places",
    "gentilics.tsv": "pipeline.training.build_places",
    **{f"{n}.tsv": "pipeline.training.ner_lexicons" for n in (
        "countries", "cities", "capitals", "person_names")},
    "latin_names.tsv": "pipeline.training.build_latin_names",
}  # fmt: skip


@pytest.mark.parametrize("rel", sorted(SHIPPED))
def test_shipped_model_file_present(rel: str) -> None:
    path = models_dir() / rel
    if not path.is_file() or path.stat().st_size == 0:
        pytest.fail(f"{path} is missing or empty: rebuild it ({SHIPPED[rel]}; see the Makefile)")


@pytest.mark.parametrize("name", sorted(LEXICONS))
def test_shipped_lexicon_present(name: str) -> None:
    path = lexicons_dir() / name
    if not path.is_file() or path.stat().st_size == 0:
        pytest.fail(f"{path} is missing or empty: rebuild it with `make train` ({LEXICONS[name]})")


def test_meta_files_hold_no_build_time() -> None:
    """meta.json is a build output: a wall-clock field would make every build differ."""
    for rel in ("tag/meta.json", "ner/meta.json"):
        meta = json.loads((models_dir() / rel).read_text(encoding="utf-8"))
        assert not {"seconds", "time", "date", "built"} & set(meta), (rel, sorted(meta))


def test_weight_tables_are_byte_reproducible(tmp_path: Path) -> None:
    """`save_table` twice, seconds apart, gives the same bytes, and `load_table` reads it back."""
    labels, attrs = ["O", "B-PER"], ["b", "w=x"]
    w = np.arange(4, dtype=np.float32).reshape(2, 2)
    trans = np.eye(2)
    digests = []
    for k in range(2):
        if k:
            time.sleep(2.1)  # the zip format stores times to two seconds
        path = save_table(tmp_path / f"t{k}.weights.npz", labels, attrs, w, trans)
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    got = load_table(tmp_path / "t0.weights.npz")
    assert got[0] == labels and got[1] == attrs
    assert got[2].dtype == np.float32 and (got[2] == w).all() and (got[3] == trans).all()


def test_trainers_pin_their_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A trainer run by hand re-executes itself with the hash seed and one BLAS/OpenMP thread."""
    import os
    import sys

    from pipeline.training import reproducible

    calls: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(os, "execve", lambda exe, argv, env: calls.append((exe, argv, env)))
    for key in reproducible.BUILD_ENV:
        monkeypatch.delenv(key, raising=False)
    reproducible.pin_environment("pipeline.training.tag")
    assert len(calls) == 1
    exe, argv, env = calls[0]
    assert argv[:3] == [sys.executable, "-m", "pipeline.training.tag"]
    assert {k: env[k] for k in reproducible.BUILD_ENV} == dict(reproducible.BUILD_ENV)
    for key, value in reproducible.BUILD_ENV.items():
        monkeypatch.setenv(key, value)
    reproducible.pin_environment("pipeline.training.tag")  # already pinned: runs on, no re-exec
    assert len(calls) == 1
