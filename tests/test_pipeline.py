"""The Pipeline API: building, checking requirements, calling, streaming."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline import Document, Pipeline, PipelineError, extract
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tokenize import Tokenizer

TEXTS = [
    "قال توكاييف إن التجارة بلغت 5.7 مليار دولار في 9 أغسطس 2024.",
    "",
    "زار كيشيدا أستانا العام الماضي.",
]


@pytest.fixture(scope="module")
def nlp():
    return Pipeline.default()


def test_default_stage_order(nlp):
    assert nlp.names[:2] == ["normalize", "tokenize"]
    assert nlp.names.index("dates") < nlp.names.index("numbers")
    assert nlp.names[-1] == "resolve"
    assert nlp["dates"].name == "dates"
    with pytest.raises(KeyError, match="no stage named"):
        nlp["nope"]


def test_missing_requirement_is_refused():
    with pytest.raises(PipelineError, match="requires norm"):
        Pipeline([Tokenizer()])
    with pytest.raises(PipelineError, match="appears twice"):
        Pipeline([Normalizer(), Normalizer()])
    with pytest.raises(PipelineError, match="is not a stage"):
        Pipeline([Normalizer(), lambda d: d])


def test_wrong_order_is_refused(nlp):
    """Each stage's requires/provides/after tell the truth, and the check holds them to it."""
    from pipeline.stages import DateStage, NumberStage, ResolveStage

    norm, tok = Normalizer(), Tokenizer()
    ner, tag = nlp["ner"], nlp["tag"]
    with pytest.raises(
        PipelineError, match="stage 'dates' provides dates, which stage 'numbers' before it reads"
    ):
        Pipeline([norm, tok, NumberStage(), DateStage()])
    with pytest.raises(PipelineError, match="which stage 'resolve' before it reads"):
        Pipeline([norm, tok, nlp["dates"], ResolveStage(), nlp["numbers"]])
    with pytest.raises(PipelineError, match="requires mentions"):
        Pipeline([norm, tok, ResolveStage()])
    if ner.model.uses_tags:  # the shipped NER reads the tag stage's parts: no hidden tagger
        with pytest.raises(PipelineError, match="requires parts"):
            Pipeline([norm, tok, ner])
        with pytest.raises(PipelineError, match="requires parts"):
            Pipeline([norm, tok, ner, tag])
    Pipeline([norm, tok, tag, ner, nlp["dates"], nlp["numbers"], nlp["resolve"]])
    Pipeline([norm, tok, nlp["numbers"]])  # a stage that reads earlier mentions when there are some


def test_call_on_str_and_document(nlp):
    doc = nlp(TEXTS[0])
    assert isinstance(doc, Document) and doc.raw == TEXTS[0]
    given = Document("x", TEXTS[2], date=dt.date(2020, 5, 1))
    out = nlp(given)
    assert out is given
    last_year = [m for m in out.mentions if m.type == "DATE"]
    assert last_year and last_year[0].value == "2019"


def test_pipe_keeps_order_and_metadata_across_processes(nlp):
    items = [(t, {"id": f"a{i}", "date": "2024-08-09"}) for i, t in enumerate(TEXTS)]
    one = list(nlp.pipe(items, n_process=1))
    two = list(nlp.pipe(items, n_process=2))
    assert [d.id for d in one] == [d.id for d in two] == ["a0", "a1", "a2"]
    assert [d.date for d in two] == [dt.date(2024, 8, 9)] * 3
    assert [[m.to_dict() for m in d.mentions] for d in one] == [
        [m.to_dict() for m in d.mentions] for d in two
    ]


def test_a_failing_stage_fails_one_document_only():
    class Boom:
        name, requires, provides = "boom", ("tokens",), ()

        def __call__(self, doc):
            if "boom" in doc.raw:
                raise ValueError("kaboom")
            return doc

    nlp = Pipeline([Normalizer(), Tokenizer(), Boom()])
    docs = list(nlp.pipe(["نص", "boom", "نص آخر"]))
    assert [bool(d.error) for d in docs] == [False, True, False]
    assert "kaboom" in docs[1].error


def test_extract_helper():
    rows = extract(TEXTS[0], date="2024-08-09")
    assert {"type", "start", "end", "text", "value", "unit"} <= set(rows[0])
    assert any(r["type"] == "MONEY" and r["value"] == 5_700_000_000 for r in rows)


def test_output_does_not_depend_on_earlier_documents(seed_text):
    """Per-form caches must be pure: --jobs N gives each worker a different history."""
    history = [
        "لكنهم قالوا إن برنامج الحكومة لكن المعارضة رفضته في غرينتش وأستانا.",
        seed_text[::-1],
        seed_text[1000:],
    ]
    warm = Pipeline.default()
    for text in history:
        warm(text)
    fresh = Pipeline.default()
    assert [m.to_dict() for m in warm(seed_text).mentions] == [
        m.to_dict() for m in fresh(seed_text).mentions
    ]
