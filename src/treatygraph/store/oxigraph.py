"""Embedded pyoxigraph implementation of :class:`~treatygraph.store.base.QueryEngine`.

Default graph: queries without a dataset (no FROM/FROM NAMED, no default-graph-uri /
named-graph-uri) run with ``use_default_graph_as_union=True``. Measured on pyoxigraph
0.5.13, that union covers the store's *own* default graph as well as every named graph,
so triples loaded into the default graph (as the W3C protocol tests do) stay visible.
Caveat (also Oxigraph server's behaviour): the union is a multiset over quads, so a
triple asserted in two graphs matches twice; use DISTINCT when that matters.
A query with its own FROM/FROM NAMED runs *without* the union flag, because pyoxigraph
lets the flag override the query's dataset clause (measured).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import pyoxigraph as ox

from treatygraph.errors import QueryEvaluationError, QuerySyntaxError, UpstreamError
from treatygraph.rdf import formats
from treatygraph.rdf.io import RDFSyntaxError, check_xml_file, query_error
from treatygraph.store.base import QueryResult, ResultLimitExceeded
from treatygraph.store.manifest import Counts


def rdf_format_for(path: str | os.PathLike[str]) -> ox.RdfFormat:
    """The format of a data file, from its extension (see :func:`formats.for_path`)."""
    fmt = formats.for_path(path)
    if fmt is None:
        ext = Path(path).suffix.lstrip(".").lower()
        known = ", ".join(formats.file_extensions())
        raise RDFSyntaxError(
            str(path), None, None, f"unknown RDF file extension {ext!r}; use one of {known}"
        )
    return fmt.rdf


def _load_error(path: str, err: SyntaxError) -> RDFSyntaxError:
    return RDFSyntaxError(path, err.lineno, err.offset, str(err.args[0] if err.args else err))


def load_files(files: Iterable[object]) -> ox.Store:
    """Parse data files into a new in-memory store, or raise :class:`RDFSyntaxError`.

    Each entry is a path or a ``(path, graph_iri)`` pair. Dataset formats (N-Quads,
    TriG) keep their graph names. Triple formats go into the store's default graph,
    or into ``graph_iri`` when given. Relative IRIs resolve against the file's URI.
    """
    store = ox.Store()
    for entry in files:
        graph: str | None = None
        if isinstance(entry, tuple | list):
            path, graph = str(entry[0]), str(entry[1])
        else:
            path = str(entry)
        fmt = rdf_format_for(path)
        if graph is not None and fmt.supports_datasets:
            raise RDFSyntaxError(
                path, None, None, "a graph name can only be given for a triples format"
            )
        try:
            check_xml_file(Path(path))  # an RDF/XML entity bomb is refused before the parser
            store.load(
                path=path,
                format=fmt,
                base_iri=Path(path).resolve().as_uri(),
                to_graph=ox.NamedNode(graph) if graph else None,
            )
        except SyntaxError as err:
            raise _load_error(path, err) from None
        except ValueError as err:  # e.g. invalid graph IRI
            raise RDFSyntaxError(path, None, None, str(err)) from None
        except OSError as err:
            raise RDFSyntaxError(path, None, None, err.strerror or str(err)) from None
    return store


#: statements per bulk write of :func:`bulk_load_nquads`
BULK_CHUNK = 100_000


def bulk_load_nquads(store: ox.Store, paths: Iterable[Path]) -> None:
    """Stream N-Quads files into an on-disk ``store`` in chunks, or raise
    :class:`RDFSyntaxError` with the file, line and column of the first error.

    Chunks, not one ``bulk_load``: that holds the whole file's index in memory (872 MB for a
    million statements), where chunks of BULK_CHUNK stay near 170 MB at any size.
    """
    for path in paths:
        statements = ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
        try:
            while chunk := list(itertools.islice(statements, BULK_CHUNK)):
                store.bulk_extend(chunk)
        except SyntaxError as err:
            raise _load_error(str(path), err) from None


def load_nquads(data: bytes, label: str = "<built graph>") -> ox.Store:
    """Load N-Quads bytes (a built artifact, or a dataset an update produced)."""
    store = ox.Store()
    try:
        store.load(input=data, format=ox.RdfFormat.N_QUADS)
    except SyntaxError as err:
        raise _load_error(label, err) from None
    return store


class _LimitReached(Exception):
    """Raised by :class:`_LineCappedSink` to stop pyoxigraph's serialiser."""


