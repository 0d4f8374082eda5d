"""``treatygraph serve --front-cache``: nginx in front caches answers and changes nothing else.

What must hold (src/treatygraph/frontcache.py, cachepolicy.py): a repeated GET is answered by
nginx (``X-Cache-Status: HIT``) with the very body and headers the app gave; Accept variants are
kept apart; errors, timeouts, POST, /healthz and /metrics never come from the cache; with
updates enabled nothing is cached, so an update is visible at once; the app's own limits and
messages (413, 414) still reach the client; stopping ``serve`` stops nginx and removes its
directory. Without nginx these tests skip, and with CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from treatygraph.rdf.iris import ONTOLOGY_GRAPH
from treatygraph.testing import LiveServer, free_port, require_nginx
from treatygraph.web import frontcache

from .conftest import EX, GRAPHS, PEOPLE, RDFS_LABEL

pytestmark = pytest.mark.live

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "treatygraph.ttl"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
STATUS = frontcache.CACHE_STATUS_HEADER
LABELS = f"SELECT ?l WHERE {{ <{EX}alice> <{RDFS_LABEL}> ?l }}"
CARTESIAN = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def front(big_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    require_nginx()
    live = LiveServer(
        [
            "--data",
            str(PEOPLE),
            str(GRAPHS),
            str(big_data),
            "--data-graph",
            str(ONTOLOGY_GRAPH),
            str(ONTOLOGY),
            "--front-cache",
            "--timeout",
            "1",
            "--body-cap",
            "4096",
            "--workers",
            "2",
        ],
        tmp_path_factory.mktemp("front-log") / "server.log",
    )
    yield live
    live.stop()


def _get(server: LiveServer, query: str, accept: str = SRJ, **headers: str) -> requests.Response:
    return requests.get(
        server.url + "/sparql",
        params={"query": query},
        headers={"Accept": accept, **headers},
        timeout=30,
    )


def _same_answer(a: requests.Response, b: requests.Response) -> None:
    assert b.content == a.content
    for name in (
        "Content-Type",
        "ETag",
        "Cache-Control",
        "Vary",
        "Access-Control-Allow-Origin",
        "Access-Control-Expose-Headers",
    ):
        assert b.headers.get(name) == a.headers.get(name), name


def _until_cached(send: Callable[[], requests.Response]) -> list[requests.Response]:
    """Send the same request until nginx keeps it, and once more: MISS, MISS, HIT."""
    return [send() for _ in range(frontcache.CACHE_MIN_USES + 1)]


def test_a_repeated_query_is_answered_by_nginx_unchanged(front: LiveServer) -> None:
    *misses, second = _until_cached(lambda: _get(front, LABELS))
    first = misses[0]
    assert first.status_code == second.status_code == 200
    assert [r.headers[STATUS] for r in misses] == ["MISS"] * frontcache.CACHE_MIN_USES
    assert second.headers[STATUS] == "HIT"
    _same_answer(first, second)
    # the answer itself, from people.ttl: alice's one label
    assert [b["l"]["value"] for b in second.json()["results"]["bindings"]] == ["Alice"]
    assert "s-maxage=300" in second.headers["Cache-Control"]
    assert second.headers["Access-Control-Allow-Origin"] == "*"


def test_accept_variants_are_cached_apart(front: LiveServer) -> None:
    query = f"ASK {{ <{EX}bob> <{EX}age> 29 }}"
    as_json = _until_cached(lambda: _get(front, query, SRJ))
    as_xml = _until_cached(lambda: _get(front, query, SRX))
    assert [r.headers[STATUS] for r in as_json + as_xml] == ["MISS", "MISS", "HIT"] * 2
    assert as_json[-1].json() == {"head": {}, "boolean": True}
    assert as_xml[-1].headers["Content-Type"].startswith(SRX)
    assert b"<boolean>true</boolean>" in as_xml[-1].content


def test_a_cached_etag_gives_304(front: LiveServer) -> None:
    query = f"SELECT ?o WHERE {{ <{EX}carol> ?p ?o }}"
    cached = _until_cached(lambda: _get(front, query))[-1]
    assert cached.headers[STATUS] == "HIT"
    again = _get(front, query, **{"If-None-Match": cached.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_errors_are_never_cached(front: LiveServer) -> None:
    for _ in range(3):
        bad = _get(front, "SELECT * WHERE { ?s ?p }")
        assert bad.status_code == 400
        assert bad.headers.get(STATUS) != "HIT"
        assert "Cache-Control" not in bad.headers
        assert "error at 1:" in bad.text  # the parser's line:column, as without nginx


def test_a_timeout_is_503_every_time_never_a_cached_answer(front: LiveServer) -> None:
    for _ in range(3):
        started = time.monotonic()
        slow = _get(front, CARTESIAN)
        assert slow.status_code == 503, slow.text
        assert time.monotonic() - started < 10
        assert slow.headers.get(STATUS) != "HIT"


def test_post_health_and_metrics_always_reach_the_app(front: LiveServer) -> None:
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


def test_the_apps_own_limits_and_messages_come_through(front: LiveServer) -> None:
    padding = "#" + "x" * 5000 + "\n"  # over --body-cap 4096, under nginx's own limits
    long_get = _get(front, padding + LABELS)
    assert long_get.status_code == 414
    assert "4096" in long_get.text
    big_post = requests.post(
        front.url + "/sparql",
        data=(padding + LABELS).encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert big_post.status_code == 413
    assert "4096" in big_post.text


def test_linked_data_pages_are_cached_with_the_same_policy(front: LiveServer) -> None:
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


def test_with_updates_enabled_nothing_is_cached(tmp_path: Path) -> None:
    require_nginx()
    with LiveServer(
        ["--data", str(PEOPLE), "--front-cache", "--update-token", "s3cret"],
        tmp_path / "update.log",
    ) as live:
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
        assert done.status_code in (200, 204), done.text
        after = _get(live, query)
        assert [b["l"]["value"] for b in after.json()["results"]["bindings"]] == ["Zed"]


def test_stopping_serve_stops_nginx_and_removes_its_directory(tmp_path: Path) -> None:
    require_nginx()
    live = LiveServer(["--data", str(PEOPLE), "--front-cache"], tmp_path / "stop.log")
    workdir = _workdir_of(live)
    assert (workdir / "nginx.conf").is_file()
    nginx_pid = int((workdir / "nginx.pid").read_text())
    os.kill(live.process.pid, 15)  # the serve process only, as an init system would
    live.process.wait(20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (_alive(nginx_pid) or workdir.exists()):
        time.sleep(0.1)
    assert not _alive(nginx_pid)
    assert not workdir.exists()
    live.stop()  # the gunicorn workers' group, if any is left


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_worker_that_exits_leaves_nginx_serving(tmp_path: Path) -> None:
    """gunicorn's workers unwind through serve's code when they exit; nginx must survive it."""
    require_nginx()
    with LiveServer(
        ["--data", str(PEOPLE), "--front-cache", "--workers", "2"], tmp_path / "worker.log"
    ) as live:
        nginx_pid = int((_workdir_of(live) / "nginx.pid").read_text())
        deadline = time.monotonic() + 20
        while True:  # /healthz answers as soon as the first worker is up
            workers = [p for p in _children(live.process.pid) if p != nginx_pid]
            if len(workers) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(workers) == 2, workers
        os.kill(workers[0], 15)  # a graceful worker exit, as on a gunicorn reload
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _alive(workers[0]):
            time.sleep(0.1)
        assert not _alive(workers[0])
        time.sleep(1)  # the arbiter forks a replacement
        assert _alive(nginx_pid)
        assert _workdir_of(live).exists()
        assert _get(live, LABELS).status_code == 200


def test_serve_stops_with_status_1_when_nginx_dies(tmp_path: Path) -> None:
    """Nothing would answer on the port: serve must not keep running as if it did."""
    require_nginx()
    live = LiveServer(["--data", str(PEOPLE), "--front-cache"], tmp_path / "died.log")
    try:
        nginx_pid = int((_workdir_of(live) / "nginx.pid").read_text())
        nginx_workers = _children(nginx_pid)
        assert nginx_workers
        os.kill(nginx_pid, 9)
        assert live.process.wait(30) == 1
        assert "the nginx front cache exited" in live.log.read_text()
        # nginx's workers outlive their master: they must not keep the port, answering 502
        assert not [pid for pid in nginx_workers if _alive(pid)]
        frontcache.check_port("127.0.0.1", live.port)  # free again: a restart can bind it
    finally:
        live.stop()


def test_ctrl_c_stops_everything_cleanly(tmp_path: Path) -> None:
    """SIGINT to serve's whole process group, as a terminal sends it: exit 0, nothing left."""
    require_nginx()
    live = LiveServer(["--data", str(PEOPLE), "--front-cache"], tmp_path / "int.log")
    try:
        workdir = _workdir_of(live)
        nginx_pid = int((workdir / "nginx.pid").read_text())
        group = [nginx_pid, *_children(nginx_pid)]
        os.killpg(live.process.pid, 2)
        assert live.process.wait(30) == 0, live.log_tail()
        # nginx was stopped by serve, in order, not found dead (gunicorn's workers may still
        # log a request that the Ctrl-C cut short: that is gunicorn's quick shutdown)
        assert "front cache exited" not in live.log.read_text(), live.log_tail()
        assert not [pid for pid in group if _alive(pid)]
        assert not workdir.exists()
    finally:
        live.stop()


