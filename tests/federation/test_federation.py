"""Federated queries: SERVICE to allow-listed endpoints works; anything else is refused.

Server B (``treatygraph serve --data people-b.ttl``) holds who works where; server A
(``--data people-a.ttl``) holds names and allow-lists B's endpoint and a listener that
never answers. A SERVICE join on A must return the rows joined across both (pyoxigraph
makes the call from A's query process); a SERVICE to anything else must be refused with
400 before any connection is made; a SERVICE that hangs must end with A's time limit.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from treatygraph.testing import LiveServer, free_port

pytestmark = pytest.mark.live

SRJ = "application/sparql-results+json"
TIMEOUT = 3  # server A's QUERY_TIMEOUT

A_DATA = """@prefix ex: <http://example.org/> .
ex:alice ex:name "Alice" .
ex:bob   ex:name "Bob" .
ex:carol ex:name "Carol" .
"""
B_DATA = """@prefix ex: <http://example.org/> .
ex:alice ex:worksFor ex:acme .
ex:bob   ex:worksFor ex:globex .
ex:dave  ex:worksFor ex:acme .
ex:acme   ex:label "ACME" .
ex:globex ex:label "Globex" .
"""
JOIN = """PREFIX ex: <http://example.org/>
SELECT ?name ?company WHERE {
  ?person ex:name ?name .
  SERVICE <%s> { ?person ex:worksFor ?org . ?org ex:label ?company }
} ORDER BY ?name"""
#: hand-made from the data above: carol works nowhere, dave has no name in A
EXPECTED = [("Alice", "ACME"), ("Bob", "Globex")]


class Listener:
    """A TCP port that records connections; ``answer=False`` accepts and never replies."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            self._held.append(conn)  # keep it open, say nothing

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._held:
            conn.close()
        self.sock.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    work = tmp_path_factory.mktemp("federation")
    (work / "a.ttl").write_text(A_DATA)
    (work / "b.ttl").write_text(B_DATA)
    silent, unlisted = Listener(), Listener()
    closed = free_port()  # allow-listed, but nothing listens there
    b = LiveServer(["--data", str(work / "b.ttl"), "--workers", "1"], work / "b.log")
    try:
        b_endpoint = f"{b.url}/sparql"
        silent_endpoint = f"http://127.0.0.1:{silent.port}/sparql"
        a = LiveServer(
            [
                "--data",
                str(work / "a.ttl"),
                "--workers",
                "1",
                "--timeout",
                str(TIMEOUT),
                "--allow-service",
                b_endpoint,
                "--allow-service",
                silent_endpoint,
                "--allow-service",
                f"http://127.0.0.1:{closed}/sparql",
            ],
            work / "a.log",
        )
        try:
            yield {
                "a": a,
                "b": b,
                "b_endpoint": b_endpoint,
                "silent": silent,
                "closed": closed,
                "silent_endpoint": silent_endpoint,
                "unlisted": unlisted,
            }
        finally:
            a.stop()
    finally:
        b.stop()
        silent.close()
        unlisted.close()


def _post(url: str, query: str, timeout: float = 30) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(f"{url}/sparql", data=body, headers={"Accept": SRJ})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _sparql_requests(server: LiveServer) -> float:
    """Requests B's /sparql has answered, from its /metrics (all statuses)."""
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    total = 0.0
    for line in text.splitlines():
        if (
            line.startswith("treatygraph_http_requests_total")
            and 'endpoint="sparql.sparql"' in line
        ):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _rows(body: bytes) -> list[tuple[str, ...]]:
    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    return [tuple(term.value for term in solution) for solution in parsed]


def test_metrics_count_sparql_requests(servers: dict) -> None:
    before = _sparql_requests(servers["b"])
    assert _post(servers["b"].url, "ASK {}")[0] == 200
    assert _sparql_requests(servers["b"]) == before + 1


def test_allow_listed_service_joins(servers: dict) -> None:
    before = _sparql_requests(servers["b"])
    status, body = _post(servers["a"].url, JOIN % servers["b_endpoint"])
    assert status == 200, body
    assert _rows(body) == EXPECTED
    assert _sparql_requests(servers["b"]) > before  # B really was asked


@pytest.mark.parametrize("which", ["other-host-name", "other-port", "other-path", "variable"])
def test_other_endpoints_are_refused_without_a_request(servers: dict, which: str) -> None:
    b, unlisted = servers["b"], servers["unlisted"]
    target = {
        "other-host-name": f"http://localhost:{b.port}/sparql",  # B itself, not listed so
        "other-port": f"http://127.0.0.1:{unlisted.port}/sparql",
        "other-path": f"{b.url}/sparql/",
    }.get(which)
    query = (
        JOIN % target
        if target
        else JOIN.replace("SERVICE <%s>", "BIND(<http://x/> AS ?e) SERVICE ?e")
    )
    before = _sparql_requests(b)
    status, body = _post(servers["a"].url, query)
    assert status == 400, body
    assert b"not allowed" in body
    time.sleep(0.3)
    assert _sparql_requests(b) == before, "B saw a request"
    assert unlisted.connections == 0, "the unlisted port saw a connection"


def test_hanging_service_is_stopped_by_the_time_limit(servers: dict) -> None:
    began = time.monotonic()
    status, body = _post(servers["a"].url, JOIN % servers["silent_endpoint"], timeout=TIMEOUT + 30)
    took = time.monotonic() - began
    assert status == 503, body
    assert re.search(rb"time limit|QUERY_TIMEOUT", body)
    assert servers["silent"].connections >= 1  # the call was made, then cut off
    assert took < TIMEOUT + 10
    # and the server still answers afterwards (its query process was replaced)
    status, body = _post(servers["a"].url, JOIN % servers["b_endpoint"])
    assert status == 200 and _rows(body) == EXPECTED


def test_a_failing_service_endpoint_is_a_502_not_a_bug(servers: dict) -> None:
    """Nothing listens at the allow-listed endpoint: the upstream failed, and we say so."""
    status, body = _post(servers["a"].url, JOIN % f"http://127.0.0.1:{servers['closed']}/sparql")
    assert status == 502, body
    assert b"SERVICE call failed" in body
    status, body = _post(servers["a"].url, JOIN % servers["b_endpoint"])  # and it carries on
    assert status == 200 and _rows(body) == EXPECTED
