"""The cache fast path answers exactly as the Flask path does, and only for cache hits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from .conftest import EX

QUERY = f"SELECT ?l WHERE {{ <{EX}alice> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
REQUESTS = [
    {"query_string": {"query": QUERY}},
    {"query_string": {"query": QUERY}, "headers": {"Accept": "text/csv"}},
    {"query_string": {"query": QUERY, "format": "xml"}},
    {
        "query_string": {"query": f"CONSTRUCT WHERE {{ <{EX}alice> ?p ?o }}"},
        "headers": {"Accept": "text/turtle"},
    },
]


def _second_answer(app: Flask, request: dict[str, object]) -> tuple[int, bytes, dict[str, str]]:
    client = app.test_client()
    client.get("/sparql", **request)  # type: ignore[arg-type]  # fills the cache
    resp = client.get("/sparql", **request)  # type: ignore[arg-type]
    headers = {k: v for k, v in resp.headers.items() if k != "Date"}
    return resp.status_code, resp.get_data(), headers


@pytest.mark.parametrize("request_", REQUESTS, ids=["json", "csv", "format-xml", "construct"])
def test_cache_hits_are_answered_identically(
    make_app: Callable[..., Flask], request_: dict[str, object]
) -> None:
    fast = _second_answer(make_app(CACHE_FAST_PATH=True), request_)
    slow = _second_answer(make_app(CACHE_FAST_PATH=False), request_)
    assert fast[0] == 200
    assert fast == slow


def test_fast_path_counts_hits_and_leaves_the_rest_to_flask(make_app: Callable[..., Flask]) -> None:
    app = make_app(CACHE_FAST_PATH=True)
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": QUERY})
    etag = first.headers["ETag"]
    client.get("/sparql", query_string={"query": QUERY})
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "treatygraph_query_cache_hits_total 1" in metrics
    # a conditional request still gets its 304 (from Flask)
    assert (
        client.get(
            "/sparql", query_string={"query": QUERY}, headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    # errors keep their mapping: two queries, an empty one, a malformed query string
    assert client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400
    assert client.get("/sparql?query=%FF").status_code == 400
    assert client.get("/sparql", query_string={"query": QUERY, "format": "png"}).status_code == 406


def test_a_hit_never_reaches_the_view(make_app: Callable[..., Flask]) -> None:
    app = make_app(CACHE_FAST_PATH=True)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": QUERY}).status_code == 200

    def broken() -> None:
        raise AssertionError("the view ran for a cache hit")

    app.view_functions["sparql.sparql"] = broken
    assert client.get("/sparql", query_string={"query": QUERY}).status_code == 200
    assert client.get("/sparql", query_string={"query": QUERY + " "}).status_code == 500
