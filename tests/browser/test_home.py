"""Headless Chromium against a live server: the home page's result tables (labels, short
names, safe links, downloads, permalink), every example at desktop and phone width, the
search box, and the Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from treatygraph.testing import LiveServer
from treatygraph.web.home import load_examples

from .conftest import Watch

pytestmark = [pytest.mark.live, pytest.mark.browser]

TGID = "https://w3id.org/treatygraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: a status that says a run has finished, one way or the other
DONE = "#status:text-matches('result|Error|failed|ASK')"


def _run(page: Any) -> str:
    page.click("#run")
    page.wait_for_selector(DONE)
    return str(page.inner_text("#status"))


def _width(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[no-any-return]


def test_result_cells_show_labels_short_names_and_local_links(
    page: Any, live_server: str, root: Path, artifacts: Path
) -> None:
    watch = Watch(page)
    question = root / "examples" / "queries" / "25-soviet-union-successor.rq"
    page.goto(live_server + "/")
    page.fill("#query", question.read_text(encoding="utf-8"))
    assert "1 result(s)" in _run(page)  # the expected.tsv has one row
    # ?successor is tgid:russia, rdfs:label "Russia" (graph/vox-inf-article/actors.ttl)
    successor = page.locator("#results tbody tr td:nth-child(2) a")
    assert successor.inner_text() == "Russia"
    assert successor.get_attribute("title") == TGID + "russia"
    assert successor.get_attribute("href") == "/id/russia"
    # ?inverseStated is an xsd:boolean: the datatype is short, the full IRI on hover
    dt = page.locator("#results tbody tr td:nth-child(3) .dt")
    assert dt.inner_text().strip() == "xsd:boolean"
    assert dt.get_attribute("title") == XSD + "boolean"
    page.screenshot(path=str(artifacts / "home-labels.png"), full_page=True)
    assert watch.errors == []


def test_ontology_terms_link_locally(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.fill(
        "#query", "SELECT ?c WHERE { VALUES ?c { <https://w3id.org/treatygraph/ontology#State> } }"
    )
    _run(page)
    link = page.locator("#results tbody td a")
    assert link.get_attribute("href") == "/ontology#State"


def test_downloads_and_permalink(page: Any, live_server: str) -> None:
    query = "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }"
    page.goto(live_server + "/")
    page.fill("#query", query)
    assert "3 result(s)" in _run(page)
    hrefs = page.locator("#downloads a").evaluate_all("els => els.map(e => e.href)")
    wanted = {"json", "xml", "csv", "tsv"}  # the results formats of rdf/formats.py
    assert {parse_qs(urlsplit(h).query)["format"][0] for h in hrefs} == wanted
    csv = next(h for h in hrefs if "format=csv" in h)
    got = page.request.get(csv)
    assert got.status == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.text().replace("\r\n", "\n") == "x\n1\n2\n3\n"
    # the permalink reopens the page with the query and runs it
    permalink = page.get_attribute("#permalink", "href")
    assert parse_qs(urlsplit(permalink).query)["query"] == [query]
    page.goto(live_server + permalink)
    page.wait_for_selector(DONE)
    assert page.input_value("#query") == query
    assert page.locator("#results tbody tr").count() == 3


def test_graph_results_offer_rdf_downloads(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.fill("#query", "CONSTRUCT { <http://example.org/a> <http://example.org/b> 1 } WHERE {}")
    assert "Graph result" in _run(page)
    names = page.locator("#downloads a").all_inner_texts()
    assert "turtle" in names and "ntriples" in names and "csv" not in names


@pytest.mark.parametrize("width", [1280, 375])
def test_every_example_fits_the_window(
    browser: Any, live_server: str, root: Path, width: int
) -> None:
    examples = load_examples(root / "examples" / "queries")
    assert len(examples) >= 40
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch = Watch(page)
    too_wide: list[str] = []
    failed: list[str] = []
    try:
        page.goto(live_server + "/")
        assert _width(page)[0] <= width
        for number, example in enumerate(examples):
            page.select_option("#examples", value=str(number))
            status = _run(page)
            if "Error" in status or "failed" in status:
                failed.append(f"{example.name}: {status}")
            scroll, inner = _width(page)
            if scroll > inner:
                too_wide.append(f"{example.name}: {scroll} px > {inner} px")
    finally:
        context.close()
    assert failed == []
    assert too_wide == []
    assert watch.errors == []


def test_search_box_to_results_to_an_entity(page: Any, live_server: str) -> None:
    watch = Watch(page)
    page.goto(live_server + "/")
    box = page.locator("form[role=search] input[name=q]").first
    box.fill("Russia")
    with page.expect_navigation():
        box.press("Enter")
    assert urlsplit(page.url).path == "/search"
    first = page.locator("ol.search-results li a").first
    assert first.inner_text() == "Russia"  # the exact label comes first
    with page.expect_navigation():
        first.click()
    assert page.url.endswith("/id/russia")
    assert page.inner_text("h1") == "Russia"
    page.goto(live_server + "/search?q=bolton")
    assert page.locator("ol.search-results li").count() >= 1
    assert watch.errors == []


def test_home_page_has_the_csp_and_injected_inline_script_does_not_run(
    page: Any, live_server: str
) -> None:
    resp = page.goto(live_server + "/")
    policy = resp.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    violations = page.evaluate(
        """() => new Promise(done => {
            const seen = [];
            document.addEventListener('securitypolicyviolation',
                e => seen.push(e.violatedDirective));
            const s = document.createElement('script');
            s.textContent = 'window.injected = true;';
            document.body.appendChild(s);
            const a = document.createElement('div');
            a.innerHTML = '<img src="x:y" onerror="window.injected = true">';
            document.body.appendChild(a);
            setTimeout(() => done(seen), 300);
        })"""
    )
    assert page.evaluate("window.injected === undefined")
    assert any(v.startswith("script-src") for v in violations)


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Iterator[str]:
    """A server over a graph with a ``javascript:`` IRI, as an import could bring (#14)."""
    folder = tmp_path_factory.mktemp("xss")
    data = folder / "xss.ttl"
    data.write_text(
        f'<javascript:alert(1)> <http://www.w3.org/2000/01/rdf-schema#label> "trap" .\n'
        f"<{TGID}trap> <http://example.org/see> <javascript:alert(1)> .\n"
        f"<{TGID}trap> <http://example.org/see> <https://example.org/fine> .\n",
        encoding="utf-8",
    )
    args = ["--data", str(data), "--workers", "1"]
    with LiveServer(args, folder / "server.log", cwd=root) as server:
        yield server.url


def test_javascript_iris_are_text_not_links(page: Any, xss_server: str) -> None:
    watch = Watch(page)
    page.goto(xss_server + "/")
    page.fill("#query", "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o")
    assert "3 result(s)" in _run(page)
    assert page.locator("#results a[href^='javascript']").count() == 0
    hrefs = page.locator("#results a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert set(hrefs) == {"/id/trap", "https://example.org/fine"}
    text = page.locator("#results span.iri-term[title='javascript:alert(1)']")
    assert text.count() >= 2  # the subject (shown by its label) and the object
    text.first.click()
    page.wait_for_timeout(300)
    assert watch.dialogs == []
    assert watch.errors == []


def test_watch_forgives_only_requests_a_navigation_cut_short(page: Any, live_server: str) -> None:
    """Watch itself: a request still pending when the page navigates away is cut short
    (net::ERR_ABORTED) and is no error; the same failure on a page that stays is one."""
    watch = Watch(page)
    page.route("**/pending.svg", lambda route: None)  # never answered: pending until cut short
    page.route("**/refused.svg", lambda route: route.abort("aborted"))
    image = "u => { const i = new Image(); i.src = u; document.body.append(i); }"
    page.goto(live_server + "/")
    with page.expect_request("**/pending.svg"):
        page.evaluate(image, live_server + "/static/pending.svg")
    with page.expect_event("requestfailed"):
        page.goto(live_server + "/browse")
    assert watch.errors == []
    with page.expect_event("requestfailed"):
        page.evaluate(image, live_server + "/static/refused.svg")
    assert watch.errors == [f"failed: {live_server}/static/refused.svg (net::ERR_ABORTED)"]
