"""The HTML report (pipeline.report): its pages, escaping, pagination, notes, and a real browser.

The browser tests run headless Chromium (Debian package `chromium`; another binary can be named in
the CHROMIUM environment variable). Without one they are skipped with the reason, except under CI
(CI=true), where a missing browser is a failure: CI installs it (see .ci/run).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SEED

from pipeline import cli
from pipeline.report import MARKER, ReportError, _highlight, build_report
from pipeline.table import read_table

ARTICLE = "قال وزير الخارجية السعودي في الرياض يوم الأحد إن المملكة ستستثمر 5 مليارات دولار في مصر."


def _extract(inputs: list[Path | str], out: Path, *options: str) -> int:
    return cli.main(["extract", *map(str, inputs), "--out", str(out), "--quiet", *options])


# ---------------------------------------------------------------------------------------------
# reading pages back


class _Page(HTMLParser):
    """What the tests look at in a page: highlights, the article, links, scripts, attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ents: list[dict] = []  # {"attrs", "text"} of each <a class="ent ...">
        self.articles: list[dict] = []  # attrs of each <article>
        self.article_text: list[str] = []
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value) of href / src
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self._in_ent: dict | None = None
        self._in_article = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id"):
            self.ids.append(a["id"])
        for key in ("href", "src"):
            if key in a:
                self.refs.append((tag, key, a[key] or ""))
        if tag == "article":
            self.articles.append(a)
            self._in_article += 1
        if tag == "a" and "ent" in (a.get("class") or "").split():
            assert self._in_ent is None, "a highlight inside a highlight"
            self._in_ent = {"attrs": a, "text": ""}

    def handle_endtag(self, tag):
        if tag == "a" and self._in_ent is not None:
            self.ents.append(self._in_ent)
            self._in_ent = None
        if tag == "article":
            self._in_article -= 1

    def handle_data(self, data):
        self.text.append(data)
        if self._in_ent is not None:
            self._in_ent["text"] += data
        if self._in_article:
            self.article_text.append(data)


def _parse(markup: str) -> _Page:
    p = _Page()
    p.feed(markup)
    p.close()
    return p


def _expected_highlights(raw: str, mentions) -> list[tuple[int, int]]:
    """The mentions a page must highlight: each one whose offsets fit the text, in text order,
    unless it overlaps one highlighted before it (longest first at the same start)."""
    spans = sorted(
        ((int(s), int(e)) for s, e, t in zip(mentions["start"], mentions["end"], mentions["text"])
         if raw[int(s):int(e)] == t),
        key=lambda se: (se[0], -se[1]),
    )  # fmt: skip
    out, cursor = [], 0
    for s, e in spans:
        if s >= cursor:
            out.append((s, e))
            cursor = e
    return out


def _check_highlights(page: _Page, raw: str, mentions) -> None:
    """Every mention that can be highlighted is one element whose text is raw[start:end]."""
    assert [a.get("dir") for a in page.articles] == ["rtl"]
    assert "".join(page.article_text) == raw
    got = []
    for ent in page.ents:
        s, e = int(ent["attrs"]["data-start"]), int(ent["attrs"]["data-end"])
        assert ent["text"] == raw[s:e], (s, e, ent["text"])
        assert any(c.startswith("t-") for c in ent["attrs"]["class"].split())
        got.append((s, e))
    assert got == _expected_highlights(raw, mentions)


# ---------------------------------------------------------------------------------------------
# the seed


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("seed") / "out"
    assert _extract([SEED.parent], out) == 0
    index = build_report(out)
    return out, index


def test_seed_report_pages(seed_report, seed_text):
    out, index = seed_report
    assert index == out / "report" / "index.html"
    assert (out / "report" / "report.css").is_file()
    assert (out / "report" / MARKER).is_file()
    mentions = read_table(out / "mentions.csv")
    page = _parse((out / "report" / "d" / "000001.html").read_text(encoding="utf-8"))
    _check_highlights(page, seed_text, mentions)
    assert len(page.ents) == len(mentions)  # the seed has no overlapping mentions
    # the side table lists every mention, with a link to its highlight
    rows = [v for tag, key, v in page.refs if tag == "a" and re.fullmatch(r"#m\d+", v)]
    assert len(rows) == len(mentions)
    overview = _parse(index.read_text(encoding="utf-8"))
    assert "d/000001.html" in [v for _, _, v in overview.refs]
    joined = "".join(overview.text)
    for section in ("Top people", "Dates by month", "Amounts by currency", "USD", "Documents"):
        assert section in joined


