"""The small query-engine interface the layers above talk to.

Views never touch pyoxigraph's store directly: they call a :class:`QueryEngine` and get a
:class:`QueryResult` back. An implementation that forwards to a remote SPARQL endpoint can
replace the embedded one by implementing this protocol. Solutions travel one way only: as
SPARQL TSV written by pyoxigraph (exact to count, cheap to re-write in any other format with
pyoxigraph); :attr:`QueryResult.rows` reads them back into pyoxigraph terms for the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, BinaryIO, Literal, Protocol, runtime_checkable

import pyoxigraph as ox

from treatygraph.errors import ResultTooLarge

ResultKind = Literal["bindings", "boolean", "graph"]


class ResultLimitExceeded(ResultTooLarge):
    """More rows or triples than the caller's ``max_results`` (the server's RESULT_CAP)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the result has more than {limit} rows/triples (RESULT_CAP is {limit}). "
            f"Add LIMIT {limit} (or less) and page with OFFSET",
            {"X-Result-Cap": str(limit)},
        )


@dataclass
class QueryResult:
    """A complete (and therefore capped) query result.

    ``kind`` is ``"bindings"`` (SELECT: ``tsv``, a header line then exactly one line per
    solution), ``"boolean"`` (ASK) or ``"graph"`` (CONSTRUCT/DESCRIBE: ``triples``).
    """

    kind: ResultKind
    tsv: bytes = b""
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @cached_property
    def _solutions(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        if self.kind != "bindings":
            return [], []
        parsed = ox.parse_query_results(self.tsv, ox.QueryResultsFormat.TSV)
        assert isinstance(parsed, ox.QuerySolutions)
        names = [v.value for v in parsed.variables]
        return names, [tuple(solution) for solution in parsed]

    @property
    def variables(self) -> list[str]:
        return self._solutions[0]

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        """One tuple of terms per solution, aligned with ``variables`` (None: unbound)."""
        return self._solutions[1]


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

    def dump(self) -> bytes:
        """The whole dataset as N-Quads."""
        ...

    def dump_to(self, output: BinaryIO, format: ox.RdfFormat, graph: str | None = None) -> None:
        """Write the whole dataset (or the triples of one named ``graph``, in a triple format)
        to ``output`` as it is read, so memory stays flat."""
        ...

    def replace_dataset(self, nquads: bytes) -> None:
        """Make the dataset exactly these N-Quads (an update applied in the query process)."""
        ...

    def after_fork(self) -> None:
        """Called first thing in a forked child: reopen handles that cannot be shared."""
        ...
