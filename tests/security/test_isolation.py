"""The kernel keeps queries off the network and the file system, whatever the checks miss.

A listener on 127.0.0.1 counts every connection and byte it receives. The two queries an
outside tester found (each slipped past the query scanner, and made the engine POST to the
listener from a server on main) must reach it 0 times with isolation on, and must reach it
with isolation deliberately off: that is what shows the listener can see them at all.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from pathlib import Path

import pytest
import requests

from treatygraph.sparql.execute import UpdateJob, run_job
from treatygraph.store.executor import Executor
from treatygraph.store.oxigraph import OxigraphEngine, load_files
from treatygraph.store.sandbox import Sandbox, check_available
from treatygraph.testing import LiveServer

from .conftest import PEOPLE, Listener

#: The outside tester's two queries; PORT is the listener's. The second has a TAB.
BYPASSES = [
    "BASE <http://127.0.0.1:PORT/> PREFIX ex: <http://e/> SELECT * WHERE { VALUES ?a "
    "{ <http://a> } VALUES ?x {1}(<http://a> <http://b#>)SeRvIcE<sparql> { ?x ?y ?z } }",
    "PREFIX ex2: <http://127.0.0.1:PORT/> SELECT * WHERE { VALUES ?a { <http://a> } "
    '("x" ?y)a _:b~SERVICE\tSILENTex2:sparql { ?x ?y ?z } }',
]


def _serve(tmp_path: Path, *extra: str) -> LiveServer:
    return LiveServer(
        ["--data", str(PEOPLE), "--timeout", "3", "--workers", "1", *extra], tmp_path / "server.log"
    )


def test_this_host_can_isolate() -> None:
    assert check_available() is None


@pytest.mark.live
def test_the_bypass_queries_reach_nothing(tmp_path: Path, listener: Listener) -> None:
    with _serve(tmp_path) as server:
        for query in BYPASSES:
            text = query.replace("PORT", str(listener.port))
            resp = requests.post(server.url + "/sparql", data={"query": text}, timeout=10)
            assert resp.status_code != 500, resp.text
    assert (listener.connections, listener.bytes) == (0, 0)


@pytest.mark.live
def test_without_isolation_the_same_queries_do_reach_the_listener(
    tmp_path: Path, listener: Listener
) -> None:
    """The control: the listener does see these queries when the kernel does not stop them."""
    with _serve(tmp_path, "--unsafe-no-isolation") as server:
        assert "NOT confined" in server.log_tail()
        seen = []
        for query in BYPASSES:
            before = listener.connections
            text = query.replace("PORT", str(listener.port))
            requests.post(server.url + "/sparql", data={"query": text}, timeout=10)
            seen.append(listener.connections - before)
    assert all(n >= 1 for n in seen), seen
    assert listener.bytes > 0


def _engine() -> OxigraphEngine:
    return OxigraphEngine(load_files([str(PEOPLE)]))


@pytest.mark.parametrize("confined", [True, False])
def test_an_update_that_loads_reaches_nothing(listener: Listener, confined: bool) -> None:
    """LOAD runs in the query process too; given to it directly, past every check."""
    engine = _engine()
    executor = Executor(lambda job: run_job(engine, job), sandbox=Sandbox() if confined else None)
    try:
        executor.run(
            UpdateJob(f"LOAD SILENT <http://127.0.0.1:{listener.port}/data.ttl>", None), timeout=5
        )
    finally:
        executor.shutdown()
    assert (listener.connections > 0) is not confined


def _try(job: tuple[str, str, int]) -> str:
    """In the query process: connect somewhere, or open a file; say what happened."""
    kind, where, port = job
    try:
        if kind == "connect":
            socket.create_connection((where, port), timeout=2).close()
        else:
            os.close(os.open(where, os.O_RDONLY))
        return "ok"
    except OSError as err:
        return errno.errorcode.get(err.errno or 0, str(err))


def test_a_confined_process_opens_no_file_and_reaches_no_host(
    tmp_path: Path, listener: Listener
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    executor = Executor(_try, sandbox=Sandbox())
    try:
        for path in ("/etc/passwd", str(secret), str(PEOPLE)):
            assert executor.run(("open", path, 0), timeout=5) == "EACCES"
        assert executor.run(("connect", "127.0.0.1", listener.port), timeout=5) in (
            "ENETUNREACH",
            "EACCES",
        )
        assert executor.run(("connect", "localhost", listener.port), timeout=5) != "ok"
    finally:
        executor.shutdown()
    assert listener.connections == 0


def test_the_federation_process_reaches_only_its_allow_list(listener: Listener) -> None:
    allowed = Listener()
    executor = Executor(_try, sandbox=Sandbox.for_urls([f"http://127.0.0.1:{allowed.port}/s"]))
    try:
        assert executor.run(("connect", "127.0.0.1", allowed.port), timeout=5) == "ok"
        assert executor.run(("connect", "127.0.0.1", listener.port), timeout=5) != "ok"
        assert executor.run(("connect", "127.0.0.2", allowed.port), timeout=5) != "ok"
        assert executor.run(("open", "/etc/passwd", 0), timeout=5) == "EACCES"
        for _ in range(20):  # the relay counts the connection once it has accepted it
            if allowed.connections:
                break
            threading.Event().wait(0.05)
    finally:
        executor.shutdown()
        allowed.close()
    assert allowed.connections == 1
    assert listener.connections == 0


def test_a_host_name_in_the_allow_list_resolves_to_its_relay(listener: Listener) -> None:
    """Inside the namespace the name maps to a loopback address whose relay leads to it."""
    executor = Executor(_try, sandbox=Sandbox.for_urls([f"http://localhost:{listener.port}/s"]))
    try:
        assert executor.run(("connect", "localhost", listener.port), timeout=5) == "ok"
    finally:
        executor.shutdown()
    assert listener.connections == 1
