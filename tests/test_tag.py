"""Tag stage: clitic parts with exact raw offsets, the seed article's splits, UPOS on every part."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document
from pipeline.resources import data_dir
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tag import TagStage
from pipeline.stages.tokenize import Tokenizer
from pipeline.tagging.features import UPOS, cuts_to_spans, is_arabic_word, seg_features, where_codes
from pipeline.tagging.parts import part_kinds, part_norm
from pipeline.training.padt import align_parts

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_42077914264d8127.txt"


@pytest.fixture(scope="module")
def stages():
    return Normalizer(), Tokenizer(), TagStage()


def run(stages, text: str) -> Document:
    norm, tok, tag = stages
    return tag(tok(norm(Document(id="t", raw=text))))


def check_offsets(doc: Document) -> None:
    for t in doc.tokens:
        assert t.parts, t
        assert t.parts[0].start == t.start and t.parts[-1].end == t.end
        for a, b in zip(t.parts, t.parts[1:]):
            assert a.end == b.start
        for p in t.parts:
            assert p.start < p.end
            assert doc.raw[p.start : p.end] == p.text
            assert p.kind in ("proclitic", "stem", "enclitic")
            assert p.pos in UPOS
        assert [p.kind for p in t.parts].count("stem") == 1
        assert t.pos == next(p.pos for p in t.parts if p.kind == "stem")


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    "surface, parts, spans",
    [
        ("وبرلين", ["و", "برلين"], [(0, 1), (1, 6)]),
        ("لليابان", ["ل", "اليابان"], [(0, 1), (1, 7)]),
        ("زيارته", ["زياره", "ه"], [(0, 5), (5, 6)]),
        ("مما", ["من", "ما"], [(0, 1), (1, 3)]),
        ("ab", ["a", "b", "c"], []),
    ],
)
def test_align_parts(surface, parts, spans):
    assert align_parts(surface, parts) == spans


def test_cuts_to_spans_tiles():
    assert cuts_to_spans(5, (1, 3)) == [(0, 1), (1, 3), (3, 5)]
    assert cuts_to_spans(5, (0, 5, 7)) == [(0, 5)]


def test_part_kinds():
    assert part_kinds(["و", "ب", "ه"], ["CCONJ", "ADP", "PRON"]) == [
        "proclitic",
        "stem",
        "enclitic",
    ]
    assert part_kinds(["ه"], ["PRON"]) == ["stem"]
    assert part_kinds(["عدد", "ها"], ["NOUN", "PRON"]) == ["stem", "enclitic"]


# ---------------------------------------------------------------- the stage


@pytest.mark.parametrize(
    "word, proclitic, stem",
    [("وتوكاييف", "و", "توكاييف"), ("وصادر", "و", "صادر"), ("لليابان", "ل", "ليابان"),
     ("وروسيا", "و", "روسيا")],
)  # fmt: skip
def test_seed_splits(stages, word, proclitic, stem):
    doc = run(stages, SEED.read_text(encoding="utf-8"))
    check_offsets(doc)
    hits = [t for t in doc.tokens if t.text == word]
    assert hits, word
    for t in hits:
        assert [(p.text, p.kind) for p in t.parts] == [(proclitic, "proclitic"), (stem, "stem")]


def test_elided_article_restored(stages):
    doc = run(stages, "قمة آسيا الوسطى لليابان.")
    tok = next(t for t in doc.tokens if t.text == "لليابان")
    assert part_norm(tok, 1) == "اليابان"


def test_diacritics_and_tatweel_offsets(stages):
    text = "وَقَالَ الرَّئِيسُ لِلصَّحَفِيِّينَ إِنَّهُ وبـــرلين وكتابُهُمْ ﻻ"
    doc = run(stages, text)
    check_offsets(doc)
    tok = next(t for t in doc.tokens if t.norm == "للصحفيين")
    assert [p.text for p in tok.parts][0] == "لِ"


def test_tags_are_sensible(stages):
    doc = run(stages, "وقال الرئيس إن الحكومة ستدعم الشركات في المنطقة.")
    check_offsets(doc)
    pos = {t.text: t.pos for t in doc.tokens}
    assert pos["الحكومة"] == "NOUN"
    assert pos["في"] == "ADP"
    assert pos["."] == "PUNCT"


ARABIC_LIKE = st.text(
    alphabet=st.sampled_from(
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى")
        + ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u0640", "\u0670"]
        + list(" .،؟\n0123456789٠١٢")
        + ["\u200c", "\ufefb", "\ufdf2", "a", "é"]
    ),
    max_size=60,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=ARABIC_LIKE)
def test_offsets_property(stages, text):
    check_offsets(run(stages, text))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40))
def test_arbitrary_unicode_never_crashes(stages, text):
    check_offsets(run(stages, text))


def test_stanza_backend_missing_models_is_clear(tmp_path):
    with pytest.raises((FileNotFoundError, ImportError), match="stanza"):
        TagStage(backend="stanza", model_dir=tmp_path)


def test_missing_crf_models_name_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="pipeline.training.tag train"):
        TagStage(model_dir=tmp_path)


@pytest.mark.skipif(
    not (data_dir() / "ud" / "padt" / "ar_padt-ud-dev.reconstructed.conllu").exists(),
    reason="PADT not available",
)
def test_padt_alignment_covers_dev():
    from pipeline.training.tag import load_split

    for sent in load_split(data_dir(), "dev")[:200]:
        for surface, spans, tags in sent:
            assert spans[0][0] == 0 and spans[-1][1] == len(surface)
            assert len(spans) == len(tags)


def test_numpy_decoding_matches_crfsuite(stages, tmp_path):
    """The stage scores with numpy for speed (`pipeline.crf`); it must give crfsuite's own answer.
    A small POS CRF is trained here on the seed article (tags from the shipped stage), exported
    as the stage's weight table, and both decoders tag every sentence."""
    import numpy as np
    import pycrfsuite

    from pipeline.crf import LinearChain, export_crf
    from pipeline.tagging.pos import PosTagger

    tag = stages[2]
    doc = run(stages, SEED.read_text(encoding="utf-8") + "\n" + NEWS)
    clusters = tag.model.pos_tagger.clusters
    feats = PosTagger(None, clusters)
    sents = []
    for s in doc.sentences:
        toks = doc.tokens[s.first_token : s.last_token]
        words = [
            (t.norm[a:b], where)
            for t in toks
            for (a, b), where in zip(tag.model.split_words([t.norm])[0], where_codes(len(t.parts)))
        ]
        if words:
            sents.append((words, [p.pos for t in toks for p in t.parts]))
    trainer = pycrfsuite.Trainer(verbose=False)
    for words, tags in sents:
        trainer.append(feats.sequence_features(words), tags)
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": 40})
    trainer.train(str(tmp_path / "pos.crfsuite"))
    export_crf(tmp_path / "pos.crfsuite", tmp_path / "pos.weights.npz", np.float32)
    mine = PosTagger(LinearChain.load(tmp_path / "pos.weights.npz"), clusters)
    ref = pycrfsuite.Tagger()
    ref.open(str(tmp_path / "pos.crfsuite"))
    for words, _ in sents:
        assert mine.tag(words) == ref.tag(feats.sequence_features(words))


