"""Reconciliation against a local stand-in for Wikidata with known answers (fixtures/)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from treatygraph.build.compile import compile_graphs
from treatygraph.corpus.project import Project, read_all
from treatygraph.integration.reconcile import RECONCILED_FILE, SSSOM
from treatygraph.rdf.iris import TGID, WD

from .conftest import free_port, tg

#: (our slug, candidate, candidate label, score) the stand-in must give, in file order.
EXPECTED = [
    ("atlantic-council", "Q900004", "Atlantic Council", "1.00"),  # via P31/P279/P279
    ("john-bolton", "Q900001", "John Bolton", "0.50"),  # two humans share the name;
    ("john-bolton", "Q900002", "John Bolton", "0.50"),  # the film Q900003 is left out
    ("new-start", "Q900007", "New Strategic Arms Reduction Treaty", "0.75"),  # through an alias
]


def read_rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def mark(path: Path, accepted: set[tuple[str, str]], value: str = "yes") -> None:
    """Fill the accept column of the chosen (slug, QID) rows, as a reviewer would."""
    out = []
    for line in path.read_text("utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) == 7 and (cells[0].rsplit("/", 1)[-1], cells[2]) in accepted:
            cells[6] = value
        out.append("\t".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture
def review(checkout: Path, wikidata_standin: str) -> Path:
    path = checkout / "review.tsv"
    assert tg("--root", checkout, "reconcile", "--endpoint", wikidata_standin, "--out", path) == 0
    return path


def test_proposes_the_known_candidates_and_links_nothing(
    review: Path, checkout: Path, wikidata_standin: str
) -> None:
    rows = read_rows(review)
    got = [(r["iri"].rsplit("/", 1)[-1], r["qid"], r["candidate_label"], r["score"]) for r in rows]
    assert got == EXPECTED
    assert all(r["accept"] == "" for r in rows)
    assert rows[1]["description"] == "fixture: American diplomat and national security adviser"
    assert rows[0]["label"] == "Atlantic Council"
    assert f"endpoint={wikidata_standin}" in review.read_text("utf-8").splitlines()[0]
    assert not (checkout / RECONCILED_FILE).exists()


def test_accept_turns_marked_rows_into_links_with_provenance(
    review: Path, checkout: Path, wikidata_standin: str
) -> None:
    mark(review, {("john-bolton", "Q900001"), ("atlantic-council", "Q900004")})
    assert tg("--root", checkout, "reconcile", "--accept", review, "--by", "A. Reviewer") == 0
    graph = read_all([checkout / RECONCILED_FILE])
    bolton, council = URIRef(TGID["john-bolton"]), URIRef(TGID["atlantic-council"])
    assert set(graph.subject_objects(SKOS.exactMatch)) == {
        (bolton, WD.Q900001),
        (council, WD.Q900004),
    }
    (statement,) = graph.subjects(RDF.subject, bolton)
    assert graph.value(statement, RDF.object) == WD.Q900001
    assert graph.value(statement, DCTERMS.creator) == Literal("A. Reviewer")
    assert graph.value(statement, DCTERMS.created).datatype == XSD.dateTime
    assert graph.value(statement, DCTERMS.source) == URIRef(wikidata_standin)
    assert float(graph.value(statement, URIRef(SSSOM + "confidence"))) == 0.5
    # The build picks the file up as part of the alignments graph.
    assert (bolton, SKOS.exactMatch, WD.Q900001) in compile_graphs(Project(checkout))["alignments"]

    # A later review adds to the file; what was accepted before stays; nothing is duplicated.
    again = checkout / "review-2.tsv"
    assert tg("--root", checkout, "reconcile", "--endpoint", wikidata_standin, "--out", again) == 0
    assert "john-bolton" not in again.read_text("utf-8")  # linked now, so not proposed
    mark(again, {("new-start", "Q900007")})
    assert tg("--root", checkout, "reconcile", "--accept", again, "--by", "B. Reviewer") == 0
    assert tg("--root", checkout, "reconcile", "--accept", again, "--by", "B. Reviewer") == 0
    graph = read_all([checkout / RECONCILED_FILE])
    assert len(set(graph.subject_objects(SKOS.exactMatch))) == 3
    assert len(set(graph.subjects(RDF.type, RDF.Statement))) == 3


def test_an_unclear_accept_value_is_refused_with_its_line(
    review: Path, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mark(review, {("new-start", "Q900007")}, value="maybe")
    assert tg("--root", checkout, "reconcile", "--accept", review) == 2
    assert f"{review}:7: accept is 'maybe'" in capsys.readouterr().err
    assert not (checkout / RECONCILED_FILE).exists()


def test_two_items_accepted_for_one_resource_are_refused(
    review: Path, checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mark(review, {("john-bolton", "Q900001"), ("john-bolton", "Q900002")})
    assert tg("--root", checkout, "reconcile", "--accept", review) == 2
    assert "a second accepted item for tgid:john-bolton" in capsys.readouterr().err
    assert not (checkout / RECONCILED_FILE).exists()


def test_an_unreachable_endpoint_fails_cleanly(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = f"http://127.0.0.1:{free_port()}/query"
    out = checkout / "review.tsv"
    assert (
        tg("--root", checkout, "reconcile", "--endpoint", address, "--out", out, "--timeout", "2")
        == 2
    )
    assert f"error: {address}:" in capsys.readouterr().err
    assert not out.exists()
