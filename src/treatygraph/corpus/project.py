"""The project's source tree: where ontology, shapes and graph files live, and how they load.

Paths come from the project root handed in by the caller (the CLI's ``--root``, the app's
config), never from this module's location, so tests can point everything at fixtures.

Named graphs are data: ``ontology/`` is the ontology graph, and every folder under ``graph/``
is a graph of its own name: a folder holding a document record (``graph/<slug>/document.ttl``)
is that document's graph, the others (``background``, ``alignments``) hold what no one document
states. Their IRIs come from :func:`treatygraph.rdf.iris.graph_iri`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from treatygraph.corpus.documents import (
    Registry,
    described_documents,
    document_folders,
    load_registry,
)
from treatygraph.errors import InputError
from treatygraph.rdf.io import add_file, bind_prefixes
from treatygraph.rdf.iris import OA, SLUG_RE, TG, TGID, slug_of

ONTOLOGY = "ontology"  #: the graph of ``ontology/*.ttl``
#: The first line of a file that `treatygraph draft` wrote and no one has reviewed yet.
DRAFT_MARKER = "# DRAFT"
#: Where ``treatygraph import`` writes a checkout's imports, one N-Quads file per graph.
IMPORTS_DIR = Path("imports")


def imported_files(root: Path) -> list[Path]:
    """The import files of a checkout, sorted, for loading beside the built graph (here, not
    in the import pipeline, so that a server can list them without loading the importer)."""
    return sorted((root / IMPORTS_DIR).glob("*.nq"))


class SourceError(InputError):
    """A source that cannot be compiled, with the file and the reason."""


@dataclass(frozen=True)
class Project:
    """The folders of a treatygraph checkout, and the corpus directory its texts are in."""

    root: Path
    corpus: Path | None = None  #: ``--corpus``; None: $TREATYGRAPH_CORPUS or ../shared/sources

    @property
    def ontology_files(self) -> list[Path]:
        return sorted((self.root / "ontology").glob("*.ttl"))

    @property
    def shapes_files(self) -> list[Path]:
        return sorted((self.root / "shapes").glob("*.ttl"))

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    def graph_names(self) -> list[str]:
        """Every named graph of the project: the ontology, then one per folder of ``graph/``."""
        if not self.graph_dir.is_dir():  # a checkout of only an ontology and shapes
            return [ONTOLOGY]
        folders = sorted(p for p in self.graph_dir.iterdir() if p.is_dir())
        for folder in folders:
            if not SLUG_RE.match(folder.name):
                raise SourceError(
                    f"{folder}: every folder under graph/ is a named graph, so its name must be "
                    "a slug (a-z, 0-9, single hyphens)"
                )
        return [ONTOLOGY] + [p.name for p in folders]

    def data_graph_names(self) -> list[str]:
        """The graphs of instance data (all but the ontology)."""
        return [name for name in self.graph_names() if name != ONTOLOGY]

    def document_names(self) -> list[str]:
        """The graphs that are documents' graphs (their folder holds a record)."""
        return [p.name for p in document_folders(self.graph_dir)]

    def registry(self) -> Registry:
        """The registered documents, with the corpus directory their texts are found in."""
        return load_registry(self.root, self.corpus)

    def graph_files(self, name: str) -> list[Path]:
        """Source files of one named graph (``graph/<name>/**/*.ttl``)."""
        return sorted((self.graph_dir / name).rglob("*.ttl"))

    def document_files(self) -> list[Path]:
        """The source files of every document's graph (records and facts)."""
        return [path for name in self.document_names() for path in self.graph_files(name)]

    def drafts(self) -> list[Path]:
        """Files under graph/ still marked as unreviewed drafts."""
        found = []
        for path in sorted(self.graph_dir.rglob("*")):
            if path.suffix in (".ttl", ".tsv") and path.is_file():
                with path.open(encoding="utf-8") as handle:
                    if handle.readline().startswith(DRAFT_MARKER):
                        found.append(path)
        return found


def read_all(paths: list[Path]) -> Graph:
    """Merge several Turtle files into one graph (each checked for syntax first)."""
    merged = bind_prefixes(Graph())
    for path in paths:
        add_file(merged, path)
    return merged


def anchor_iri(document: str, start: int, end: int) -> URIRef:
    """The IRI of the anchor for one span of one document: the same span, the same node."""
    return TGID[f"anchor-{document}-{start}-{end}"]


def expand_anchors(graph: Graph, origin: str, source: URIRef | None = None) -> Graph:
    """Turn compact ``tg:anchor [ oa:exact ... ]`` blocks into Web Annotation anchors.

    The compact block is an authoring convenience; the published graph carries a
    ``tg:SourceAnchor`` with one TextQuoteSelector and one TextPositionSelector. A block names
    its document with ``oa:hasSource``; without it, the anchor is on ``source`` (the document
    whose folder the file is in), or on the one ``tg:SourceDocument`` the files describe.
    """
    compact = [(s, b) for s, b in graph.subject_objects(TG.anchor) if isinstance(b, BNode)]
    if not compact:
        return graph
    if source is None:
        described = described_documents(graph)
        source = described.pop() if len(described) == 1 else None
    for fact, block in compact:
        fields = {
            p: graph.value(block, OA[p])
            for p in ("hasSource", "exact", "prefix", "suffix", "start", "end")
        }
        exact = fields["exact"]
        document = fields["hasSource"] or source
        slug = slug_of(str(document)) if isinstance(document, URIRef) else None
        if slug is None:
            raise SourceError(
                f"{origin}: the anchor of {fact} with quote {str(exact)!r} names no document; "
                "anchors belong in a document's folder (graph/<slug>/) or say oa:hasSource"
            )
        if fields["start"] is None or fields["end"] is None:
            raise SourceError(
                f"{origin}: anchor of {fact} with quote {str(exact)!r} has no offsets; "
                "run `treatygraph anchor`"
            )
        start, end = int(str(fields["start"])), int(str(fields["end"]))
        node = anchor_iri(slug, start, end)
        quote = URIRef(f"{node}-quote")
        position = URIRef(f"{node}-position")
        graph.remove((block, None, None))
        graph.remove((fact, TG.anchor, block))
        graph.add((fact, TG.anchor, node))
        graph.add((node, RDF.type, TG.SourceAnchor))
        graph.add((node, OA.hasSource, URIRef(str(document))))
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
    if name == ONTOLOGY:
        return read_all(project.ontology_files)
    graph = read_all(project.graph_files(name))
    source = TGID[name] if name in project.document_names() else None
    return expand_anchors(graph, f"graph/{name}", source)


def load_data(project: Project) -> Graph:
    """Every graph of instance data merged (what the shapes validate)."""
    data = bind_prefixes(Graph())
    for name in project.data_graph_names():
        data += load_graph(project, name)
    return data


def load_files(paths: list[Path]) -> Graph:
    """Compile arbitrary source files (for ``treatygraph validate FILES``)."""
    return expand_anchors(read_all(paths), ", ".join(str(p) for p in paths))