def test_stanza_backend_wiring(monkeypatch, stages):
    """The stanza backend keeps our segmentation and takes one UPOS per word from stanza."""
    from types import SimpleNamespace

    import pipeline.tagging.model as tag_mod

    def fake_pipeline(batch):
        sents = [SimpleNamespace(words=[SimpleNamespace(upos="NOUN") for _ in s]) for s in batch]
        return SimpleNamespace(sentences=sents)

    monkeypatch.setattr(tag_mod, "_load_stanza", lambda model_dir: fake_pipeline)
    stage = TagStage(backend="stanza")
    norm, tok, _ = stages
    doc = stage(tok(norm(Document(id="s", raw="وصادر جاباروف لليابان."))))
    check_offsets(doc)
    assert [p.text for p in doc.tokens[0].parts] == ["و", "صادر"]
    assert all(p.pos == "NOUN" for t in doc.tokens for p in t.parts)


# ---------------------------------------------------------------- fast paths = reference paths

NEWS = (
    "وأكد الرئيس الكازاخستاني قاسم جومارت توكاييف دعمه لليابان في قمة آسيا الوسطى، وقال إن "
    "الشركات اليابانية ستستثمر في المنطقة.\nوبحث الوزيران سبل تعزيز التعاون الاقتصادي بينهما، "
    "وأشارا إلى أهمية الاستثمارات المشتركة وللمستثمرين وبمشاركتهم وكتابهم وسيكتبونها."
)


