"""Pre-flight safety checks: SERVICE, FROM / FROM NAMED, LOAD, and IRI resolution."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from treatygraph.errors import BadRequest, InputError, UnsafeQuery
from treatygraph.sparql.safety import check_query, check_update, resolve_iri

GRAPHS = {"http://example.org/graph/a", "http://example.org/graph/b"}
BASE = "http://localhost/sparql"


def scan(query: str, allow: tuple[str, ...] = ()) -> object:
    return check_query(query, base_iri=BASE, allowlist=allow, graph_exists=GRAPHS.__contains__)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://evil/> { } FROM <http://evil/>" }',
        "SELECT * WHERE { ?s ?p '''multi\nline SERVICE <http://evil/> {}''' }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil/> { }",
        "SELECT ?service ?from ?load WHERE { ?service ?from ?load }",
        "PREFIX ex: <http://example.org/> SELECT * { ?s ex:service ex:from-here . ?x ex:load 1 }",
        "SELECT * WHERE { ?s <http://example.org/service> <http://example.org/from> }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://example.org/loading>) }",
        'SELECT * WHERE { ?s ?p "x"@en }',
        "SELECT * FROM <http://example.org/graph/a> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://example.org/graph/b> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "PREFIX g: <http://example.org/graph/> SELECT * FROM g:a WHERE { ?s ?p ?o }",
        "BASE <http://example.org/graph/> SELECT * FROM <a> FROM NAMED <b> WHERE { ?s ?p ?o }",
    ],
)
def test_harmless_queries_pass(query: str) -> None:
    scan(query)


def test_from_graphs_are_reported() -> None:
    result = scan("BASE <http://example.org/graph/x> SELECT * FROM <a> FROM NAMED <./b> {}")
    assert result.from_graphs == ["http://example.org/graph/a"]  # type: ignore[attr-defined]
    assert result.from_named == ["http://example.org/graph/b"]  # type: ignore[attr-defined]


EVIL = "http://127.0.0.1:9/"
DANGEROUS_SERVICE = [
    f"SELECT * WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE<{EVIL}>{{}} }}",
    f"SELECT * WHERE {{ SERVICESILENT<{EVIL}> {{}} }}",
    f"PREFIX e: <{EVIL}> SELECT * WHERE {{ SERVICE e:x {{}} }}",
    f"PREFIX : <{EVIL}> SELECT * WHERE {{ SERVICE:x {{}} }}",
    f"PREFIX s: <{EVIL}> SELECT * WHERE {{ SERVICEs:x {{}} }}",
    f"BASE <{EVIL}> SELECT * WHERE {{ SERVICE <x> {{}} }}",
    f"PREFIX e: <{EVIL}> SELECT * {{ ?s ?p 1SERVICE e:{{}} }}",
    f"PREFIX e: <{EVIL}> SELECT * {{ ?s ?p trueSERVICE e:{{}} }}",
    f"PREFIX e: <{EVIL}> SELECT * {{ ?s ?p ?o.SERVICE e:{{}} }}",
    f"PREFIX e: <{EVIL}> SELECT * {{ ?s ?p -1SERVICE e:{{}} }}",
    # '<' after an operand in an expression is less-than, not an IRI: the SERVICE is real
    f"PREFIX e: <{EVIL}> SELECT * {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE e:y#>\n"
    "{ } }",
    f"PREFIX e: <{EVIL}> SELECT * {{ BIND(1 AS ?a) FILTER(?a<2)SERVICE e:y#>\n{{ }} }}",
]


@pytest.mark.parametrize("query", DANGEROUS_SERVICE)
def test_service_refused(query: str) -> None:
    with pytest.raises(UnsafeQuery, match="SERVICE"):
        scan(query)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[int]]]:
    """A TCP listener counting connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("template", DANGEROUS_SERVICE)
def test_dangerous_cases_really_reach_out_in_pyoxigraph(
    template: str, listener: tuple[int, list[int]]
) -> None:
    """The refusals above matter: unchecked, pyoxigraph opens each of these connections."""
    port, hits = listener
    query = template.replace(EVIL, f"http://127.0.0.1:{port}/")
    try:
        list(ox.Store().query(query))  # type: ignore[arg-type]
    except (OSError, RuntimeError):
        pass
    for _ in range(50):
        if hits:
            break
        threading.Event().wait(0.02)
    assert hits, "expected pyoxigraph to connect"


def test_service_variable_refused() -> None:
    with pytest.raises(UnsafeQuery, match="variable endpoint"):
        scan("SELECT * WHERE { VALUES ?e { <http://a/> } SERVICE ?e { ?s ?p ?o } }")


