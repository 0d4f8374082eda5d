"""SHACL validation of the graph, and the readable report the CLI prints.

pyshacl runs on a plain rdflib memory graph with ``inference='none'`` (the engineering notes
measured wrong results on other stores); the ontology is merged into the data graph so that
``sh:class`` sees the subclass hierarchy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

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


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` (plus the ontology, for class hierarchy) against ``shapes``."""
    data_graph = Graph()
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
