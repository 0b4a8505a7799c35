"""The NER model: how it sees a token (`tokens`), its features (`features`), the CRF (`crf`), the
BiLSTM-CRF (`lstm`) and the fine-tuned encoder (`transformer`), the document-level steps
(`document`), and `model.NerModel`, which the stage (`pipeline.stages.ner`) runs."""

# A network's NAME.json "kind" when it is a fine-tuned encoder (`transformer`, which needs torch);
# the BiLSTM's files have none. Here so that `model` can tell the two apart without importing torch.
ENCODER_KIND = "encoder"
