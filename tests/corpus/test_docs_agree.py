"""The numbers docs/graph.md states are the data's (point 9 of issue #10: docs that disagreed
with the data, the think-tank typing and the span count, are found by this test)."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from treatygraph.build.compile import BuildResult
from treatygraph.rdf.iris import OA, TG


def stated(root: Path) -> dict[str, str]:
    text = (root / "docs" / "graph.md").read_text(encoding="utf-8")
    section = text.split("## Numbers this page relies on", 1)[1]
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", section, flags=re.M)
    return {what: value for what, value in rows if what not in ("what", "---")}


def measured(built: BuildResult) -> dict[str, str]:
    data = built.data()
    slugs = [check.document.slug for check in built.documents]
    values = {"registered documents": str(len(slugs))}
    for slug in slugs:
        graph: Graph = built.graphs[slug]
        values[f"distinct anchor spans, {slug}"] = str(
            len(set(graph.subjects(RDF.type, TG.SourceAnchor)))
        )
        values[f"quotations, {slug}"] = str(len(set(graph.subjects(RDF.type, TG.Quotation))))
    values["think tanks (tg:ThinkTank)"] = ", ".join(
        sorted(str(data.value(t, RDFS.label)) for t in data.subjects(RDF.type, TG.ThinkTank))
    )
    both = []
    for entity in set(data.subjects(RDFS.label)):
        sources = {data.value(a, OA.hasSource) for a in data.objects(entity, TG.anchor)}
        if len(sources) > 1:
            both.append(str(data.value(entity, RDFS.label)))
    values["resources anchored in both documents"] = ", ".join(sorted(both))
    return values


def test_graph_md_states_the_data(root: Path, built: BuildResult) -> None:
    assert stated(root) == measured(built)


def test_prose_agrees_on_think_tanks(root: Path, built: BuildResult) -> None:
    """No page says an organisation is typed tg:ThinkTank that the data does not type so."""
    think_tanks = measured(built)["think tanks (tg:ThinkTank)"].split(", ")
    assert think_tanks == ["Atlantic Council"]
    for page in ("graph.md", "authoring.md"):
        text = (root / "docs" / page).read_text(encoding="utf-8")
        for name in ("Center for a New American Security", "Hudson Institute"):
            claims = re.findall(rf"{name}[^.]*?typed `tg:ThinkTank`", text)
            assert claims == [], (page, claims)
