"""The one in-process cache: finished answers and what they are made from, per server process.

Everything an answer is made from is a pure function of the data, and the data cannot change
while the server runs except through ``/update``, which clears the cache (:meth:`clear`). A
store that others can write to (a remote one) gets a lifetime instead (``max_age``), so its
changes show within it. Entries are bounded by their total size in bytes (cachetools' LRU);
one larger than ``max_entry_bytes`` is made again each time rather than pushing out the rest.

docs/scaling.md gives the measurement that keeps this cache: on the project graph a repeated
lookup costs a fraction of computing it, and a page or dump far less.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import cachetools

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    value: Any
    size: int
    stored_at: float


class AnswerCache:
    """A size-bounded LRU (or TTL) cache of values made from the data."""

    def __init__(
        self,
        max_bytes: int = 64 << 20,
        max_entry_bytes: int = 16 << 20,
        max_age: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entry_bytes = max_entry_bytes
        self.max_age = max_age
        self.clock = clock
        self._cache: cachetools.Cache[Hashable, Entry]
        if max_age is None:
            self._cache = cachetools.LRUCache(max_bytes, getsizeof=_size)
        else:
            self._cache = cachetools.TTLCache(max_bytes, max_age, timer=clock, getsizeof=_size)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def lookup(self, key: Hashable) -> Entry | None:
        with self._lock:
            entry = self._cache.get(key)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def store(self, key: Hashable, value: T, size: int) -> Entry:
        """Keep ``value`` (unless caching is off or it is too big); return its entry."""
        entry = Entry(value, max(size, 1), self.clock())
        if entry.size <= min(self.max_entry_bytes, self._cache.maxsize) and self.max_age != 0:
            with self._lock:
                self._cache[key] = entry
        return entry

    def get_or_make(self, key: Hashable, make: Callable[[], T], size: Callable[[T], int]) -> T:
        """The value for ``key``, made (and kept) on a miss."""
        entry = self.lookup(key)
        if entry is None:
            value = make()
            entry = self.store(key, value, size(value))
        return entry.value  # type: ignore[no-any-return]

    def age(self, entry: Entry) -> float | None:
        """Seconds since ``entry`` was made, when entries expire; else None."""
        if self.max_age is None:
            return None
        return max(0.0, self.clock() - entry.stored_at)

    def clear(self) -> None:
        """Forget everything (after an update)."""
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)


def _size(entry: Entry) -> int:
    return entry.size
