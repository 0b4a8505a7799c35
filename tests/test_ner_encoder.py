"""The fine-tuned encoder as an NER network (pipeline.ner.transformer, pipeline.training.ner_encoder):
it learns, its export loads and labels as the trained network did, the stage pools it with the CRF,
and a missing file is named. Tiny sizes and a tiny tokenizer; needs torch and tokenizers."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("tokenizers")

from pipeline.encoder import Encoder, EncoderConfig, WordEncoder  # noqa: E402
from pipeline.ner.model import NerModel, require_accurate  # noqa: E402
from pipeline.ner.transformer import LABELS, EncoderTagger  # noqa: E402
from pipeline.resources import BackendMissing, data_dir, models_dir  # noqa: E402
from pipeline.training import encoder as pretraining  # noqa: E402
from pipeline.training import ner_encoder  # noqa: E402

# (words, labels): the names are always the same words, so a tiny network can learn them
SENTENCES = [
    ("قال الرئيس بايدن ان بايدن سيزور باريس", "O O B-PER O B-PER O B-LOC"),
    ("اعلنت شركه ارامكو عن اتفاق في الرياض", "O O B-ORG O O O B-LOC"),
    ("فاز فريق الهلال على النصر في الرياض امس", "O O B-ORG O B-ORG O B-LOC O"),
    ("التقى وزير الخارجيه فيصل بن فرحان في القاهره", "O O O B-PER I-PER I-PER O B-LOC"),
]


def _pairs(rows):
    return [[w.split(), lab.split()] for w, lab in rows]


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory) -> Path:
    """A tokenizer trained on the sentences and an encoder export with random weights."""
    root = tmp_path_factory.mktemp("ner_encoder")
    work = root / "pretrain"
    work.mkdir()
    lines = [SENTENCES[i % len(SENTENCES)][0] for i in range(200)]
    for name in ("train.txt", "heldout.txt"):
        (work / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    pretraining.prepare(Path("unused"), work, vocab=150)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(work / "tokenizer.json"))
    torch.manual_seed(0)
    cfg = EncoderConfig(vocab=tok.get_vocab_size(), dim=32, layers=2, heads=2, ff=64, max_len=16)
    WordEncoder(Encoder(cfg), tok).save(root / "encoder")
    return root / "encoder"


@pytest.fixture(scope="module")
def fine_tuned(encoder_dir: Path, tmp_path_factory) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("ner_sets")
    rows = _pairs(SENTENCES)
    sets = {name: rows for name in ner_encoder.SETS}
    with gzip.open(work / ner_encoder.SETS_FILE, "wt", encoding="utf-8") as fh:
        json.dump(sets, fh, ensure_ascii=False)
    out = work / "out"
    settings = {"epochs": 40, "batch": 4, "lr": 3e-3, "warmup": 0.05, "dropout": 0.0}
    log = ner_encoder.train(work, encoder_dir, out, "accurate", settings, "cpu")
    return out, log


def test_fine_tuning_learns_the_names(fine_tuned) -> None:
    """A sentence longer than the encoder's 16 positions is cut into windows; the network still
    learns every name of the training sentences (scored as dev here), starting far below."""
    _, log = fine_tuned
    first, last = log["history"][0]["dev_f1"], log["history"][-1]["dev_f1"]
    assert last == 100.0 and first < 60.0
    assert log["scores"]["anercorp_dev"] == 100.0


def test_the_export_labels_as_the_trained_network(fine_tuned) -> None:
    out, _ = fine_tuned
    meta = json.loads((out / "accurate.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "encoder" and meta["labels"] == LABELS
    tagger = EncoderTagger.load(out)
    words = [w.split() for w, _ in SENTENCES]
    probs = tagger.probabilities(words)
    assert [p.shape for p in probs] == [(len(w), len(LABELS)) for w in words]
    np.testing.assert_allclose([p.sum(1) for p in probs][0], 1.0, rtol=1e-5)
    got = [[LABELS[i] for i in p.argmax(1)] for p in probs]
    assert got == [lab.split() for _, lab in SENTENCES]
    # a sentence's labels do not depend on the sentences batched with it
    alone = tagger.probabilities(words[3:])
    np.testing.assert_allclose(alone[0], probs[3], atol=1e-5)
    # nor on the network's mode: training scores it between epochs with dropout off, and leaves the
    # mode as it found it
    tagger.net.train()
    again = tagger.probabilities(words)
    assert tagger.net.training
    np.testing.assert_allclose(again[0], probs[0], atol=1e-6)


def test_threads_come_from_the_json_and_never_exceed_the_cores(
    fine_tuned, tmp_path: Path, monkeypatch
) -> None:
    """Two torch threads unless accurate.json says otherwise; a setting above the machine's cores is
    cut to them (a one-core machine runs one)."""
    out = tmp_path / "net"
    out.mkdir()
    for f in fine_tuned[0].iterdir():
        os.symlink(f, out / f.name)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert EncoderTagger.load(out).threads == 2
    meta = json.loads((fine_tuned[0] / "accurate.json").read_text(encoding="utf-8"))
    (out / "accurate.json").unlink()
    (out / "accurate.json").write_text(json.dumps({**meta, "threads": 3}), encoding="utf-8")
    assert EncoderTagger.load(out).threads == 3
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert EncoderTagger.load(out).threads == 1


def _models_dir(tmp_path: Path, fine_tuned_dir: Path) -> Path:
    """models/ner's CRF files beside the tiny fine-tuned network as `accurate`."""
    shipped = models_dir() / "ner"
    ner = tmp_path / "ner"
    ner.mkdir()
    for f in shipped.iterdir():  # the gold CRF (accurate_crf.weights.npz) too: it pools
        if f.name not in ("accurate.npz", "accurate.json"):
            os.symlink(f, ner / f.name)
    for f in fine_tuned_dir.iterdir():
        os.symlink(f, ner / f.name)
    return ner


