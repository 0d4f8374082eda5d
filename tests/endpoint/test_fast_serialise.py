"""SELECT bodies written by pyoxigraph (``query_tsv``) match the Python writers, and the cap holds.

The embedded engine writes SELECT results as TSV with pyoxigraph, counting lines to enforce
RESULT_CAP, and pyoxigraph re-writes that TSV as JSON, XML or CSV. Bodies need not be
byte-identical to the Python writers in ``sparql/results.py`` (key order, whitespace, number
shorthand in TSV), but they must parse to the same results, with the same Content-Type.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from treatygraph.sparql import results
from treatygraph.sparql.execute import QueryJob, Reply, run_job
from treatygraph.store.base import QueryResult, ResultLimitExceeded
from treatygraph.store.oxigraph import OxigraphEngine, load_files
from treatygraph.web import conneg

from .conftest import GRAPHS, PEOPLE

FORMATS = {f.name: f for f in conneg.RESULT_FORMATS}
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
def engine() -> OxigraphEngine:
    return OxigraphEngine(make_store(OBJECTS))


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


# -- comparing bodies by what they parse to ---------------------------------------------
def parse_json(body: bytes) -> Any:
    return json.loads(body)


def _xml(element: ET.Element) -> Any:
    """(tag, attributes, text, children); text counts only in elements that hold a value."""
    children = [_xml(child) for child in element]
    leaf = element.tag.rpartition("}")[2] in ("literal", "uri", "bnode", "boolean")
    return (
        element.tag,
        sorted(element.attrib.items()),
        element.text or "" if leaf else None,
        children,
    )


def parse_xml(body: bytes) -> Any:
    return _xml(ET.fromstring(body))


def parse_csv(body: bytes) -> Any:
    assert body.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def parse_tsv(body: bytes) -> Any:
    """The header line as text, then one list of terms per line (parsed as Turtle terms)."""
    lines = body.decode("utf-8").split("\n")
    assert lines[-1] == ""
    solutions = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [list(solution) for solution in solutions]
    assert len(rows) == len(lines) - 2  # one line per row: the cap counts lines
    return lines[0], rows


PARSERS = {"json": parse_json, "xml": parse_xml, "csv": parse_csv, "tsv": parse_tsv}


def job(sparql: str, fmt: str, cap: int = 10_000) -> QueryJob:
    return QueryJob(sparql, (), (), True, None, FORMATS[fmt], conneg.RDF_FORMATS[0], cap)


def old_body(engine: Any, sparql: str, fmt: str) -> bytes:
    """Today's path: rows materialised in Python, written by ``results.py``."""
    return results.serialize(engine.query(sparql, max_results=10_000), FORMATS[fmt])


def new_reply(engine: OxigraphEngine, sparql: str, fmt: str) -> Reply:
    assert engine.query_tsv(sparql).tsv is not None  # run_job takes the TSV path
    reply = run_job(engine, job(sparql, fmt))
    assert reply.status == "ok", reply
    return reply


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_pyoxigraph_bodies_parse_like_the_python_writers(
    engine: OxigraphEngine, name: str, fmt: str
) -> None:
    reply = new_reply(engine, QUERIES[name], fmt)
    assert reply.format is FORMATS[fmt] and reply.kind == "bindings"
    assert PARSERS[fmt](reply.body) == PARSERS[fmt](old_body(engine, QUERIES[name], fmt))


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
    doc = parse_json(new_reply(engine, QUERIES["all"], "json").body)
    dirs = [b["o"] for b in doc["results"]["bindings"] if "its:dir" in b["o"]]
    assert {"type": "literal", "value": "left", "xml:lang": "en", "its:dir": "ltr"} in dirs
    xml_body = new_reply(engine, QUERIES["all"], "xml").body
    literal = ET.fromstring(xml_body).find(f".//{{*}}literal[@{{{ITS}}}dir='rtl']")
    assert literal is not None and literal.text == "مرحبا"


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv"])
def test_control_characters(fmt: str) -> None:
    engine = OxigraphEngine(make_store(CONTROL))
    sparql = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o"
    reply = new_reply(engine, sparql, fmt)
    assert PARSERS[fmt](reply.body) == PARSERS[fmt](old_body(engine, sparql, fmt))


def test_control_characters_in_xml_break_both_writers_alike() -> None:
    """A known limit shared with the Python writer: XML 1.0 has no way to carry U+0000."""
    engine = OxigraphEngine(make_store(CONTROL[:1]))
    sparql = f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}"
    for body in (new_reply(engine, sparql, "xml").body, old_body(engine, sparql, "xml")):
        with pytest.raises(ET.ParseError):
            ET.fromstring(body)


