"""The one answer cache (store/cache.py): bounded by bytes, and for a remote store by age."""

from __future__ import annotations

import pytest

from treatygraph.store.cache import AnswerCache
from treatygraph.web.cachepolicy import cache_control, reuse_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_max_age() -> None:
    clock = Clock()
    cache = AnswerCache(max_age=5, clock=clock)
    cache.store("k", b"12345", 5)
    clock.now += 4.9
    assert cache.lookup("k") is not None
    clock.now += 0.1
    assert cache.lookup("k") is None
    assert len(cache) == 0


def test_no_max_age_keeps_entries_and_zero_keeps_none() -> None:
    clock = Clock()
    forever = AnswerCache(clock=clock)
    forever.store("k", b"x", 1)
    clock.now += 1e9
    entry = forever.lookup("k")
    assert entry is not None and entry.value == b"x"
    never = AnswerCache(max_age=0, clock=clock)
    never.store("k", b"x", 1)
    assert never.lookup("k") is None


def test_bounded_by_bytes_least_recently_used_first() -> None:
    cache = AnswerCache(max_bytes=10, max_entry_bytes=6)
    cache.store("a", b"aaaa", 4)
    cache.store("b", b"bbbb", 4)
    assert cache.lookup("a") is not None  # a is now the most recently used
    cache.store("c", b"cccc", 4)  # 12 bytes > 10: b goes
    assert [k for k in "abc" if cache.lookup(k) is not None] == ["a", "c"]
    cache.store("big", b"x" * 7, 7)  # larger than one entry may be: made again each time
    assert cache.lookup("big") is None and cache.lookup("a") is not None
    assert (cache.hits, cache.misses) == (4, 2)


def test_get_or_make_makes_once_and_clear_forgets() -> None:
    cache, made = AnswerCache(), []
    for _ in range(3):
        cache.get_or_make("k", lambda: made.append(1) or "value", len)
    assert made == [1]
    cache.clear()
    cache.get_or_make("k", lambda: made.append(1) or "value", len)
    assert made == [1, 1]


def test_only_a_remote_store_limits_reuse() -> None:
    assert reuse_seconds({"SHARED_CACHE_SECONDS": 300}) is None
    assert reuse_seconds({"STORE_PATH": "/srv/store", "SHARED_CACHE_SECONDS": 300}) is None
    remote = "sparql+http://127.0.0.1:8890/sparql"
    assert reuse_seconds({"STORE_PATH": remote, "SHARED_CACHE_SECONDS": 300}) == 300
    assert reuse_seconds({"STORE_PATH": remote, "SHARED_CACHE_SECONDS": 0}) == 0


def test_a_reused_answer_gives_shared_caches_only_what_is_left() -> None:
    """Process cache then nginx/CDN: together never longer than SHARED_CACHE_SECONDS."""
    clock = Clock()
    cache = AnswerCache(max_age=300, clock=clock)
    stored = cache.store("k", b"x", 1)
    assert cache.age(stored) == 0
    clock.now += 120.7
    assert cache.age(stored) == pytest.approx(120.7)
    config = {"SHARED_CACHE_SECONDS": 300}
    assert cache_control(config, cache.age(stored)).endswith("s-maxage=180")
    assert cache_control(config, 0.4).endswith("s-maxage=300")
    assert cache_control(config, 300) == "no-cache"
    assert AnswerCache().age(stored) is None  # embedded store: no expiry, full lifetime
