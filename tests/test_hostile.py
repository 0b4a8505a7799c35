"""The hostile battery: each case of the reliability issue, through the command, named by its item.

Every test here failed on the code before the fix; docs/reliability.md maps each promise to its test.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import engine, publish, store
from pipeline.cli import main
from pipeline.ner.document import MAX_NAME_CHARS
from pipeline.publish import JOURNAL, MANIFEST, TABLE_MARKER, OutOfStepError
from pipeline.table import read_table
from pipeline.tagging.features import MAX_WORD_LETTERS
from pipeline.tagging.segmenter import Segmenter

ARABIC = "قال الرئيس توكاييف في أستانا يوم الجمعة 9 أغسطس 2024 إن التجارة بلغت 5.7 مليار دولار."
ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> int:
    return main(["extract", *map(str, args), "--quiet"])


def _cli(*args: str, env: dict | None = None, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,
        timeout=300,
    )


def _docs(out: Path) -> pd.DataFrame:
    return read_table(out / "documents.csv").set_index("doc_id")


def _folder(tmp_path: Path, n: int = 2) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(n):
        (src / f"good{i}.txt").write_text(ARABIC, encoding="utf-8")
    return src


def _offsets_hold(out: Path, raws: dict[str, str]) -> None:
    for row in read_table(out / "mentions.csv").itertuples():
        assert raws[row.doc_id][row.start : row.end] == row.text


# 1 -------------------------------------------------------------------------------------------


def test_01_partitioned_output_never_deletes_a_users_folder(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    article = corpus / "documents" / "a.txt"
    article.write_text(ARABIC, encoding="utf-8")
    assert _run(corpus, "--out", corpus, "--format", "parquet-partitioned") == 2
    assert article.read_text(encoding="utf-8") == ARABIC
    assert not (corpus / "mentions").exists()  # refused before any work


def test_01_partitioned_output_replaces_its_own_folders(tmp_path):
    src, out = _folder(tmp_path), tmp_path / "out"
    assert _run(src, "--out", out, "--format", "parquet-partitioned") == 0
    assert (out / "mentions" / TABLE_MARKER).is_file()
    (src / "good1.txt").unlink()
    assert _run(src, "--out", out, "--format", "parquet-partitioned", "--force") == 0
    assert len(pd.read_parquet(out / "documents")) == 1


# 2 -------------------------------------------------------------------------------------------


def test_02_lone_surrogates_are_repaired_and_the_run_finishes(tmp_path):
    src = _folder(tmp_path)
    lines = [
        '{"id": "s1", "text": "\\ud800 قال توكاييف \\udfff"}',
        '{"id": "bad\\ud800id", "text": "زار توكاييف أستانا"}',
    ]
    (src / "s.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 0
    docs = _docs(out)
    assert docs.loc["s1", "status"] == "ok" and "U+FFFD" in docs.loc["s1", "warning"]
    assert "bad\ufffdid" in docs.index and "U+FFFD" in docs.loc["bad\ufffdid", "warning"]
    _offsets_hold(out, {"s1": "\ufffd قال توكاييف \ufffd", "bad\ufffdid": "زار توكاييف أستانا",
                        "good0": ARABIC, "good1": ARABIC})  # fmt: skip
    assert _run(src, "--out", out, "--resume") == 0


# 3 -------------------------------------------------------------------------------------------


class _Killed(BaseException):
    """Stands for the process dying (SIGKILL, power cut): nothing of the tool catches it."""


def test_03_a_publish_cut_short_is_detected_and_finished(tmp_path, monkeypatch):
    src, out = _folder(tmp_path), tmp_path / "out"
    assert _run(src, "--out", out) == 0
    (src / "extra.txt").write_text("زار أمير قطر باريس.", encoding="utf-8")
    real_move, moved = publish._move, []

    def dying_move(tmp, final):
        if moved:
            raise _Killed
        moved.append(final)
        real_move(tmp, final)

    monkeypatch.setattr(publish, "_move", dying_move)
    with pytest.raises(_Killed):
        _run(src, "--out", out, "--force")
    monkeypatch.setattr(publish, "_move", real_move)
    assert (out / JOURNAL).exists()
    with pytest.raises(OutOfStepError):
        read_table(out / "documents.csv")
    # the next run finishes the interrupted publish first, then does its own work
    assert _run(src, "--out", out, "--force") == 0
    assert not (out / JOURNAL).exists()
    assert len(_docs(out)) == 3
    assert not [p for p in out.iterdir() if p.name.endswith("tmp")]


def test_03_interrupted_while_merging_keeps_the_old_tables(tmp_path, monkeypatch, capsys):
    src, out = _folder(tmp_path), tmp_path / "out"
    assert _run(src, "--out", out) == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    (src / "good1.txt").write_text("زار أمير قطر باريس.", encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store.RunStore, "_merge", interrupted)
    assert main(["extract", str(src), "--out", str(out), "--force"]) == 130
    assert "no table was replaced" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before
    assert not [p for p in out.iterdir() if p.name.endswith("tmp")]


def test_03_a_changed_table_is_out_of_step(tmp_path):
    src, out = _folder(tmp_path), tmp_path / "out"
    assert _run(src, "--out", out) == 0
    last = (out / "mentions.csv").read_text(encoding="utf-8").splitlines()[-1]
    with open(out / "mentions.csv", "a", encoding="utf-8") as fh:
        fh.write(last + "\n")
    with pytest.raises(OutOfStepError):
        read_table(out / "mentions.csv")
    assert len(read_table(out / "mentions.csv", verify=False)) > 0


# 4 -------------------------------------------------------------------------------------------


def test_04_a_huge_token_is_not_segmented_and_is_no_name(tmp_path, monkeypatch):
    longest = []
    real_rows = Segmenter._rows

    def rows(self, word, *args):
        longest.append(len(word))
        return real_rows(self, word, *args)

    monkeypatch.setattr(Segmenter, "_rows", rows)
    src = tmp_path / "in"
    src.mkdir()
    letters = "ابتثجحخدذرسشصضطظعغفقكلمنهوي"
    blob = "".join(letters[(i * 7) % len(letters)] for i in range(30_000))
    (src / "blob.txt").write_text(f"قال محمد {blob} في الرياض", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 0
    assert max(longest, default=0) <= MAX_WORD_LETTERS
    ments = read_table(out / "mentions.csv")
    assert (ments["end"] - ments["start"]).max() <= MAX_NAME_CHARS


# 5 -------------------------------------------------------------------------------------------


def test_05_duplicate_ids_become_unique_keys(tmp_path):
    src = _folder(tmp_path)
    recs = [
        {"id": "dup", "text": ARABIC},
        {"id": "dup", "text": ARABIC},
        {"id": "good0", "text": ARABIC},
    ]
    (src / "z.jsonl").write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 0
    docs = read_table(out / "documents.csv")
    assert sorted(docs["doc_id"]) == ["dup", "dup~2", "good0", "good0~2", "good1"]
    assert "already used" in docs.set_index("doc_id").loc["dup~2", "warning"]
    ments = read_table(out / "mentions.csv")
    ents = read_table(out / "entities.csv")
    assert ments["mention_id"].is_unique and ents["entity_id"].is_unique
    assert len(ments.merge(ents, on=["doc_id", "entity_id"])) == len(ments)


def test_05_standard_input_twice_is_a_usage_error(tmp_path):
    assert _run("-", "-", "--out", tmp_path / "out") == 2


# 6 -------------------------------------------------------------------------------------------


def test_06_resume_reprocesses_a_document_changed_since_the_stop(tmp_path, monkeypatch):
    src = _folder(tmp_path, n=4)
    out = tmp_path / "out"

    def stopped(self, *args, **kwargs):
        self.flush()
        raise KeyboardInterrupt

    monkeypatch.setattr(store.RunStore, "finish", stopped)
    monkeypatch.setenv("ARABIC_IE_SHARD_DOCS", "1")
    assert _run(src, "--out", out) == 130
    monkeypatch.undo()
    (src / "good2.txt").write_text("زار أمير قطر باريس في 3 مارس 2021.", encoding="utf-8")
    assert _run(src, "--out", out, "--resume") == 0
    fresh = tmp_path / "fresh"
    assert _run(src, "--out", fresh) == 0
    for name in ("mentions.csv", "entities.csv", "documents.csv"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


# 7 -------------------------------------------------------------------------------------------


def test_07_disk_full_while_saving_progress(tmp_path, seed_text):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        (src / f"a{i}.txt").write_text("زار توكاييف أستانا.", encoding="utf-8")
    (src / "b.txt").write_text(seed_text * 8, encoding="utf-8")  # its shard exceeds the limit
    out = tmp_path / "out"

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))

    proc = _cli(src, "--out", out, env={"ARABIC_IE_SHARD_DOCS": "1"}, preexec=small_files)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0] and "4 documents are saved" in lines[0]
    proc = _cli(src, "--out", out, "--resume", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert len(_docs(out)) == 5


# 8 -------------------------------------------------------------------------------------------


def test_08_its_own_tables_are_never_read_as_articles(tmp_path):
    src = _folder(tmp_path, n=1)
    assert _run(src, "--out", src, "--format", "jsonl") == 0
    first = (src / "documents.jsonl").read_bytes()
    assert _run(src, "--out", src, "--format", "jsonl", "--force") == 0
    assert (src / "documents.jsonl").read_bytes() == first
    assert _run(src, "--out", src, "--format", "csv", "--force") == 0  # jsonl tables stay out too
    assert list(_docs(src).index) == ["good0"]
    assert _run(src / "mentions.jsonl", "--out", tmp_path / "o2") == 1  # named on its own: refused


# 9 -------------------------------------------------------------------------------------------

HTML = (
    '<html><head><title>زيارة</title><style>.x{content:"السعودية"}</style>'
    '<script>var a="الرياض";</script></head><body><!-- قال محمد بن سلمان في جدة -->'
    '<p class="محمد بن سلمان"><a href="/السعودية" title="الملك سلمان">قال الرئيس توكاييف في '
    "أستانا</a> يوم 9 أغسطس 2024.</p></body></html>"
)


def test_09_only_html_text_nodes_give_mentions(tmp_path):
    from pipeline.markup import markup_spans

    src = tmp_path / "in"
    src.mkdir()
    (src / "page.txt").write_text(HTML, encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 0
    ments = read_table(out / "mentions.csv")
    spans = markup_spans(HTML)
    assert {"توكاييف", "أستانا", "9 أغسطس 2024"} <= set(ments["text"])
    for row in ments.itertuples():
        assert HTML[row.start : row.end] == row.text
        assert not any(a < row.end and row.start < b for a, b in spans), row.text


# 10 ------------------------------------------------------------------------------------------


def test_10_symlink_loop_is_a_failed_row(tmp_path):
    src = _folder(tmp_path)
    (src / "sub").mkdir()
    (src / "sub" / "loop").symlink_to("..")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 1
    docs = _docs(out)
    assert docs.loc["sub/loop", "status"] == "failed"
    assert "symbolic link loop" in docs.loc["sub/loop", "error"]
    assert (docs.loc[["good0", "good1"], "status"] == "ok").all()


def test_10_unreadable_folder_is_a_failed_row(tmp_path, monkeypatch):
    src = _folder(tmp_path)
    locked = src / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text(ARABIC, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if isinstance(path, str | os.PathLike) and Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    assert _run(locked, "--out", tmp_path / "only") == 1  # the only input: a row, not "0 documents"
    assert _run(src, "--out", out) == 1
    docs = _docs(out)
    assert docs.loc["locked", "status"] == "failed"
    assert "Permission denied" in docs.loc["locked", "error"]


@pytest.mark.skipif(os.geteuid() == 0, reason="permission bits do not stop root")
def test_10_unreadable_folder_for_real(tmp_path):
    src = _folder(tmp_path)
    (src / "locked").mkdir()
    (src / "locked").chmod(0)
    try:
        assert _run(src, "--out", tmp_path / "out") == 1
        assert _docs(tmp_path / "out").loc["locked", "status"] == "failed"
    finally:
        (src / "locked").chmod(0o755)


# 11 ------------------------------------------------------------------------------------------


def test_11_a_long_document_is_resolved_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "MAX_CHARS", 400)
    paras = ["أعلن الرئيس قاسم جومارت توكاييف في أستانا يوم الجمعة 9 أغسطس 2024 عن خطة جديدة."]
    paras += ["وقال توكاييف للصحفيين أمس إن الخطة ستبدأ في أستانا."] * 12
    text = "\n".join(paras)
    src = tmp_path / "in"
    src.mkdir()
    (src / "long.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 0
    ments = read_table(out / "mentions.csv")
    people = ments[ments["type"] == "PERSON"]
    assert len(people) == 13 and people["entity_id"].nunique() == 1
    places = ments[ments["type"] == "LOCATION"]
    assert len(places) == 13 and places["entity_id"].nunique() == 1
    yesterday = ments[ments["text"] == "أمس"]
    assert len(yesterday) == 12 and set(yesterday["value"]) == {"2024-08-08"}
    assert _docs(out).loc["long", "date"] == "2024-08-09"
    _offsets_hold(out, {"long": text})


# 12 ------------------------------------------------------------------------------------------


def test_12_inputs_are_checked_strictly(tmp_path):
    src = _folder(tmp_path)
    (src / "late-nul.txt").write_bytes(ARABIC.encode() * 200 + b"\x00" + ARABIC.encode())
    recs = [
        '{"id": "n", "text": "x", "date": 20240809}',
        '{"id": "g", "text": "x", "date": "2024-08-09T99:99 garbage"}',
        '{"id": "t", "text": "x", "date": "2024-08-09T10:30:00+03:00"}',
        '{"id": 0, "text": "x"}',
        '{"id": "", "text": "x"}',
        '{"id": null, "text": "x"}',
    ]
    (src / "r.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 1
    docs = _docs(out)
    assert "NUL byte at offset" in docs.loc["late-nul", "error"]
    assert "is a int, not a string" in docs.loc["n", "error"]
    assert "is not a date" in docs.loc["g", "error"]
    assert docs.loc["t", "status"] == "ok" and docs.loc["t", "date"] == "2024-08-09"
    assert docs.loc["0", "status"] == "ok"
    assert "'id' is \"\"" in docs.loc["r:5", "error"]
    assert "'id' is null" in docs.loc["r:6", "error"]


# 13 ------------------------------------------------------------------------------------------


def test_13_ids_cannot_inject_spreadsheet_formulas(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "=HYPERLINK(1).txt").write_text(ARABIC, encoding="utf-8")
    (src / "@x.txt").write_text(ARABIC, encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 0
    for name, cols in (
        ("mentions.csv", ["doc_id", "mention_id", "entity_id"]),
        ("entities.csv", ["doc_id", "entity_id"]),
        ("documents.csv", ["doc_id"]),
    ):
        table = read_table(out / name)
        for col in cols:
            assert not table[col].str.match(r"[=+\-@\t\r]").any(), (name, col)
    assert "'=HYPERLINK(1)" in _docs(out).index


# 14 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "parquet-partitioned"])
def test_14_two_runs_give_identical_bytes(tmp_path, seed_path, fmt):
    src = _folder(tmp_path)
    (src / "seed.txt").write_bytes(seed_path.read_bytes())
    a, b = tmp_path / "a", tmp_path / "b"
    assert _run(src, "--out", a, "--format", fmt) == 0
    assert _run(src, "--out", b, "--format", fmt) == 0
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != MANIFEST)
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.name != MANIFEST)
    assert files_a == files_b and len(files_a) >= 3
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    run = json.loads((a / MANIFEST).read_text(encoding="utf-8"))
    assert run["seconds"] >= 0 and run["versions"]["python"] and run["documents"] == 3


# 15 ------------------------------------------------------------------------------------------


def test_15_unreachable_dask_scheduler_is_a_usage_error(tmp_path):
    src = _folder(tmp_path, n=1)
    proc = _cli(src, "--out", tmp_path / "out", "--engine", "dask",
                "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1")  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Dask scheduler" in lines[0], proc.stderr


# 16 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet-partitioned"])
def test_16_output_files_follow_the_umask(tmp_path, fmt):
    src = _folder(tmp_path, n=1)
    out = tmp_path / "out"
    proc = _cli(src, "--out", out, "--format", fmt, "--quiet", preexec=lambda: os.umask(0o022))
    assert proc.returncode == 0, proc.stderr
    for p in out.rglob("*"):
        want = 0o755 if p.is_dir() else 0o644
        assert p.stat().st_mode & 0o777 == want, p


def test_16_signal_handlers_are_restored_after_publishing(tmp_path):
    before = signal.getsignal(signal.SIGINT)
    assert _run(_folder(tmp_path), "--out", tmp_path / "out") == 0
    assert signal.getsignal(signal.SIGINT) is before
