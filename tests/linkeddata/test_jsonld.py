"""The published JSON-LD context: plain-word keys, and compaction that loses nothing.

pyld (an independent JSON-LD processor) expands each compacted document, fetching the
``@context`` URL from the app, and must give back exactly the triples of the N-Triples
version of the same resource."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from .conftest import context_of, inline_context, isomorphic

try:
    from pyld import jsonld
except ImportError:  # pragma: no cover - pyld is in the test extras
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("pyld is a test dependency (pip install pyld)", allow_module_level=True)


def _loader(client: FlaskClient) -> Any:
    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        assert url.startswith("http://localhost/"), url
        resp = client.get(url[len("http://localhost") :])
        assert resp.status_code == 200, url
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads(resp.data),
        }

    return load


def _expanded_graph(doc: dict[str, Any], client: FlaskClient) -> Graph:
    nquads = jsonld.to_rdf(
        doc, {"format": "application/n-quads", "documentLoader": _loader(client)}
    )
    return Graph().parse(data=nquads, format="nt")


PATHS = [
    "/id/donald-trump",
    "/id/position-donald-trump-inf-withdrawal",
    "/id/quote-trump-air-force-one",
    "/id/anchor-vox-inf-article-1852-1962",
    "/id/inf-treaty",
    "/id/wikidata-verified-list",
    "/ontology",
]


@pytest.mark.parametrize("path", PATHS)
def test_compacted_documents_expand_to_the_same_triples(client: FlaskClient, path: str) -> None:
    doc = json.loads(client.get(path, headers={"Accept": "application/ld+json"}).data)
    assert doc["@context"] == "http://localhost/context.jsonld"
    expected = Graph().parse(
        data=client.get(path, headers={"Accept": "application/n-triples"}).data, format="nt"
    )
    got = _expanded_graph(doc, client)
    assert len(got) == len(expected)
    assert isomorphic(got, expected)


@pytest.mark.parametrize("dump", ["vox-inf-article.jsonld", "alignments.jsonld", "ontology.jsonld"])
def test_jsonld_dumps_expand_to_the_same_triples(client: FlaskClient, dump: str) -> None:
    doc = json.loads(client.get(f"/dumps/{dump}").data)
    expected = Graph().parse(data=client.get(f"/dumps/{dump[:-7]}.nt").data, format="nt")
    got = _expanded_graph(doc, client)
    assert len(got) == len(expected) and isomorphic(got, expected)


def test_compact_with_the_context_then_expand_round_trips(client: FlaskClient) -> None:
    """Compaction by pyld with the served context, then expansion, keeps every triple."""
    nt = client.get("/id/quote-trump-air-force-one.nt").data.decode()
    expanded = jsonld.from_rdf(nt, {"format": "application/n-quads"})
    compacted = jsonld.compact(
        expanded, "http://localhost/context.jsonld", {"documentLoader": _loader(client)}
    )
    assert "quotedText" in json.dumps(compacted)
    got = _expanded_graph(compacted, client)
    assert isomorphic(got, Graph().parse(data=nt, format="nt"))


def test_keys_read_as_plain_words(client: FlaskClient) -> None:
    doc = json.loads(client.get("/id/position-donald-trump-inf-withdrawal.jsonld").data)
    node = next(n for n in doc["@graph"] if n["id"] == "tgid:position-donald-trump-inf-withdrawal")
    assert node["type"] == "Position"
    assert node["label"] == "Donald Trump supports US withdrawal from the INF Treaty"
    assert node["holder"] == "tgid:donald-trump"
    assert node["stance"] == "Supports"
    assert node["option"] == "tgid:option-us-withdraws-from-inf-treaty"
    quote = json.loads(client.get("/id/quote-trump-air-force-one.jsonld").data)
    qnode = next(n for n in quote["@graph"] if n["id"] == "tgid:quote-trump-air-force-one")
    assert qnode["quotedText"].startswith("[W]e’re not going to let them violate")
    assert qnode["speaker"] == "tgid:donald-trump"


def test_context_document(client: FlaskClient) -> None:
    resp = client.get("/context.jsonld")
    assert resp.status_code == 200
    assert resp.content_type.startswith("application/ld+json")
    context = context_of(client)
    for key in (
        "label",
        "type",
        "id",
        "holder",
        "stance",
        "quotedText",
        "speaker",
        "anchor",
        "exact",
        "prefix",
        "suffix",
        "exactMatch",
    ):
        assert key in context, key
    assert context["@vocab"] == "https://w3id.org/treatygraph/ontology#"
    assert context["stance"] == {"@id": "tg:stance", "@type": "@vocab"}
    assert context["holder"] == {"@id": "tg:holder", "@type": "@id"}
    assert (
        client.get("/context.jsonld", headers={"If-None-Match": resp.headers["ETag"]}).status_code
        == 304
    )


def test_rdflib_reads_the_documents_with_the_context(client: FlaskClient) -> None:
    body = client.get("/id/russia.jsonld").data
    graph = Graph().parse(data=inline_context(body, client), format="json-ld")
    expected = Graph().parse(data=client.get("/id/russia.nt").data, format="nt")
    assert isomorphic(graph, expected)
