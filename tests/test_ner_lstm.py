"""The BiLSTM-CRF NER backend: numpy inference = torch training network, CRF decoding exact.

A tiny network with random weights is built with the training code and exported; the numpy runtime
must give the torch network's label scores, and its Viterbi path and marginals must equal brute force
over all label sequences. Needs torch (a training dependency), no DATA_DIR and no shipped model.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from pipeline.ner.features import NerFeaturizer
from pipeline.ner.lstm import LstmEncoder, LstmTagger

torch = pytest.importorskip("torch")

from pipeline.training.ner_lstm import LABELS, SETTINGS, _arrays, _build_net, _tensors, export  # noqa: E402

SENTS = [
    ["وقال", "الرئيس", "الكازاخستاني", "قاسم", "جومارت", "توكاييف", "لليابان", "."],
    ["زار", "كيشيدا", "طوكيو"],
    ["في", "عام", "2024", "،", "قرغيزستان", "و", "Kazakhstan"],
]
TAGS = [[("", w, "NOUN") for w in s] for s in SENTS]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(torch net, numpy tagger, encoded sentences) of a random tiny model."""
    torch.manual_seed(0)
    s = {**SETTINGS, "word_dim": 8, "char_dim": 5, "char_filters": 6, "feat_dim": 4, "hidden": 7}
    featurizer = NerFeaturizer.load()
    words = ["<pad>", "<unk>", "الرئيس", "قاسم", "توكاييف", "طوكيو", "في", "عام", "0000"]
    chars = ["<pad>", "<unk>", *sorted({c for sent in SENTS for w in sent for c in w})]
    feats = ["<pad>", "<unk>", "sh=A", "sh=P", "sh=D", "tp=NOUN", "pc=", "g=country", "al", "len=5"]
    net = _build_net(len(words), len(chars), len(feats), s)
    with torch.no_grad():  # the CRF parameters start at zero: make them matter
        for p in (net.crf_trans, net.crf_start, net.crf_end):
            p.normal_()
    net.eval()
    out = tmp_path_factory.mktemp("lstm")
    export(net, out, {"words": words, "chars": chars, "feats": feats}, s, {})
    tagger = LstmTagger(out, featurizer)
    enc = LstmEncoder.from_vocabularies(words, chars, feats, featurizer)
    encoded = [_arrays(*enc.encode(sent, tags), [0] * len(sent)) for sent, tags in zip(SENTS, TAGS)]
    return net, tagger, encoded


def test_numpy_emissions_equal_torch(tiny) -> None:
    net, tagger, encoded = tiny
    wid, sid, cid, clen, fid, lens, _, _, _ = _tensors(encoded, SETTINGS, False, None)
    with torch.no_grad():
        ref = net.emissions(wid, sid, cid, clen, fid, lens).numpy()
    keys, toks = [], []
    for sent, tags in zip(SENTS, TAGS):
        k, t = tagger.encoder.encode_keys(sent, tags)
        keys.extend(k)
        toks.extend(t)
    flat = tagger.emissions(keys, toks, np.array([len(s) for s in SENTS]))
    pos = 0
    for i, sent in enumerate(SENTS):
        np.testing.assert_allclose(flat[pos : pos + len(sent)], ref[i, : len(sent)], atol=2e-3)
        pos += len(sent)


def _brute(tagger: LstmTagger, em: np.ndarray) -> tuple[list[int], np.ndarray]:
    trans, start, end = (tagger.p[k] for k in ("crf_trans", "crf_start", "crf_end"))
    n, nl = em.shape
    scores = {}
    for path in itertools.product(range(nl), repeat=n):
        sc = start[path[0]] + end[path[-1]] + sum(em[t, path[t]] for t in range(n))
        sc += sum(trans[path[t - 1], path[t]] for t in range(1, n))
        scores[path] = sc
    best = max(scores, key=scores.get)
    z = np.logaddexp.reduce(np.array(list(scores.values())))
    marg = np.zeros_like(em)
    for path, sc in scores.items():
        for t, k in enumerate(path):
            marg[t, k] += np.exp(sc - z)
    return list(best), marg


@pytest.mark.parametrize("scale", [1.0, 60.0])
def test_viterbi_and_marginals_match_brute_force(tiny, scale: float) -> None:
    """Also with label scores far apart (scale 60: differences of hundreds), where probability-space
    forward-backward would under- or overflow without its rescaling."""
    _, tagger, _ = tiny
    rng = np.random.default_rng(3)
    nl = len(LABELS)
    lens = np.array([4, 2, 1])
    em = (scale * rng.normal(size=(3, 4, nl))).astype(np.float32 if scale == 1.0 else np.float64)
    paths = tagger.viterbi(em, lens)
    marg = tagger.marginals(em, lens)
    for b, n in enumerate(lens):
        best, ref = _brute(tagger, em[b, :n])
        assert paths[b, :n].tolist() == best
        np.testing.assert_allclose(marg[b, :n], ref, atol=1e-4)
        np.testing.assert_allclose(marg[b, :n].sum(axis=1), 1.0, atol=1e-4)


