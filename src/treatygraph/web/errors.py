"""The one mapping from errors to HTTP responses.

Every :class:`treatygraph.errors.Error` carries its status and a message that points at the
problem; it is answered as text/plain with that status and counted by its reason. An upstream
failure (5xx of a store or a SERVICE endpoint) is logged too. Anything else that escapes a view
is a bug: it is logged with its traceback and answered with a bare 500, never disguised as a 4xx.
"""

from __future__ import annotations

import logging

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from treatygraph.errors import Error
from treatygraph.web import metrics

log = logging.getLogger(__name__)

#: werkzeug's own refusals (routing, MAX_CONTENT_LENGTH), counted like ours
_HTTP_REASONS = {404: "not_found", 405: "method", 413: "body_cap"}


def _text(message: str, status: int, headers: dict[str, str]) -> Response:
    body = message if message.endswith("\n") else message + "\n"
    resp = Response(body, status=status, mimetype="text/plain")
    resp.headers.update(headers)
    return resp


def handle_error(err: Error) -> Response:
    if err.status >= 500:
        log.error("%s: %s", type(err).__name__, err.message)
    metrics.count_rejection(err.reason)
    return _text(err.message, err.status, err.headers)


def handle_http_exception(err: HTTPException) -> Response:
    """Werkzeug's own errors (404, 405 from routing, 413 from MAX_CONTENT_LENGTH)."""
    status = err.code or 500
    if status in _HTTP_REASONS:
        metrics.count_rejection(_HTTP_REASONS[status])
    resp = _text(err.description or err.name, status, {})
    allow = err.get_response().headers.get("Allow")
    if status == 405 and allow:
        resp.headers["Allow"] = allow
    return resp


def handle_bug(err: Exception) -> Response:
    log.exception("unhandled error: %s", err)
    return _text("internal server error (logged)", 500, {})


def init_app(app: Flask) -> None:
    """Register the single mapping from error classes to responses."""
    app.register_error_handler(Error, handle_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_bug)
