"""Run SPARQL 1.1 query-evaluation and syntax tests against an endpoint over the protocol.

One server holds every data file of the suite, each in a named graph named by the file's
official IRI (the IRI the queries' FROM / FROM NAMED / GRAPH use). A test's dataset is then set
through the protocol (SPARQL 1.1 Protocol §2.1.4): ``default-graph-uri`` = its qt:data files and
``named-graph-uri`` = its qt:graphData files. A query with its own FROM / FROM NAMED is sent
without those parameters, so the query's dataset applies. The store's real default graph stays
empty, which is what data-less tests expect.

The query is sent with ``BASE <query file IRI>`` prepended, because the suite resolves a query's
relative IRIs against the query file, while a server resolves them against its own URL.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .endpoint import Endpoint
from .manifest import QueryTest, iri_for, path_for
from .results import (
    EXT_TO_RESULT,
    GRAPH_EXTS,
    RESULT_MEDIA,
    Boolean,
    ResultParseError,
    Solutions,
    compare_graphs,
    compare_solutions,
    describe_rows,
    diff_rows,
    graph_format_of,
    has_dataset_clause,
    has_top_level_order_by,
    is_rdf_result_set,
    parse_graph,
    parse_rdf_result_set,
    parse_results,
    results_format_of,
)

# A named graph that no test uses. A test whose default graph is empty and that names no
# graphs is sent with only ``named-graph-uri=<this>``: by SPARQL 1.1 Protocol §2.1.4 / Query
# §13.2 its default graph is then empty, whatever the server's own default graph is (ours
# answers dataset-less queries over the union of all graphs, which here is every test's data).
# Our endpoint refuses a dataset naming a graph it lacks, so the graph holds one triple.
SENTINEL_GRAPH = "urn:x-w3c-harness:unused-graph"
SENTINEL_QUAD = ox.Quad(
    ox.NamedNode("urn:x-w3c-harness:s"),
    ox.NamedNode("urn:x-w3c-harness:p"),
    ox.NamedNode("urn:x-w3c-harness:o"),
    ox.NamedNode(SENTINEL_GRAPH),
)

RDF_EXT = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"


def build_dataset(tests: list[QueryTest], out: Path) -> tuple[Path, frozenset[str]]:
    """Write all data files of ``tests`` as named graphs; return the file and the empty graphs."""
    files = sorted({f for t in tests for f in (*t.data, *t.graph_data)})
    quads: list[ox.Quad] = [SENTINEL_QUAD]
    empty: set[str] = set()
    for iri in files:
        path = path_for(iri)
        graph = ox.NamedNode(iri)
        count = 0
        for triple in ox.parse(path=path, format=RDF_EXT[path.suffix[1:]], base_iri=iri):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
            count += 1
        if count == 0:
            empty.add(iri)
    out.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    return out, frozenset(empty)


def query_text(test: QueryTest, with_base: bool = True) -> str:
    text = test.query_path.read_text(encoding="utf-8")
    return f"BASE <{test.query}>\n{text}" if with_base else text


def dataset_params(test: QueryTest, query: str, empty: frozenset[str]) -> tuple[tuple, tuple]:
    if has_dataset_clause(query):
        return (), ()
    # an empty data file cannot be a graph in the store; leaving it out of default-graph-uri
    # keeps the default graph empty, which is what it contributes
    default = tuple(d for d in test.data if d not in empty)
    named = test.graph_data
    if not default and not named:
        named = (SENTINEL_GRAPH,)
    return default, named


def expected_kind(test: QueryTest) -> str:
    """Result format to ask for: that of the expected file (rs:ResultSet graphs: XML)."""
    assert test.result is not None
    ext = test.result.rsplit(".", 1)[-1]
    if ext in EXT_TO_RESULT:
        return EXT_TO_RESULT[ext]
    if ext in GRAPH_EXTS:
        path = path_for(test.result)
        if is_rdf_result_set(path.read_bytes(), GRAPH_EXTS[ext], test.result):
            return "xml"
        return "graph"
    raise ValueError(f"unsupported result file {test.result}")


def run_eval(
    endpoint: Endpoint, test: QueryTest, empty: frozenset[str] = frozenset()
) -> str | None:
    """None when the endpoint's answer matches mf:result, else why not."""
    query = query_text(test)
    kind = expected_kind(test)
    accept = GRAPH_ACCEPT if kind == "graph" else RESULT_MEDIA[kind]
    default, named = dataset_params(test, query, empty)
    resp = endpoint.query(query, default_graphs=default, named_graphs=named, accept=accept)
    if resp.status != 200:
        return f"HTTP {resp.status}: {resp.body[:400].decode('utf-8', 'replace')}"
    result_path = path_for(test.result) if test.result else None
    assert result_path is not None
    try:
        if kind == "graph":
            gfmt = graph_format_of(resp.content_type)
            if gfmt is None:
                return f"graph result with unexpected content-type {resp.content_type!r}"
            actual_graph = parse_graph(resp.body, gfmt)
            expected_graph = parse_graph(
                result_path.read_bytes(), GRAPH_EXTS[result_path.suffix[1:]], base=test.result
            )
            return compare_graphs(expected_graph, actual_graph)
        rfmt = results_format_of(resp.content_type)
        if rfmt != kind:
            return f"asked for {RESULT_MEDIA[kind]}, got content-type {resp.content_type!r}"
        actual = parse_results(resp.body, rfmt)
        ext = result_path.suffix[1:]
        if ext in GRAPH_EXTS:
            expected = parse_rdf_result_set(result_path.read_bytes(), GRAPH_EXTS[ext], test.result)
        else:
            expected = parse_results(result_path.read_bytes(), kind)
    except ResultParseError as e:
        return str(e)
    if isinstance(expected, Boolean) or isinstance(actual, Boolean):
        if isinstance(expected, Boolean) and isinstance(actual, Boolean):
            if expected.value == actual.value:
                return None
            return f"boolean {actual.value}, expected {expected.value}"
        return "one of expected/actual is a boolean, the other is not"
    assert isinstance(expected, Solutions) and isinstance(actual, Solutions)
    problem = compare_solutions(expected, actual, ordered=has_top_level_order_by(query))
    if problem:
        return (
            f"{problem}\n{diff_rows(expected, actual)}\n--- expected\n"
            f"{describe_rows(expected)}\n--- actual\n{describe_rows(actual)}"
        )
    return None


def run_syntax(endpoint: Endpoint, test: QueryTest) -> str | None:
    """Positive syntax: the query is answered (2xx). Negative syntax: refused with 400."""
    query = test.query_path.read_text(encoding="utf-8", errors="surrogateescape")
    resp = endpoint.query(query, accept="application/sparql-results+json, application/n-triples")
    if test.kind == "positive-syntax":
        if 200 <= resp.status < 300:
            return None
        return f"HTTP {resp.status}: {resp.body[:300].decode('utf-8', 'replace')}"
    if resp.status == 400:
        return None
    return f"HTTP {resp.status}, expected 400"


__all__ = ["build_dataset", "iri_for", "run_eval", "run_syntax"]
