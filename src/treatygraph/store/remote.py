"""A :class:`~treatygraph.store.base.QueryEngine` over a remote SPARQL 1.1 store.

Selected with ``STORE_PATH = "sparql+http://host:port/sparql"`` (or ``sparql+https://``);
the part after ``sparql+`` is the store's query endpoint. Tested against Virtuoso 7.2
(docs/scaling.md has the settings for Fuseki, GraphDB and Neptune too).

Protocol
    Queries are sent as SPARQL 1.1 Protocol POSTs with a form body
    (``application/x-www-form-urlencoded``): Virtuoso 7.2 hangs on POST
    ``application/sparql-query``. SELECT/ASK ask for ``application/sparql-results+json``,
    CONSTRUCT/DESCRIBE for ``application/n-triples`` (the query form is read with the
    safety scanner's tokenizer, because a store answers a CONSTRUCT with a JSON result
    set when that is the first type it is offered). Bodies are parsed with
    ``pyoxigraph.parse_query_results`` / ``pyoxigraph.parse``, so result terms are the
    same pyoxigraph objects the embedded engine returns.

Our graphs, and only ours
    Virtuoso answers a query without a dataset over *every* graph it holds, including
    about 2,500 triples of its own system graphs. So the engine keeps the list of **our
    graphs** (the graphs it loaded; else ``STORE_GRAPHS``; else the store's graphs minus
    known system graphs) and, when a request names no dataset (no FROM/FROM NAMED and
    no ``default-graph-uri``/``named-graph-uri``), sends one ``default-graph-uri`` per
    graph of ours and one ``named-graph-uri`` per named graph of ours. That reproduces
    the embedded store's union default graph (``use_default_graph_as_union``): the
    default graph is the merge of our graphs, ``GRAPH ?g`` ranges over ours only.
    Requests that name their own dataset are passed through unchanged (the safety checks
    already refused graphs we do not hold). Triples that the data puts in the *default*
    graph are stored in the stand-in graph ``STORE_DEFAULT_GRAPH``, which is part of the
    default graph but never listed as a named graph (as on the embedded store).
    Graph names, counts, dumps and VoID therefore report our graphs only.

Loading (``load``)
    Each graph is *replaced*: with a Graph Store Protocol URL, one ``PUT ?graph=IRI``
    per graph (N-Triples body sent as ``text/turtle``, which every store accepts);
    otherwise SPARQL Update, ``DROP SILENT GRAPH`` then ``INSERT { GRAPH ... } WHERE {}``
    in chunks (Virtuoso 7.2 refuses blank nodes in ``INSERT DATA``; the template form
    makes one fresh blank node per label per request, so each chunk keeps every blank
    node's triples together). Not atomic: during a load, readers can see a graph
    partially loaded, and a failure part-way leaves it so (reload to repair).

Updates through our ``/update`` are refused (``read_only``): the endpoint dry-runs an
update in the query process before applying it, which against a shared store would
apply it twice. Load with ``treatygraph serve --store ...`` or write to the store itself.

Store quirks handled here: Virtuoso writes ``xsd:boolean`` values as ``"1"``/``"0"``
(turned back into ``"true"``/``"false"``) and blank nodes as ``nodeID://b123`` (not a
valid blank node label; relabelled). Virtuoso 7.2 cannot store ``xsd:duration``
(``"P6M"`` reads back as ``"6"``, ``"P1D"`` fails): documented, not fixable here.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from treatygraph.store.base import (
    EngineEvaluationError,
    EngineSyntaxError,
    QueryResult,
    ResultLimitExceeded,
    UpstreamError,
)

SCHEMES = ("sparql+http://", "sparql+https://")
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

#: Where triples of the data's default graph are kept in the remote store.
DEFAULT_GRAPH_STAND_IN = "urn:x-treatygraph:default-graph"
#: Used as the only default graph when a request wants the (empty) store default graph.
EMPTY_GRAPH = "urn:x-treatygraph:empty-graph"

#: Graphs a fresh Virtuoso 7.2 holds for itself (and prefixes of others it creates).
SYSTEM_GRAPHS = frozenset({
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
})
SYSTEM_GRAPH_PREFIXES = ("http://www.openlinksw.com/", "http://localuriqaserver/")

#: Triples per SPARQL Update request when loading (a chunk never splits a blank node).
CHUNK_TRIPLES = 1000
LOAD_TIMEOUT = 300.0

_BNODE_CHARS = re.compile(r"[^A-Za-z0-9_]")
_GRAPH_FORMS = ("construct", "describe")
_RESULT_FORMS = ("select", "ask")


class RemoteStoreError(UpstreamError):
    """The remote store could not be reached or failed (not the client's query)."""


def is_remote(store_path: object) -> bool:
    return isinstance(store_path, str) and store_path.startswith(SCHEMES)


def endpoint_url(store_path: str) -> str:
    """``sparql+http://h:p/sparql`` -> ``http://h:p/sparql``."""
    if not is_remote(store_path):
        raise ValueError(f"not a remote store URL (use sparql+http:// or sparql+https://): "
                         f"{store_path}")
    return store_path[len("sparql+"):]


def query_form(sparql: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``: the first keyword after the
    prologue (read with the safety scanner, so strings, IRIs and comments are skipped)."""
    from treatygraph.errors import ClientError
    from treatygraph.sparql.safety import tokenize

    try:
        tokens = tokenize(sparql)
    except ClientError:
        return None
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        low = tok.text.lower()
        if tok.kind == "run" and low == "base":
            k += 2
            continue
        if tok.kind == "run" and low == "prefix":
            k += 3
            continue
        if tok.kind == "run" and low.startswith("prefix") and low.endswith(":"):
            k += 2
            continue
        if tok.kind == "run":
            for form in (*_RESULT_FORMS, *_GRAPH_FORMS):
                if low.startswith(form):
                    return form
        return None
    return None


# -- term clean-up ---------------------------------------------------------------------------
def _bnode_label(value: str) -> str:
    label = _BNODE_CHARS.sub("_", value.removeprefix("nodeID://").removeprefix("_:"))
    return label if label and label[0].isalnum() else "b" + label


def _fix_json_term(term: dict[str, Any]) -> None:
    kind = term.get("type")
    if kind == "bnode":
        term["value"] = _bnode_label(str(term.get("value", "")))
    elif kind in ("literal", "typed-literal") and term.get("datatype") == XSD_BOOLEAN:
        value = str(term.get("value"))
        term["value"] = {"1": "true", "0": "false"}.get(value, value)
    elif kind == "triple":
        for part in (term.get("value") or {}).values():
            if isinstance(part, dict):
                _fix_json_term(part)


def _fix_term(term: Any) -> Any:
    if (isinstance(term, ox.Literal) and term.datatype.value == XSD_BOOLEAN
            and term.value in ("1", "0")):
        return ox.Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    return term


def _fix_triple(t: ox.Triple) -> ox.Triple:
    obj = _fix_term(t.object)
    return t if obj is t.object else ox.Triple(t.subject, t.predicate, obj)


# -- HTTP ------------------------------------------------------------------------------------
class _Http:
    """Small urllib client (no new dependency): form POSTs, PUT, optional basic/digest auth.

    Environment proxies are ignored on purpose: the store is normally on the same
    network, and a stray ``http_proxy`` must not reroute every query.
    """

    def __init__(self, user: str | None, password: str | None, auth: str = "basic",
                 urls: Sequence[str] = ()) -> None:
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
        self._basic: str | None = None
        if user is not None:
            if auth == "digest":
                manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                manager.add_password(None, list(urls), user, password or "")  # any realm
                handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
            elif auth == "basic":
                token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
                self._basic = f"Basic {token}"
            else:
                raise ValueError(f"STORE_AUTH must be basic or digest, not {auth!r}")
        self._opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str],
                timeout: float) -> tuple[int, str, bytes, Mapping[str, str]]:
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        if self._basic:
            req.add_header("Authorization", self._basic)
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                return (resp.status, resp.headers.get("Content-Type", ""), resp.read(),
                        {k.lower(): v for k, v in resp.headers.items()})
        except urllib.error.HTTPError as err:
            data = err.read() if err.fp is not None else b""
            lowered = {k.lower(): v for k, v in err.headers.items()}
            return err.code, err.headers.get("Content-Type", ""), data, lowered
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise RemoteStoreError(f"cannot reach the remote SPARQL store at {url}: "
                                   f"{reason}") from None


def _message(status: int, body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    lines = [line for line in text.splitlines() if line.strip()][:6]
    return f"HTTP {status}: " + " ".join(lines)[:600] if lines else f"HTTP {status}"


# -- the engine ------------------------------------------------------------------------------
class RemoteEngine:
    """QueryEngine forwarding to a SPARQL 1.1 store (see module docstring)."""

    read_only = True

    def __init__(self, query_url: str, *, update_url: str | None = None,
                 graph_store_url: str | None = None, user: str | None = None,
                 password: str | None = None, auth: str = "basic",
                 graphs: Sequence[str] | None = None, timeout: float = 30.0,
                 default_graph: str = DEFAULT_GRAPH_STAND_IN,
                 exclude_graphs: Iterable[str] = ()) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout
        self.default_graph = default_graph
        urls = [u for u in (query_url, self.update_url, graph_store_url) if u]
        self._auth = (user, password, auth, urls)
        self._http = _Http(user, password, auth, urls)
        self._pid = os.getpid()
        self._exclude = frozenset(exclude_graphs) | SYSTEM_GRAPHS
        self._graphs: list[str] | None = list(graphs) if graphs else None
        self._has_default = False
        self._counts: dict[str | None, int] | None = None
        self._union_count: int | None = None

    # -- process handling ----------------------------------------------------------------
    def after_fork(self) -> None:
        """A forked query process gets its own HTTP client (no shared sockets)."""
        self._http = _Http(*self._auth)
        self._pid = os.getpid()

    def _client(self) -> _Http:
        if self._pid != os.getpid():
            self.after_fork()
        return self._http

    # -- our graphs ------------------------------------------------------------------------
    def _all_graphs(self) -> list[str]:
        if self._graphs is None:
            self._graphs = self._discover()
        return self._graphs

    def _discover(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {})
        found = sorted(row[0].value for row in rows if isinstance(row[0], ox.NamedNode))
        self._has_default = self.default_graph in found
        return [g for g in found
                if g not in self._exclude and not g.startswith(SYSTEM_GRAPH_PREFIXES)]

    def graph_names(self) -> list[str]:
        return sorted(g for g in self._all_graphs() if g != self.default_graph)

    def has_graph(self, iri: str) -> bool:
        return iri != self.default_graph and iri in self._all_graphs()

    def _default_dataset(self) -> list[str]:
        graphs = self.graph_names()
        if self._has_default or self.default_graph in self._all_graphs():
            graphs.append(self.default_graph)
        return graphs or [EMPTY_GRAPH]

    def _dataset_params(self, default_graph_uris: Sequence[str] | None,
                        named_graph_uris: Sequence[str] | None,
                        union_default_graph: bool) -> list[tuple[str, str]]:
        if default_graph_uris or named_graph_uris:
            return ([("default-graph-uri", g) for g in default_graph_uris or ()]
                    + [("named-graph-uri", g) for g in named_graph_uris or ()])
        if not union_default_graph:
            return []  # the query names its own dataset (FROM / FROM NAMED)
        return ([("default-graph-uri", g) for g in self._default_dataset()]
                + [("named-graph-uri", g) for g in self.graph_names() or [EMPTY_GRAPH]])

    # -- requests --------------------------------------------------------------------------
    def _post(self, url: str, params: list[tuple[str, str]], accept: str,
              timeout: float | None = None) -> tuple[int, str, bytes, Mapping[str, str]]:
        body = urllib.parse.urlencode(params).encode("utf-8")
        return self._client().request(
            "POST", url, body, {"Content-Type": FORM + "; charset=utf-8", "Accept": accept},
            timeout or self.timeout)

    def _select(self, sparql: str, params: Mapping[str, Sequence[str]] | None,
                ) -> list[tuple[Any, ...]]:
        flat = [(k, v) for k, vs in (params or {}).items() for v in vs]
        return self._run(sparql, flat, "select", None).rows

    def _run(self, sparql: str, params: list[tuple[str, str]], form: str | None,
             max_results: int | None) -> QueryResult:
        graph = form in _GRAPH_FORMS
        accept = N_TRIPLES if graph else RESULTS_JSON
        if form is None:  # unknown: offer both, let the store choose
            accept = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
        status, ctype, body, headers = self._post(self.query_url, [("query", sparql), *params],
                                                  accept)
        if status >= 400:
            message = _message(status, body)
            if status >= 500 and "syntax" not in message.lower():
                raise RemoteStoreError(f"the remote SPARQL store failed: {message}")
            if "syntax" in message.lower() or "SP030" in message or "parse" in message.lower():
                raise EngineSyntaxError(f"(remote store) {message}")
            raise EngineEvaluationError(f"(remote store) {message}")
        if status >= 300:
            raise RemoteStoreError(f"the remote SPARQL store answered HTTP {status}")
        limit = max_results if max_results is not None else -1
        if headers.get("x-sparql-maxrows"):
            # Virtuoso cut the result at its ResultSetMaxRows without an error
            raise EngineEvaluationError(
                f"the remote store truncated the result at {headers['x-sparql-maxrows']} rows "
                "(Virtuoso ResultSetMaxRows); add a LIMIT")
        media = ctype.split(";")[0].strip().lower()
        try:
            if media in (N_TRIPLES, "text/plain", "text/ntriples"):
                triples: list[ox.Triple] = []
                for quad in ox.parse(body, ox.RdfFormat.N_TRIPLES):
                    if len(triples) == limit:
                        raise ResultLimitExceeded(limit)
                    triples.append(_fix_triple(quad.triple))
                return QueryResult("graph", triples=triples)
            if media in ("text/turtle", "application/x-turtle"):
                triples = [_fix_triple(q.triple) for q in ox.parse(body, ox.RdfFormat.TURTLE)]
                if 0 <= limit < len(triples):
                    raise ResultLimitExceeded(limit)
                return QueryResult("graph", triples=triples)
            if media in (RESULTS_JSON, "application/json"):
                return self._parse_json(body, limit)
        except SyntaxError as err:
            raise RemoteStoreError(f"cannot parse the remote store's {media} answer: "
                                   f"{err}") from None
        raise RemoteStoreError(f"the remote store answered with unexpected Content-Type "
                               f"{ctype!r}")

    def _parse_json(self, body: bytes, limit: int) -> QueryResult:
        try:
            doc = json.loads(body)
        except ValueError as err:
            raise RemoteStoreError(f"the remote store sent invalid JSON: {err}") from None
        if "boolean" in doc:
            return QueryResult("boolean", boolean=bool(doc["boolean"]))
        bindings = (doc.get("results") or {}).get("bindings") or []
        if 0 <= limit < len(bindings):
            raise ResultLimitExceeded(limit)
        for row in bindings:
            for term in row.values():
                if isinstance(term, dict):
                    _fix_json_term(term)
        doc.get("head", {}).pop("link", None)
        raw = ox.parse_query_results(json.dumps(doc).encode("utf-8"),
                                     ox.QueryResultsFormat.JSON)
        assert isinstance(raw, ox.QuerySolutions)
        variables = [v.value for v in raw.variables]
        rows = [tuple(solution) for solution in raw]
        return QueryResult("bindings", variables=variables, rows=rows)

    # -- QueryEngine -------------------------------------------------------------------------
    def query(self, sparql: str, default_graph_uris: Sequence[str] | None = None,
              named_graph_uris: Sequence[str] | None = None, *,
              union_default_graph: bool = True, base_iri: str | None = None,
              max_results: int | None = None) -> QueryResult:
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        params = self._dataset_params(default_graph_uris, named_graph_uris, union_default_graph)
        return self._run(text, params, query_form(sparql), max_results)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        raise EngineEvaluationError("this endpoint serves a remote store read-only; load data "
                                    "with `treatygraph serve --store ...` or update the store "
                                    "directly")

    def triple_counts(self) -> dict[str | None, int]:
        if self._counts is None:
            counts: dict[str | None, int] = {g: 0 for g in self.graph_names()}
            graphs = self._all_graphs()
            if graphs:
                rows = self._select(
                    "SELECT ?g (COUNT(*) AS ?c) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                    {"named-graph-uri": graphs})
                for g, c in rows:
                    counts[g.value] = int(c.value)
            counts[None] = counts.pop(self.default_graph, 0)
            self._counts = counts
        return dict(self._counts)

    def union_triple_count(self) -> int:
        if self._union_count is None:
            rows = self._select("SELECT (COUNT(*) AS ?c) WHERE { SELECT DISTINCT ?s ?p ?o "
                                "WHERE { ?s ?p ?o } }",
                                {"default-graph-uri": self._default_dataset()})
            self._union_count = int(rows[0][0].value) if rows else 0
        return self._union_count

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one of our graphs, checked against its count (a store that caps
        results, like Virtuoso's ResultSetMaxRows, must not give a silently short dump)."""
        result = self._run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                           [], "construct", None)
        expected = self.triple_counts().get(None if graph == self.default_graph else graph)
        if expected is not None and len(set(result.triples)) < expected:
            raise RemoteStoreError(f"the remote store returned {len(result.triples)} of the "
                                   f"{expected} triples of <{graph}> (does it cap results?)")
        return result.triples

    def dump(self, media_type: str = "application/n-quads") -> bytes:
        formats = {"application/n-quads": ox.RdfFormat.N_QUADS,
                   "application/trig": ox.RdfFormat.TRIG}
        fmt = formats.get(media_type)
        if fmt is None:
            raise ValueError(f"cannot dump a dataset as {media_type}")
        quads = []
        for graph in self._default_dataset():
            if graph == EMPTY_GRAPH:
                continue
            name = ox.DefaultGraph() if graph == self.default_graph else ox.NamedNode(graph)
            quads += [ox.Quad(t.subject, t.predicate, t.object, name)
                      for t in self.graph_triples(graph)]
        return ox.serialize(quads, format=fmt) or b""

    # -- loading ---------------------------------------------------------------------------
    def load(self, store: ox.Store, *, log: Callable[[str], None] | None = None) -> list[str]:
        """Replace each graph of ``store`` in the remote store (see module docstring).

        The store's default graph goes to the stand-in graph. Returns the graphs written;
        afterwards they are "our graphs".
        """
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in store:
            graph = (self.default_graph if isinstance(quad.graph_name, ox.DefaultGraph)
                     else quad.graph_name.value)
            by_graph.setdefault(graph, []).append(ox.Triple(quad.subject, quad.predicate,
                                                            quad.object))
        for graph in sorted(by_graph):
            triples = by_graph[graph]
            if self.graph_store_url:
                self._put_graph(graph, triples)
            else:
                self._update_graph(graph, triples)
            if log is not None:
                log(f"loaded {len(triples)} triples into <{graph}>")
        self._graphs = sorted(by_graph)
        self._has_default = self.default_graph in by_graph
        self._counts = None
        self._union_count = None
        return self._graphs

    def _put_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        assert self.graph_store_url is not None
        sep = "&" if "?" in self.graph_store_url else "?"
        url = f"{self.graph_store_url}{sep}{urllib.parse.urlencode({'graph': graph})}"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        # N-Triples is Turtle; text/turtle is the one type every GSP implementation takes
        status, _, data, _ = self._client().request(
            "PUT", url, body, {"Content-Type": "text/turtle; charset=utf-8"}, LOAD_TIMEOUT)
        if status >= 300:
            raise RemoteStoreError(f"Graph Store PUT <{graph}> failed: {_message(status, data)}")

    def _update_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        self._send_update(f"DROP SILENT GRAPH <{graph}>")
        for chunk in chunk_triples(triples, CHUNK_TRIPLES):
            lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in chunk)
            self._send_update(f"INSERT {{ GRAPH <{graph}> {{\n{lines}\n}} }} WHERE {{}}")

    def _send_update(self, text: str) -> None:
        status, _, data, _ = self._post(self.update_url, [("update", text)],
                                        "text/plain, */*;q=0.1", LOAD_TIMEOUT)
        if status >= 300:
            raise RemoteStoreError(f"SPARQL Update to {self.update_url} failed: "
                                   f"{_message(status, data)}")


