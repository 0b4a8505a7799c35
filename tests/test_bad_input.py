"""The bad-input battery: every failure names the file and the reason; everything else is written."""

from __future__ import annotations

import pytest

from pipeline.cli import main
from pipeline.table import read_table

ARABIC = "قال الرئيس توكاييف في أستانا يوم الجمعة 9 أغسطس 2024 إن التجارة بلغت 5.7 مليار دولار."


def _run(src, out) -> int:
    return main(["extract", str(src), "--out", str(out), "--quiet"])


def _docs(out):
    return read_table(out / "documents.csv").set_index("doc_id")


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(ARABIC, encoding="utf-8")
    return src


def _check_good_written(out):
    docs = _docs(out)
    assert docs.loc["good", "status"] == "ok" and docs.loc["good", "mentions"] > 0
    ments = read_table(out / "mentions.csv")
    assert (ments["doc_id"] == "good").any()


def test_empty_and_whitespace_only(folder, tmp_path):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\t\r\n  \u00a0", encoding="utf-8")
    assert _run(folder, tmp_path / "out") == 0
    docs = _docs(tmp_path / "out")
    for name in ("empty", "blank"):
        assert docs.loc[name, "status"] == "ok" and docs.loc[name, "mentions"] == 0
    _check_good_written(tmp_path / "out")


def test_binary_file(folder, tmp_path):
    (folder / "image.txt").write_bytes(bytes(range(256)) * 40)
    assert _run(folder, tmp_path / "out") == 1
    docs = _docs(tmp_path / "out")
    assert docs.loc["image", "status"] == "failed"
    assert "image.txt" in docs.loc["image", "error"] and "binary" in docs.loc["image", "error"]
    _check_good_written(tmp_path / "out")


def test_invalid_utf8(folder, tmp_path):
    (folder / "broken.txt").write_bytes(b"abc \xc3\x28 def \xa0\xa1")
    assert _run(folder, tmp_path / "out") == 1
    err = _docs(tmp_path / "out").loc["broken", "error"]
    assert "broken.txt" in err and "not valid UTF-8" in err and "offset 4" in err
    _check_good_written(tmp_path / "out")


def test_windows_1256_is_decoded_with_a_warning(folder, tmp_path):
    (folder / "legacy.txt").write_bytes(ARABIC.encode("cp1256"))
    assert _run(folder, tmp_path / "out") == 0
    docs = _docs(tmp_path / "out")
    assert docs.loc["legacy", "status"] == "ok"
    assert "Windows-1256" in docs.loc["legacy", "warning"]
    assert docs.loc["legacy", "mentions"] == docs.loc["good", "mentions"]
    assert docs.loc["good", "warning"] == ""


def test_utf16_with_bom(folder, tmp_path):
    (folder / "wide.txt").write_bytes(ARABIC.encode("utf-16"))  # writes a BOM
    assert _run(folder, tmp_path / "out") == 0
    docs = _docs(tmp_path / "out")
    assert docs.loc["wide", "chars"] == len(ARABIC)
    assert docs.loc["wide", "mentions"] == docs.loc["good", "mentions"]


def test_html_is_read_as_text_with_exact_offsets(folder, tmp_path):
    html = f"<html><body><p class='x'>{ARABIC}</p><script>var a = 1;</script></body></html>"
    (folder / "page.txt").write_text(html, encoding="utf-8")
    assert _run(folder, tmp_path / "out") == 0
    ments = read_table(tmp_path / "out" / "mentions.csv")
    page = ments[ments["doc_id"] == "page"]
    assert len(page) > 0
    for row in page.itertuples():
        assert html[row.start : row.end] == row.text
        assert "<" not in row.text and ">" not in row.text


def test_missing_path_and_others_still_written(folder, tmp_path):
    out = tmp_path / "out"
    code = main(
        ["extract", str(tmp_path / "absent.txt"), str(folder), "--out", str(out), "--quiet"]
    )
    assert code == 1
    docs = _docs(out)
    assert docs.loc["absent", "status"] == "failed"
    assert "absent.txt" in docs.loc["absent", "error"]
    _check_good_written(out)


def test_unwritable_output_folder_exit_2_nothing_partial(folder, tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    assert _run(folder, blocker / "out") == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "not-a-dir" in err
    assert blocker.read_text() == "x"
