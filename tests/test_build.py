"""The build: deterministic output, failure that keeps the last good dataset, and the checks
the published graph must pass (shapes, anchors, sidebar, mention coverage)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.build.compile import BuildResult
from treatygraph.cli import main
from treatygraph.corpus.documents import Article
from treatygraph.corpus.mentions import coverage, read_mentions
from treatygraph.rdf.iris import GRAPHS

OA = "http://www.w3.org/ns/oa#"


def test_project_graph_conforms(built: BuildResult) -> None:
    assert built.report is not None
    assert [f"{r.focus} {r.path} {r.message}" for r in built.report.violations] == []


def test_validate_command_agrees(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(root), "validate"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Conforms: 0 violations")


def test_build_is_byte_identical(root: Path, exported_nquads: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.nq"
    assert main(["--root", str(root), "build", "--out", str(again)]) == 0
    assert again.read_bytes() == exported_nquads.read_bytes()
    lines = exported_nquads.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)


def test_named_graphs(exported_nquads: Path) -> None:
    store = ox.Store()
    store.load(path=str(exported_nquads), format=ox.RdfFormat.N_QUADS)
    names = {g.value for g in store.named_graphs()}
    assert {str(GRAPHS[n]) for n in ("article", "background", "ontology")} <= names


def test_failed_build_keeps_last_good_output(root: Path, tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    for folder in ("ontology", "shapes", "graph"):
        shutil.copytree(root / folder, copy / folder)
    out = copy / "build" / "treatygraph.nq"
    assert main(["--root", str(copy), "build"]) == 0
    good = out.read_bytes()
    (copy / "graph" / "article" / "zz-broken.ttl").write_text(
        "@prefix tg: <https://w3id.org/treatygraph/ontology#> .\n"
        "<https://w3id.org/treatygraph/id/Bad_Slug> a tg:Person .\n"
    )
    assert main(["--root", str(copy), "build"]) == 1
    assert out.read_bytes() == good


def anchors_from(nquads: Path) -> list[tuple[str, int, int]]:
    """(exact, start, end) of every published anchor, read with a SPARQL query."""
    store = ox.Store()
    store.load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    rows = store.query(
        f"""PREFIX oa: <{OA}> PREFIX tg: <https://w3id.org/treatygraph/ontology#>
        SELECT ?exact ?start ?end WHERE {{ GRAPH ?g {{
          ?a a tg:SourceAnchor ; oa:hasSelector ?q, ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }} }}"""
    )
    return [(r["exact"].value, int(r["start"].value), int(r["end"].value)) for r in rows]


def test_every_anchor_matches_the_article(exported_nquads: Path, article: Article) -> None:
    anchors = anchors_from(exported_nquads)
    assert len(anchors) >= 100
    wrong = [a for a in anchors if article.text[a[1] : a[2]] != a[0] or a[2] > article.body_end]
    assert wrong == []


def test_nothing_comes_from_the_sidebar(exported_nquads: Path, article: Article) -> None:
    sidebar = article.text[article.body_end :]
    items = [line.strip("- ").strip() for line in sidebar.splitlines() if line.strip()]
    assert "Most Popular" in items and len(items) >= 5
    text = exported_nquads.read_text(encoding="utf-8")
    found = [item for item in items if item in text]
    assert found == []
    # Phrases only the sidebar has (checked by hand) must not appear either.
    for phrase in ("Google Chrome", "crossword", "Democrats", "Cabinet picks", "flashpoint"):
        assert phrase not in text


def test_mention_coverage_is_complete(root: Path, article: Article, built: BuildResult) -> None:
    result = coverage(article.body, read_mentions(root / "graph" / "mentions.tsv"))
    assert [(c.word, c.start) for c in result.uncovered] == []
    assert len(result.candidates) > 100
    labelled = {str(s) for g in built.graphs.values() for s in g.subjects()}
    dangling = [
        m.slug
        for m in result.mentions
        if m.slug and f"https://w3id.org/treatygraph/id/{m.slug}" not in labelled
    ]
    assert dangling == []
