"""Dataset dumps: the whole dataset (TriG, N-Quads) and each named graph (Turtle,
N-Triples, JSON-LD, RDF/XML), plain or gzipped. Shared by ``treatygraph export`` and the
server's ``/dumps/`` (whose answers the server's one cache keeps): both write them from a store
with the same code, so an exported file holds the statements of the server's dump.

Dumps are deterministic: blank nodes get canonical labels (W3C RDF Dataset Canonicalization,
RDFC-1.0, by pyoxigraph), statements are sorted, and gzip members carry no name and mtime 0,
so the same data always gives the same bytes (and ETag).

Every dump but JSON-LD is the exception, because it must scale: it is streamed from the
store into a file once per data generation (:func:`write_dump_file`; a named graph's alone,
read with the store's ``from_graph``) and served from disk, so memory stays flat at any size.
Those are in the store's own order, with the statements that hold blank nodes canonicalised
at the end: byte-identical for the same data in the same kind of store (the in-memory and the
on-disk store list statements in different orders). A JSON-LD dump is compacted with the published
context, which needs the graph in memory: only that graph (and the ontology, for the context)
is read, never the whole dataset.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tempfile
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

import pyoxigraph as ox

from treatygraph.linkeddata import rdfout
from treatygraph.linkeddata.context import build_context
from treatygraph.rdf import formats
from treatygraph.rdf.formats import Format
from treatygraph.rdf.iris import ONTOLOGY_GRAPH, graph_iri, graph_name

GZIP_TYPE = "application/gzip"
DATASET_STEM = "treatygraph"
_BY_NAME = {f.name: f for f in formats.RDF}
#: the formats of whole-dataset and of per-graph dumps, in the order dumps are listed
DATASET_FORMATS: tuple[Format, ...] = (_BY_NAME["nquads"], _BY_NAME["trig"])
GRAPH_FORMATS: tuple[Format, ...] = tuple(
    _BY_NAME[n] for n in ("turtle", "ntriples", "jsonld", "rdfxml")
)


@dataclass(frozen=True)
class DumpSpec:
    """One downloadable file: what it holds and how it is written."""

    filename: str  #: e.g. ``article.ttl.gz``
    format: Format
    graph: str | None  #: named graph IRI, or None for the whole dataset
    gzip: bool

    @property
    def content_type(self) -> str:
        return GZIP_TYPE if self.gzip else self.format.content_type

    @property
    def media_type(self) -> str:
        """The media type of the (uncompressed) content."""
        return self.format.media_type

    @property
    def streamed(self) -> bool:
        """Written from the store to disk, never held in memory: all but JSON-LD."""
        return self.format.name != "jsonld"

    @property
    def title(self) -> str:
        what = "whole dataset" if self.graph is None else f"graph <{self.graph}>"
        return f"{what}, {self.format.name}{', gzipped' if self.gzip else ''}"


def graph_short_name(iri: str) -> str | None:
    return graph_name(iri)


def dump_specs(graph_names: Iterable[str]) -> list[DumpSpec]:
    """Every dump offered for a dataset with these named graphs (the project's graphs
    by short name; other graphs are only in the whole-dataset dumps)."""
    specs = []
    for compressed in (False, True):
        gz = ".gz" if compressed else ""
        for fmt in DATASET_FORMATS:
            specs.append(DumpSpec(f"{DATASET_STEM}.{fmt.extension}{gz}", fmt, None, compressed))
    present = set(graph_names)
    for compressed in (False, True):
        gz = ".gz" if compressed else ""
        for iri in sorted(present):
            short = graph_name(iri)
            if short is None:
                continue
            for fmt in GRAPH_FORMATS:
                specs.append(DumpSpec(f"{short}.{fmt.extension}{gz}", fmt, str(iri), compressed))
    return specs


def resolve_graph(name: str, available: Iterable[str]) -> str:
    """A graph given by short name (article, background, ...) or full IRI."""
    iri = name if graph_name(name) or ":" in name else str(graph_iri(name))
    if iri not in set(available):
        known = ", ".join(sorted(graph_name(g) or g for g in available))
        raise ValueError(f"no named graph {name!r} in the dataset (graphs: {known})")
    return iri


def graphs_read(spec: DumpSpec, available: Iterable[str]) -> list[str]:
    """The named graphs that the in-memory dump ``spec`` (a graph's JSON-LD) reads: its own,
    and the ontology for the context; never the rest of the dataset."""
    assert spec.graph is not None and not spec.streamed, spec
    return sorted({spec.graph, str(ONTOLOGY_GRAPH)} & set(available))


class DatasetQuads:
    """The dataset's quads with canonical blank-node labels, grouped by graph."""

    @classmethod
    def of_graphs(cls, store: DumpSource, graphs: Iterable[str]) -> DatasetQuads:
        """Only these named graphs of ``store`` (the rest of the dataset is never read)."""
        dataset, size = ox.Dataset(), 0
        for graph in graphs:
            triples = io.BytesIO()
            store.dump_to(triples, ox.RdfFormat.N_TRIPLES, graph)
            size += 4 * triples.tell()
            name = ox.NamedNode(graph)
            for t in ox.parse(triples.getvalue(), format=ox.RdfFormat.N_TRIPLES):
                dataset.add(ox.Quad(t.subject, t.predicate, t.object, name))
        return cls(dataset, size)

    def __init__(self, dataset: ox.Dataset, size: int) -> None:
        """``size``: about the memory the quads take, for the answer cache."""
        self.size = size
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        by_graph: dict[str, list[Any]] = {}
        for quad in dataset:
            assert isinstance(quad.graph_name, ox.NamedNode)  # of_graphs reads named graphs
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        self.graphs = {g: rdfout.unique_sorted(triples) for g, triples in by_graph.items()}

    def triples(self, graph: str) -> list[Any]:
        return self.graphs.get(graph, [])

    def context(self) -> dict[str, Any]:
        """The published JSON-LD context, from the ontology graph when present."""
        return build_context(self.triples(str(ONTOLOGY_GRAPH)))


def render_spec(data: DatasetQuads, spec: DumpSpec, context_url: str | None) -> bytes:
    """The bytes of the one kind of dump held in memory (not ``spec.streamed``): a graph's
    JSON-LD, compacted with the context of ``data``'s ontology graph."""
    assert spec.graph is not None and not spec.streamed, spec
    body = rdfout.serialize_triples(
        data.triples(spec.graph), spec.format, context=data.context(), context_url=context_url
    )
    return gzip.compress(body, mtime=0) if spec.gzip else body


def _no_tick() -> None:
    pass


class _Ticking:
    """A write-only file that reports progress at every write (``tick``: the server's
    heartbeat, since writing a dump of millions of statements takes minutes)."""

    def __init__(self, target: BinaryIO, tick: Callable[[], None]) -> None:
        self.target, self.tick = target, tick

    def write(self, data: bytes) -> int:
        self.tick()
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


class _Hashing(_Ticking):
    """A write-only file that hashes what passes through it (the ETag, in the same pass)."""

    def __init__(self, target: BinaryIO, tick: Callable[[], None]) -> None:
        super().__init__(target, tick)
        self.hash = hashlib.blake2b(digest_size=16)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return super().write(data)


@dataclass(frozen=True)
class DumpFile:
    """A dump written to disk: its path and the entity tag of its bytes.

    The file is removed when the record is dropped (from the answer cache, at an update or a
    reload); a response already streaming it keeps its open handle, so nothing is cut off.
    """

    path: Path
    etag: str
    size: int

    def __post_init__(self) -> None:
        weakref.finalize(self, _remove, self.path)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


class DumpSource(Protocol):
    def dump_to(self, output: BinaryIO, format: ox.RdfFormat, graph: str | None = None) -> None: ...


def _blank_node_quad(line: bytes) -> ox.Quad | None:
    """The statement on this N-Quads (or N-Triples) line when it has a blank node (the text
    ``_:`` may also sit inside a literal, so such lines are parsed to be sure)."""
    if b"_:" not in line:
        return None
    quad = next(iter(ox.parse(line, format=ox.RdfFormat.N_QUADS)))
    terms = (quad.subject, quad.object, quad.graph_name)
    return quad if any(isinstance(t, ox.BlankNode) for t in terms) else None


def _deterministic_lines(
    store: DumpSource,
    output: BinaryIO,
    work: Path,
    graph: str | None,
    tick: Callable[[], None] = _no_tick,
) -> None:
    """The store's N-Quads (N-Triples for one ``graph``), with the statements that have blank
    nodes canonicalised (RDFC-1.0) and sorted at the end: the store's order of the others
    depends only on their terms, so any load of the same data gives the same bytes. Memory
    grows only with the statements that have blank nodes (a canonical label depends on
    exactly those)."""
    raw = Path(f"{work}.raw")
    lines_format = ox.RdfFormat.N_QUADS if graph is None else ox.RdfFormat.N_TRIPLES
    try:
        with raw.open("wb") as out:
            store.dump_to(cast(BinaryIO, _Ticking(out, tick)), lines_format, graph)
        blank = ox.Dataset()
        with raw.open("rb") as lines:
            for number, line in enumerate(lines):
                if not number % 65536:
                    tick()
                quad = _blank_node_quad(line)
                if quad is None:
                    output.write(line)
                else:
                    blank.add(quad)
    finally:
        raw.unlink(missing_ok=True)
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    if graph is None:
        output.write(rdfout.serialize_quads(blank, _BY_NAME["nquads"]))
    else:
        output.write(rdfout.serialize_triples([q.triple for q in blank], _BY_NAME["ntriples"]))


def _write_dump(
    store: DumpSource, spec: DumpSpec, output: BinaryIO, work: Path, tick: Callable[[], None]
) -> None:
    lines = _BY_NAME["nquads"] if spec.graph is None else _BY_NAME["ntriples"]
    if spec.format is lines:
        _deterministic_lines(store, output, work, spec.graph, tick)
        return
    plain = Path(f"{work}.{lines.extension}")
    try:
        with plain.open("wb") as out:
            _deterministic_lines(store, out, work, spec.graph, tick)
        statements: Iterable[ox.Quad] = ox.parse(path=plain, format=lines.rdf)
        if spec.graph is not None and spec.format.rdf.supports_datasets:
            # one graph in a dataset format (``export --format trig --graph``): keep its name
            name = ox.NamedNode(spec.graph)
            statements = (ox.Quad(q.subject, q.predicate, q.object, name) for q in statements)
        ox.serialize(statements, output, spec.format.rdf, prefixes=rdfout.WRITE_PREFIXES)
    finally:
        plain.unlink(missing_ok=True)


def write_dump_file(
    store: DumpSource,
    spec: DumpSpec,
    directory: str | None = None,
    tick: Callable[[], None] = _no_tick,
) -> DumpFile:
    """Stream one dump (``spec.streamed``) from ``store`` into a new file, gzipped when asked;
    ``tick`` is called as it goes."""
    fd, name = tempfile.mkstemp(
        prefix="treatygraph-dump-", suffix="-" + spec.filename, dir=directory
    )
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as raw:
            hashing = _Hashing(raw, tick)
            if spec.gzip:
                with gzip.GzipFile(filename="", mode="wb", fileobj=hashing, mtime=0) as zipped:
                    _write_dump(store, spec, cast(BinaryIO, zipped), path, tick)
            else:
                _write_dump(store, spec, cast(BinaryIO, hashing), path, tick)
            size = raw.tell()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return DumpFile(path, hashing.hash.hexdigest(), size)