def chunk_triples(triples: Sequence[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """Split into chunks of about ``size``, never separating triples that share a blank
    node (directly or through other blank nodes): a blank node label only means the same
    node within one update request."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in triples:
        nodes = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if len(nodes) == 2:
            parent[find(nodes[0])] = find(nodes[1])
        elif nodes:
            find(nodes[0])
    groups: dict[str, list[ox.Triple]] = {}
    plain: list[ox.Triple] = []
    for t in triples:
        node = next((n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)),
                    None)
        if node is None:
            plain.append(t)
        else:
            groups.setdefault(find(node), []).append(t)
    chunks: list[list[ox.Triple]] = []
    current: list[ox.Triple] = []
    for group in [*groups.values(), *([t] for t in plain)]:
        if current and len(current) + len(group) > size:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks


def open_remote(config: Mapping[str, Any],
                local_data: Callable[[], ox.Store]) -> RemoteEngine:
    """The RemoteEngine for ``config``; loads ``local_data()`` into it unless STORE_LOAD is
    false. Raises ``ConfigError`` when the store cannot be reached or loaded."""
    from treatygraph.store import ConfigError

    url = endpoint_url(str(config["STORE_PATH"]))
    timeout = float(config.get("STORE_TIMEOUT") or config.get("QUERY_TIMEOUT") or 30.0)
    engine = RemoteEngine(
        url, update_url=config.get("STORE_UPDATE_URL"),
        graph_store_url=config.get("STORE_GRAPH_STORE_URL"),
        user=config.get("STORE_USER"), password=config.get("STORE_PASSWORD"),
        auth=str(config.get("STORE_AUTH") or "basic"),
        graphs=config.get("STORE_GRAPHS") or None, timeout=timeout,
        exclude_graphs=config.get("STORE_EXCLUDE_GRAPHS") or ())
    try:
        engine.query("ASK {}")  # reachable? (before building the data to load)
        if config.get("STORE_LOAD", True):
            engine.load(local_data())
        engine.triple_counts()  # fail now, not on the first request, if unreachable
    except RemoteStoreError as err:
        raise ConfigError(str(err)) from None
    except EngineSyntaxError as err:
        raise ConfigError(f"the remote store refused a request: {err.message}") from None
    return engine
