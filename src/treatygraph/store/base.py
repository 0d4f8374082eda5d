"""The small query-engine interface the web layer talks to.

Views never touch pyoxigraph directly: they call a :class:`QueryEngine` and get a
:class:`QueryResult` back. An implementation that forwards to a remote SPARQL endpoint
can replace the embedded one by implementing this protocol (result terms are
pyoxigraph term objects, which a remote engine gets from
``pyoxigraph.parse_query_results``). An engine may also offer the optional
:class:`TsvQueryEngine` capability, which the query process uses when present.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from treatygraph.errors import BadRequest, InputError, ResultTooLarge


class QueryEvaluationError(BadRequest):
    """The query parsed but evaluation failed for a reason the client caused."""

    reason = "evaluation"


class ResultLimitExceeded(ResultTooLarge):
    """More rows or triples than the caller's ``max_results``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the result has more than {limit} rows/triples")
        self.limit = limit


class DataLoadError(InputError):
    """A data file failed to parse; the message leads with file:line:column."""

    def __init__(self, path: str, line: int | None, column: int | None, message: str) -> None:
        where = path if line is None else f"{path}:{line}:{column or 0}"
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.column, self.detail = path, line, column, message


@dataclass
class QueryResult:
    """A fully materialised (and therefore capped) query result.

    ``kind`` is ``"bindings"`` (SELECT: ``variables`` + ``rows``, one tuple per
    solution aligned with ``variables``, ``None`` for unbound), ``"boolean"`` (ASK) or
    ``"graph"`` (CONSTRUCT/DESCRIBE: ``triples``). Bindings from
    :meth:`TsvQueryEngine.query_tsv` carry ``tsv`` instead of ``rows``.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)
    #: the solutions as SPARQL 1.1 TSV (header line, then exactly one line per row)
    tsv: bytes | None = None


@runtime_checkable
class QueryEngine(Protocol):
    """What the endpoint needs from a SPARQL engine."""

    #: True when ``update`` must refuse (e.g. an on-disk store opened read-only).
    read_only: bool
    #: URLs the engine connects to while answering (a remote store's endpoints), and paths
    #: it reads (an on-disk store): all the confined query process may still reach.
    urls: tuple[str, ...]
    paths: tuple[str, ...]

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
        """Run a query. Without dataset URIs the default graph is the union of all graphs
        when ``union_default_graph`` is true. Raises members of
        :class:`~treatygraph.errors.Error`."""
        ...

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        ...

    def has_graph(self, iri: str) -> bool: ...

    def triple_counts(self) -> dict[str | None, int]:
        """Triples per graph; key ``None`` is the store's own default graph."""
        ...

    def union_triple_count(self) -> int:
        """Distinct triples in the union default graph that queries see."""
        ...

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Apply a (pre-checked) SPARQL Update."""
        ...

    def dump(self, media_type: str = "application/n-quads") -> bytes:
        """Serialise the whole dataset."""
        ...

    def replace_dataset(self, nquads: bytes) -> None:
        """Make the dataset exactly these N-Quads (an update applied in the query process)."""
        ...

    def after_fork(self) -> None:
        """Called first thing in a forked child: reopen handles that cannot be shared."""
        ...


class TsvQueryEngine(Protocol):
    """Optional capability: an engine that writes SELECT results itself.

    Turning every solution into Python objects and writing them in Python costs more than
    the query itself for results of a few hundred rows. An engine with a native writer
    returns SELECT results as TSV bytes (``QueryResult.tsv``, ``rows`` left empty), which
    :mod:`treatygraph.sparql.results` turns into the negotiated format. TSV escapes line
    breaks in literals, so counting lines keeps ``max_results`` exact while writing.
    Callers look the method up with ``getattr`` (cheaper than ``isinstance`` on a
    protocol); engines without it (the remote store) are asked via ``query``.
    """

    def query_tsv(
        self,
        sparql: str,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        *,
        union_default_graph: bool = True,
        base_iri: str | None = None,
        max_results: int | None = None,
    ) -> QueryResult:
        """:meth:`QueryEngine.query`, with SELECT results in ``tsv`` instead of ``rows``."""
        ...
