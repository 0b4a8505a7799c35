"""The command as a new user meets it: --version and --help, the kinds of input files, what an
existing output folder means, progress without a terminal, and the spreadsheet outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli
from pipeline.cli import main
from pipeline.table import TABLES, neutralize_formulas, read_table

ARABIC = "قال الرئيس توكاييف في أستانا يوم الجمعة 9 أغسطس 2024 إن التجارة بلغت 5.7 مليار دولار."
ROOT = Path(__file__).resolve().parent.parent


def _run(*args) -> int:
    return main(["extract", *map(str, args), "--quiet"])


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli._parser().parse_args(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("arabic-ie ")


def test_help_gives_exit_codes_tables_and_examples():
    text = cli._parser().format_help()
    for needle in ("exit codes:", "mentions ", "entities ", "documents ", "examples:"):
        assert needle in text
    assert text.count("arabic-ie extract ") >= 3


def test_every_kind_of_article_file_and_a_count_of_the_rest(tmp_path, seed_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "UPPER.TXT").write_text(ARABIC, encoding="utf-8")
    (src / "page.html").write_text(f"<p class='أستانا'>{ARABIC}</p>", encoding="utf-8")
    (src / "page2.HTM").write_text(f"<p>{ARABIC}</p>", encoding="utf-8")
    (src / "rows.csv").write_text(
        f'id,text,date\nc1,"{ARABIC}",2024-08-09\n,"زار أمير قطر باريس",\n', encoding="utf-8"
    )
    (src / "arr.json").write_text(json.dumps([{"id": "j1", "text": ARABIC}, {"text": "x"}]))
    (src / "notes.csv").write_text("title,body\na,b\n", encoding="utf-8")
    for name in ("a.pdf", "b.pdf", "c.docx"):
        (src / name).write_bytes(b"%PDF")
    out = tmp_path / "out"
    assert main(["extract", str(src), "--out", str(out)]) == 1  # notes.csv has no text column
    docs = read_table(out / "documents.csv").set_index("doc_id")
    assert {"UPPER", "page", "page2", "c1", "rows:2", "j1", "arr:2"} <= set(docs.index)
    assert (docs.loc[["UPPER", "page", "c1", "rows:2", "j1"], "status"] == "ok").all()
    assert docs.loc["c1", "date"] == "2024-08-09"
    assert "needs a 'text' column" in docs.loc["notes", "error"]
    ments = read_table(out / "mentions.csv")
    page = ments[ments.doc_id == "page"]
    assert "توكاييف" in set(page["text"]) and (page["start"] > 20).all()  # not in the attribute
    assert "3 files skipped (not articles): .pdf ×2, .docx ×1" in capsys.readouterr().err
    assert json.loads((out / "run.json").read_text())["skipped_files"] == {".docx": 1, ".pdf": 2}


def test_tables_of_another_run_are_replaced_only_with_force(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARABIC, encoding="utf-8")
    out = tmp_path / "out"
    assert _run(src, "--out", out) == 0
    before = (out / "mentions.csv").read_bytes()
    (src / "a.txt").write_text("زار أمير قطر باريس.", encoding="utf-8")
    capsys.readouterr()
    assert _run(src, "--out", out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--force" in err[0] and "another run" in err[0]
    assert (out / "mentions.csv").read_bytes() == before
    assert _run(src, "--out", out, "--force") == 0
    assert (out / "mentions.csv").read_bytes() != before


def test_without_out_it_says_where_the_tables_go(tmp_path):
    (tmp_path / "a.txt").write_text(ARABIC, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", "a.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "the tables go to outputs/" in proc.stderr
    assert (tmp_path / "outputs" / "mentions.csv").is_file()


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "LOG_EVERY_DOCS", 2)
    src = tmp_path / "in"
    src.mkdir()
    for i in range(5):
        (src / f"a{i}.txt").write_text(ARABIC, encoding="utf-8")
    assert main(["extract", str(src), "--out", str(tmp_path / "out")]) == 0
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("arabic-ie: ")]
    assert [x.split()[1] for x in lines] == ["2/5", "4/5"]
    assert "doc/s" in lines[0] and "left" in lines[0]


def test_xlsx_reads_back_equal_to_the_csv(tmp_path, seed_path):
    from openpyxl import load_workbook

    src = tmp_path / "in"
    src.mkdir()
    (src / "seed.txt").write_bytes(seed_path.read_bytes())
    (src / "b.txt").write_text(ARABIC, encoding="utf-8")
    assert _run(src, "--out", tmp_path / "csv") == 0
    assert _run(src, "--out", tmp_path / "x1", "--format", "xlsx") == 0
    assert _run(src, "--out", tmp_path / "x2", "--format", "xlsx") == 0
    book = tmp_path / "x1" / "tables.xlsx"
    assert book.read_bytes() == (tmp_path / "x2" / "tables.xlsx").read_bytes()
    for name in TABLES:
        want = read_table(tmp_path / "csv" / f"{name}.csv")
        got = read_table(book, sheet=name)
        pd.testing.assert_frame_equal(got, want)
    ws = load_workbook(book)["mentions"]
    assert ws.sheet_view.rightToLeft and ws.freeze_panes == "A2"


def test_spreadsheet_outputs_neutralize_formulas_and_plain_csv_keeps_text(tmp_path):
    df = pd.DataFrame({"a": ["=1+1", "+5", "-x", "@y", "ok", "a=b"], "n": [1, 2, 3, 4, 5, 6]})
    df = df.astype({"a": "string"})
    assert list(neutralize_formulas(df)["a"]) == ["'=1+1", "'+5", "'-x", "'@y", "ok", "a=b"]
    src = tmp_path / "in"
    src.mkdir()
    (src / "d.jsonl").write_text(json.dumps({"id": "x", "text": ARABIC}), encoding="utf-8")
    assert _run(src, "--out", tmp_path / "e", "--excel-csv") == 0
    raw = (tmp_path / "e" / "mentions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    plain = tmp_path / "p"
    assert _run(src, "--out", plain) == 0
    assert raw[3:] == (plain / "mentions.csv").read_bytes()  # nothing here looks like a formula
    assert _run(src, "--out", tmp_path / "bad", "--excel-csv", "--format", "jsonl") == 2


def test_extract_html_and_the_report_command(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARABIC, encoding="utf-8")
    assert main(["extract", str(src), "--out", str(src), "--quiet", "--html"]) == 0
    index = src / "report" / "index.html"
    assert index.is_file() and "توكاييف" in index.read_text(encoding="utf-8")
    # the report and the tables in the input folder are never read back as articles
    assert main(["extract", str(src), "--out", str(src), "--quiet", "--force"]) == 0
    assert list(read_table(src / "documents.csv")["doc_id"]) == ["a"]
    assert main(["report", str(src), "--dest", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "index.html").is_file()
    assert main(["report", str(tmp_path / "nothing")]) == 2
