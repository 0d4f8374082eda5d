"""Answer a repeated GET query from the response cache before Flask routes the request.

The data is immutable between updates, so a cached answer is final. Building a Flask request,
running its hooks and routing costs most of a cached lookup (docs/benchmarks.md); this WSGI
wrapper computes the same cache key with the protocol's own functions and, on a hit, writes the
same body and headers. Anything else — a miss, POST, a conditional request (304), HEAD, an odd
or malformed query string — goes to Flask unchanged, so errors keep their one mapping.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask

from treatygraph.errors import Error
from treatygraph.sparql.protocol import (
    CACHE,
    _decode_params,
    cache_key,
    cached_headers,
    site_root,
)
from treatygraph.web import cachepolicy
from treatygraph.web.metrics import EXTENSION as METRICS

StartResponse = Any  # the WSGI start_response callable


def wrap(app: Flask, always: Mapping[str, str]) -> None:
    """Put the fast path in front of ``app``; ``always`` are headers every response carries."""
    inner = app.wsgi_app
    cache = app.extensions[CACHE]
    metrics = app.extensions[METRICS]
    body_cap = int(app.config["BODY_CAP"])
    base_url = app.config.get("BASE_URL")
    cache_control = cachepolicy.cache_control(app.config)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") != "/sparql"
            or "HTTP_IF_NONE_MATCH" in environ
        ):
            return inner(environ, start_response)
        started = time.perf_counter()
        raw = environ.get("QUERY_STRING", "").encode("latin-1")
        try:
            params = _decode_params(raw, "URL query string")
            queries = params.get("query", [])
            if len(raw) > body_cap or len(queries) != 1 or "update" in params:
                return inner(environ, start_response)
            key = cache_key(
                queries[0],
                params,
                environ.get("HTTP_ACCEPT"),
                site_root(environ, base_url) + "/sparql",
            )
        except Error:  # Flask answers it, with the same message
            return inner(environ, start_response)
        entry = cache.get(key)
        if entry is None:
            return inner(environ, start_response)
        control = (
            cache_control
            if cache.max_age is None  # the data cannot change under us
            else cachepolicy.cache_control(app.config, cache.age(entry))
        )
        headers = {
            "Content-Type": entry.content_type,
            "Content-Length": str(len(entry.body)),
            **cached_headers(entry, control),
            **always,
        }
        start_response("200 OK", list(headers.items()))
        metrics.increment("query_cache_hits")
        metrics.observe_request("sparql", 200, time.perf_counter() - started)
        return [entry.body]

    app.wsgi_app = wsgi  # type: ignore[method-assign]
