"""Month and weekday names (normalized spelling), from one table: pipeline/lexicons/months.tsv;
and the time zones written after توقيت (pipeline/lexicons/timezones.tsv).

Gregorian months in their regional lists (Egyptian/Gulf يناير, Levantine كانون الثاني, Maghrebi جانفي
and يناير/غشت), Hijri months and weekdays; built by `python -m pipeline.training.build_date_lexicon`
from CLDR and the hijridate names (see pipeline/lexicons/SOURCES.md).
"""

from __future__ import annotations

from functools import lru_cache

from pipeline.lexicons import load_rows

__all__ = ["load_months", "load_time_zones"]

_HEADER = ("kind", "number", "name", "norm", "ambiguous", "source")


@lru_cache(maxsize=1)
def _months() -> dict[str, dict[str, tuple[int, bool]]]:
    out: dict[str, dict[str, tuple[int, bool]]] = {"gregorian": {}, "hijri": {}, "weekday": {}}
    rows = load_rows("months")
    cols = {c: i for i, c in enumerate(rows[0])}
    if tuple(rows[0][: len(_HEADER)]) != _HEADER:
        raise ValueError(f"months.tsv: unexpected header {rows[0]}")
    for row in rows[1:]:
        out[row[cols["kind"]]][row[cols["norm"]]] = (
            int(row[cols["number"]]),
            row[cols["ambiguous"]] == "1",
        )
    return out


def load_months() -> dict[str, dict[str, tuple[int, bool]]]:
    """{kind: {normalized name: (number, ambiguous)}}; kinds gregorian, hijri, weekday (a copy)."""
    return {kind: dict(names) for kind, names in _months().items()}


@lru_cache(maxsize=1)
def load_time_zones() -> dict[str, str]:
    """{normalized zone word: UTC offset "+03:00"} from pipeline/lexicons/timezones.tsv: places and
    names written after توقيت (مكة المكرمة، غرينتش، GMT) whose offset is the same all year."""
    rows = load_rows("timezones")
    if tuple(rows[0]) != ("name", "norm", "offset"):
        raise ValueError(f"timezones.tsv: unexpected header {rows[0]}")
    return {row[1]: row[2] for row in rows[1:]}
