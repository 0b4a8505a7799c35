"""Normalize Arabic text for matching, keeping an exact map back to the raw text.

Why a map: every later stage matches on one canonical spelling (no diacritics, one alef, ASCII
digits) but must report offsets into the text the user gave us. The normalizer builds the map as it
edits, like Hugging Face tokenizers' NormalizedString: each normalized character knows the raw span
it came from. Most edits are 1:1 (a `str.translate` table); only removals (diacritics, tatweel,
invisible controls) and compositions (NFC, presentation forms) change lengths, and only those go
through the slow path.
"""

from __future__ import annotations

import unicodedata
from array import array

import regex

from pipeline.document import Document

__all__ = ["normalize_text", "Normalizer", "CHAR_MAP", "TATWEEL"]

TATWEEL = "\u0640"

# One-to-one replacements, applied with str.translate. Keys are characters as they appear in
# news text; values are the single character used for matching.
CHAR_MAP: dict[str, str] = {
    # alef forms -> bare alef
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    # alef maqsura and Persian yeh -> yeh; teh marbuta -> heh; Persian kaf -> kaf
    "ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ک": "ك",
    # digits: Arabic-Indic and Persian (Extended Arabic-Indic) -> ASCII
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    # Arabic punctuation and number separators -> ASCII equivalents
    "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",", "۔": ".", "﹪": "%",
    # quotes and dashes -> one form each
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
    # unusual spaces -> plain space (thin and no-break spaces separate thousands in some outlets)
    "\u00a0": " ", "\u2007": " ", "\u2008": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
    "\u2002": " ", "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u3000": " ",
    "\u2028": "\n", "\u2029": "\n",
}
_TABLE = str.maketrans(CHAR_MAP)

# Characters that change length when normalized: combining marks (Arabic diacritics among them),
# tatweel, format controls (ZWJ/ZWNJ, LRM/RLM, bidi embeddings and isolates, BOM, soft hyphen),
# Arabic presentation forms (compatibility-decomposed), and characters NFC would replace.
# camel-tools' AR_DIAC_CHARSET (tanween, harakat, shadda, sukun, dagger alef) plus the Quranic
# annotation marks and the small high letters. Spelled out rather than imported because importing
# camel_tools.utils.charsets costs about a second at start-up; tests/test_normalize.py checks that
# this set still contains camel-tools' own.
_DIACRITICS = (
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657"
    "\u0658\u0659\u065a\u065b\u065c\u065d\u065e\u065f\u0670"
    "\u06d6\u06d7\u06d8\u06d9\u06da\u06db\u06dc\u06df\u06e0\u06e1\u06e2\u06e3\u06e4"
    "\u06e7\u06e8\u06ea\u06eb\u06ec\u06ed\u08d3\u08d4\u08e3\u08f0\u08f1\u08f2"
)


def _nfc_singletons() -> str:
    """Characters outside the combining marks whose NFC form differs (e.g. U+212B ANGSTROM SIGN)."""
    out = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if unicodedata.category(c)[0] != "M" and unicodedata.normalize("NFC", c) != c:
            out.append(c)
    return "".join(out)


_SINGLETONS = regex.escape(_nfc_singletons(), special_only=False)
_SPECIAL = regex.compile(
    r"[^\p{M}\p{Cf}\u0640][\p{M}" + regex.escape(_DIACRITICS) + r"]+"  # base + marks
    r"|[\p{M}\p{Cf}\u0640]+"  # marks, controls or tatweel without a base
    r"|[\uFB50-\uFDFF\uFE70-\uFEFE]"  # Arabic presentation forms
    r"|[" + _SINGLETONS + r"\U0002F800-\U0002FA1D]",  # NFC singletons (incl. CJK compatibility)
    regex.V1,
)
_STRIP = regex.compile(r"[\p{M}\p{Cf}\u0640" + regex.escape(_DIACRITICS) + r"]+", regex.V1)
_CONTROLS_ONLY = regex.compile(r"[\p{Cf}]+", regex.V1)


def _clean(cluster: str) -> str:
    """Normalize one special cluster: compose, decompose presentation forms, strip marks, map."""
    if "\uFB50" <= cluster[0] <= "\uFEFE":
        cluster = unicodedata.normalize("NFKC", cluster)
    else:
        cluster = unicodedata.normalize("NFC", cluster)
    return _STRIP.sub("", cluster).translate(_TABLE)


def normalize_text(raw: str) -> tuple[str, array | None, array | None]:
    """Return (norm, starts, ends): for each char of norm, the raw span [starts[i], ends[i]).

    starts/ends are None when norm has the same length as raw and char i came from raw char i.
    Removed marks and tatweel are absorbed into the preceding kept character's raw span, so that a
    word's raw span includes its diacritics; removed invisible controls belong to no character.
    """
    t = raw.translate(_TABLE)
    if _SPECIAL.search(t) is None:
        return t, None, None
    pieces: list[str] = []
    starts = array("q")
    ends = array("q")
    pos = 0
    for m in _SPECIAL.finditer(t):
        a, b = m.span()
        if a > pos:
            pieces.append(t[pos:a])
            starts.extend(range(pos, a))
            ends.extend(range(pos + 1, a + 1))
        pos = b
        out = _clean(m.group())
        if out:
            pieces.append(out)
            starts.extend([a] * len(out))
            ends.extend([b] * len(out))
        elif len(ends) and ends[-1] == a and not _CONTROLS_ONLY.fullmatch(m.group()):
            ends[-1] = b
    if pos < len(t):
        pieces.append(t[pos:])
        starts.extend(range(pos, len(t)))
        ends.extend(range(pos + 1, len(t) + 1))
    return "".join(pieces), starts, ends


class Normalizer:
    """Pipeline stage: fills `Document.norm` and its alignment to `raw`."""

    name = "normalize"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("norm",)

    def __call__(self, doc: Document) -> Document:
        norm, starts, ends = normalize_text(doc.raw)
        doc.set_norm(norm, starts, ends)
        return doc
