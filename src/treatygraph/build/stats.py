"""``treatygraph stats``: what the graph holds, per class and per named graph, and how much of
the article's proper names it covers."""

from __future__ import annotations

import argparse
import json
from collections import Counter

from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from treatygraph.build.compile import compile_graphs
from treatygraph.corpus.documents import default_article_path, find_article
from treatygraph.corpus.mentions import MENTIONS_FILE, Coverage, coverage, read_mentions
from treatygraph.corpus.project import Project
from treatygraph.rdf.iris import GRAPHS, PREFIXES, TGID


def class_counts(graph: Graph) -> Counter[str]:
    """Instances per class (asserted types only), with classes written as CURIEs."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    counts: Counter[str] = Counter()
    for _, cls in graph.subject_objects(RDF.type):
        counts[graph.namespace_manager.normalizeUri(str(cls))] += 1
    return counts


def mention_coverage(project: Project, graphs: dict[str, Graph]) -> tuple[Coverage, list[str]]:
    """Coverage of the article's names, and linked slugs that name no resource in the graph."""
    article = find_article(project.root)
    if article is None:
        raise FileNotFoundError(default_article_path(project.root))
    mentions = read_mentions(project.root / MENTIONS_FILE)
    labelled = set()
    for graph in graphs.values():
        labelled |= {str(s) for s in graph.subjects(RDFS.label)}
    dangling = [
        f"{MENTIONS_FILE}:{m.line}: {m.surface!r} links to unknown resource {m.slug!r}"
        for m in mentions
        if m.slug is not None and str(TGID[m.slug]) not in labelled
    ]
    return coverage(article.body, mentions), dangling


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON")
    parser.add_argument(
        "--uncovered", action="store_true", help="list capitalised words no mention covers"
    )


def run(args: argparse.Namespace) -> int:
    project = Project(args.root)
    graphs = compile_graphs(project)
    data = graphs["article"] + graphs["background"] + graphs["alignments"]
    stats: dict[str, object] = {
        "graphs": {str(GRAPHS[name]): len(g) for name, g in graphs.items()},
        "classes": dict(sorted(class_counts(data).items())),
    }
    cov: Coverage | None
    try:
        cov, dangling = mention_coverage(project, graphs)
    except FileNotFoundError as exc:
        stats["mention_coverage"] = f"skipped: no article at {exc}"
        cov, dangling = None, []
    if cov is not None:
        stats["mention_coverage"] = {
            "ratio": round(cov.ratio, 4),
            "candidates": len(cov.candidates),
            "uncovered": len(cov.uncovered),
            "linked_surfaces": sum(m.slug is not None for m in cov.mentions),
            "ignored_surfaces": sum(m.slug is None for m in cov.mentions),
            "dangling_links": dangling,
            "unused_surfaces": [m.surface for m in cov.unused],
        }
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        _print_text(stats, cov)
    if args.uncovered and cov is not None:
        for c in cov.uncovered:
            print(f"uncovered: {c.word!r} at {c.start}")
    return 1 if dangling else 0


def _print_text(stats: dict[str, object], cov: Coverage | None) -> None:
    print("Triples per named graph:")
    for name, n in stats["graphs"].items():  # type: ignore[attr-defined]
        print(f"  {n:>7}  {name}")
    print("Instances per class (article, background and alignments graphs):")
    for name, n in stats["classes"].items():  # type: ignore[attr-defined]
        print(f"  {n:>7}  {name}")
    if cov is None:
        print(f"Mention coverage: {stats['mention_coverage']}")
        return
    info = stats["mention_coverage"]
    print(
        f"Mention coverage: {cov.ratio:.1%} ({len(cov.candidates) - len(cov.uncovered)}"
        f"/{len(cov.candidates)} proper-name words covered; "
        f"{info['linked_surfaces']} surfaces linked, {info['ignored_surfaces']} ignored)"  # type: ignore[index]
    )
    for line in info["dangling_links"]:  # type: ignore[index]
        print(f"  error: {line}")
