"""The linked-data pages in headless Chromium: quotes in their own documents' sentences (issue
10, Must show 7), the summary card and contents, no page wider than its viewport at 1280 and
375 px, no console errors, and a state's warhead chart with its table (FAS imports present)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from integration.conftest import examples, fas_checkout, pristine  # noqa: F401 (shared)
from linkeddata.conftest import fas_imports  # noqa: F401 (the fixture, shared)

from treatygraph.corpus.documents import DocumentText
from treatygraph.testing import LiveServer

from .conftest import Watch

pytestmark = [pytest.mark.live, pytest.mark.browser]

TG = "https://w3id.org/treatygraph/ontology#"
TGID = "https://w3id.org/treatygraph/id/"
PAGES = (
    "/",
    "/id/russia",
    "/id/inf-treaty",
    "/id/donald-trump",
    "/id/vox-inf-article",
    "/id/cfe-suspension-statement",
    "/id/fas-warhead-stockpiles",
    "/browse",
    "/browse/people",
    "/timeline",
    "/positions",
    "/ontology",
)


@pytest.fixture(scope="module")
def site(
    root: Path,
    exported_nquads: Path,
    fas_imports: list[Path],  # noqa: F811
    artifacts: Path,
) -> Iterator[str]:
    """``treatygraph serve`` over the built graph and the two FAS imports."""
    data = [str(exported_nquads), *map(str, fas_imports)]
    args = ["--data", *data, "--workers", "1"]
    with LiveServer(args, artifacts / "browser-pages-server.log", cwd=root) as server:
        yield server.url


def _quotes(page: Any) -> list[dict[str, Any]]:
    """Every quote on the page: its shown text (without the source line and the template's
    line break before it), mark, offsets, source."""
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "blockquote.source",
        """els => els.map(b => { const c = b.cloneNode(true); c.querySelector('.where').remove();
            const a = b.querySelector('.where a');
            const shown = c.textContent.replace(/\\n$/, '');
            return { text: shown, mark: b.querySelector('mark').textContent,
                     start: b.dataset.start, end: b.dataset.end,
                     source: a ? a.getAttribute('href') : null }; })""",
    )


def test_ms7_russia_quotes_each_in_its_own_documents_sentence(
    page: Any, site: str, texts: dict[str, DocumentText]
) -> None:
    page.goto(site + "/id/russia")
    quotes = _quotes(page)
    by_document: dict[str, int] = {}
    for q in quotes:
        slug = q["source"].removeprefix("/id/")
        text = texts[slug].text  # ../shared/sources (or corpus/): the document's own text
        start, end = int(q["start"]), int(q["end"])
        assert text[start:end] == q["mark"], (slug, q["mark"])
        assert q["text"] in text, (slug, q["text"])  # the context is that document's words
        assert len(q["text"]) > len(q["mark"]) or q["text"] == q["mark"]
        by_document[slug] = by_document.get(slug, 0) + 1
    assert set(by_document) == {"vox-inf-article", "cfe-suspension-statement"}
    # facts from both documents, each under its document's heading
    for slug in by_document:
        group = page.locator(f'section.document-facts[data-document="{TGID}{slug}"]')
        assert group.count() > 0, slug
        assert group.first.locator(f'h3 a[href="/id/{slug}"]').count() == 1


def _select(site: str, query: str) -> list[dict[str, Any]]:
    url = site + "/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=20) as resp:
        return json.loads(resp.read())["results"]["bindings"]  # type: ignore[no-any-return]


def test_ms7_the_cfe_document_page_lists_its_facts(page: Any, site: str) -> None:
    expected = {
        r["f"]["value"]
        for r in _select(
            site,
            f"""SELECT DISTINCT ?f WHERE {{ ?f <{TG}anchor> ?a .
            ?a <http://www.w3.org/ns/oa#hasSource> <{TGID}cfe-suspension-statement> .
            ?f a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c .
            VALUES ?c {{ <{TG}Position> <{TG}Claim> <{TG}Event> <{TG}StatusRecord> }} }}""",
        )
    }
    assert expected
    page.goto(site + "/id/cfe-suspension-statement")
    listed = set(
        page.eval_on_selector_all("#document section.fact", "els => els.map(e => e.dataset.iri)")
    )
    assert expected <= listed
    assert page.locator("#document .coverage").is_visible()


def test_summary_card_and_contents(page: Any, site: str) -> None:
    page.goto(site + "/id/donald-trump")
    card = page.locator("aside.card")
    assert card.is_visible()
    assert card.locator('a[href="http://www.wikidata.org/entity/Q22686"]').is_visible()
    assert card.locator('a[href="/id/vox-inf-article"]').is_visible()
    contents = page.locator("nav.contents")
    assert contents.is_visible()
    contents.get_by_role("link", name="Quotations (1)").click()
    assert page.url.endswith("#facts-quotations")
    assert page.locator("#facts-quotations").is_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_no_page_is_wider_than_its_viewport(browser: Any, site: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        too_wide = {}
        for path in PAGES:
            page.goto(site + path)
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                too_wide[path] = scroll
        assert too_wide == {}, f"wider than {width} px"
    finally:
        context.close()


def test_no_console_errors_or_failed_requests(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        watch = Watch(page)
        for path in PAGES:
            page.goto(site + path)
            page.wait_for_load_state("networkidle")
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("slug", ["russia", "united-states"])
def test_a_states_chart_and_its_table_are_visible(page: Any, site: str, slug: str) -> None:
    page.goto(site + f"/id/{slug}")
    chart = page.locator('#warheads svg.chart[role="img"]')
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert "Nuclear warheads of" in chart.locator("title").first.text_content()
    table = page.locator("#warheads table.series")
    assert table.is_visible()
    assert table.locator('tbody th[scope="row"]', has_text="2023").count() == 1
    for width in (375,):
        page.set_viewport_size({"width": width, "height": 800})
        assert chart.is_visible() and table.is_visible()
