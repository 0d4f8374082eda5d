"""A request id on every response, and the query log.

Every request gets an id: the client's ``X-Request-Id`` when it is a plain token, else a fresh
one. It is sent back in ``X-Request-Id``, printed in gunicorn's access log (``serve`` puts it in
the log format) and in the query log, so one line of each can be matched. The query log
(logger ``treatygraph.query``) has one line per query or update: id, status, duration, size of
the answer in bytes, whether it came from the cache, and the start of the text.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from flask import Flask, Response, g, request

HEADER = "X-Request-Id"
_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
log = logging.getLogger("treatygraph.query")


def request_id() -> str:
    return str(g.get("request_id", "-"))


def note_query(text: str) -> None:
    """Called by the query and update views: this request's text goes into the query log."""
    g.query_text = text
    g.query_started = time.perf_counter()


def note_cache_hit() -> None:
    g.query_cached = True


def _assign() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if _TOKEN.match(given) else secrets.token_hex(8)


def _finish(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    text = g.pop("query_text", None)
    if text is not None:
        took = time.perf_counter() - g.pop("query_started", time.perf_counter())
        size = response.content_length
        if size is None and not response.is_streamed:
            size = len(response.get_data())
        log.info(
            "query id=%s status=%d ms=%.1f bytes=%s cached=%s text=%.200r",
            request_id(),
            response.status_code,
            took * 1000,
            size if size is not None else "-",
            "yes" if g.pop("query_cached", False) else "no",
            " ".join(text.split()),
        )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_finish)