def _local_refs(folder: Path) -> None:
    """Every page loads only files of the report (no network, no absolute path), all present."""
    css = (folder / "report.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css
    for page_path in folder.rglob("*.html"):
        page = _parse(page_path.read_text(encoding="utf-8"))
        assert "script" not in page.tags, page_path
        for tag, _key, value in page.refs:
            if tag == "a" and value.startswith("https://www.geonames.org/"):
                continue  # a link the reader may follow, nothing loaded
            if value.startswith(("#", "data:")):
                continue
            assert not re.match(r"[a-z]+:|/", value), (page_path, value)
            target = (page_path.parent / value.split("#")[0]).resolve()
            assert target.is_file(), (page_path, value)


def test_seed_report_is_self_contained(seed_report):
    out, _ = seed_report
    _local_refs(out / "report")


def test_report_again_replaces_the_old_one(seed_report, tmp_path):
    out, index = seed_report
    stale = out / "report" / "l" / "stale.1.html"
    stale.write_text("old", encoding="utf-8")
    assert build_report(out) == index
    assert not stale.exists() and index.is_file()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ReportError, match="not a report written by arabic-ie"):
        build_report(out, dest=foreign)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(ReportError, match="run.json"):
        build_report(tmp_path)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet-partitioned"])
def test_other_formats(tmp_path, seed_text, fmt):
    out = tmp_path / "out"
    assert _extract([SEED], out, "--format", fmt) == 0
    index = build_report(out)
    page = _parse((index.parent / "d" / "000001.html").read_text(encoding="utf-8"))
    assert len(page.ents) > 50
    assert "".join(page.article_text) == seed_text


