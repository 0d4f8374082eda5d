"""A third document without any code change (Must-show 4 of issue #10): register, draft,
review (this test is the reviewer), build and query, in a copy of the checkout.

The text was written for this test and is dedicated to the public domain (CC0); the talks it
reports are invented. Hand-checked: published Wednesday 2023-12-06, so "On Monday" is
2023-12-04; "March 2024" is stated; the one quotation is Alex Morgan's ("said Alex Morgan").
Five anchors (the quotation, two dated sentences, two new entities: Alex Morgan and Geneva) and
eleven proper-name words: Monday, United, States, Russia, Geneva, New, START, We, Alex, Morgan,
March ("On" and "The" start sentences and occur in lower case).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.cli import main

TEXT = (
    "On Monday, the United States and Russia held talks in Geneva on the New START treaty. "
    "“We will keep talking,” said Alex Morgan, a spokesperson for the delegation. "
    "The next round is planned for March 2024.\n"
)
SLUG = "geneva-talks-statement"


def tg(repo: Path, corpus: Path, *args: object) -> int:
    return main(["--root", str(repo), "--corpus", str(corpus), *map(str, args)])


def review(folder: Path) -> None:
    """What a person does with the draft: check each fact, fix what is wrong, unmark it."""
    draft = folder / "draft.ttl"
    text = draft.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT")
    text = text.split("\n", 1)[1]
    # The new-entity candidates get their classes.
    text = text.replace("tgid:alex-morgan a tg:Agent", "tgid:alex-morgan a tg:Person")
    text = text.replace("tgid:geneva a tg:Agent", "tgid:geneva a tg:City")
    # The dated stubs say what happened.
    text = re.sub(
        r'tgid:event-geneva-talks-statement-1 a tg:Event ;\n    rdfs:label "[^"]*"',
        "tgid:event-geneva-talks-statement-1 a tg:Meeting ;\n"
        '    rdfs:label "Talks in Geneva on New START (2023-12-04)" ;\n'
        "    tg:participant tgid:united-states, tgid:russia ;\n"
        "    tg:place tgid:geneva ;\n"
        "    tg:agreement tgid:new-start",
        text,
    )
    text = re.sub(
        r'(tgid:event-geneva-talks-statement-2 a tg:Event ;\n    rdfs:label )"[^"]*"',
        r'\1"Next round of talks (planned for March 2024)"',
        text,
    )
    draft.write_text(text, encoding="utf-8")
    mentions = folder / "mentions.tsv"
    mentions.write_text(mentions.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")


def test_a_third_document(
    checkout: Path, corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "geneva.txt"
    source.write_text(TEXT, encoding="utf-8")
    assert (
        tg(
            checkout,
            corpus_dir,
            "register",
            source,
            "--slug",
            SLUG,
            "--title",
            "Statement on the Geneva talks",
            "--url",
            "https://example.org/geneva-talks",
            "--publisher",
            "Example Delegation",
            "--date",
            "2023-12-06",
            "--language",
            "en",
            "--genre",
            "official statement",
            "--redistributable",
            "--rights",
            "Written for a test and dedicated to the public domain (CC0 1.0).",
        )  # fmt: skip
        == 0
    )
    assert (checkout / "corpus" / "geneva.txt").read_text(encoding="utf-8") == TEXT
    assert tg(checkout, corpus_dir, "draft", SLUG) == 0
    folder = checkout / "graph" / SLUG
    draft = (folder / "draft.ttl").read_text(encoding="utf-8")
    # The draft proposes what the text holds, each anchored (checked by hand against TEXT).
    assert 'tg:quotedText "We will keep talking," ;\n    tg:speaker tgid:alex-morgan ;' in draft
    assert 'tg:date "2023-12-04"^^xsd:date ;\n    tg:datePhrase "On Monday" ;' in draft
    assert 'tg:date "2024-03"^^xsd:gYearMonth ;\n    tg:datePhrase "March 2024" ;' in draft
    assert (
        "tg:dateBasis tg:StatedDate" in draft and "tg:dateBasis tg:RelativeToPublication" in draft
    )
    mentions = (folder / "mentions.tsv").read_text(encoding="utf-8")
    for line in ("United States\tunited-states\t", "Russia\trussia\t", "New START\tnew-start\t",
                 "Geneva\tgeneva\tNEW ENTITY", "Alex Morgan\talex-morgan\tNEW ENTITY",
                 "Monday\t-\tdate word", "March\t-\tdate word"):  # fmt: skip
        assert line in mentions
    # Unreviewed, it is refused.
    capsys.readouterr()
    assert tg(checkout, corpus_dir, "build") == 1
    assert "unreviewed draft file(s)" in capsys.readouterr().err
    review(folder)
    out = checkout / "build" / "treatygraph.nq"
    assert tg(checkout, corpus_dir, "build", "--out", out) == 0
    report = capsys.readouterr().err
    assert (
        f"{SLUG}: anchors verified 5/5, mention coverage 100.0% (11/11), shapes conform" in report
    )
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    rows = store.query(
        """PREFIX tg: <https://w3id.org/treatygraph/ontology#>
        SELECT ?who ?said ?date ?where WHERE {
          GRAPH <https://w3id.org/treatygraph/graph/geneva-talks-statement> {
            ?q a tg:Quotation ; tg:speaker ?who ; tg:quotedText ?said .
            ?talks a tg:Meeting ; tg:date ?date ; tg:place ?where ; tg:participant ?russia .
          }
          FILTER(?russia = <https://w3id.org/treatygraph/id/russia>)
        }""",
        use_default_graph_as_union=True,
    )
    assert [[t.value for t in row] for row in rows] == [
        [
            "https://w3id.org/treatygraph/id/alex-morgan",
            "We will keep talking,",
            "2023-12-04",
            "https://w3id.org/treatygraph/id/geneva",
        ]
    ]
