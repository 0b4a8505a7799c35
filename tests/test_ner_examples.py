"""The NER example corpus (pipeline/stages/ner_examples.tsv): every line runs; known misses only go down.

Each backend whose model files are present runs every line. A line passes when its PERSON / LOCATION /
ORGANIZATION mentions equal the expected ones exactly (types, raw texts, order). Lines a backend still
gets wrong are listed in tests/ner_known_misses.tsv: a failure not listed there is a regression, and a
listed line that now passes must be taken off the list, so the count of misses only goes down.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pipeline.ner.institutions import institution_backstop
from pipeline.ner.tokens import kept_proclitics, unseen_with_proclitic
from pipeline.resources import models_dir
from pipeline.training.ner_examples import (
    backend_names,
    load_examples,
    ner_pipeline,
    run_examples,
)

MISSES = Path(__file__).with_name("ner_known_misses.tsv")
EXAMPLES = load_examples()
KINDS = ("clitic", "institution", "foreign", "club", "verb", "negative")

# backend -> the model file it needs (the default "crf" ships and must be present; the accurate
# backend ships too, and needs torch)
BACKENDS = {
    "crf": models_dir() / "ner" / "ner.weights.npz",
    "accurate": models_dir() / "ner" / "accurate.npz",
    "lstm": models_dir() / "ner" / "lstm.npz",
}


def known_misses(backend: str) -> set[str]:
    rows = [
        ln.split("\t", 1)
        for ln in MISSES.read_text(encoding="utf-8").splitlines()
        if ln and not ln.startswith("#")
    ]
    return {text for b, text in rows if b == backend}


def test_the_file_covers_every_construction():
    kinds = Counter(ex.kind for ex in EXAMPLES)
    assert len(EXAMPLES) >= 150
    assert set(kinds) == set(KINDS), kinds
    assert all(kinds[k] >= 10 for k in KINDS), kinds
    texts = [ex.text for ex in EXAMPLES]
    assert len(set(texts)) == len(texts), "duplicate example lines"
    for ex in EXAMPLES:  # every expected mention is in its sentence
        for _, text in ex.mentions:
            assert text in ex.text, (text, ex.text)


def test_known_misses_are_example_lines():
    texts = {ex.text for ex in EXAMPLES}
    for backend in BACKENDS:
        assert known_misses(backend) <= texts


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_every_line_passes_or_is_a_known_miss(backend):
    if backend != "crf" and not BACKENDS[backend].exists():
        pytest.skip(f"optional backend {backend!r} not built ({BACKENDS[backend].name})")
    if backend == "accurate":
        pytest.importorskip("torch")
    results = run_examples(ner_pipeline(backend), EXAMPLES)
    failing = {ex.text: got for ex, got in results if got != ex.mentions}
    listed = known_misses(backend)
    passed = len(EXAMPLES) - len(failing)
    print(f"\n{backend}: {passed}/{len(EXAMPLES)} example lines pass, {len(listed)} known misses")
    regressions = {t: g for t, g in failing.items() if t not in listed}
    assert not regressions, f"{backend}: lines that used to pass now fail: {regressions}"
    fixed = sorted(listed - set(failing))
    assert not fixed, f"{backend}: these now pass, take them off {MISSES.name}: {fixed}"


def test_the_seen_name_keeps_its_first_letter():
    """The issue's first example, as a direct check of the proclitic evidence."""
    nlp = ner_pipeline(None)
    doc = nlp("قال الرئيس جو بايدن إن بايدن سيزور باريس")
    people = [m.text for m in doc.mentions if m.type == "PERSON"]
    assert people == ["جو بايدن", "بايدن"]
    # a real preposition before a name is still stripped, also where the tagger kept the word whole
    doc = nlp("وفي موسكو التقى الوزير بلافروف ثم عاد لبيروت")
    names = [(m.type, m.text) for m in doc.mentions if m.type in ("PERSON", "LOCATION")]
    assert ("PERSON", "لافروف") in names and ("LOCATION", "بيروت") in names, names


def test_kept_proclitics_weighs_the_news_counts_and_the_names():
    news = {"بايدن": 45, "ايدن": 17, "بالرياض": 792, "الرياض": 5174, "فادي": 10, "ادي": 900}
    assert kept_proclitics(["ب"], "ايدن", news) == 0  # the whole form is the better-attested word
    assert kept_proclitics(["ب"], "الرياض", news) == 1  # before the article the split stands
    assert kept_proclitics(["و", "ب"], "ايدن", news) == 1  # و still goes: وبايدن -> بايدن
    assert kept_proclitics(["ف"], "ادي", news) == 1  # ادي (أدى) outnumbers فادي ...
    assert kept_proclitics(["ف"], "ادي", news, {"فادي"}) == 0  # ... but فادي is a known name


