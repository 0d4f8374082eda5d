"""Pages that read like a reference work: summary card, contents, facts by document, document
pages, navigation and favicon, pagination, a state's warhead chart, and links that are only
http(s) or ours. Expected values come from graph/*.ttl, the FAS CSV files (read here with the
csv module) or the endpoint, never from the pages' own code."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from treatygraph.linkeddata.listings import PAGE_SIZE

from .conftest import TG, TGID, sparql_select

OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DOCUMENTS = {
    # graph/*/document.ttl: label, dcterms:title, publisher's label, dcterms:issued as shown
    "vox-inf-article": (
        "Trump may soon kill a US-Russia arms control deal. It might be a good idea.",
        "Vox",
        "22 October 2018",
    ),
    "cfe-suspension-statement": (
        "Statement from National Security Advisor Jake Sullivan on United States’ Suspension "
        "of the CFE Treaty Alongside NATO Allies",
        "White House",
        "7 November 2023",
    ),
}
MAIN_PAGES = (
    "/id/russia",
    "/id/inf-treaty",
    "/id/donald-trump",
    "/id/vox-inf-article",
    "/id/cfe-suspension-statement",
    "/browse",
    "/browse/people",
    "/timeline",
    "/positions",
    "/ontology",
    "/dumps/",
)


def _html(client: FlaskClient, path: str) -> str:
    resp = client.get(path, headers={"Accept": "text/html"})
    assert resp.status_code == 200, path
    return resp.data.decode()


def _card(html: str) -> str:
    match = re.search(r'<aside class="card" id="summary".*?</aside>', html, re.S)
    assert match
    return match.group(0)


# -- navigation, favicon, CSP ------------------------------------------------------------------
def test_favicon_answers(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as resp:
        assert resp.status_code == 200
        assert resp.content_type.startswith("image/svg+xml")
        assert b"<svg" in resp.get_data()


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_every_page_has_the_site_navigation_and_no_inline_code(
    client: FlaskClient, path: str
) -> None:
    html = _html(client, path)
    nav = re.search(r'<nav class="site".*?</nav>', html, re.S)
    assert nav, path
    for target in ("/", "/browse", "/timeline", "/positions", "/ontology", "/dumps/", "/sparql"):
        assert f'href="{target}"' in nav.group(0), (path, target)
    assert re.search(r'<form action="/search" method="get" role="search">', nav.group(0))
    assert 'name="q" type="search"' in nav.group(0)
    assert 'rel="icon"' in html
    # script-src 'self'; style-src 'self': no inline script, style element or attribute, handler
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
    assert "<style" not in html and " style=" not in html, path
    assert not re.search(r"\son[a-z]+=", html), path


# -- summary card and contents -----------------------------------------------------------------
def test_summary_card_and_contents(client: FlaskClient) -> None:
    html = _html(client, "/id/donald-trump")
    card = _card(html)
    assert 'href="http://www.wikidata.org/entity/Q22686"' in card  # graph/alignments/wikidata.ttl
    assert 'href="/ontology#Person"' in card  # his kind
    assert 'href="/id/vox-inf-article"' in card  # the only document naming him
    assert "/id/cfe-suspension-statement" not in card
    contents = re.search(r'<nav class="contents".*?</nav>', html, re.S)
    assert contents
    # sections by kind, in order, each pointing at its section (counts: test_pages.py)
    titles = re.findall(r'<a href="#facts-([a-z-]+)">([^<]+) \(\d+\)</a>', contents.group(0))
    assert [t for _, t in titles] == ["Positions", "Claims", "Quotations", "Events", "Posts held"]
    for anchor, _ in titles:
        assert f'id="facts-{anchor}"' in html


def test_long_lists_are_collapsed(client: FlaskClient) -> None:
    html = _html(client, "/id/russia")
    # more than five claims from the Vox article about Russia: the rest behind <details>
    assert re.search(r"<details><summary>\d+ more</summary>", html)


# -- facts by document, document pages ---------------------------------------------------------
def _anchored_facts(client: FlaskClient, document: str, about: str | None = None) -> set[str]:
    pointing = f"?f ?x <{TGID}{about}> ." if about else ""
    rows = sparql_select(
        client,
        f"""SELECT DISTINCT ?f WHERE {{ {pointing} ?f <{TG}anchor> ?a .
        ?a <{OA}hasSource> <{TGID}{document}> .
        ?f a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?t .
        VALUES ?t {{ <{TG}Position> <{TG}Claim> <{TG}Quotation> <{TG}Event> <{TG}PostTenure>
        <{TG}Affiliation> <{TG}StatusRecord> <{TG}QuantityRecord> }} }}""",
    )
    return {r["f"]["value"] for r in rows}


def _document_sections(html: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for match in re.finditer(
        r'<section class="document-facts" data-document="([^"]+)">(.*?)</section>\s*(?=<section '
        r'class="document-facts"|</section>)',
        html,
        re.S,
    ):
        facts = set(re.findall(r'<section class="fact" data-iri="([^"]+)"', match.group(2)))
        out.setdefault(match.group(1), set()).update(facts)
    return out


def test_entity_page_groups_facts_by_document_and_names_them(client: FlaskClient) -> None:
    html = _html(client, "/id/russia")
    sections = _document_sections(html)
    for slug, (title, publisher, issued) in DOCUMENTS.items():
        expected = _anchored_facts(client, slug, "russia")
        assert expected, slug  # both documents state facts about Russia
        assert sections[TGID + slug] >= expected, slug
        heading = re.search(
            rf'<section class="document-facts" data-document="{TGID}{slug}">\s*<h3>(.*?)</h3>',
            html,
            re.S,
        )
        assert heading, slug
        text = re.sub(r"<[^>]+>", "", heading.group(1))
        assert title in text and publisher in text and issued in text, text
        assert f'href="/id/{slug}"' in heading.group(1)
    card = _card(html)
    assert 'href="/id/vox-inf-article"' in card and 'href="/id/cfe-suspension-statement"' in card


@pytest.mark.parametrize("slug", sorted(DOCUMENTS))
def test_document_page_lists_its_facts_and_coverage(client: FlaskClient, slug: str) -> None:
    html = _html(client, f"/id/{slug}")
    match = re.search(
        r'<section id="document">(.*?)'
        r'(?=<section id="external"|<section id="source"|<section id="properties")',
        html,
        re.S,
    )
    assert match
    shown = set(re.findall(r'<section class="fact" data-iri="([^"]+)"', match.group(1)))
    assert shown == _anchored_facts(client, slug)
    title, publisher, issued = DOCUMENTS[slug]
    text = re.sub(r"<[^>]+>", "", match.group(1))
    assert title in text and publisher in text and issued in text
    # `treatygraph stats`: 100% coverage for both documents (DEVELOPERS.md keeps it there)
    if "not measured" not in text:
        assert "Mention coverage: 100.0%" in text
    for fmt in ("ttl", "jsonld", "nt", "rdf"):
        assert client.get(f"/id/{slug}.{fmt}").status_code == 200


def test_cfe_document_page_names_its_positions(client: FlaskClient) -> None:
    html = _html(client, "/id/cfe-suspension-statement")
    # graph/cfe-suspension-statement/positions.ttl
    assert "CFE partners outside NATO support suspending CFE Treaty obligations" in html


# -- pagination --------------------------------------------------------------------------------
PEOPLE = 250


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory, nquads_path: Path, root: Path) -> FlaskClient:
    """The project graph plus 250 extra people and an imported graph holding script IRIs."""
    from treatygraph.testing import app_factory

    extra = tmp_path_factory.mktemp("crowd") / "extra.nq"
    g = "<https://w3id.org/treatygraph/graph/crowd>"
    lines = [
        f"<{TGID}zz-person-{i:03d}> {RDF_TYPE} <{TG}Person> {g} .\n"
        f'<{TGID}zz-person-{i:03d}> <{RDFS}label> "Zz Person {i:03d}" {g} .\n'
        for i in range(PEOPLE)
    ]
    for bad in ("javascript:alert(1)", "data:text/html,%3Cb%3Ex", "vbscript:msgbox(1)"):
        lines.append(
            f"<{TGID}russia> <http://www.w3.org/2004/02/skos/core#exactMatch> <{bad}> {g} .\n"
        )
        lines.append(
            f"<{TGID}zz-person-000> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{bad}> {g} .\n"
        )
    extra.write_text("".join(lines), encoding="utf-8")
    with app_factory(DATA_FILES=[str(nquads_path), str(extra)], PROJECT_ROOT=str(root)) as make:
        yield make().test_client()


def _people_total(client: FlaskClient) -> int:
    rows = sparql_select(
        client,
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/<{RDFS}subClassOf>* <{TG}Person> . "
        "FILTER(isIRI(?s)) }",
    )
    return int(rows[0]["n"]["value"])


def test_kind_pages_are_paginated(crowded: FlaskClient) -> None:
    total = _people_total(crowded)
    assert total > 2 * PAGE_SIZE
    pages = -(-total // PAGE_SIZE)
    seen: list[str] = []
    for n in range(1, pages + 1):
        data = json.loads(crowded.get(f"/browse/people.json?page={n}").data)
        assert data["paging"]["total"] == total and data["paging"]["pages"] == pages
        assert len(data["members"]) == (PAGE_SIZE if n < pages else total - PAGE_SIZE * (pages - 1))
        assert (data["paging"]["prev"] is None) == (n == 1)
        assert (data["paging"]["next"] is None) == (n == pages)
        if n < pages:
            assert data["paging"]["next"] == f"/browse/people.json?page={n + 1}"
        seen += [m["link"]["iri"] for m in data["members"]]
    assert len(seen) == len(set(seen)) == total  # every member once, across the pages
    labels = [s.rsplit("/", 1)[-1] for s in seen if "zz-person-" in s]
    assert labels == sorted(labels)  # the extra people, in label order
    html = crowded.get("/browse/people?page=2", headers={"Accept": "text/html"}).data.decode()
    assert 'rel="prev" href="/browse/people?page=1"' in html
    assert 'rel="next" href="/browse/people?page=3"' in html
    assert f"of {total}" in html


@pytest.mark.parametrize("page,status", [("0", 400), ("x", 400), ("-1", 400), ("99", 404)])
def test_bad_page_numbers_are_named(crowded: FlaskClient, page: str, status: int) -> None:
    resp = crowded.get(f"/browse/people?page={page}")
    assert resp.status_code == status
    assert page in resp.data.decode()


def test_positions_are_paginated(client: FlaskClient) -> None:
    rows = sparql_select(
        client,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?p ?o WHERE {{
        ?o <{TG}concernsAgreement> <{TGID}inf-treaty> . ?p a <{TG}Position> ; <{TG}option> ?o ;
        <{TG}holder> ?h ; <{TG}stance> ?s }} }}""",
    )
    total = int(rows[0]["n"]["value"])
    data = json.loads(client.get("/positions.json").data)
    assert data["paging"]["total"] == total
    shown = sum(len(o["positions"]) for o in data["options"])
    assert shown == min(total, PAGE_SIZE)


