"""Drafting: each proposal rule on a text written for the test (expected answers by hand), the
scores, and the figures docs/authoring.md records for the two documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from treatygraph.cli import main
from treatygraph.corpus.documents import Document, DocumentText
from treatygraph.corpus.evaluation import Score, score_mentions
from treatygraph.corpus.mentions import Mention
from treatygraph.corpus.proposals import Names, propose_dates, propose_mentions, propose_quotes

TEXT = (
    "Foreign Minister Ana Lopez met Russia’s envoy on Saturday. “The talks went well,” said "
    "Ana Lopez, a diplomat. “We will meet again,” she added.\n"
    "“Nothing was agreed,” a senior official told me. Three months ago the Kremln called the "
    "plan “a trap.” In 2014 the Kremlin said the treaty was “dead.” Lopez called it “alive.”\n"
)
NAMES = {"Russia": "russia", "Kremlin": "kremlin", "Ana Lopez": "ana-lopez"}


def text_of(body: str = TEXT) -> DocumentText:
    document = Document(
        slug="test-doc",
        record=Path("graph/test-doc/document.ttl"),
        title="T",
        url="https://example.org/t",
        publisher="https://w3id.org/treatygraph/id/p",
        creator=None,
        genre=None,
        language="en",
        issued=dt.date(2020, 6, 15),  # a Monday
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        body_end=len(body),
        rights="test",
        text_file="t.txt",
        redistributable=False,
    )
    return DocumentText(document, Path("t.txt"), body)


def test_quotations_and_their_speakers() -> None:
    quotes = propose_quotes(text_of(), Names(NAMES))
    assert [(q.text, q.speaker) for q in quotes] == [
        ("The talks went well,", "ana-lopez"),  # "…,” said Ana Lopez"
        ("We will meet again,", "ana-lopez"),  # "she added": the paragraph's first name
        ("Nothing was agreed,", "senior-official"),  # "…,” a senior official told me": new
        ("a trap.", "kremlin"),  # "the Kremln called": a near miss for Kremlin
        ("dead.", "kremlin"),  # "the Kremlin said"
        ("alive.", "ana-lopez"),  # "Lopez called": the fuller name in the text
    ]
    assert all(TEXT[q.start : q.end] == q.text for q in quotes)
    assert "near miss for 'kremlin'" in quotes[3].basis


def test_mentions() -> None:
    found = {(m.surface, m.slug, m.kind) for m in propose_mentions(text_of(), Names(NAMES))}
    assert found == {
        ("Foreign Minister", "foreign-minister", "new"),  # the title before a known name
        ("Ana Lopez", "ana-lopez", "label"),
        ("Russia", "russia", "label"),  # "Russia’s"
        ("Saturday", None, "ignored"),  # a date word
        ("We", None, "ignored"),  # a pronoun
        ("Nothing", None, "ignored"),  # capitalised because it starts a sentence
        ("Three", None, "ignored"),
        ("In", None, "ignored"),
        ("Kremln", "kremlin", "near miss"),  # rapidfuzz: ratio 92 for "kremlin"
        ("Kremlin", "kremlin", "label"),
        ("Lopez", "ana-lopez", "new"),  # unknown alone: the fuller name's slug is proposed
    }


def test_dates_resolve_against_the_publication_date() -> None:
    found = [
        (d.phrase, d.value, d.datatype, d.basis)
        for d in propose_dates(text_of(), dt.date(2020, 6, 15), "en")
    ]
    assert found == [
        ("on Saturday", "2020-06-13", "date", "RelativeToPublication"),
        ("Three months ago", "2020-03", "gYearMonth", "RelativeToPublication"),
        ("In 2014", "2014", "gYear", "StatedDate"),
    ]


def test_scores() -> None:
    """Two linked words and one ignored word curated; the draft gets one right, calls the
    ignored one an entity, and proposes a new entity for one that really is new."""
    body = "Alpha met Beta and Gamma. Delta"
    curated = [
        Mention("Alpha", "alpha", "", 2),
        Mention("Beta", "beta", "", 3),
        Mention("Gamma", None, "ignored", 4),
        Mention("Delta", "delta", "", 5),
    ]
    from treatygraph.corpus.proposals import MentionProposal

    drafted = [
        MentionProposal("Alpha", 0, 5, "alpha", "label", ""),
        MentionProposal("Beta", 10, 14, "gamma", "near miss", ""),
        MentionProposal("Gamma", 19, 24, "gamma", "label", ""),
        MentionProposal("Delta", 26, 31, "delta-x", "new", ""),
    ]
    score = score_mentions(drafted, body, curated, known={"alpha", "beta", "gamma"})
    # right: Alpha, Delta (new, and delta is not known); proposed: 4; curated linked: 3.
    assert score == Score(2, 4, 2, 3)
    assert (score.precision, score.recall) == (0.5, 2 / 3)
    assert score.show() == "precision 50% (2/4), recall 67% (2/3)"


def test_the_figures_in_the_docs_are_the_commands(
    root: Path, texts: dict[str, DocumentText], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(root), "draft", "--evaluate"]) == 0
    printed = capsys.readouterr().out
    docs = (root / "docs" / "authoring.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(cfe-suspension-statement:\n.*?)```", docs, flags=re.S)
    assert block is not None, "docs/authoring.md has no block of `draft --evaluate` output"
    assert block.group(1) == printed


def test_a_draft_never_overwrites(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "draft"
    out.mkdir()
    (out / "draft.ttl").write_text("reviewed work\n")
    args = ["--root", str(root), "draft", "cfe-suspension-statement", "--out", str(out)]
    assert main(args) == 2
    assert (out / "draft.ttl").read_text() == "reviewed work\n"
    assert main([*args, "--force"]) == 0
    assert (out / "draft.ttl").read_text().startswith("# DRAFT")
