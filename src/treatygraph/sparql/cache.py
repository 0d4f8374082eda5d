"""A bounded LRU cache of finished query responses, per server process.

The data are read-only between updates, so a response is a pure function of
(query text, dataset parameters, base IRI, Accept/format). Entries carry a strong ETag
(hash of the body plus the data generation); an update clears the cache and bumps the
generation so old ETags stop matching. A store that others can write to (a remote one)
gets a ``max_age``: entries older than that are dropped, so changes show within it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    content_type: str
    etag: str  #: unquoted entity tag
    #: when it was stored, on the cache's clock (set by ``ResponseCache.put``)
    stored_at: float = field(default=0.0, compare=False)


class ResponseCache:
    def __init__(
        self,
        max_entries: int = 512,
        max_bytes: int = 64 << 20,
        max_entry_bytes: int = 1 << 20,
        max_age: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries, self.max_bytes, self.max_entry_bytes = (
            max_entries,
            max_bytes,
            max_entry_bytes,
        )
        self.max_age, self.clock = max_age, clock
        self._entries: OrderedDict[Hashable, CachedResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.generation = 0

    def etag_for(self, body: bytes) -> str:
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        return f"{self.generation}-{digest}"

    def get(self, key: Hashable) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self.max_age is not None and self.clock() - entry.stored_at >= self.max_age:
                del self._entries[key]
                self._bytes -= len(entry.body)
                return None
            self._entries.move_to_end(key)
            return entry

    def age(self, entry: CachedResponse) -> float | None:
        """Seconds since ``entry`` was stored, when entries expire; else None."""
        if self.max_age is None:
            return None
        return max(0.0, self.clock() - entry.stored_at)

    def put(self, key: Hashable, entry: CachedResponse) -> CachedResponse:
        """Store ``entry`` (unless it is too big, or caching is off); return it as stored."""
        if self.max_age is not None:
            entry = dataclasses.replace(entry, stored_at=self.clock())
        if self.max_entries <= 0 or len(entry.body) > self.max_entry_bytes or self.max_age == 0:
            return entry
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
        return entry

    def clear(self) -> None:
        """Forget everything (after an update) and invalidate outstanding ETags."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.generation += 1

    def __len__(self) -> int:
        return len(self._entries)
