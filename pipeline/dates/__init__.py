"""The date grammar: word tables (`words`), date arithmetic (`values`), compiled patterns
(`patterns`), recognizers (`recognize`), and selection, merging and `find_dates` (`merge`), which the
stage (`pipeline.stages.dates`) runs."""
