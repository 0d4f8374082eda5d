"""The endpoint over a remote SPARQL store (Virtuoso 7.2) behaves as over the embedded one.

Two apps serve the same built graph: one embedded (pyoxigraph), one with
``STORE_PATH=sparql+http://...`` that loads the graph into a throwaway Virtuoso at start
(SPARQL Update over HTTP). Every competency query, a mix of query forms, the entity
pages, dumps and VoID must give the same answers through both. The one known
difference is Virtuoso's: it cannot store ``xsd:duration`` ("P6M" reads back as "6").
"""

from __future__ import annotations

import collections
import gzip
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from treatygraph.store import ENGINE
from treatygraph.store.base import QueryResult
from treatygraph.store.remote import (
    DEFAULT_GRAPH_STAND_IN,
    SYSTEM_GRAPHS,
    RemoteEngine,
    chunk_triples,
    query_form,
)
from treatygraph.testing import app_factory

from .virtuoso import Virtuoso

pytestmark = pytest.mark.live

SRJ = "application/sparql-results+json"
NT = "application/n-triples"
TG = "https://w3id.org/treatygraph/ontology#"
TGID = "https://w3id.org/treatygraph/id/"
GRAPH = "https://w3id.org/treatygraph/graph/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = f"""PREFIX tg: <{TG}>
PREFIX tgid: <{TGID}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <{XSD}>
"""
COMPETENCY = sorted((Path(__file__).parents[2] / "examples" / "queries").glob("[0-9][0-9]-*.rq"))

#: Query forms beyond the competency questions (which are all SELECT).
MIX = {
    "select-filter": """SELECT ?s ?l WHERE { ?s rdfs:label ?l
        FILTER(CONTAINS(LCASE(STR(?l)), "treaty") && isIRI(?s)) } ORDER BY ?s ?l""",
    "select-optional": """SELECT ?p ?post WHERE { ?p a tg:Person
        OPTIONAL { ?p tg:holdsPost ?post } } ORDER BY ?p ?post""",
    "group-count": """SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c
        HAVING (COUNT(?s) > 2) ORDER BY DESC(?n) ?c""",
    "order-limit-offset": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l ?s LIMIT 7 OFFSET 3",
    "property-path": """SELECT ?x WHERE { ?x skos:broader+ tgid:cruise-missile } ORDER BY ?x""",
    "inverse-alternative-path": """SELECT DISTINCT ?a ?b WHERE {
        ?a (tg:succeededBy|^tg:succeeds) ?b } ORDER BY ?a ?b""",
    "graph-var": """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }
        GROUP BY ?g ORDER BY ?g""",
    "from-named-graph": f"""SELECT (COUNT(*) AS ?n) FROM <{GRAPH}background>
        WHERE {{ ?s ?p ?o }}""",
    "dates-and-numbers": """SELECT ?s ?d WHERE { ?s tg:date ?d
        FILTER(DATATYPE(?d) IN (xsd:date, xsd:gYearMonth, xsd:gYear)) } ORDER BY ?s ?d""",
    "booleans": "SELECT ?s ?b WHERE { ?s tg:nuclearCapable ?b } ORDER BY ?s",
    "ask-true": 'ASK { tgid:donald-trump rdfs:label "Donald Trump" }',
    "ask-false": 'ASK { tgid:donald-trump rdfs:label "Nobody" }',
    "construct": """CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a tg:Person ; rdfs:label ?l }""",
    "construct-where": "CONSTRUCT WHERE { tgid:inf-treaty ?p ?o }",
}

#: Answers that differ because of Virtuoso 7.2 itself (see docs/scaling.md), measured here.
#: Each runs as a strict xfail: when Virtuoso stops differing, the entry must go.
DECIMAL = "Virtuoso stores an integral xsd:decimal (310.0) as xsd:integer 310"
EXISTS = "Virtuoso returns BIND(EXISTS {...}) as 1/0 xsd:integer, not xsd:boolean"
EMPTY = (
    "Virtuoso returns no rows when a value from a GRAPH block joined with ?c "
    "rdfs:subClassOf* is used in an expression (STRAFTER, REPLACE, SUBSTR); the same "
    "join without the expression, or the expression without the path, answers"
)
VIRTUOSO_DIFFERS = {
    "08-who-signed-inf-treaty": EXISTS,
    "10-what-inf-prohibits-and-allows": DECIMAL,
    "11-inf-range-band-article-vs-state-department": DECIMAL,
    "14-missiles-destroyed-article-vs-official": DECIMAL,
    "19-article-events-in-date-order": EMPTY,
    "20-events-on-saturday": EMPTY,
    "25-soviet-union-successor": EXISTS,
    "30-iran-nuclear-deal-status": EXISTS,
}
VIRTUOSO_DURATION = {"12-inf-withdrawal-procedure"}


@pytest.fixture(scope="session")
def apps(nquads: Path, root: Path, virtuoso: Virtuoso) -> Iterator[tuple[Flask, Flask]]:
    """(embedded app, remote app) over the same data; the remote one loads Virtuoso."""
    with app_factory(DATA_FILES=[str(nquads)], PROJECT_ROOT=str(root), QUERY_TIMEOUT=30) as make:
        embedded = make()
        # Virtuoso changes xsd:duration and integral decimals (test_exactness.py): accepted here,
        # so the other differences stay visible as the strict xfails below.
        remote = make(STORE_PATH=virtuoso.store_path, REMOTE_ACCEPT_CHANGES=True)
        yield embedded, remote


@pytest.fixture(scope="session")
def clients(apps: tuple[Flask, Flask]) -> tuple[FlaskClient, FlaskClient]:
    return apps[0].test_client(), apps[1].test_client()


def _ask(client: FlaskClient, query: str, accept: str = SRJ) -> Any:
    resp = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_data()
    if resp.mimetype == NT:
        return collections.Counter(ox.parse(body, ox.RdfFormat.N_TRIPLES))
    parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    variables = [v.value for v in parsed.variables]
    return variables, [tuple(str(t) if t is not None else None for t in s) for s in parsed]


def _same(a: Any, b: Any, ordered: bool) -> None:
    if isinstance(a, tuple):
        assert a[0] == b[0], "variables differ"
        if ordered:
            assert a[1] == b[1]
        else:
            assert collections.Counter(a[1]) == collections.Counter(b[1])
    else:
        assert a == b


# -- the engine itself (no Virtuoso) ---------------------------------------------------------
def test_query_form() -> None:
    assert query_form("PREFIX a: <x:select> BASE <y:> # construct\n select * {}") == "select"
    assert query_form("prefix construct: <x:> CONSTRUCT WHERE { ?s ?p ?o }") == "construct"
    assert query_form("DESCRIBE <x:a>") == "describe"
    assert query_form("ASK{}") == "ask"
    assert query_form("INSERT DATA {}") is None


def test_chunks_keep_blank_nodes_together() -> None:
    b1, b2, b3 = ox.BlankNode("b1"), ox.BlankNode("b2"), ox.BlankNode("b3")
    p, s = ox.NamedNode("x:p"), ox.NamedNode("x:s")
    triples = [ox.Triple(s, p, ox.Literal(str(i))) for i in range(5)]
    triples += [
        ox.Triple(s, p, b1),
        ox.Triple(b1, p, b2),
        ox.Triple(b2, p, ox.Literal("z")),
        ox.Triple(b3, p, ox.Literal("y")),
    ]
    chunks = chunk_triples(triples, 2)
    assert sorted(map(str, sum(chunks, []))) == sorted(map(str, triples))
    for node in (b1, b2, b3):
        holding = [i for i, c in enumerate(chunks) if any(node in (t.subject, t.object) for t in c)]
        assert len(holding) == 1, f"{node} split over chunks {holding}"
    assert all(len(c) <= 3 for c in chunks)  # the b1-b2 group is 3 triples, kept whole


# -- against Virtuoso ------------------------------------------------------------------------
def test_graph_names_and_counts_are_ours(apps: tuple[Flask, Flask]) -> None:
    embedded, remote = (app.extensions[ENGINE] for app in apps)
    assert isinstance(remote, RemoteEngine)
    assert remote.graph_names() == embedded.graph_names()
    assert not SYSTEM_GRAPHS & set(remote.graph_names())
    assert remote.triple_counts() == embedded.triple_counts()
    assert remote.union_triple_count() == embedded.union_triple_count()
    assert not remote.has_graph("http://www.openlinksw.com/schemas/virtrdf#")
    assert not remote.has_graph(DEFAULT_GRAPH_STAND_IN)


def test_virtuoso_system_graphs_are_hidden(
    clients: tuple[FlaskClient, FlaskClient], virtuoso: Virtuoso
) -> None:
    """Virtuoso itself counts its ~2,500 system triples in the default graph; we do not."""
    from treatygraph.store.remote_http import Http

    http = Http(None, None)
    status, _, body, _ = http.request(
        "POST",
        virtuoso.sparql_url,
        b"query=SELECT+%28COUNT%28*%29+AS+%3Fn%29+%7B%3Fs+%3Fp+%3Fo%7D",
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": SRJ},
        10,
    )
    assert status == 200
    raw_total = int(next(iter(ox.parse_query_results(body, ox.QueryResultsFormat.JSON)))[0].value)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ours = _ask(clients[1], query)
    assert ours == _ask(clients[0], query)
    assert raw_total > int(ours[1][0][0].split('"')[1]) + 2000


def _competency_params() -> list[Any]:
    return [
        pytest.param(
            p,
            id=p.stem,
            marks=[pytest.mark.xfail(strict=True, reason=VIRTUOSO_DIFFERS[p.stem])]
            if p.stem in VIRTUOSO_DIFFERS
            else [],
        )
        for p in COMPETENCY
    ]


@pytest.mark.parametrize("path", _competency_params())
def test_competency_queries_match(path: Path, clients: tuple[FlaskClient, FlaskClient]) -> None:
    query = path.read_text()
    embedded, remote = (_ask(c, query) for c in clients)
    if path.stem in VIRTUOSO_DURATION:
        # Virtuoso 7.2 stores "P6M"^^xsd:duration as "6"^^xsd:duration
        fixed = [
            tuple(re.sub(r'^"6"\^\^', '"P6M"^^', v or "") or None for v in row) for row in remote[1]
        ]
        assert fixed != remote[1], "the duration quirk is gone: drop the workaround"
        remote = (remote[0], fixed)
    _same(embedded, remote, ordered="ORDER BY" in query.upper())


@pytest.mark.parametrize("name", sorted(MIX))
def test_query_mix_matches(name: str, clients: tuple[FlaskClient, FlaskClient]) -> None:
    query = PREFIXES + MIX[name]
    accept = NT if name.startswith("construct") else SRJ
    embedded, remote = (_ask(c, query, accept) for c in clients)
    if name.startswith("construct"):
        assert embedded, "the query should return triples"
    _same(embedded, remote, ordered="ORDER BY" in query)


def test_engine_results_are_pyoxigraph_terms(apps: tuple[Flask, Flask]) -> None:
    remote = apps[1].extensions[ENGINE]
    result: QueryResult = remote.query(
        PREFIXES + "SELECT ?b ?l WHERE { ?s tg:nuclearCapable ?b ; rdfs:label ?l } LIMIT 1"
    )
    ((b, label),) = result.rows
    assert isinstance(b, ox.Literal) and b.datatype == ox.NamedNode(XSD + "boolean")
    assert b.value in ("true", "false")  # Virtuoso writes 1/0; the engine reads them back
    assert isinstance(label, ox.Literal)


def test_result_cap_applies(apps: tuple[Flask, Flask]) -> None:
    client = apps[1].test_client()
    apps[1].config["RESULT_CAP"] = 5
    try:
        resp = client.post(
            "/sparql", data={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": SRJ}
        )
    finally:
        apps[1].config["RESULT_CAP"] = 10_000
    assert resp.status_code == 413
    assert resp.headers["X-Result-Cap"] == "5"


def test_errors_and_refusals(clients: tuple[FlaskClient, FlaskClient]) -> None:
    _, client = clients
    bad = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p "})
    assert bad.status_code == 400
    system = client.post(
        "/sparql",
        data={"query": "SELECT * FROM <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o }"},
    )
    assert system.status_code == 400 and "no such graph" in system.get_data(as_text=True)
    update = client.post("/update", data={"update": "CLEAR ALL"})
    assert update.status_code == 403


def test_entity_page(clients: tuple[FlaskClient, FlaskClient]) -> None:
    _, client = clients
    html = client.get("/id/donald-trump", headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert "Donald Trump" in html.get_data(as_text=True)
    ttl = client.get("/id/donald-trump", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and ttl.mimetype == "text/turtle"
    graph = {q.triple for q in ox.parse(ttl.get_data(), ox.RdfFormat.TURTLE)}
    label = ox.Triple(
        ox.NamedNode(TGID + "donald-trump"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal("Donald Trump"),
    )
    assert label in graph


_NUMERIC = {XSD + name for name in ("decimal", "integer", "double", "float")}


def _by_value(quad: ox.Quad) -> tuple[object, ...]:
    term = quad.object
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        return (quad.subject, quad.predicate, Decimal(term.value))
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "duration":
        return (quad.subject, quad.predicate, "a duration (Virtuoso keeps only its number)")
    return (quad.subject, quad.predicate, term)


@pytest.mark.parametrize(
    "path",
    [
        "/id/donald-trump",
        "/id/inf-treaty",
        "/id/john-bolton",
        "/timeline",
        "/browse",
        "/positions",
        "/ontology",
    ],
)
def test_pages_match_embedded(path: str, clients: tuple[FlaskClient, FlaskClient]) -> None:
    for accept in ("text/turtle", "text/html"):
        embedded, remote = (c.get(path, headers={"Accept": accept}) for c in clients)
        assert (embedded.status_code, embedded.mimetype) == (remote.status_code, remote.mimetype)
        if accept == "text/turtle" and embedded.mimetype == "text/turtle":
            a, b = (set(ox.parse(r.get_data(), ox.RdfFormat.TURTLE)) for r in (embedded, remote))
            if not any(
                isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in a
            ):
                # Virtuoso stores 2600.0 (xsd:decimal) as 2600 (xsd:integer), and drops
                # xsd:duration ("P6M" becomes "6"); compare numbers by value, the rest exactly.
                assert {_by_value(t) for t in a} == {_by_value(t) for t in b}
            else:
                assert len(a) == len(b)


KNOWN_DUMP_DIFF = re.compile(
    r'"(P6M|6)"\^\^<[^>]*#duration>'
    r'|"[0-9]+(\.0)?"\^\^<[^>]*#(decimal|integer)>'
)


def _dump(client: FlaskClient, name: str) -> bytes:
    resp = client.get(f"/dumps/{name}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    body = resp.get_data()
    body = gzip.decompress(body) if name.endswith(".gz") else body
    if ".ttl" in name:  # Turtle groups statements in each store's own order: compare them
        return (
            ox.serialize(ox.parse(body, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
            or b""
        )
    return body


def test_dumps_match(clients: tuple[FlaskClient, FlaskClient]) -> None:
    index = [clients[i].get("/dumps/index.json").get_json() for i in (0, 1)]
    assert index[0] == index[1]
    for name in (
        "treatygraph.nq",
        "vox-inf-article.nt",
        "background.nt",
        "ontology.nt",
        "alignments.ttl.gz",
    ):
        embedded, remote = (_dump(c, name) for c in clients)
        diff = {line.decode() for line in set(embedded.splitlines()) ^ set(remote.splitlines())}
        # only what Virtuoso cannot store: xsd:duration, integral xsd:decimal
        assert all(KNOWN_DUMP_DIFF.search(line) for line in diff), (name, sorted(diff)[:6])


def test_void_matches(clients: tuple[FlaskClient, FlaskClient]) -> None:
    embedded, remote = (c.get("/.well-known/void", headers={"Accept": NT}) for c in clients)
    assert embedded.status_code == remote.status_code == 200
    a, b = (
        set(map(str, ox.parse(r.get_data(), ox.RdfFormat.N_TRIPLES))) for r in (embedded, remote)
    )
    strip = re.compile(r"_:\S+")
    assert {strip.sub("_:b", t) for t in a} == {strip.sub("_:b", t) for t in b}


def test_load_with_graph_store_protocol(virtuoso: Virtuoso) -> None:
    """GSP PUT per graph (the alternative loader); blank nodes and the default graph."""
    store = ox.Store()
    store.load(
        input=b"""
