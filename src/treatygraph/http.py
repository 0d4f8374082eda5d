"""The one HTTP client of treatygraph: bounded body, overall deadline, http(s) only.

Every outbound request (``import`` from an address, ``reconcile`` asking a Wikidata endpoint,
the remote store) goes through :class:`Client`, so the limits hold everywhere:

- the **body is capped** (``max_bytes``): a never-ending answer ends in :class:`TooLarge`, not in
  a MemoryError after gigabytes;
- the **timeout is overall**: one deadline for connecting, redirects, headers and the whole body.
  urllib's own timeout is per socket operation, so a body that trickles one byte a second never
  trips it; here the body is read one ``read1`` at a time and the deadline is checked between;
- only ``http`` and ``https``, for the first address and for every redirect (urllib follows a
  redirect to ``ftp://`` on its own); at most :data:`MAX_REDIRECTS` of them;
- **environment proxies are ignored**: a stray ``http_proxy`` must not reroute a request;
- optional basic or digest authentication (urllib's handlers: no new dependency).

A failure to get an answer is an :class:`HttpError` (an :class:`~treatygraph.errors.UpstreamError`,
exit 3, one line naming the address). An HTTP error status is an answer, not an exception:
callers decide what a 404 means to them.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from treatygraph import __version__
from treatygraph.errors import UpstreamError

SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
CHUNK = 1 << 16
USER_AGENT = f"treatygraph/{__version__}"


class HttpError(UpstreamError):
    """No usable answer from an address: unreachable, too slow, too large, a bad redirect."""


class TooLarge(HttpError):
    """The body went past the client's cap."""


class DeadlineExceeded(HttpError):
    """The whole request took longer than its overall timeout."""


@dataclass(frozen=True)
class Response:
    """An answer: status, headers (names lower-cased), body (empty when streamed), final URL."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    size: int = 0
    sha256: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()


def check_scheme(url: str) -> None:
    """Refuse any address that is not http(s), before a connection is made."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise HttpError(f"{url}: only http:// and https:// addresses are fetched, not {scheme}:")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only, and at most MAX_REDIRECTS of them."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        target = urllib.parse.urljoin(req.full_url, newurl)
        scheme = urllib.parse.urlsplit(target).scheme.lower()
        if scheme not in SCHEMES:
            raise HttpError(
                f"{req.full_url}: HTTP {code} redirects to {target}, which is not http(s); "
                "not followed"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Digest(urllib.request.HTTPDigestAuthHandler):
    """Digest auth that closes the 401 it answers: urllib retries with credentials and drops
    the challenge's response unclosed, leaking its socket until the garbage collector runs."""

    def http_error_401(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        try:
            return super().http_error_401(req, fp, code, msg, headers)
        finally:
            fp.close()


class Client:
    """Make requests with a capped body and one deadline per request (see the module doc)."""

    def __init__(
        self,
        *,
        max_bytes: int | None = 256 * 1024 * 1024,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        urls: Sequence[str] = (),
    ) -> None:
        self.max_bytes = max_bytes
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({}), _Redirects()]
        self._basic: str | None = None
        if user is not None:
            if auth == "digest":
                manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                manager.add_password(None, list(urls), user, password or "")
                handlers.append(_Digest(manager))
            elif auth == "basic":
                token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
                self._basic = f"Basic {token}"
            else:
                raise ValueError(f"auth must be basic or digest, not {auth!r}")
        self._opener = urllib.request.build_opener(*handlers)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        sink: Callable[[bytes], object] | None = None,
    ) -> Response:
        """One request, all of it within ``timeout`` seconds.

        With ``sink`` the body is handed over chunk by chunk (and not kept); the response then
        carries its size and SHA-256 instead.
        """
        check_scheme(url)
        deadline = time.monotonic() + timeout
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        req.add_unredirected_header("User-Agent", USER_AGENT)
        if self._basic:
            req.add_header("Authorization", self._basic)
        try:
            try:
                resp = self._opener.open(req, timeout=timeout)
            except urllib.error.HTTPError as err:
                resp = err  # an answer with an error status: read it like any other
            with resp:
                status = resp.status if hasattr(resp, "status") else resp.code
                lowered = {k.lower(): v for k, v in resp.headers.items()}
                data, size, digest = self._read(resp, url, deadline, timeout, sink)
                return Response(status or 0, lowered, data, resp.geturl(), size, digest)
        except HttpError:
            raise
        except urllib.error.URLError as err:
            raise HttpError(f"{url}: cannot retrieve: {self._reason(err.reason)}") from None
        except TimeoutError:
            raise DeadlineExceeded(f"{url}: no complete answer within {timeout:g} s") from None
        except http.client.HTTPException as err:
            raise HttpError(f"{url}: not a valid HTTP answer: {self._reason(err)}") from None
        except OSError as err:
            raise HttpError(f"{url}: cannot retrieve: {self._reason(err)}") from None

    def _read(
        self,
        resp: Any,
        url: str,
        deadline: float,
        timeout: float,
        sink: Callable[[bytes], object] | None,
    ) -> tuple[bytes, int, str]:
        parts: list[bytes] = []
        digest = hashlib.sha256()
        size = 0
        fp = resp.fp if isinstance(resp, urllib.error.HTTPError) else resp
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeadlineExceeded(
                    f"{url}: no complete answer within {timeout:g} s ({size:,} bytes read)"
                )
            _set_timeout(fp, remaining)
            chunk = fp.read1(CHUNK) if hasattr(fp, "read1") else fp.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if self.max_bytes is not None and size > self.max_bytes:
                raise TooLarge(
                    f"{url}: the answer is larger than the limit of {self.max_bytes:,} bytes; "
                    "nothing kept"
                )
            digest.update(chunk)
            if sink is not None:
                sink(chunk)
            else:
                parts.append(chunk)
        return b"".join(parts), size, digest.hexdigest()

    @staticmethod
    def _reason(err: object) -> str:
        text = str(err).strip()
        return text or type(err).__name__

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        sink: Callable[[bytes], object] | None = None,
    ) -> Response:
        return self.request("GET", url, None, headers, timeout, sink)


def _set_timeout(fp: Any, seconds: float) -> None:
    """Bound the next socket read by what is left of the deadline (best effort)."""
    raw = getattr(getattr(fp, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
        except OSError:
            pass
