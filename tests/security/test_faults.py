"""Faults of the serving processes, caused for real on a live server.

Each test kills, stops or starves part of a running ``treatygraph serve`` (gunicorn, 2 sync
workers, each with its confined query process) in the middle of a query, then checks that no
process is left behind (a query process orphaned at ~95% CPU was a hole on main), that
answers keep coming, and that the counts per graph are what they were before.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from treatygraph.testing import LiveServer

from .conftest import PEOPLE

pytestmark = pytest.mark.live

SRJ = "application/sparql-results+json"
#: a three-way cross product of 3,000 triples: never finishes
RUNAWAY = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: the same, sorted: it must hold every row, so memory grows until something stops it
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
LOOKUP = "SELECT ?o WHERE { <http://example.org/alice> ?p ?o }"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 triples in a named graph, beside the 9 of people.ttl in the default graph."""
    path = tmp_path_factory.mktemp("data") / "generated.nq"
    with path.open("w") as out:
        for i in range(3000):
            out.write(f'<http://example.org/n{i}> <http://example.org/p> "{i}" <http://g/big> .\n')
    return path


def _serve(tmp_path: Path, data: Path, *extra: str, timeout: float = 4) -> LiveServer:
    return LiveServer(
        ["--data", str(PEOPLE), str(data), "--timeout", str(timeout), "--workers", "2", *extra],
        tmp_path / "server.log",
    )


@pytest.fixture
def server(tmp_path: Path, data: Path) -> Iterator[LiveServer]:
    live = _serve(tmp_path, data, "--memory-limit", "200")
    yield live
    live.stop()


# -- the process tree ---------------------------------------------------------------------------
def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _ppid(int(entry)) == pid:
            found.append(int(entry))
    return sorted(found)


def tree(pid: int) -> list[int]:
    """Every process below ``pid``."""
    out = []
    for child in children(pid):
        out += [child, *tree(child)]
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def query(server: LiveServer, text: str, timeout: float = 30) -> requests.Response:
    return requests.post(
        server.url + "/sparql", data={"query": text}, headers={"Accept": SRJ}, timeout=timeout
    )


def counts(server: LiveServer) -> dict[str, int]:
    rows = query(server, COUNTS).json()["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def query_processes(server: LiveServer) -> dict[int, list[int]]:
    """Each worker's query processes."""
    return {worker: children(worker) for worker in children(server.process.pid)}


def busy_query_process(server: LiveServer) -> tuple[int, int]:
    """(worker, query process) of the one running a query: the one whose CPU time grows."""
    before = {p: cpu_ticks(p) for qs in query_processes(server).values() for p in qs}
    deadline = time.monotonic() + 5  # on a loaded machine the query may take a while to start
    while time.monotonic() < deadline:
        time.sleep(0.1)
        for worker, procs in query_processes(server).items():
            for proc in procs:
                if proc in before and cpu_ticks(proc) - before[proc] > 10:  # 0.1 s of CPU
                    return worker, proc
    raise AssertionError("no query process is busy")


def in_background(server: LiveServer, text: str) -> tuple[threading.Thread, list[object]]:
    result: list[object] = []

    def run() -> None:
        try:
            resp = query(server, text)
            result.append((resp.status_code, resp.text))
        except requests.RequestException as err:
            result.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


# -- the faults ---------------------------------------------------------------------------------
def test_kill_9_of_a_worker_mid_query_takes_its_query_process_with_it(
    server: LiveServer,
) -> None:
    before = counts(server)
    thread, _ = in_background(server, RUNAWAY)
    worker, proc = busy_query_process(server)
    os.kill(worker, signal.SIGKILL)
    assert wait_for(lambda: not alive(proc), 3), "the query process outlived its worker"
    thread.join(10)
    assert wait_for(lambda: len(children(server.process.pid)) == 2, 10)  # gunicorn replaced it
    assert counts(server) == before


def test_kill_9_of_a_query_process_mid_query_is_a_quick_503_and_a_new_process(
    server: LiveServer,
) -> None:
    before = counts(server)
    thread, result = in_background(server, RUNAWAY)
    worker, proc = busy_query_process(server)
    started = time.monotonic()
    os.kill(proc, signal.SIGKILL)
    thread.join(10)
    status, body = result[0]  # type: ignore[misc]
    assert status == 503 and "SIGKILL" in body
    assert time.monotonic() - started < 2  # not the 4 s time limit
    assert wait_for(lambda: len(children(worker)) >= 1 and proc not in children(worker), 5)
    assert query(server, LOOKUP).status_code == 200
    assert counts(server) == before


def test_a_stopped_worker_does_not_stop_the_server(server: LiveServer) -> None:
    before = counts(server)
    worker = children(server.process.pid)[0]
    os.kill(worker, signal.SIGSTOP)
    try:
        for _ in range(10):
            started = time.monotonic()
            assert query(server, LOOKUP, timeout=5).status_code == 200
            assert time.monotonic() - started < 1
    finally:
        os.kill(worker, signal.SIGCONT)
    assert counts(server) == before


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


@pytest.fixture
def quick_server(tmp_path: Path, data: Path) -> Iterator[LiveServer]:
    """As ``server``, with a 1 s time limit: each runaway costs 1 s instead of 4."""
    live = _serve(tmp_path, data, timeout=1)
    yield live
    live.stop()


def test_repeated_timeouts_keep_process_and_memory_counts_flat(quick_server: LiveServer) -> None:
    server = quick_server
    before = counts(server)
    # Two runaways at once, twice: a busy sync worker cannot accept, so each of the two workers
    # takes one and has replaced its query process (one at a time, one worker may take all).
    answers: list[int] = []
    for _ in range(2):
        pair = [
            threading.Thread(target=lambda: answers.append(query(server, RUNAWAY).status_code))
            for _ in range(2)
        ]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()
    assert answers == [503] * 4
    processes = len(tree(server.process.pid))
    files = sum(open_files(p) for p in children(server.process.pid))
    memory = sum(rss_kb(p) for p in tree(server.process.pid))
    for _ in range(6):
        resp = query(server, RUNAWAY)
        assert resp.status_code == 503 and "QUERY_TIMEOUT" in resp.text
    assert wait_for(lambda: len(tree(server.process.pid)) == processes, 15)
    # back to the same count (a socket still closing may linger a moment), never above it
    assert wait_for(lambda: sum(open_files(p) for p in children(server.process.pid)) <= files, 10)
    grown = sum(rss_kb(p) for p in tree(server.process.pid)) - memory
    assert grown < 0.5 * memory, (grown, memory)
    assert counts(server) == before


def test_a_query_past_its_memory_limit_is_stopped_naming_the_limit(server: LiveServer) -> None:
    before = counts(server)
    started = time.monotonic()
    resp = query(server, HUNGRY)
    assert resp.status_code == 503
    assert "QUERY_MEMORY_LIMIT (200 MB)" in resp.text
    assert time.monotonic() - started < 4  # stopped by the memory cap, not the time limit
    assert counts(server) == before


def test_sigterm_to_serve_during_a_long_query_leaves_no_process(tmp_path: Path, data: Path) -> None:
    live = _serve(tmp_path, data)
    thread, _ = in_background(live, RUNAWAY)
    busy_query_process(live)
    everything = [live.process.pid, *tree(live.process.pid)]
    os.kill(live.process.pid, signal.SIGTERM)
    live.process.wait(20)
    thread.join(10)
    assert wait_for(lambda: not any(alive(p) for p in everything), 5), [
        p for p in everything if alive(p)
    ]
