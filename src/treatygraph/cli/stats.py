"""``treatygraph stats``: counts per class and named graph, and each document's mention coverage."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDFS

from treatygraph.build.compile import compile_graphs
from treatygraph.build.stats import class_counts, document_stats
from treatygraph.corpus.project import ONTOLOGY, Project
from treatygraph.integration.imports import imported_graph_counts
from treatygraph.rdf.iris import graph_iri


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON")
    parser.add_argument(
        "--uncovered", action="store_true", help="list capitalised words no mention covers"
    )


def run(args: argparse.Namespace) -> int:
    project = Project(args.root, args.corpus)
    registry = project.registry()
    graphs = compile_graphs(project)
    data = Graph()
    for name, graph in graphs.items():
        if name != ONTOLOGY:
            data += graph
    labelled = {str(s) for s in data.subjects(RDFS.label)}
    stats: dict[str, Any] = {
        # the project's graphs and the imports: the dataset the server serves
        "graphs": {
            **{str(graph_iri(name)): len(g) for name, g in graphs.items()},
            **imported_graph_counts(args.root),
        },
        "classes": dict(sorted(class_counts(data).items())),
        "documents": {
            d.slug: document_stats(registry, d, graphs[d.slug], labelled) for d in registry
        },
    }
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        _print_text(stats, args.uncovered)
    dangling = [
        line
        for d in stats["documents"].values()
        if isinstance(d["mention_coverage"], dict)
        for line in d["mention_coverage"]["dangling_links"]
    ]
    return 1 if dangling else 0


def _print_text(stats: dict[str, Any], uncovered: bool) -> None:
    print("Triples per named graph:")
    for name, n in stats["graphs"].items():
        print(f"  {n:>7}  {name}")
    print("Instances per class (every graph but the ontology):")
    for name, n in stats["classes"].items():
        print(f"  {n:>7}  {name}")
    for slug, doc in stats["documents"].items():
        print(f"Document {slug} ({doc['issued']}), graph {doc['graph']}:")
        print(f"  {doc['triples']:>7}  triples")
        print(f"  {doc['anchors']:>7}  anchors (distinct spans)")
        for name, n in doc["classes"].items():
            if name.startswith("tg:") and name != "tg:SourceAnchor":
                print(f"  {n:>7}  {name}")
        info = doc["mention_coverage"]
        if isinstance(info, str):
            print(f"  mention coverage: {info}")
            continue
        covered = info["candidates"] - info["uncovered"]
        print(
            f"  mention coverage: {info['ratio']:.1%} ({covered}/{info['candidates']} proper-name "
            f"words covered; {info['linked_surfaces']} surfaces linked, "
            f"{info['ignored_surfaces']} ignored)"
        )
        for line in info["dangling_links"]:
            print(f"  error: {line}")
        if uncovered:
            for word in info["uncovered_words"]:
                print(f"  uncovered: {word}")
