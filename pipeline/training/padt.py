"""Read the reconstructed UD Arabic-PADT files: surface tokens with their syntactic words and UPOS.

Why a reader of our own: the reconstructed files carry only ID, FORM, UPOS and multiword-token
ranges, and the words of a multiword token are not always substrings of the surface form (ل + الأمم
is written للامم; زيارة + ه is written زيارته; forms carry hamza and dagger alef the surface lacks).
The tag stage needs each word as a character span of the surface token, so this module also aligns
the words of a token onto its surface (`align_parts`), on normalized text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.arabic.normalize import normalize_text

__all__ = ["PadtToken", "read_conllu", "align_parts", "norm", "padt_path"]


@dataclass(slots=True)
class PadtToken:
    """A surface token: its form and its syntactic words [(form, upos), ...] (one word if no split)."""

    form: str
    words: list[tuple[str, str]]


def norm(text: str) -> str:
    """The project's normalized spelling (what the tag stage sees at run time)."""
    return normalize_text(text)[0]


def padt_path(data_dir: Path, split: str) -> Path:
    """Path of one reconstructed PADT split (train, dev or test) under DATA_DIR."""
    return Path(data_dir) / "ud" / "padt" / f"ar_padt-ud-{split}.reconstructed.conllu"


def read_conllu(path: Path) -> Iterator[list[PadtToken]]:
    """Yield sentences as lists of surface tokens (multiword tokens keep their words)."""
    sent: list[PadtToken] = []
    mwt_end = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                if sent:
                    yield sent
                sent = []
                mwt_end = 0
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            ident = cols[0]
            if "-" in ident:
                first, last = ident.split("-")
                sent.append(PadtToken(cols[1], []))
                mwt_end = int(last)
            elif "." in ident:
                continue  # empty nodes: none expected, but they are not surface words
            else:
                i = int(ident)
                if i <= mwt_end and sent:
                    sent[-1].words.append((cols[1], cols[3]))
                else:
                    sent.append(PadtToken(cols[1], [(cols[1], cols[3])]))
    if sent:
        yield sent


def _edit(a: str, b: str) -> int:
    """Levenshtein distance (words are short: a plain DP is fast enough)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def align_parts(surface: str, parts: list[str]) -> list[tuple[int, int]]:
    """Split `surface` into len(parts) non-empty consecutive spans that best match `parts`.

    Both are normalized strings. Exact concatenation is the common case; otherwise a small DP picks
    the cut points with the least edit distance, preferring, on ties, the cut that keeps the
    earlier part at its own length (ل|ليابان for ل + اليابان, زيار|ته is never chosen over زيارت|ه).
    Returns [] when there are more parts than characters.
    """
    k = len(parts)
    n = len(surface)
    if k == 1:
        return [(0, n)]
    if k > n:
        return []
    if "".join(parts) == surface:
        out = []
        pos = 0
        for p in parts:
            out.append((pos, pos + len(p)))
            pos += len(p)
        return out
    # best[i][j]: cost of aligning parts[:i] onto surface[:j]
    inf = (10**9, 0)
    best: list[list[tuple[int, int]]] = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = (0, 0)
    expected = 0
    for i in range(1, k + 1):
        p = parts[i - 1]
        expected += len(p)
        for j in range(i, n - (k - i) + 1):
            for s in range(i - 1, j):
                prev = best[i - 1][s]
                if prev[0] >= 10**9:
                    continue
                cost = (prev[0] + _edit(surface[s:j], p), prev[1] + abs(j - expected))
                if cost < best[i][j]:
                    best[i][j] = cost
                    back[i][j] = s
    spans: list[tuple[int, int]] = []
    j = n
    for i in range(k, 0, -1):
        s = back[i][j]
        spans.append((s, j))
        j = s
    spans.reverse()
    return spans
