"""The clock-time recognizer of the date grammar: hours in digits or words with their minutes
(الساعة 10:30، السابعة والنصف، السادسة إلا ربعا، الثالثة وعشر دقائق), the part of the day after them
(مساء، عصرا، بعد المغرب) and their time zone (بتوقيت مكة المكرمة، GMT+3), and parts of the day on
their own (صباحا، بعد الظهر) — every TIME the grammar finds except the relative ones (الليلة، الآن)."""

from __future__ import annotations

import re
from functools import partial

from pipeline.arabic.numparse import parse_cardinal
from pipeline.arabic.numwords import hour_fractions
from pipeline.dates.patterns import Cand, Grammar
from pipeline.dates.recognize import _clean, _scan
from pipeline.dates.values import Anchor, Spans, _const, _iso
from pipeline.dates.words import _AP_WORDS, _HOURS, _POD, _POD_ADV

# The fractions of an hour (numwords): after و, with or without the article (السابعة والنصف، وربع);
# after إلا, the quarter and the third, also in the accusative (الثامنة إلا ربعا، إلا ثلث).
_PLUS_FRACTION = {al + w: m for w, m in hour_fractions().items() for al in ("", "ال")}
_MINUS_FRACTION = {w + a: m for w, m in hour_fractions().items() if m < 30 for a in ("", "ا")}


def _ap_code(ap: str | None) -> str:
    """The part of day (MO MI AF EV NI) that a word after a clock time names, or ""."""
    if not ap:
        return ""
    w = " ".join(ap.split())
    if w.startswith(("من ", "في ")):  # الثالثة من بعد الظهر، الخامسة من مساء الأحد
        w = w[3:]
    if w in _AP_WORDS:
        return _AP_WORDS[w]
    if w in ("ص", "م"):
        return "MO" if w == "ص" else "EV"
    w = w.split()[-1]
    return _POD_ADV.get(w) or _POD.get(w[2:] if w.startswith("ال") else w, "")


def _hour24(h: int, code: str) -> int:
    """12-hour clock to 24 hours by the part of day: مساء 10 -> 22, عصرا 4 -> 16, ظهرا 1 -> 13,
    ليلا 10 -> 22 but ليلا 2 -> 2, الثانية عشرة ليلا -> 0, صباحا 12 -> 0."""
    if code in ("AF", "EV") and h < 12:
        return h + 12
    if code == "MI" and h < 6:
        return h + 12
    if code == "NI" and 6 <= h < 12:
        return h + 12
    if code in ("MO", "NI") and h == 12:
        return 0
    return h


# A feminine noun with the article before an hour word makes it an ordinal adjective (الجلسة
# السابعة مساء: the seventh session), not a clock time.
_ORDINAL_NOUN_BEFORE = re.compile(r"(?<!\w)(?:[وفب]?ال)[^\W\d_]+ه\s+$")
# A score or a ratio, not a time (فاز بنتيجة 2:1، بنسبة 3:2).
_SCORE_BEFORE = re.compile(r"(?<!\w)(?:ب?نتيجه|النتيجه|بنسبه|نسبه|بفارق|الشوط|مباراه)\s+$")


def _minutes_in_words(text: str | None) -> int | None:
    if not text:
        return None
    p = parse_cardinal(text.split())
    return int(p.value) if p is not None and p.end == len(text.split()) else None


def _times(g: Grammar, norm: str, spans: Spans) -> list[Cand]:
    out: list[Cand] = []
    for mt in _scan(g.time_re, norm, spans):
        s, e = mt.span("c")
        ap, tz = mt["ap"], mt["tz"]
        code = _ap_code(ap)
        frac = mt["frac"] is not None
        if mt["hw"]:
            if not (mt["sa"] or frac or (ap and ap not in ("ص", "م"))):
                continue  # "الرابعة" alone is an ordinal
            if not (mt["sa"] or frac) and _ORDINAL_NOUN_BEFORE.search(norm, max(0, s - 20), s):
                continue
            h, mi, se = _HOURS[" ".join(mt["hw"].split())], 0, None
        else:
            h, mi = int(mt["hd"]), int(mt["mi"] or 0)
            se = int(mt["se"]) if mt["se"] else None
            bare = mt["sep"] == ":" and mt["mi"] is not None and not frac
            if not (mt["sa"] or (mt["mi"] and (ap or tz)) or (ap and ap not in ("ص", "م"))):
                if not bare or _SCORE_BEFORE.search(norm, max(0, s - 12), s):
                    continue
            if ap in ("ص", "م") and (not mt["mi"] or mt["sep"] == "."):
                continue
        if mt["fw"] or mt["fm"] or mt["fmw"]:
            fw = mt["fw"] or ""
            words = _minutes_in_words(mt["fmw"])
            add = _PLUS_FRACTION.get(fw, words if words is not None else int(mt["fm"] or 0))
            if mt["fmw"] and words is None:
                continue
            mi += add
        elif mt["fl"] or mt["fm2"] or mt["fmw2"]:
            words = _minutes_in_words(mt["fmw2"])
            minus = _MINUS_FRACTION.get(
                mt["fl"] or "", words if words is not None else int(mt["fm2"] or 0)
            )
            if not 0 < minus < 60:
                continue
            h, mi = h - 1, 60 - minus
        if not (0 <= h <= 24 and 0 <= mi < 60):
            continue
        h = _hour24(h, code)
        clock = f"T{h % 24:02d}:{mi:02d}" + (f":{se:02d}" if se is not None else "")
        clock += _zone_offset(g, mt)
        normalized = clock[1:6] + (clock[6:9] if se is not None else "")
        normalized += " " + _clean(tz) if tz else ""
        fn = partial(_on_day, clock)
        score = 1.0 if mt["sa"] or ap or frac else 0.8
        out.append(Cand(s, e, "TIME", "clock", fn, score, normalized, None, 3))
    for mt in _scan(g.pod_re, norm, spans):
        s, e = mt.span("c")
        if mt["adv"]:
            adv = _clean(mt["adv"])
            code = _POD_ADV.get(adv) or _AP_WORDS[adv]
            # بعد ظهر، قبل ظهر end in a noun in construct: like صباح they need the day that follows
            # (بعد ظهر الأحد), and the merge drops them without one
            kind = "pod" if adv.split()[-1] in _POD else "podadv"
            out.append(Cand(s, e, "TIME", kind, partial(_const, f"T{code}"), 0.6, adv, None, 0))
        else:
            code = _POD[mt["p"]]
            out.append(
                Cand(s, e, "TIME", "pod", partial(_const, f"T{code}"), 0.0, mt["p"], None, 0)
            )
    return out


def _zone_offset(g: Grammar, mt: re.Match[str]) -> str:
    """The UTC offset of the zone after a time: written (GMT+3, بتوقيت غرينتش +2), or known for
    the place (بتوقيت مكة المكرمة -> +03:00); "" for local time or a zone with daylight saving."""
    if not mt["tz"]:
        return ""
    if mt["zh"]:
        h = int(mt["zh"])
        m = int(mt["zm"] or 0)
        return f"{mt['zs']}{h:02d}:{m:02d}" if h <= 14 else ""
    if mt["zg"]:
        return "+00:00"
    name = " ".join((mt["zn"] or "").split())
    return g.zones.get(name) or g.zones.get(name[2:] if name.startswith("ال") else name, "")


def _on_day(clock: str, anchor: Anchor) -> str:
    """A clock time with no day written is on the document's day (its date), when known."""
    return f"{_iso(anchor)}{clock}" if anchor is not None else clock


CLOCK_RECOGNIZERS = (_times,)
