"""The project's source tree: where ontology, shapes and graph files live, and how they load.

Paths come from the project root handed in by the caller (the CLI's ``--root``, the app's
config), never from this module's location, so tests can point everything at fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from treatygraph.errors import InputError
from treatygraph.rdf.io import bind_prefixes, read_graph
from treatygraph.rdf.iris import GRAPHS, OA, TG, TGID


class SourceError(InputError):
    """A source that cannot be compiled, with the file and the reason."""


@dataclass(frozen=True)
class Project:
    """The folders of a treatygraph checkout."""

    root: Path

    @property
    def ontology_files(self) -> list[Path]:
        return sorted((self.root / "ontology").glob("*.ttl"))

    @property
    def shapes_files(self) -> list[Path]:
        return sorted((self.root / "shapes").glob("*.ttl"))

    def graph_files(self, name: str) -> list[Path]:
        """Source files of one named graph (``graph/<name>/**/*.ttl``)."""
        return sorted((self.root / "graph" / name).rglob("*.ttl"))

    @property
    def all_source_files(self) -> list[Path]:
        files = self.ontology_files + self.shapes_files
        for name in GRAPHS:
            if name != "ontology":
                files += self.graph_files(name)
        return files


def read_all(paths: list[Path]) -> Graph:
    """Merge several Turtle files into one graph (each checked for syntax first)."""
    merged = bind_prefixes(Graph())
    for path in paths:
        for triple in read_graph(path):
            merged.add(triple)
    return merged


def anchor_iri(start: int, end: int) -> URIRef:
    """The IRI of the anchor for one span: the same span always gets the same node."""
    return TGID[f"anchor-{start}-{end}"]


def expand_anchors(graph: Graph, origin: str) -> Graph:
    """Turn compact ``tg:anchor [ oa:exact ... ]`` blocks into Web Annotation anchors.

    The compact block is an authoring convenience; the published graph carries a
    ``tg:SourceAnchor`` with one TextQuoteSelector and one TextPositionSelector.
    """
    compact = [(s, b) for s, b in graph.subject_objects(TG.anchor) if isinstance(b, BNode)]
    if not compact:
        return graph
    documents = set(graph.subjects(RDF.type, TG.SourceDocument))
    if len(documents) != 1:
        raise SourceError(
            f"{origin}: compact anchors need exactly one tg:SourceDocument, found {len(documents)}"
        )
    (document,) = documents
    for fact, block in compact:
        fields = {
            p: graph.value(block, OA[p]) for p in ("exact", "prefix", "suffix", "start", "end")
        }
        exact = fields["exact"]
        if fields["start"] is None or fields["end"] is None:
            raise SourceError(
                f"{origin}: anchor of {fact} with quote {str(exact)!r} has no offsets; "
                "run `treatygraph anchor`"
            )
        start, end = int(str(fields["start"])), int(str(fields["end"]))
        node = anchor_iri(start, end)
        quote = URIRef(f"{node}-quote")
        position = URIRef(f"{node}-position")
        graph.remove((block, None, None))
        graph.remove((fact, TG.anchor, block))
        graph.add((fact, TG.anchor, node))
        graph.add((node, RDF.type, TG.SourceAnchor))
        graph.add((node, OA.hasSource, document))
        graph.add((node, OA.hasSelector, quote))
        graph.add((node, OA.hasSelector, position))
        graph.add((quote, RDF.type, OA.TextQuoteSelector))
        graph.add((quote, OA.exact, Literal(str(exact))))
        for key in ("prefix", "suffix"):
            if fields[key] is not None:
                graph.add((quote, OA[key], Literal(str(fields[key]))))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
        graph.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    return graph


def load_graph(project: Project, name: str) -> Graph:
    """Compile the sources of one named graph into RDF."""
    if name == "ontology":
        return read_all(project.ontology_files)
    graph = read_all(project.graph_files(name))
    return expand_anchors(graph, f"graph/{name}")


def load_files(paths: list[Path]) -> Graph:
    """Compile arbitrary source files (for ``treatygraph validate FILES``)."""
    return expand_anchors(read_all(paths), ", ".join(str(p) for p in paths))
