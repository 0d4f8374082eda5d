"""Headless Chromium against a live server: the query page, and following links from the
home page to a person, a treaty and a quotation with its highlighted source sentence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from treatygraph.corpus.project import Project

pytestmark = [pytest.mark.live, pytest.mark.browser]

TRUMP_QUOTE = (
    "[W]e’re not going to let them violate a nuclear agreement and go out and do "
    "weapons, and we’re not allowed to,"
)


def test_a_run_an_example_query(page: Any, live_server: str, artifacts: Path, root: Path) -> None:
    question = root / "examples" / "queries" / "01-who-argues-for-leaving-inf.rq"
    title = question.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
    page.goto(live_server + "/")
    page.select_option("#examples", label=title)
    assert "option-us-withdraws-from-inf-treaty" in page.input_value("#query")
    page.click("#run")
    rows = page.locator("#results table tbody tr")
    rows.first.wait_for()
    # The hand-checked answer (examples/queries/01-...expected.tsv): 9 rows, 7 holders.
    assert rows.count() == 9
    assert "result(s)" in page.inner_text("#status")
    holders = set(page.locator("#results table tbody tr td:nth-child(1)").all_inner_texts())
    assert len(holders) == 7
    assert "Donald Trump" in holders  # shown by its rdfs:label, not its IRI
    # Resource cells link to their local pages.
    link = page.locator("#results table tbody tr td:nth-child(1) a").first
    assert "/id/" in (link.get_attribute("href") or "")
    page.screenshot(path=str(artifacts / "browser-a-query.png"), full_page=True)


def _follow(page: Any, *texts: str) -> None:
    for text in texts:
        with page.expect_navigation():
            page.get_by_role("link", name=text, exact=True).first.click()


def test_b_follow_links_to_a_person_a_treaty_and_a_quotation(
    page: Any, live_server: str, artifacts: Path, root: Path
) -> None:
    page.goto(live_server + "/")
    _follow(page, "indexes", "People", "Donald Trump")
    assert page.inner_text("h1") == "Donald Trump"
    assert page.url.endswith("/id/donald-trump")
    marks = page.locator("mark").all_inner_texts()
    assert TRUMP_QUOTE in marks
    page.screenshot(path=str(artifacts / "browser-b-person.png"), full_page=True)

    page.goto(live_server + "/")
    _follow(page, "indexes", "Treaties and agreements", "Intermediate-Range Nuclear Forces Treaty")
    assert page.inner_text("h1") == "Intermediate-Range Nuclear Forces Treaty"
    assert page.locator("mark").count() > 0
    page.screenshot(path=str(artifacts / "browser-b-treaty.png"), full_page=True)

    page.goto(live_server + "/")
    _follow(
        page,
        "indexes",
        "Quotations",
        "Trump aboard Air Force One: we’re not going to let them violate a nuclear agreement",
    )
    assert page.url.endswith("/id/quote-trump-air-force-one")
    source = page.locator("#source blockquote.source").first
    assert source.locator("mark").inner_text() == TRUMP_QUOTE
    sentence = source.inner_text()
    registry = Project(root).registry()
    if registry.text(registry.get("vox-inf-article")) is not None:
        # graph/vox-inf-article/quotations.ttl + the article: the quote sits in this sentence
        assert "Trump told reporters aboard Air Force One" in sentence
    else:
        # a bare clone: the stored oa:prefix/oa:suffix ("administration has had enough. “",
        # "” Trump told reporters aboard Ai"), cut back to whole words
        assert "…has had enough. “" in sentence and "” Trump told reporters aboard…" in sentence
        assert "aboard Ai…" not in sentence
    page.screenshot(path=str(artifacts / "browser-b-quotation.png"), full_page=True)
