"""SPARQL 1.1 Protocol behaviour through the Flask test client.

Data (hand-counted): people.ttl puts 9 triples in the default graph (alice 4, bob 3,
carol 2); graphs.trig has graph/a (2 triples) and graph/b (1 triple). The union default
graph that queries see therefore has 12 triples and 5 rdfs:label values.
"""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient

from .conftest import EX, RDFS_LABEL

LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY STR(?l)"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }"
)
SRJ = "application/sparql-results+json"
EXPECTED_LABELS = [
    ("alice", "Alice"),
    ("bob", "Bob"),
    ("carol", 'Carol, "the" third'),
    ("dave", "Dave"),
    ("erin", "Erin"),
]


def count(client: FlaskClient, query: str = COUNT, **params: object) -> int:
    resp = client.get("/sparql", query_string={"query": query, **params}, headers={"Accept": SRJ})
    assert resp.status_code == 200, resp.data
    return int(resp.json["results"]["bindings"][0]["n"]["value"])


# -- request forms -------------------------------------------------------------------------
def _labels_from_json(data: dict) -> list[tuple[str, str]]:
    return [
        (b["s"]["value"].removeprefix(EX), b["l"]["value"]) for b in data["results"]["bindings"]
    ]


def test_get(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": LABELS})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == f"{SRJ}; charset=utf-8"
    assert resp.json["head"]["vars"] == ["s", "l"]
    assert _labels_from_json(resp.json) == EXPECTED_LABELS


def test_post_form(client: FlaskClient) -> None:
    resp = client.post("/sparql", data={"query": LABELS})
    assert resp.status_code == 200
    assert _labels_from_json(resp.json) == EXPECTED_LABELS


def test_post_direct(client: FlaskClient) -> None:
    resp = client.post(
        "/sparql", data=LABELS.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert resp.status_code == 200
    assert _labels_from_json(resp.json) == EXPECTED_LABELS


def test_post_direct_with_h2c_upgrade_header(client: FlaskClient) -> None:
    """Jena sends Upgrade: h2c on POST; the body must still be read."""
    resp = client.post(
        "/sparql",
        data=b"ASK {}",
        headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Upgrade": "h2c",
            "Connection": "Upgrade, HTTP2-Settings",
        },
    )
    assert resp.status_code == 200
    assert resp.json == {"head": {}, "boolean": True}


def test_lang_tag_in_json(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": LABELS})
    bob = resp.json["results"]["bindings"][1]["l"]
    assert bob == {"type": "literal", "value": "Bob", "xml:lang": "en"}


def test_typed_literal_in_json(client: FlaskClient) -> None:
    resp = client.get(
        "/sparql", query_string={"query": f"SELECT ?a WHERE {{ <{EX}alice> <{EX}age> ?a }}"}
    )
    assert resp.json["results"]["bindings"] == [
        {
            "a": {
                "type": "literal",
                "value": "34",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
            }
        }
    ]


# -- dataset -------------------------------------------------------------------------------
def test_default_graph_is_union_including_store_default_graph(client: FlaskClient) -> None:
    assert count(client) == 12


def test_default_graph_uri(client: FlaskClient) -> None:
    assert count(client, **{"default-graph-uri": f"{EX}graph/a"}) == 2
    assert count(client, **{"default-graph-uri": [f"{EX}graph/a", f"{EX}graph/b"]}) == 3


def test_named_graph_uri_only(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(client, query, **{"named-graph-uri": f"{EX}graph/b"}) == 1
    # the protocol dataset has an empty default graph
    assert count(client, **{"named-graph-uri": f"{EX}graph/b"}) == 0


def test_from_and_from_named(client: FlaskClient) -> None:
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{EX}graph/b> WHERE {{ ?s ?p ?o }}") == 1
    query = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{EX}graph/a> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count(client, query) == 2


def test_protocol_dataset_overrides_from(client: FlaskClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{EX}graph/b> WHERE {{ ?s ?p ?o }}"
    assert count(client, query, **{"default-graph-uri": f"{EX}graph/a"}) == 2


def test_unknown_dataset_graph_is_400(client: FlaskClient) -> None:
    resp = client.get(
        "/sparql", query_string={"query": COUNT, "default-graph-uri": "http://nowhere/g"}
    )
    assert resp.status_code == 400
    assert b"<http://nowhere/g>: no such graph" in resp.data


# -- result formats --------------------------------------------------------------------------
def test_xml_results(client: FlaskClient) -> None:
    resp = client.get(
        "/sparql",
        query_string={"query": LABELS},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert resp.headers["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(resp.data)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "l"]
    rows = root.findall("r:results/r:result", ns)
    assert len(rows) == 5
    bob = rows[1].find("r:binding[@name='l']/r:literal", ns)
    assert bob is not None and bob.text == "Bob"
    assert bob.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert rows[2].find("r:binding[@name='l']/r:literal", ns).text == 'Carol, "the" third'


def test_csv_results(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": LABELS, "format": "csv"})
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.data.split(b"\r\n")[0] == b"s,l"
    rows = list(csv.reader(io.StringIO(resp.data.decode())))
    assert rows[0] == ["s", "l"]
    assert rows[1:] == [[EX + s, label] for s, label in EXPECTED_LABELS]


def test_tsv_results(client: FlaskClient) -> None:
    resp = client.get(
        "/sparql", query_string={"query": LABELS}, headers={"Accept": "text/tab-separated-values"}
    )
    lines = resp.data.decode().split("\n")
    assert lines[0] == "?s\t?l"
    assert lines[1] == f'<{EX}alice>\t"Alice"'
    assert lines[2] == f'<{EX}bob>\t"Bob"@en'
    assert lines[3] == f'<{EX}carol>\t"Carol, \\"the\\" third"'


def test_ask_formats(client: FlaskClient) -> None:
    query = f"ASK {{ <{EX}alice> <{EX}knows> <{EX}bob> }}"
    assert client.get("/sparql", query_string={"query": query}).json["boolean"] is True
    assert client.get("/sparql", query_string={"query": query, "format": "csv"}).data == b"true"
    xml = client.get("/sparql", query_string={"query": query, "format": "xml"}).data
    assert ET.fromstring(xml).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_formats_parse(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    resp = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].split(";")[0] == accept
    graph = rdflib.Dataset() if rdflib_format in ("trig", "nquads") else rdflib.Graph()
    graph.parse(data=resp.data, format=rdflib_format)
    labels = sorted(str(o) for o in graph.objects(None, rdflib.URIRef(RDFS_LABEL)))
    assert labels == sorted(label for _, label in EXPECTED_LABELS)


def test_construct_default_is_turtle(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": CONSTRUCT})
    assert resp.headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_describe(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": f"DESCRIBE <{EX}bob>", "format": "nt"})
    graph = rdflib.Graph().parse(data=resp.data, format="nt")
    assert len(graph) == 3


def test_406_for_select_lists_result_types(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": "text/turtle"})
    assert resp.status_code == 406
    assert b"application/sparql-results+json" in resp.data and b"text/csv" in resp.data


def test_406_for_construct_lists_rdf_types(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert resp.status_code == 406
    assert b"text/turtle" in resp.data and b"application/ld+json" in resp.data


def test_406_unknown_everything(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": "image/png"})
    assert resp.status_code == 406
    assert b"Offered types:" in resp.data


# -- errors ----------------------------------------------------------------------------------
def test_syntax_error_has_position(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n ?s ?p }"})
    assert resp.status_code == 400
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert resp.data.startswith(b"2:9: syntax error: ")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_405(client: FlaskClient, method: str) -> None:
    resp = client.open("/sparql", method=method)
    assert resp.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in resp.headers["Allow"].split(",")}


def test_get_update_endpoint_is_405(client: FlaskClient) -> None:
    assert client.get("/update").status_code == 405


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_415(client: FlaskClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    resp = client.post("/sparql", data=b"query=ASK{}", headers=headers)
    assert resp.status_code == 415
    assert b"application/sparql-query" in resp.data


def test_non_utf8_direct_body(client: FlaskClient) -> None:
    resp = client.post(
        "/sparql",
        data=b'ASK { ?s ?p "\xff" }',
        headers={"Content-Type": "application/sparql-query"},
    )
    assert resp.status_code == 400
    assert b"UTF-8" in resp.data or b"utf-8" in resp.data


def test_non_utf8_form_body(client: FlaskClient) -> None:
    resp = client.post(
        "/sparql",
        data=b"query=ASK%7B%7D%FF",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 400


def test_non_utf8_url(client: FlaskClient) -> None:
    resp = client.get("/sparql?query=ASK%7B%22%FF%22%7D")
    assert resp.status_code == 400


def test_multiple_queries(client: FlaskClient) -> None:
    resp = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert resp.status_code == 400
    assert b"2 'query' parameters" in resp.data


def test_query_in_body_and_url(client: FlaskClient) -> None:
    resp = client.post(
        "/sparql?query=ASK%7B%7D",
        data=b"ASK{}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert resp.status_code == 400


def test_query_and_update(client: FlaskClient) -> None:
    resp = client.post("/sparql", data={"query": "ASK{}", "update": "CLEAR ALL"})
    assert resp.status_code == 400


def test_empty_query(client: FlaskClient) -> None:
    assert client.get("/sparql?query=").status_code == 400
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


# -- CORS ------------------------------------------------------------------------------------
def test_cors_on_responses(client: FlaskClient) -> None:
    resp = client.get(
        "/sparql", query_string={"query": "ASK{}"}, headers={"Origin": "https://example.net"}
    )
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers
    error = client.get("/sparql", query_string={"query": "nonsense"})
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client: FlaskClient) -> None:
    resp = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in resp.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    headers = resp.headers["Access-Control-Allow-Headers"]
    assert "Content-Type" in headers and "Authorization" in headers
    update = client.options("/update")
    assert "POST" in update.headers["Access-Control-Allow-Methods"]


# -- safety through HTTP ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }",
    ],
)
def test_unsafe_queries_are_400(client: FlaskClient, query: str) -> None:
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 400
    assert b"not allowed" in resp.data or b"no such graph" in resp.data


# -- caps ------------------------------------------------------------------------------------
def test_result_cap_is_an_error(make_app: Callable[..., Flask]) -> None:
    client = make_app(RESULT_CAP=3).test_client()
    resp = client.get("/sparql", query_string={"query": LABELS})
    assert resp.status_code == 413
    assert resp.headers["X-Result-Cap"] == "3"
    assert b"more than 3 rows" in resp.data and b"LIMIT 3" in resp.data
    ok = client.get("/sparql", query_string={"query": LABELS + " LIMIT 3"})
    assert ok.status_code == 200 and len(ok.json["results"]["bindings"]) == 3
    construct = client.get("/sparql", query_string={"query": CONSTRUCT})
    assert construct.status_code == 413


def test_body_and_url_caps(make_app: Callable[..., Flask]) -> None:
    client = make_app(BODY_CAP=100, URL_CAP=100).test_client()
    big = "ASK {} #" + "x" * 200
    resp = client.post(
        "/sparql", data=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert resp.status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413
    too_long = client.get("/sparql", query_string={"query": big})
    assert too_long.status_code == 414 and b"URL_CAP (100 bytes)" in too_long.data
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200


# -- caching ---------------------------------------------------------------------------------
def test_etag_and_304(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": LABELS})
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string={"query": LABELS}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = client.get("/sparql", query_string={"query": LABELS, "format": "csv"})
    assert other.headers["ETag"] != etag


# -- updates ---------------------------------------------------------------------------------
INSERT = f'INSERT DATA {{ <{EX}frank> <{RDFS_LABEL}> "Frank" }}'


def test_update_at_sparql_is_403(client: FlaskClient) -> None:
    assert client.post("/sparql", data={"update": INSERT}).status_code == 403
    resp = client.post(
        "/sparql", data=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    assert resp.status_code == 403


def test_update_disabled_by_default(client: FlaskClient) -> None:
    resp = client.post(
        "/update", data={"update": INSERT}, headers={"Authorization": "Bearer anything"}
    )
    assert resp.status_code == 403
    assert count(client) == 12


def test_update_with_token(make_app: Callable[..., Flask]) -> None:
    client = make_app(UPDATE_TOKEN="s3cret").test_client()
    assert count(client) == 12  # cached now
    missing = client.post("/update", data={"update": INSERT})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.post(
        "/update", data={"update": INSERT}, headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    ok = client.post("/update", data={"update": INSERT}, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200, ok.data
    assert count(client) == 13  # the cache was invalidated
    direct = client.post(
        "/update",
        data=f'DELETE DATA {{ <{EX}frank> <{RDFS_LABEL}> "Frank" }}',
        headers={"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"},
    )
    assert direct.status_code == 200
    assert count(client) == 12


def test_update_using_graph_uri(make_app: Callable[..., Flask]) -> None:
    client = make_app(UPDATE_TOKEN="s3cret").test_client()
    update = f"INSERT {{ GRAPH <{EX}graph/c> {{ ?s a <{EX}Copied> }} }} WHERE {{ ?s ?p ?o }}"
    resp = client.post(
        f"/update?using-graph-uri={EX}graph/b",
        data={"update": update},
        headers={"Authorization": "Bearer s3cret"},
    )
    assert resp.status_code == 200, resp.data
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}graph/c> {{ ?s ?p ?o }} }}"
    assert count(client, query) == 1  # only erin, the one subject in graph/b


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "LOAD <file:///etc/passwd> INTO GRAPH <http://g>",
    ],
)
def test_update_load_refused(make_app: Callable[..., Flask], update: str) -> None:
    client = make_app(UPDATE_TOKEN="s3cret").test_client()
    resp = client.post(
        "/update", data={"update": update}, headers={"Authorization": "Bearer s3cret"}
    )
    assert resp.status_code == 400
    assert b"LOAD" in resp.data


def test_update_wrong_media_type(make_app: Callable[..., Flask]) -> None:
    client = make_app(UPDATE_TOKEN="s3cret").test_client()
    resp = client.post(
        "/update",
        data=INSERT,
        headers={"Authorization": "Bearer s3cret", "Content-Type": "text/plain"},
    )
    assert resp.status_code == 415


# -- service description, health, home, metrics ----------------------------------------------
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def _sd_graph(client: FlaskClient, **headers: str) -> rdflib.Graph:
    resp = client.get("/sparql", headers=headers)
    assert resp.status_code == 200
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}[
        resp.headers["Content-Type"].split(";")[0]
    ]
    return rdflib.Graph().parse(data=resp.data, format=fmt)


@pytest.mark.parametrize("accept", [None, "application/ld+json", "application/rdf+xml"])
def test_service_description(client: FlaskClient, accept: str | None) -> None:
    graph = _sd_graph(client, **({"Accept": accept} if accept else {}))
    service = graph.value(None, rdflib.RDF.type, SD.Service)
    assert graph.value(service, SD.endpoint) == rdflib.URIRef("http://localhost/sparql")
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph}
    formats = {str(f) for f in graph.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    assert len(formats) == 10
    dataset = graph.value(service, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default, VOID.triples).toPython() == 12
    named = {
        str(graph.value(n, SD.name)): graph.value(graph.value(n, SD.graph), VOID.triples).toPython()
        for n in graph.objects(dataset, SD.namedGraph)
    }
    assert named == {f"{EX}graph/a": 2, f"{EX}graph/b": 1}


def test_service_description_features_follow_config(make_app: Callable[..., Flask]) -> None:
    client = make_app(
        UPDATE_TOKEN="t",
        SERVICE_ALLOWLIST=["http://dbpedia.example/sparql"],
        BASE_URL="https://treatygraph.example",
    ).test_client()
    graph = _sd_graph(client)
    service = graph.value(None, rdflib.RDF.type, SD.Service)
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph, SD.BasicFederatedQuery}
    assert SD.SPARQL11Update in set(graph.objects(service, SD.supportedLanguage))
    assert graph.value(service, SD.endpoint) == rdflib.URIRef("https://treatygraph.example/sparql")


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {
        "status": "ok",
        "triples": 12,
        "default_graph_triples": 9,
        "graphs": {f"{EX}graph/a": 2, f"{EX}graph/b": 1},
        "read_only": True,
    }


def test_home_page_lists_examples(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    (tmp_path / "01-people.rq").write_text("# Everyone with a label\nSELECT * { ?s ?p ?o }\n")
    (tmp_path / "02-count.rq").write_text("# How many triples?\nSELECT (COUNT(*) AS ?n) {}\n")
    client = make_app(EXAMPLES_DIR=str(tmp_path)).test_client()
    page = client.get("/").data.decode()
    assert "<textarea" in page and 'id="run"' in page
    assert "Everyone with a label" in page and "How many triples?" in page
    assert "https://w3id.org/treatygraph/id/" in page
    assert "cdn" not in page.lower()
    script = client.get("/static/app.js")
    assert script.status_code == 200
    script.close()


def test_metrics_count_requests_and_rejections(client: FlaskClient) -> None:
    client.get("/sparql", query_string={"query": "ASK {}"})
    client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://x/> {} }"})
    text = client.get("/metrics").data.decode()
    sparql = 'endpoint="sparql.sparql",method="GET"'
    assert f'treatygraph_http_requests_total{{{sparql},status="200"}} 1.0' in text
    assert f'treatygraph_http_requests_total{{{sparql},status="400"}} 1.0' in text
    assert 'treatygraph_rejections_total{reason="unsafe"} 1.0' in text
    assert 'treatygraph_http_request_duration_seconds_count{endpoint="sparql.sparql"} 2.0' in text
    assert (
        'treatygraph_http_request_duration_seconds_bucket{endpoint="sparql.sparql",le="+Inf"}'
        in text
    )


# -- timeouts (in-process; the live-server test covers concurrency) --------------------------
CARTESIAN = (
    "SELECT (COUNT(*) AS ?c) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(10)) + " }"
)  # 12^10 rows to count


def test_timeout_is_clean_503_and_service_recovers(make_app: Callable[..., Flask]) -> None:
    client = make_app(QUERY_TIMEOUT=1).test_client()
    started = time.monotonic()
    resp = client.get("/sparql", query_string={"query": CARTESIAN})
    elapsed = time.monotonic() - started
    assert resp.status_code == 503
    assert b"QUERY_TIMEOUT (1 s)" in resp.data
    assert 1.0 <= elapsed < 2.0
    assert count(client) == 12
    metrics = client.get("/metrics").data.decode()
    assert 'treatygraph_rejections_total{reason="timeout"} 1.0' in metrics


def test_json_results_are_json(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": LABELS, "format": "json"})
    assert json.loads(resp.data) == resp.json


def test_non_utf8_charset_is_refused(client: FlaskClient) -> None:
    resp = client.post(
        "/sparql",
        data="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert resp.status_code == 415
    assert b"UTF-8" in resp.data