# -- only http(s) and our IRIs are links -------------------------------------------------------
@pytest.mark.parametrize("path", ["/id/russia", "/id/zz-person-000"])
def test_script_iris_are_text_not_links(crowded: FlaskClient, path: str) -> None:
    html = crowded.get(path, headers={"Accept": "text/html"}).data.decode()
    assert "javascript:alert(1)" in html  # shown...
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert not re.search(rf'href="\s*{scheme}', html, re.I), scheme  # ...never a link
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(h.startswith(("/", "#", "http://", "https://", "?")) for h in hrefs)


# -- statistics --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def with_fas(fas_imports: list[Path], nquads_path: Path, root: Path) -> FlaskClient:
    from treatygraph.testing import app_factory

    files = [str(nquads_path), *map(str, fas_imports)]
    with app_factory(DATA_FILES=files, PROJECT_ROOT=str(root)) as make:
        yield make().test_client()


def _csv_stockpiles(root: Path, country: str, since: int) -> dict[str, int]:
    path = root / "examples" / "fas-warheads" / "nuclear_weapons_stockpiles_excerpt_russia_us.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {
            r["year"]: int(r["nuclear_weapons_stockpile"])
            for r in csv.DictReader(f)
            if r["country_name"] == country and int(r["year"]) >= since
        }


