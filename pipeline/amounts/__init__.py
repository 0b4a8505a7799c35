"""The amount grammar: word lists, patterns and the local lexer (`lexer`), and `find_amounts`
(`grammar`), which the stage (`pipeline.stages.numbers`) runs. Number words are parsed by
`pipeline.arabic.numparse` (tables in `numwords`); month names, parts of the day and era markers come
from `pipeline.arabic.calendar`, currencies from `pipeline.arabic.currencies`."""
