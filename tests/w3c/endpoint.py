"""Endpoint-agnostic access to a SPARQL service: a transport (live HTTP or a Flask test client),
the paths of its query and update services, and ``run_query``.
"""

from __future__ import annotations

import http.client
import urllib.parse
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class Transport(Protocol):
    def request(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> HttpResponse: ...


class HttpTransport:
    """Raw HTTP/1.1 with http.client, so requests carry exactly the headers we give them."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path
        self.timeout = timeout

    def request(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> HttpResponse:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.putrequest(method, self.prefix + target, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            elif method in ("POST", "PUT"):
                conn.putheader("Content-Length", "0")
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            return HttpResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()


class FlaskTransport:
    """In-process transport through a Flask test client (full WSGI request handling)."""

    def __init__(self, client: object, base_url: str = "http://localhost") -> None:
        self.client = client
        self.base_url = base_url

    def request(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> HttpResponse:
        path, _, query = target.partition("?")
        resp = self.client.open(  # type: ignore[attr-defined]
            path, method=method, query_string=query, headers=headers, data=body
        )
        return HttpResponse(
            resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.get_data()
        )


@dataclass
class Endpoint:
    """A SPARQL service under test."""

    label: str
    transport: Transport
    base_url: str
    query_path: str
    update_path: str | None = None
    update_headers: dict[str, str] = field(default_factory=dict)

    @property
    def query_url(self) -> str:
        return self.base_url.rstrip("/") + self.query_path

    def query(
        self,
        query: str,
        *,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        accept: str | None = None,
    ) -> HttpResponse:
        return run_query(
            self, query, default_graphs=default_graphs, named_graphs=named_graphs, accept=accept
        )

    def update(self, update: str) -> HttpResponse:
        if self.update_path is None:
            raise RuntimeError(f"{self.label}: no update service configured")
        body = urllib.parse.urlencode({"update": update}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self.update_headers}
        return self.transport.request("POST", self.update_path, headers, body)


def run_query(
    endpoint: Endpoint,
    query: str,
    *,
    default_graphs: tuple[str, ...] = (),
    named_graphs: tuple[str, ...] = (),
    accept: str | None = None,
) -> HttpResponse:
    """Send a query by POST with a URL-encoded body (SPARQL 1.1 Protocol §2.1.2)."""
    params = [("query", query)]
    params += [("default-graph-uri", g) for g in default_graphs]
    params += [("named-graph-uri", g) for g in named_graphs]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    body = urllib.parse.urlencode(params).encode()
    return endpoint.transport.request("POST", endpoint.query_path, headers, body)


def make_endpoint(
    base_url_or_client: str | object,
    *,
    query_path: str = "/sparql",
    update_path: str | None = "/update",
    update_token: str | None = None,
    label: str = "",
) -> Endpoint:
    """An Endpoint for a live base URL (``http://127.0.0.1:8000``) or a Flask test client."""
    headers = {"Authorization": f"Bearer {update_token}"} if update_token else {}
    if isinstance(base_url_or_client, str):
        transport: Transport = HttpTransport(base_url_or_client)
        base = base_url_or_client.rstrip("/")
    else:
        transport = FlaskTransport(base_url_or_client)
        base = "http://localhost"
    return Endpoint(label or base, transport, base, query_path, update_path, headers)
