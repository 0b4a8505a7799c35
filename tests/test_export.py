"""Exports for other tools (pipeline.export), through the command, read back by their own readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.table import read_table

ALL = "conllu,iob2,iob2-tokens,brat,label-studio"


def _spans_from_tags(units):
    """(start, end, label) of the entities a list of (start, end, tag) units encodes."""
    spans, cur = [], None
    for a, b, tag in units:
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
            if cur:
                spans.append(tuple(cur))
            cur = [a, b, tag[2:]]
        elif tag.startswith("I-"):
            cur[1] = b
        else:
            if cur:
                spans.append(tuple(cur))
            cur = None
    if cur:
        spans.append(tuple(cur))
    return spans


@pytest.fixture(scope="module")
def run(tmp_path_factory, seed_path):
    tmp = tmp_path_factory.mktemp("export")
    src = tmp / "in"
    src.mkdir()
    (src / "seed.txt").write_bytes(seed_path.read_bytes())
    out = tmp / "out"
    assert main(["extract", str(src), "--out", str(out), "--quiet", "--export", ALL]) == 0
    raw = seed_path.read_text(encoding="utf-8")
    return out, raw, read_table(out / "mentions.csv")


def _short(type_):
    return {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}.get(type_, type_)


def test_conllu_reads_back_with_offsets_and_entities(run):
    conllu = pytest.importorskip("conllu")
    out, raw, ments = run
    sentences = conllu.parse((out / "corpus.conllu").read_text(encoding="utf-8"))
    assert len(sentences) > 10
    units = []
    for sent in sentences:
        for word in sent:
            a, b = map(int, word["misc"]["TokenRange"].split(":"))
            assert raw[a:b] == word["form"]
            if isinstance(word["id"], int):
                units.append((a, b, word["misc"]["NER"]))
    found = set(_spans_from_tags(units))
    want = {(m.start, m.end, _short(m.type)) for m in ments.itertuples()}
    assert len(found & want) >= 0.9 * len(want)
    assert all(s in want for s in found)


def test_stanza_reads_the_conllu(run):
    pytest.importorskip("stanza")
    from stanza.utils.conll import CoNLL

    out, _, _ = run
    doc = CoNLL.conll2doc(input_str=(out / "corpus.conllu").read_text(encoding="utf-8"))
    assert len(doc.sentences) > 10 and doc.num_words > doc.num_tokens


def test_iob2_parts_and_tokens(run):
    out, _, ments = run
    for name in ("corpus.iob2", "corpus.tokens.iob2"):
        lines = (out / name).read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("-DOCSTART-")
        tags = [ln.split("\t")[1] for ln in lines[2:] if ln]
        assert set(tags) <= {"O"} | {f"{p}-{_short(t)}" for p in "BI" for t in ments["type"]}
        assert sum(t.startswith("B-") for t in tags) >= 0.9 * len(ments)


def test_brat_standoff_points_into_its_text(run):
    out, raw, ments = run
    txt = (out / "brat" / "seed.txt").read_text(encoding="utf-8")
    assert txt == raw
    ann = (out / "brat" / "seed.ann").read_text(encoding="utf-8").splitlines()
    ents = [ln.split("\t") for ln in ann if ln.startswith("T")]
    assert len(ents) == len(ments)
    for _, spec, text in ents:
        frags = [tuple(map(int, f.split())) for f in spec.split(" ", 1)[1].split(";")]
        assert " ".join(txt[a:b] for a, b in frags) == text
    assert any(ln.startswith("#") and "value=" in ln for ln in ann)


def test_label_studio_tasks(run):
    out, raw, ments = run
    tasks = json.loads((out / "label-studio.json").read_text(encoding="utf-8"))
    assert len(tasks) == 1 and tasks[0]["data"]["text"] == raw
    result = tasks[0]["predictions"][0]["result"]
    assert len(result) == len(ments)
    for r in result:
        v = r["value"]
        assert raw[v["start"] : v["end"]] == v["text"] and v["labels"][0] in set(ments["type"])


def test_unknown_export_and_a_foreign_brat_folder_are_usage_errors(tmp_path, seed_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(seed_path.read_bytes())
    assert main(["extract", str(src), "--out", str(tmp_path / "o"), "--export", "pdf"]) == 2
    mine = tmp_path / "mine"
    (mine / "brat").mkdir(parents=True)
    (mine / "brat" / "notes.ann").write_text("T1\tX 0 1\ty\n", encoding="utf-8")
    assert main(["extract", str(src), "--out", str(mine), "--export", "brat", "--quiet"]) == 2
    assert (mine / "brat" / "notes.ann").exists()


def test_a_long_document_exports_piece_by_piece(long_document_run):
    conllu = pytest.importorskip("conllu")
    raw, out = long_document_run("conllu,iob2")
    sentences = conllu.parse((out / "corpus.conllu").read_text(encoding="utf-8"))
    ids = [s.metadata["sent_id"] for s in sentences]
    assert len(ids) == len(set(ids))
    for sent in sentences:
        for word in sent:
            a, b = map(int, word["misc"]["TokenRange"].split(":"))
            assert raw[a:b] == word["form"]
    assert (out / "corpus.iob2").read_text(encoding="utf-8").count("-DOCSTART-") == 1


def test_exports_are_deterministic(tmp_path, seed_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(seed_path.read_bytes())
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert main(["extract", str(src), "--out", str(out), "--quiet", "--export", ALL]) == 0
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    for rel in files:
        if rel != Path("run.json"):
            assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel
