"""The NER model: how it sees a token (`tokens`), its features (`features`), the CRF (`crf`) and the
optional BiLSTM-CRF (`lstm`), the document-level steps (`document`), and `model.NerModel`, which
the stage (`pipeline.stages.ner`) runs."""
