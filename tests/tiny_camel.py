"""Tiny camel-tools artifacts built by the tests, in camel-tools' own formats and layout.

`data_dir(root)` makes a camel-tools data folder (the catalogue camel-tools reads when
`camel_tools.ner` / `.morphology` / `.disambig` is imported, copied from the project's offline
copy; see its README) for `CAMELTOOLS_DATA`. `ner_model(folder, labels)` saves a
`BertForTokenClassification` + `BertTokenizer` with `save_pretrained`, the layout
`camel_data -i ner-arabert` installs, whose prediction for a word is fixed by `labels`: no
attention layer, each word's embedding is one-hot on its label and the classifier is the identity,
so the model's output is known without training.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CAMEL_LABELS = ["B-LOC", "B-ORG", "B-PERS", "B-MISC", "I-LOC", "I-ORG", "I-PERS", "I-MISC", "O"]


def catalogue_source() -> Path | None:
    import os

    root = Path(os.environ.get("DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))
    path = root / "camel_tools" / "catalogue-1.5.json"
    return path if path.is_file() else None


def data_dir(root: Path) -> Path:
    """A camel-tools data folder with its catalogue (and nothing installed yet)."""
    src = catalogue_source()
    if src is None:
        import pytest

        pytest.skip("camel-tools' catalogue is not in DATA_DIR/camel_tools")
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, root / "catalogue.json")
    return root


def ner_model(folder: Path, labels: dict[str, str]) -> Path:
    """Save a tiny camel-tools NER model predicting `labels[word]` for each word (else O)."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *labels]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(
        str(folder / "vocab.txt"), do_lower_case=False, tokenize_chinese_chars=False
    )
    n = len(CAMEL_LABELS)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=n,
        num_hidden_layers=0,
        num_attention_heads=1,
        intermediate_size=4,
        max_position_embeddings=512,
        id2label=dict(enumerate(CAMEL_LABELS)),
        label2id={lab: i for i, lab in enumerate(CAMEL_LABELS)},
    )
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    with torch.no_grad():
        emb = model.bert.embeddings
        emb.word_embeddings.weight.zero_()
        for i, word in enumerate(vocab):
            emb.word_embeddings.weight[i, CAMEL_LABELS.index(labels.get(word, "O"))] = 10.0
        emb.position_embeddings.weight.zero_()
        emb.token_type_embeddings.weight.zero_()
        model.classifier.weight.copy_(torch.eye(n))
        model.classifier.bias.zero_()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
