"""Read the W3C test manifests (rdflib) into plain dataclasses the tests parametrise over.

Test files are addressed by their official W3C IRIs (the suite's published base), not by local
``file://`` paths: graph names, query BASE and relative IRIs in expected results then match what
the test authors wrote, and the endpoint never sees a ``file:`` IRI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
REPO_ROOT = Path(__file__).resolve().parents[2]

QUERY_MANIFEST = "manifest-sparql11-query.ttl"
RESULTS_MANIFEST = "manifest-sparql11-results.ttl"

EVAL_TYPES = {MF.QueryEvaluationTest, MF.CSVResultFormatTest}
POSITIVE_SYNTAX = {MF.PositiveSyntaxTest11, MF.PositiveSyntaxTest}
NEGATIVE_SYNTAX = {MF.NegativeSyntaxTest11, MF.NegativeSyntaxTest}


def suite_dir() -> Path:
    """Where the W3C files live: $TREATYGRAPH_W3C_SUITE, else shared/ beside the checkout."""
    env = os.environ.get("TREATYGRAPH_W3C_SUITE")
    if env:
        return Path(env)
    return (REPO_ROOT.parent / "shared" / "w3c" / "sparql11").resolve()


def suite_available() -> bool:
    return (suite_dir() / QUERY_MANIFEST).is_file()


def iri_for(path: Path) -> str:
    """Official W3C IRI of a local suite file."""
    return W3C_BASE + path.resolve().relative_to(suite_dir().resolve()).as_posix()


def path_for(iri: str) -> Path:
    """Local file for an official W3C IRI."""
    if not iri.startswith(W3C_BASE):
        raise ValueError(f"not a suite IRI: {iri}")
    return suite_dir() / iri[len(W3C_BASE) :]


def load_manifest(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle", publicID=iri_for(path))
    return g


def _list(g: Graph, head: Node | None) -> list[Node]:
    return list(Collection(g, head)) if head is not None else []


def _entries(g: Graph) -> list[Node]:
    out: list[Node] = []
    for m in g.subjects(RDF.type, MF.Manifest):
        out.extend(_list(g, g.value(m, MF.entries)))
    return out


def _includes(g: Graph) -> list[str]:
    out: list[str] = []
    for m in g.subjects(RDF.type, MF.Manifest):
        out.extend(str(i) for i in _list(g, g.value(m, MF.include)))
    return out


@dataclass(frozen=True)
class QueryTest:
    """One query-evaluation or syntax test."""

    iri: str
    name: str
    kind: str  # "eval" | "positive-syntax" | "negative-syntax"
    manifest: str  # sub-manifest directory, e.g. "aggregates"
    query: str  # IRI of the .rq file
    data: tuple[str, ...] = ()
    graph_data: tuple[str, ...] = ()
    result: str | None = None
    approval: str = ""
    comment: str = ""

    @property
    def short(self) -> str:
        return f"{self.manifest}/{self.iri.rsplit('#', 1)[-1]}"

    @property
    def query_path(self) -> Path:
        return path_for(self.query)

    @property
    def result_path(self) -> Path | None:
        return path_for(self.result) if self.result else None


def query_tests(top: str = QUERY_MANIFEST) -> list[QueryTest]:
    """All tests listed (mf:entries) in the sub-manifests that ``top`` includes, in order."""
    tests: list[QueryTest] = []
    top_graph = load_manifest(suite_dir() / top)
    for inc in _includes(top_graph):
        sub_path = path_for(inc)
        g = load_manifest(sub_path)
        manifest = sub_path.parent.name
        for t in _entries(g):
            types = set(g.objects(t, RDF.type))
            if types & EVAL_TYPES:
                kind = "eval"
            elif types & POSITIVE_SYNTAX:
                kind = "positive-syntax"
            elif types & NEGATIVE_SYNTAX:
                kind = "negative-syntax"
            else:
                continue
            action = g.value(t, MF.action)
            if kind == "eval":
                query = g.value(action, QT.query)
                data = tuple(sorted(str(d) for d in g.objects(action, QT.data)))
                graph_data = tuple(sorted(str(d) for d in g.objects(action, QT.graphData)))
            else:  # syntax tests: the action is the query file itself
                query, data, graph_data = action, (), ()
            result = g.value(t, MF.result)
            approval = g.value(t, DAWGT.approval)
            tests.append(
                QueryTest(
                    iri=str(t),
                    name=str(g.value(t, MF.name) or ""),
                    kind=kind,
                    manifest=manifest,
                    query=str(query),
                    data=data,
                    graph_data=graph_data,
                    result=str(result) if result is not None else None,
                    approval=str(approval).rsplit("#", 1)[-1] if approval else "",
                    comment=str(g.value(t, RDFS.comment) or ""),
                )
            )
    return tests


# --------------------------------------------------------------------------------------------
# Protocol manifest


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    absolute_path: str  # as in the manifest, starting with /sparql/
    headers: tuple[tuple[str, str], ...]
    body: str | None
    body_encoding: str
    expected_status: tuple[str, ...]  # e.g. ("2xx", "3xx")
    expected_format: str | None  # "boolean" | "tabular" | "RDF"
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    iri: str
    name: str
    requests: tuple[ProtocolRequest, ...]
    # ut:graphData: (file IRI, graph name) pairs the store must hold before the test
    graph_data: tuple[tuple[str, str], ...] = field(default=())

    @property
    def short(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def protocol_tests(path: Path | None = None) -> list[ProtocolTest]:
    path = path or suite_dir() / "protocol" / "manifest.ttl"
    g = load_manifest(path)
    tests: list[ProtocolTest] = []
    for t in _entries(g):
        conn = g.value(t, MF.action)
        reqs: list[ProtocolRequest] = []
        for r in _list(g, g.value(conn, HT.requests)):
            headers = []
            for h in _list(g, g.value(r, HT.headers)):
                headers.append((str(g.value(h, HT.fieldName)), str(g.value(h, HT.fieldValue))))
            body = g.value(r, HT.body)
            resp = g.value(r, HT.resp)
            statuses = sorted(
                str(s).rsplit("StatusCode", 1)[-1] for s in g.objects(resp, MF.expectedStatus)
            )
            boolean = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            reqs.append(
                ProtocolRequest(
                    method=str(g.value(r, HT.methodName)),
                    absolute_path=str(g.value(r, HT.absolutePath)),
                    headers=tuple(headers),
                    body=str(g.value(body, CNT.chars)) if body is not None else None,
                    body_encoding=str(g.value(body, CNT.characterEncoding) or "UTF-8")
                    if body is not None
                    else "UTF-8",
                    expected_status=tuple(statuses),
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if boolean is not None else None,
                )
            )
        graph_data = []
        for gd in g.objects(t, UT.graphData):
            graph_data.append((str(g.value(gd, UT.graph)), str(g.value(gd, RDFS.label))))
        tests.append(
            ProtocolTest(
                iri=str(t),
                name=str(g.value(t, MF.name) or ""),
                requests=tuple(reqs),
                graph_data=tuple(sorted(graph_data)),
            )
        )
    return tests
