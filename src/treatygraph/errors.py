"""The one error family: every failure treatygraph reports to a person derives from :class:`Error`.

An error carries a message that names the problem and where it is (file:line:column, row and
column, a query position), the HTTP status it answers with when it reaches a response, and the
exit status it ends a command with. Nothing here knows Flask or argparse: the web layer maps
``status`` to a response in one place (:mod:`treatygraph.web.errors`), the CLI maps
``exit_code`` in one place (:mod:`treatygraph.cli`), and the query process sends an error back
to its parent as data (it pickles: a message and headers). Anything that is not an
:class:`Error` is a bug: a 500 that is logged, or a traceback.

Exit codes: 1 a check failed (SHACL violations, anchors that do not match), 2 input that cannot
be read or a setting that cannot work, 3 a service we depend on failed, 4 interrupted, 5 out of
memory or disk space.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class Error(Exception):
    """Base of the family; ``message`` is safe to show to whoever caused it."""

    status = 500
    exit_code = 1
    reason = "error"  #: short label, e.g. for the rejection metric

    def __init__(self, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    def __reduce__(self) -> tuple[object, ...]:  # keep subclasses' extra fields out of pickling
        return (_rebuild, (type(self), self.message, self.headers))


def _rebuild(cls: type[Error], message: str, headers: dict[str, str]) -> Error:
    err = Exception.__new__(cls)
    Exception.__init__(err, message)
    err.message, err.headers = message, headers
    return err


# -- input and checks (the CLI's usual errors; a web request's 4xx) ---------------------------
class InputError(Error):
    """Input that cannot be read: a syntax error, a missing file, a cell that is not a number."""

    status, exit_code, reason = 400, 2, "bad_request"


class CheckFailed(Error):
    """Input that reads but fails a check: SHACL violations, anchors that do not match."""

    status, exit_code, reason = 422, 1, "check_failed"


class ConfigError(Error):
    """Settings that cannot work together, or a host that cannot do what they ask."""

    status, exit_code, reason = 500, 2, "config"


class UpstreamError(Error):
    """A store or service behind us failed or could not be reached: not the client's fault."""

    status, exit_code, reason = 502, 3, "upstream"


class Interrupted(Error):
    """The user stopped the command; nothing was changed."""

    status, exit_code, reason = 500, 4, "interrupted"


class OutOfResources(Error):
    """The machine ran out of memory or disk space; nothing was changed."""

    status, exit_code, reason = 507, 5, "resources"


class QuerySyntaxError(InputError):
    """The query does not parse; the message carries line:column."""

    reason = "syntax"


class QueryEvaluationError(InputError):
    """The query parsed but evaluation failed for a reason the client caused."""

    reason = "evaluation"


# -- HTTP protocol errors: raised only by the protocol layers (sparql, linkeddata, web) --------
class BadRequest(InputError):
    status, reason = 400, "bad_request"


class UnsafeQuery(BadRequest):
    """A pre-flight check refused the request (SERVICE, FROM, LOAD)."""

    reason = "unsafe"


class Unauthorized(InputError):
    status, reason = 401, "unauthorized"

    def __init__(self, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(
            message, headers or {"WWW-Authenticate": 'Bearer realm="treatygraph-update"'}
        )


class Forbidden(InputError):
    status, reason = 403, "forbidden"


class NotFound(InputError):
    status, reason = 404, "not_found"


class NotAcceptable(InputError):
    """No offered format fits the request; the message lists the media types on offer."""

    status, reason = 406, "not_acceptable"
    offered: list[str] = []

    @classmethod
    def offering(cls, message: str, media_types: Iterable[str]) -> NotAcceptable:
        types = list(media_types)
        err = cls(f"{message}. Offered types: {', '.join(types)}")
        err.offered = types
        return err


class PayloadTooLarge(InputError):
    status, reason = 413, "body_cap"


class ResultTooLarge(InputError):
    """More rows/triples than RESULT_CAP: an explicit error instead of a silent cut."""

    status, reason = 413, "result_cap"


class UriTooLong(InputError):
    status, reason = 414, "body_cap"


class UnsupportedMediaType(InputError):
    status, reason = 415, "media_type"


class QueryTimeout(Error):
    """The query ran past its time or memory limit and was stopped; the client may retry."""

    status, exit_code, reason = 503, 1, "timeout"

    def __init__(self, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message, headers or {"Retry-After": "5"})
