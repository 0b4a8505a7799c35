"""The date grammar: word tables (`words`), date arithmetic (`values`), compiled patterns
(`patterns`), recognizers (`recognize`, `clock` for clock times, `periods`), and selection, merging
and `find_dates` (`merge`), which the stage (`pipeline.stages.dates`) runs."""
