"""The HTML pages and their JSON twins. Expected values were read off graph/*.ttl and the
article by hand, not copied from the pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from treatygraph.corpus.documents import DocumentText

from .conftest import TG, TGID, media_type, sparql_select

TRUMP_QUOTE = (
    "[W]e’re not going to let them violate a nuclear agreement and go out and do "
    "weapons, and we’re not allowed to,"
)


def _html(client: FlaskClient, path: str) -> str:
    resp = client.get(path, headers={"Accept": "text/html"})
    assert resp.status_code == 200, path
    assert media_type(resp.content_type) == "text/html"
    return resp.data.decode()


def _json(client: FlaskClient, path: str) -> dict:
    resp = client.get(path)
    assert resp.status_code == 200, path
    assert media_type(resp.content_type) == "application/json"
    return json.loads(resp.data)


def _section(html: str, section_id: str) -> str:
    match = re.search(
        rf'<section[^>]*id="{section_id}".*?(?=<section class="facts"|'
        r'<section id="incoming"|</article>)',
        html,
        re.S,
    )
    assert match, section_id
    return match.group(0)


# -- resource pages ------------------------------------------------------------------------
def test_quotation_page_highlights_the_quote_in_its_sentence(
    client: FlaskClient, article: DocumentText
) -> None:
    html = _html(client, "/id/quote-trump-air-force-one")
    # the article: And it seems the Trump administration has had enough. “[W]e’re ... to,”
    # Trump told reporters aboard Air Force One on Saturday.
    assert (
        f"“<mark>{TRUMP_QUOTE}</mark>” Trump told reporters aboard Air Force One on Saturday."
    ) in html
    assert "has had enough." not in _section(html, "source")  # the previous sentence is cut
    assert 'href="/id/vox-inf-article"' in html  # the source document
    assert "characters 1852–1962" in html


def test_person_page_lists_the_facts_involving_them(
    client: FlaskClient, article: DocumentText
) -> None:
    html = _html(client, "/id/donald-trump")
    assert "<h1>Donald Trump</h1>" in html
    # graph/vox-inf-article: 2 positions held, 4 claims (2 made, 1 supported, 1 about him),
    # 1 quotation spoken, 4 events (2 as agent, 2 as participant), 1 post tenure
    for title, count in (
        ("Positions", 2),
        ("Claims", 4),
        ("Quotations", 1),
        ("Events", 4),
        ("Posts held", 1),
    ):
        assert f"<h2>{title} ({count})</h2>" in html, title
    for fact in (
        "position-donald-trump-inf-withdrawal",
        "position-donald-trump-leave-iran-nuclear-deal",
        "claim-trump-russia-violates-inf",
        "quote-trump-air-force-one",
        "event-trump-announces-inf-withdrawal",
        "tenure-donald-trump-president",
    ):
        assert f'data-iri="{TGID}{fact}"' in html, fact
    assert f"<mark>{TRUMP_QUOTE}</mark>" in html
    # external identity from graph/alignments/wikidata.ttl
    assert 'href="http://www.wikidata.org/entity/Q22686"' in html
    assert "Wikidata Q22686" in html
    # every property, with local links for our IRIs
    assert 'href="/id/president-of-the-united-states"' in html
    assert 'id="incoming"' in html


def test_treaty_page(client: FlaskClient) -> None:
    html = _html(client, "/id/inf-treaty")
    assert "<h1>Intermediate-Range Nuclear Forces Treaty</h1>" in html
    assert "December 1987" in html  # tg:dateSigned "1987-12"^^xsd:gYearMonth
    assert 'href="/id/ronald-reagan"' in html and 'href="/id/soviet-union"' in html
    assert "<mark>" in html


def test_without_the_article_the_stored_context_is_shown(
    make_ld_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TREATYGRAPH_CORPUS", raising=False)
    app = make_ld_app(PROJECT_ROOT=str(tmp_path / "checkout"))
    html = app.test_client().get("/id/quote-trump-air-force-one.html").data.decode()
    # oa:prefix / oa:suffix as stored in graph/vox-inf-article/quotations.ttl ("administration
    # has had enough. “" and "” Trump told reporters aboard Ai", 32 characters each, so cut from
    # the text): each cut back to whole words, never "Ai"
    assert (f"…has had enough. “<mark>{TRUMP_QUOTE}</mark>” Trump told reporters aboard…") in html
    assert "article text unavailable" in html


def test_corpus_dir_config(
    make_ld_app: Callable[..., Flask], article: DocumentText, root: Path, tmp_path: Path
) -> None:
    sentence = "Trump told reporters aboard Air Force One on Saturday."
    empty = make_ld_app(PROJECT_ROOT=str(root), CORPUS_DIR=str(tmp_path))
    assert sentence not in empty.test_client().get("/id/quote-trump-air-force-one.html").text
    (tmp_path / article.path.name).write_bytes(article.path.read_bytes())
    app = make_ld_app(PROJECT_ROOT=str(root), CORPUS_DIR=str(tmp_path))
    html = app.test_client().get("/id/quote-trump-air-force-one.html").data.decode()
    assert sentence in html


# -- browse ----------------------------------------------------------------------------------
KIND_CLASSES = {
    "treaties": "Agreement",
    "states": "State",
    "people": "Person",
    "organisations": "Organization",
    "events": "Event",
    "positions": "Position",
    "claims": "Claim",
    "quotations": "Quotation",
}


def test_browse_counts_match_the_endpoint(client: FlaskClient) -> None:
    kinds = {k["name"]: k for k in _json(client, "/browse.json")["kinds"]}
    assert set(KIND_CLASSES) <= set(kinds)
    for name, cls in KIND_CLASSES.items():
        rows = sparql_select(
            client,
            f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              ?t rdfs:subClassOf* <{TG}{cls}> . ?s a ?t . FILTER(isIRI(?s)) }}""",
        )
        assert kinds[name]["count"] == int(rows[0]["n"]["value"]) > 0, name
    # graph/vox-inf-article/agreements.ttl: INF Treaty, New START (treaties), Iran deal
    # (political); graph/cfe-suspension-statement/agreements.ttl: the CFE Treaty
    assert kinds["treaties"]["count"] == 4
    html = _html(client, "/browse")
    assert 'href="/browse/people"' in html and 'href="/browse.json"' in html


