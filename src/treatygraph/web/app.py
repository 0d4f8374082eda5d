"""Application factory for the treatygraph SPARQL endpoint.

Nothing is parsed at import time and the module holds no mutable state: ``create_app``
builds a Flask app, :func:`init_engine` opens the store once (per app) and registers it
in ``app.extensions``, and views reach it only through
:func:`treatygraph.store.get_engine`.

Configuration (Flask ``app.config``; also read from ``TREATYGRAPH_<KEY>`` environment
variables, JSON-decoded, before the mapping passed to ``create_app``):

==================  ===================================================  ===============
Key                 Meaning                                              Default
==================  ===================================================  ===============
DATA_FILES          RDF files to load into an in-memory store. N-Quads   ``[]``
                    and TriG keep their graph names; triple formats
                    (.ttl .nt .rdf .owl .jsonld .n3) load into the
                    store's default graph, or into a named graph when
                    the entry is a ``(path, graph_iri)`` pair.
STORE_PATH          On-disk Oxigraph store, opened read-only (updates    ``None``
                    are then refused). Wins over DATA_FILES.
PROJECT_ROOT        With neither of the above, the project graph is      current dir
                    built in memory with ``treatygraph.build.compile.
                    build_nquads(PROJECT_ROOT)``.
QUERY_TIMEOUT       Seconds a query may run; past it the client gets a   ``10``
                    503 (the query process is killed).
RESULT_CAP          Max rows (SELECT) or triples (CONSTRUCT/DESCRIBE).   ``10000``
                    A larger result is an error (413 with a message and
                    ``X-Result-Cap``), never silently cut.
BODY_CAP            Max request body (and URL query string) in bytes;    ``1048576``
                    larger bodies get 413 (URLs 414).
UPDATE_TOKEN        Enables ``/update``, which then needs                ``None``
                    ``Authorization: Bearer <token>``. Unset: 403.
SERVICE_ALLOWLIST   Endpoint IRIs that ``SERVICE`` may call (exact       ``[]``
                    match). Empty: every SERVICE is refused. Such
                    queries run in a second query process that can
                    reach only these endpoints' hosts and ports.
QUERY_ISOLATION     Confine query processes with the kernel (no network ``True``
                    but the allow-listed endpoints, no files; see
                    ``store/sandbox.py``). ``False`` only where the
                    host cannot, accepting that a query the checks
                    miss may reach the network (``serve
                    --unsafe-no-isolation``).
QUERY_MEMORY_LIMIT  Megabytes one query may allocate in its process;    ``1024``
                    past it the query is stopped (503 naming the
                    limit). 0: no limit.
BASE_URL            Public base URL (e.g. ``https://example.org``), used ``None``
                    for sd:endpoint and the query base IRI; default:
                    the request's host.
RESOURCE_NAMESPACE  IRIs under it link to local ``/id/<slug>`` pages in  ``https://w3id.
                    the query UI.                                        org/treatygraph
                                                                         /id/``
COMPETENCY_DIR      Directory of ``*.rq`` example queries for the home   ``PROJECT_ROOT/
                    page (first line ``# title``).                       tests/
                                                                         competency``
CACHE_ENTRIES       Max cached responses per worker (0 disables).        ``512``
CACHE_FAST_PATH     Answer GET /sparql cache hits before Flask routes    ``True``
                    the request (same body and headers, 5x cheaper).
SHARED_CACHE_SECONDS  How long shared caches (``serve --front-cache``,   ``300``
                    a CDN) may keep a query answer or page
                    (``s-maxage``); browsers always revalidate. 0, or
                    updates enabled: ``no-cache``. With a remote store
                    it also bounds reuse by each server process.
CORPUS_DIR          Directory of the documents' texts, which /id/ pages  ``$TREATYGRAPH_
                    quote anchors from, each in its own document's       CORPUS``, else
                    sentence (records come from PROJECT_ROOT). A text    ``../shared/
                    that is absent: the anchor's stored prefix/suffix    sources``
                    context is shown instead.
DATASET_LICENSE     License IRI stated in VoID and DCAT.                 ``https://
                                                                         creativecommons
                                                                         .org/licenses/
                                                                         by/4.0/``
DATASET_PUBLISHER   Publisher name stated in VoID and DCAT.              ``"treatygraph
                                                                         contributors"``
==================  ===================================================  ===============
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from treatygraph import linkeddata
from treatygraph.errors import ConfigError
from treatygraph.sparql import fastpath, protocol
from treatygraph.sparql.execute import run_job, warm_up
from treatygraph.store import ENGINE, EXECUTOR, FEDERATION_EXECUTOR, open_engine
from treatygraph.store.executor import Executor
from treatygraph.store.sandbox import Sandbox, check_available
from treatygraph.web import errors, home, metrics

DEFAULTS: dict[str, Any] = {
    "DATA_FILES": [],
    "STORE_PATH": None,
    "PROJECT_ROOT": None,
    "QUERY_TIMEOUT": 10.0,
    "RESULT_CAP": 10_000,
    "BODY_CAP": 1 << 20,
    "UPDATE_TOKEN": None,
    "SERVICE_ALLOWLIST": [],
    "QUERY_ISOLATION": True,
    "QUERY_MEMORY_LIMIT": 1024,
    "BASE_URL": None,
    "RESOURCE_NAMESPACE": "https://w3id.org/treatygraph/id/",
    "COMPETENCY_DIR": None,
    "CACHE_ENTRIES": 512,
    "CACHE_FAST_PATH": True,
    "SHARED_CACHE_SECONDS": 300,
    "CORPUS_DIR": None,
    "DATASET_LICENSE": "https://creativecommons.org/licenses/by/4.0/",
    "DATASET_PUBLISHER": "treatygraph contributors",
}

CORS_ALLOW_HEADERS = "Content-Type, Authorization, Accept, If-None-Match"
#: Sent on every response (also by the cache fast path in ``sparql.fastpath``).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, X-Result-Cap, Retry-After",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; the store is opened here (raises DataLoadError / ConfigError)."""
    app = Flask("treatygraph")  # templates/ and static/ sit at the package root
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("TREATYGRAPH")
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["BODY_CAP"])
    app.json.sort_keys = False  # type: ignore[attr-defined]
    errors.init_app(app)
    metrics.init_app(app)
    init_engine(app)
    protocol.init_app(app)
    home.init_app(app)
    linkeddata.init_app(app)
    app.after_request(_cors)
    if app.config["CACHE_FAST_PATH"]:
        fastpath.wrap(app, CORS_HEADERS)
    return app


