"""VoID and DCAT: they parse, their numbers match the endpoint, and every dump they
announce answers 200 with the media type they declare."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

from .conftest import (
    GRAPH,
    PARSERS,
    count_in_graph,
    maybe_gunzip,
    media_type,
    parse_oxigraph,
    parse_rdflib,
    sparql_select,
)

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IANA = "https://www.iana.org/assignments/media-types/"
DATASET = URIRef("https://w3id.org/treatygraph/dataset")
CATALOG = URIRef("https://w3id.org/treatygraph/catalog")
BASE = "http://localhost"


def _path(url: object) -> str:
    text = str(url)
    assert text.startswith(BASE + "/"), text
    return text[len(BASE) :]


@pytest.fixture(scope="module")
def void(client: FlaskClient) -> Graph:
    resp = client.get("/.well-known/void")
    assert resp.status_code == 200
    assert media_type(resp.content_type) == "text/turtle"  # the default
    return Graph().parse(data=resp.data, format="turtle")


@pytest.fixture(scope="module")
def dcat(client: FlaskClient) -> Graph:
    resp = client.get("/catalog")
    assert resp.status_code == 200
    assert media_type(resp.content_type) == "text/turtle"
    return Graph().parse(data=resp.data, format="turtle")


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog", "/dataset"])
@pytest.mark.parametrize(
    "mtype", ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
)
def test_descriptions_in_every_rdf_format(client: FlaskClient, path: str, mtype: str) -> None:
    resp = client.get(path, headers={"Accept": mtype})
    assert resp.status_code == 200 and media_type(resp.content_type) == mtype
    assert len(parse_rdflib(resp.data, mtype, client)) > 20


def test_void_dataset_and_subsets_match_the_endpoint(client: FlaskClient, void: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "/sparql")
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/treatygraph/id/")
    vocabularies = set(void.objects(DATASET, VOID.vocabulary))
    assert URIRef("https://w3id.org/treatygraph/ontology#") in vocabularies
    assert URIRef("http://www.w3.org/ns/oa#") in vocabularies
    subsets = {
        void.value(s, RDFS_SEE_ALSO): s
        for s in void.objects(DATASET, VOID.subset)
        if (s, RDF.type, VOID.Linkset) not in void
    }
    assert set(map(str, subsets)) == {
        GRAPH + n
        for n in (
            "vox-inf-article",
            "cfe-suspension-statement",
            "background",
            "ontology",
            "alignments",
        )
    }
    total = 0
    for graph, subset in subsets.items():
        n = count_in_graph(client, str(graph))
        assert int(void.value(subset, VOID.triples)) == n
        total += n
        for prop in (VOID.entities, VOID.classes, VOID.properties):
            assert int(void.value(subset, prop)) > 0
        assert len(list(void.objects(subset, VOID.dataDump))) == 8
    distinct = sparql_select(
        client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )
    assert int(void.value(DATASET, VOID.triples)) == int(distinct[0]["n"]["value"]) <= total
    classes = sparql_select(client, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")
    assert int(void.value(DATASET, VOID.classes)) == int(classes[0]["n"]["value"])
    for example in void.objects(DATASET, VOID.exampleResource):
        assert str(example).startswith("https://w3id.org/treatygraph/id/")
        slug = str(example).rsplit("/", 1)[-1]
        assert client.get(f"/id/{slug}.ttl").status_code == 200


RDFS_SEE_ALSO = URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso")


def test_void_wikidata_linkset_reflects_the_links(
    client: FlaskClient, void: Graph, nquads_path: object
) -> None:
    """Counted independently: skos:exactMatch links to Wikidata in the built N-Quads."""
    from rdflib import Dataset

    built = Dataset()
    built.parse(str(nquads_path), format="nquads")
    wikidata = {
        (s, o)
        for s, _, o, _ in built.quads((None, SKOS.exactMatch, None, None))
        if str(o).startswith("http://www.wikidata.org/entity/")
    }
    # hand check: graph/alignments/wikidata.ttl links Trump to Q22686
    assert (
        URIRef("https://w3id.org/treatygraph/id/donald-trump"),
        URIRef("http://www.wikidata.org/entity/Q22686"),
    ) in wikidata
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    (linkset,) = linksets
    assert void.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
    assert int(void.value(linkset, VOID.triples)) == len(wikidata)
    targets = set(void.objects(linkset, VOID.target))
    assert targets == {DATASET, URIRef("http://www.wikidata.org/entity/Q2013")}
    assert (linkset, None, None) in void and (DATASET, VOID.subset, linkset) in void


def test_linkset_is_absent_without_links(
    make_ld_app: Callable[..., Flask], tmp_path: object
) -> None:
    from pathlib import Path

    data = Path(str(tmp_path)) / "one.nq"
    data.write_text(
        "<https://w3id.org/treatygraph/id/x> <http://www.w3.org/2000/01/rdf-schema#"
        'label> "x" <https://w3id.org/treatygraph/graph/article> .\n'
    )
    app = make_ld_app(DATA_FILES=[str(data)])
    graph = Graph().parse(data=app.test_client().get("/.well-known/void").data, format="turtle")
    assert list(graph.subjects(RDF.type, VOID.Linkset)) == []
    assert int(graph.value(DATASET, VOID.triples)) == 1


def _declared_dumps(void: Graph, dcat: Graph) -> dict[str, tuple[str, str | None]]:
    """download URL -> (media type IRI, compress format IRI) from DCAT."""
    out = {}
    for dist in dcat.objects(DATASET, DCAT.distribution):
        assert (dist, RDF.type, DCAT.Distribution) in dcat
        url = str(dcat.value(dist, DCAT.downloadURL))
        compress = dcat.value(dist, DCAT.compressFormat)
        out[url] = (str(dcat.value(dist, DCAT.mediaType)), str(compress) if compress else None)
    return out


def test_every_dump_answers_with_its_declared_media_type(
    client: FlaskClient, void: Graph, dcat: Graph
) -> None:
    declared = _declared_dumps(void, dcat)
    # 2 dataset formats and 5 graphs (two documents, background, ontology, alignments) in 4
    # formats, each also gzipped: (2 + 5 * 4) * 2
    assert len(declared) == 44
    void_dumps = {str(o) for o in void.objects(None, VOID.dataDump)}
    assert void_dumps == set(declared)  # VoID and DCAT announce the same files
    for url, (mtype_iri, compress) in declared.items():
        resp = client.get(_path(url))
        assert resp.status_code == 200, url
        assert mtype_iri.startswith(IANA)
        declared_type = mtype_iri[len(IANA) :]
        if compress is None:
            assert media_type(resp.content_type) == declared_type, url
        else:
            assert compress == IANA + "application/gzip"
            assert media_type(resp.content_type) == "application/gzip", url
        body = maybe_gunzip(resp.data, resp.content_type)
        assert declared_type in PARSERS
        assert len(parse_oxigraph(body, declared_type, client)) > 0, url


def test_dcat_catalog_dataset_and_service(client: FlaskClient, dcat: Graph) -> None:
    assert (CATALOG, RDF.type, DCAT.Catalog) in dcat
    assert (CATALOG, DCAT.dataset, DATASET) in dcat
    assert (DATASET, RDF.type, DCAT.Dataset) in dcat
    services = list(dcat.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    (service,) = services
    assert (CATALOG, DCAT.service, service) in dcat
    assert dcat.value(service, DCAT.endpointURL) == URIRef(BASE + "/sparql")
    assert dcat.value(service, DCAT.servesDataset) == DATASET
    assert client.get("/sparql").status_code == 200  # the endpoint URL answers
    for node in (CATALOG, DATASET):
        assert dcat.value(node, DCTERMS.license) == URIRef(
            "https://creativecommons.org/licenses/by/4.0/"
        )
        publisher = dcat.value(node, DCTERMS.publisher)
        assert dcat.value(publisher, FOAF.name) == Literal("treatygraph contributors")


def test_license_and_publisher_come_from_config(make_ld_app: Callable[..., Flask]) -> None:
    app = make_ld_app(
        DATASET_LICENSE="https://example.org/licence",
        DATASET_PUBLISHER="Example Org",
        BASE_URL="https://data.example.org",
    )
    client = app.test_client()
    for path in ("/catalog", "/.well-known/void"):
        graph = Graph().parse(data=client.get(path).data, format="turtle")
        assert graph.value(DATASET, DCTERMS.license) == URIRef("https://example.org/licence")
        publisher = graph.value(DATASET, DCTERMS.publisher)
        assert graph.value(publisher, FOAF.name) == Literal("Example Org")
    void = Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://data.example.org/sparql")
    assert all(
        str(d).startswith("https://data.example.org/dumps/")
        for d in void.objects(DATASET, VOID.dataDump)
    )


def test_service_description_links_void_and_dcat(client: FlaskClient) -> None:
    resp = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=resp.data, format="turtle")
    (dataset,) = set(graph.objects(None, SD.defaultDataset))
    seen = set(graph.objects(dataset, RDFS_SEE_ALSO))
    assert {URIRef(BASE + "/.well-known/void"), URIRef(BASE + "/catalog")} <= seen
