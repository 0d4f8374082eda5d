"""Run a built Flask app under gunicorn: sync workers, bounded request lines, no control socket.

The app (and so the store) is built in this process *before* gunicorn starts, so workers forked
afterwards share the loaded store copy-on-write (``preload_app``). Workers are ``sync`` by
default (WORKER_CLASS): each serves one request at a time through its one query process, so a
query running to its time limit holds only its own worker while the others answer. Slow clients
that trickle their headers hold a sync worker, so on a public address nginx goes in front
(``treatygraph nginx``; measured in ``tests/endpoint/test_slow_clients.py``). ``gthread`` is
the alternative without a proxy: a trickler holds one of WORKER_THREADS threads, but the
threads of a worker share its query process, so one slow query makes that worker's lookups
wait. Request lines are bounded at
gunicorn's largest limit (8190 bytes), above the app's URL_CAP, so a long URL gets the app's own
414 message and a longer one gunicorn's 414, never an unbounded read. Each server runs without
gunicorn's control socket, so instances never share one.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from treatygraph.store import EXECUTOR, FEDERATION_EXECUTOR
from treatygraph.web.logs import HEADER

#: gunicorn's largest request-line limit (gunicorn.http.message.MAX_REQUEST_LINE)
REQUEST_LINE_LIMIT = 8190
#: room the request line needs besides the query string (method, path, "HTTP/1.1")
REQUEST_LINE_OVERHEAD = 90
#: app.extensions key of the worker's ``notify``, for responses longer than the worker timeout
#: (here, not in web.pipeline: importing that would create the metrics before ``serve`` has
#: chosen prometheus_client's multiprocess directory)
HEARTBEAT = "treatygraph.heartbeat"
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms id=%({' + HEADER.lower() + '}o)s "%(a)s"'


def options(config: dict[str, Any], bind: str, workers: int) -> dict[str, Any]:
    """gunicorn settings for a server with these app settings."""
    worker_class = config.get("WORKER_CLASS") or "sync"
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": worker_class,
        # gunicorn turns sync into gthread when threads > 1
        "threads": int(config.get("WORKER_THREADS") or 64) if worker_class == "gthread" else 1,
        # the worker heartbeat: queries themselves stop at QUERY_TIMEOUT
        "timeout": int(float(config["QUERY_TIMEOUT"])) + 30,
        "graceful_timeout": 10,
        "preload_app": True,
        "limit_request_line": REQUEST_LINE_LIMIT,
        "control_socket_disable": True,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
    }


def run(app: Flask, settings: dict[str, Any]) -> None:
    """Serve ``app`` until gunicorn's arbiter stops (it ends with SystemExit)."""
    from gunicorn.app.base import BaseApplication

    def post_fork(_server: Any, worker: Any) -> None:
        """Fork each worker's query processes now, not on their first request; give the app
        the worker's heartbeat, for responses that take longer than the worker timeout."""
        app.extensions[HEARTBEAT] = worker.notify
        for key in (EXECUTOR, FEDERATION_EXECUTOR):
            if key in app.extensions:
                app.extensions[key].start()

    class Application(BaseApplication):  # type: ignore[misc]  # gunicorn's custom-app pattern
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)
            self.cfg.set("post_fork", post_fork)

        def load(self) -> Flask:
            return app

    Application().run()
