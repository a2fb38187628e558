"""Per-object caches: schemas are plain dicts (unhashable), so results are kept by identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")


def by_identity(fn: Callable[[Any], R]) -> Callable[[Any], R]:
    """Cache fn(obj) per object. The object is kept with its result, so its id cannot be
    reused by another object while the entry lives."""
    entries: dict[int, tuple[Any, R]] = {}

    def cached(obj: Any) -> R:
        entry = entries.get(id(obj))
        if entry is None or entry[0] is not obj:
            entry = (obj, fn(obj))
            entries[id(obj)] = entry
        return entry[1]

    return cached
