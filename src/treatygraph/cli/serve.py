"""``treatygraph serve``: serve what was built, under gunicorn.

The app (and so the store) is made in this process before gunicorn starts: data that does not
parse stops the command with ``file:line:column: message`` and exit status 2. With neither
``--data`` nor ``--store``, the project's built graph is served, built first only when a source
changed since the last build. Every flag is a setting (:mod:`treatygraph.web.settings`; also
``TREATYGRAPH_<KEY>`` in the environment). ``--dev`` runs Flask's reloading development server.

Examples::

    treatygraph serve                                  # the built project graph
    treatygraph serve --data tests/endpoint/data/people.ttl --port 8080
    treatygraph serve --store /srv/treatygraph.db --workers 4
    TREATYGRAPH_UPDATE_TOKEN=s3cret treatygraph serve --data d.nq      # enables /update
    treatygraph serve --store sparql+http://127.0.0.1:8890/sparql     # remote store (loads it)
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from typing import Any

from treatygraph.web import settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    settings.add_arguments(parser)


def _default_workers() -> int:
    return max(2, min(4, os.cpu_count() or 1))


def config_from(args: argparse.Namespace) -> dict[str, Any]:
    """The settings: environment, then flags; PROJECT_ROOT and CORPUS_DIR are the command's
    --root and --corpus."""
    config = {**settings.defaults(), **settings.from_environ(), **settings.from_args(args)}
    config["PROJECT_ROOT"] = str(args.root)
    if getattr(args, "corpus", None):
        config["CORPUS_DIR"] = str(args.corpus)
    return config


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from treatygraph.web.serving import REQUEST_LINE_LIMIT, REQUEST_LINE_OVERHEAD

    config = config_from(args)
    updates = bool(settings.secret(config, "UPDATE_TOKEN", "UPDATE_TOKEN_FILE"))
    workers = int(config["WORKERS"] or _default_workers())
    if updates and config["STORE_PATH"]:
        return _refuse(
            "updates need an in-memory store (--data or the project build); --store (a "
            "directory or a remote store) is served read-only"
        )
    if updates and workers != 1:
        print(
            "note: updates are enabled, so 1 worker serves (each worker holds its own "
            "in-memory copy of the data)",
            file=sys.stderr,
        )
        workers = 1
    longest = REQUEST_LINE_LIMIT - REQUEST_LINE_OVERHEAD
    if int(config["URL_CAP"]) > longest:
        return _refuse(f"URL_CAP is at most {longest} bytes (gunicorn's request-line limit)")
    # every worker counts in its own file here; a scrape of any worker adds them all up
    metrics_dir = tempfile.mkdtemp(prefix="treatygraph-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    owner = os.getpid()
    try:
        return _serve(config, workers)
    finally:
        if os.getpid() == owner:  # gunicorn's workers unwind through here too
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _serve(config: dict[str, Any], workers: int) -> int:
    from treatygraph.console import Progress, mode_for
    from treatygraph.errors import Error
    from treatygraph.rdf.io import RDFSyntaxError
    from treatygraph.store import ENGINE
    from treatygraph.web import serving
    from treatygraph.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="[%(process)d] %(name)s: %(message)s")
    progress = Progress(mode_for())
    try:
        progress.stage("opening the store and loading the data")
        app = create_app(config)
    except RDFSyntaxError as err:
        return _refuse(f"invalid data: {err.message}")
    except Error as err:
        print(f"error: {err.message}", file=sys.stderr)
        return err.exit_code
    finally:
        progress.close()
    engine = app.extensions[ENGINE]
    if not app.config["QUERY_ISOLATION"]:
        print(
            "warning: query processes are NOT confined (--unsafe-no-isolation): a query "
            "that the checks miss may reach the network or the file system",
            file=sys.stderr,
        )
    host, port = config["HOST"], int(config["PORT"])
    print(
        f"treatygraph: serving {engine.union_triple_count()} triples in "
        f"{len(engine.graph_names())} named graphs at http://{host}:{port}/sparql",
        file=sys.stderr,
    )
    if config["DEV"]:
        # one thread: query processes are forked from it and die with it (store/sandbox.py)
        app.run(host=host, port=port, debug=True, use_reloader=True, threaded=False)
        return 0
    serving.run(app, serving.options(app.config, f"{host}:{port}", workers))
    return 0
