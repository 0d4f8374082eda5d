"""Every SELECT and ASK body is pyoxigraph's, and RESULT_CAP is exact.

The engine writes solutions as TSV with pyoxigraph (counting lines to enforce RESULT_CAP), and
``sparql/results.py`` has pyoxigraph re-write that TSV in the format asked for. The round trip
must lose nothing: every body must be byte for byte what pyoxigraph writes from the live query
result itself, for every kind of term (IRIs, blank nodes, literals with language, base
direction or datatype, triple terms, control characters).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from treatygraph.errors import QueryEvaluationError, QuerySyntaxError
from treatygraph.rdf import formats
from treatygraph.sparql.execute import QueryJob, Reply, run_job
from treatygraph.store.base import ResultLimitExceeded
from treatygraph.store.oxigraph import OxigraphEngine, load_files

from .conftest import GRAPHS, PEOPLE

FORMATS = {f.name: f for f in formats.RESULTS}
TURTLE = formats.RDF[0]
XSD = "http://www.w3.org/2001/XMLSchema#"
ITS = "http://www.w3.org/2005/11/its"
EX = "http://example.org/"
G = ox.NamedNode(EX + "graph")


def iri(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype if ":" in datatype else XSD + datatype))


LTR, RTL = ox.BaseDirection.LTR, ox.BaseDirection.RTL
OBJECTS: list[Any] = [
    iri("plain"),
    ox.NamedNode("http://example.org/q?a=1&b=2#frag"),
    ox.NamedNode("http://example.org/é/😀"),
    ox.NamedNode("http://example.org/%20'x"),
    ox.NamedNode("urn:isbn:0-486-27557-4"),
    ox.BlankNode("b1"),
    ox.BlankNode("a-b"),
    ox.BlankNode("a.b"),
    ox.BlankNode("0abc"),
    ox.BlankNode("ä"),
    ox.Literal("plain"),
    ox.Literal(""),
    ox.Literal("tab\there"),
    ox.Literal("line\nbreak"),
    ox.Literal("carriage\rreturn"),
    ox.Literal("crlf\r\nend"),
    ox.Literal('double "quotes"'),
    ox.Literal("single 'quotes'"),
    ox.Literal("back\\slash \\n \\t"),
    ox.Literal("comma, here"),
    ox.Literal("é ü ß 中文 русский"),
    ox.Literal("emoji 😀👍🏽"),
    ox.Literal('all \t\n\r"\\ 😀, at once'),
    ox.Literal("  padded  "),
    ox.Literal(" "),
    ox.Literal("<<( not a triple )>>"),
    ox.Literal("_:b1"),
    ox.Literal("?x"),
    ox.Literal("#"),
    ox.Literal("true"),
    ox.Literal("12"),
    ox.Literal("<tag> & &amp; ]]>"),
    ox.Literal("\u2028\u2029\ufeff\u0085"),
    ox.Literal("hello", language="en"),
    ox.Literal("colour", language="en-gb"),
    ox.Literal("tab\t", language="fr"),
    ox.Literal("مرحبا", language="ar", direction=RTL),
    ox.Literal("left", language="en", direction=LTR),
    typed("42", "integer"),
    typed("-7", "integer"),
    typed("01", "integer"),
    typed("+5", "integer"),
    typed("1.5", "decimal"),
    typed("1.0", "decimal"),
    typed("-0.5", "decimal"),
    typed("1e3", "double"),
    typed("1.5E-3", "double"),
    typed("INF", "double"),
    typed("NaN", "double"),
    typed("2.5", "float"),
    typed("true", "boolean"),
    typed("0", "boolean"),
    typed("2024-02-29", "date"),
    typed("2024-02-29T12:00:00Z", "dateTime"),
    typed("abc", "integer"),
    typed(" 5", "integer"),
    typed("x", "urn:custom:datatype"),
    typed("explicit", "string"),
    typed("7", "nonNegativeInteger"),
    ox.Triple(iri("s"), iri("p"), iri("o")),
    ox.Triple(ox.BlankNode("tb"), iri("p"), ox.Literal('t\tn\nq"😀')),
    ox.Triple(iri("s"), iri("p"), ox.Literal("dir", language="en", direction=LTR)),
    ox.Triple(iri("s"), iri("p"), ox.Triple(iri("a"), iri("b"), typed("3", "integer"))),
]

#: literals with control characters: XML 1.0 cannot carry them (neither writer escapes them)
CONTROL = [
    ox.Literal("nul\x00"),
    ox.Literal("bell\x07"),
    ox.Literal("del\x7f"),
    ox.Literal("vt\x0bff\x0c"),
    ox.Literal("esc\x1b[0m"),
]


def make_store(objects: Sequence[Any]) -> ox.Store:
    store = ox.Store()
    for i, obj in enumerate(objects):
        subject = ox.BlankNode(f"s{i}") if i % 7 == 3 else iri(f"s{i:03d}")
        store.add(ox.Quad(subject, iri("p"), obj, G if i % 2 else ox.DefaultGraph()))
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return make_store(OBJECTS)


@pytest.fixture(scope="module")
def engine(store: ox.Store) -> OxigraphEngine:
    return OxigraphEngine(store)


QUERIES = {
    "all": f"SELECT ?s ?o ?missing ?g WHERE {{ {{ ?s <{EX}p> ?o }} UNION "
    f"{{ GRAPH ?g {{ ?s ?q ?o }} }} OPTIONAL {{ ?s <{EX}none> ?missing }} }} "
    "ORDER BY ?g ?s ?o",
    "objects": f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}",
    "unbound_first": f"SELECT ?missing ?o WHERE {{ ?s <{EX}p> ?o "
    f"OPTIONAL {{ ?o <{EX}n> ?missing }} }}",
    "empty": f"SELECT ?s ?o WHERE {{ ?s <{EX}none> ?o }}",
    "empty_no_vars": "SELECT * WHERE { FILTER(false) }",
    "one_empty_row": "SELECT * WHERE {}",
    "all_unbound": f"SELECT ?a ?b WHERE {{ OPTIONAL {{ <{EX}x> <{EX}none> ?a }} }}",
    "undef": "SELECT ?a ?b ?c WHERE { VALUES (?a ?b ?c) { (UNDEF 1 UNDEF) (1 UNDEF UNDEF) "
    "(UNDEF UNDEF 1) (UNDEF UNDEF UNDEF) } }",
    "unicode_vars": 'SELECT ?ä ?名前 ?_x WHERE { BIND("ä" AS ?ä) BIND(1 AS ?_x) }',
    "computed": 'SELECT ?x WHERE { VALUES ?x { 1 -2 0.5 1.5e0 true "01"^^<http://www.w3.org/2001/'
    'XMLSchema#integer> "x"@en--rtl "t\\tn\\n"@de } }',
    "triples": f"SELECT ?t WHERE {{ ?s <{EX}p> ?o BIND(TRIPLE(<{EX}s>, <{EX}p>, ?o) AS ?t) }}",
    "numbers": "SELECT (COUNT(*) AS ?n) (SUM(?v) AS ?sum) (AVG(?v) AS ?avg) WHERE { "
    "VALUES ?v { 1 2 4 } }",
}


def job(sparql: str, fmt: str, cap: int = 10_000) -> QueryJob:
    return QueryJob(sparql, (), (), True, None, FORMATS[fmt], TURTLE, cap)


def direct(store: ox.Store, sparql: str, fmt: str) -> bytes:
    """What pyoxigraph writes from the query result itself, with no TSV in between."""
    answer = store.query(sparql, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions | ox.QueryBoolean)
    return answer.serialize(format=FORMATS[fmt].results) or b""


def served(engine: OxigraphEngine, sparql: str, fmt: str, cap: int = 10_000) -> Reply:
    reply = run_job(engine, job(sparql, fmt, cap))
    assert reply.format is FORMATS[fmt]
    return reply


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_bodies_are_what_pyoxigraph_writes_directly(
    store: ox.Store, engine: OxigraphEngine, name: str, fmt: str
) -> None:
    assert served(engine, QUERIES[name], fmt).body == direct(store, QUERIES[name], fmt)


def test_every_term_kind_is_in_the_compared_results(engine: OxigraphEngine) -> None:
    """The comparison above is only as good as its data: check it holds what we claim."""
    rows = engine.query(QUERIES["all"]).rows
    objects = {row[1] for row in rows}
    # the store keeps typed literals by value ("01" comes back as "1"); the rest as given
    untyped = {
        o
        for o in OBJECTS
        if not isinstance(o, ox.Literal) or o.language or o.datatype.value == XSD + "string"
    }
    assert untyped <= objects
    assert typed("abc", "integer") in objects and typed(" 5", "integer") in objects
    kinds = {type(term) for row in rows for term in row}
    assert kinds == {ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple, type(None)}
    assert any(getattr(o, "direction", None) is not None for o in objects)
    xml_body = served(engine, QUERIES["all"], "xml").body
    literal = ET.fromstring(xml_body).find(f".//{{*}}literal[@{{{ITS}}}dir='rtl']")
    assert literal is not None and literal.text == "مرحبا"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_control_characters(fmt: str) -> None:
    store = make_store(CONTROL)
    sparql = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o"
    assert served(OxigraphEngine(store), sparql, fmt).body == direct(store, sparql, fmt)


def test_csv_is_the_spec_form(engine: OxigraphEngine) -> None:
    """SPARQL 1.1 CSV (W3C Note, §2): plain values, quoted when they hold , " or a line break,
    CRLF line ends. Checked by hand on two rows of the data above."""
    sparql = (
        f'SELECT ?o WHERE {{ VALUES ?o {{ <{EX}plain> "comma, here" "double \\"quotes\\"" }} }}'
    )
    body = served(engine, sparql, "csv").body
    assert body == b'o\r\nhttp://example.org/plain\r\n"comma, here"\r\n"double ""quotes"""\r\n'
    assert list(csv.reader(io.StringIO(body.decode(), newline="")))[1:] == [
        ["http://example.org/plain"],
        ["comma, here"],
        ['double "quotes"'],
    ]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_ask(store: ox.Store, engine: OxigraphEngine, fmt: str) -> None:
    for sparql in ("ASK { ?s ?p ?o }", f"ASK {{ ?s <{EX}none> ?o }}"):
        assert served(engine, sparql, fmt).body == direct(store, sparql, fmt)


