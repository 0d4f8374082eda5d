"""``treatygraph import``: load another dataset into its own named graph, checked and traced.

An import lives in ``imports/<NAME>.nq``: the data in graph ``tgg:<NAME>`` and its provenance
(source, retrieval time, SHA-256 of the bytes, row and triple counts) in ``tgg:<NAME>-provenance``.
The file is written in one rename after fetching, parsing, mapping, entity matching and SHACL
validation all succeeded, so a failed import changes nothing and a re-import replaces the graph
whole. The server loads these files beside the built graph (:func:`imported_files`). Reading a
source (fetching, parsing, progress) is :mod:`treatygraph.integration.fetch`'s.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from treatygraph.build.artifact import project_graphs
from treatygraph.build.compile import write_atomically
from treatygraph.build.validate import Result, validate
from treatygraph.corpus.project import Project, read_all
from treatygraph.integration.fetch import Fetched, ImportFailure, Progress, fetch, parse_rdf
from treatygraph.integration.mapping import Mapping, MappingError, convert, load_mapping
from treatygraph.rdf.io import bind_prefixes
from treatygraph.rdf.iris import GRAPHS, SCHEMA, SLUG_RE, TGG, TGID, VOID

__all__ = [
    # re-exported: they moved to importsource
    "Fetched",
    "ImportFailure",
    "Progress",
    "fetch",
    "parse_rdf",
    "IMPORTS_DIR",
    "PROVENANCE_SUFFIX",
    "SPDX",
    "DEFAULT_TIMEOUT",
    "SAME_AS",
    "graph_iri",
    "provenance_iri",
    "import_path",
    "imported_files",
    "check_name",
    "external_links",
    "link_entities",
    "context_of",
    "violations_of",
    "provenance",
    "nquads",
    "ImportResult",
    "import_source",
]

IMPORTS_DIR = Path("imports")
PROVENANCE_SUFFIX = "-provenance"
SPDX = "http://spdx.org/rdf/terms#"
DEFAULT_TIMEOUT = 30.0

#: Predicates by which an imported node says which outside item it is.
SAME_AS = (OWL.sameAs, SKOS.exactMatch, SCHEMA.sameAs, URIRef("http://schema.org/sameAs"))


def graph_iri(name: str) -> URIRef:
    return TGG[name]


def provenance_iri(name: str) -> URIRef:
    return TGG[name + PROVENANCE_SUFFIX]


def import_path(root: Path, name: str) -> Path:
    return root / IMPORTS_DIR / f"{name}.nq"


def imported_files(root: Path) -> list[Path]:
    """The import files of a checkout, sorted, for loading beside the built graph."""
    return sorted((root / IMPORTS_DIR).glob("*.nq"))


def check_name(name: str) -> None:
    """A graph name is a slug, not one of the project's graphs, and not a provenance graph."""
    if not SLUG_RE.match(name):
        raise ImportFailure(f"--graph {name!r}: use lowercase letters, digits and single hyphens")
    if name in GRAPHS:
        raise ImportFailure(f"--graph {name!r} is one of the project's own graphs")
    if name.endswith(PROVENANCE_SUFFIX):
        raise ImportFailure(
            f"--graph {name!r}: names ending in {PROVENANCE_SUFFIX!r} are "
            "reserved for the provenance graphs"
        )


# ------------------------------------------------------------------ matching, checking, writing


def external_links(alignments: Graph) -> dict[URIRef, URIRef]:
    """Outside item -> our resource, from the identity links of the alignments graph."""
    links: dict[URIRef, URIRef] = {}
    for predicate in (SKOS.exactMatch, OWL.sameAs):
        for ours, item in alignments.subject_objects(predicate):
            if str(ours).startswith(str(TGID)) and isinstance(item, URIRef):
                links[item] = ours  # type: ignore[assignment]
    return links


def link_entities(graph: Graph, links: dict[URIRef, URIRef]) -> int:
    """Add ``node skos:exactMatch ours`` for imported nodes that share an outside identifier."""
    added = set()
    for predicate in SAME_AS:
        for node, item in list(graph.subject_objects(predicate)):
            if item in links and not str(node).startswith(str(TGID)):
                added.add((node, links[item]))  # type: ignore[index]
    for item, ours in links.items():  # the outside item used directly as a node
        if (item, None, None) in graph:
            added.add((item, ours))
    for node, ours in added:
        graph.add((node, SKOS.exactMatch, ours))
    return len(added)


def context_of(data: Graph, base: Graph) -> Graph:
    """What validation needs of the project graph to judge the import.

    All triples of our resources the import says something about (so their cardinalities are
    checked whole), and the types of every node the import or those triples point at (so
    ``sh:class`` sees our classes).
    """
    context = Graph()
    for subject in set(data.subjects()):
        for triple in base.triples((subject, None, None)):
            context.add(triple)
    for node in set(data.objects()) | set(context.objects()):
        if isinstance(node, Literal):
            continue
        for cls in base.objects(node, RDF.type):
            context.add((node, RDF.type, cls))
    return context


