"""`gc_paused`: automatic garbage collection held off while a stage works on one document."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off automatic garbage collection for the duration (a stage's work on one document).

    Why: a stage that allocates a few objects per token and makes no reference cycles would set off
    collections whose full passes scan every live document and cache entry: a large share of
    the time of the tag and NER stages when a run keeps hundreds of documents in memory. The
    collection is deferred, not lost: it is re-enabled (only if it was enabled) on the way out.
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
