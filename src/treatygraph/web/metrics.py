"""Prometheus text exposition at ``/metrics``: requests, latency, timeouts, rejections.

Why not prometheus_client: its multi-process mode needs a writable
``PROMETHEUS_MULTIPROC_DIR`` cleaned between runs and a dependency. Our label sets are
small and fixed, so the counters live in one shared-memory array
(``multiprocessing.RawArray``) allocated in ``create_app``. ``treatygraph serve``
builds the app in the gunicorn master *before* forking (``preload_app``), so every
worker increments the same array and ``/metrics`` shows totals for the whole server,
whichever worker answers the scrape. (Run ``gunicorn server:app`` without
``--preload`` and each worker reports only its own counts.) A ``multiprocessing.Lock``
guards updates; a worker never waits on it for more than 50 ms (an increment is
dropped rather than blocking a request).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Sequence

from flask import Flask, Response, current_app, g, request

ENDPOINTS = ("sparql", "update", "home", "healthz", "metrics", "static", "other")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
REASONS = (
    "syntax",
    "unsafe",
    "bad_request",
    "unauthorized",
    "forbidden",
    "method",
    "not_acceptable",
    "body_cap",
    "result_cap",
    "media_type",
    "timeout",
    "upstream",
)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)
COUNTERS = ("query_cache_hits", "queries_executed", "executor_restarts")

EXTENSION = "treatygraph.web.metrics"
_ENDPOINT_NAMES = {
    "sparql.sparql": "sparql",
    "sparql.update": "update",
    "home.index": "home",
    "home.healthz": "healthz",
    "metrics": "metrics",
    "static": "static",
}


class Metrics:
    """Fixed-layout counters in shared memory (see module docstring)."""

    def __init__(self) -> None:
        n_e, n_s, n_b = len(ENDPOINTS), len(STATUS_CLASSES), len(BUCKETS)
        self._req = 0
        self._bucket = self._req + n_e * n_s
        self._sum = self._bucket + n_e * n_b
        self._count = self._sum + n_e
        self._reason = self._count + n_e
        self._counter = self._reason + len(REASONS)
        size = self._counter + len(COUNTERS)
        self._values = multiprocessing.RawArray("d", size)
        self._lock = multiprocessing.Lock()

    def _add(self, pairs: Sequence[tuple[int, float]]) -> None:
        if not self._lock.acquire(timeout=0.05):
            return
        try:
            for index, amount in pairs:
                self._values[index] += amount
        finally:
            self._lock.release()

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        e = ENDPOINTS.index(endpoint) if endpoint in ENDPOINTS else len(ENDPOINTS) - 1
        s = min(max(status // 100 - 1, 0), len(STATUS_CLASSES) - 1)
        b = next(i for i, upper in enumerate(BUCKETS) if seconds <= upper)
        self._add(
            [
                (self._req + e * len(STATUS_CLASSES) + s, 1),
                (self._bucket + e * len(BUCKETS) + b, 1),
                (self._sum + e, seconds),
                (self._count + e, 1),
            ]
        )

    def count_rejection(self, reason: str) -> None:
        if reason in REASONS:
            self._add([(self._reason + REASONS.index(reason), 1)])

    def increment(self, counter: str) -> None:
        self._add([(self._counter + COUNTERS.index(counter), 1)])

    def value(self, counter: str) -> float:
        return self._values[self._counter + COUNTERS.index(counter)]

    def render(self) -> str:
        """Prometheus text format 0.0.4."""
        v = self._values
        out = [
            "# HELP treatygraph_http_requests_total HTTP requests answered.",
            "# TYPE treatygraph_http_requests_total counter",
        ]
        for ei, endpoint in enumerate(ENDPOINTS):
            for si, status in enumerate(STATUS_CLASSES):
                n = v[self._req + ei * len(STATUS_CLASSES) + si]
                if n:
                    out.append(
                        f'treatygraph_http_requests_total{{endpoint="{endpoint}",'
                        f'status="{status}"}} {n:g}'
                    )
        out += [
            "# HELP treatygraph_http_request_duration_seconds Request latency.",
            "# TYPE treatygraph_http_request_duration_seconds histogram",
        ]
        for ei, endpoint in enumerate(ENDPOINTS):
            count = v[self._count + ei]
            if not count:
                continue
            cumulative = 0.0
            for bi, upper in enumerate(BUCKETS):
                cumulative += v[self._bucket + ei * len(BUCKETS) + bi]
                le = "+Inf" if math.isinf(upper) else f"{upper:g}"
                out.append(
                    f"treatygraph_http_request_duration_seconds_bucket"
                    f'{{endpoint="{endpoint}",le="{le}"}} {cumulative:g}'
                )
            out.append(
                f'treatygraph_http_request_duration_seconds_sum{{endpoint="{endpoint}"}}'
                f" {v[self._sum + ei]:.6f}"
            )
            out.append(
                f"treatygraph_http_request_duration_seconds_count"
                f'{{endpoint="{endpoint}"}} {count:g}'
            )
        out += [
            "# HELP treatygraph_rejections_total Requests refused, by reason.",
            "# TYPE treatygraph_rejections_total counter",
        ]
        for ri, reason in enumerate(REASONS):
            out.append(
                f'treatygraph_rejections_total{{reason="{reason}"}} {v[self._reason + ri]:g}'
            )
        out += [
            "# HELP treatygraph_query_timeouts_total Queries stopped at QUERY_TIMEOUT.",
            "# TYPE treatygraph_query_timeouts_total counter",
            f"treatygraph_query_timeouts_total {v[self._reason + REASONS.index('timeout')]:g}",
        ]
        for name in COUNTERS:
            out += [
                f"# TYPE treatygraph_{name}_total counter",
                f"treatygraph_{name}_total {self.value(name):g}",
            ]
        return "\n".join(out) + "\n"


def get_metrics() -> Metrics:
    return current_app.extensions[EXTENSION]


def count_rejection(reason: str) -> None:
    """Record a refused request (called by the error handlers)."""
    get_metrics().count_rejection(reason)


def _start_timer() -> None:
    g.treatygraph_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("treatygraph_started", None)
    if started is not None:
        endpoint = _ENDPOINT_NAMES.get(request.endpoint or "", "other")
        get_metrics().observe_request(endpoint, response.status_code, time.perf_counter() - started)
    return response


def metrics_view() -> Response:
    return Response(
        get_metrics().render(),
        mimetype="text/plain",
        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"},
    )


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Metrics()
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])