def test_only_failures_empty_tables(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _extract([src], out, "--format", "jsonl") == 1
    index = build_report(out)
    overview = index.read_text(encoding="utf-8")
    assert "not a JSON object" in overview and "No amounts of money" in overview
    assert (index.parent / "d" / "000001.html").is_file()


# ---------------------------------------------------------------------------------------------
# pagination, failures, missing sources, hostile input


def test_pagination(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for k in range(7):
        (src / f"doc{k}.txt").write_text(f"{ARTICLE} ({k})", encoding="utf-8")
    out = tmp_path / "out"
    assert _extract([src], out) == 0
    index = build_report(out, page_size=3)
    report = index.parent
    assert sorted(p.name for p in (report / "d").iterdir()) == [
        f"{k:06d}.html" for k in range(1, 8)
    ]
    pages = sorted((report / "l").glob("documents.*.html"))
    assert [p.name for p in pages] == ["documents.1.html", "documents.2.html", "documents.3.html"]
    seen = []
    for p in pages:
        refs = [v for tag, _, v in _parse(p.read_text(encoding="utf-8")).refs if tag == "a"]
        docs = [v for v in refs if v.startswith("../d/")]
        assert len(docs) <= 3
        seen += docs
        assert "documents.2.html" in refs or p.name == "documents.2.html"
    assert seen == [f"../d/{k:06d}.html" for k in range(1, 8)]
    first = _parse(index.read_text(encoding="utf-8"))
    links = [v for _, _, v in first.refs]
    assert "l/documents.3.html" in links
    assert len([v for v in links if v.startswith("d/")]) == 3  # only the first page on the index
    # the overview's lists are paginated the same way (all 7 documents name the same place)
    place = sorted((report / "l").glob("location-1.*.html"))
    assert len(place) == 3
    _local_refs(report)


def test_failed_and_hostile_documents(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    hostile_id = "<script>x</script>"
    odd_id = 'a\'b="c"/d&e'
    text = f"</p><b>عنوان</b>\r\n{ARTICLE} <script>alert(1)</script> & \ud800 end"
    lines = [
        json.dumps({"id": hostile_id, "text": text, "date": "2024-08-09"}),
        "{not json",
        json.dumps({"id": odd_id, "text": ARTICLE}),
    ]
    (src / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _extract([src], out) == 1  # one document failed
    index = build_report(out)
    report = index.parent
    docs = read_table(out / "documents.csv")
    mentions = read_table(out / "mentions.csv")
    assert list(docs["status"]) == ["ok", "failed", "ok"]
    overview = index.read_text(encoding="utf-8")
    assert "<script" not in overview and "&lt;script&gt;x&lt;/script&gt;" in overview
    assert "not a JSON object" in overview  # the failure's error, on the overview
    failed = _parse((report / "d" / "000002.html").read_text(encoding="utf-8"))
    assert "This document failed" in "".join(failed.text) and not failed.articles
    raw = re.sub("[\ud800-\udfff]", "\ufffd", text)
    page_text = (report / "d" / "000001.html").read_text(encoding="utf-8")
    assert "<script" not in page_text and "</p><b>" not in page_text
    assert "&#13;" in page_text  # a CR the parser would otherwise turn into LF
    page = _parse(page_text)
    _check_highlights(page, raw, mentions[mentions["doc_id"] == hostile_id])
    assert hostile_id in "".join(page.text)
    odd = _parse((report / "d" / "000003.html").read_text(encoding="utf-8"))
    assert odd_id in "".join(odd.text)
    _check_highlights(odd, ARTICLE, mentions[mentions["doc_id"] == odd_id])
    # pages are named by position, never by id
    names = {p.name for p in report.rglob("*") if p.is_file()}
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", n) for n in names), names
    _local_refs(report)


def test_missing_changed_and_stdin_sources(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    (src / "gone.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "changed.txt").write_text(ARTICLE, encoding="utf-8")
    with gzip.open(src / "more.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "z1", "text": ARTICLE}) + "\n")
        fh.write(json.dumps({"id": "z2", "text": ARTICLE + " ٢"}) + "\n")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # sources relative to the current directory, as from a shell
    assert _extract([Path("in")], out) == 0
    (src / "gone.txt").unlink()
    (src / "changed.txt").write_text(ARTICLE + " و", encoding="utf-8")
    index = build_report(out)
    docs = list(read_table(out / "documents.csv")["doc_id"])
    assert docs == ["changed", "gone", "z1", "z2"]
    pages = [_parse((index.parent / "d" / f"{k:06d}.html").read_text(encoding="utf-8"))
             for k in range(1, 5)]  # fmt: skip
    changed, gone, z1, z2 = pages
    assert not changed.articles and "has changed since" in "".join(changed.text)
    assert not gone.articles and "cannot be read now" in "".join(gone.text)
    n_mentions = read_table(out / "documents.csv")["mentions"]
    for page, n in zip((changed, gone), n_mentions):  # the mentions are still listed
        assert n > 0 and len([i for i in page.ids if re.fullmatch(r"r\d+", i)]) == n
    assert z1.articles and z2.articles and z2.ents
    # run from another directory, the relative sources are not found: notes, no failure
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    index = build_report(out)
    z1 = _parse((index.parent / "d" / "000003.html").read_text(encoding="utf-8"))
    assert not z1.articles and "cannot be read now" in "".join(z1.text)
    # stdin: not read again
    stdin_out = tmp_path / "stdin-out"
    fake = io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    assert _extract(["-"], stdin_out) == 0
    index = build_report(stdin_out)
    page = _parse((index.parent / "d" / "000001.html").read_text(encoding="utf-8"))
    assert not page.articles and "standard input" in "".join(page.text)


def test_overlapping_mentions_are_listed_not_nested():
    text = "وزير الخارجية السعودي"
    mentions = [
        {"type": "ORGANIZATION", "start": 5, "end": 21, "text": text[5:21], "entity_id": ""},
        {"type": "NORP", "start": 14, "end": 21, "text": text[14:21], "entity_id": ""},
        {"type": "PERSON", "start": 0, "end": 4, "text": "خطأ", "entity_id": ""},  # off
    ]
    marked, skipped = _highlight(text, mentions, {})
    page = _parse(f'<article dir="rtl">{marked}</article>')
    assert [(e["attrs"]["data-start"], e["text"]) for e in page.ents] == [("5", text[5:21])]
    assert "".join(page.article_text) == text
    assert set(skipped) == {1, 2} and "overlaps mention 1" in skipped[1]


# ---------------------------------------------------------------------------------------------
# a real browser


def _chromium() -> str:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    why = "no headless Chromium found (apt-get install chromium, or set CHROMIUM)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}; under CI the browser test must run")
    pytest.skip(why)


def _browse(browser: str, page: Path, tmp: Path, *args: str) -> tuple[str, list[str]]:
    """Load a page in headless Chromium: (its stdout, the console lines it logged)."""
    cmd = [
        browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'profile'}",
        "--force-color-profile=srgb", "--enable-logging=stderr", "--v=0", *args,
        page.resolve().as_uri(),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [
        line
        for line in done.stderr.splitlines()
        if "CONSOLE" in line or "Uncaught" in line or "Content Security Policy" in line
    ]
    return done.stdout, console


def _png_colours(data: bytes) -> set[tuple[int, int, int]]:
    """The RGB colours of an 8-bit, non-interlaced PNG (what Chromium writes), without Pillow."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = head
    assert depth == 8 and colour in (2, 6) and interlace == 0, head
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, colours = bytearray(stride), set()
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 255
        colours.update(zip(line[0::bpp], line[1::bpp], line[2::bpp]))
        prev = line
    return colours


def test_browser_catches_console_errors(tmp_path):
    """The harness itself: a page with a script error does show a console line."""
    browser = _chromium()
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><p>x</p><script>nosuch();</script>", encoding="utf-8")
    _, console = _browse(browser, bad, tmp_path, "--dump-dom")
    assert any("nosuch" in line for line in console), console


def test_missing_browser_skips_or_fails_under_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no headless Chromium"):
        _chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI"):
        _chromium()


def test_seed_in_browser(seed_report, seed_text, tmp_path):
    browser = _chromium()
    out, index = seed_report
    mentions = read_table(out / "mentions.csv")
    doc_page = index.parent / "d" / "000001.html"
    dom, console = _browse(browser, doc_page, tmp_path, "--dump-dom")
    assert console == []
    page = _parse(dom)
    assert '<html lang="en">' in dom or "<html" in dom
    _check_highlights(page, seed_text, mentions)
    assert len(page.ents) == len(mentions)
    for target, size in ((doc_page, "1280,1600"), (doc_page, "390,1200"), (index, "1280,1600")):
        png = tmp_path / f"{target.stem}-{size.split(',')[0]}.png"
        _, console = _browse(browser, target, tmp_path, f"--screenshot={png}",
                             f"--window-size={size}", "--hide-scrollbars")  # fmt: skip
        assert console == []
        colours = _png_colours(png.read_bytes())
        # the stylesheet was applied: the legend's PERSON and LOCATION colours are on screen
        assert {(0xAA, 0x9C, 0xFC), (0xFE, 0xCA, 0x74)} <= colours, len(colours)
    dom, console = _browse(browser, index, tmp_path, "--dump-dom")
    assert console == [] and "Top people" in dom


def test_hostile_report_in_browser(tmp_path):
    browser = _chromium()
    src = tmp_path / "in"
    src.mkdir()
    text = f"</p></article><script>alert(1)</script><img src=x onerror=alert(2)>\"' {ARTICLE}"
    (src / "h.jsonl").write_text(
        json.dumps({"id": "<script>x</script>'=/", "text": text}) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    assert _extract([src], out) == 0
    index = build_report(out)
    for target in (index, index.parent / "d" / "000001.html"):
        dom, console = _browse(browser, target, tmp_path, "--dump-dom")
        assert console == []
        page = _parse(dom)
        assert "script" not in page.tags and "img" not in page.tags
    page = _parse(dom)
    assert "".join(page.article_text) == text


def test_timeline_values_and_far_years(seed_report, tmp_path, monkeypatch):
    from pipeline import report
    from pipeline.report import timeline

    assert report._month_of("2024-08-09/2024-08-10") == (2024, 8)
    assert report._month_of("2015-W30") == (2015, 7)  # an ISO week: the month of its Thursday
    assert report._month_of("2030") == (2030, 0)
    assert report._month_of("20") is None and report._month_of("2024-13") is None
    out, _ = seed_report
    monkeypatch.setattr(timeline, "MAX_YEARS", 2)
    index = build_report(out, dest=tmp_path / "r")
    overview = index.read_text(encoding="utf-8")
    assert "Earlier years" in overview and "Later years" in overview
    links = [v for _, _, v in _parse(overview).refs]
    assert "l/date-2024-08.1.html" in links  # the two years with the most mentions keep a row
    assert len([v for v in links if re.fullmatch(r"l/date-[0-9]{4}-all\.1\.html", v)]) == 3
    _local_refs(index.parent)
