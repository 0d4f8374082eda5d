"""The holes an outside tester found in imports from addresses and files, each closed.

On main before the fix: a never-ending body grew until MemoryError (a traceback), a body that
trickled ran for 61 s despite ``--timeout 5``, a redirect to ``ftp://`` was followed and ended
in an empty error, "too many headers" was a traceback with exit 1, and a 932-byte RDF/XML
entity bomb made pyoxigraph allocate gigabytes and abort, in ``import`` and ``serve --data``.
Each test below starts its own misbehaving server on 127.0.0.1 and stops it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from treatygraph.http import Client, HttpError, TooLarge
from treatygraph.rdf.io import EntityBomb, check_xml_entities
from treatygraph.store.oxigraph import load_files

from .conftest import counts_per_graph, tg

Handler = Callable[[socket.socket], None]


@pytest.fixture
def raw_server() -> Iterator[Callable[[Handler], str]]:
    """A one-thread-per-connection TCP server whose answer the test writes by hand."""
    sockets: list[socket.socket] = []
    stop = threading.Event()

    def start(handle: Handler) -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.2)
        sockets.append(listener)

        def loop() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                conn.settimeout(30)

                def serve(c: socket.socket = conn) -> None:
                    try:
                        c.recv(65536)
                        handle(c)
                    except OSError:
                        pass
                    finally:
                        c.close()

                threading.Thread(target=serve, daemon=True).start()

        threading.Thread(target=loop, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    stop.set()
    for s in sockets:
        s.close()


def endless(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\n\r\n")
    line = b'<http://e/s> <http://e/p> "' + b"x" * 1000 + b'" .\n'
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        conn.sendall(line * 64)


def trickle(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(120):  # one byte every half second: a minute in all
        conn.sendall(b" ")
        time.sleep(0.5)


def to_ftp(conn: socket.socket) -> None:
    conn.sendall(
        b"HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1/data.ttl\r\nContent-Length: 0\r\n\r\n"
    )


def many_headers(conn: socket.socket) -> None:
    headers = b"".join(b"X-Filler-%d: y\r\n" % i for i in range(150))
    conn.sendall(b"HTTP/1.1 200 OK\r\n" + headers + b"Content-Length: 0\r\n\r\n")


def test_an_endless_body_stops_at_the_cap(
    raw_server: Callable[[Handler], str], checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = raw_server(endless)
    argv = ["--root", checkout, "import", f"{base}/data.nt", "--graph", "big", "--quiet"]
    assert tg(*argv, "--max-bytes", "2000000") == 3
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {base}/data.nt: the answer is larger than the limit of 2,000,000 bytes; "
        "nothing kept"
    )
    assert [p.name for p in (checkout / "imports").iterdir()] == []


def test_the_timeout_covers_the_whole_body(
    raw_server: Callable[[Handler], str], checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = raw_server(trickle)
    started = time.monotonic()
    argv = ["--root", checkout, "import", f"{base}/slow.ttl", "--graph", "slow", "--quiet"]
    assert tg(*argv, "--timeout", "2") == 3
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"took {elapsed:.0f} s: the trickle would have lasted 60 s"
    err = capsys.readouterr().err
    assert f"error: {base}/slow.ttl: no complete answer within 2 s" in err
    assert "Traceback" not in err


def test_a_redirect_to_ftp_is_refused(
    raw_server: Callable[[Handler], str], checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = raw_server(to_ftp)
    argv = ["--root", checkout, "import", f"{base}/data.ttl", "--graph", "moved", "--quiet"]
    assert tg(*argv) == 3
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {base}/data.ttl: HTTP 302 redirects to ftp://127.0.0.1/data.ttl, "
        "which is not http(s); not followed"
    )


def test_too_many_headers_is_one_line(
    raw_server: Callable[[Handler], str], checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = raw_server(many_headers)
    argv = ["--root", checkout, "import", f"{base}/data.ttl", "--graph", "headers", "--quiet"]
    assert tg(*argv) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a valid HTTP answer: got more than 100 headers" in err[0]


def test_the_client_speaks_http_only_and_ignores_proxies(
    raw_server: Callable[[Handler], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for address in ("ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/"):
        with pytest.raises(HttpError, match="only http:// and https://"):
            Client().get(address)

    def hello(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")

    base = raw_server(hello)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    answer = Client().get(f"{base}/")
    assert (answer.status, answer.body) == (200, b"hello")
    with pytest.raises(TooLarge):
        Client(max_bytes=4).get(f"{base}/")


def test_basic_auth_is_sent() -> None:
    seen: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def accept() -> None:
        conn, _ = listener.accept()
        seen.append(conn.recv(65536))
        conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
        conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    answer = Client(user="alice", password="s3cret").get(f"http://127.0.0.1:{port}/")
    thread.join(5)
    listener.close()
    assert answer.status == 204
    assert b"Authorization: Basic YWxpY2U6czNjcmV0\r\n" in seen[0]  # base64("alice:s3cret")


# ------------------------------------------------------------------ the RDF/XML entity bomb

BOMB = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&h;&h;&h;&h;&h;</ex:p></rdf:Description>
</rdf:RDF>
"""
# Namespace abbreviations, the way OWL files use entities: harmless and accepted.
ABBREVIATIONS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
<!ENTITY ex "http://example.org/">
<!ENTITY xsd "http://www.w3.org/2001/XMLSchema#">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="&ex;">
  <rdf:Description rdf:about="&ex;x"><ex:p rdf:datatype="&xsd;integer">1</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_the_entity_bomb_is_refused_by_import(
    checkout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(BOMB, encoding="utf-8")
    assert bomb.stat().st_size < 1000
    before = counts_per_graph(checkout)
    assert tg("--root", checkout, "import", bomb, "--graph", "bomb", "--quiet") == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {bomb}: the DTD's entities expand to more than 1,000,000 characters "
        "(an entity-expansion bomb); refused"
    )
    assert counts_per_graph(checkout) == before


def test_the_entity_bomb_is_refused_by_serve_data(tmp_path: Path) -> None:
    """``serve --data`` loads files through store.oxigraph.load_files."""
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(BOMB, encoding="utf-8")
    with pytest.raises(EntityBomb, match="entity-expansion bomb"):
        load_files([bomb])


def test_entities_as_abbreviations_still_load(tmp_path: Path) -> None:
    ok = tmp_path / "ok.rdf"
    ok.write_text(ABBREVIATIONS, encoding="utf-8")
    assert len(load_files([ok])) == 1


@pytest.mark.parametrize(
    "dtd, reason",
    [
        ('<!ENTITY x SYSTEM "file:///etc/passwd">', "external entity"),
        ('<!ENTITY % p "x">', "parameter entity"),
        ('<!ENTITY a "&b;"><!ENTITY b "&a;">', "refers to itself"),
    ],
)
def test_other_entity_tricks_are_refused(dtd: str, reason: str) -> None:
    head = f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{dtd}]><rdf:RDF/>'.encode()
    with pytest.raises(EntityBomb, match=reason):
        check_xml_entities("t.rdf", head)
