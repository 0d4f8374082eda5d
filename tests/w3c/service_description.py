"""SPARQL 1.1 Service Description suite (service-description/manifest.ttl).

The manifest names three tests and nothing else; what each checks is the conformance criteria
of the Service Description spec (§3, "Conformance"), as the suite's own validator applied them:

- returns-rdf: a GET on the endpoint URL, without a query, returns RDF;
- has-endpoint-triple: that RDF holds ``?service sd:endpoint <endpoint URL>``;
- conforms-to-schema: the vocabulary is used as specified; checkable part: every sd:NamedGraph
  has an sd:name.

The validator's optional best-practice checks (typed-service, typed-dataset, ...) run too, as
separate tests, because they catch real mistakes in a hand-written description.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

from .endpoint import Endpoint
from .results import ResultParseError, graph_format_of, parse_graph

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SD_TESTS = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/service-description/manifest#"
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8"

REQUIRED = ("returns-rdf", "has-endpoint-triple", "conforms-to-schema")
BEST_PRACTICE = (
    "typed-service",
    "typed-dataset",
    "typed-named-graph",
    "typed-graph",
    "recognized-language",
    "dataset-with-graph",
)


@dataclass
class Description:
    status: int
    content_type: str
    graph: Graph | None
    error: str | None


def fetch(endpoint: Endpoint) -> Description:
    resp = endpoint.transport.request("GET", endpoint.query_path, {"Accept": ACCEPT}, None)
    if resp.status != 200:
        return Description(resp.status, resp.content_type, None, f"HTTP {resp.status}")
    fmt = graph_format_of(resp.content_type)
    if fmt is None:
        return Description(
            resp.status,
            resp.content_type,
            None,
            f"content-type {resp.content_type!r} is not an RDF syntax",
        )
    try:
        # relative IRIs (e.g. sd:endpoint <>) resolve against the URL that was fetched
        graph = parse_graph(resp.body, fmt, base=endpoint.query_url)
    except ResultParseError as e:
        return Description(resp.status, resp.content_type, None, str(e))
    return Description(resp.status, resp.content_type, graph, None)


def _untyped(g: Graph, cls: URIRef, domains: tuple = (), ranges: tuple = ()) -> list[Node]:
    candidates: set[Node] = set()
    for p in domains:
        candidates.update(g.subjects(p, None))
    for p in ranges:
        candidates.update(g.objects(None, p))
    return sorted((c for c in candidates if (c, RDF.type, cls) not in g), key=str)


def check(name: str, desc: Description, endpoint_url: str) -> str | None:
    """None when the check passes, else why not."""
    if name == "returns-rdf":
        return desc.error
    if desc.graph is None:
        return f"no RDF to check ({desc.error})"
    g = desc.graph
    if name == "has-endpoint-triple":
        if (None, SD.endpoint, URIRef(endpoint_url)) in g:
            return None
        found = sorted(str(o) for o in g.objects(None, SD.endpoint))
        return f"no ?s sd:endpoint <{endpoint_url}> (found {found})"
    if name == "conforms-to-schema":
        bad = [n for n in g.subjects(RDF.type, SD.NamedGraph) if g.value(n, SD.name) is None]
        return f"sd:NamedGraph without sd:name: {bad}" if bad else None
    if name == "typed-service":
        props = (
            SD.endpoint,
            SD.feature,
            SD.defaultEntailmentRegime,
            SD.defaultSupportedEntailmentProfile,
            SD.extensionFunction,
            SD.extensionAggregate,
            SD.languageExtension,
            SD.supportedLanguage,
            SD.propertyFeature,
            SD.defaultDataset,
            SD.availableGraphs,
            SD.resultFormat,
            SD.inputFormat,
        )
        bad = _untyped(g, SD.Service, domains=props)
    elif name == "typed-dataset":
        bad = _untyped(g, SD.Dataset, domains=(SD.defaultGraph,), ranges=(SD.defaultDataset,))
    elif name == "typed-named-graph":
        bad = _untyped(
            g,
            SD.NamedGraph,
            domains=(SD.entailmentRegime, SD.supportedEntailmentProfile, SD.name, SD.graph),
            ranges=(SD.namedGraph,),
        )
    elif name == "typed-graph":
        bad = _untyped(g, SD.Graph, ranges=(SD.defaultGraph, SD.graph))
    elif name == "recognized-language":
        known = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
        langs = set(g.objects(None, SD.supportedLanguage))
        return None if langs & known else f"no recognised sd:supportedLanguage in {langs}"
    elif name == "dataset-with-graph":
        datasets = set(g.subjects(SD.defaultGraph, None)) | set(g.objects(None, SD.defaultDataset))
        bad = sorted(
            (
                d
                for d in datasets
                if g.value(d, SD.defaultGraph) is None and g.value(d, SD.namedGraph) is None
            ),
            key=str,
        )
    else:
        raise ValueError(name)
    return f"{name}: {[str(b) for b in bad]}" if bad else None
