"""The transformer encoder (pipeline.encoder) and its pretraining (pipeline.training.encoder): the
subword files, a resumed run equal to one run, learning, the word states, and the accurate NER's network
reading them (alone or beside the character LMs) the same in numpy as in torch. Tiny sizes; needs torch
and tokenizers, no DATA_DIR and no shipped model."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("tokenizers")

from pipeline.encoder import SEP, WordEncoder, word_windows  # noqa: E402
from pipeline.training import encoder as training  # noqa: E402

PARAGRAPHS = [
    "قال الرئيس جو بايدن ان بايدن سيزور باريس في 0 مايو",
    "اعلنت شركه ارامكو السعوديه ووزاره الطاقه عن اتفاق جديد",
    "فاز فريق الهلال على النصر في الرياض امس",
    "التقى وزير الخارجيه نظيره الفرنسي في القاهره",
]


def _corpus(work: Path) -> None:
    work.mkdir(parents=True)
    lines = [PARAGRAPHS[(i * 7) % len(PARAGRAPHS)] for i in range(400)]
    (work / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / "heldout.txt").write_text("\n".join(lines[:80]) + "\n", encoding="utf-8")


def _args(tmp: Path, **over) -> argparse.Namespace:
    base = dict(
        work=str(tmp / "work"), out=str(tmp / "out"), resume=False, steps=200, until=None, minutes=60.0,
        save_every=1e9, device="cpu", objective="mlm", gen_dim=8, dim=32, layers=2, heads=2, ff=64, max_len=24, batch=16,
        lr=3e-3, warmup=20, seed=13, threads=1,
    )  # fmt: skip
    base.update(over)
    return argparse.Namespace(**base)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("encoder") / "work"
    _corpus(work)
    info = training.prepare(Path("unused"), work, vocab=120)
    assert info == json.loads((work / "prepared.json").read_text(encoding="utf-8"))
    return work


def test_prepare_writes_one_sep_per_paragraph(prepared: Path) -> None:
    ids = np.load(prepared / "subwords.npy")
    held = np.load(prepared / "heldout.npy")
    assert ids.dtype == np.uint16 and int((ids == SEP).sum()) == 400
    assert int((held == SEP).sum()) == 80 and ids[-1] == SEP


def test_prepare_is_the_same_every_time(prepared: Path, tmp_path: Path) -> None:
    """The vocabulary and the id files are byte-identical from run to run (ties between equally
    frequent merges fall the same way)."""
    _corpus(tmp_path / "again")
    training.prepare(Path("unused"), tmp_path / "again", vocab=120)
    for name in ("tokenizer.json", "subwords.npy", "heldout.npy"):
        assert (tmp_path / "again" / name).read_bytes() == (prepared / name).read_bytes()


@pytest.mark.parametrize("objective", ["mlm", "electra"])
def test_pretraining_learns_and_resume_equals_one_run(
    prepared: Path, tmp_path: Path, objective: str
) -> None:
    """Two sittings (`--resume`) export the bytes one run of the same length exports, and the
    held-out loss falls: the masked-LM loss far below a uniform guess over the vocabulary (mlm), the
    replaced-subword loss below the constant guess's (electra)."""
    one, two = tmp_path / "one", tmp_path / "two"
    for d in (one, two):
        (d / "work").mkdir(parents=True)
        for name in ("subwords.npy", "heldout.npy", "tokenizer.json"):
            (d / "work" / name).write_bytes((prepared / name).read_bytes())
    end = training.train(_args(one, objective=objective))
    half = training.train(_args(two, until=80, objective=objective))
    assert half["step"] == 80
    resumed = training.train(_args(two, resume=True, objective=objective))
    # every figure but the wall-clock minutes (rounded to 0.1, they differ with the machine's load)
    assert {k: v for k, v in resumed.items() if k != "minutes"} == {
        k: v for k, v in end.items() if k != "minutes"
    }
    assert (one / "out" / "encoder.npz").read_bytes() == (two / "out" / "encoder.npz").read_bytes()
    vocab = WordEncoder.load(one / "out").tokenizer.get_vocab_size()
    assert end["step"] == 200
    if objective == "mlm":
        assert end["heldout_mlm"] < half["heldout_mlm"] - 0.3 < math.log(vocab) - 1.0
    else:  # the generator learns, and the encoder tells replaced subwords better than a constant
        # guess of their share (whose loss is that share's binary entropy) does
        p = end["heldout_replaced"]
        assert end["heldout_mlm"] < half["heldout_mlm"] - 0.1
        assert end["heldout_rtd"] < -(p * math.log(p) + (1 - p) * math.log(1 - p)) - 0.02
    with pytest.raises(SystemExit, match="--steps"):  # the schedule ends at the run's --steps
        training.train(_args(two, resume=True, steps=300))


