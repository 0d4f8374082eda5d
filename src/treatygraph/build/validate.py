"""SHACL validation of the graph, and the readable report the CLI prints.

pyshacl runs on a plain rdflib memory graph with ``inference='none'`` (the engineering notes
measured wrong results on other stores); the ontology is merged into the data graph so that
``sh:class`` sees the subclass hierarchy.

pyshacl evaluates a SPARQL-based constraint once per focus node, handing rdflib the same query
text each time, and rdflib parses it every time: on the project graph that was 264 parses of
about 20 queries, half of a build. The data graph here (:class:`PreparedQueries`, validated in
place, so pyshacl queries it and not a copy) parses each text once and reuses the prepared
query, which rdflib evaluates with each focus node's bindings as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pyparsing import ParseException
from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result as QueryResult
from rdflib.term import Identifier, Node

from treatygraph.errors import QuerySyntaxError
from treatygraph.rdf.iris import PREFIXES

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
OutputFormat = Literal["text", "json", "turtle"]


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with its terms shortened for reading."""

    severity: str
    focus: str
    path: str
    message: str
    shape: str
    value: str


@dataclass
class Report:
    """The outcome of one validation run."""

    results: list[Result]
    graph: Graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        """True when nothing would stop the build: warnings and infos do not."""
        return not self.violations


def _short(graph: Graph, term: Node | None) -> str:
    if term is None:
        return "-"
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except ValueError:
            return f"<{term}>"
    return term.n3(graph.namespace_manager)


def _path(graph: Graph, report: Graph, node: Node | None) -> str:
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        return _short(graph, node)
    inverse = report.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _short(graph, inverse)
    return "(complex path)"


#: every query text prepared so far, by text and prefixes (a prepared query holds no data)
_PREPARED: dict[tuple[str, tuple[tuple[str, str], ...]], Query] = {}


class PreparedQueries(Graph):
    """An rdflib graph that parses each SPARQL query text once (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared = _PREPARED  # shared: an import validates thousands of small graphs

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's names)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> QueryResult:
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            key = (query_object, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = self._prepared.get(key)
            if prepared is None:
                try:
                    prepared = prepareQuery(query_object, initNs=initNs)
                except ParseException as err:  # a shape's sh:select / sh:ask does not parse
                    near = err.line[err.col - 1 :][:20]
                    raise QuerySyntaxError(
                        f"{err.lineno}:{err.col}: syntax error in a shape's SPARQL query: "
                        f"{err.msg}, near {near!r}"
                    ) from None
                self._prepared[key] = prepared
            query_object, initNs = prepared, None
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` (plus the ontology, for class hierarchy) against ``shapes``."""
    data_graph = PreparedQueries()
    for prefix, namespace in PREFIXES.items():
        data_graph.bind(prefix, namespace)
    for source in (data, ontology):
        if source is not None:
            for triple in source:
                data_graph.add(triple)
    _, report_graph, _ = shacl_validate(
        data_graph,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,  # data_graph is ours alone: no copy, so the prepared queries are used
    )
    for prefix, namespace in PREFIXES.items():
        report_graph.bind(prefix, namespace)
    results = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(node, SH.resultSeverity)
        results.append(
            Result(
                severity=SEVERITY_NAMES.get(severity, str(severity)),
                focus=_short(report_graph, report_graph.value(node, SH.focusNode)),
                path=_path(report_graph, shapes, report_graph.value(node, SH.resultPath)),
                message=str(report_graph.value(node, SH.resultMessage) or ""),
                shape=_short(report_graph, report_graph.value(node, SH.sourceShape)),
                value=_short(report_graph, report_graph.value(node, SH.value)),
            )
        )
    results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path, r.shape, r.message))
    return Report(results=results, graph=report_graph)


def render(report: Report, fmt: OutputFormat) -> str:
    """The report as one line per result, as JSON, or as the SHACL report graph in Turtle."""
    if fmt == "json":
        payload = {
            "conforms": report.conforms,
            "violations": len(report.violations),
            "results": [asdict(r) for r in report.results],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False)
    if fmt == "turtle":
        return report.graph.serialize(format="turtle")
    lines = [
        f"{r.severity}: {r.focus} {r.path}: {r.message} [{r.shape}]"
        + (f" (value {r.value})" if r.value != "-" else "")
        for r in report.results
    ]
    counts = {
        name: sum(r.severity == name for r in report.results) for name in SEVERITY_NAMES.values()
    }
    summary = ", ".join(f"{n} {name.lower()}{'s' if n != 1 else ''}" for name, n in counts.items())
    lines.append(("Conforms" if report.conforms else "Does not conform") + f": {summary}.")
    return "\n".join(lines)