def test_graph_results_are_pyoxigraph_s(store: ox.Store, engine: OxigraphEngine) -> None:
    sparql = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"
    reply = run_job(engine, job(sparql, "json"))
    assert reply.format is TURTLE
    triples = store.query(sparql, use_default_graph_as_union=True)
    assert reply.body == ox.serialize(list(triples), format=ox.RdfFormat.TURTLE)  # type: ignore[arg-type]


def test_errors_are_raised_as_they_are(engine: OxigraphEngine) -> None:
    with pytest.raises(QuerySyntaxError, match=r"^1:[0-9]+: syntax error: "):
        run_job(engine, job("SELECT * WHERE { ?s ?p }", "json"))
    unknown = "SELECT * WHERE { BIND(<http://example/function>(1) AS ?x) }"
    with pytest.raises(QueryEvaluationError, match="^query evaluation failed"):
        run_job(engine, job(unknown, "json"))


def test_rows_are_read_back_from_the_tsv(engine: OxigraphEngine) -> None:
    result = engine.query(QUERIES["undef"])
    one = typed("1", "integer")
    assert result.variables == ["a", "b", "c"]
    assert result.rows == [(None, one, None), (one, None, None), (None, None, one), (None,) * 3]


# -- RESULT_CAP ----------------------------------------------------------------------------
def rows_query(n: int, newline: bool = False) -> str:
    """Exactly ``n`` rows; with ``newline`` every row holds a literal with line breaks."""
    text = '"a\\nb\\r\\nc"' if newline else '"x"'
    return (
        f"SELECT ?i ?t WHERE {{ VALUES ?i {{ {' '.join(str(i) for i in range(n))} }} "
        f"BIND({text} AS ?t) }}"
    )