@pytest.mark.parametrize(
    "slug,country,since",
    # Russia's rows from 1992 (before: the Soviet Union, docs/integration.md)
    [
        ("russia", "Russia", 1992),
        ("united-states", "United States", 0),
        ("soviet-union", "Russia", 0),
    ],
)
def test_state_page_charts_its_stockpile_with_a_table(
    with_fas: FlaskClient, root: Path, slug: str, country: str, since: int
) -> None:
    html = _html(with_fas, f"/id/{slug}")
    section = re.search(r'<section id="warheads".*?</section>', html, re.S)
    assert section
    svg = re.search(r"<svg class=\"chart\" role=\"img\".*?</svg>", section.group(0), re.S)
    assert svg and "<title" in svg.group(0) and "<desc" in svg.group(0)
    assert ">year<" in svg.group(0) and ">warheads (estimated)<" in svg.group(0)
    table = re.search(r'<table class="series">.*?</table>', section.group(0), re.S)
    assert table
    header = re.findall(r'<th scope="col">([^<]+)</th>', table.group(0))
    column = header.index("military warhead stockpile") - 1
    expected = _csv_stockpiles(root, country, since)
    if slug == "soviet-union":
        expected = {y: v for y, v in expected.items() if int(y) < 1992}
    rows = {
        year: re.findall(r'<td class="count">([^<]*)</td>', cells)
        for year, cells in re.findall(r'<tr><th scope="row">(\d+)</th>(.*?)</tr>', table.group(0))
    }
    assert {y: int(c[column].replace(",", "")) for y, c in rows.items() if c[column]} == expected


def test_no_chart_without_observations(client: FlaskClient) -> None:
    assert 'id="warheads"' not in _html(client, "/id/russia")


def test_dataset_page_shows_dimensions_and_measures(with_fas: FlaskClient) -> None:
    html = _html(with_fas, "/id/fas-warhead-stockpiles")
    table = re.search(r'<table class="cube">.*?</table>', html, re.S)
    assert table
    rows = [
        re.sub(r"<[^>]+>", "", r)
        for r in re.findall(r"<tr class=\"[a-z]+\">(.*?)</tr>", table.group(0), re.S)
    ]
    # ontology/statistics.ttl: dimensions state, year and category; measure warheads (unit:NUM)
    for expected in (
        "dimensionreference statestate",
        "dimensionreference yearxsd:gYear",
        "dimensionwarhead category",
        "measurewarheadsxsd:integerunit:NUM",
    ):
        assert any(r.startswith(expected) for r in rows), expected
    assert "158 observations" in html  # the stockpile CSV has 158 rows
