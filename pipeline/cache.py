"""The one eviction rule of the per-form caches: drop the oldest entries of an insertion-ordered dict.

Why oldest-first and not clear-all: on long runs memory stays flat while the frequent forms, re-added
at once after an eviction, stay cached (clearing a cache whole costs many more misses).
A cache that moves an entry to the end when it is used gets least-recently-used eviction.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

__all__ = ["evict_oldest", "evict_half", "remember", "ROW_CACHE_LIMIT"]


def evict_oldest(cache: dict, keep: int) -> list:
    """Drop the oldest entries of an insertion-ordered dict down to `keep`; returns their values."""
    drop = len(cache) - keep
    if drop <= 0:
        return []
    return [cache.pop(k) for k in list(islice(cache, drop))]


def evict_half(cache: dict) -> None:
    """Drop the older half of an insertion-ordered dict."""
    evict_oldest(cache, len(cache) - len(cache) // 2)


ROW_CACHE_LIMIT = 20_000  # entries of a small cache of attribute rows (cleared when full)


def remember(cache: dict, key: Any, value: Any) -> Any:
    """cache[key] = value, clearing the cache first when it holds `ROW_CACHE_LIMIT` entries (a
    small cache of attribute rows: cheap to refill)."""
    if len(cache) >= ROW_CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value
