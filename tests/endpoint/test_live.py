"""End-to-end tests against a real ``treatygraph serve`` (gunicorn, 2 sync workers)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from treatygraph.testing import LiveServer, free_port

from .conftest import EX, GRAPHS, PEOPLE

pytestmark = pytest.mark.live

SRJ = "application/sparql-results+json"
CARTESIAN = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = f"SELECT ?l WHERE {{ <{EX}alice> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"


@pytest.fixture(scope="module")
def server(big_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        ["--data", str(PEOPLE), str(GRAPHS), str(big_data), "--timeout", "2", "--workers", "2"],
        tmp_path_factory.mktemp("log") / "server.log",
    )
    yield live
    live.stop()


@pytest.fixture(scope="module")
def update_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Updates enabled with a token from a file (a flag taking the token would show in ps)."""
    folder = tmp_path_factory.mktemp("update-server")
    (folder / "token").write_text("s3cret\n")
    live = LiveServer(
        ["--data", str(PEOPLE), str(GRAPHS), "--update-token-file", str(folder / "token")],
        folder / "update-server.log",
    )
    yield live
    live.stop()


def test_healthz_counts(server: LiveServer) -> None:
    health = requests.get(server.url + "/healthz", timeout=5).json()
    assert health["triples"] == 12 + 3000
    assert health["graphs"] == {f"{EX}graph/a": 2, f"{EX}graph/b": 1}


def test_timeout_is_503_while_lookups_keep_working(server: LiveServer) -> None:
    def slow() -> tuple[int, float, str]:
        started = time.monotonic()
        resp = requests.get(server.url + "/sparql", params={"query": CARTESIAN}, timeout=30)
        return resp.status_code, time.monotonic() - started, resp.text

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(slow)
        time.sleep(0.3)  # the slow query is now running in one worker
        lookups = []
        while not future.done():
            started = time.monotonic()
            resp = requests.get(
                server.url + "/sparql",
                params={"query": LOOKUP},
                headers={"Accept": SRJ},
                timeout=10,
            )
            lookups.append((resp.status_code, time.monotonic() - started, future.done()))
            time.sleep(0.1)
        status, elapsed, body = future.result()
    assert status == 503
    assert "QUERY_TIMEOUT (2 s)" in body
    assert 2.0 <= elapsed < 3.0
    during = [lk for lk in lookups if not lk[2]]
    assert during, "no lookup was answered while the slow query ran"
    assert all(code == 200 and seconds < 1.0 for code, seconds, _ in during)
    # and afterwards, from either worker
    for _ in range(4):
        resp = requests.get(
            server.url + "/sparql", params={"query": LOOKUP}, headers={"Accept": SRJ}, timeout=5
        )
        assert resp.json()["results"]["bindings"][0]["l"]["value"] == "Alice"


class _Counter(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.server.hits.append(self.client_address)  # type: ignore[attr-defined]


@pytest.fixture
def trap() -> Iterator[tuple[int, list[object]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Counter)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], server.hits  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "target", ["http://127.0.0.1:{port}/x", "file:///etc/passwd", "file://{fifo}"]
)
def test_no_outbound_requests(
    server: LiveServer,
    update_server: LiveServer,
    trap: tuple[int, list[object]],
    target: str,
    tmp_path: Path,
) -> None:
    port, hits = trap
    # A named pipe proves no file is opened: a reader would block on it (no writer ever comes),
    # so a query that tried would hang instead of getting its quick 4xx, and while a reader
    # holds it open, a non-blocking open for writing succeeds instead of failing with ENXIO.
    fifo = tmp_path / "trap.fifo"
    os.mkfifo(fifo)
    iri = target.format(port=port, fifo=fifo)
    queries = [
        f"SELECT * WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{iri}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{iri}>",
    ]
    for query in queries:
        resp = requests.post(server.url + "/sparql", data={"query": query}, timeout=10)
        assert 400 <= resp.status_code < 500, (query, resp.status_code)
        resp = requests.get(
            server.url + "/sparql",
            params={"query": query},
            headers={"default-graph-uri": iri},
            timeout=10,
        )
        assert 400 <= resp.status_code < 500, (query, resp.status_code)
    resp = requests.get(
        server.url + "/sparql", params={"query": "ASK {}", "default-graph-uri": iri}, timeout=10
    )
    assert resp.status_code == 400
    for update in (f"LOAD <{iri}>", f"LOAD SILENT <{iri}> INTO GRAPH <{EX}g>"):
        resp = requests.post(server.url + "/update", data={"update": update}, timeout=10)
        assert resp.status_code == 403  # updates are disabled here
        resp = requests.post(
            update_server.url + "/update",
            data={"update": update},
            headers={"Authorization": "Bearer s3cret"},
            timeout=10,
        )
        assert resp.status_code == 400 and "LOAD" in resp.text
    time.sleep(0.3)
    assert hits == []
    with pytest.raises(OSError) as no_reader:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert no_reader.value.errno == errno.ENXIO


