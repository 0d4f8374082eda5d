"""Jobs sent to the query process, and the code that runs them there.

``run_job`` executes in the executor's child process: it runs the query on the engine,
enforces RESULT_CAP, and serialises the *complete* body, so the web process only ever
sends finished responses. An engine offering ``query_tsv`` (the optional
:class:`~treatygraph.store.base.TsvQueryEngine` capability) writes SELECT results itself.
Replies are small picklable records; errors are data here and become HTTP errors in
:mod:`treatygraph.sparql.protocol`.
"""

from __future__ import annotations

from dataclasses import dataclass

from treatygraph.errors import QuerySyntaxError, UpstreamError
from treatygraph.sparql import results
from treatygraph.store.base import (
    QueryEngine,
    QueryEvaluationError,
    QueryResult,
    ResultLimitExceeded,
)
from treatygraph.web.conneg import ALL_FORMATS, Format


@dataclass(frozen=True)
class QueryJob:
    sparql: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    union_default_graph: bool
    base_iri: str | None
    #: negotiated format for SELECT/ASK and for CONSTRUCT/DESCRIBE (None: not acceptable)
    results_format: Format | None
    graph_format: Format | None
    max_results: int


@dataclass(frozen=True)
class UpdateJob:
    sparql: str
    base_iri: str | None


@dataclass(frozen=True)
class Reply:
    status: str  #: ok, syntax, evaluation, upstream, too_large, not_acceptable
    body: bytes = b""
    format: Format | None = None
    message: str = ""
    kind: str = ""  #: bindings, boolean or graph


def run_job(engine: QueryEngine, job: QueryJob | UpdateJob) -> Reply:
    """Run one job against ``engine`` (in the child process).

    An update is applied to the child's copy of the store, and the whole resulting dataset
    comes back as N-Quads for the parent to adopt: the parent itself never evaluates
    SPARQL, so it needs no confinement of its own.
    """
    try:
        if isinstance(job, UpdateJob):
            engine.update(job.sparql, base_iri=job.base_iri)
            return Reply("ok", body=engine.dump("application/n-quads"))
        query = getattr(engine, "query_tsv", engine.query)
        result: QueryResult = query(
            job.sparql,
            job.default_graphs or None,
            job.named_graphs or None,
            union_default_graph=job.union_default_graph,
            base_iri=job.base_iri,
            max_results=job.max_results,
        )
    except QuerySyntaxError as err:
        return Reply("syntax", message=err.message)
    except ResultLimitExceeded as err:
        return Reply("too_large", message=err.message)
    except QueryEvaluationError as err:
        return Reply("evaluation", message=err.message)
    except UpstreamError as err:
        return Reply("upstream", message=err.message)
    fmt = job.graph_format if result.kind == "graph" else job.results_format
    if fmt is None:
        return Reply("not_acceptable", kind=result.kind)
    return Reply("ok", body=results.serialize(result, fmt), format=fmt, kind=result.kind)


def warm_up() -> None:
    """Write a small result in every format, so that whatever the writers import lazily is
    loaded before the query process gives up opening files."""
    import pyoxigraph as ox

    node = ox.NamedNode("https://example.org/x")
    samples = [
        QueryResult("bindings", variables=["x"], rows=[(node,), (ox.Literal("x"),)]),
        QueryResult("boolean", boolean=True),
        QueryResult("graph", triples=[ox.Triple(node, node, ox.Literal("1"))]),
    ]
    for sample in samples:
        for fmt in ALL_FORMATS:
            if (fmt.kind == "rdf") == (sample.kind == "graph"):
                results.serialize(sample, fmt)
    for fmt in ALL_FORMATS:
        if fmt.kind == "results":
            results.from_tsv(b"?x\n1\n", fmt)