def test_csv_with_triple_terms_keeps_the_python_form(engine: OxigraphEngine) -> None:
    """pyoxigraph's CSV form of a triple term differs from ours; such bodies keep ours."""
    sparql = QUERIES["triples"]
    tsv = engine.query_tsv(sparql).tsv
    assert tsv is not None and b"<<(" in tsv
    assert new_reply(engine, sparql, "csv").body == old_body(engine, sparql, "csv")
    nested = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(  # type: ignore[union-attr]
        format=ox.QueryResultsFormat.CSV
    )
    assert nested != old_body(engine, sparql, "csv")  # why the fallback exists


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_ask_is_unchanged(engine: OxigraphEngine, fmt: str) -> None:
    for sparql in ("ASK { ?s ?p ?o }", f"ASK {{ ?s <{EX}none> ?o }}"):
        reply = run_job(engine, job(sparql, fmt))
        assert reply.kind == "boolean" and reply.body == old_body(engine, sparql, fmt)


def test_graph_results_are_unchanged(engine: OxigraphEngine) -> None:
    sparql = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"
    reply = run_job(engine, job(sparql, "json"))
    assert reply.kind == "graph" and reply.format is conneg.RDF_FORMATS[0]
    expected = results.serialize(engine.query(sparql), conneg.RDF_FORMATS[0])
    assert reply.body == expected


class RowsOnlyEngine:
    """An engine without ``query_tsv``, like the remote store: run_job must use ``query``."""

    def __init__(self, inner: OxigraphEngine) -> None:
        self.inner = inner
        self.calls = 0

    def query(self, *args: Any, **kwargs: Any) -> QueryResult:
        self.calls += 1
        return self.inner.query(*args, **kwargs)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_engines_without_the_capability_use_rows(engine: OxigraphEngine, fmt: str) -> None:
    rows_only = RowsOnlyEngine(engine)
    reply = run_job(rows_only, job(QUERIES["all"], fmt))  # type: ignore[arg-type]
    assert rows_only.calls == 1
    assert reply.body == old_body(engine, QUERIES["all"], fmt)


def test_errors_map_as_before(engine: OxigraphEngine) -> None:
    assert run_job(engine, job("SELECT * WHERE { ?s ?p }", "json")).status == "syntax"
    unknown = "SELECT * WHERE { BIND(<http://example/function>(1) AS ?x) }"
    assert run_job(engine, job(unknown, "json")).status == "evaluation"


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
def test_cap_is_exact(engine: OxigraphEngine, cap: int, fmt: str, newline: bool) -> None:
    served = run_job(engine, job(rows_query(cap, newline), fmt, cap))
    assert served.status == "ok"
    assert PARSERS[fmt](served.body) == PARSERS[fmt](
        old_body(engine, rows_query(cap, newline), fmt)
    )
    refused = run_job(engine, job(rows_query(cap + 1, newline), fmt, cap))
    assert refused.status == "too_large"
    assert refused.message == ResultLimitExceeded(cap).message


@pytest.mark.parametrize("cap", [0, 1])
def test_cap_counts_rows_without_variables(engine: OxigraphEngine, cap: int) -> None:
    reply = run_job(engine, job("SELECT * WHERE {}", "json", cap))  # one row, no columns
    assert reply.status == ("ok" if cap == 1 else "too_large")


@pytest.mark.parametrize("cap", [0, 3])
def test_empty_result_fits_any_cap(engine: OxigraphEngine, cap: int) -> None:
    assert run_job(engine, job(QUERIES["empty"], "xml", cap)).status == "ok"


def test_cap_across_write_chunks() -> None:
    """Thousands of rows span many of pyoxigraph's 8 KiB writes; the cap stays exact."""
    store = ox.Store()
    for i in range(6000):
        store.add(ox.Quad(iri(f"n{i}"), iri("p"), ox.Literal(f"value {i}\nwith a break")))
    engine = OxigraphEngine(store)
    sparql = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}"
    assert run_job(engine, job(sparql, "tsv", 6000)).body.count(b"\n") == 6001
    assert run_job(engine, job(sparql, "csv", 5999)).status == "too_large"
    with pytest.raises(ResultLimitExceeded):
        engine.query_tsv(sparql, max_results=10)
    assert engine.query_tsv(sparql).tsv.count(b"\n") == 6001  # type: ignore[union-attr]


# -- over HTTP: same Content-Type ----------------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_content_type_over_http(client: FlaskClient, fmt: str) -> None:
    sparql = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    resp = client.get("/sparql", query_string={"query": sparql, "format": fmt})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == FORMATS[fmt].content_type
    engine = OxigraphEngine(load_files([PEOPLE, GRAPHS]))  # what the app serves
    assert PARSERS[fmt](resp.data) == PARSERS[fmt](old_body(engine, sparql, fmt))