<http://ex.org/s> <http://ex.org/p> _:a <http://ex.org/gsp1> .
_:a <http://ex.org/q> "v"@en <http://ex.org/gsp1> .
<http://ex.org/s> <http://ex.org/p> "1" <http://ex.org/gsp2> .
<http://ex.org/s> <http://ex.org/in-default> "yes" .
""",
        format=ox.RdfFormat.N_QUADS,
    )
    engine = RemoteEngine(
        virtuoso.sparql_url,
        graph_store_url=virtuoso.graph_store_url,
        default_graph="urn:x-test:gsp-default",
    )
    assert engine.load(store) == [
        "http://ex.org/gsp1",
        "http://ex.org/gsp2",
        "urn:x-test:gsp-default",
    ]
    assert engine.load(store)  # replaces, does not add
    assert engine.graph_names() == ["http://ex.org/gsp1", "http://ex.org/gsp2"]
    assert engine.triple_counts() == {"http://ex.org/gsp1": 2, "http://ex.org/gsp2": 1, None: 1}
    rows = engine.query(
        "SELECT ?v WHERE { <http://ex.org/s> <http://ex.org/p> ?b . ?b <http://ex.org/q> ?v }"
    ).rows
    assert [str(r[0]) for r in rows] == ['"v"@en']
    assert engine.query('ASK { ?s <http://ex.org/in-default> "yes" }').boolean
    assert not engine.query("ASK { GRAPH ?g { ?s <http://ex.org/in-default> ?o } }").boolean


def test_no_load_discovers_only_our_graphs(apps: tuple[Flask, Flask], virtuoso: Virtuoso) -> None:
    engine = RemoteEngine(virtuoso.sparql_url)  # as with --no-load and no --store-graph
    names = engine.graph_names()
    assert set(apps[0].extensions[ENGINE].graph_names()) <= set(names)
    assert not any(g.startswith("http://www.openlinksw.com/") for g in names)
    assert not SYSTEM_GRAPHS & set(names)
    pinned = RemoteEngine(virtuoso.sparql_url, graphs=[GRAPH + "ontology"])
    assert pinned.graph_names() == [GRAPH + "ontology"]
    assert (
        pinned.union_triple_count()
        == apps[0].extensions[ENGINE].triple_counts()[GRAPH + "ontology"]
    )


def test_digest_auth_endpoint(virtuoso: Virtuoso) -> None:
    """Virtuoso's authenticated endpoints (/sparql-auth) use HTTP digest auth."""
    base = virtuoso.sparql_url.rsplit("/", 1)[0]
    engine = RemoteEngine(
        base + "/sparql-auth",
        user="dba",
        password="dba",
        auth="digest",
        graph_store_url=base + "/sparql-graph-crud-auth",
        graphs=["http://ex.org/digest"],
    )
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("http://ex.org/s"),
            ox.NamedNode("http://ex.org/p"),
            ox.Literal("d"),
            ox.NamedNode("http://ex.org/digest"),
        )
    )
    engine.load(store)
    assert engine.triple_counts() == {"http://ex.org/digest": 1, None: 0}
    wrong = RemoteEngine(base + "/sparql-auth", user="dba", password="nope", auth="digest")
    with pytest.raises(Exception, match="401"):
        wrong.query("ASK {}")


