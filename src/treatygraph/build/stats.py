"""``treatygraph stats``: what the graph holds, per named graph and class, and for each document
separately its facts, anchors and mention coverage."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDF

from treatygraph.corpus.documents import Document, Registry
from treatygraph.corpus.mentions import MENTIONS_FILE, Coverage, coverage, read_mentions
from treatygraph.rdf.iris import PREFIXES, TG, TGID, graph_iri


def class_counts(graph: Graph) -> Counter[str]:
    """Instances per class (asserted types only), with classes written as CURIEs."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    counts: Counter[str] = Counter()
    for _, cls in graph.subject_objects(RDF.type):
        counts[graph.namespace_manager.normalizeUri(str(cls))] += 1
    return counts


def mention_coverage(
    registry: Registry, document: Document, labelled: set[str]
) -> tuple[Coverage, list[str]] | str:
    """Coverage of the document's names and links to unknown resources, or why not measured."""
    text = registry.text(document)
    if text is None:
        places = " or ".join(str(p) for p in registry.text_locations(document))
        return f"skipped: no text at {places}"
    path = document.folder / MENTIONS_FILE
    if not path.is_file():
        return f"skipped: no {path}"
    mentions = read_mentions(path)
    dangling = [
        f"{path}:{m.line}: {m.surface!r} links to unknown resource {m.slug!r}"
        for m in mentions
        if m.slug is not None and str(TGID[m.slug]) not in labelled
    ]
    return coverage(text.body, mentions), dangling


def document_stats(
    registry: Registry, document: Document, graph: Graph, labelled: set[str]
) -> dict[str, Any]:
    """Counts for one document's graph: triples, facts per class, anchors, mention coverage."""
    found = mention_coverage(registry, document, labelled)
    stats: dict[str, Any] = {
        "document": str(document.iri),
        "graph": str(graph_iri(document.slug)),
        "issued": document.issued.isoformat(),
        "triples": len(graph),
        "anchors": len(set(graph.subjects(RDF.type, TG.SourceAnchor))),
        "classes": dict(sorted(class_counts(graph).items())),
    }
    if isinstance(found, str):
        stats["mention_coverage"] = found
        return stats
    cov, dangling = found
    stats["mention_coverage"] = {
        "ratio": round(cov.ratio, 4),
        "candidates": len(cov.candidates),
        "uncovered": len(cov.uncovered),
        "uncovered_words": [f"{c.word} at {c.start}" for c in cov.uncovered],
        "linked_surfaces": sum(m.slug is not None for m in cov.mentions),
        "ignored_surfaces": sum(m.slug is None for m in cov.mentions),
        "dangling_links": dangling,
        "unused_surfaces": [m.surface for m in cov.unused],
    }
    return stats
