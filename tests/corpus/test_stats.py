"""``treatygraph stats`` reports each document separately: its graph, date, facts, anchors and
mention coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from treatygraph.build.compile import BuildResult
from treatygraph.cli import main
from treatygraph.corpus.documents import DocumentText
from treatygraph.rdf.iris import TG

GRAPH = "https://w3id.org/treatygraph/graph/"


def test_stats_per_document(
    root: Path,
    built: BuildResult,
    texts: dict[str, DocumentText],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--root", str(root), "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    docs = stats["documents"]
    assert set(docs) == {"vox-inf-article", "cfe-suspension-statement"}
    for slug, doc in docs.items():
        graph = built.graphs[slug]
        assert doc["graph"] == GRAPH + slug and doc["triples"] == len(graph)
        assert doc["triples"] == stats["graphs"][GRAPH + slug]
        assert doc["anchors"] == len(set(graph.subjects(predicate=None, object=TG.SourceAnchor)))
        assert doc["mention_coverage"]["ratio"] == 1.0
        assert doc["mention_coverage"]["dangling_links"] == []
    assert docs["vox-inf-article"]["issued"] == "2018-10-22"
    assert docs["cfe-suspension-statement"]["issued"] == "2023-11-07"
    # Eighteen quotations in the Vox article (every “…” of its body), none in the statement.
    assert docs["vox-inf-article"]["classes"]["tg:Quotation"] == 18
    assert "tg:Quotation" not in docs["cfe-suspension-statement"]["classes"]
    assert main(["--root", str(root), "stats"]) == 0
    text = capsys.readouterr().out
    assert "Document cfe-suspension-statement (2023-11-07), graph " + GRAPH in text
    assert "  mention coverage: 100.0% (66/66 proper-name words covered" in text