def test_the_stage_pools_the_fine_tuned_encoder_with_the_crf(fine_tuned, tmp_path: Path) -> None:
    if not (models_dir() / "ner" / "ner.weights.npz").exists():
        pytest.fail("models/ner/ner.weights.npz is missing: run `make train`")
    ner = _models_dir(tmp_path, fine_tuned[0])
    model = NerModel(ner, backend="accurate")
    assert isinstance(model.lstm, EncoderTagger)
    sents = [w.split() for w, _ in SENTENCES]
    labels, scores = model.tag_document(sents)
    assert [len(x) for x in labels] == [len(s) for s in sents]
    # pooled half and half with the CRF, the learned names stand: بايدن is a person in every backend
    assert labels[0][2] == "B-PER"


def test_a_missing_tokenizer_is_named(fine_tuned, tmp_path: Path) -> None:
    ner = _models_dir(tmp_path, fine_tuned[0])
    (ner / "accurate.tokenizer.json").unlink()
    with pytest.raises(BackendMissing, match="accurate.tokenizer.json"):
        require_accurate(ner)


def test_prepare_writes_the_same_bytes_every_time(tmp_path: Path) -> None:
    data = data_dir()
    if not (data / "ner" / "anercorp" / "train.txt").exists():
        pytest.skip("DATA_DIR with the NER corpora is needed")
    counts = ner_encoder.prepare(data, tmp_path / "a", limit=20)
    ner_encoder.prepare(data, tmp_path / "b", limit=20)
    assert counts == {name: 20 for name in ner_encoder.SETS}
    a = (tmp_path / "a" / ner_encoder.SETS_FILE).read_bytes()
    assert a == (tmp_path / "b" / ner_encoder.SETS_FILE).read_bytes()
    sets = ner_encoder.load_sets(tmp_path / "a")
    words, labels = sets["anercorp_train"][0]
    assert len(words) == len(labels) and set(labels) <= set(LABELS)


def test_score_prints_the_exports_f1(fine_tuned, capsys) -> None:
    out, _ = fine_tuned
    ner_encoder.main(["score", "--work", str(out.parent), "--model", str(out)])
    lines = capsys.readouterr().out.splitlines()
    assert [x.split()[0] for x in lines] == ["anercorp_dev", "wikifane_heldout", "wojood_val"]
    assert all(x.endswith("micro 100.00") for x in lines)
