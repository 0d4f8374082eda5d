"""Imports served live (#12 MS5): while a client queries in a loop, ``treatygraph import`` adds a
graph and ``import --remove`` withdraws it; the running server follows within 5 s, and not one
request fails on the way."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from integration import conftest as scratch

from treatygraph.testing import LiveServer

PARTNER = "https://w3id.org/treatygraph/graph/partner"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
MAX_SECONDS, MAX_REQUESTS = 60.0, 3000
pytestmark = pytest.mark.live
#: a scratch copy of the checkout for each test, as the import tests make it
pristine, checkout, examples = scratch.pristine, scratch.checkout, scratch.examples


def served_counts(url: str, timeout: float = 10.0) -> dict[str, int]:
    """Triples per named graph, as the live server's /sparql answers."""
    body = urllib.parse.urlencode({"query": COUNTS}).encode()
    request = urllib.request.Request(
        url + "/sparql", data=body, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        rows = json.load(response)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


class Client(threading.Thread):
    """Queries in a loop, bounded in time and count; every failure is kept."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.sent = 0
        self.failures: list[str] = []

    def run(self) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        while not self.stop.is_set() and self.sent < MAX_REQUESTS and time.monotonic() < deadline:
            self.sent += 1
            try:
                served_counts(self.url)
            except (urllib.error.URLError, OSError, ValueError, KeyError) as err:
                self.failures.append(repr(err))


def tg_process(checkout: Path, *argv: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "treatygraph.cli", "--root", str(checkout), *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def seconds_until(url: str, present: bool, limit: float = 5.0) -> float:
    """Seconds until every one of 20 answers in a row agrees (so each worker has followed)."""
    start = time.monotonic()
    agreeing = 0
    while agreeing < 20:
        assert time.monotonic() - start < limit, (
            f"{PARTNER} present={present} not seen in {limit} s"
        )
        agreeing = agreeing + 1 if (PARTNER in served_counts(url)) == present else 0
    return time.monotonic() - start


@pytest.fixture
def live(checkout: Path, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(["--workers", "2"], tmp_path / "serve.log", cwd=checkout) as server:
        yield server


def test_import_and_removal_are_served_live_with_no_failed_request(
    live: LiveServer,
    checkout: Path,
    examples: Path,
) -> None:
    before = served_counts(live.url)
    assert PARTNER not in before
    client = Client(live.url)
    client.start()
    try:
        done = tg_process(checkout, "import", examples / "partner.ttl", "--graph", "partner")
        assert done.returncode == 0, done.stderr
        seconds_until(live.url, present=True)
        expected = scratch.counts_per_graph(
            checkout
        )  # the files, loaded by pyoxigraph without the server
        assert served_counts(live.url) == expected
        assert expected[PARTNER] > 0

        done = tg_process(checkout, "import", "--remove", "partner")
        assert done.returncode == 0, done.stderr
        seconds_until(live.url, present=False)
        assert served_counts(live.url) == before
    finally:
        client.stop.set()
        client.join(timeout=MAX_SECONDS)
    assert client.failures == [], live.log_tail()
    assert client.sent > 10  # the loop ran through both changes


def test_removing_an_unknown_import_names_it(checkout: Path) -> None:
    done = tg_process(checkout, "import", "--remove", "nosuch")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"error: --remove 'nosuch': no such import in {checkout / 'imports'} (imports: none)"
    )


def test_a_load_that_fails_keeps_the_last_good_data(live: LiveServer, checkout: Path) -> None:
    """A broken file dropped into imports/ by hand: the reload fails, the old data stays."""
    before = served_counts(live.url)
    broken = checkout / "imports" / "broken.nq"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("<http://e/s> <http://e/p> oops .\n", encoding="utf-8")
    for _ in range(20):  # both workers try to load it, and keep serving what they had
        assert served_counts(live.url) == before
    assert "reload failed, still serving the last good data" in live.log.read_text()
    broken.unlink()
    assert served_counts(live.url) == before
