"""A bounded LRU cache of finished query responses, per server process.

The data are read-only between updates, so a response is a pure function of
(query text, dataset parameters, base IRI, Accept/format). Entries carry a strong ETag
(hash of the body plus the data generation); an update clears the cache and bumps the
generation so old ETags stop matching.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    content_type: str
    etag: str  #: unquoted entity tag


class ResponseCache:
    def __init__(self, max_entries: int = 512, max_bytes: int = 64 << 20,
                 max_entry_bytes: int = 1 << 20) -> None:
        self.max_entries, self.max_bytes, self.max_entry_bytes = (
            max_entries, max_bytes, max_entry_bytes)
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
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: CachedResponse) -> None:
        if self.max_entries <= 0 or len(entry.body) > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        """Forget everything (after an update) and invalidate outstanding ETags."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.generation += 1

    def __len__(self) -> int:
        return len(self._entries)