def test_escaped_hash_in_local_name_is_not_a_comment() -> None:
    with pytest.raises(UnsafeQuery):
        scan(f"PREFIX e: <{EVIL}> SELECT * {{ ?s ?p e:a\\# . SERVICE e:x {{ }} }}")


ALLOWED = "http://dbpedia.example/sparql"


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{ALLOWED}> {{ ?s ?p ?o }} }}",
        "PREFIX d: <http://dbpedia.example/> SELECT * WHERE { SERVICE d:sparql { ?s ?p ?o } }",
        "BASE <http://dbpedia.example/x/y> SELECT * WHERE { SERVICE <../sparql> { ?s ?p ?o } }",
    ],
)
def test_allowlisted_service_passes(query: str) -> None:
    assert scan(query, (ALLOWED,)).services == [ALLOWED]  # type: ignore[attr-defined]


def test_allowlist_is_exact() -> None:
    with pytest.raises(UnsafeQuery, match="not allowed"):
        scan(f"SELECT * WHERE {{ SERVICE <{ALLOWED}/other> {{ }} }}", (ALLOWED,))


def test_redeclared_prefix_is_refused_for_service() -> None:
    query = (
        "PREFIX d: <http://dbpedia.example/> PREFIX d: <http://127.0.0.1:9/> "
        "SELECT * WHERE { SERVICE d:sparql { } }"
    )
    with pytest.raises(UnsafeQuery, match="more than once"):
        scan(query, (ALLOWED,))


@pytest.mark.parametrize(
    ("query", "graph"),
    [
        ("SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }", "http://127.0.0.1:9/x"),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", "file:///etc/passwd"),
        ("SELECT * FROMNAMED<file:///etc/passwd> WHERE { ?s ?p ?o }", "file:///etc/passwd"),
        ("BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }", "file:///etc/passwd"),
        (
            "PREFIX f: <file:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }",
            "file:///etc/passwd",
        ),
    ],
)
def test_from_unknown_graph_refused(query: str, graph: str) -> None:
    with pytest.raises(UnsafeQuery, match=f"<{graph}>: no such graph"):
        scan(query)


def test_unterminated_string_is_bad_request() -> None:
    with pytest.raises(InputError, match="line 2, column 9") as info:
        scan('SELECT * {\n  ?s ?p "abc }')
    assert info.value.status == 400


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/x>",
        "LOAD SILENT <file:///etc/passwd> INTO GRAPH <http://g>",
        "load<http://127.0.0.1:9/x>",
        "LOADSILENT<http://127.0.0.1:9/x>",
        "INSERT DATA { <a:s> <a:p> 1 } ; LOAD <http://127.0.0.1:9/x>",
    ],
)
def test_load_refused(update: str) -> None:
    with pytest.raises(UnsafeQuery, match="LOAD"):
        check_update(update, base_iri=BASE, allowlist=())


def test_update_service_refused() -> None:
    with pytest.raises(UnsafeQuery, match="SERVICE"):
        check_update(
            "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            base_iri=BASE,
            allowlist=(),
        )


def test_using_parameters_are_spliced_before_where() -> None:
    text = "INSERT { ?s a <a:T> } WHERE { ?s ?p ?o } ; DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    out = check_update(
        text,
        base_iri=BASE,
        allowlist=(),
        using_graphs=["http://g/1"],
        using_named_graphs=["http://g/2"],
    )
    assert out == (
        "INSERT { ?s a <a:T> } USING <http://g/1> USING NAMED <http://g/2> WHERE "
        "{ ?s ?p ?o } ; DELETE { ?s ?p ?o } USING <http://g/1> USING NAMED "
        "<http://g/2> WHERE { ?s ?p ?o }"
    )


def test_using_parameters_conflict_with_using_clause() -> None:
    with pytest.raises(BadRequest, match="cannot be combined"):
        check_update(
            "WITH <http://g/1> INSERT { ?s a <a:T> } WHERE { ?s ?p ?o }",
            base_iri=BASE,
            allowlist=(),
            using_graphs=["http://g/1"],
        )


@pytest.mark.parametrize(
    ("ref", "expected"),
    [  # RFC 3986 §5.4.1, base http://a/b/c/d;p?q
        ("g:h", "g:h"),
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../g", "http://a/g"),
        ("../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("g;x=1/../y", "http://a/b/c/y"),
    ],
)
def test_resolve_iri_rfc3986_examples(ref: str, expected: str) -> None:
    assert resolve_iri("http://a/b/c/d;p?q", ref) == expected


def test_relative_iri_without_base() -> None:
    assert resolve_iri(None, "x") is None
