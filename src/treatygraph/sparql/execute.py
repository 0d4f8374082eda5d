"""Jobs sent to the query process, and the code that runs them there.

``run_job`` executes in the executor's child process: it runs the query on the engine (which
enforces RESULT_CAP) and writes the *complete* body in the negotiated format, so the web
process only ever sends finished answers. Errors are data: whatever
:class:`~treatygraph.errors.Error` the engine raises travels back to the parent as it is
(:mod:`treatygraph.store.executor`) and is answered there like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from treatygraph.errors import NotAcceptable
from treatygraph.rdf import formats
from treatygraph.rdf.formats import Format
from treatygraph.sparql import results
from treatygraph.store.base import QueryEngine


@dataclass(frozen=True)
class QueryJob:
    sparql: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    union_default_graph: bool
    base_iri: str | None
    #: the negotiated format for SELECT/ASK and for CONSTRUCT/DESCRIBE (None: none fits)
    results_format: Format | None
    graph_format: Format | None
    max_results: int
    wanted: str = ""  #: what the client asked for, named when no format fits the answer


@dataclass(frozen=True)
class UpdateJob:
    sparql: str
    base_iri: str | None


@dataclass(frozen=True)
class Reply:
    """A finished answer: the body and the format it is written in."""

    body: bytes
    format: Format | None = None


def run_job(engine: QueryEngine, job: QueryJob | UpdateJob) -> Reply:
    """Run one job against ``engine`` (in the child process).

    An update is applied to the child's copy of the store, and the whole resulting dataset
    comes back as N-Quads for the parent to adopt: the parent itself never evaluates
    SPARQL, so it needs no confinement of its own.
    """
    if isinstance(job, UpdateJob):
        engine.update(job.sparql, base_iri=job.base_iri)
        return Reply(engine.dump())
    result = engine.query(
        job.sparql,
        job.default_graphs or None,
        job.named_graphs or None,
        union_default_graph=job.union_default_graph,
        base_iri=job.base_iri,
        max_results=job.max_results,
    )
    graph = result.kind == "graph"
    fmt = job.graph_format if graph else job.results_format
    if fmt is None:
        offered = formats.RDF if graph else formats.RESULTS
        kind = "a graph" if graph else "results"
        raise NotAcceptable.offering(
            f"the query answers with {kind}, and {job.wanted or 'no format fits'}",
            [f.media_type for f in offered],
        )
    return Reply(results.serialize(result, fmt), fmt)
