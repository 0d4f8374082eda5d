"""Experiment only: run ``treatygraph serve`` with gunicorn options the CLI does not expose.

Used by ``bench/run.py --variant`` to measure what a serving change would buy *before*
anyone edits the endpoint. The app, the store, the executor and the cache are exactly
those of ``treatygraph serve``; only gunicorn's options are overridden, e.g.::

    python bench/serve_variant.py --gunicorn worker_class=gthread --gunicorn threads=1 \\
        --gunicorn keepalive=5 -- --data /tmp/bench-large.nq --port 8000 --workers 2

(``gthread`` with one thread keeps connections alive while still running one request
at a time per worker, which is what the executor and the parsers assume.)

``--fast-cache-path`` wraps the app in a WSGI function that answers GET cache hits
without entering Flask: it rebuilds the very cache key ``sparql.protocol._answer`` uses
and, on a hit, writes the same status, body and headers (and counts the same metrics);
anything else (miss, POST, If-None-Match, errors) goes to Flask unchanged. A prototype
to measure the gain, not production code.
"""

from __future__ import annotations

import argparse
import sys

from treatygraph import serve


def fast_cache_path(app):  # type: ignore[no-untyped-def]
    import time

    from werkzeug.wsgi import get_current_url

    from treatygraph.metrics import EXTENSION as METRICS
    from treatygraph.sparql.protocol import CACHE, _decode_params

    flask_wsgi = app.wsgi_app
    cache = app.extensions[CACHE]
    metrics = app.extensions[METRICS]
    base_url = app.config.get("BASE_URL")

    def wsgi(environ, start_response):  # type: ignore[no-untyped-def]
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql"
                or "HTTP_IF_NONE_MATCH" in environ):
            return flask_wsgi(environ, start_response)
        started = time.perf_counter()
        raw = environ.get("QUERY_STRING", "").encode("latin-1")
        try:
            params = _decode_params(raw, "URL query string")
        except Exception:  # noqa: BLE001 - let Flask produce the error
            return flask_wsgi(environ, start_response)
        queries = params.get("query")
        formats = params.get("format") or [None]
        if (not queries or len(queries) > 1 or len(formats) > 1 or "update" in params
                or len(raw) > app.config["BODY_CAP"]):
            return flask_wsgi(environ, start_response)
        root = (base_url.rstrip("/") if base_url
                else get_current_url(environ, root_only=True).rstrip("/"))
        key = ("q", queries[0], tuple(params.get("default-graph-uri", ())),
               tuple(params.get("named-graph-uri", ())), root + "/sparql",
               environ.get("HTTP_ACCEPT"), formats[0])
        entry = cache.get(key)
        if entry is None:
            return flask_wsgi(environ, start_response)
        start_response("200 OK", [
            ("Content-Type", entry.content_type), ("Content-Length", str(len(entry.body))),
            ("ETag", f'"{entry.etag}"'), ("Cache-Control", "no-cache"), ("Vary", "Accept"),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", "ETag, X-Result-Cap, Retry-After")])
        metrics.increment("query_cache_hits")
        metrics.observe_request("sparql", 200, time.perf_counter() - started)
        return [entry.body]

    app.wsgi_app = wsgi
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gunicorn", action="append", default=[], metavar="KEY=VALUE",
                        help="gunicorn setting to override (int values are converted)")
    parser.add_argument("--fast-cache-path", action="store_true",
                        help="answer GET cache hits before Flask (prototype)")
    args, rest = parser.parse_known_args(argv)
    if rest and rest[0] == "--":
        rest = rest[1:]
    overrides: dict[str, object] = {}
    for item in args.gunicorn:
        key, _, value = item.partition("=")
        overrides[key] = int(value) if value.lstrip("-").isdigit() else value
    original_init = serve.GunicornServer.__init__

    def patched_init(self, app, options):  # type: ignore[no-untyped-def]
        if args.fast_cache_path:
            fast_cache_path(app)
        original_init(self, app, {**options, **overrides})

    serve.GunicornServer.__init__ = patched_init  # type: ignore[method-assign]
    return serve.main(rest)


if __name__ == "__main__":
    sys.exit(main())