def test_unseen_with_proclitic_needs_a_known_name_after_it():
    news = {"لافروف": 240, "امالا": 21}
    assert unseen_with_proclitic("بلافروف", news, {"لافروف"}) == (1, "لافروف")
    assert unseen_with_proclitic("كامالا", news, {"لافروف"}) == (0, "كامالا")
    assert unseen_with_proclitic("لافروف", news, {"افروف"}) == (0, "لافروف")  # the news knows it


def _labels(words: str, labels: str | None = None) -> tuple[list[str], list[str]]:
    sent = words.split()
    return sent, (labels.split() if labels else ["O"] * len(sent))


@pytest.mark.parametrize(
    "words, model, expected",
    [
        ("قالت وزاره الداخليه الكويتيه انها", None, "O B-ORG I-ORG I-ORG O"),
        ("فرض الاتحاد الدولي لكره القدم غرامه", None, "O B-ORG I-ORG I-ORG I-ORG O"),
        (
            "وقالت هيئه الامم المتحده للمراه ان",
            "O O B-ORG I-ORG O O",
            "O B-ORG I-ORG I-ORG I-ORG O",
        ),
        ("قال مصرف لبنان انه", "O O B-LOC O", "O B-ORG I-ORG O"),
        ("اجتمع مجلس الشوري لمناقشه التعديلات", None, "O B-ORG I-ORG O O"),  # a purpose, not a name
        ("اعلنت شركه تسلا عن", None, "O O B-ORG O"),  # the head describes: left out
        (
            "اعلنت شركه ارامكو السعوديه",
            "O O B-ORG I-ORG",
            "O O B-ORG I-ORG",
        ),  # the model's name stays
        ("عقد المجلس جلسته", None, "O O O"),  # a back-reference, no name
        ("بدات الوزاره حمله", None, "O O O"),
        ("نقلت وكاله الانباء عن", None, "O O O O"),  # a generic agency
        ("اتهم حزب الله اللبناني اسرائيل", "O B-ORG I-ORG O B-LOC", "O B-ORG I-ORG O B-LOC"),
        # after a name the model found that ends in an adjective, a country's adjective ends the
        # name inside it; after one that ends in a noun it stays out, as after حزب الله above
        ("رفع البنك المركزي المصري سعر", "O B-ORG I-ORG O O", "O B-ORG I-ORG I-ORG O"),
        (
            "قالت وزاره الخزانه الامريكيه انها",
            "O B-ORG I-ORG O O",
            "O B-ORG I-ORG O O",
        ),
        # a region's adjective ends the adjectives (المقترح is not part of the name) ...
        ("رفض البرلمان الاوروبي المقترح", None, "O B-ORG I-ORG O"),
        # ... but not a ل phrase, nor a country's adjective after it
        ("غرم الاتحاد الاوروبي لكره القدم ناديا", None, "O B-ORG I-ORG I-ORG I-ORG O"),
        ("اكدت مؤسسه النقد العربي السعودي استقرار", None, "O B-ORG I-ORG I-ORG I-ORG O"),
        ("قالت وزاره الخارجيه المصريه الجديده", None, "O B-ORG I-ORG I-ORG O"),
    ],
)
def test_institution_grammar(words, model, expected):
    sent, labels = _labels(words, model)
    institution_backstop([sent], [labels], None, {})
    assert labels == expected.split()


def test_backend_names_accept_commas_and_repeats() -> None:
    # `ner eval --backend crf,accurate` and `ner_examples --backend crf --backend accurate` name the
    # same backends; nothing named means the shipped default (None)
    assert backend_names(["crf,accurate"]) == ["crf", "accurate"]
    assert backend_names(["crf", "accurate,lstm"]) == ["crf", "accurate", "lstm"]
    assert backend_names(None) == [None]
    assert backend_names([","]) == [None]


def test_a_country_adjective_does_not_open_a_persons_name():
    """الرئيس الاندونيسي برابوو سوبيانتو: the adjective describes the title; alone it stays (a
    one-word span is left to the model), and a surname that is a nisba inside the name stays too."""
    from pipeline.ner.document import clean_spans

    norms = "استقبل الرئيس الاندونيسي برابوو سوبيانتو الوفد".split()
    assert clean_spans(norms, [(2, 5, "PER")], {}) == [(3, 5, "PER")]
    assert clean_spans(norms, [(2, 3, "PER")], {}) == [(2, 3, "PER")]
    norms = "قال ابو حفص المصري".split()
    assert clean_spans(norms, [(1, 4, "PER")], {}) == [(1, 4, "PER")]
    assert clean_spans(norms, [(3, 4, "LOC")], {}) == [(3, 4, "LOC")]