def _outputs(doc: Document) -> list:
    return [(t.pos, [(p.start, p.end, p.text, p.kind, p.pos) for p in t.parts]) for t in doc.tokens]


def test_outputs_do_not_depend_on_cache_size(stages):
    """LRU eviction (a tiny cache evicts on every document) must not change any output."""
    norm, tok, big = stages
    tiny = TagStage(cache_limit=8)
    texts = [SEED.read_text(encoding="utf-8"), NEWS, NEWS[::-1], "ﻻ وَكِتَابُهُمْ . لِلصَّحَفِيِّينَ"]
    for text in texts * 2:
        a = big(tok(norm(Document(id="a", raw=text))))
        b = tiny(tok(norm(Document(id="b", raw=text))))
        assert _outputs(a) == _outputs(b)
    assert len(tiny.model._forms) <= 8
    assert len(tiny.model.pos_tagger._slot) <= 8


def test_document_tagging_matches_sentence_reference(stages):
    """`tag_flat` (a whole document: shifted adds, table look-ups, side-by-side Viterbi) gives
    the per-sentence reference emissions and Viterbi path of every sentence."""
    tag = stages[2]
    doc = run(stages, SEED.read_text(encoding="utf-8") + "\n" + NEWS)
    pt = tag.model.pos_tagger
    sents = []
    for s in doc.sentences:
        toks = doc.tokens[s.first_token : s.last_token]
        sents.append(
            [
                (t.norm[a:b], where)
                for t in toks
                for (a, b), where in zip(
                    tag.model.split_words([t.norm])[0], where_codes(len(t.parts))
                )
            ]
        )
    sents = [s for s in sents if s]
    got = pt.tag_many(sents)
    for words, tags in zip(sents, got):
        ref = [pt.model.labels[j] for j in pt.model.viterbi(pt.emission_matrix(words))]
        assert tags == ref


def test_attribute_rows_match_feature_strings(stages):
    """The row builders give exactly the rows of the feature strings (same order, unknown
    attributes as the zero row), so the float sums are those of `LinearChain.emissions`."""
    tag = stages[2]
    seg, pt = tag.model.segmenter, tag.model.pos_tagger
    words = NEWS.replace("،", " ").replace(".", " ").split() + ["ا", "لل", "يا", "xyz", "ab|c"]
    for model, make, groups in (
        (seg.model, lambda w, r, s: seg._rows(w, r, s), lambda w: seg_features(w, seg.lexicon)),
        (
            pt.model,
            lambda w, r, s: pt.key_rows(w, "S", r, s),
            lambda w: pt.feature_groups([(w, "S")]),
        ),
        (
            pt.model,
            lambda w, r, s: pt.key_rows(w, "F", r, s),
            lambda w: pt.feature_groups([(w, "F")]),
        ),
    ):
        for w in words:
            rows: list[int] = []
            starts: list[int] = []
            make(w, rows, starts)
            ref_rows: list[int] = []
            ref_starts: list[int] = []
            for feats in groups(w):
                ref_starts.append(len(ref_rows))
                ref_rows.append(model._pad)
                ref_rows.extend(model.index.get(f, model._pad) for f in feats)
            assert (rows, starts) == (ref_rows, ref_starts), w


def test_is_arabic_word():
    assert is_arabic_word("وبرلين") and is_arabic_word("ۓ")
    assert not is_arabic_word("") and not is_arabic_word("a") and not is_arabic_word("وَ")
    assert not is_arabic_word("بر٣") and not is_arabic_word("بر\n")
