"""``treatygraph serve``: validate the data, then run the endpoint under gunicorn.

The app (and so the store) is built in this process *before* gunicorn starts: a data
file that does not parse stops the command with ``file:line:column: message`` and exit
status 2, and the workers forked afterwards share the loaded store copy-on-write
(gunicorn ``preload_app``). Workers are ``sync`` (rdflib-style parsers and our
executor assume one request at a time per process). ``--dev`` runs Flask's reloading
development server instead.

Examples::

    treatygraph serve                                 # build the project graph in memory
    treatygraph serve --data tests/endpoint/data/people.ttl --port 8080
    treatygraph serve --store /srv/treatygraph.db --workers 4
    treatygraph serve --data d.nq --update-token s3cret     # enables /update (1 worker)
    treatygraph serve --store sparql+http://127.0.0.1:8890/sparql   # remote store (loads it)
    treatygraph serve --front-cache                   # nginx in front: buffering and caching
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from treatygraph.errors import ConfigError
from treatygraph.store import EXECUTOR, FEDERATION_EXECUTOR, DataLoadError
from treatygraph.web import cachepolicy
from treatygraph.web.frontcache import (
    FrontCache,
    FrontCacheError,
    FrontCacheSettings,
    check_port,
    find_nginx,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (8000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn sync workers (default: 2-4 by CPU count; 1 with --update-token)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="query time limit in seconds (QUERY_TIMEOUT, default 10)",
    )
    parser.add_argument(
        "--store",
        metavar="PATH|URL",
        help="on-disk Oxigraph store (read-only), or a remote SPARQL 1.1 "
        "store as sparql+http://host:port/sparql (docs/scaling.md)",
    )
    remote = parser.add_argument_group("remote store (--store sparql+http://...)")
    remote.add_argument(
        "--store-update",
        metavar="URL",
        help="the store's SPARQL Update endpoint (default: the query URL)",
    )
    remote.add_argument(
        "--store-graph-store",
        metavar="URL",
        help="load with Graph Store Protocol PUTs to this URL instead of SPARQL Update",
    )
    remote.add_argument("--store-user", metavar="NAME", help="user for the store")
    remote.add_argument(
        "--store-password",
        metavar="P",
        default=os.environ.get("TREATYGRAPH_STORE_PASSWORD"),
        help="password (or set TREATYGRAPH_STORE_PASSWORD)",
    )
    remote.add_argument(
        "--store-auth",
        choices=("basic", "digest"),
        default=None,
        help="HTTP auth scheme for --store-user (basic)",
    )
    remote.add_argument(
        "--store-graph",
        metavar="IRI",
        action="append",
        default=[],
        help="with --no-load: a graph of ours in the store (repeatable; "
        "default: every graph but the store's system graphs)",
    )
    remote.add_argument(
        "--no-load",
        action="store_true",
        help="do not (re)load the data into the remote store at start-up",
    )
    parser.add_argument(
        "--data",
        metavar="FILE",
        nargs="+",
        action="extend",
        default=[],
        help="RDF file(s) to serve; N-Quads/TriG keep graph names, other "
        "formats load into the default graph",
    )
    parser.add_argument(
        "--data-graph",
        metavar=("IRI", "FILE"),
        nargs=2,
        action="append",
        default=[],
        help="load a triples file into the named graph IRI",
    )
    parser.add_argument(
        "--update-token",
        metavar="T",
        default=os.environ.get("TREATYGRAPH_UPDATE_TOKEN"),
        help="enable /update with this bearer token (or set TREATYGRAPH_UPDATE_TOKEN)",
    )
    parser.add_argument(
        "--allow-service",
        metavar="IRI",
        action="append",
        default=[],
        help="SERVICE endpoint IRI that queries may call (repeatable)",
    )
    parser.add_argument(
        "--unsafe-no-isolation",
        action="store_true",
        help="run query processes without kernel confinement, on a host that "
        "cannot provide it; a query the checks miss may then reach the "
        "network (docs/security.md)",
    )
    parser.add_argument(
        "--memory-limit",
        type=int,
        metavar="MB",
        help="memory one query may allocate (QUERY_MEMORY_LIMIT, default 1024)",
    )
    parser.add_argument("--base-url", help="public base URL, e.g. https://example.org")
    parser.add_argument("--result-cap", type=int, help="max result rows (RESULT_CAP)")
    parser.add_argument(
        "--shared-cache-seconds",
        type=int,
        metavar="S",
        help="how long shared caches may keep an answer (SHARED_CACHE_SECONDS,"
        " default 300; 0: no-cache)",
    )
    parser.add_argument("--body-cap", type=int, help="max request body bytes (BODY_CAP)")
    parser.add_argument("--competency-dir", help="directory of example *.rq queries")
    parser.add_argument(
        "--front-cache",
        action="store_true",
        help="put nginx in front as a buffering proxy and HTTP cache of "
        "repeated answers (needs nginx; docs/benchmarks.md)",
    )
    parser.add_argument(
        "--dev", action="store_true", help="Flask development server with the reloader"
    )


def config_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Translate command-line options into app config keys."""
    config: dict[str, Any] = {}
    data: list[Any] = [str(Path(p)) for p in args.data]
    data += [(str(Path(f)), iri) for iri, f in args.data_graph]
    if data:
        config["DATA_FILES"] = data
    if args.store:
        config["STORE_PATH"] = args.store
    for option, key in (
        ("store_update", "STORE_UPDATE_URL"),
        ("store_graph_store", "STORE_GRAPH_STORE_URL"),
        ("store_user", "STORE_USER"),
        ("store_password", "STORE_PASSWORD"),
        ("store_auth", "STORE_AUTH"),
    ):
        value = getattr(args, option, None)
        if value:
            config[key] = value
    if getattr(args, "store_graph", None):
        config["STORE_GRAPHS"] = list(args.store_graph)
    if getattr(args, "no_load", False):
        config["STORE_LOAD"] = False
    root = getattr(args, "root", None)
    if root:
        config["PROJECT_ROOT"] = str(root)
    if args.timeout is not None:
        config["QUERY_TIMEOUT"] = args.timeout
    if args.update_token:
        config["UPDATE_TOKEN"] = args.update_token
    if args.allow_service:
        config["SERVICE_ALLOWLIST"] = list(args.allow_service)
    if getattr(args, "unsafe_no_isolation", False):
        config["QUERY_ISOLATION"] = False
    if getattr(args, "memory_limit", None) is not None:
        config["QUERY_MEMORY_LIMIT"] = args.memory_limit
    for option, key in (
        ("base_url", "BASE_URL"),
        ("result_cap", "RESULT_CAP"),
        ("shared_cache_seconds", "SHARED_CACHE_SECONDS"),
        ("body_cap", "BODY_CAP"),
        ("competency_dir", "COMPETENCY_DIR"),
    ):
        value = getattr(args, option)
        if value is not None:
            config[key] = value
    return config