def test_tag_sentences_batch_independent(tiny) -> None:
    """A sentence gets the same labels alone as among others (no leak through padding)."""
    _, tagger, _ = tiny
    together = tagger.tag_sentences(SENTS, TAGS)
    for i, sent in enumerate(SENTS):
        alone = tagger.tag_sentences([sent], [TAGS[i]])[0]
        assert alone[0] == together[i][0]
        np.testing.assert_allclose(alone[1], together[i][1], atol=1e-4)
    assert tagger.tag_sentences([[], SENTS[1]], [[], TAGS[1]])[0] == ([], [])


def test_gate_cache_eviction_keeps_answers(tiny, monkeypatch) -> None:
    import pipeline.ner.lstm as mod

    _, tagger, _ = tiny
    ref = tagger.tag_sentences(SENTS, TAGS)
    monkeypatch.setattr(mod, "_GX_CACHE_LIMIT", 3)
    tagger._gx_cache.clear()
    for _ in range(3):
        assert [x[0] for x in tagger.tag_sentences(SENTS, TAGS)] == [x[0] for x in ref]
        assert len(tagger._gx_cache) <= 3 + max(len(s) for s in SENTS) * len(SENTS)
    # some tokens cached, some new, and the new ones overflow the cache: the eviction must not
    # lose the cached rows this call still needs
    tagger._gx_cache.clear()
    tagger.tag_sentences(SENTS[:1], TAGS[:1])
    assert [x[0] for x in tagger.tag_sentences(SENTS, TAGS)] == [x[0] for x in ref]


def test_export_is_loadable_json(tiny, tmp_path) -> None:
    net, _, _ = tiny
    export(
        net,
        tmp_path,
        {"words": ["<pad>", "<unk>"], "chars": ["<pad>", "<unk>"], "feats": ["<pad>", "<unk>"]},
        {"hidden": 7},
        {"seed": 1},
    )
    meta = json.loads((tmp_path / "lstm.json").read_text(encoding="utf-8"))
    assert meta["labels"] == LABELS and (tmp_path / "lstm.npz").exists()


def test_stage_backends_run_on_the_seed(tiny, tmp_path, seed_text) -> None:
    """NerStage(backend="lstm" | "ensemble") with a (random, tiny) BiLSTM beside the shipped CRF:
    mentions keep `raw[start:end] == text`; an unknown backend is a clear error."""
    import shutil

    from pipeline.pipeline import Pipeline
    from pipeline.resources import models_dir
    from pipeline.stages.ner import NerStage
    from pipeline.stages.normalize import Normalizer
    from pipeline.stages.tag import TagStage
    from pipeline.stages.tokenize import Tokenizer

    src = (
        models_dir() / "ner"
    )  # the shipped CRF: a missing file fails (tests/test_shipped_models.py)
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    net, _, _ = tiny
    export(
        net,
        tmp_path,
        {
            "words": ["<pad>", "<unk>", "في"],
            "chars": ["<pad>", "<unk>", "ا"],
            "feats": ["<pad>", "<unk>", "sh=A"],
        },
        {},
        {},
    )
    for backend in ("lstm", "ensemble"):
        doc = Pipeline(
            [Normalizer(), Tokenizer(), TagStage(), NerStage(tmp_path, backend=backend)]
        )(seed_text)
        for m in doc.mentions:
            assert doc.raw[m.start : m.end] == m.text and 0.0 <= m.score <= 1.0
    with pytest.raises(ValueError, match="backend"):
        NerStage(tmp_path, backend="bert")


def accurate_emissions_match(tmp_path, context, setting: str) -> LstmTagger:
    """Build a tiny accurate network over `context` (a model with `dim` and `embed_sentences`, named
    `setting` in its settings, its directories under `tmp_path`), export it, and check that the numpy
    runtime gives the torch network's label scores; returns the runtime tagger."""
    from pipeline.ner.tokens import cluster_key

    s = {**SETTINGS, "word_dim": 8, "char_dim": 5, "char_filters": 6, "feat_dim": 4, "hidden": 7,
         "charlm": setting, "name": "accurate"}  # fmt: skip
    words = ["<pad>", "<unk>", "الرئيس", "قاسم", "توكاييف", "طوكيو", "في", "عام", "0000"]
    chars = ["<pad>", "<unk>", *sorted({c for sent in SENTS for w in sent for c in w})]
    feats = ["<pad>", "<unk>", "sh=A", "sh=P", "tp=NOUN", "pc="]
    net = _build_net(len(words), len(chars), len(feats), s, context.dim)
    net.eval()
    export(net, tmp_path / "ner", {"words": words, "chars": chars, "feats": feats},
           {**s, "lm_dim": context.dim}, {}, "accurate")  # fmt: skip
    tagger = LstmTagger(tmp_path / "ner", NerFeaturizer.load(), name="accurate")
    states = context.embed_sentences([[cluster_key(w) for w in sent] for sent in SENTS])
    encoded = [_arrays(*tagger.encoder.encode(sent, tags), [0] * len(sent), lm)
               for sent, tags, lm in zip(SENTS, TAGS, states)]  # fmt: skip
    wid, sid, cid, clen, fid, lens, _, _, lm = _tensors(encoded, s, False, None)
    with torch.no_grad():
        ref = net.emissions(wid, sid, cid, clen, fid, lens, lm).numpy()
    em, got_lens = tagger._padded_emissions(SENTS, [0, 1, 2], TAGS)
    assert got_lens.tolist() == [len(x) for x in SENTS]
    for i, sent in enumerate(SENTS):
        np.testing.assert_allclose(em[i, : len(sent)], ref[i, : len(sent)], atol=2e-3)
    return tagger


