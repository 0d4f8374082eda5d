"""``treatygraph import``: load another dataset into its own named graph, checked and traced.

An import lives in ``imports/<NAME>.nq``: the data in graph ``tgg:<NAME>`` and its provenance
(source, retrieval time, SHA-256 of the bytes, row and triple counts) in ``tgg:<NAME>-provenance``.
The pipeline streams: the source is parsed by pyoxigraph into an on-disk store in a work folder
``imports/.<NAME>.*.tmp`` (or, for a CSV, mapped with its CSVW metadata), validated in batches of
subjects (:mod:`treatygraph.integration.checking`), dumped to a file in the work folder, and only
then renamed over ``imports/<NAME>.nq``. A failed, interrupted or out-of-space import changes
nothing and leaves no work folder behind; imports into one checkout take turns (a lock on
``imports/``). The server loads these files beside the built graph (:func:`imported_files`).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from treatygraph.build.compile import compile_graphs
from treatygraph.build.validate import Result, validate
from treatygraph.corpus.project import Project, read_all
from treatygraph.errors import Interrupted, OutOfResources
from treatygraph.integration.checking import BatchValidator, to_oxigraph, to_rdflib
from treatygraph.integration.fetch import (
    DEFAULT_MAX_BYTES,
    Fetched,
    ImportFailure,
    ImportViolations,
    Progress,
    fetch,
    parse_quads,
)
from treatygraph.integration.tabular import Tabled, TableProblems, convert_table, find_metadata
from treatygraph.rdf.io import (
    FORMATS,
    PROLOG_BYTES,
    RDFSyntaxError,
    bind_prefixes,
    check_xml_entities,
)
from treatygraph.rdf.iris import GRAPHS, SCHEMA, SLUG_RE, TGG, TGID, VOID

__all__ = [
    "Fetched",
    "ImportFailure",
    "Progress",
    "fetch",
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
    "add_arguments",
    "run",
]

IMPORTS_DIR = Path("imports")
PROVENANCE_SUFFIX = "-provenance"
SPDX = "http://spdx.org/rdf/terms#"
CSVW = "http://www.w3.org/ns/csvw#"
CHUNK = 100_000
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


def provenance(
    name: str,
    fetched: Fetched,
    triples: int,
    rows: int | None,
    mapping: Path | None,
    tabled: Tabled | None = None,
) -> Graph:
    """What the import was made from, as triples about the imported graph's IRI (and its table)."""
    graph = bind_prefixes(Graph())
    graph.bind("spdx", SPDX)
    graph.bind("csvw", CSVW)
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
    graph.add((checksum, URIRef(SPDX + "checksumValue"), Literal(fetched.sha256)))
    graph.add((subject, VOID.triples, Literal(triples)))
    if rows is not None:
        extent = BNode(f"{name}-provenance-rows")
        graph.add((subject, DCTERMS.extent, extent))
        graph.add((extent, RDF.type, DCTERMS.SizeOrDuration))
        graph.add((extent, RDF.value, Literal(rows)))
        graph.add((extent, RDFS.label, Literal(f"{rows} CSV data rows")))
    if mapping is not None:
        graph.add((subject, DCTERMS.conformsTo, Literal(str(mapping))))
    if tabled is not None:
        # The table the rows belong to: its bytes' SHA-256, so a row IRI leads to a checked file.
        table = URIRef(str(tabled.row_iris[0]).split("#", 1)[0]) if tabled.row_iris else None
        if table is not None:
            graph.add((subject, PROV.wasDerivedFrom, table))
            graph.add((table, RDF.type, URIRef(CSVW + "Table")))
            graph.add((table, RDF.type, PROV.Entity))
            graph.add((table, DCTERMS.source, source))
            graph.add((table, URIRef(SPDX + "checksum"), checksum))
            for row in tabled.row_iris:
                graph.add((row, RDF.type, URIRef(CSVW + "Row")))
                graph.add((row, DCTERMS.isPartOf, table))
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
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ turns, work folder, signals


