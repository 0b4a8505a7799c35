"""Runs that are stopped and resumed, the Dask engine, and a 50 MB document."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time

import pytest

from pipeline.store import WORK_DIR
from pipeline.table import read_table

TABLES = ("mentions.csv", "entities.csv", "documents.csv")


def _default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored, and Python then installs no Ctrl-C handler:
    # under `./.ci/run &` the interrupt test's signal did nothing. The child gets the default back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "extract", *args, "--quiet"],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )


def _corpus(tmp_path, seed_text, n=120):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(n):
        (src / f"a{i:04d}.txt").write_text(seed_text[(i * 37) % 900 :], encoding="utf-8")
    return src


def _same_tables(a, b):
    for name in ("mentions.csv", "entities.csv", "documents.csv", "corpus_entities.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_run_leaves_no_table_and_resume_equals_full_run(tmp_path, seed_text, sig):
    src = _corpus(tmp_path, seed_text)
    full = tmp_path / "full"
    assert _cli(str(src), "--out", str(full)).wait(timeout=300) == 0

    out = tmp_path / "out"
    env = {"ARABIC_IE_SHARD_DOCS": "5"}
    proc = _cli(str(src), "--out", str(out), env=env)
    work = out / WORK_DIR
    deadline = time.time() + 120
    while time.time() < deadline and len(list(work.glob("shard-*.pkl"))) < 2:
        time.sleep(0.05)
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    if len(list(work.glob("shard-*.pkl"))) < 2:
        pytest.fail("the run finished before it could be interrupted")
    assert code != 0
    assert not any((out / t).exists() for t in TABLES)  # nothing half-written, nothing final
    assert not list(out.glob(".*.tmp"))
    resumed = _cli(str(src), "--out", str(out), "--resume", env=env)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read().decode()
    _same_tables(full, out)
    assert not work.exists()


def test_resume_refuses_a_different_run(tmp_path, seed_text):
    src = _corpus(tmp_path, seed_text, n=3)
    out = tmp_path / "out"
    (out / WORK_DIR).mkdir(parents=True)
    (out / WORK_DIR / "run.json").write_text('{"signature": "other"}')
    proc = _cli(str(src), "--out", str(out), "--resume")
    assert proc.wait(timeout=120) == 2
    assert b"other inputs" in proc.stderr.read()


def test_dask_engine_matches_local(tmp_path, seed_text):
    pytest.importorskip("dask.distributed")
    src = _corpus(tmp_path, seed_text, n=12)
    local, dask_out = tmp_path / "local", tmp_path / "dask"
    assert _cli(str(src), "--out", str(local)).wait(timeout=300) == 0
    proc = _cli(str(src), "--out", str(dask_out), "--engine", "dask", "--jobs", "2")
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    _same_tables(local, dask_out)


def test_fifty_megabyte_document(tmp_path, seed_text):
    """A 50 MB file goes through in pieces: offsets exact at the far end, memory bounded."""
    pad = " " * 2_000_000 + "\n"
    body = (seed_text + "\n" + pad) * 25
    big = tmp_path / "big.txt"
    big.write_text(body + seed_text, encoding="utf-8")
    assert big.stat().st_size > 50_000_000
    out = tmp_path / "out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = _cli(str(big), "--out", str(out))
    assert proc.wait(timeout=600) == 0, proc.stderr.read().decode()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    raw = big.read_text(encoding="utf-8")
    docs = read_table(out / "documents.csv")
    assert docs.loc[0, "chars"] == len(raw)
    ments = read_table(out / "mentions.csv")
    for row in ments.itertuples():
        assert raw[row.start : row.end] == row.text
    if len(ments):
        assert ments["start"].max() > len(raw) - len(seed_text)  # the last copy was found
    if before < peak_mb * 1024:  # a larger earlier child would mask this one
        assert peak_mb < 1500


def test_partitioned_parquet_equals_csv(tmp_path, seed_text):
    import pandas as pd

    src = _corpus(tmp_path, seed_text, n=12)
    csv_out, pq_out = tmp_path / "csv", tmp_path / "pq"
    assert _cli(str(src), "--out", str(csv_out)).wait(timeout=300) == 0
    env = {"ARABIC_IE_SHARD_DOCS": "5"}
    proc = _cli(str(src), "--out", str(pq_out), "--format", "parquet-partitioned", env=env)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    parts = sorted((pq_out / "mentions").glob("part-*.parquet"))
    assert len(parts) == 3  # 12 documents in shards of 5
    got = pd.read_parquet(pq_out / "mentions")
    want = read_table(csv_out / "mentions.csv")
    assert len(got) == len(want)
    assert list(got["mention_id"]) == list(want["mention_id"])