def violations_of(data: Graph, project_graphs: dict[str, Graph], shapes: Graph) -> list[Result]:
    """SHACL violations that the import brings into the project graph.

    Validating the whole project graph again costs minutes, and pyshacl's ``focus_nodes``
    skips nested shapes (``sh:or`` of datatypes passed an ``"soon"^^xsd:date``), so the import
    is validated with only its context from the project graph (:func:`context_of`), and the
    violations the context alone has (a type triple without its label, say) are subtracted.
    """
    base = Graph()
    for name in ("article", "background", "alignments"):
        base += project_graphs[name]
    context = context_of(data, base)
    ontology = project_graphs["ontology"]
    before = set(validate(context, shapes, ontology).violations)
    after = validate(context + data, shapes, ontology).violations
    return [r for r in after if r not in before]


def provenance(
    name: str, fetched: Fetched, triples: int, rows: int | None, mapping: Mapping | None
) -> Graph:
    """What the import was made from, as triples about the imported graph's IRI."""
    graph = bind_prefixes(Graph())
    graph.bind("spdx", SPDX)
    subject = graph_iri(name)
    graph.add((subject, RDF.type, VOID.Dataset))
    graph.add((subject, RDF.type, PROV.Entity))
    graph.add((subject, RDFS.label, Literal(f"Imported graph {name}")))
    source = URIRef(fetched.location) if fetched.is_address else Literal(fetched.location)
    graph.add((subject, DCTERMS.source, source))
    graph.add(
        (
            subject,
            PROV.generatedAtTime,
            Literal(fetched.retrieved.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime),
        )
    )
    checksum = BNode(f"{name}-provenance-checksum")
    graph.add((subject, URIRef(SPDX + "checksum"), checksum))
    graph.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
    graph.add(
        (
            checksum,
            URIRef(SPDX + "checksumValue"),
            Literal(hashlib.sha256(fetched.data).hexdigest()),
        )
    )
    graph.add((subject, VOID.triples, Literal(triples)))
    if rows is not None:
        extent = BNode(f"{name}-provenance-rows")
        graph.add((subject, DCTERMS.extent, extent))
        graph.add((extent, RDF.type, DCTERMS.SizeOrDuration))
        graph.add((extent, RDF.value, Literal(rows)))
        graph.add((extent, RDFS.label, Literal(f"{rows} CSV data rows")))
    if mapping is not None:
        graph.add((subject, DCTERMS.conformsTo, Literal(mapping.path)))
    return graph


def nquads(graphs: dict[URIRef, Graph]) -> bytes:
    """Sorted N-Quads of several graphs."""
    lines: list[str] = []
    for iri, graph in graphs.items():
        text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        lines += [line[: -len(" .")] + f" <{iri}> .\n" for line in text.splitlines() if line]
    return "".join(sorted(lines)).encode("utf-8")


@dataclass
class ImportResult:
    """What an import wrote."""

    path: Path
    triples: int
    rows: int | None
    linked: int
    renamed_graph_triples: int


def import_source(
    root: Path,
    source: str,
    name: str,
    *,
    mapping_path: Path | None = None,
    fmt: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    show_progress: bool = False,
) -> ImportResult:
    """Fetch, convert, match, validate and only then write ``imports/<name>.nq``."""
    check_name(name)
    fetched = fetch(source, fmt, timeout)
    graphs = project_graphs(root)  # what was built: built first only if a source changed
    links = external_links(graphs["alignments"])
    rows: int | None = None
    mapping: Mapping | None = None
    if fetched.suffix == ".csv":
        if mapping_path is None:
            raise ImportFailure(f"{source}: a CSV source needs --mapping FILE")
        progress = Progress("rows", show_progress)
        try:
            mapping = load_mapping(mapping_path)
            text = fetched.data.decode("utf-8-sig")
            converted = convert(text, source, mapping, links, progress)
        except UnicodeDecodeError as exc:
            raise ImportFailure(
                f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
        except MappingError as exc:
            raise ImportFailure(str(exc)) from exc
        finally:
            progress.close()
        data, rows, renamed = converted.graph, converted.rows, 0
        resolved = converted.linked
    else:
        if mapping_path is not None:
            raise ImportFailure(f"{source}: --mapping applies to CSV sources only")
        progress = Progress("triples", show_progress)
        try:
            data, renamed = parse_rdf(fetched, name, progress)
        finally:
            progress.close()
        resolved = 0
    linked = link_entities(data, links) + resolved
    shapes = read_all(Project(root).shapes_files)
    violations = violations_of(data, graphs, shapes)
    if violations:
        lines = [
            f"  {r.focus} {r.path}: {r.message} [{r.shape}]"
            + (f" (value {r.value})" if r.value != "-" else "")
            for r in violations
        ]
        raise ImportFailure(
            f"{source}: {len(violations)} SHACL violation(s); nothing imported:\n"
            + "\n".join(lines),
            code=1,
        )
    prov = provenance(name, fetched, len(data), rows, mapping)
    out = import_path(root, name)
    write_atomically(out, nquads({graph_iri(name): data, provenance_iri(name): prov}))
    return ImportResult(out, len(data), rows, linked, renamed)
