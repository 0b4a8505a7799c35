"""Normalize Arabic text for matching, keeping an exact map back to the raw text.

Why a map: every later stage matches on one canonical spelling (no diacritics, one alef, ASCII
digits) but must report offsets into the text the user gave us. The normalizer builds the map as it
edits, like Hugging Face tokenizers' NormalizedString: each normalized character knows the raw span
it came from. Most edits are 1:1 (a `str.translate` table); only removals (diacritics, tatweel,
invisible controls) and compositions (NFC, presentation forms) change lengths, and only those go
through the slow path.

The reference for what happens to Arabic letters is camel-tools: on letters and diacritics the
result is `normalize_alef_ar(normalize_alef_maksura_ar(normalize_teh_marbuta_ar(dediac_ar(s))))`
(tests/test_normalize.py checks it on generated text), plus tatweel removed, which `dediac_ar`
keeps. camel-tools' functions are not called here because they keep no offsets.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import numpy as np
import regex

__all__ = ["normalize_text", "norm_word", "strip_diacritics", "CHAR_MAP", "TATWEEL", "DIACRITICS"]

TATWEEL = "\u0640"

# One-to-one replacements, applied with str.translate. Keys are characters as they appear in
# news text; values are the single character used for matching.
CHAR_MAP: dict[str, str] = {
    # alef forms -> bare alef
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    # alef maqsura and Persian yeh -> yeh; teh marbuta -> heh; Persian kaf -> kaf
    "ى": "ي",
    "ی": "ي",
    "ې": "ي",
    "ة": "ه",
    "ک": "ك",
    # digits: Arabic-Indic and Persian (Extended Arabic-Indic) -> ASCII
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    # Arabic punctuation and number separators -> ASCII equivalents
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٪": "%",
    "٫": ".",
    "٬": ",",
    "۔": ".",
    "﹪": "%",
    # quotes and dashes -> one form each
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "″": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "–": "-",
    "—": "-",
    "‒": "-",
    "―": "-",
    "−": "-",
    "‐": "-",
    "‑": "-",
    # unusual spaces -> plain space (thin and no-break spaces separate thousands in some outlets)
    "\u00a0": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u3000": " ",
    "\u2028": "\n",
    "\u2029": "\n",
}
_TABLE = str.maketrans(CHAR_MAP)

# Characters that change length when normalized: combining marks (Arabic diacritics among them),
# tatweel, format controls (ZWJ/ZWNJ, LRM/RLM, bidi embeddings and isolates, BOM, soft hyphen),
# Arabic presentation forms (compatibility-decomposed), and characters NFC would replace.
# camel-tools' AR_DIAC_CHARSET (tanween, harakat, shadda, sukun, dagger alef) plus the Quranic
# annotation marks and the small high letters. Spelled out rather than imported because importing
# camel_tools.utils.charsets costs about a second at start-up; tests/test_normalize.py checks that
# this set still contains camel-tools' own.
DIACRITICS = (
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657"
    "\u0658\u0659\u065a\u065b\u065c\u065d\u065e\u065f\u0670"
    "\u06d6\u06d7\u06d8\u06d9\u06da\u06db\u06dc\u06df\u06e0\u06e1\u06e2\u06e3\u06e4"
    "\u06e7\u06e8\u06ea\u06eb\u06ec\u06ed\u08d3\u08d4\u08e3\u08f0\u08f1\u08f2"
)


def _bmp_classes() -> tuple[str, str]:
    """Scan the BMP once: removable characters (marks, format controls) and NFC singletons.

    Why a scan: stdlib `re` with an explicit character set finds the rare special characters of
    news text several times faster than `regex` with Unicode property classes.
    """
    removable, singletons = [], []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        cat = unicodedata.category(c)
        if cat[0] == "M" or cat == "Cf":
            removable.append(c)
        elif unicodedata.normalize("NFC", c) != c:
            singletons.append(c)
    return "".join(removable), "".join(singletons)


def _char_class(chars: str) -> str:
    """A compact regex character class for a set of BMP characters (runs become ranges)."""
    cps = sorted(set(map(ord, chars)))
    parts, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "".join(parts)


_REMOVABLE, _SINGLETONS = _bmp_classes()
_REMOVABLE_CLASS = _char_class(_REMOVABLE + TATWEEL + DIACRITICS)
# Runs of removable characters, and single characters that need composing or decomposing.
_SPECIAL_BMP = re.compile(
    "[" + _REMOVABLE_CLASS + "]+"  # marks, controls, tatweel
    "|[\ufb50-\ufdff\ufe70-\ufefe]"  # Arabic presentation forms
    "|[" + _char_class(_SINGLETONS) + "]"  # NFC singletons
)
# The same over all of Unicode, for the rare text with characters beyond the BMP.
_SPECIAL_ALL = regex.compile(
    r"[\p{M}\p{Cf}\u0640" + regex.escape(DIACRITICS) + r"]+"
    r"|[\uFB50-\uFDFF\uFE70-\uFEFE]"
    r"|[" + regex.escape(_SINGLETONS, special_only=False) + r"\U0002F800-\U0002FA1D]",
    regex.V1,
)
_STRIP = regex.compile(r"[\p{M}\p{Cf}\u0640" + regex.escape(DIACRITICS) + r"]+", regex.V1)
_CONTROLS_ONLY = regex.compile(r"[\p{Cf}]+", regex.V1)
# Marks that never compose with a base under NFC: removing them is a pure deletion, the common case
# (tanween in أيضاً, shadda, harakat). Hamza above/below and madda (U+0653-0655) do compose.
_PLAIN_MARKS = frozenset("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640")
_CLEAN_CACHE: dict[str, str] = {}


def _clean(cluster: str) -> str:
    """Normalize one cluster: compose (NFC), decompose presentation forms (NFKC), strip, map."""
    out = _CLEAN_CACHE.get(cluster)
    if out is None:
        form = "NFKC" if "\ufb50" <= cluster[0] <= "\ufefe" else "NFC"
        out = _STRIP.sub("", unicodedata.normalize(form, cluster)).translate(_TABLE)
        if len(_CLEAN_CACHE) < 100_000:
            _CLEAN_CACHE[cluster] = out
    return out


def _has_astral(t: str) -> bool:
    """True when the text holds a character beyond the BMP.

    CPython stores such a string with 4 bytes per character, which `sys.getsizeof` reveals in
    constant time; short strings are simply scanned.
    """
    n = len(t)
    if n < 256:
        return bool(t) and max(t) > "\uffff"
    return sys.getsizeof(t) > 3 * n + 128


def normalize_text(raw: str) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """Return (norm, starts, ends): for each char of norm, the raw span [starts[i], ends[i]).

    starts/ends are None when norm has the same length as raw and char i came from raw char i.
    Removed marks and tatweel are absorbed into the preceding kept character's raw span, so that a
    word's raw span includes its diacritics; removed invisible controls belong to no character.
    """
    t = raw.translate(_TABLE)
    pattern = _SPECIAL_ALL if _has_astral(t) else _SPECIAL_BMP
    matches = list(pattern.finditer(t))
    if not matches:
        return t, None, None
    pieces: list[str] = []
    start_runs: list[np.ndarray] = []
    end_runs: list[np.ndarray] = []
    pos = 0
    last_end = -1  # raw end of the last kept character, to absorb the marks that follow it
    for m in matches:
        a, b = m.span()
        run = m.group()
        if a > pos and run[0] in _PLAIN_MARKS and all(c in _PLAIN_MARKS for c in run):
            # pure deletion after a kept character: that character's raw span grows to b
            pieces.append(t[pos:a])
            start_runs.append(np.arange(pos, a))
            ends = np.arange(pos + 1, a + 1)
            ends[-1] = b
            end_runs.append(ends)
            pos = last_end = b
            continue
        if a > pos and "\u0300" <= run[0] and unicodedata.category(run[0])[0] == "M":
            a -= 1  # a mark run composes with the character before it: one cluster
            run = t[a:b]
        if a > pos:
            pieces.append(t[pos:a])
            start_runs.append(np.arange(pos, a))
            end_runs.append(np.arange(pos + 1, a + 1))
            last_end = a
        pos = b
        out = _clean(run)
        if out:
            pieces.append(out)
            start_runs.append(np.full(len(out), a))
            end_runs.append(np.full(len(out), b))
            last_end = b
        elif last_end == a and end_runs and not _CONTROLS_ONLY.fullmatch(run):
            end_runs[-1][-1] = b
            last_end = b
    if pos < len(t):
        pieces.append(t[pos:])
        start_runs.append(np.arange(pos, len(t)))
        end_runs.append(np.arange(pos + 1, len(t) + 1))
    norm = "".join(pieces)
    if not norm:
        return norm, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return norm, np.concatenate(start_runs), np.concatenate(end_runs)


def norm_word(text: str) -> str:
    """The normalized spelling of a word or phrase of a table (no alignment)."""
    return normalize_text(text)[0]


_DIACRITICS_RE = re.compile("[" + DIACRITICS + TATWEEL + "]")


def strip_diacritics(text: str) -> str:
    """`text` without Arabic diacritics and tatweel (nothing else changed: no letter mapping)."""
    return _DIACRITICS_RE.sub("", text)
