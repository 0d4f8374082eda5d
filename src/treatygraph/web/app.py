"""Application factory for the treatygraph SPARQL endpoint and linked-data site.

Nothing is parsed at import time and the module holds no mutable state: :func:`create_app`
builds a Flask app from the settings (:mod:`treatygraph.web.settings`: defaults, then
``TREATYGRAPH_<KEY>`` environment variables, then the mapping given), opens the store once and
registers it in ``app.extensions``, where views reach it through the store's accessors. What is
served is what was built: with neither DATA_FILES nor STORE_PATH, the artifact of PROJECT_ROOT
(:func:`treatygraph.build.artifact.ensure_built` builds it first only if a source changed) and
the datasets added with ``treatygraph import``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from treatygraph.errors import ConfigError
from treatygraph.linkeddata.state import init_state
from treatygraph.sparql import results
from treatygraph.sparql.execute import run_job
from treatygraph.store import (
    CACHE,
    ENGINE,
    EXECUTOR,
    FEDERATION_EXECUTOR,
    SEARCH,
    open_engine,
    search,
)
from treatygraph.store.cache import AnswerCache
from treatygraph.store.executor import Executor
from treatygraph.store.remote import is_remote
from treatygraph.store.sandbox import Sandbox, check_available
from treatygraph.web import (
    cachepolicy,
    errors,
    home,
    logs,
    metrics,
    pipeline,
    reload,
    routes,
    settings,
)

CORS_ALLOW_HEADERS = "Content-Type, Authorization, Accept, If-None-Match"
#: Sent on every response.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, X-Result-Cap, Retry-After, X-Request-Id",
}
#: Sent on every HTML page: scripts and styles only from our own files, so a value that slips
#: into a page as markup (an imported literal, a ``javascript:`` IRI) cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; the store is opened here (raises RDFSyntaxError / ConfigError)."""
    app = Flask("treatygraph")  # templates/ and static/ sit at the package root
    app.config.from_mapping(settings.defaults())
    app.config.update(settings.from_environ())
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["BODY_CAP"])
    app.config["UPDATE_TOKEN"] = settings.secret(app.config, "UPDATE_TOKEN", "UPDATE_TOKEN_FILE")
    app.config["STORE_PASSWORD"] = settings.secret(
        app.config, "STORE_PASSWORD", "STORE_PASSWORD_FILE"
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    logs.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    reload.init_app(app, load_data)
    home.init_app(app)
    routes.init_app(app)
    app.after_request(_cors)
    app.after_request(pipeline.public_location)
    app.after_request(_csp)
    return app


def served_files(config: Mapping[str, Any]) -> list[Any]:
    """What the store loads: DATA_FILES (and DATA_GRAPHS), else the built project graph
    (nothing for an on-disk store, or a remote one that is not loaded)."""
    files: list[Any] = list(config.get("DATA_FILES") or [])
    files += [(path, iri) for iri, path in config.get("DATA_GRAPHS") or []]
    store = config.get("STORE_PATH")
    if files or (store and (not is_remote(store) or not config.get("STORE_LOAD", True))):
        return files
    from treatygraph.build.artifact import ensure_built
    from treatygraph.corpus.project import imported_files

    root = Path(config.get("PROJECT_ROOT") or Path.cwd())
    corpus = Path(config["CORPUS_DIR"]) if config.get("CORPUS_DIR") else None
    built = ensure_built(
        root, corpus=corpus, say=lambda line: print(f"treatygraph: {line}", file=sys.stderr)
    )
    return [str(built.path), *(str(p) for p in imported_files(root))]


def load_data(app: Flask) -> None:
    """Open the store and what is made from it; again on each new generation (web/reload.py)."""
    init_engine(app)
    init_state(app)


def init_engine(app: Flask) -> None:
    """Open the configured store, the answer cache, and the query processes' managers.

    One query process reaches nothing but what the engine needs; with a SERVICE allow-list, a
    second one also reaches the allow-listed endpoints (``store/sandbox.py``). They are forked
    lazily, or from gunicorn's ``post_fork``.
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
    engine = open_engine({**config, "DATA_FILES": served_files(config)})
    app.extensions[ENGINE] = engine
    app.extensions[CACHE] = AnswerCache(
        max_bytes=int(config["CACHE_MB"]) << 20, max_age=cachepolicy.reuse_seconds(config)
    )
    store_path = config.get("STORE_PATH")
    app.extensions[SEARCH] = search.open_for(engine, None if is_remote(store_path) else store_path)
    pipeline.mark_loaded(app.extensions)
    handler = functools.partial(run_job, engine)

    def child_init() -> None:
        engine.after_fork()
        results.warm_up()

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


def _csp(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
