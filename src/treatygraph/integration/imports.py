"""``treatygraph import``: load another dataset into its own named graph, checked and traced.

An import lives in ``imports/<NAME>.nq``: the data in graph ``tgg:<NAME>`` and its provenance
(source, retrieval time, SHA-256 of the bytes, row and triple counts) in ``tgg:<NAME>-provenance``.
The pipeline streams, in a work folder ``imports/.<NAME>.*.tmp``: an RDF source is parsed by
pyoxigraph straight to a sorted, unique data file, and only what the shapes target goes into a
work store (:mod:`~treatygraph.integration.streaming`); a CSV is mapped with its CSVW metadata
(:mod:`~treatygraph.integration.tabular`). The result is validated in batches of subjects
(:mod:`~treatygraph.integration.checking`) and only then renamed over ``imports/<NAME>.nq``
(:mod:`~treatygraph.integration.staging`). A failed, interrupted or out-of-space import changes
nothing and leaves no work folder; imports into one checkout take turns. The server loads these
files beside the built graph (:func:`~treatygraph.corpus.project.imported_files`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import OWL, SKOS

from treatygraph.build.artifact import project_graphs
from treatygraph.console import Progress
from treatygraph.corpus.project import IMPORTS_DIR, Project, imported_files, read_all
from treatygraph.integration.checking import BatchValidator
from treatygraph.integration.csvw_metadata import find_metadata
from treatygraph.integration.fetch import (
    DEFAULT_MAX_BYTES,
    Fetched,
    ImportFailure,
    ImportViolations,
    fetch,
)
from treatygraph.integration.provenance import (
    PROVENANCE_SUFFIX,
    SPDX,
    check_license,
    nquads,
    provenance,
    provenance_iri,
)
from treatygraph.integration.staging import Signals, dump_store, sync_folder, turn, write_import
from treatygraph.integration.streaming import pass_one, pass_two, validated_quads
from treatygraph.integration.tabular import Tabled, TableProblems, convert_table
from treatygraph.rdf.io import from_rdflib, to_rdflib
from treatygraph.rdf.iris import SCHEMA, SLUG_RE, TGID, graph_iri

__all__ = [
    "Fetched",
    "ImportFailure",
    "Progress",
    "fetch",
    "PROVENANCE_SUFFIX",
    "SPDX",
    "DEFAULT_TIMEOUT",
    "SAME_AS",
    "graph_iri",
    "provenance_iri",
    "import_path",
    "imported_graph_counts",
    "remove_import",
    "check_name",
    "external_links",
    "provenance",
    "nquads",
    "ImportResult",
    "import_source",
]

DEFAULT_TIMEOUT = 30.0

#: Predicates by which an imported node says which outside item it is.
SAME_AS = (OWL.sameAs, SKOS.exactMatch, SCHEMA.sameAs, URIRef("http://schema.org/sameAs"))


def import_path(root: Path, name: str) -> Path:
    return root / IMPORTS_DIR / f"{name}.nq"


def imported_graph_counts(root: Path) -> dict[str, int]:
    """Triples per named graph of the import files, streamed (each file's quads are unique:
    the import wrote them sorted and deduplicated)."""
    counts: dict[str, int] = {}
    for path in imported_files(root):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            if isinstance(quad.graph_name, ox.NamedNode):
                counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return counts


def remove_import(root: Path, name: str) -> Path:
    """Withdraw an import: its file goes, under the imports lock, and running servers reload."""
    folder = root / IMPORTS_DIR
    out = import_path(root, name)
    with turn(folder, Progress("off")):
        if not out.is_file():
            known = ", ".join(p.stem for p in imported_files(root)) or "none"
            raise ImportFailure(f"--remove {name!r}: no such import in {folder} (imports: {known})")
        out.unlink()
        sync_folder(folder)
    return out


def check_name(name: str, project_graphs: Iterable[str] = ()) -> None:
    """A graph name is a slug, not one of the project's graphs, and not a provenance graph."""
    if not SLUG_RE.match(name):
        raise ImportFailure(f"--graph {name!r}: use lowercase letters, digits and single hyphens")
    if name in project_graphs:
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


def link_in_store(store: ox.Store, graph: ox.NamedNode, links: dict[URIRef, URIRef]) -> int:
    """:func:`link_entities` on the import's store: ``node skos:exactMatch ours`` for shared ids."""
    added: set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]] = set()
    for predicate in SAME_AS:
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None, graph):
            item = to_rdflib(quad.object)
            if item in links and not str(to_rdflib(quad.subject)).startswith(str(TGID)):
                added.add((quad.subject, ox.NamedNode(str(links[item]))))  # type: ignore[arg-type,index]
    for item, ours in links.items():
        node = ox.NamedNode(str(item))
        if next(iter(store.quads_for_pattern(node, None, None, graph)), None) is not None:
            added.add((node, ox.NamedNode(str(ours))))
    match = ox.NamedNode(str(SKOS.exactMatch))
    store.extend(ox.Quad(node, match, ours, graph) for node, ours in added)
    return len(added)


@dataclass
class ImportResult:
    """What an import wrote."""

    path: Path
    triples: int
    rows: int | None
    linked: int
    renamed_graph_triples: int
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ the pipeline


