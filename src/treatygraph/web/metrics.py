"""Prometheus metrics at ``/metrics``, kept by ``prometheus_client``.

Standard names: ``treatygraph_http_requests_total`` (by method, endpoint and status code),
``treatygraph_http_request_duration_seconds`` (a latency histogram per endpoint),
``treatygraph_rejections_total`` (refused requests, by reason) and
``treatygraph_answer_cache_total`` (answers from the cache, or made).

Under ``treatygraph serve`` the workers are processes, so the client runs in its multiprocess
mode: ``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before anything
imports it, each worker writes its own file there, and a scrape of any worker adds them all up
(the directory goes when the server stops). Elsewhere (tests, the dev server, ``gunicorn
server:app``) each app counts in its own registry.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as mp

EXTENSION = "treatygraph.web.metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    rejections: Counter
    cache: Counter


def _make() -> Metrics:
    registry = CollectorRegistry(auto_describe=True)
    return Metrics(
        registry,
        Counter(
            "treatygraph_http_requests",
            "HTTP requests answered.",
            ["method", "endpoint", "status"],
            registry=registry,
        ),
        Histogram(
            "treatygraph_http_request_duration_seconds",
            "Time from reading a request to its response.",
            ["endpoint"],
            registry=registry,
        ),
        Counter(
            "treatygraph_rejections", "Requests refused, by reason.", ["reason"], registry=registry
        ),
        Counter(
            "treatygraph_answer_cache",
            "Answers taken from the cache (hit) or made (miss).",
            ["result"],
            registry=registry,
        ),
    )


def _get() -> Metrics:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def count_rejection(reason: str) -> None:
    """A refused request (called by the error handlers)."""
    _get().rejections.labels(reason).inc()


def count_cache(hit: bool) -> None:
    _get().cache.labels("hit" if hit else "miss").inc()


def _start_timer() -> None:
    g.treatygraph_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("treatygraph_started", None)
    if started is not None:
        endpoint = request.endpoint or "other"
        metrics = _get()
        metrics.requests.labels(request.method, endpoint, str(response.status_code)).inc()
        metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
    return response


def view() -> Response:
    """The exposition: every worker's counts under ``serve``, this app's elsewhere."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = _get().registry
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE})


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = _make()
    app.before_request(_start_timer)
    app.after_request(_observe)
