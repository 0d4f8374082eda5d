"""The HTTP client the remote store engine talks through.

Kept apart from the engine so that querying (``remote``) and loading (``remote_load``)
share one way of reporting a store's failures. The requests themselves go through the
project's one HTTP client (:mod:`treatygraph.http`): overall deadline, http(s) only, no
redirects to other schemes, proxies ignored, optional basic/digest auth.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence

from treatygraph.errors import UpstreamError
from treatygraph.http import Client, HttpError

FORM = "application/x-www-form-urlencoded"

#: What a request answers: HTTP status, Content-Type, body, headers (names lower-cased).
Answer = tuple[int, str, bytes, Mapping[str, str]]


class RemoteStoreError(UpstreamError):
    """The remote store could not be reached or failed (not the client's query)."""


class Http:
    """The remote store's requests: form POSTs, PUT, optional basic/digest auth.

    Environment proxies are ignored on purpose: the store is normally on the same
    network, and a stray ``http_proxy`` must not reroute every query. Bodies are not capped
    here (result sizes are the query layer's business); the deadline is overall.
    """

    def __init__(
        self, user: str | None, password: str | None, auth: str = "basic", urls: Sequence[str] = ()
    ) -> None:
        if user is not None and auth not in ("basic", "digest"):
            raise ValueError(f"STORE_AUTH must be basic or digest, not {auth!r}")
        self._client = Client(max_bytes=None, user=user, password=password, auth=auth, urls=urls)

    def request(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> Answer:
        try:
            resp = self._client.request(method, url, body, headers, timeout)
        except HttpError as err:
            raise RemoteStoreError(
                f"cannot reach the remote SPARQL store at {url}: {err.message}"
            ) from None
        return resp.status, resp.headers.get("content-type", ""), resp.body, resp.headers

    def post_form(
        self, url: str, params: list[tuple[str, str]], accept: str, timeout: float
    ) -> Answer:
        """POST ``params`` as an ``application/x-www-form-urlencoded`` body."""
        body = urllib.parse.urlencode(params).encode("utf-8")
        return self.request(
            "POST", url, body, {"Content-Type": FORM + "; charset=utf-8", "Accept": accept}, timeout
        )


#: Virtuoso's answer when the SPARQL account lacks a role, and the isql statement that fixes it:
#: the store's own text says which procedure, not what to grant.
_VIRTUOSO_DENIED = "No permission to execute procedure"
_VIRTUOSO_GRANT = 'GRANT SPARQL_UPDATE TO "SPARQL";'


def error_message(status: int, body: bytes) -> str:
    """``HTTP 500: ...``: the status and the first lines of a failed request's body, plus the
    ``GRANT`` to run when Virtuoso refused for want of a permission."""
    text = body.decode("utf-8", "replace").strip()
    lines = [line for line in text.splitlines() if line.strip()][:6]
    message = f"HTTP {status}: " + " ".join(lines)[:600] if lines else f"HTTP {status}"
    if _VIRTUOSO_DENIED in text:
        message += f" (the store's SPARQL account lacks a role: run {_VIRTUOSO_GRANT} in isql)"
    return message
