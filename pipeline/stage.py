"""The core of a pipeline: the `Stage` protocol and `StageChain`, stages run in order, checked once.

`pipeline.pipeline.Pipeline` adds the default stages and streaming over many documents (through
`pipeline.engine`); the engine itself runs a `StageChain`, so neither imports the other in a circle.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from pipeline.document import Document

__all__ = [
    "Stage",
    "StageChain",
    "PipelineError",
    "as_document",
    "safe_document",
    "default_chain",
]


class PipelineError(ValueError):
    """A pipeline was assembled wrongly (a stage's requirement is not provided before it)."""


@runtime_checkable
class Stage(Protocol):
    """A named `Document -> Document` callable that declares what it reads and what it adds.

    `requires`: what the stage reads and cannot do without (an earlier stage must provide each).
    `provides`: what it writes. A stage may also have `after`: what it reads when present (the
    mentions it must not overlap, the mentions it resolves); no later stage may provide any of it.
    The names: norm (Document.norm and its alignment to raw), tokens, sentences, parts (Token.parts
    and Token.pos), mentions, and the kinds of mentions: names (PERSON, LOCATION, ORGANIZATION),
    dates (DATE, TIME), amounts (NUMBER, ORDINAL, MONEY, PERCENT, QUANTITY); entities.

    A stage loads its resources once, in `__init__`, and only adds to the document: it never
    changes `raw`.
    """

    name: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]

    def __call__(self, doc: Document) -> Document: ...


def _date(value: Any) -> _dt.date | None:
    """A document date from metadata: a date, a datetime, or an ISO `YYYY-MM-DD[Thh:mm...]` string."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value[:10])
        except ValueError:
            raise ValueError(f"date {value!r} is not YYYY-MM-DD") from None
    raise ValueError(f"date {value!r} is a {type(value).__name__}, not a YYYY-MM-DD string")


def as_document(item: str | Document | tuple[str, dict[str, Any]], index: int = 0) -> Document:
    """Accept a str, a Document, or (text, meta) and return a Document.

    `meta` may hold `id` and `date` (a `datetime.date` or a `YYYY-MM-DD` string); the rest stays in
    `Document.meta`. Raises ValueError for a bad date and TypeError for anything else;
    `safe_document` turns both into a failed document instead.
    """
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(id=f"doc{index}", raw=item)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
        text, meta = item
        if meta is not None and not isinstance(meta, dict):
            raise TypeError(f"metadata must be a dict, not {type(meta).__name__}")
        meta = dict(meta or {})
        date = _date(meta.pop("date", None))
        return Document(id=str(meta.pop("id", f"doc{index}")), raw=text, date=date, meta=meta)
    raise TypeError(f"cannot make a Document from {type(item).__name__}")


def safe_document(item: Any, index: int = 0) -> Document:
    """`as_document` that never raises: bad input (a bad `date`, metadata that is not a dict,
    an item that is no text) gives a Document with `error` set, so a stream of many goes on."""
    try:
        return as_document(item, index)
    except (TypeError, ValueError) as exc:
        doc_id, raw = f"doc{index}", ""
        if isinstance(item, tuple) and len(item) == 2:
            raw = item[0] if isinstance(item[0], str) else ""
            if isinstance(item[1], dict) and item[1].get("id") not in (None, ""):
                doc_id = str(item[1]["id"])
        return Document(id=doc_id, raw=raw, error=f"{doc_id}: bad input: {exc}")


class StageChain:
    """Run stages in order, after checking that each one's requirements come before it.

    `stages` is a tuple: a pipeline is edited only through `add_stage`, `remove_stage` and
    `replace_stage`, which build the new order, check it as the constructor does, and change
    nothing when the check fails (so a pipeline can never hold an order it would refuse).
    """

    def __init__(self, stages: Iterable[Stage]) -> None:
        self._stages: tuple[Stage, ...] = tuple(stages)
        self._check(self._stages)

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The stages in order (a tuple: edit with add_stage / remove_stage / replace_stage)."""
        return self._stages

    @staticmethod
    def _check(stages: tuple[Stage, ...]) -> None:
        have: set[str] = set()
        names: list[str] = []
        read_if_present: dict[str, str] = {}  # what an earlier stage reads when present -> stage
        for stage in stages:
            if not isinstance(stage, Stage):
                raise PipelineError(f"{stage!r} is not a stage (needs name, requires, provides)")
            if stage.name in names:
                raise PipelineError(f"stage {stage.name!r} appears twice")
            missing = [r for r in stage.requires if r not in have]
            if missing:
                raise PipelineError(
                    f"stage {stage.name!r} requires {', '.join(missing)}, which no earlier stage "
                    f"provides; stages so far: {names}"
                )
            late = [p for p in stage.provides if p in read_if_present]
            if late:
                raise PipelineError(
                    f"stage {stage.name!r} provides {', '.join(late)}, which stage "
                    f"{read_if_present[late[0]]!r} before it reads: put {stage.name!r} first"
                )
            have.update(stage.provides)
            names.append(stage.name)
            for item in getattr(stage, "after", ()):
                read_if_present.setdefault(item, stage.name)

    def _set(self, stages: list[Stage]) -> None:
        candidate = tuple(stages)
        self._check(candidate)
        self._stages = candidate

    def _index(self, name: str) -> int:
        for i, s in enumerate(self._stages):
            if s.name == name:
                return i
        raise KeyError(f"no stage named {name!r}; stages: {self.stage_names}")

    @property
    def stage_names(self) -> list[str]:
        """The stage names in order (spaCy's `pipe_names`)."""
        return [s.name for s in self._stages]

    names = stage_names  # the older spelling

    def add_stage(
        self, stage: Stage, *, before: str | None = None, after: str | None = None
    ) -> StageChain:
        """Insert `stage` before or after the stage of that name (at the end when neither is
        given). Raises PipelineError, leaving the pipeline as it was, when the new order fails
        the requires/provides check; KeyError for an unknown name. Returns the pipeline."""
        if before is not None and after is not None:
            raise ValueError("give before= or after=, not both")
        stages = list(self._stages)
        if before is not None:
            stages.insert(self._index(before), stage)
        elif after is not None:
            stages.insert(self._index(after) + 1, stage)
        else:
            stages.append(stage)
        self._set(stages)
        return self

    def remove_stage(self, name: str) -> Stage:
        """Remove the stage of that name and return it. Raises PipelineError (the pipeline left
        as it was) when a later stage requires what it provides."""
        stages = list(self._stages)
        removed = stages.pop(self._index(name))
        self._set(stages)
        return removed

    def replace_stage(self, name: str, stage: Stage) -> Stage:
        """Put `stage` in the place of the stage of that name and return the old one (checked as
        `add_stage` is)."""
        stages = list(self._stages)
        i = self._index(name)
        old, stages[i] = stages[i], stage
        self._set(stages)
        return old

    def __getitem__(self, name: str) -> Stage:
        return self._stages[self._index(name)]

    def __contains__(self, name: object) -> bool:
        return any(s.name == name for s in self._stages)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.stage_names})"

    def __call__(self, doc: str | Document) -> Document:
        doc = as_document(doc)
        for stage in self._stages:
            doc = stage(doc)
        return doc


def default_chain(**options: Any) -> StageChain:
    """The stages of `Pipeline.default(**options)` as a `StageChain` (what an engine worker runs)."""
    from pipeline.stages import default_stages

    return StageChain(default_stages(**options))