def test_nginx_refusals_speak_like_the_app(front: LiveServer) -> None:
    """Past nginx's own limits (2x BODY_CAP bodies, long request lines): text/plain reasons."""
    huge = requests.post(
        front.url + "/sparql",
        data=b"x" * (3 << 20),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert huge.status_code == 413
    assert huge.headers["Content-Type"].startswith("text/plain")
    assert "4096 bytes" in huge.text
    very_long = requests.get(
        front.url + "/sparql", params={"query": "#" + "x" * 30_000}, timeout=30
    )
    assert very_long.status_code == 414
    assert very_long.headers["Content-Type"].startswith("text/plain")
    assert "4096 bytes" in very_long.text


def test_a_request_without_host_gets_the_real_endpoint(front: LiveServer) -> None:
    """HTTP/1.0 needs no Host; the service description must still name a usable endpoint."""
    import socket

    with socket.create_connection(("127.0.0.1", front.port), timeout=10) as conn:
        conn.sendall(b"GET /sparql HTTP/1.0\r\nAccept: text/turtle\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    assert f"sd:endpoint <{front.url}/sparql>".encode() in answer


@pytest.mark.skipif(os.geteuid() != 0, reason="nginx switches users only when started as root")
def test_nginx_workers_do_not_run_as_root(front: LiveServer) -> None:
    nginx_pid = int((_workdir_of(front) / "nginx.pid").read_text())
    workers = _children(nginx_pid)
    assert workers
    for pid in workers:
        uid = int(
            next(
                line.split()[1]
                for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("Uid:")
            )
        )
        assert uid != 0, pid
    assert _get(front, LABELS).status_code == 200  # and they can still reach the app


def test_a_busy_port_is_refused_with_the_reason(tmp_path: Path) -> None:
    require_nginx()
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "treatygraph.cli",
                "serve",
                "--data",
                str(PEOPLE),
                "--front-cache",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in done.stderr


def test_missing_nginx_is_named_before_the_data_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(frontcache, "FALLBACK_NGINX", str(tmp_path / "no-nginx"))
    with pytest.raises(frontcache.FrontCacheError, match="apt-get install nginx"):
        frontcache.find_nginx()
    from treatygraph import cli

    code = cli.main(
        [
            "serve",
            "--front-cache",
            "--data",
            str(tmp_path / "never-read.ttl"),
            "--port",
            str(free_port()),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--front-cache needs nginx" in err
    assert "invalid data" not in err  # refused before the (missing) data file was read


def _workdir_of(live: LiveServer) -> Path:
    for line in live.log.read_text().splitlines():
        if "Listening at: unix:" in line:
            return Path(line.split("unix:", 1)[1].split()[0]).parent
    raise AssertionError(f"no unix socket in the log:\n{live.log_tail()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
