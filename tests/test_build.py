"""The build: deterministic output, failure that keeps the last good dataset, and the checks
the published graph must pass (shapes, anchors, sidebar, mention coverage)."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.build.compile import BuildResult
from treatygraph.cli import main
from treatygraph.corpus.documents import DocumentText
from treatygraph.corpus.mentions import coverage, read_mentions
from treatygraph.rdf.iris import graph_iri

OA = "http://www.w3.org/ns/oa#"
TGID = "https://w3id.org/treatygraph/id/"


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
    expected = {"vox-inf-article", "cfe-suspension-statement", "background", "ontology"}
    assert {str(graph_iri(n)) for n in expected} <= names


def test_failed_build_keeps_last_good_output(
    root: Path, exported_nquads: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "repo"
    for folder in ("ontology", "shapes", "graph"):
        shutil.copytree(root / folder, copy / folder)
    out = copy / "build" / "treatygraph.nq"
    out.parent.mkdir()
    shutil.copy(exported_nquads, out)  # the last good build: the checkout's, of these sources
    good = out.read_bytes()
    (copy / "graph" / "vox-inf-article" / "zz-broken.ttl").write_text(
        "@prefix tg: <https://w3id.org/treatygraph/ontology#> .\n"
        "<https://w3id.org/treatygraph/id/Bad_Slug> a tg:Person .\n"
    )
    assert main(["--root", str(copy), "build"]) == 1
    assert out.read_bytes() == good


def anchors_from(nquads: Path) -> list[tuple[str, str, int, int]]:
    """(document slug, exact, start, end) of every published anchor, read with SPARQL."""
    store = ox.Store()
    store.load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    rows = store.query(
        f"""PREFIX oa: <{OA}> PREFIX tg: <https://w3id.org/treatygraph/ontology#>
        SELECT ?doc ?exact ?start ?end WHERE {{ GRAPH ?g {{
          ?a a tg:SourceAnchor ; oa:hasSource ?doc ; oa:hasSelector ?q, ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }} }}"""
    )
    return [
        (r["doc"].value[len(TGID) :], r["exact"].value, int(r["start"].value), int(r["end"].value))
        for r in rows
    ]


def test_every_anchor_matches_its_own_document(
    exported_nquads: Path, texts: dict[str, DocumentText]
) -> None:
    anchors = anchors_from(exported_nquads)
    per_document = Counter(a[0] for a in anchors)
    assert set(per_document) == set(texts) and min(per_document.values()) >= 20
    wrong = [
        a for a in anchors if texts[a[0]].text[a[2] : a[3]] != a[1] or a[3] > texts[a[0]].body_end
    ]
    assert wrong == []


def test_anchor_iris_name_their_document(exported_nquads: Path) -> None:
    text = exported_nquads.read_text(encoding="utf-8")
    iris = set(
        re.findall(
            r"<https://w3id\.org/treatygraph/id/(anchor-[a-z0-9-]+?)(?:-quote|-position)?>", text
        )
    )
    assert iris and all(
        re.fullmatch(r"anchor-(vox-inf-article|cfe-suspension-statement)-\d+-\d+", i) for i in iris
    )


def test_nothing_comes_from_the_sidebar(exported_nquads: Path, article: DocumentText) -> None:
    sidebar = article.text[article.body_end :]
    items = [line.strip("- ").strip() for line in sidebar.splitlines() if line.strip()]
    assert "Most Popular" in items and len(items) >= 5
    text = exported_nquads.read_text(encoding="utf-8")
    found = [item for item in items if item in text]
    assert found == []
    # Phrases only the sidebar has (checked by hand) must not appear either.
    for phrase in ("Google Chrome", "crossword", "Democrats", "Cabinet picks", "flashpoint"):
        assert phrase not in text


@pytest.mark.parametrize("slug", ["vox-inf-article", "cfe-suspension-statement"])
def test_mention_coverage_is_complete(
    root: Path, texts: dict[str, DocumentText], built: BuildResult, slug: str
) -> None:
    body = texts[slug].body
    result = coverage(body, read_mentions(root / "graph" / slug / "mentions.tsv"))
    assert [(c.word, c.start) for c in result.uncovered] == []
    assert len(result.candidates) > 10
    assert all(m.slug or m.reason for m in result.mentions)
    labelled = {str(s) for g in built.graphs.values() for s in g.subjects()}
    dangling = [m.slug for m in result.mentions if m.slug and TGID + m.slug not in labelled]
    assert dangling == []
    # The build reports the same coverage for this document.
    (check,) = [c for c in built.documents if c.document.slug == slug]
    assert check.coverage is not None and check.coverage.ratio == 1.0
    assert check.verified == check.anchors > 0 and check.violations == 0