def _curl(*args: str) -> tuple[int, str]:
    out = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", *args], capture_output=True, timeout=30, check=True
    ).stdout.decode("utf-8")
    body, _, code = out.rpartition("\n")
    return int(code), body


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_documented_curl_lines(server: LiveServer, update_server: LiveServer) -> None:
    url = server.url
    code, body = _curl(f"{url}/sparql?query=ASK%7B%7D")
    assert code == 200 and json.loads(body) == {"head": {}, "boolean": True}
    code, body = _curl("-d", "query=ASK{}", f"{url}/sparql")
    assert code == 200 and json.loads(body)["boolean"] is True
    code, body = _curl(
        "-H", "Content-Type: application/sparql-query", "--data-binary", "ASK{}", f"{url}/sparql"
    )
    assert code == 200 and json.loads(body)["boolean"] is True
    code, body = _curl(
        "-H", "Accept: text/csv", "--data-urlencode", f"query={LOOKUP}", f"{url}/sparql"
    )
    assert code == 200 and body == "l\r\nAlice\r\n"
    code, body = _curl("-H", "Accept: text/turtle", f"{url}/sparql")
    assert code == 200 and "sd:Service" in body
    code, body = _curl("-X", "OPTIONS", "-i", f"{url}/sparql")
    assert code == 200 and "Access-Control-Allow-Origin: *" in body
    code, _ = _curl("-d", "update=INSERT DATA{<a:s> <a:p> 1}", f"{url}/update")
    assert code == 403
    up = update_server.url
    code, _ = _curl(
        "-H",
        "Authorization: Bearer s3cret",
        "-d",
        "update=INSERT DATA{<a:s> <a:p> 1}",
        f"{up}/update",
    )
    assert code == 200
    code, _ = _curl(
        "-H",
        "Authorization: Bearer s3cret",
        "-H",
        "Content-Type: application/sparql-update",
        "--data-binary",
        "DELETE DATA{<a:s> <a:p> 1}",
        f"{up}/update",
    )
    assert code == 200
    code, body = _curl(f"{up}/sparql?query=ASK%7B%3Ca:s%3E%20?p%20?o%7D")
    assert code == 200 and json.loads(body)["boolean"] is False


