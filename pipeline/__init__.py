"""arabic-ie: Arabic news in, a table of people, places, organizations, amounts and dates out.

>>> from pipeline import Pipeline
>>> nlp = Pipeline.default()
>>> doc = nlp("زار توكاييف اليابان في 9 أغسطس 2024")
>>> [(m.type, m.text, m.value) for m in doc.mentions]   # doctest: +SKIP
"""

import datetime as _dt
from functools import lru_cache

from pipeline.document import Document, Mention, Part, Sentence, Token
from pipeline.pipeline import Pipeline, PipelineError, Stage

__all__ = [
    "Document",
    "Mention",
    "Part",
    "Pipeline",
    "PipelineError",
    "Sentence",
    "Stage",
    "Token",
    "extract",
]

__version__ = "0.1.0"


@lru_cache(maxsize=1)
def _default() -> Pipeline:
    return Pipeline.default()


def extract(text: str, date: str | None = None) -> list[dict]:
    """Run the default pipeline (built once, on first use) on one text; its mentions as dicts."""
    doc = Document(id="doc0", raw=text, date=_dt.date.fromisoformat(date) if date else None)
    return [m.to_dict() for m in _default()(doc).sorted_mentions()]
