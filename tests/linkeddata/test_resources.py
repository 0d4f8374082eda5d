"""Dereferencing: every kind of resource, and the ontology, in every format, by Accept and
by suffix. The triples a description must hold are asked of ``/sparql`` independently."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from .conftest import (
    GRAPH,
    TG,
    TGID,
    isomorphic,
    media_type,
    parse_oxigraph,
    parse_rdflib,
    sparql_graph,
)

#: One resource per kind, checked by hand in graph/vox-inf-article/*.ttl, with its rdfs:label.
RESOURCES = {
    "person": ("donald-trump", "Donald Trump"),
    "state": ("russia", "Russia"),
    "treaty": ("inf-treaty", "Intermediate-Range Nuclear Forces Treaty"),
    "organisation": ("atlantic-council", "Atlantic Council"),
    "event": (
        "event-trump-announces-inf-withdrawal",
        "Trump tells reporters aboard Air Force One the US will leave the INF Treaty (2018-10-20)",
    ),
    "position": (
        "position-donald-trump-inf-withdrawal",
        "Donald Trump supports US withdrawal from the INF Treaty",
    ),
    "claim": (
        "claim-trump-russia-violates-inf",
        "Trump: Russia violates a nuclear agreement while the US is not allowed to build "
        "the weapons",
    ),
    "quotation": (
        "quote-trump-air-force-one",
        "Trump aboard Air Force One: we’re not going to let them violate a nuclear agreement",
    ),
    "post tenure": (
        "tenure-donald-trump-president",
        "Donald Trump as President of the United States (attested 2018-10-22)",
    ),
    "anchor": ("anchor-vox-inf-article-1852-1962", None),
    # labels as written in graph/vox-inf-article/*.ttl and graph/background/facts.ttl
    "affiliation": (
        "affiliation-heather-williams-kings-college-london",
        "Heather Williams at King’s College London",
    ),
    "policy option": (
        "option-us-withdraws-from-inf-treaty",
        "The US withdraws from the INF Treaty",
    ),
    "group": ("other-experts", "Experts favouring leaving the INF Treaty"),
    "city": ("moscow", "Moscow"),
    "post": ("us-national-security-advisor", "United States National Security Advisor"),
    "scope rule": (
        "inf-treaty-prohibition-ground-launched-cruise-missiles",
        "INF Treaty prohibits fielding ground-launched cruise missiles with a range of "
        "310–3,400 miles",
    ),
    "status record": (
        "status-inf-treaty-in-force-2018-10-22",
        "INF Treaty still in force (2018-10-22): no formal US notice yet",
    ),
    "weapon category": ("ground-launched-cruise-missile", "Ground-launched cruise missile"),
    "weapon system": ("9m729", "9M729"),
}

RDF_TYPES = {
    "turtle": ("text/turtle", "ttl"),
    "jsonld": ("application/ld+json", "jsonld"),
    "ntriples": ("application/n-triples", "nt"),
    "rdfxml": ("application/rdf+xml", "rdf"),
}


def _own_triples(client: FlaskClient, iri: str) -> Graph:
    return sparql_graph(client, f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}")


def _incoming(client: FlaskClient, iri: str) -> Graph:
    return sparql_graph(client, f"CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{ ?s ?p <{iri}> }}")


def _get(client: FlaskClient, slug: str, fmt: str, how: str) -> tuple[int, str, bytes]:
    if how == "suffix":
        resp = client.get(f"/id/{slug}.{RDF_TYPES[fmt][1]}")
    else:
        resp = client.get(f"/id/{slug}", headers={"Accept": RDF_TYPES[fmt][0]})
    return resp.status_code, resp.headers.get("Content-Type", ""), resp.data


@pytest.mark.parametrize("how", ["accept", "suffix"])
@pytest.mark.parametrize("fmt", list(RDF_TYPES))
@pytest.mark.parametrize("kind", list(RESOURCES))
def test_resource_rdf(client: FlaskClient, kind: str, fmt: str, how: str) -> None:
    slug, label = RESOURCES[kind]
    iri = TGID + slug
    status, content_type, body = _get(client, slug, fmt, how)
    assert status == 200
    mtype = RDF_TYPES[fmt][0]
    assert media_type(content_type) == mtype
    graph = parse_rdflib(body, mtype, client)
    assert isinstance(graph, Graph)
    own = _own_triples(client, iri)
    assert len(own) > 0
    mine = Graph()
    for triple in graph.triples((URIRef(iri), None, None)):
        mine.add(triple)
    assert isomorphic(mine, own)  # exactly the subject's triples (incl. its blank nodes)
    assert set(_incoming(client, iri)) <= set(graph)
    if label is not None:
        assert (
            URIRef(iri),
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal(label),
        ) in graph
    quads = parse_oxigraph(body, mtype, client)
    assert len({(str(q.subject), str(q.predicate), str(q.object)) for q in quads}) == len(graph)


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_resource_html(client: FlaskClient, kind: str) -> None:
    slug, label = RESOURCES[kind]
    resp = client.get(f"/id/{slug}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert resp.status_code == 200
    assert media_type(resp.content_type) == "text/html"
    assert resp.headers["Vary"] == "Accept"
    assert resp.headers["Content-Location"] == f"/id/{slug}.html"
    html = resp.data.decode()
    assert f"<code>{TGID}{slug}</code>" in html
    if label is not None:
        assert f"<h1>{label.replace('’', '’')}</h1>" in html
    for suffix in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="/id/{slug}.{suffix}"' in html
    assert client.get(f"/id/{slug}.html").data == resp.data


def test_browsers_and_curl_get_html(client: FlaskClient) -> None:
    firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"
    for accept in (firefox, "*/*", None):
        resp = client.get("/id/russia", headers={"Accept": accept} if accept else {})
        assert media_type(resp.content_type) == "text/html", accept


def test_accept_quality_and_format_parameter(client: FlaskClient) -> None:
    resp = client.get("/id/russia", headers={"Accept": "text/html;q=0.5, text/turtle"})
    assert media_type(resp.content_type) == "text/turtle"
    assert resp.headers["Content-Location"] == "/id/russia.ttl"
    resp = client.get("/id/russia?format=nt")
    assert media_type(resp.content_type) == "application/n-triples"
    resp = client.get("/id/russia", headers={"Accept": "application/json"})
    assert media_type(resp.content_type) == "application/ld+json"


@pytest.mark.parametrize("how", ["accept", "suffix"])
@pytest.mark.parametrize("fmt", list(RDF_TYPES))
def test_ontology_rdf(client: FlaskClient, fmt: str, how: str) -> None:
    mtype, suffix = RDF_TYPES[fmt]
    resp = (
        client.get(f"/ontology.{suffix}")
        if how == "suffix"
        else client.get("/ontology", headers={"Accept": mtype})
    )
    assert resp.status_code == 200
    assert media_type(resp.content_type) == mtype
    graph = parse_rdflib(resp.data, mtype, client)
    expected = sparql_graph(
        client, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}ontology> {{ ?s ?p ?o }} }}"
    )
    assert len(graph) == len(expected)
    assert isomorphic(graph, expected)
    assert len(parse_oxigraph(resp.data, mtype, client)) == len(expected)
    onto = URIRef("https://w3id.org/treatygraph/ontology")
    assert (
        onto,
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        URIRef("http://www.w3.org/2002/07/owl#Ontology"),
    ) in graph


def test_ontology_html_documents_every_term(client: FlaskClient) -> None:
    resp = client.get("/ontology", headers={"Accept": "text/html"})
    assert resp.status_code == 200 and media_type(resp.content_type) == "text/html"
    html = resp.data.decode()
    # hash IRIs (/ontology#Term) resolve to this document: every term has its anchor
    for term in ("Person", "Position", "Quotation", "holder", "stance", "quotedText"):
        assert f'id="{term}"' in html, term
    assert client.get("/ontology.html").data == resp.data


def test_term_links_on_resource_pages_point_into_the_ontology(client: FlaskClient) -> None:
    html = client.get("/id/donald-trump.html").data.decode()
    assert 'href="/ontology#Person"' in html
    assert 'href="/ontology#holdsPost"' in html


# -- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(RDF_TYPES))
def test_unknown_resource_is_404_in_the_negotiated_format(client: FlaskClient, fmt: str) -> None:
    mtype, suffix = RDF_TYPES[fmt]
    for resp in (
        client.get("/id/no-such-thing", headers={"Accept": mtype}),
        client.get(f"/id/no-such-thing.{suffix}"),
    ):
        assert resp.status_code == 404
        assert media_type(resp.content_type) == mtype
        assert len(parse_rdflib(resp.data, mtype, client)) == 0  # an empty graph


def test_unknown_resource_html_404(client: FlaskClient) -> None:
    resp = client.get("/id/no-such-thing", headers={"Accept": "text/html"})
    assert resp.status_code == 404
    assert media_type(resp.content_type) == "text/html"
    assert f"{TGID}no-such-thing" in resp.data.decode()
    turtle = client.get("/id/no-such-thing.ttl").data.decode()
    assert turtle.startswith(f"# 404: <{TGID}no-such-thing>")


def test_malformed_slug_is_404(client: FlaskClient) -> None:
    for path in ("/id/Donald_Trump", "/id/donald--trump", "/id/-x"):
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize("path", ["/id/donald-trump", "/ontology", "/browse", "/timeline"])
def test_unsupported_type_is_406(client: FlaskClient, path: str) -> None:
    resp = client.get(path, headers={"Accept": "image/png"})
    assert resp.status_code == 406
    assert "text/html" in resp.data.decode()  # the message names what is offered


def test_unknown_suffix_is_404(client: FlaskClient) -> None:
    assert client.get("/id/donald-trump.png").status_code == 404
    assert client.get("/ontology.csv").status_code == 404


def test_resource_conditional_get(client: FlaskClient) -> None:
    first = client.get("/id/russia.ttl")
    again = client.get("/id/russia.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# -- what the description holds --------------------------------------------------------------
def test_description_holds_facts_pointing_at_the_resource_with_provenance(
    client: FlaskClient,
) -> None:
    """Trump's description has his quotation node with its anchor, selectors and source."""
    graph = parse_rdflib(client.get("/id/donald-trump.ttl").data, "text/turtle", client)
    quote = URIRef(TGID + "quote-trump-air-force-one")
    anchor = URIRef(TGID + "anchor-vox-inf-article-1852-1962")
    assert (quote, URIRef(TG + "speaker"), URIRef(TGID + "donald-trump")) in graph
    assert (quote, URIRef(TG + "anchor"), anchor) in graph
    assert (
        anchor,
        URIRef("http://www.w3.org/ns/oa#hasSource"),
        URIRef(TGID + "vox-inf-article"),
    ) in graph
    exact = URIRef("http://www.w3.org/ns/oa#exact")
    quotes = {
        str(o)
        for o in graph.objects(URIRef(TGID + "anchor-vox-inf-article-1852-1962-quote"), exact)
    }
    assert quotes == {
        "[W]e’re not going to let them violate a nuclear agreement and go out "
        "and do weapons, and we’re not allowed to,"
    }
    # every fact node in it has all of its own triples
    for fact in (
        quote,
        URIRef(TGID + "tenure-donald-trump-president"),
        URIRef(TGID + "position-donald-trump-inf-withdrawal"),
    ):
        expected = _own_triples(client, str(fact))
        assert set(expected) <= set(graph), fact


def test_fact_nodes_dereference_too(client: FlaskClient) -> None:
    graph = parse_rdflib(
        client.get("/id/tenure-donald-trump-president.nt").data, "application/n-triples", client
    )
    tenure = URIRef(TGID + "tenure-donald-trump-president")
    assert (tenure, URIRef(TG + "holder"), URIRef(TGID + "donald-trump")) in graph
    assert (tenure, URIRef(TG + "post"), URIRef(TGID + "president-of-the-united-states")) in graph
