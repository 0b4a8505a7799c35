"""Silver names (pipeline.training.silver_names): what the accurate NER finds in the raw news, read by
the CRF's featurizer as gazetteers when meta.json asks for them."""

from __future__ import annotations

from collections import Counter

from pipeline.ner.features import NerFeaturizer
from pipeline.training.silver_names import silver_rows, write_rows


def test_a_form_is_silver_when_mostly_one_type_and_seen_enough():
    counts = {
        "توكاييف": Counter(PER=9, O=1),
        "الرياض": Counter(LOC=5, ORG=3, O=2),  # LOC half of the time
        "المجلس": Counter(ORG=4, O=6),  # mostly O
        "نادر": Counter(PER=2),  # seen twice only
    }
    rows = silver_rows(counts, min_count=3, share=0.5)
    assert [(f, t) for f, t, _, _ in rows] == [("الرياض", "LOC"), ("توكاييف", "PER")]
    assert rows[1][2:] == (10, 0.9)


def test_the_featurizer_reads_silver_names_only_when_asked(tmp_path):
    write_rows(
        [("توكاييف", "PER", 10, 0.9), ("استانا", "LOC", 7, 1.0)], tmp_path / "silver_names.tsv", 3
    )
    plain = NerFeaturizer.load(tmp_path).build_type_features("توكاييف")[0]
    assert not any(f.startswith("g=s_") for f in plain)
    fz = NerFeaturizer.load(tmp_path, silver=True)
    assert "g=s_PER" in fz.build_type_features("توكاييف")[0]
    assert "g=s_PER~" in fz.build_type_features("وتوكاييف")[0]  # behind a proclitic
    assert "g=s_LOC" in fz.build_type_features("استانا")[0]