@contextlib.contextmanager
def _turn(root: Path, progress: Progress) -> Iterator[Path]:
    """Hold the imports/ lock: one import at a time per checkout. Yields the imports folder."""
    folder = root / IMPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress.mode != "off":
                print("waiting for another import into imports/ to finish ...", file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in folder.glob(".*.tmp"):  # left by a killed import: nobody else holds the lock
            shutil.rmtree(stale, ignore_errors=True)
        yield folder
    finally:
        os.close(fd)


class _Signals:
    """SIGINT stops the import before the rename, and waits for it once the rename has begun."""

    def __init__(self) -> None:
        self.committing = False
        self.pending = False
        self._previous: object = None

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.committing:
            self.pending = True
            return
        raise KeyboardInterrupt


def load_rdf(
    store: ox.Store, fetched: Fetched, name: str, target: ox.NamedNode, progress: Progress
) -> int:
    """Parse the source into the work store's target graph; returns how many quads were renamed.

    A triples format is bulk-loaded by pyoxigraph itself (no Python per triple); its blank nodes
    get their ``<name>-bN`` labels when the file is written (:func:`_relabelled`). A dataset
    format goes quad by quad, so each quad's graph name can be replaced and counted.
    """
    ox_format, _ = FORMATS[fetched.suffix]
    if not ox_format.supports_datasets:
        if ox_format == ox.RdfFormat.RDF_XML:
            with fetched.path.open("rb") as handle:
                check_xml_entities(fetched.location, handle.read(PROLOG_BYTES))
        base = fetched.location if fetched.is_address else Path(fetched.location).resolve().as_uri()
        try:
            store.bulk_load(path=fetched.path, format=ox_format, base_iri=base, to_graph=target)
        except SyntaxError as exc:
            raise ImportFailure(
                str(RDFSyntaxError(fetched.location, exc.lineno, exc.offset, exc.msg or str(exc)))
            ) from None
        except ValueError as exc:
            raise ImportFailure(f"{fetched.location}: {exc}") from None
        progress.advance(len(store))
        return 0
    renamed = count = 0
    chunk: list[ox.Quad] = []
    for quad, was_named in parse_quads(fetched, name):
        renamed += was_named
        chunk.append(ox.Quad(quad.subject, quad.predicate, quad.object, target))
        if len(chunk) >= CHUNK:
            store.bulk_extend(chunk)
            count += len(chunk)
            chunk = []
            progress.advance(count)
    store.bulk_extend(chunk)
    progress.advance(count + len(chunk))
    return renamed


def _relabelled(lines: Iterator[bytes], name: str) -> Iterator[bytes]:
    """N-Quads lines (as Oxigraph writes them) with blank nodes labelled ``<name>-bN``.

    Labels follow first appearance. Only the subject and the object position are looked at, so
    a literal that happens to contain ``_:`` is left alone. RDF-star triple terms (``<<``) are
    refused here, where every quad passes once.
    """
    labels: dict[bytes, bytes] = {}
    prefix = name.encode() + b"-b"

    def label(token: bytes) -> bytes:
        new = labels.get(token)
        if new is None:
            new = labels[token] = b"_:" + prefix + str(len(labels)).encode()
        return new

    for line in lines:
        subject, _, rest = line.partition(b" ")
        if subject.startswith(b"<<"):
            raise ImportFailure(f"RDF-star triple terms are not imported ({line[:120]!r})")
        if subject.startswith(b"_:"):
            subject = label(subject)
        predicate, _, obj = rest.partition(b" ")
        if obj.startswith(b"<<"):
            raise ImportFailure(f"RDF-star triple terms are not imported ({line[:120]!r})")
        if obj.startswith(b"_:"):
            token, _, tail = obj.partition(b" ")
            obj = label(token) + b" " + tail
        yield subject + b" " + predicate + b" " + obj


def _write_import(
    work: Path, out: Path, store: ox.Store, prov: Graph, signals: _Signals, name: str
) -> None:
    """Dump the store and the provenance into the work folder, fsync, then rename over ``out``."""
    raw = work / "dump.nq"
    tmp = work / "import.nq"
    with raw.open("wb") as handle:
        store.dump(handle, format=ox.RdfFormat.N_QUADS)
    with raw.open("rb") as source, tmp.open("wb") as handle:
        handle.writelines(_relabelled(source, name))
        handle.write(nquads({provenance_graph_of(prov): prov}))
        handle.flush()
        os.fsync(handle.fileno())
    signals.committing = True
    os.replace(tmp, out)
    dir_fd = os.open(out.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def provenance_graph_of(prov: Graph) -> URIRef:
    subject = next(iter(prov.subjects(RDF.type, VOID.Dataset)))
    return URIRef(str(subject) + PROVENANCE_SUFFIX)


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
) -> ImportResult:
    """Fetch, convert, match, validate and only then write ``imports/<name>.nq``.

    With ``report`` nothing is written either way: every problem is collected and returned.
    """
    check_name(name)
    mode = show_progress if isinstance(show_progress, str) else ("rich" if show_progress else "off")
    progress = Progress(mode)
    try:
        with _Signals() as signals, _turn(root, progress) as folder:
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
    signals: _Signals,
) -> ImportResult:
    progress.phase("fetching", None, "bytes")
    fetched = fetch(source, fmt, timeout, work, max_bytes)
    progress.advance(fetched.size)
    progress.phase("reading the project graph", None, "graphs")
    graphs = compile_graphs(Project(root))
    project = Graph()
    for graph in graphs.values():
        project += graph
    links = external_links(graphs["alignments"])
    target = ox.NamedNode(str(graph_iri(name)))
    rows: int | None = None
    tabled: Tabled | None = None
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
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), target)  # type: ignore[arg-type]
            for s, p, o in tabled.graph
        )
        resolved = tabled.linked
    else:
        if mapping_path is not None:
            raise ImportFailure(f"{source}: --mapping applies to CSV sources only")
        progress.phase("parsing", None, "triples")
        store = ox.Store(str(work / "store"))
        renamed = load_rdf(store, fetched, name, target, progress)
        resolved = 0
    linked = link_in_store(store, target, links) + resolved
    triples = len(store)
    shapes = read_all(Project(root).shapes_files)
    progress.phase("validating", triples, "triples")
    checker = BatchValidator(shapes, graphs["ontology"], project)
    violations = checker.violations(store, target, progress.advance)
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
    prov = provenance(name, fetched, triples, rows, mapping_path, tabled)
    progress.phase("writing", triples, "triples")
    _write_import(work, out, store, prov, signals, name)
    progress.advance(triples)
    return ImportResult(out, triples, rows, linked, renamed)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="a file path or an http(s) address")
    parser.add_argument(
        "--graph",
        required=True,
        metavar="NAME",
        help="target graph: https://w3id.org/treatygraph/graph/NAME",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="the CSVW metadata of a CSV source (default: SOURCE-metadata.json beside it)",
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        metavar="SUFFIX",
        help="override the format: ttl, nt, nq, trig, rdf, jsonld, n3 or csv",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds for the whole download of an address (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse an address whose body is larger (default {DEFAULT_MAX_BYTES:,})",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="check only: list every problem (cells, names, shapes) and write nothing",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress and no summary (errors are still printed)",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 imported, 1 shape violations, 2 unreadable input, 3 address failed, 4 interrupted,
    5 out of memory or disk; one line (or one line per problem) on stderr, never a traceback."""
    mode = "off" if args.quiet else ("rich" if sys.stderr.isatty() else "plain")
    out = import_path(args.root, args.graph)
    try:
        result = import_source(
            args.root,
            args.source,
            args.graph,
            mapping_path=args.mapping,
            fmt=args.fmt,
            timeout=args.timeout,
            max_bytes=args.max_bytes,
            show_progress=mode,
            report=args.report,
        )
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; nothing imported ({out} is as it was)") from None
    except MemoryError:
        raise OutOfResources(
            f"{args.source}: out of memory while importing; nothing imported ({out} is as it was)"
        ) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc):
            # pyoxigraph's storage reports a full disk as an OSError without an errno
            raise OutOfResources(
                f"no space left on the device of {out.parent} while importing {args.source}; "
                f"nothing imported ({out} is as it was)"
            ) from None
        raise ImportFailure(f"{args.source}: {exc.strerror or exc}") from None
    if args.report:
        if result.problems:
            for line in result.problems:
                print(f"problem: {line}", file=sys.stderr)
            print(f"{len(result.problems)} problem(s); nothing imported", file=sys.stderr)
            return 2 if result.triples == 0 else 1
        print(f"no problems: {result.triples} triples would be imported", file=sys.stderr)
        return 0
    if not args.quiet:
        rows = f" from {result.rows} rows" if result.rows is not None else ""
        note = (
            f"; graph names of {result.renamed_graph_triples} quads replaced by the target"
            if result.renamed_graph_triples
            else ""
        )
        print(
            f"imported {result.triples} triples{rows} into {graph_iri(args.graph)} "
            f"({result.linked} identifiers matched to our resources{note}); wrote {result.path}",
            file=sys.stderr,
        )
    return 0
