"""arabic-ie: Arabic news in, a table of people, places, organizations, amounts and dates out.

>>> from pipeline import Pipeline
>>> nlp = Pipeline.default()
>>> doc = nlp("زار توكاييف اليابان في 9 أغسطس 2024")
>>> [(m.type, m.text, m.value) for m in doc.mentions]   # doctest: +SKIP
"""

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


def extract(text: str, date: str | None = None) -> list[dict]:
    """Run the default pipeline on one text and return its mentions as dicts."""
    import datetime as _dt

    doc = Document(id="doc0", raw=text, date=_dt.date.fromisoformat(date) if date else None)
    return [m.to_dict() for m in Pipeline.default()(doc).sorted_mentions()]