def test_word_windows_cut_long_sentences() -> None:
    assert word_windows([1, 2, 3], 10) == [(0, 3)]
    assert word_windows([4, 4, 4], 8) == [(0, 2), (2, 3)]
    assert word_windows([12, 1], 8) == [(0, 1), (1, 2)]  # a word over the limit stands alone
    assert word_windows([], 8) == []


def test_word_states_do_not_depend_on_the_batch_or_the_window(prepared: Path, tmp_path) -> None:
    training.train(_args(tmp_path, work=str(prepared), out=str(tmp_path / "out"), steps=2))
    enc = WordEncoder.load(tmp_path / "out")
    words = PARAGRAPHS[0].split()
    alone = enc.embed_sentences([words])[0]
    mixed = enc.embed_sentences([PARAGRAPHS[1].split(), words, [], words[:3]], batch=2)
    assert alone.shape == (len(words), 32) and mixed[2].shape == (0, 32)
    np.testing.assert_allclose(mixed[1], alone, atol=1e-5)
    # a sentence longer than the positions is read in windows: every word gets a state
    long = enc.embed_sentences([words * 6])[0]
    assert long.shape == (len(words) * 6, 32) and np.abs(long).sum(axis=1).min() > 0


def test_the_network_reads_encoder_and_lm_states_alike_in_numpy_and_torch(
    prepared: Path, tmp_path: Path
) -> None:
    """The accurate backend's network over an encoder and a character-LM pair together (settings
    `charlm=charlm,encoder`): the numpy runtime gives the torch network's label scores."""
    from test_ner_lstm import SENTS, accurate_emissions_match

    from pipeline.charlm import CharLM, CharLMPair, LmConfig
    from pipeline.context import ContextStack, load_context
    from pipeline.ner.tokens import cluster_key

    training.train(_args(tmp_path, work=str(prepared), out=str(tmp_path / "encoder"), steps=2))
    torch.manual_seed(1)
    chars = "\x00 \n" + "".join(sorted({c for sent in SENTS for w in sent for c in cluster_key(w)}))
    CharLMPair(*(CharLM(LmConfig(chars=chars, embed=4, hidden=5)) for _ in "fb")).save(
        tmp_path / "charlm"
    )
    context = load_context([tmp_path / "charlm", tmp_path / "encoder"])
    assert isinstance(context, ContextStack) and context.dim == 10 + 32
    states = context.embed_sentences([[cluster_key(w) for w in sent] for sent in SENTS])
    assert [x.shape for x in states] == [(len(x), 42) for x in SENTS]
    tagger = accurate_emissions_match(tmp_path, context, "charlm,encoder")
    assert isinstance(tagger.charlm, ContextStack)  # the runtime loaded both, in order


def test_the_accurate_backend_names_a_missing_encoder(tmp_path: Path) -> None:
    """A network trained with an encoder beside the LMs needs both: the missing one is named."""
    from pipeline.ner.model import NerModel

    (tmp_path / "ner").mkdir()
    (tmp_path / "ner" / "accurate.npz").write_bytes(b"")
    (tmp_path / "ner" / "accurate.json").write_text(
        json.dumps({"settings": {"charlm": "charlm,encoder"}}), encoding="utf-8"
    )
    (tmp_path / "charlm").mkdir()
    (tmp_path / "charlm" / "charlm.npz").write_bytes(b"")
    with pytest.raises(FileNotFoundError) as err:
        NerModel(tmp_path / "ner", backend="accurate")
    assert str(tmp_path / "encoder") in str(err.value) and "charlm.npz" not in str(err.value)
    (tmp_path / "encoder").mkdir()
    (tmp_path / "encoder" / "encoder.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="encoder.npz"):
        NerModel(tmp_path / "ner", backend="accurate")
