"""Write triples and quads in every RDF format we publish, deterministically.

Shared by the resource pages, the dumps and ``treatygraph export``. Turtle, N-Triples,
RDF/XML, TriG and N-Quads come from pyoxigraph's writers over *sorted* input, so the
same data gives the same bytes. JSON-LD is compacted with the published context
(:mod:`treatygraph.linkeddata.context`) by rdflib and then normalised (nodes sorted by
``id``, unordered value arrays sorted), and the body names the context by URL instead
of inlining it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from treatygraph.rdf.formats import Format
from treatygraph.rdf.io import to_rdflib
from treatygraph.rdf.iris import PREFIXES

#: Prefixes written in Turtle, TriG and RDF/XML output (the project's, plus the
#: vocabularies of the dataset descriptions).
WRITE_PREFIXES: dict[str, str] = {name: str(ns) for name, ns in PREFIXES.items()} | {
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "spdx": "http://spdx.org/rdf/terms#",
}


# -- terms --------------------------------------------------------------------------------
def to_graph(triples: Iterable[Any]) -> Graph:
    """An rdflib graph holding pyoxigraph triples."""
    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def sort_key(item: Any) -> tuple[str, ...]:
    """Stable order of triples/quads: graph, subject, predicate, object (N-Triples text)."""
    graph = getattr(item, "graph_name", None)
    return (
        "" if graph is None or isinstance(graph, ox.DefaultGraph) else str(graph),
        str(item.subject),
        str(item.predicate),
        str(item.object),
    )


def unique_sorted(items: Iterable[Any]) -> list[Any]:
    return sorted(set(items), key=sort_key)


# -- writers ------------------------------------------------------------------------------
def serialize_triples(
    triples: Iterable[Any],
    fmt: Format,
    *,
    context: dict[str, Any] | None = None,
    context_url: str | None = None,
) -> bytes:
    """One graph in ``fmt`` (turtle, ntriples, rdfxml, jsonld; trig/nquads: default graph)."""
    items = unique_sorted(triples)
    if fmt.name == "jsonld":
        return jsonld_bytes(items, context or {}, context_url)
    writer = fmt.rdf
    if writer.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    return _write(items, writer)


def serialize_quads(quads: Iterable[Any], fmt: Format) -> bytes:
    """A whole dataset as TriG or N-Quads."""
    writer = fmt.rdf
    if not writer.supports_datasets:
        raise ValueError(f"{fmt.media_type} cannot hold named graphs; use TriG or N-Quads")
    return _write(unique_sorted(quads), writer)


def _write(items: Sequence[Any], writer: ox.RdfFormat) -> bytes:
    kwargs: dict[str, Any] = {}
    if writer in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = WRITE_PREFIXES
    body = ox.serialize(items, format=writer, **kwargs) or b""
    if body and not body.endswith(b"\n"):
        body += b"\n"
    return body


# -- JSON-LD ------------------------------------------------------------------------------
def jsonld_document(
    triples: Sequence[Any], context: dict[str, Any], context_url: str | None
) -> dict[str, Any]:
    """Compact ``triples`` with ``context``; ``@context`` names ``context_url`` when given."""
    if not triples:
        doc: dict[str, Any] = {"@graph": []}
    else:
        text = to_graph(triples).serialize(format="json-ld", context=context, auto_compact=True)
        doc = json.loads(text)
        doc.pop("@context", None)
        if "@graph" not in doc:  # a single node: keep one shape for every document
            doc = {"@graph": [doc]}
        doc["@graph"] = sorted((_normalise(n) for n in doc["@graph"]), key=_node_key)
    return {"@context": context_url if context_url else context, **doc}


def jsonld_bytes(triples: Sequence[Any], context: dict[str, Any], context_url: str | None) -> bytes:
    doc = jsonld_document(triples, context, context_url)
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def _node_key(node: Any) -> str:
    if isinstance(node, dict):
        return str(node.get("id", node.get("@id", "")))
    return json.dumps(node, sort_keys=True)


def _normalise(value: Any, in_list: bool = False) -> Any:
    """Sort set-valued arrays (JSON-LD arrays are unordered unless they are @list)."""
    if isinstance(value, dict):
        ordered = {}
        for key in sorted(value, key=lambda k: (k not in ("id", "@id", "type", "@type"), k)):
            ordered[key] = _normalise(value[key], in_list=key in ("@list",))
        return ordered
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        if in_list:
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value
