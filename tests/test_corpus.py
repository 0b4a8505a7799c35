"""Entities across the documents of a run (corpus_entities, and corpus_entity_id in entities)."""

from __future__ import annotations

from pipeline.cli import main
from pipeline.corpus import CorpusLinker
from pipeline.table import read_table

ARTICLES = {
    "a": "قال الرئيس الكازاخستاني قاسم جومارت توكاييف في أستانا إن التجارة مع اليابان بلغت "
    "5.7 مليار دولار.",
    "b": "قال الرئيس توكاييف في آستانة إن الاتفاق مهم.",
    "c": "وأكد توكاييف أن أستانة ترحب بالمستثمرين، وقال محمد إن 5.7 مليار دولار مبلغ كبير.",
}


def _entity(doc, n, type_, canonical, **links):
    row = {"doc_id": doc, "entity_id": f"{doc}#e{n}", "type": type_, "canonical": canonical,
           "mentions": 1, "variants": canonical, "country_code": "", "geonames_id": "",
           "name_en": ""}  # fmt: skip
    row.update(links)
    return row


def _link(rows):
    linker = CorpusLinker()
    linker.add(rows)
    mapping, corpus = linker.finish()
    return mapping, corpus


def test_tokayev_and_astana_are_one_entity_each_across_the_run(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, text in ARTICLES.items():
        (src / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(src), "--out", str(out), "--quiet"]) == 0
    ents = read_table(out / "entities.csv")
    corpus = read_table(out / "corpus_entities.csv").set_index("corpus_entity_id")
    tokayev = ents[ents["canonical"].str.contains("توكاييف")]
    assert set(tokayev["doc_id"]) == {"a", "b", "c"}
    assert tokayev["corpus_entity_id"].nunique() == 1
    row = corpus.loc[tokayev["corpus_entity_id"].iloc[0]]
    assert row["documents"] == 3 and "قاسم جومارت توكاييف" in row["canonical"]
    astana = ents[ents["canonical"].isin(["أستانا", "آستانة"])]
    assert set(astana["canonical"]) == {"أستانا", "آستانة"}
    assert astana["corpus_entity_id"].nunique() == 1
    row = corpus.loc[astana["corpus_entity_id"].iloc[0]]
    assert row["geonames_id"] == "1526273" and set(row["variants"].split("|")) >= {
        "أستانا",
        "آستانة",
    }
    assert corpus.index.tolist() == [f"c{i}" for i in range(1, len(corpus) + 1)]
    assert set(ents["corpus_entity_id"]) == set(corpus.index)


def test_a_surname_shared_by_two_full_names_stays_apart():
    mapping, _ = _link([
        _entity("a", 1, "PERSON", "أحمد الشرع"),
        _entity("b", 1, "PERSON", "ماهر الشرع"),
        _entity("c", 1, "PERSON", "الشرع"),
    ])  # fmt: skip
    assert len(set(mapping.values())) == 3
    mapping, _ = _link(
        [_entity("a", 1, "PERSON", "أحمد الشرع"), _entity("c", 1, "PERSON", "الشرع")]
    )
    assert mapping["a#e1"] == mapping["c#e1"]


def test_a_common_given_name_alone_is_not_merged_across_articles():
    mapping, _ = _link([_entity("a", 1, "PERSON", "محمد"), _entity("b", 1, "PERSON", "محمد")])
    assert mapping["a#e1"] != mapping["b#e1"]


def test_types_never_merge_and_only_machine_values_do():
    mapping, corpus = _link([
        _entity("a", 1, "LOCATION", "الأردن", country_code="JO"),
        _entity("b", 1, "ORGANIZATION", "الأردن"),
        _entity("a", 2, "DATE", "2024-08-09"),
        _entity("b", 2, "DATE", "2024-08-09"),
        _entity("a", 3, "DATE", "يوم الجمعة"),
        _entity("b", 3, "DATE", "يوم الجمعة"),
    ])  # fmt: skip
    assert mapping["a#e1"] != mapping["b#e1"]
    assert mapping["a#e2"] == mapping["b#e2"]
    assert mapping["a#e3"] != mapping["b#e3"]
    assert [r["corpus_entity_id"] for r in corpus] == [f"c{i}" for i in range(1, 6)]


def test_transliterations_merge_by_skeleton_and_places_by_gazetteer():
    mapping, corpus = _link([
        _entity("a", 1, "LOCATION", "قرغيزستان"),
        _entity("b", 1, "LOCATION", "قيرغيزستان"),
        _entity("a", 2, "LOCATION", "الرياض", geonames_id="108410", country_code="SA"),
        _entity("b", 2, "LOCATION", "مدينة الرياض", geonames_id="108410", country_code="SA"),
    ])  # fmt: skip
    assert mapping["a#e1"] == mapping["b#e1"]
    assert mapping["a#e2"] == mapping["b#e2"]
    riyadh = next(r for r in corpus if r["geonames_id"] == "108410")
    assert riyadh["canonical"] == "مدينة الرياض" and riyadh["documents"] == 2
