"""Cache-Control of answers (treatygraph.web.cachepolicy), through the Flask test client.

RFC 9111: ``s-maxage`` lets shared caches (nginx in front, a CDN) keep an answer;
``max-age=0, must-revalidate`` makes browsers revalidate with the ETag every time. With updates
enabled, answers may change at any moment, so every cache must ask first (``no-cache``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from treatygraph.web.cachepolicy import cache_control

from .conftest import EX

QUERY = f"SELECT ?o WHERE {{ <{EX}alice> ?p ?o }}"
SHARED = "public, max-age=0, must-revalidate, s-maxage=300"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"SHARED_CACHE_SECONDS": 300}, SHARED),
        ({"SHARED_CACHE_SECONDS": 60}, "public, max-age=0, must-revalidate, s-maxage=60"),
        ({"SHARED_CACHE_SECONDS": 0}, "no-cache"),
        ({"SHARED_CACHE_SECONDS": 300, "UPDATE_TOKEN": "t"}, "no-cache"),
    ],
)
def test_the_policy(config: dict[str, object], expected: str) -> None:
    assert cache_control(config) == expected


@pytest.mark.parametrize("cache_mb", [64, 0])
def test_answers_carry_it_whether_computed_or_cached(
    make_app: Callable[..., Flask], cache_mb: int
) -> None:
    client = make_app(CACHE_MB=cache_mb).test_client()
    first = client.get("/sparql", query_string={"query": QUERY})
    again = client.get("/sparql", query_string={"query": QUERY})
    assert first.status_code == again.status_code == 200
    assert first.headers["Cache-Control"] == again.headers["Cache-Control"] == SHARED
    assert first.headers["ETag"] == again.headers["ETag"]


def test_updates_enabled_means_no_cache(make_app: Callable[..., Flask]) -> None:
    client = make_app(UPDATE_TOKEN="s3cret").test_client()
    for _ in range(2):
        resp = client.get("/sparql", query_string={"query": QUERY})
        assert resp.headers["Cache-Control"] == "no-cache"


def test_errors_carry_no_cache_lifetime(make_app: Callable[..., Flask]) -> None:
    client = make_app().test_client()
    for resp in (
        client.get("/sparql", query_string={"query": "SELECT * {"}),
        client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "image/png"}),
        client.get("/id/no-such-resource"),
    ):
        assert resp.status_code in (400, 404, 406)
        assert "s-maxage" not in resp.headers.get("Cache-Control", "")