@pytest.mark.parametrize("cap", [0, 1, 2, 5])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("newline", [False, True])
def test_cap_is_exact(
    store: ox.Store, engine: OxigraphEngine, cap: int, fmt: str, newline: bool
) -> None:
    sparql = rows_query(cap, newline)
    assert served(engine, sparql, fmt, cap).body == direct(store, sparql, fmt)
    with pytest.raises(ResultLimitExceeded) as refused:
        run_job(engine, job(rows_query(cap + 1, newline), fmt, cap))
    assert refused.value.headers == {"X-Result-Cap": str(cap)}
    assert f"more than {cap} rows" in refused.value.message


@pytest.mark.parametrize("cap", [0, 1])
def test_cap_counts_rows_without_variables(engine: OxigraphEngine, cap: int) -> None:
    sparql = "SELECT * WHERE {}"  # one row, no columns
    if cap == 1:
        assert served(engine, sparql, "json", cap).body
    else:
        with pytest.raises(ResultLimitExceeded):
            run_job(engine, job(sparql, "json", cap))


@pytest.mark.parametrize("cap", [0, 3])
def test_empty_result_fits_any_cap(engine: OxigraphEngine, cap: int) -> None:
    assert served(engine, QUERIES["empty"], "xml", cap).body


def test_cap_across_write_chunks() -> None:
    """Thousands of rows span many of pyoxigraph's 8 KiB writes; the cap stays exact."""
    store = ox.Store()
    for i in range(6000):
        store.add(ox.Quad(iri(f"n{i}"), iri("p"), ox.Literal(f"value {i}\nwith a break")))
    engine = OxigraphEngine(store)
    sparql = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}"
    assert served(engine, sparql, "tsv", 6000).body.count(b"\n") == 6001
    with pytest.raises(ResultLimitExceeded):
        run_job(engine, job(sparql, "csv", 5999))
    with pytest.raises(ResultLimitExceeded):
        engine.query(sparql, max_results=10)
    assert engine.query(sparql).tsv.count(b"\n") == 6001


# -- over HTTP: the registry's Content-Type ------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_content_type_over_http(client: FlaskClient, fmt: str) -> None:
    sparql = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    resp = client.get("/sparql", query_string={"query": sparql, "format": fmt})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == FORMATS[fmt].content_type
    assert resp.data == direct(load_files([PEOPLE, GRAPHS]), sparql, fmt)