def test_construct_gives_triples(apps: tuple[Flask, Flask]) -> None:
    result = apps[1].extensions[ENGINE].query(PREFIXES + MIX["construct-where"])
    assert result.kind == "graph" and result.triples
    assert all(isinstance(t, ox.Triple) for t in result.triples)


def test_answers_from_a_store_others_write_to_are_reused_only_for_a_while(
    virtuoso: Virtuoso,
) -> None:
    """Another writer changes the store: cached answers give way after SHARED_CACHE_SECONDS."""
    graph = "urn:x-test:reuse"

    def write(update: str) -> None:  # another writer, straight to the store
        resp = requests.post(virtuoso.sparql_url, data={"update": update}, timeout=30)
        assert resp.status_code < 300, resp.text

    write(f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> "before" }} }}')
    query = "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"

    def answer(client: FlaskClient) -> list[str]:
        resp = client.get("/sparql", query_string={"query": query}, headers={"Accept": SRJ})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        # shared caches get what is left of the window: at most its 4 s, or no-cache at its end
        control = resp.headers["Cache-Control"]
        assert control == "no-cache" or re.search(r"s-maxage=[1-4]$", control), control
        return [b["o"]["value"] for b in resp.get_json()["results"]["bindings"]]

    try:
        with app_factory(
            STORE_PATH=virtuoso.store_path,
            STORE_LOAD=False,
            STORE_GRAPHS=[graph],
            SHARED_CACHE_SECONDS=4,
        ) as make:
            client = make().test_client()
            assert answer(client) == ["before"]
            first = time.monotonic()
            write(
                f'DELETE DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> "before" }} }};'
                f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> "after" }} }}'
            )
            if time.monotonic() - first < 3.5:  # still inside the window (a loaded machine
                assert answer(client) == ["before"]  # may take longer): reused from the cache
            time.sleep(max(0.0, first + 4.2 - time.monotonic()))
            assert answer(client) == ["after"]
    finally:
        write(f"DROP SILENT GRAPH <{graph}>")