def test_sparqlwrapper(server: LiveServer) -> None:
    from SPARQLWrapper import GET, JSON, POST, TURTLE, SPARQLWrapper

    for method in (GET, POST):
        client = SPARQLWrapper(server.url + "/sparql")
        client.setMethod(method)
        client.setReturnFormat(JSON)
        client.setQuery(LOOKUP)
        result = client.query().convert()
        assert result["results"]["bindings"] == [{"l": {"type": "literal", "value": "Alice"}}]
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(f"ASK {{ <{EX}alice> <{EX}knows> <{EX}bob> }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(f"CONSTRUCT {{ <{EX}bob> ?p ?o }} WHERE {{ <{EX}bob> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    import rdflib

    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 3


# -- SPARQLWrapper in its default mode: every returnFormat, GET and POST ------------------------
# Its default mode sends the format three ways (format=, output=, results=), for TSV, JSON-LD and
# RDF/XML twice (a short name, then media types), and an Accept header of its own.
SELECT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "n3", "rdf+xml", "xml", "json-ld")
BOB = f"<{EX}bob>"


def _wrapper(server: LiveServer, method: str, query: str, fmt: str) -> Any:
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(method)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query().convert()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_sparqlwrapper_default_mode_select(server: LiveServer, method: str, fmt: str) -> None:
    labels = f"SELECT ?l WHERE {{ {BOB} <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    result = _wrapper(server, method, labels, fmt)
    if fmt == "json":
        rows = [b["l"]["value"] for b in result["results"]["bindings"]]
    elif fmt == "xml":
        rows = [n.firstChild.data for n in result.getElementsByTagName("literal")]
    else:
        sep = "," if fmt == "csv" else "\t"
        rows = [line.split(sep)[0] for line in result.decode().splitlines()[1:]]
    expected = {"json": ["Bob"], "xml": ["Bob"], "csv": ["Bob"], "tsv": ['"Bob"@en']}[fmt]
    assert rows == expected  # people.ttl: bob's one label, "Bob"@en
    ask = _wrapper(server, method, f"ASK {{ {BOB} <{EX}age> 29 }}", fmt)
    if fmt == "json":
        assert ask["boolean"] is True
    elif fmt == "xml":
        assert ask.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert ask.strip() == b"true"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_sparqlwrapper_default_mode_graphs(
    server: LiveServer, method: str, fmt: str, form: str
) -> None:
    import rdflib

    query = (
        f"CONSTRUCT {{ {BOB} ?p ?o }} WHERE {{ {BOB} ?p ?o }}"
        if form == "CONSTRUCT"
        else f"DESCRIBE {BOB}"
    )
    result = _wrapper(server, method, query, fmt)
    if isinstance(result, bytes):  # Turtle and N3 come back as text
        result = rdflib.Graph().parse(data=result, format="turtle")
    bob = rdflib.URIRef(EX + "bob")
    assert len(set(result.triples((bob, None, None)))) == 3  # people.ttl: bob's 3 triples


def _samples(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(server.url + "/metrics", timeout=5).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_are_totals_across_workers(server: LiveServer) -> None:
    """prometheus_client's multiprocess mode: any worker's scrape counts every worker."""
    ok = (
        "treatygraph_http_requests_total",
        (("endpoint", "sparql.sparql"), ("method", "GET"), ("status", "200")),
    )
    took = ("treatygraph_http_request_duration_seconds_count", (("endpoint", "sparql.sparql"),))
    before = _samples(server)
    ids = set()
    for i in range(20):
        resp = requests.get(server.url + "/sparql", params={"query": f"ASK {{}} # {i}"}, timeout=5)
        ids.add(resp.headers["X-Request-Id"])
    after = _samples(server)
    assert len(ids) == 20  # every request got its own id
    assert after[ok] - before.get(ok, 0) == 20
    assert after[took] - before.get(took, 0) == 20


def test_access_log_and_query_log_share_the_request_id(server: LiveServer) -> None:
    query = f"SELECT ?l WHERE {{ <{EX}bob> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    resp = requests.get(
        server.url + "/sparql",
        params={"query": query},
        headers={"Accept": SRJ, "X-Request-Id": "live-test-7"},
        timeout=5,
    )
    assert resp.status_code == 200 and resp.headers["X-Request-Id"] == "live-test-7"
    bad = requests.get(
        server.url + "/sparql", params={"query": "SELECT ?x {"}, headers={"X-Request-Id": "bad-8"}
    )
    assert bad.status_code == 400
    time.sleep(0.3)  # the log lines are written after the response
    lines = server.log.read_text().splitlines()
    access = [line for line in lines if "id=live-test-7" in line and '"GET /sparql?' in line]
    assert len(access) == 1 and " 200 " in access[0]
    (logged,) = [line for line in lines if "query id=live-test-7 " in line]
    assert "status=200" in logged and f"bytes={len(resp.content)}" in logged
    assert "cached=no" in logged and "rdf-schema#label" in logged
    (refused,) = [line for line in lines if "query id=bad-8 " in line]
    assert "status=400" in refused


def test_the_update_token_is_not_on_the_command_line(update_server: LiveServer) -> None:
    with open(f"/proc/{update_server.process.pid}/cmdline", "rb") as handle:
        assert b"s3cret" not in handle.read()
    resp = requests.post(
        update_server.url + "/update",
        data={"update": "INSERT DATA { <a:x> <a:y> 1 }"},
        headers={"Authorization": "Bearer s3cret"},
        timeout=10,
    )
    assert resp.status_code == 200


def test_long_request_lines_get_414_with_a_reason(server: LiveServer) -> None:
    """Up to gunicorn's limit the app answers, naming URL_CAP; past it gunicorn, at once."""
    padding = "x" * 8050
    resp = requests.get(
        server.url + "/sparql", params={"query": f"ASK {{}} #{padding}"}, timeout=10
    )
    assert resp.status_code == 414 and "URL_CAP (8000 bytes)" in resp.text
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        try:
            sock.sendall(b"GET /sparql?query=" + b"x" * (4 << 20) + b" HTTP/1.1\r\n\r\n")
        except OSError:
            pass  # gunicorn may answer and close before the whole line is sent
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 414"), answer[:200]
    assert time.monotonic() - started < 10
    ok = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=5)
    assert ok.status_code == 200  # and the workers are fine


def test_no_gunicorn_control_socket_is_shared(tmp_path: Path) -> None:
    """gunicorn 25+ opens a control socket at one default path per user, which every instance
    would share; ours open none (checked where gunicorn would put it)."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path)}
    with LiveServer(["--data", str(PEOPLE), "--workers", "1"], tmp_path / "a.log", env=env) as live:
        time.sleep(2)  # gunicorn opens it once its workers run, a moment after they answer
        assert list(runtime.iterdir()) == []
        assert not (tmp_path / ".gunicorn").exists()
        assert "Control socket" not in live.log.read_text()


def test_serve_refuses_invalid_data(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "oops .\n')
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "treatygraph.cli",
        "serve",
        "--port",
        str(free_port()),
        "--data",
        str(bad),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"{bad}:3:" in proc.stderr
    assert "error: invalid data" in proc.stderr
    assert time.monotonic() - started < 30
