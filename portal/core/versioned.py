"""A per-process value computed from the database and kept while the data it came from is
unchanged.

The caller passes a *version*: a tuple of cheap aggregates that changes whenever the data
behind the value can have changed (row counts and newest update times, read from indexes; see
`portal.regulations.queries.regulation_change_marks`). Every process computes its own copy, so
gunicorn workers agree without sharing memory: they read the same version from the same
database. Only the latest version is kept.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_every: weakref.WeakSet = weakref.WeakSet()


class LatestVersion(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[tuple, T] | None = None
        _every.add(self)

    def get(self, version: tuple, compute: Callable[[], T]) -> T:
        with self._lock:
            if self._entry is not None and self._entry[0] == version:
                return self._entry[1]
        value = compute()
        with self._lock:
            self._entry = (version, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entry = None


def clear_all() -> None:
    """Forget every kept value (tests do, since two databases can share a version)."""
    for cache in list(_every):
        cache.clear()