def import_source(
    root: Path,
    source: str,
    name: str,
    *,
    mapping_path: Path | None = None,
    fmt: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    show_progress: bool | str = False,
    report: bool = False,
    license: str | None = None,
) -> ImportResult:
    """Fetch, convert, match, validate and only then write ``imports/<name>.nq``.

    With ``report`` nothing is written either way: every problem is collected and returned.
    ``license`` (an absolute IRI) is recorded as the import's ``dct:license``.
    """
    check_name(name, Project(root).graph_names())
    if license is not None:
        check_license(license)
    mode = show_progress if isinstance(show_progress, str) else ("rich" if show_progress else "off")
    progress = Progress(mode)
    try:
        with Signals() as signals, turn(root / IMPORTS_DIR, progress) as folder:
            work = Path(tempfile.mkdtemp(dir=folder, prefix=f".{name}.", suffix=".tmp"))
            try:
                return _run(
                    root,
                    source,
                    name,
                    mapping_path,
                    fmt,
                    timeout,
                    max_bytes,
                    progress,
                    report,
                    work,
                    signals,
                    license,
                )
            finally:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        progress.close()


def _run(
    root: Path,
    source: str,
    name: str,
    mapping_path: Path | None,
    fmt: str | None,
    timeout: float,
    max_bytes: int,
    progress: Progress,
    report: bool,
    work: Path,
    signals: Signals,
    license: str | None,
) -> ImportResult:
    progress.phase("fetching", None, "bytes")
    fetched = fetch(source, fmt, timeout, work, max_bytes)
    progress.advance(fetched.size)
    progress.phase("reading the project graph", None, "graphs")
    graphs = project_graphs(root)  # what was built: built first only if a source changed
    # the named graphs read as one, without copying them (copying cost more than reading)
    project = ReadOnlyGraphAggregate(list(graphs.values()))
    links = external_links(graphs["alignments"])
    target = ox.NamedNode(str(graph_iri(name)))
    rows: int | None = None
    tabled: Tabled | None = None
    validated: Iterable[ox.Quad] | None = None  # the store's quads, if not read from it
    renamed = 0
    if fetched.suffix == ".csv":
        mapping_path = mapping_path or find_metadata(source)
        if mapping_path is None:
            raise ImportFailure(
                f"{source}: a CSV source needs its CSVW metadata: --mapping FILE, or "
                f"{Path(source).name}-metadata.json beside it"
            )
        if mapping_path.suffix == ".toml":
            raise ImportFailure(
                f"{mapping_path}: TOML mappings were replaced by W3C CSVW metadata (JSON); "
                "docs/integration.md shows how to write one"
            )
        progress.phase("mapping rows", None, "rows")
        try:
            text = fetched.path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailure(
                f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
        try:
            tabled = convert_table(
                text, source, mapping_path, project, links, lambda n, _f: progress.advance(n)
            )
        except TableProblems as exc:
            if not report:
                raise
            return ImportResult(
                import_path(root, name), 0, None, 0, 0, [str(p) for p in exc.problems]
            )
        rows = tabled.rows
        store = ox.Store()
        store.extend(
            ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), target)  # type: ignore[arg-type]
            for s, p, o in tabled.graph
        )
    else:
        if mapping_path is not None:
            raise ImportFailure(f"{source}: --mapping applies to CSV sources only")
    shapes = read_all(Project(root).shapes_files)
    checker = BatchValidator(shapes, graphs["ontology"], project)
    if tabled is not None:
        linked = link_in_store(store, target, links) + tabled.linked
        triples = len(store)
        data = dump_store(store, work, name)
    else:
        progress.phase("parsing", None, "triples")
        same_as = {str(p) for p in SAME_AS}
        streamed = pass_one(fetched, name, target, checker, links, same_as, work, progress)
        renamed, linked, triples, data = (
            streamed.renamed,
            streamed.linked,
            streamed.triples,
            streamed.data,
        )
        store = ox.Store()
        if streamed.some_targeted:
            progress.phase("reading what the shapes target", None, "triples")
            store, kept = pass_two(streamed, work)
            progress.advance(kept)
            validated = validated_quads(streamed)
    progress.phase("validating", triples, "triples")
    violations = checker.violations(store, target, progress.advance, validated)
    progress.advance(triples)
    if violations:
        lines = [
            f"  {r.focus} {r.path}: {r.message} [{r.shape}]"
            + (f" (value {r.value})" if r.value != "-" else "")
            for r in violations
        ]
        if report:
            return ImportResult(import_path(root, name), triples, rows, linked, renamed, lines)
        raise ImportViolations(
            f"{source}: {len(violations)} SHACL violation(s); nothing imported:\n"
            + "\n".join(lines)
        )
    out = import_path(root, name)
    if report:
        return ImportResult(out, triples, rows, linked, renamed, [])
    prov = provenance(name, fetched, triples, rows, mapping_path, tabled, license)
    progress.phase("writing", triples, "triples")
    write_import(data, out, prov, signals)
    progress.advance(triples)
    return ImportResult(out, triples, rows, linked, renamed)