class _LineCappedSink:
    """Binary sink for ``QuerySolutions.serialize`` that refuses more than ``max_lines``.

    pyoxigraph writes through an 8 KiB buffer and propagates the exception from ``write``,
    so evaluation stops within a chunk of the cap and memory stays bounded.
    """

    __slots__ = ("chunks", "lines", "max_lines", "full")

    def __init__(self, max_lines: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.max_lines = max_lines
        self.full = False

    def write(self, data: bytes) -> int:
        if self.full:  # pyoxigraph may flush its buffer once more after the error
            return len(data)
        self.lines += data.count(b"\n")
        if self.lines > self.max_lines:
            self.full = True
            raise _LimitReached
        self.chunks.append(data)
        return len(data)

    def flush(self) -> None:
        pass


def _capped_tsv(solutions: ox.QuerySolutions, limit: int) -> bytes:
    """The solutions as TSV, or :class:`ResultLimitExceeded` past ``limit`` rows (-1: none).

    TSV is a header line plus one line per solution (line breaks in literals are escaped),
    so the cap is exact: ``limit`` rows pass, ``limit + 1`` do not.
    """
    sink = _LineCappedSink(limit + 1 if limit >= 0 else sys.maxsize)
    try:
        # pyoxigraph only calls write() and flush() on the sink
        solutions.serialize(cast(IO[bytes], sink), format=ox.QueryResultsFormat.TSV)
    except _LimitReached:
        raise ResultLimitExceeded(limit) from None
    return b"".join(sink.chunks)


class OxigraphEngine:
    """QueryEngine over an in-memory store, or an on-disk store opened read-only."""

    def __init__(
        self,
        store: ox.Store | None = None,
        *,
        path: str | None = None,
        counts: Counts | None = None,
    ) -> None:
        """``counts``: the build-time counts of an on-disk store (its manifest), so that no
        description of the dataset ever scans the store."""
        if (store is None) == (path is None):
            raise ValueError("give exactly one of store or path")
        self._path = path
        self._counts = counts
        self._opened_store = store if store is not None else ox.Store.read_only(str(path))
        self._opened_in = os.getpid()
        self._inherited: list[ox.Store] = []
        self.read_only = path is not None
        self.urls: tuple[str, ...] = ()
        self.paths: tuple[str, ...] = (str(Path(path).resolve()),) if path is not None else ()

    # -- process handling ------------------------------------------------------------
    def after_fork(self) -> None:
        """An on-disk (RocksDB) handle is not fork-safe: reopen it in the child.

        Also done lazily by :attr:`_store` whenever the process id changed, so gunicorn
        workers forked from the master get their own handle.
        """
        if self._path is not None:
            # Keep the inherited handle alive: the query process closes inherited descriptors
            # before this runs, and dropping the old handle would close descriptor numbers
            # that the new handle may already reuse (reads then fail with EBADF).
            self._inherited.append(self._opened_store)
            self._opened_store = ox.Store.read_only(self._path)
        self._opened_in = os.getpid()

    @property
    def _store(self) -> ox.Store:
        if self._path is not None and self._opened_in != os.getpid():
            self.after_fork()
        return self._opened_store

    # -- queries -----------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        *,
        union_default_graph: bool = True,
        base_iri: str | None = None,
        max_results: int | None = None,
    ) -> QueryResult:
        kwargs: dict[str, Any] = {}
        if default_graph_uris or named_graph_uris:
            kwargs["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris or ()]
            kwargs["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris or ()]
        elif union_default_graph:
            kwargs["use_default_graph_as_union"] = True
        limit = max_results if max_results is not None else -1
        try:
            raw = self._store.query(sparql, base_iri=base_iri, **kwargs)
            if isinstance(raw, ox.QueryBoolean):
                return QueryResult("boolean", boolean=bool(raw))
            if isinstance(raw, ox.QuerySolutions):
                return QueryResult("bindings", tsv=_capped_tsv(raw, limit))
            triples: list[ox.Triple] = []
            for triple in raw:
                if len(triples) == limit:
                    raise ResultLimitExceeded(limit)
                triples.append(triple)
            return QueryResult("graph", triples=triples)
        except SyntaxError as err:
            raise QuerySyntaxError(query_error(sparql, err)) from None
        except (RuntimeError, ValueError) as err:
            raise QueryEvaluationError(f"query evaluation failed: {err}") from None
        except OSError as err:  # an allow-listed SERVICE endpoint failed (found while reading)
            raise UpstreamError(f"SERVICE call failed: {err}") from None

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        if self.read_only:
            raise QueryEvaluationError("this store is read-only")
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as err:
            raise QuerySyntaxError(query_error(sparql, err)) from None
        except (RuntimeError, ValueError) as err:
            raise QueryEvaluationError(f"update failed: {err}") from None

    def replace_dataset(self, nquads: bytes) -> None:
        if self.read_only:
            raise QueryEvaluationError("this store is read-only")
        self._opened_store = load_nquads(nquads, label="<updated dataset>")

    def label_quads(
        self, predicates: Sequence[str], preferred: frozenset[str]
    ) -> Iterator[tuple[str, str, str | None, bool]]:
        """(iri, label, a class, preferred) for every IRI labelled by ``predicates``, streamed
        from the store's indexes in constant memory (for :mod:`treatygraph.store.search`)."""
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        for predicate in predicates:
            for quad in self._store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                subject, label = quad.subject, quad.object
                if not isinstance(subject, ox.NamedNode) or not isinstance(label, ox.Literal):
                    continue
                kind = next(
                    (
                        q.object.value
                        for q in self._store.quads_for_pattern(subject, rdf_type, None)
                        if isinstance(q.object, ox.NamedNode)
                    ),
                    None,
                )
                yield subject.value, label.value, kind, predicate in preferred

    # -- descriptions ------------------------------------------------------------------
    def _count(self, sparql: str, **kwargs: Any) -> list[ox.QuerySolution]:
        solutions = self._store.query(sparql, **kwargs)
        assert isinstance(solutions, ox.QuerySolutions)
        return list(solutions)

    def triple_counts(self) -> dict[str | None, int]:
        if self._counts is not None:
            return dict(self._counts.graphs)
        counts: dict[str | None, int] = {}
        rows = self._count("SELECT ?g (COUNT(*) AS ?c) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        for row in rows:
            if isinstance(row["g"], ox.NamedNode):
                counts[row["g"].value] = int(row["c"].value)
        default = self._count("SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?o }")
        counts[None] = int(default[0]["c"].value)
        return counts

    def union_triple_count(self) -> int:
        if self._counts is not None:
            return self._counts.union
        rows = self._count(
            "SELECT (COUNT(*) AS ?c) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        )
        return int(rows[0]["c"].value)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, iri: str) -> bool:
        try:
            return self._store.contains_named_graph(ox.NamedNode(iri))
        except ValueError:
            return False

    def dump(self) -> bytes:
        data = self._store.dump(format=ox.RdfFormat.N_QUADS)
        assert data is not None  # no output file given, so the bytes are returned
        return data

    def dump_to(self, output: BinaryIO, format: ox.RdfFormat, graph: str | None = None) -> None:
        source = None if graph is None else ox.NamedNode(graph)
        self._store.dump(output=output, format=format, from_graph=source)
