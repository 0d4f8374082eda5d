"""Errors that carry their HTTP status, mapped to responses in one place.

A client mistake raises a :class:`ClientError` subclass (4xx/503 with a message that
points at the problem). Anything else that escapes a view is a bug: it is logged with
its traceback and answered with a bare 500, never disguised as a 4xx.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from treatygraph.store.base import UpstreamError

if TYPE_CHECKING:  # pragma: no cover
    from treatygraph.web.conneg import Format

log = logging.getLogger(__name__)


class ClientError(Exception):
    """An error the client can fix (or, for 503, retry); ``status`` is the HTTP status."""

    status = 400
    reason = "bad_request"  #: label used by the rejection metric

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(ClientError):
    status, reason = 400, "bad_request"


class QuerySyntaxError(BadRequest):
    """The engine's parser rejected the query; the message carries line:column."""

    reason = "syntax"


class UnsafeQuery(BadRequest):
    """Pre-flight safety check refused the request (SERVICE, FROM, LOAD)."""

    reason = "unsafe"


class Unauthorized(ClientError):
    status, reason = 401, "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": 'Bearer realm="treatygraph-update"'})


class Forbidden(ClientError):
    status, reason = 403, "forbidden"


class MethodNotAllowed(ClientError):
    status, reason = 405, "method"

    def __init__(self, message: str, allowed: Iterable[str]) -> None:
        super().__init__(message, {"Allow": ", ".join(allowed)})


class NotAcceptable(ClientError):
    status, reason = 406, "not_acceptable"

    def __init__(self, message: str, offered: Iterable[Format]) -> None:
        types = [f.media_type for f in offered]
        super().__init__(f"{message}. Offered types: {', '.join(types)}")
        self.offered = types


class PayloadTooLarge(ClientError):
    status, reason = 413, "body_cap"


class ResultTooLarge(ClientError):
    """More rows/triples than RESULT_CAP: an explicit error instead of a silent cut."""

    status, reason = 413, "result_cap"


class UriTooLong(ClientError):
    status, reason = 414, "body_cap"


class UnsupportedMediaType(ClientError):
    status, reason = 415, "media_type"


class BadGateway(ClientError):
    """The remote store failed: reported with its message, and logged, but not a bug of ours."""

    status, reason = 502, "upstream"


class QueryTimeout(ClientError):
    status, reason = 503, "timeout"

    def __init__(self, message: str) -> None:
        super().__init__(message, {"Retry-After": "5"})


def _text(message: str, status: int, headers: dict[str, str]) -> Response:
    body = message if message.endswith("\n") else message + "\n"
    resp = Response(body, status=status, mimetype="text/plain")
    resp.headers.update(headers)
    return resp


def handle_client_error(err: ClientError) -> Response:
    from treatygraph.web import metrics

    metrics.count_rejection(err.reason)
    return _text(err.message, err.status, err.headers)


def handle_http_exception(err: HTTPException) -> Response:
    """Werkzeug's own errors (404, 405 from routing, 413 from MAX_CONTENT_LENGTH)."""
    status = err.code or 500
    if status == 413:
        from treatygraph.web import metrics

        metrics.count_rejection("body_cap")
    resp = _text(err.description or err.name, status, {})
    if status == 405 and err.get_response().headers.get("Allow"):
        resp.headers["Allow"] = err.get_response().headers["Allow"]
    return resp


def handle_bug(err: Exception) -> Response:
    log.exception("unhandled error: %s", err)
    return _text("internal server error (logged)", 500, {})


def handle_upstream_error(err: UpstreamError) -> Response:
    """A page's query failed in the remote store: 502 with the store's message, logged."""
    log.error("the store failed: %s", err.message)
    return handle_client_error(BadGateway(f"the store behind this site failed: {err.message}"))


def init_app(app: Flask) -> None:
    """Register the single mapping from error classes to responses."""
    app.register_error_handler(ClientError, handle_client_error)
    app.register_error_handler(UpstreamError, handle_upstream_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_bug)