def test_numpy_emissions_with_char_lm_equal_torch(tmp_path) -> None:
    """The accurate backend's network: the character-LM states join the inputs; the numpy runtime
    (LM states in torch, their gate terms added per occurrence) gives the torch network's scores."""
    from pipeline.charlm import CharLM, CharLMPair, LmConfig
    from pipeline.ner.tokens import cluster_key

    torch.manual_seed(1)
    chars = "\x00 \n" + "".join(sorted({c for sent in SENTS for w in sent for c in cluster_key(w)}))
    cfg = LmConfig(chars=chars, embed=4, hidden=5)
    CharLMPair(CharLM(cfg), CharLM(cfg)).save(tmp_path / "charlm")
    pair = CharLMPair.load(tmp_path / "charlm")  # float16 weights, as shipped
    tagger = accurate_emissions_match(tmp_path, pair, "charlm")
    assert tagger.charlm is not None


def test_auxiliary_heads_train_the_encoder_and_export_the_main_head(tmp_path) -> None:
    """Auxiliary corpora get their own output layer and CRF: every batch holds one corpus, the draw
    follows `aux_ratio`, and the export (what the stage runs) is the main head, whatever the others."""
    import random

    from pipeline.training.ner_lstm import epoch_batches

    torch.manual_seed(2)
    s = {**SETTINGS, "word_dim": 8, "char_dim": 5, "char_filters": 6, "feat_dim": 4, "hidden": 7,
         "batch": 2, "aux_ratio": 2.0}  # fmt: skip
    featurizer = NerFeaturizer.load()
    words = ["<pad>", "<unk>", "الرئيس", "قاسم", "توكاييف", "طوكيو", "في", "عام", "0000"]
    chars = ["<pad>", "<unk>", *sorted({c for sent in SENTS for w in sent for c in w})]
    feats = ["<pad>", "<unk>", "sh=A", "sh=P", "tp=NOUN", "pc="]
    net = _build_net(len(words), len(chars), len(feats), s, 0, n_aux=2)
    enc = LstmEncoder.from_vocabularies(words, chars, feats, featurizer)
    main = [_arrays(*enc.encode(x, t), [0] * len(x)) for x, t in zip(SENTS, TAGS)]
    aux = [[main[0]] * 9, [main[2]] * 3]  # 9 and 3 sentences: the draw of 6 splits 4.5 / 1.5
    batches = epoch_batches(main, aux, s, random.Random(0))
    per_head = {h: sum(len(b) for hh, b in batches if hh == h) for h in (0, 1, 2)}
    assert per_head[0] == 3 and per_head[1] + per_head[2] == 6 and per_head[1] >= 4
    marker = {1: main[0], 2: main[2]}
    for head, batch in batches:
        assert 1 <= len(batch) <= 2
        if head:
            assert all(x is marker[head] for x in batch)
    wid, sid, cid, clen, fid, lens, lab, mask, _ = _tensors(main, s, False, None)
    net.eval()
    with torch.no_grad():
        for p in net.parameters():  # every head different, CRFs included
            p.normal_(std=0.3)
        em0 = net.emissions(wid, sid, cid, clen, fid, lens)
        em1 = net.emissions(wid, sid, cid, clen, fid, lens, None, 1)
        assert not torch.allclose(em0, em1)
        assert float(net.nll(em0, lab, mask)) != float(net.nll(em0, lab, mask, 2))
    export(net, tmp_path, {"words": words, "chars": chars, "feats": feats}, s, {})
    tagger = LstmTagger(tmp_path, featurizer)
    em, _ = tagger._padded_emissions(SENTS, [0, 1, 2], TAGS)
    for i, sent in enumerate(SENTS):
        np.testing.assert_allclose(em[i, : len(sent)], em0[i, : len(sent)].numpy(), atol=2e-3)
    np.testing.assert_allclose(tagger.p["crf_trans"], net.crf_trans.detach().numpy(), atol=1e-6)


def test_the_trainer_refuses_a_folder_without_the_crf_features(tmp_path):
    # an empty --out used to train quietly on a fraction of the features (no word clusters)
    from pipeline.training.ner_lstm import main

    with pytest.raises(SystemExit, match="clusters.tsv is missing"):
        main(["train", "--out", str(tmp_path)])
