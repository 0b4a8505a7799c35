"""The seed article end to end through Pipeline.default(): the acceptance figures of the issues."""

from __future__ import annotations

import pytest

from pipeline import Pipeline


@pytest.fixture(scope="module")
def doc(seed_text):
    return Pipeline.default()(seed_text)


def _by_text(doc, type_):
    return {m.text: m for m in doc.mentions if m.type == type_}


def test_offsets_exact(doc):
    for m in doc.mentions:
        assert doc.raw[m.start : m.end] == m.text
        assert m.entity_id


def test_amounts(doc):
    money = {m.text: (m.value, m.unit) for m in doc.mentions if m.type == "MONEY"}
    assert money == {
        "5.7 مليار دولار": (5_700_000_000, "USD"),
        "11 مليار دولار": (11_000_000_000, "USD"),
        "8 مليارات دولار": (8_000_000_000, "USD"),
    }
    assert _by_text(doc, "PERCENT")["26.8%"].value == 26.8
    assert _by_text(doc, "NUMBER")["خمسة"].value == 5
    dates = [m for m in doc.mentions if m.type == "DATE"]
    for m in doc.mentions:
        if m.type in ("NUMBER", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"):
            assert not any(d.overlaps(m.start, m.end) for d in dates), m.text


def test_dates_without_a_given_anchor(doc):
    values = {m.text: m.value for m in doc.mentions if m.type == "DATE"}
    expected = {
        "الجمعة 9 أغسطس/آب 2024": "2024-08-09",
        "مايو/أيار 2024": "2024-05",
        "يوليو 2022": "2022-07",
        "عام 2018": "2018",
        "عام 2030": "2030",
        "العام الماضي": "2023",
        "التاسع والعاشر من أغسطس/آب": "2024-08-09/2024-08-10",
        "القرن الحادي والعشرين": "20",
    }
    for text, value in expected.items():
        assert values.get(text) == value, text
    assert any(t.startswith("10 من أغسطس/آب") and v == "2024-08-10" for t, v in values.items())


def _entity_of(doc, text, type_):
    ids = {m.entity_id for m in doc.mentions if m.type == type_ and m.normalized.endswith(text)}
    assert len(ids) == 1, (text, ids)
    return next(e for e in doc.entities if e.id in ids)


def test_entities(doc):
    tokayev = _entity_of(doc, "توكاييف", "PERSON")
    assert tokayev.canonical.endswith("جومارت توكاييف") and len(tokayev.mentions) >= 5
    assert _entity_of(doc, "كيشيدا", "PERSON").canonical == "فوميو كيشيدا"
    kyrgyz = {m.entity_id for m in doc.mentions if m.text in ("قرغيزستان", "قيرغيزستان")}
    assert len(kyrgyz) == 1
    japan = _entity_of(doc, "يابان", "LOCATION")
    assert {"اليابان", "ليابان"} <= set(japan.variants) and japan.links["country_code"] == "JP"
    kz = _entity_of(doc, "كازاخستان", "LOCATION")
    assert kz.links["country_code"] == "KZ" and kz.links["name_en"] == "Kazakhstan"


@pytest.mark.xfail(
    strict=True,
    reason="the shipped NER (what make train builds) tags 'جومارت توكاييف' without 'قاسم': one of the"
    " 8 seed misses of models/cards/ner.md; strict, so a model that finds it fails here until this mark goes",
)
def test_tokayev_full_name(doc):
    assert _entity_of(doc, "توكاييف", "PERSON").canonical == "قاسم جومارت توكاييف"


def test_clitics_split_off_names(doc):
    tokens = {t.text: t for t in doc.tokens}
    for word, stem in (("وتوكاييف", "توكاييف"), ("وصادر", "صادر"), ("لليابان", "ليابان")):
        kinds = [(p.kind, p.text) for p in tokens[word].parts]
        assert kinds[0][0] == "proclitic" and ("stem", stem) in kinds
    japan = [m for m in doc.mentions if m.text == "ليابان"]
    assert japan and japan[0].normalized == "اليابان"