def init_engine(app: Flask) -> None:
    """Open the configured store and its query processes' managers (forked lazily).

    One process reaches nothing but what the engine needs; with a SERVICE allow-list, a
    second one also reaches the allow-listed endpoints (``store/sandbox.py``).
    """
    config = app.config
    if config["QUERY_ISOLATION"]:
        reason = check_available()
        if reason is not None:
            raise ConfigError(
                f"this host cannot confine query processes ({reason}). Without that, a query "
                "that the checks miss could reach the network; run as root or with user "
                "namespaces enabled, or accept the risk with --unsafe-no-isolation "
                "(QUERY_ISOLATION=false)"
            )
    engine = open_engine(config)
    app.extensions[ENGINE] = engine
    handler = functools.partial(run_job, engine)

    def child_init() -> None:
        engine.after_fork()
        warm_up()

    def executor(urls: list[str]) -> Executor:
        if not config["QUERY_ISOLATION"]:
            return Executor(handler, child_init=child_init)
        memory = int(config["QUERY_MEMORY_LIMIT"] or 0) << 20
        sandbox = Sandbox.for_urls(urls, engine.paths, memory or None)
        return Executor(handler, child_init=child_init, sandbox=sandbox)

    app.extensions[EXECUTOR] = executor(list(engine.urls))
    if config["SERVICE_ALLOWLIST"]:
        app.extensions[FEDERATION_EXECUTOR] = executor([*engine.urls, *config["SERVICE_ALLOWLIST"]])


def _cors(response: Response) -> Response:
    """Anyone may query from a browser; credentials are never allowed cross-origin."""
    response.headers.update(CORS_HEADERS)
    if request.method == "OPTIONS":
        allow = response.headers.get("Allow", "GET, HEAD, POST, OPTIONS")
        response.headers["Access-Control-Allow-Methods"] = allow
        response.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
