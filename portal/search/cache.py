"""A least-recently-used cache bounded by the total size of what it holds, not by a count:
one broad query's posting set can be as big as a thousand narrow ones."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sized


class SizedLRU:
    def __init__(self, budget: int):
        self.budget = budget
        self._items: OrderedDict[Hashable, Sized] = OrderedDict()
        self._used = 0
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Sized]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        size = len(value) + 1
        if size > self.budget:
            return value
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._used += size
                while self._used > self.budget:
                    _old_key, old = self._items.popitem(last=False)
                    self._used -= len(old) + 1
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._used = 0

    def __len__(self) -> int:
        return len(self._items)
