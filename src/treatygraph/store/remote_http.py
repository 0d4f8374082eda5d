"""The HTTP client the remote store engine talks through.

Kept apart from the engine so that querying (``remote``) and loading (``remote_load``)
share one small client and one way of reporting a store's failures, without a new
dependency: plain urllib, form POSTs, PUT, optional basic/digest auth.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence

from treatygraph.errors import UpstreamError

FORM = "application/x-www-form-urlencoded"

#: What a request answers: HTTP status, Content-Type, body, headers (names lower-cased).
Answer = tuple[int, str, bytes, Mapping[str, str]]


class RemoteStoreError(UpstreamError):
    """The remote store could not be reached or failed (not the client's query)."""


class Http:
    """Small urllib client (no new dependency): form POSTs, PUT, optional basic/digest auth.

    Environment proxies are ignored on purpose: the store is normally on the same
    network, and a stray ``http_proxy`` must not reroute every query.
    """

    def __init__(
        self, user: str | None, password: str | None, auth: str = "basic", urls: Sequence[str] = ()
    ) -> None:
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
        self._basic: str | None = None
        if user is not None:
            if auth == "digest":
                manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                manager.add_password(None, list(urls), user, password or "")  # any realm
                handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
            elif auth == "basic":
                token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
                self._basic = f"Basic {token}"
            else:
                raise ValueError(f"STORE_AUTH must be basic or digest, not {auth!r}")
        self._opener = urllib.request.build_opener(*handlers)

    def request(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str], timeout: float
    ) -> Answer:
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        if self._basic:
            req.add_header("Authorization", self._basic)
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                return (
                    resp.status,
                    resp.headers.get("Content-Type", ""),
                    resp.read(),
                    {k.lower(): v for k, v in resp.headers.items()},
                )
        except urllib.error.HTTPError as err:
            data = err.read() if err.fp is not None else b""
            lowered = {k.lower(): v for k, v in err.headers.items()}
            return err.code, err.headers.get("Content-Type", ""), data, lowered
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise RemoteStoreError(
                f"cannot reach the remote SPARQL store at {url}: {reason}"
            ) from None

    def post_form(
        self, url: str, params: list[tuple[str, str]], accept: str, timeout: float
    ) -> Answer:
        """POST ``params`` as an ``application/x-www-form-urlencoded`` body."""
        body = urllib.parse.urlencode(params).encode("utf-8")
        return self.request(
            "POST", url, body, {"Content-Type": FORM + "; charset=utf-8", "Accept": accept}, timeout
        )


def error_message(status: int, body: bytes) -> str:
    """``HTTP 500: ...``: the status and the first lines of a failed request's body."""
    text = body.decode("utf-8", "replace").strip()
    lines = [line for line in text.splitlines() if line.strip()][:6]
    return f"HTTP {status}: " + " ".join(lines)[:600] if lines else f"HTTP {status}"