def test_kind_page_and_twin(client: FlaskClient) -> None:
    html = _html(client, "/browse/treaties")
    for slug in ("inf-treaty", "new-start", "iran-nuclear-deal"):
        assert f'href="/id/{slug}"' in html
    page = _json(client, "/browse/people.json")
    people = {m["link"]["iri"] for m in page["members"]}
    assert {TGID + "donald-trump", TGID + "mikhail-gorbachev", TGID + "john-bolton"} <= people
    assert page["kind"]["count"] == len(page["members"])
    assert (
        client.get("/browse/people", headers={"Accept": "application/json"}).data
        == client.get("/browse/people.json").data
    )
    assert client.get("/browse/unicorns").status_code == 404


# -- timeline ----------------------------------------------------------------------------------
def test_timeline_dates_at_their_precision_in_order(client: FlaskClient) -> None:
    data = _json(client, "/timeline.json")
    entries = data["entries"]
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates)
    by_iri = {e["event"]["iri"]: e for e in entries}
    # graph/vox-inf-article/events.ttl
    signing = by_iri[TGID + "event-inf-treaty-signing"]
    assert (signing["date_display"], signing["precision"]) == ("December 1987", "month")
    book = by_iri[TGID + "event-bolton-book-publication"]
    assert (book["date_display"], book["precision"]) == ("2007", "year")
    announce = by_iri[TGID + "event-trump-announces-inf-withdrawal"]
    assert (announce["date_display"], announce["precision"]) == ("20 October 2018", "day")
    assert announce["phrase"] == "on Saturday" and announce["graph"] == "vox-inf-article"
    new_start = by_iri[TGID + "event-new-start-entry-into-force"]
    assert new_start["date_display"] == "5 February 2011"
    html = _html(client, "/timeline")
    order = [
        html.index(f'href="/id/{slug}"')
        for slug in (
            "event-inf-treaty-signing",
            "event-bolton-book-publication",
            "event-new-start-entry-into-force",
            "event-trump-announces-inf-withdrawal",
        )
    ]
    assert order == sorted(order)
    assert '<time datetime="1987-12">December 1987</time>' in html
    undated = {m["link"]["iri"] for m in data["undated"]}
    assert TGID + "cold-war" in undated  # graph/vox-inf-article/events.ttl gives it no date


# -- positions ---------------------------------------------------------------------------------
def test_positions_page(client: FlaskClient, article: DocumentText) -> None:
    data = _json(client, "/positions.json")
    assert data["agreement"]["iri"] == TGID + "inf-treaty"
    options = {o["option"]["iri"]: o for o in data["options"]}
    leave = options[TGID + "option-us-withdraws-from-inf-treaty"]
    stances = {p["holder"]["iri"]: p["stance"]["iri"] for p in leave["positions"]}
    # graph/vox-inf-article/positions.ttl
    assert stances[TGID + "donald-trump"] == TG + "Supports"
    assert stances[TGID + "john-bolton"] == TG + "Supports"
    assert stances[TGID + "mikhail-gorbachev"] == TG + "Opposes"
    assert stances[TGID + "heiko-maas"] == TG + "Opposes"
    stay = options[TGID + "option-us-coerces-russia-into-inf-compliance"]
    assert stay["positions"]
    for option in data["options"]:
        for position in option["positions"]:
            assert position["snippets"], position["position"]["iri"]  # backed by a quote
    gorbachev = next(
        p for p in leave["positions"] if p["holder"]["iri"] == TGID + "mikhail-gorbachev"
    )
    assert gorbachev["snippets"][0]["exact"] == (
        "called Trump’s announcement “unacceptable” and “very irresponsible.”"
    )
    assert {e["text"] for e in gorbachev["evidence"]} >= {"unacceptable"}
    html = _html(client, "/positions")
    assert (
        "<mark>called Trump’s announcement “unacceptable” and “very irresponsible.”</mark>" in html
    )
    assert html.index('href="/id/option-us-withdraws-from-inf-treaty"') < html.index(
        'href="/id/option-us-coerces-russia-into-inf-compliance"'
    )


def test_positions_for_another_agreement(client: FlaskClient) -> None:
    data = _json(client, "/positions.json?agreement=iran-nuclear-deal")
    assert data["agreement"]["iri"] == TGID + "iran-nuclear-deal"
    assert client.get("/positions?agreement=Nope").status_code == 404


# -- navigation --------------------------------------------------------------------------------
def test_home_page_links_to_the_pages(client: FlaskClient) -> None:
    html = _html(client, "/")
    for path in ("/browse", "/timeline", "/positions", "/ontology", "/dumps/"):
        assert f'href="{path}"' in html, path


def test_pages_carry_etags(client: FlaskClient) -> None:
    for path in ("/browse", "/timeline.json", "/positions", "/id/russia"):
        first = client.get(path)
        assert first.headers.get("ETag") and first.headers.get("Last-Modified")
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