def _default_workers() -> int:
    return max(2, min(4, os.cpu_count() or 1))


class GunicornServer:
    """Run an already-built Flask app with gunicorn sync workers.

    ``before_stop`` runs in the arbiter when it starts to stop, before the workers go:
    the front cache stops taking requests first, so none reaches a worker that is leaving.
    """

    def __init__(
        self, app: Flask, options: dict[str, Any], before_stop: Callable[[], None] | None = None
    ) -> None:
        self.app = app
        self.options = options
        self.before_stop = before_stop

    def post_fork(self, server: Any, worker: Any) -> None:
        """Fork each worker's query processes now, not on their first request."""
        for key in (EXECUTOR, FEDERATION_EXECUTOR):
            if key in self.app.extensions:
                self.app.extensions[key].start()

    def run(self) -> None:
        from gunicorn.app.base import BaseApplication

        outer = self

        class _Application(BaseApplication):  # gunicorn's documented custom-app pattern
            def load_config(self) -> None:
                for key, value in outer.options.items():
                    self.cfg.set(key, value)
                self.cfg.set("post_fork", outer.post_fork)

            def load(self) -> Flask:
                return outer.app

            def run(self) -> None:
                from gunicorn.arbiter import Arbiter

                class _Arbiter(Arbiter):  # type: ignore[misc]
                    def stop(self, graceful: bool = True) -> None:
                        if outer.before_stop is not None:
                            outer.before_stop()
                        super().stop(graceful)

                try:
                    _Arbiter(self).run()
                except RuntimeError as err:  # as BaseApplication.run reports it
                    print(f"\nError: {err}\n", file=sys.stderr)
                    sys.exit(1)

        _Application().run()


