"""Build `pipeline/lexicons/months.tsv`: month and weekday names for the dates stage.

Why a generated TSV: the dates stage must run offline with no CLDR lookups at start-up, and the
regional month lists (Egypt/Gulf يناير, Levant/Iraq كانون الثاني, Morocco يوليوز, Algeria/Tunisia
جانفي) live in CLDR. Babel exports them; ICU and hijridate spell the Hijri months (ربيع الآخر and
ربيع الثاني). A few spellings common in news but absent from CLDR are added by hand below.

Run: .venv/bin/python -m pipeline.training.build_date_lexicon
"""

from __future__ import annotations

import csv
from pathlib import Path

import babel.dates
import babel.localedata

from pipeline.arabic.normalize import normalize_text
from pipeline.training.reproducible import pin_environment

__all__ = ["build_rows", "main"]

_OUT = Path(__file__).resolve().parent.parent / "lexicons" / "months.tsv"

# Spellings seen in news that CLDR does not list (Egyptian يونيه/يوليه, Maghrebi أغشت, etc.).
_EXTRA_GREGORIAN: dict[int, tuple[str, ...]] = {
    1: ("جانفييه", "كانون ثاني"),
    4: ("إبريل", "ابريل", "أبريل", "افريل"),
    6: ("يونيه",),
    7: ("يوليه", "جويلية"),
    8: ("أغشت", "اغسطس"),
    9: ("شتمبر", "سيبتمبر"),
    10: ("أوكتوبر", "اكتوبر", "تشرين اول"),
    11: ("نوفمبر", "تشرين ثاني"),
    12: ("دجمبر", "ديسيمبر", "كانون اول"),
}
# Hijri months: ICU (islamic calendar, ar) and hijridate; variants of the 3rd-6th and 11th-12th.
_EXTRA_HIJRI: dict[int, tuple[str, ...]] = {
    1: ("محرم",),
    2: ("صفر",),
    3: ("ربيع الأول",),
    4: ("ربيع الآخر", "ربيع الثاني"),
    5: ("جمادى الأولى", "جمادى الأول"),
    6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة", "ذا القعدة"),
    12: ("ذو الحجة", "ذي الحجة", "ذا الحجة"),
}
# Names that are also ordinary words or names (آب "father", مارس "practised", ماي, أوت, نيسان the
# car maker, جوان a given name; Hijri رجب/شعبان/رمضان are given names, صفر is "zero"): the stage
# accepts them only with date context (a day, a year, شهر, a paired name or الماضي/المقبل).
_AMBIGUOUS = {"اب", "مارس", "ماي", "اوت", "نيسان", "جوان"}


def _norm(word: str) -> str:
    return normalize_text(word)[0]


def build_rows() -> list[tuple[str, int, str, str, int, str]]:
    """(kind, number, name as written, normalized name, ambiguous 0/1, source) rows, deduplicated."""
    rows: dict[tuple[str, str], tuple[str, int, str, str, int, str]] = {}

    def add(kind: str, num: int, name: str, source: str) -> None:
        norm = _norm(name)
        ambiguous = 1 if kind == "hijri" or norm in _AMBIGUOUS else 0
        rows.setdefault((kind, norm), (kind, num, name, norm, ambiguous, source))

    locales = sorted(x for x in babel.localedata.locale_identifiers() if x.split("_")[0] == "ar")
    for loc in locales:
        for width in ("wide", "abbreviated"):
            for ctx in ("format", "stand-alone"):
                names = babel.dates.get_month_names(width, ctx, locale=loc)
                for num, name in names.items():
                    add("gregorian", num, name, f"CLDR/Babel {loc}")
    for num, names in _EXTRA_GREGORIAN.items():
        for name in names:
            add("gregorian", num, name, "manual")
    for num, names in _EXTRA_HIJRI.items():
        for name in names:
            add("hijri", num, name, "ICU islamic ar / hijridate")
    days = babel.dates.get_day_names("wide", locale="ar")
    for idx, name in days.items():  # 0 = Monday, as datetime.weekday()
        add("weekday", idx, name, "CLDR/Babel ar")
    return sorted(rows.values(), key=lambda r: (r[0], r[1], r[3]))


def main() -> None:
    rows = build_rows()
    _OUT.parent.mkdir(parents=True, exist_ok=True)
    with _OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(("kind", "number", "name", "norm", "ambiguous", "source"))
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {_OUT}")


if __name__ == "__main__":
    pin_environment("pipeline.training.build_date_lexicon")
    main()
