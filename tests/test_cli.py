"""End-to-end: the `arabic-ie extract` command on real and hostile inputs."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.table import DOCUMENT_COLUMNS, ENTITY_COLUMNS, MENTION_COLUMNS, read_table


def _run(*args: str) -> int:
    return main(["extract", *args, "--quiet"])


def test_seed_folder_writes_three_tables(tmp_path, seed_path):
    out = tmp_path / "out"
    assert _run(str(seed_path.parent), "--out", str(out)) == 0
    docs = pd.read_csv(out / "documents.csv")
    ments = pd.read_csv(out / "mentions.csv")
    ents = pd.read_csv(out / "entities.csv")
    assert list(docs.columns) == list(DOCUMENT_COLUMNS)
    assert list(ments.columns) == list(MENTION_COLUMNS)
    assert list(ents.columns) == list(ENTITY_COLUMNS)
    assert docs.loc[0, "doc_id"] == "000_42077914264d8127"
    assert docs.loc[0, "status"] == "ok"
    assert docs.loc[0, "tokens"] > 400
    assert docs["chars"].dtype.kind == "i" and docs["tokens"].dtype.kind == "i"
    raw = seed_path.read_text(encoding="utf-8")
    for row in ments.itertuples():
        assert raw[row.start : row.end] == row.text
    assert not list(out.glob(".*tmp"))  # no temporary file left behind


def test_good_empty_and_binary_files(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "good.txt").write_text("زار توكاييف اليابان في 9 أغسطس 2024.", encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "sub" / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (src / "bad-utf8.txt").write_bytes("نص".encode() + b"\xff\xfe\xfa")
    out = tmp_path / "out"
    assert _run(str(src), "--out", str(out)) == 1
    docs = read_table(out / "documents.csv").set_index("doc_id")
    assert set(docs.index) == {"good", "empty", "sub/binary", "bad-utf8"}
    assert docs.loc["good", "status"] == "ok" and docs.loc["good", "tokens"] > 0
    assert docs.loc["empty", "status"] == "ok" and docs.loc["empty", "mentions"] == 0
    assert docs.loc["sub/binary", "status"] == "failed"
    assert "binary" in docs.loc["sub/binary", "error"]
    assert "binary.txt" in docs.loc["sub/binary", "error"]
    assert docs.loc["bad-utf8", "status"] == "failed"
    assert "UTF-8" in docs.loc["bad-utf8", "error"]


def test_bom_and_crlf_offsets(tmp_path):
    text = "السطر الأول\r\nقال توكاييف"
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    out = tmp_path / "out"
    assert _run(str(tmp_path / "a.txt"), "--out", str(out)) == 0
    docs = read_table(out / "documents.csv")
    assert docs.loc[0, "chars"] == len(text)  # BOM not counted, \r\n counted as two


def test_jsonl_input_with_dates_and_a_bad_line(tmp_path):
    path = tmp_path / "news.jsonl.gz"
    lines = [
        json.dumps({"id": "a1", "text": "خبر أول", "date": "2024-08-09"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a3", "text": "خبر ثالث"}, ensure_ascii=False),
    ]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert _run(str(path), "--out", str(out), "--date", "2020-01-01") == 1
    docs = read_table(out / "documents.csv")
    assert list(docs["doc_id"]) == ["a1", "news:2", "a3"]
    assert list(docs["date"]) == ["2024-08-09", "", "2020-01-01"]
    assert list(docs["status"]) == ["ok", "failed", "ok"]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_other_formats(tmp_path, seed_path, fmt):
    out = tmp_path / "out"
    assert _run(str(seed_path), "--out", str(out), "--format", fmt) == 0
    for name in ("mentions", "entities", "documents"):
        assert (out / f"{name}.{fmt}").exists()
    assert read_table(out / f"documents.{fmt}").loc[0, "status"] == "ok"


def test_missing_input_fails_alone(tmp_path, seed_path):
    out = tmp_path / "out"
    assert _run(str(tmp_path / "nope.txt"), str(seed_path), "--out", str(out)) == 1
    docs = read_table(out / "documents.csv")
    assert list(docs["status"]) == ["failed", "ok"]
    assert "no such file" in docs.loc[0, "error"]


def test_usage_errors_exit_2(tmp_path, seed_path, capsys):
    assert main(["extract", str(seed_path), "--date", "9/8/2024"]) == 2
    assert main(["extract"]) == 2
    assert main(["extract", str(seed_path), "--format", "xml"]) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_exit_2(tmp_path, seed_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    assert _run(str(seed_path), "--out", str(ro / "out")) == 2


def test_output_path_is_a_file_exit_2(tmp_path, seed_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _run(str(seed_path), "--out", str(blocker / "out")) == 2
    assert "cannot write" in capsys.readouterr().err


def test_stdin_and_console_script(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", "-", "--out", str(out), "--quiet"],
        input="قال توكاييف إن 5.7 مليار دولار".encode(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    docs = read_table(out / "documents.csv")
    assert docs.loc[0, "doc_id"] == "stdin" and docs.loc[0, "tokens"] == 6


def test_jobs_2_gives_identical_output(tmp_path, seed_path):
    src = tmp_path / "in"
    src.mkdir()
    text = seed_path.read_text(encoding="utf-8")
    for i in range(5):
        (src / f"d{i}.txt").write_text(text[i * 100 :], encoding="utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    assert _run(str(src), "--out", str(a)) == 0
    assert _run(str(src), "--out", str(b), "--jobs", "2") == 0
    for name in ("mentions.csv", "entities.csv", "documents.csv", "corpus_entities.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
