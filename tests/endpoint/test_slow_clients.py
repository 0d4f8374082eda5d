"""Slow clients (issue 14, point 7): 50 connections that trickle their headers, one byte every
half second, must not stop a normal request from being answered within 1 s, with and without
nginx in front.

gunicorn's sync workers read a request's headers in the worker itself, so two workers are held
by the first two tricklers and the normal request waits (measured: it is not answered within
the 1 s; ``test_sync_workers_alone_are_held``). The default worker class is sync, with nginx
in front as the documented deployment; the alternative, gthread, hands each connection to one of
WORKER_THREADS threads, so up to that many tricklers per worker
cost a thread each and nothing else; nginx reads whole headers before it connects upstream
(``client_header_timeout``), so behind it the tricklers never reach gunicorn. Each test lasts
about 5 s.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from treatygraph.testing import LiveNginx, LiveServer

pytestmark = pytest.mark.live

DATA = Path(__file__).parent / "data" / "people.ttl"
TRICKLERS = 50
#: a normal request must be answered within this
WITHIN = 1.0


@contextmanager
def tricklers(port: int, count: int = TRICKLERS) -> Iterator[list[socket.socket]]:
    """``count`` connections that send a header byte every 0.5 s and never finish."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        sockets.append(sock)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.5):
            for sock in sockets:
                try:
                    sock.sendall(b"X")
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(1.0)  # every trickler has been accepted and is being read
        yield sockets
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()


def normal_request_seconds(url: str) -> float:
    """Seconds until a normal lookup is answered (WITHIN + 2 when it is not answered)."""
    started = time.monotonic()
    try:
        answer = requests.get(
            url + "/sparql",
            params={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=WITHIN + 2,
        )
    except requests.Timeout:
        return WITHIN + 2
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    return time.monotonic() - started


def serve(tmp_path: Path, *options: str) -> LiveServer:
    args = ["--data", str(DATA), "--workers", "2", *options]
    return LiveServer(args, tmp_path / "serve.log", startup=60)


def test_a_normal_request_is_answered_beside_50_tricklers(tmp_path: Path) -> None:
    with serve(tmp_path, "--worker-class", "gthread") as server:
        assert normal_request_seconds(server.url) < WITHIN  # baseline: the server answers
        with tricklers(server.port):
            assert normal_request_seconds(server.url) < WITHIN, server.log_tail()


def test_behind_nginx_a_normal_request_is_answered_beside_50_tricklers(tmp_path: Path) -> None:
    with serve(tmp_path, "--worker-class", "sync") as server:
        nginx_dir = tmp_path / "nginx"
        nginx_dir.mkdir()
        with LiveNginx(f"127.0.0.1:{server.port}", nginx_dir) as nginx:
            with tricklers(nginx.port):
                assert normal_request_seconds(nginx.url) < WITHIN


def test_sync_workers_alone_are_held(tmp_path: Path) -> None:
    """Why nginx goes in front of sync workers: alone, the same request waits."""
    with serve(tmp_path, "--worker-class", "sync") as server:
        with tricklers(server.port):
            assert normal_request_seconds(server.url) > WITHIN
