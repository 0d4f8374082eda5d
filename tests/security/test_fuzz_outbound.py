"""Differential fuzzing: no query or update, however odd, makes the server reach a listener.

A live server (kernel isolation on, one allow-listed SERVICE endpoint that answers instantly)
gets generated and mutated queries aimed at a trap listener on 127.0.0.1: SERVICE with and
without SILENT in mixed case, glued or split by odd whitespace and comments, endpoints as IRIs,
relative IRIs under BASE, prefixed names and escapes, inside VALUES, paths, blank nodes,
subqueries, OPTIONAL, EXISTS and updates; then random character edits. The trap must receive
0 connections and 0 bytes. The hand-written corpus (`outbound-corpus.txt`) runs first, and, as
the control, against a server with isolation off, where it does reach the trap.

``TREATYGRAPH_FUZZ_EXAMPLES`` sets the number of generated examples (CI: 300; the long run in
docs/security.md: 20,000, 0 connections).
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treatygraph.testing import LiveServer

from .conftest import PEOPLE, Listener

pytestmark = pytest.mark.live

CORPUS = Path(__file__).with_name("outbound-corpus.txt")
EXAMPLES = int(os.environ.get("TREATYGRAPH_FUZZ_EXAMPLES", "300"))
TOKEN = "fuzz-token"


class _EmptyResults(http.server.BaseHTTPRequestHandler):
    """An allow-listed SPARQL endpoint that answers every query at once, with no rows."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def trap() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def allowed() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EmptyResults)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _start(tmp_path: Path, allowed: int, *extra: str) -> LiveServer:
    os.environ["TREATYGRAPH_UPDATE_TOKEN"] = TOKEN
    try:
        return LiveServer(
            [
                "--data",
                str(PEOPLE),
                "--timeout",
                "3",
                "--allow-service",
                f"http://127.0.0.1:{allowed}/sparql",
                *extra,
            ],
            tmp_path / "server.log",
        )
    finally:
        del os.environ["TREATYGRAPH_UPDATE_TOKEN"]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, allowed: int, trap: Listener
) -> Iterator[LiveServer]:
    live = _start(tmp_path_factory.mktemp("fuzz"), allowed)
    yield live
    live.stop()


def _send(server: LiveServer, text: str) -> int:
    if text.startswith("update: "):
        resp = requests.post(
            server.url + "/update",
            data={"update": text[len("update: ") :]},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=15,
        )
    else:
        resp = requests.post(server.url + "/sparql", data={"query": text}, timeout=15)
    return resp.status_code


def _corpus(port: int, allowed: int) -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [
        line.replace("PORT", str(port)).replace("ALLOWED", str(allowed))
        for line in lines
        if line and not line.startswith("#")
    ]


def _settle(trap: Listener) -> tuple[int, int]:
    time.sleep(0.3)  # a connection in flight reaches the listener's accept loop by then
    return trap.connections, trap.bytes


def test_the_corpus_reaches_nothing(server: LiveServer, trap: Listener, allowed: int) -> None:
    statuses = [_send(server, text) for text in _corpus(trap.port, allowed)]
    assert _settle(trap) == (0, 0)
    assert 500 not in statuses, statuses


def test_without_isolation_the_corpus_does_reach_the_trap(tmp_path: Path, allowed: int) -> None:
    control = Listener()
    try:
        with _start(tmp_path, allowed, "--unsafe-no-isolation") as live:
            for text in _corpus(control.port, allowed):
                _send(live, text)
        assert _settle(control)[0] >= 2  # at least the outside tester's two queries
    finally:
        control.close()


# -- generated queries ---------------------------------------------------------------------------
def _mixed_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda flags: "".join(c.upper() if up else c for c, up in zip(word, flags, strict=True))
    )


SEPARATORS = st.sampled_from(["", " ", "\t", "\n", "\r\n", "# c\n", "  ", "\u00a0", "\x0c"])
GLUE = st.sampled_from(
    [
        "",
        "?s ?p ?o . ",
        '("x" ?y)a _:b~',
        "VALUES ?x {1}(<http://a> <http://b#>)",
        "FILTER(?a<?b)",
        "VALUES ?a { <http://a> } ",
        "?s <http://a/p>/<http://a/q>* ?o . ",
        "[ <http://a/p> 1 ] <http://a/q> ?o . ",
        "BIND(1 AS ?one) ",
        "1",
        "}{",
        ". ",
        "é",
    ]
)


@st.composite
def queries(draw: st.DrawFn, port: int, allowed: int) -> str:
    trap = f"http://127.0.0.1:{port}/"
    prologue = draw(
        st.lists(
            st.sampled_from(
                [
                    f"BASE <{trap}> ",
                    f"PREFIX t: <{trap}> ",
                    f"PREFIX : <{trap}x#> ",
                    f"PREFIX a: <http://127.0.0.1:{allowed}/> ",
                    "PREFIX service: <http://e/> ",
                ]
            ),
            max_size=3,
        )
    )
    endpoint = draw(
        st.sampled_from(
            [
                f"<{trap}sparql>",
                "<sparql>",
                "t:sparql",
                ":",
                f"<\\u0068ttp://127.0.0.1:{port}/>",
                f"<//127.0.0.1:{port}/s>",
                "t:sp\\.arql",
                f"<http://127.0.0.1:{allowed}/sparql>",
                "a:sparql",
                "?endpoint",
            ]
        )
    )
    keyword = draw(_mixed_case("service"))
    silent = draw(st.one_of(st.just(""), _mixed_case("silent")))
    clause = (
        draw(GLUE)
        + keyword
        + draw(SEPARATORS)
        + silent
        + draw(SEPARATORS)
        + endpoint
        + draw(SEPARATORS)
        + "{ ?x ?y ?z }"
    )
    if draw(st.booleans()):  # an allow-listed call beside it routes to the federation process
        clause = f"SERVICE <http://127.0.0.1:{allowed}/sparql> {{ ?a ?b ?c }} " + clause
    form = draw(
        st.sampled_from(
            [
                "SELECT * WHERE { %s }",
                "SELECT * WHERE { OPTIONAL { %s } }",
                "SELECT * WHERE { { SELECT * WHERE { %s } } }",
                "ASK { FILTER EXISTS { %s } }",
                "CONSTRUCT { ?x ?y ?z } WHERE { GRAPH ?g { %s } }",
                "SELECT * FROM <" + trap + "g> WHERE { %s }",
                "update: INSERT { ?x ?y ?z } WHERE { %s }",
                "update: LOAD SILENT <" + trap + "d> ; INSERT DATA {} ; DELETE WHERE { %s }",
            ]
        )
    )
    text = "".join(prologue) + form.replace("%s", clause)
    for _ in range(draw(st.integers(0, 3))):  # random edits
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        edit = draw(st.sampled_from(["insert", "delete", "swapcase"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(list(" \t\n<>{}()#:;.'\"\\~_"))) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + text[at].swapcase() + text[at + 1 :]
    return text


@pytest.fixture(scope="module")
def sent() -> dict[str, int]:
    return {"count": 0}


def test_generated_queries_reach_nothing(
    server: LiveServer, trap: Listener, allowed: int, sent: dict[str, int]
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(queries(trap.port, allowed))
    def one(text: str) -> None:
        _send(server, text)
        sent["count"] += 1
        assert (trap.connections, trap.bytes) == (0, 0), text

    one()
    assert _settle(trap) == (0, 0)
    assert sent["count"] >= EXAMPLES
    print(f"fuzz: {sent['count']} generated queries and updates, 0 connections, 0 bytes")
