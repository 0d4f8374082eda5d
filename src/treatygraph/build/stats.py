"""``treatygraph stats``: what the graph holds, per class and per named graph, and how much of
the article's proper names it covers."""

from __future__ import annotations

from collections import Counter

from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from treatygraph.corpus.documents import default_article_path, find_article
from treatygraph.corpus.mentions import MENTIONS_FILE, Coverage, coverage, read_mentions
from treatygraph.corpus.project import Project
from treatygraph.rdf.iris import PREFIXES, TGID


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
