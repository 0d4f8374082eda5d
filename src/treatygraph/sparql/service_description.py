"""SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/).

Returned by ``GET /sparql`` without a ``query`` parameter, in any RDF format of the format
table (:mod:`treatygraph.rdf.formats`; Turtle by default). It states the endpoint, languages,
result formats (W3C format IRIs), features, and the default dataset with triple counts per
graph.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from treatygraph.rdf import formats
from treatygraph.rdf.formats import Format
from treatygraph.sparql.results import serialize_graph
from treatygraph.store.base import QueryEngine

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
PREFIXES = {"sd": SD, "void": VOID, "formats": "http://www.w3.org/ns/formats/"}


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def build(
    engine: QueryEngine,
    *,
    endpoint: str,
    update_endpoint: str | None,
    federation_allowlist: Sequence[str],
) -> list[ox.Triple]:
    """Triples describing this service (counts come from the engine)."""
    service = ox.NamedNode(endpoint + "#service")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
    ]
    if update_endpoint:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    if federation_allowlist:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    for fmt in formats.ALL:
        assert fmt.iri is not None
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(fmt.iri)))

    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(
            default_graph,
            ox.NamedNode(VOID + "triples"),
            ox.Literal(str(engine.union_triple_count()), datatype=XSD_INTEGER),
        ),
    ]
    # the dataset's VoID and DCAT descriptions (treatygraph.linkeddata), beside /sparql
    site = endpoint[: -len("/sparql")] if endpoint.endswith("/sparql") else endpoint
    for path in ("/.well-known/void", "/catalog"):
        triples.append(ox.Triple(dataset, RDFS_SEE_ALSO, ox.NamedNode(site + path)))
    counts = engine.triple_counts()
    for i, name in enumerate(engine.graph_names()):
        named = ox.BlankNode(f"namedGraph{i}")
        graph = ox.BlankNode(f"graph{i}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(name)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(
                graph,
                ox.NamedNode(VOID + "triples"),
                ox.Literal(str(counts.get(name, 0)), datatype=XSD_INTEGER),
            ),
        ]
    return triples


def render(triples: list[ox.Triple], fmt: Format) -> bytes:
    return serialize_graph(triples, fmt, prefixes=PREFIXES)
