"""Label Studio tasks: the text, and the mentions as pre-annotations (`predictions`).

Import the JSON file in a project whose labeling config has `<Labels name="label" toName="text">`
over `<Text name="text" value="$text"/>`; doccano and Prodigy take the same spans
(`start`, `end`, `label`) with a one-line mapping (see docs/exports.md).
"""

from __future__ import annotations

from typing import Any

from pipeline.document import Document

__all__ = ["to_task"]


def to_task(doc: Document, model_version: str = "arabic-ie") -> dict[str, Any]:
    result = []
    for n, m in enumerate(doc.sorted_mentions(), 1):
        result.append(
            {
                "id": f"m{n}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "score": round(float(m.score), 4),
                "value": {"start": m.start, "end": m.end, "text": m.text, "labels": [m.type]},
            }
        )
    return {
        "data": {"text": doc.raw, "doc_id": doc.id},
        "predictions": [{"model_version": model_version, "result": result}],
    }
