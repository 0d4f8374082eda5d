"""Write a :class:`~treatygraph.store.base.QueryResult` in the negotiated format, with pyoxigraph.

Every answer body, embedded or remote, SELECT, ASK or graph, comes from pyoxigraph's writers:
solutions arrive as TSV (the engine's exact, capped form) and are re-written in the format asked
for; an ASK answer is handed to pyoxigraph as the one-line JSON document it stands for; graphs
go through ``pyoxigraph.serialize``. There is no writer of our own to drift from the specs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from treatygraph.rdf import formats
from treatygraph.rdf.formats import Format
from treatygraph.store.base import QueryResult


def serialize_graph(
    triples: Sequence[ox.Triple], fmt: Format, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """Triples in an RDF format; dataset formats put them in the default graph."""
    items: Sequence[ox.Triple] | list[ox.Quad] = triples
    if fmt.holds_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    if prefixes and fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(items, format=fmt.rdf, prefixes=dict(prefixes)) or b""
    return ox.serialize(items, format=fmt.rdf) or b""


def serialize(result: QueryResult, fmt: Format) -> bytes:
    """Write ``result`` as ``fmt``; the caller picked ``fmt`` for the result's kind."""
    if result.kind == "graph":
        return serialize_graph(result.triples, fmt)
    if result.kind == "boolean":
        doc = b'{"head":{},"boolean":true}' if result.boolean else b'{"head":{},"boolean":false}'
        answer = ox.parse_query_results(doc, ox.QueryResultsFormat.JSON)
    elif fmt.results == ox.QueryResultsFormat.TSV:
        return result.tsv
    else:
        answer = ox.parse_query_results(result.tsv, ox.QueryResultsFormat.TSV)
    return answer.serialize(format=fmt.results) or b""


def warm_up() -> None:
    """Write a small result in every format, so that whatever the writers load lazily is
    loaded before the query process gives up opening files."""
    node = ox.NamedNode("https://example.org/x")
    samples = [
        QueryResult("bindings", tsv=b'?x\n<https://example.org/x>\n"x"@en\n'),
        QueryResult("boolean", boolean=True),
        QueryResult("graph", triples=[ox.Triple(node, node, ox.Literal("1"))]),
    ]
    for sample in samples:
        for fmt in formats.RDF if sample.kind == "graph" else formats.RESULTS:
            serialize(sample, fmt)
