"""The spaCy export: Docs whose tokens are our parts, mentions as doc.ents, a DocBin from the command."""

from __future__ import annotations

import pytest

from pipeline import Pipeline
from pipeline.cli import main
from pipeline.table import read_table

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402

from pipeline.export import to_spacy  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    return Pipeline.default()


def _read_docbin(path):
    vocab = spacy.blank("ar").vocab
    return list(DocBin().from_disk(path).get_docs(vocab))


def _check_against_tables(sdoc, raw, ments):
    assert sdoc.text == raw
    for tok in sdoc:
        assert raw[tok.idx : tok.idx + len(tok)] == tok.text
    want = {(m.start, m.end, m.type, m.entity_id) for m in ments.itertuples()}
    spans = {(s.start_char, s.end_char, s.label_, s.kb_id_) for s in sdoc.spans["mentions"]}
    assert spans == want
    ents = {(e.start_char, e.end_char, e.label_, e.kb_id_) for e in sdoc.ents}
    assert ents <= want and len(ents) >= len(want) - 2  # only overlapping mentions are left out
    for e in sdoc.ents:
        assert raw[e.start_char : e.end_char] == e.text


def test_command_writes_a_docbin_spacy_reads(tmp_path, seed_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "seed.txt").write_bytes(seed_path.read_bytes())
    out = tmp_path / "out"
    assert main(["extract", str(src), "--out", str(out), "--quiet", "--export", "spacy"]) == 0
    docs = _read_docbin(out / "corpus.spacy")
    assert len(docs) == 1
    sdoc = docs[0]
    raw = seed_path.read_text(encoding="utf-8")
    _check_against_tables(sdoc, raw, read_table(out / "mentions.csv"))
    assert sdoc.user_data["arabic_ie"]["doc_id"] == "seed"
    assert len(list(sdoc.sents)) > 10
    assert {t.pos_ for t in sdoc} >= {"NOUN", "ADP", "VERB"}


def test_clitic_attached_names_are_spans(nlp):
    text = "التقى وتوكاييف رئيس الوزراء لليابان في أستانا"
    doc = nlp(text)
    names = [m for m in doc.ents if m.type in ("PERSON", "LOCATION")]
    assert any(m.start > 0 and text[m.start - 1] != " " for m in names)  # starts inside a word
    blank = spacy.blank("ar")
    own = blank(text)  # spaCy's own tokens: a clitic-attached name is not a span of them
    assert any(own.char_span(m.start, m.end) is None for m in names)
    sdoc = to_spacy(doc, blank)
    assert sdoc.text == text
    got = {(e.start_char, e.end_char, e.label_) for e in sdoc.ents}
    assert got == {(m.start, m.end, m.type) for m in doc.ents}
    assert [t.text for t in sdoc][:3] == ["التقى", "و", "توكاييف"]


def test_a_mention_inside_one_part_still_is_a_span(nlp):
    """The NER may cut a proclitic the tagger left on: the unit is cut there too."""
    doc = nlp("قال الرئيس توكاييف")
    tok = doc.tokens[-1]
    from pipeline.document import Mention, Part

    tok.parts = [Part(tok.start, tok.end, tok.text, "stem", "PROPN")]
    doc.mentions = [Mention("PERSON", tok.start + 2, tok.end, doc.raw[tok.start + 2 : tok.end])]
    sdoc = to_spacy(doc)
    assert [(e.start_char, e.end_char) for e in sdoc.ents] == [(tok.start + 2, tok.end)]
    assert sdoc.text == doc.raw


def test_a_long_document_is_one_doc(long_document_run):
    raw, out = long_document_run("spacy")
    docs = _read_docbin(out / "corpus.spacy")
    assert len(docs) == 1
    _check_against_tables(docs[0], raw, read_table(out / "mentions.csv"))


def test_without_spacy_the_command_names_the_install(tmp_path, seed_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "spacy" else real(n, *a)
    )
    src = tmp_path / "a.txt"
    src.write_bytes(seed_path.read_bytes())
    assert main(["extract", str(src), "--out", str(tmp_path / "o"), "--export", "spacy"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install" in err[0] and "spacy" in err[0]
