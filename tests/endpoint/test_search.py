"""``/search``: the entity search as a page and as JSON (Wikidata's wbsearchentities shape),
its errors, and the Content-Security-Policy every HTML page carries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from treatygraph.testing import app_factory
from treatygraph.web.app import CONTENT_SECURITY_POLICY

ID = "https://w3id.org/treatygraph/id/"
DATA = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/> .
<{ID}russia> a ex:State ; rdfs:label "Russia" ; skos:altLabel "Russian Federation" ;
    rdfs:comment "A party to the INF Treaty after 1991." .
ex:State rdfs:label "state" .
<{ID}russian-mission> rdfs:label "Russian mission to NATO" .
<javascript:alert(1)> rdfs:label "Russian trap" .
""" + "".join(f'<{ID}treaty-{n}> rdfs:label "Treaty {n}" .\n' for n in range(25))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    data = tmp_path / "search.ttl"
    data.write_text(DATA, encoding="utf-8")
    with app_factory(DATA_FILES=[str(data)], QUERY_TIMEOUT=5) as make:
        yield make().test_client()


def test_page_lists_label_kind_description_and_local_link(client: FlaskClient) -> None:
    resp = client.get("/search?q=russia")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    # the exact label first, with its kind's label and its comment, linked locally
    first = html.index('href="/id/russia"')
    assert first < html.index('href="/id/russian-mission"')
    assert ">Russia</a>" in html
    assert '<span class="badge">state</span>' in html
    assert "A party to the INF Treaty after 1991." in html
    # a javascript: IRI is never a link (it is not ours and not http(s))
    assert 'href="javascript:' not in html


def test_json_twin_by_suffix_and_by_accept(client: FlaskClient) -> None:
    by_suffix = client.get("/search.json?q=Russian Fed")
    by_accept = client.get("/search?q=Russian Fed", headers={"Accept": "application/json"})
    for resp in (by_suffix, by_accept):
        assert resp.status_code == 200
        assert resp.mimetype == "application/json"
    body = json.loads(by_suffix.get_data())
    assert body["searchinfo"] == {"search": "Russian Fed", "page": 1}
    top = body["search"][0]
    assert top["id"] == "russia"
    assert top["concepturi"] == ID + "russia"
    assert top["url"] == "/id/russia"
    assert top["label"] == "Russian Federation"  # the alternative label is what matched
    assert top["match"] == {"type": "alias", "text": "Russian Federation"}
    assert top["description"] == "A party to the INF Treaty after 1991."
    assert json.loads(by_accept.get_data()) == body
    assert by_accept.headers["Vary"] == "Accept"


def test_pages_of_twenty(client: FlaskClient) -> None:
    first = json.loads(client.get("/search.json?q=treaty").get_data())
    second = json.loads(client.get("/search.json?q=treaty&page=2").get_data())
    assert len(first["search"]) == 20 and first["search-continue"] == 2
    assert len(second["search"]) == 5 and "search-continue" not in second
    ids = {e["id"] for e in first["search"] + second["search"]}
    assert ids == {f"treaty-{n}" for n in range(25)}
    assert 'rel="next"' in client.get("/search?q=treaty").get_data(as_text=True)


def test_no_match_is_a_page_saying_so(client: FlaskClient) -> None:
    resp = client.get("/search?q=zzyzx")
    assert resp.status_code == 200
    assert "Nothing is called" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/search", "q is empty"),
        ("/search?q=%20%20", "q is empty"),
        ("/search?q=" + "a" * 201, "201 characters"),
        ("/search?q=***", "letter or digit"),
        ("/search?q=x&page=0", "page='0'"),
        ("/search?q=x&page=two", "page='two'"),
    ],
)
def test_bad_input_is_a_400_naming_the_problem(client: FlaskClient, url: str, says: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 400
    assert says in resp.get_data(as_text=True)


def test_unknown_suffix_is_404(client: FlaskClient) -> None:
    assert client.get("/search.ttl?q=russia").status_code == 404


@pytest.mark.parametrize("url", ["/", "/search?q=russia", "/id/russia", "/browse"])
def test_every_html_page_has_the_csp(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    policy = resp.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy


def test_home_page_has_no_inline_script_or_style(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    tags = [s.split(">", 1)[0] for s in html.split("<script")[1:]]
    assert len(tags) == 3  # app.js, the examples and the editor's settings
    # every script is either a file or inert JSON data (CSP does not run those)
    assert all(" src=" in t or 'type="application/json"' in t for t in tags)
    assert "<style" not in html and " style=" not in html and " onclick=" not in html


def test_json_answers_carry_no_csp(client: FlaskClient) -> None:
    resp = client.get("/search.json?q=russia")
    assert "Content-Security-Policy" not in resp.headers
