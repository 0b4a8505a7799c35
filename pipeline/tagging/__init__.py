"""The tag models: features (`features`), the clitic `Segmenter` (`segmenter`), the UPOS
`PosTagger` (`pos`), token parts in the document (`parts`), and `model.Tagger`, which the stage
(`pipeline.stages.tag`) runs."""
