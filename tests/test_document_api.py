"""The Document and Pipeline APIs: serialization, repr, tables, editing a pipeline, pipe() on bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import Document, Pipeline, PipelineError
from pipeline.document import Entity, Mention, Part, Sentence, Token
from pipeline.stages import DateStage, NumberStage, ResolveStage
from pipeline.stages.normalize import Normalizer
from pipeline.stages.tokenize import Tokenizer
from pipeline.table import TABLES


@pytest.fixture(scope="module")
def nlp():
    return Pipeline.default()


@pytest.fixture(scope="module")
def seed_doc(nlp, seed_text):
    return nlp(Document(id="seed", raw=seed_text, date=dt.date(2024, 8, 9)))


# -- serialization


def _span(raw: str, draw) -> tuple[int, int]:
    a = draw(st.integers(0, len(raw)))
    b = draw(st.integers(a, len(raw)))
    return a, b


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3)
    ),
    max_leaves=8,
)
_value = st.none() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)


@st.composite
def documents(draw) -> Document:
    """Documents with every field filled: offsets into raw, parts in tokens, entities over
    mentions, an alignment (or none), JSON metadata."""
    raw = draw(
        st.text(alphabet=st.sampled_from("وتوكاييف ٥٫٧ مليار،\n\u064b\u200fab1"), max_size=40)
    )
    doc = Document(
        id=draw(st.text(min_size=1, max_size=6)),
        raw=raw,
        date=draw(st.none() | st.dates()),
        meta=draw(st.dictionaries(st.text(max_size=6), _json, max_size=3)),
        error=draw(st.sampled_from(["", "x.txt: ValueError while processing: bad"])),
    )
    if draw(st.booleans()):
        n = draw(st.integers(0, 20))
        starts = sorted(
            draw(st.lists(st.integers(0, max(len(raw) - 1, 0)), min_size=n, max_size=n))
        )
        doc.set_norm(draw(st.text(min_size=n, max_size=n)), starts, [s + 1 for s in starts])
    elif draw(st.booleans()):
        doc.set_norm(raw.upper() if len(raw.upper()) == len(raw) else raw)
    for _ in range(draw(st.integers(0, 3))):
        a, b = _span(raw, draw)
        parts = []
        for _ in range(draw(st.integers(0, 2))):
            pa, pb = _span(raw, draw)
            parts.append(
                Part(
                    pa,
                    pb,
                    raw[pa:pb],
                    draw(st.sampled_from(["proclitic", "stem", "enclitic"])),
                    draw(st.none() | st.sampled_from(["NOUN", "PROPN", "CCONJ"])),
                )  # fmt: skip
            )
        doc.tokens.append(
            Token(
                a,
                b,
                raw[a:b],
                draw(st.text(max_size=5)),
                draw(st.integers(0, 3)),
                draw(st.none() | st.just("PROPN")),
                parts,
            )  # fmt: skip
        )
    for _ in range(draw(st.integers(0, 2))):
        a, b = _span(raw, draw)
        doc.sentences.append(Sentence(a, b, draw(st.integers(0, 3)), draw(st.integers(0, 3))))
    for _ in range(draw(st.integers(0, 4))):
        a, b = _span(raw, draw)
        doc.mentions.append(
            Mention(
                draw(st.sampled_from(["PERSON", "MONEY", "DATE"])),
                a,
                b,
                raw[a:b],
                draw(st.text(max_size=6)),
                draw(_value),
                draw(st.sampled_from(["", "USD"])),
                draw(st.sampled_from(["", "x#e1"])),
                "ner",
                draw(st.floats(0, 1)),
                draw(st.integers(-1, 3)),
            )  # fmt: skip
        )
    if doc.mentions and draw(st.booleans()):
        doc.entities.append(
            Entity(
                "x#e1",
                "PERSON",
                draw(st.text(max_size=6)),
                [0],
                [doc.mentions[0].text],
                draw(
                    st.dictionaries(
                        st.sampled_from(["country_code", "name_en"]), st.text(max_size=4)
                    )
                ),
            )  # fmt: skip
        )
    return doc


def _same(a: Document, b: Document) -> None:
    """Field by field (Document's own == would compare the numpy alignment arrays)."""
    for name in ("id", "raw", "date", "meta", "error", "normalized", "norm"):
        assert getattr(a, name) == getattr(b, name), name
    assert (a.sentences, a.tokens, a.mentions, a.entities) == (
        b.sentences,
        b.tokens,
        b.mentions,
        b.entities,
    )
    for pos in range(len(a.norm) + 1):
        assert a.to_raw_pos(pos) == b.to_raw_pos(pos)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_dict_and_json_round_trip_is_lossless(doc):
    back = Document.from_dict(doc.to_dict())
    _same(doc, back)
    assert back.to_dict() == doc.to_dict()
    text = doc.to_json()
    assert json.loads(text) == doc.to_dict()
    _same(doc, Document.from_json(text))
    assert Document.from_json(text).to_json() == text


def test_processed_document_round_trips(seed_doc):
    back = Document.from_json(seed_doc.to_json())
    _same(seed_doc, back)
    assert back._starts is None or back._starts.dtype.kind == "i"
    assert [(m.text, m.entity_id) for m in back.ents] == [
        (m.text, m.entity_id) for m in seed_doc.ents
    ]
    for m in back.mentions:
        assert back.raw[m.start : m.end] == m.text


def test_from_dict_refuses_unknown_fields():
    with pytest.raises(ValueError, match="unknown Document fields: mentoins"):
        Document.from_dict({"id": "a", "raw": "", "mentoins": []})


def test_repr_is_short(seed_doc):
    text = repr(seed_doc)
    assert len(text) < 200
    assert text.startswith("Document(id='seed', chars=")
    assert f"tokens={len(seed_doc.tokens)}" in text and f"mentions={len(seed_doc.mentions)}" in text
    assert "error=" in repr(Document(id="b", raw="", error="b: bad"))


def test_ents_are_in_text_order(seed_doc):
    ents = seed_doc.ents
    assert all((x.start, -x.end) <= (y.start, -y.end) for x, y in zip(ents, ents[1:]))
    assert sorted(map(id, ents)) == sorted(map(id, seed_doc.mentions))
    assert [m.start for m in seed_doc.mentions] != [m.start for m in ents]  # stage order differs


def test_to_frames_are_the_tables(seed_doc):
    frames = seed_doc.to_frames()
    assert set(frames) == set(TABLES)
    for name, df in frames.items():
        assert list(df.columns) == list(TABLES[name])
    ments = frames["mentions"]
    assert len(ments) == len(seed_doc.mentions)
    assert list(ments["text"]) == [m.text for m in seed_doc.ents]
    assert list(ments["start"]) == [m.start for m in seed_doc.ents]
    assert len(frames["entities"]) == len(seed_doc.entities)
    assert frames["documents"].loc[0, "doc_id"] == "seed"
    assert frames["documents"].loc[0, "status"] == "ok"


# -- editing a pipeline


def test_stages_cannot_be_edited_in_place(nlp):
    assert isinstance(nlp.stages, tuple)
    with pytest.raises(AttributeError):
        nlp.stages.append(Normalizer())  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        nlp.stages = []  # type: ignore[misc]


def test_add_remove_replace_stage_are_checked(nlp):
    small = Pipeline([Normalizer(), Tokenizer()])
    assert small.stage_names == ["normalize", "tokenize"]
    small.add_stage(nlp["numbers"])
    small.add_stage(nlp["dates"], before="numbers")
    assert small.stage_names == ["normalize", "tokenize", "dates", "numbers"]
    small.add_stage(ResolveStage(), after="numbers")
    assert small.stage_names[-1] == "resolve"
    doc = small("دفع 5 ملايين دولار في 9 أغسطس 2024")
    assert {m.type for m in doc.mentions} == {"MONEY", "DATE"}
    assert all(m.entity_id for m in doc.mentions)

    before = small.stage_names
    with pytest.raises(PipelineError, match="requires norm"):
        small.remove_stage("normalize")
    with pytest.raises(PipelineError, match="appears twice"):
        small.add_stage(DateStage(), after="numbers")
    with pytest.raises(PipelineError, match="which stage 'numbers' before it reads"):
        Pipeline([Normalizer(), Tokenizer(), NumberStage()]).add_stage(DateStage())
    with pytest.raises(PipelineError, match="requires mentions"):
        Pipeline([Normalizer(), Tokenizer()]).add_stage(ResolveStage())
    with pytest.raises(KeyError, match="no stage named 'nope'"):
        small.add_stage(NumberStage(), before="nope")
    with pytest.raises(ValueError, match="not both"):
        small.add_stage(NumberStage(), before="dates", after="dates")
    assert small.stage_names == before  # a refused edit changes nothing

    old = small.replace_stage("numbers", NumberStage())
    assert old is nlp["numbers"] and small["numbers"] is not old
    removed = small.remove_stage("resolve")
    assert removed.name == "resolve" and "resolve" not in small
    with pytest.raises(PipelineError, match="is not a stage"):
        small.replace_stage("dates", lambda d: d)  # type: ignore[arg-type]
    assert small.stage_names == ["normalize", "tokenize", "dates", "numbers"]


# -- pipe() on bad input


def test_pipe_turns_bad_metadata_into_failed_documents(nlp):
    items = [
        ("زار كيشيدا أستانا العام الماضي.", {"id": "a", "date": "2024-08-09"}),
        ("زار كيشيدا أستانا العام الماضي.", {"id": "b", "date": "9 August"}),
        ("نص", ["not", "a", "dict"]),
        42,
        ("زار كيشيدا أستانا في 2023.", {"id": "e", "date": dt.date(2024, 1, 2)}),
    ]
    errors = []
    docs = list(nlp.pipe(items, on_error=lambda d, e: errors.append(d.id)))
    assert [d.id for d in docs] == ["a", "b", "doc2", "doc3", "e"]
    assert [bool(d.error) for d in docs] == [False, True, True, True, False]
    assert "date '9 August' is not YYYY-MM-DD" in docs[1].error
    assert docs[1].raw and not docs[1].mentions
    assert errors == ["b", "doc2", "doc3"]
    assert docs[0].mentions and docs[4].date == dt.date(2024, 1, 2)
    assert any(m.value == "2023" for m in docs[0].mentions if m.type == "DATE")


# -- typing and help


def test_package_is_typed_and_stages_document_their_options():
    import tomllib
    from pathlib import Path

    import pipeline.stages as stages

    root = Path(stages.__file__).resolve().parent.parent
    assert (root / "py.typed").is_file()
    conf = tomllib.loads((root.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in conf["tool"]["setuptools"]["package-data"]["*"]
    for name in stages.__all__:
        cls = getattr(stages, name)
        if not isinstance(cls, type):
            continue
        assert cls.__doc__, name
        init = cls.__dict__.get("__init__")
        if init is not None:
            doc = init.__doc__ or ""
            assert len(doc) > 40, f"{name}.__init__ has no docstring"
            for param in list(init.__code__.co_varnames[1 : init.__code__.co_argcount]) + list(
                init.__code__.co_varnames[
                    init.__code__.co_argcount : init.__code__.co_argcount
                    + init.__code__.co_kwonlyargcount
                ]
            ):
                assert f"{param}:" in doc, f"{name}({param}=...) is not documented"