def run(args: argparse.Namespace) -> int:
    from treatygraph.web.app import create_app

    config = config_from_args(args)
    workers = args.workers or _default_workers()
    if config.get("UPDATE_TOKEN"):
        if config.get("STORE_PATH"):
            print(
                "error: --update-token needs an in-memory store (--data or the project "
                "build); --store (a directory or a remote store) is served read-only",
                file=sys.stderr,
            )
            return 2
        if workers != 1:
            print(
                "note: --update-token serves with 1 worker so every request sees the "
                "updates (each worker holds its own in-memory copy)",
                file=sys.stderr,
            )
            workers = 1
    if args.front_cache:
        try:
            if args.dev:
                raise FrontCacheError(
                    "--front-cache runs nginx in front of gunicorn; it "
                    "cannot be combined with --dev"
                )
            find_nginx()  # before the (slow) data load
            check_port(args.host, args.port)
        except FrontCacheError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    try:
        app = create_app(config)
    except DataLoadError as err:
        print(f"error: invalid data: {err}", file=sys.stderr)
        return 2
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    engine = app.extensions["treatygraph.engine"]
    if not app.config["QUERY_ISOLATION"]:
        print(
            "warning: query processes are NOT confined (--unsafe-no-isolation): a query "
            "that the checks miss may reach the network or the file system",
            file=sys.stderr,
        )
    print(
        f"treatygraph: serving {engine.union_triple_count()} triples in "
        f"{len(engine.graph_names())} named graphs at http://{args.host}:{args.port}/sparql",
        file=sys.stderr,
    )
    if args.dev:
        # one thread: query processes are forked from it and die with it (store/sandbox.py)
        app.run(host=args.host, port=args.port, debug=True, use_reloader=True, threaded=False)
        return 0
    query_timeout = float(app.config["QUERY_TIMEOUT"])
    bind = f"{args.host}:{args.port}"
    front = None
    if args.front_cache:
        try:
            front = FrontCache(
                FrontCacheSettings(
                    host=args.host,
                    port=args.port,
                    body_cap=int(app.config["BODY_CAP"]),
                    query_timeout=query_timeout,
                )
            )
            front.start()
        except FrontCacheError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        bind = f"unix:{front.upstream}"
        print(
            f"treatygraph: nginx front cache on {args.host}:{args.port} "
            f"(Cache-Control: {cachepolicy.cache_control(app.config)})",
            file=sys.stderr,
        )
        front.watch(_front_died)
    try:
        _serve(app, bind, workers, query_timeout, front.stop if front is not None else None)
    except SystemExit:  # gunicorn's arbiter ends with sys.exit (0 after SIGTERM)
        if front is not None and front.died_with is not None and os.getpid() == front.owner:
            raise SystemExit(1) from None
        raise
    finally:
        if front is not None:
            front.close()
    return 0


def _front_died(status: int) -> None:
    """nginx ended on its own: stop gunicorn too (SIGTERM to its arbiter, this process)."""
    print(f"error: the nginx front cache exited (status {status}); stopping", file=sys.stderr)
    os.kill(os.getpid(), signal.SIGTERM)


def _serve(
    app: Flask,
    bind: str,
    workers: int,
    query_timeout: float,
    before_stop: Callable[[], None] | None,
) -> None:
    GunicornServer(
        app,
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "sync",
            "timeout": int(query_timeout) + 30,  # worker heartbeat; queries stop at QUERY_TIMEOUT
            "graceful_timeout": 10,
            "preload_app": True,
            "limit_request_line": 0,  # long GET queries; BODY_CAP is enforced by the app (414)
            "errorlog": "-",
            "loglevel": "info",
        },
        before_stop,
    ).run()


def main(argv: list[str] | None = None) -> int:
    """Standalone entry: ``python -m treatygraph.web.serve ...``."""
    parser = argparse.ArgumentParser(prog="treatygraph serve", description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--root", help="project root (default: current directory)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
