"""Fixtures for the linked-data tests: one app over the built project graph per session.

The graph is the checkout's artifact (``build/treatygraph.nq``, built once per test run).
Helpers here read responses the way an outside client would: parse bodies with rdflib
and pyoxigraph, and ask ``/sparql`` for the expected triples.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

# the scratch checkouts the FAS imports are made in, shared with the integration tests
from integration.conftest import examples, fas_checkout, pristine  # noqa: F401
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from treatygraph.testing import app_factory

TGID = "https://w3id.org/treatygraph/id/"
TG = "https://w3id.org/treatygraph/ontology#"
GRAPH = "https://w3id.org/treatygraph/graph/"
SRJ = "application/sparql-results+json"

#: rdflib parser name and pyoxigraph format per media type
PARSERS = {
    "text/turtle": ("turtle", ox.RdfFormat.TURTLE),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
    "application/ld+json": ("json-ld", ox.RdfFormat.JSON_LD),
    "application/rdf+xml": ("xml", ox.RdfFormat.RDF_XML),
    "application/n-quads": ("nquads", ox.RdfFormat.N_QUADS),
    "application/trig": ("trig", ox.RdfFormat.TRIG),
}


@pytest.fixture(scope="session")
def nquads_path(exported_nquads: Path) -> Path:
    """The project graph as ``treatygraph build`` writes it."""
    return exported_nquads


@pytest.fixture(scope="session")
def ld_app(nquads_path: Path, root: Path) -> Iterator[Flask]:
    with app_factory(DATA_FILES=[str(nquads_path)], PROJECT_ROOT=str(root)) as make:
        yield make(QUERY_TIMEOUT=20)


@pytest.fixture(scope="session")
def client(ld_app: Flask) -> FlaskClient:
    return ld_app.test_client()


# -- helpers used by several test modules ------------------------------------------------------
def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip()


def context_of(client: FlaskClient) -> dict[str, Any]:
    resp = client.get("/context.jsonld")
    assert resp.status_code == 200
    return json.loads(resp.data)["@context"]


def inline_context(body: bytes, client: FlaskClient) -> bytes:
    """Replace a JSON-LD document's ``@context`` URL by the context the app serves there
    (what a JSON-LD processor's document loader would do)."""
    doc = json.loads(body)
    url = doc["@context"]
    assert isinstance(url, str) and url.endswith("/context.jsonld"), url
    doc["@context"] = context_of(client)
    return json.dumps(doc).encode("utf-8")


def parse_rdflib(body: bytes, mtype: str, client: FlaskClient) -> Graph | Dataset:
    name, _ = PARSERS[mtype]
    if mtype == "application/ld+json":
        body = inline_context(body, client)
    if mtype in ("application/n-quads", "application/trig"):
        ds = Dataset()
        ds.parse(data=body, format=name)
        return ds
    return Graph().parse(data=body, format=name)


def parse_oxigraph(body: bytes, mtype: str, client: FlaskClient) -> list[Any]:
    _, fmt = PARSERS[mtype]
    if mtype == "application/ld+json":
        body = inline_context(body, client)
    return list(ox.parse(input=body, format=fmt))


def maybe_gunzip(body: bytes, content_type: str | None) -> bytes:
    return gzip.decompress(body) if media_type(content_type) == "application/gzip" else body


def sparql_select(client: FlaskClient, query: str) -> list[dict[str, Any]]:
    resp = client.post("/sparql", data={"query": query}, headers={"Accept": SRJ})
    assert resp.status_code == 200, resp.data
    return json.loads(resp.data)["results"]["bindings"]


def sparql_graph(client: FlaskClient, query: str) -> Graph:
    resp = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert resp.status_code == 200, resp.data
    return Graph().parse(data=resp.data, format="nt")


def served_graph(client: FlaskClient, graph_iri: str) -> Graph:
    """One named graph as the endpoint serves it."""
    return sparql_graph(
        client, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    )


def count_in_graph(client: FlaskClient, graph_iri: str) -> int:
    rows = sparql_select(
        client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    )
    return int(rows[0]["n"]["value"])


def graph_names(client: FlaskClient) -> list[str]:
    rows = sparql_select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    return [r["g"]["value"] for r in rows]


def isomorphic(a: Graph, b: Graph) -> bool:
    """The same graph up to blank-node labels: both canonicalised (W3C RDFC-1.0) by pyoxigraph,
    which does in milliseconds what rdflib.compare takes seconds for on these graphs."""
    return canonical(a) == canonical(b)


def canonical(graph: Graph) -> set[Any]:
    """An rdflib graph's triples canonicalised (RDFC-1.0): equal sets, isomorphic graphs."""
    from treatygraph.rdf.io import from_rdflib

    seen: dict[Node, Any] = {}  # a graph repeats its terms: convert each once

    def term(node: Node) -> Any:
        found = seen.get(node)
        if found is None:
            found = seen[node] = from_rdflib(node)
        return found

    return canonical_ox(ox.Triple(term(s), term(p), term(o)) for s, p, o in graph)


def canonical_ox(triples: Iterable[Any]) -> set[Any]:
    """pyoxigraph triples (or quads: their graph names are dropped) canonicalised (RDFC-1.0),
    comparable with :func:`canonical` of an rdflib graph."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def subject_triples(graph: Graph, subject: str) -> set[tuple[Node, Node, Node]]:
    return set(graph.triples((URIRef(subject), None, None)))


@pytest.fixture
def make_ld_app(nquads_path: Path, root: Path) -> Iterator[Any]:
    """Extra apps over the built dataset, with other config per call."""
    with app_factory(DATA_FILES=[str(nquads_path)], PROJECT_ROOT=str(root)) as make:
        yield make


@pytest.fixture(scope="session")
def fas_imports(fas_checkout: Path) -> list[Path]:  # noqa: F811 (the imported fixture)
    """The two shipped FAS tables imported (as ``treatygraph import`` does, in a scratch copy
    of the checkout's sources): the import files to serve beside the built graph."""
    from treatygraph.corpus.project import imported_files

    return imported_files(fas_checkout)
