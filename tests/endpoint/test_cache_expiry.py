"""The per-process response cache forgets answers after ``max_age`` (remote stores only)."""

from __future__ import annotations

import pytest

from treatygraph.sparql.cache import CachedResponse, ResponseCache
from treatygraph.web.cachepolicy import reuse_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def entry(body: bytes = b"x") -> CachedResponse:
    return CachedResponse(body, "text/plain", "e")


def test_entries_expire_after_max_age_and_free_their_bytes() -> None:
    clock = Clock()
    cache = ResponseCache(max_age=5, clock=clock)
    cache.put("k", entry(b"12345"))
    clock.now += 4.9
    assert cache.get("k") is not None
    clock.now += 0.1
    assert cache.get("k") is None
    assert len(cache) == 0
    assert cache._bytes == 0


def test_no_max_age_keeps_entries_and_zero_keeps_none() -> None:
    clock = Clock()
    forever = ResponseCache(clock=clock)
    forever.put("k", entry())
    clock.now += 1e9
    assert forever.get("k") == entry()
    never = ResponseCache(max_age=0, clock=clock)
    never.put("k", entry())
    assert never.get("k") is None


def test_only_a_remote_store_limits_reuse() -> None:
    assert reuse_seconds({"SHARED_CACHE_SECONDS": 300}) is None
    assert reuse_seconds({"STORE_PATH": "/srv/store", "SHARED_CACHE_SECONDS": 300}) is None
    remote = "sparql+http://127.0.0.1:8890/sparql"
    assert reuse_seconds({"STORE_PATH": remote, "SHARED_CACHE_SECONDS": 300}) == 300
    assert reuse_seconds({"STORE_PATH": remote, "SHARED_CACHE_SECONDS": 0}) == 0


def test_a_reused_answer_gives_shared_caches_only_what_is_left() -> None:
    """Worker cache then nginx/CDN: together never longer than SHARED_CACHE_SECONDS."""
    from treatygraph.web.cachepolicy import cache_control

    clock = Clock()
    cache = ResponseCache(max_age=300, clock=clock)
    stored = cache.put("k", entry())
    assert cache.age(stored) == 0
    clock.now += 120.7
    assert cache.age(stored) == pytest.approx(120.7)
    config = {"SHARED_CACHE_SECONDS": 300}
    assert cache_control(config, cache.age(stored)).endswith("s-maxage=180")
    assert cache_control(config, 0.4).endswith("s-maxage=300")
    assert cache_control(config, 300) == "no-cache"
    assert ResponseCache().age(stored) is None  # embedded store: no expiry, full lifetime
