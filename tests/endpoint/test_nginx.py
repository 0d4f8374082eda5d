"""nginx in front of ``treatygraph serve``, with the configuration ``treatygraph nginx`` prints.

What must hold: nginx accepts the configuration; a repeated GET is answered by nginx
(``X-Cache-Status: HIT``) with the very body and headers the app gave; Accept variants are kept
apart; errors, timeouts, POST, /healthz and /metrics never come from the cache; with updates
enabled nothing is cached; the app's own limits and messages (413, 414) still reach the client,
and nginx's own refusals speak like the app. docs/deploy/nginx.conf is the default output.
Without nginx these tests skip, and with CI=true they fail.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from treatygraph.rdf.iris import ONTOLOGY_GRAPH
from treatygraph.testing import LiveNginx, LiveServer, require_nginx
from treatygraph.web.nginx import CACHE_MIN_USES, CACHE_STATUS_HEADER, Deployment, render

from .conftest import EX, GRAPHS, PEOPLE, RDFS_LABEL

pytestmark = pytest.mark.live

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "treatygraph.ttl"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
STATUS = CACHE_STATUS_HEADER
LABELS = f"SELECT ?l WHERE {{ <{EX}alice> <{RDFS_LABEL}> ?l }}"
CARTESIAN = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIMITS = {"body_cap": 4096, "url_cap": 4096, "query_timeout": 1.0}


@pytest.fixture(scope="module")
def front(big_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNginx]:
    require_nginx()
    work = tmp_path_factory.mktemp("nginx")
    app = LiveServer(
        [
            *("--data", str(PEOPLE), str(GRAPHS), str(big_data)),
            *("--data-graph", str(ONTOLOGY_GRAPH), str(ONTOLOGY)),
            *("--timeout", "1", "--body-cap", "4096", "--url-cap", "4096", "--workers", "2"),
        ],
        work / "serve.log",
    )
    try:
        with LiveNginx(f"127.0.0.1:{app.port}", work, **LIMITS) as nginx:
            yield nginx
    finally:
        app.stop()


def _get(
    server: LiveNginx | LiveServer, query: str, accept: str = SRJ, **headers: str
) -> requests.Response:
    return requests.get(
        server.url + "/sparql",
        params={"query": query},
        headers={"Accept": accept, **headers},
        timeout=30,
    )


def _same_answer(a: requests.Response, b: requests.Response) -> None:
    assert b.content == a.content
    for name in ("Content-Type", "ETag", "Cache-Control", "Vary", "Access-Control-Allow-Origin"):
        assert b.headers.get(name) == a.headers.get(name), name


def _until_cached(send: Callable[[], requests.Response]) -> list[requests.Response]:
    """Send the same request until nginx keeps it, and once more: MISS, MISS, HIT."""
    return [send() for _ in range(CACHE_MIN_USES + 1)]


def test_the_documented_configuration_is_the_default_output(root: Path) -> None:
    assert (root / "docs" / "deploy" / "nginx.conf").read_text() == render(Deployment())


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    binary = require_nginx()
    site = tmp_path / "site.conf"
    site.write_text(render(Deployment(listen="127.0.0.1:1", cache_dir=str(tmp_path / "c"))))
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include {site}; }}\n"
    )
    done = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_repeated_query_is_answered_by_nginx_unchanged(front: LiveNginx) -> None:
    *misses, second = _until_cached(lambda: _get(front, LABELS))
    first = misses[0]
    assert first.status_code == second.status_code == 200
    assert [r.headers[STATUS] for r in misses] == ["MISS"] * CACHE_MIN_USES
    assert second.headers[STATUS] == "HIT"
    _same_answer(first, second)
    # the answer itself, from people.ttl: alice's one label
    assert [b["l"]["value"] for b in second.json()["results"]["bindings"]] == ["Alice"]
    assert "s-maxage=300" in second.headers["Cache-Control"]


def test_accept_variants_are_cached_apart(front: LiveNginx) -> None:
    query = f"ASK {{ <{EX}bob> <{EX}age> 29 }}"
    as_json = _until_cached(lambda: _get(front, query, SRJ))
    as_xml = _until_cached(lambda: _get(front, query, SRX))
    assert [r.headers[STATUS] for r in as_json + as_xml] == ["MISS", "MISS", "HIT"] * 2
    assert as_json[-1].json() == {"head": {}, "boolean": True}
    assert as_xml[-1].headers["Content-Type"].startswith(SRX)
    assert b"<boolean>true</boolean>" in as_xml[-1].content


def test_a_cached_etag_gives_304(front: LiveNginx) -> None:
    query = f"SELECT ?o WHERE {{ <{EX}carol> ?p ?o }}"
    cached = _until_cached(lambda: _get(front, query))[-1]
    assert cached.headers[STATUS] == "HIT"
    again = _get(front, query, **{"If-None-Match": cached.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_errors_and_timeouts_are_never_cached(front: LiveNginx) -> None:
    for _ in range(3):
        bad = _get(front, "SELECT * WHERE { ?s ?p }")
        assert bad.status_code == 400 and bad.headers.get(STATUS) != "HIT"
        assert "Cache-Control" not in bad.headers
        assert bad.text.startswith("1:")  # the parser's line:column leads, as without nginx
    for _ in range(2):
        slow = _get(front, CARTESIAN)
        assert slow.status_code == 503 and slow.headers.get(STATUS) != "HIT", slow.text


def test_post_health_and_metrics_always_reach_the_app(front: LiveNginx) -> None:
    posted = [
        requests.post(
            front.url + "/sparql", data={"query": LABELS}, headers={"Accept": SRJ}, timeout=30
        )
        for _ in range(3)
    ]
    assert [r.status_code for r in posted] == [200, 200, 200]
    assert all(r.headers.get(STATUS) != "HIT" for r in posted)
    for path in ("/healthz", "/metrics") * 3:
        resp = requests.get(front.url + path, timeout=30)
        assert resp.status_code == 200
        assert resp.headers.get(STATUS) != "HIT", path


def test_nginx_request_ids_reach_the_app(front: LiveNginx) -> None:
    resp = _get(front, LABELS + " # id")
    assert len(resp.headers["X-Request-Id"]) == 32  # nginx's $request_id, echoed by the app


def test_the_apps_own_limits_and_messages_come_through(front: LiveNginx) -> None:
    padding = "#" + "x" * 5000 + "\n"  # over the app's 4096, under nginx's own limits
    long_get = _get(front, padding + LABELS)
    assert long_get.status_code == 414 and "URL_CAP (4096 bytes)" in long_get.text
    big_post = requests.post(
        front.url + "/sparql",
        data=(padding + LABELS).encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert big_post.status_code == 413 and "BODY_CAP (4096 bytes)" in big_post.text


def test_nginx_refusals_speak_like_the_app(front: LiveNginx) -> None:
    """Past nginx's own limits (2x BODY_CAP bodies, long request lines): text/plain reasons."""
    huge = requests.post(
        front.url + "/sparql",
        data=b"x" * (3 << 20),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert huge.status_code == 413
    assert huge.headers["Content-Type"].startswith("text/plain") and "4096 bytes" in huge.text
    very_long = requests.get(front.url + "/sparql", params={"query": "#" + "x" * 30_000})
    assert very_long.status_code == 414
    assert very_long.headers["Content-Type"].startswith("text/plain")
    assert "POST" in very_long.text


def test_linked_data_pages_are_cached_with_the_same_policy(front: LiveNginx) -> None:
    # people.ttl is not under our /id/ namespace; the ontology graph gives /ontology a page
    pages = _until_cached(
        lambda: requests.get(front.url + "/ontology", headers={"Accept": "text/turtle"}, timeout=30)
    )
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert [p.headers[STATUS] for p in pages] == ["MISS", "MISS", "HIT"]
    _same_answer(pages[0], pages[-1])
    missing = _until_cached(lambda: requests.get(front.url + "/id/no-such-thing", timeout=30))
    assert [m.status_code for m in missing] == [404, 404, 404]
    assert all(m.headers.get(STATUS) != "HIT" for m in missing)


def test_a_request_without_host_gets_the_real_endpoint(front: LiveNginx) -> None:
    """HTTP/1.0 needs no Host; the service description must still name a usable endpoint."""
    with socket.create_connection(("127.0.0.1", front.port), timeout=10) as conn:
        conn.sendall(b"GET /sparql HTTP/1.0\r\nAccept: text/turtle\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    assert f"sd:endpoint <{front.url}/sparql>".encode() in answer


def test_with_updates_enabled_nothing_is_cached(tmp_path: Path) -> None:
    require_nginx()
    env = {"TREATYGRAPH_UPDATE_TOKEN": "s3cret"}
    with LiveServer(["--data", str(PEOPLE)], tmp_path / "update.log", env=env) as app:
        with LiveNginx(f"127.0.0.1:{app.port}", tmp_path) as live:
            query = f"SELECT ?l WHERE {{ <{EX}zed> <{RDFS_LABEL}> ?l }}"
            before = _until_cached(lambda: _get(live, query))
            assert [r.json()["results"]["bindings"] for r in before] == [[], [], []]
            assert before[-1].headers["Cache-Control"] == "no-cache"
            assert all(r.headers.get(STATUS) != "HIT" for r in before)
            insert = f'INSERT DATA {{ <{EX}zed> <{RDFS_LABEL}> "Zed" }}'
            done = requests.post(
                live.url + "/update",
                data={"update": insert},
                headers={"Authorization": "Bearer s3cret"},
                timeout=30,
            )
            assert done.status_code == 200, done.text
            after = _get(live, query)
            assert [b["l"]["value"] for b in after.json()["results"]["bindings"]] == ["Zed"]
