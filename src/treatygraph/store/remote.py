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
    set when that is the first type it is offered). Answers are read, and store quirks
    undone, in :mod:`treatygraph.store.remote_results`; pyoxigraph writes them as the
    embedded store's are written.

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
    graph are stored in the stand-in graph :data:`DEFAULT_GRAPH_STAND_IN`, which is part of
    the default graph but never listed as a named graph (as on the embedded store).
    Graph names, counts, dumps and VoID therefore report our graphs only.

Loading (``load``)
    Each graph is *replaced*, by Graph Store Protocol PUTs or SPARQL Update (see
    :mod:`treatygraph.store.remote_load`).

Updates through our ``/update`` are refused (``read_only``): the endpoint dry-runs an
update in the query process before applying it, which against a shared store would
apply it twice. Load with ``treatygraph serve --store ...`` or write to the store itself.

Virtuoso 7.2 cannot store ``xsd:duration`` (``"P6M"`` reads back as ``"6"``, ``"P1D"``
fails): documented, not fixable here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, BinaryIO

import pyoxigraph as ox

from treatygraph.errors import ConfigError, Error, QueryEvaluationError, QuerySyntaxError
from treatygraph.rdf.sparql_text import tokenize
from treatygraph.store import remote_check
from treatygraph.store.base import QueryResult
from treatygraph.store.remote_http import Http, RemoteStoreError
from treatygraph.store.remote_load import chunk_triples, load_graphs
from treatygraph.store.remote_results import N_TRIPLES, RESULTS_JSON, read_answer

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_GRAPH_STAND_IN",
    "SYSTEM_GRAPHS",
    "RemoteEngine",
    "RemoteStoreError",
    "chunk_triples",
    "endpoint_url",
    "is_remote",
    "open_remote",
    "query_form",
]


SCHEMES = ("sparql+http://", "sparql+https://")

#: Where triples of the data's default graph are kept in the remote store.
DEFAULT_GRAPH_STAND_IN = "urn:x-treatygraph:default-graph"
#: Used as the only default graph when a request wants the (empty) store default graph.
EMPTY_GRAPH = "urn:x-treatygraph:empty-graph"

#: Graphs a fresh Virtuoso 7.2 holds for itself (and prefixes of others it creates).
SYSTEM_GRAPHS = frozenset(
    {
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
        "http://www.w3.org/2002/07/owl#",
    }
)
SYSTEM_GRAPH_PREFIXES = ("http://www.openlinksw.com/", "http://localuriqaserver/")

_GRAPH_FORMS = ("construct", "describe")
_RESULT_FORMS = ("select", "ask")


def is_remote(store_path: object) -> bool:
    return isinstance(store_path, str) and store_path.startswith(SCHEMES)


def endpoint_url(store_path: str) -> str:
    """``sparql+http://h:p/sparql`` -> ``http://h:p/sparql``."""
    if not is_remote(store_path):
        raise ValueError(
            f"not a remote store URL (use sparql+http:// or sparql+https://): {store_path}"
        )
    return store_path[len("sparql+") :]


def query_form(sparql: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``: the first keyword after the
    prologue (read with the lexer, so strings, IRIs and comments are skipped)."""
    try:
        tokens = tokenize(sparql)
    except Error:
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


# -- the engine ------------------------------------------------------------------------------
class RemoteEngine:
    """QueryEngine forwarding to a SPARQL 1.1 store (see module docstring)."""

    read_only = True

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        graphs: Sequence[str] | None = None,
        timeout: float = 30.0,
        default_graph: str = DEFAULT_GRAPH_STAND_IN,
        exclude_graphs: Iterable[str] = (),
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout
        self.default_graph = default_graph
        urls = [u for u in (query_url, self.update_url, graph_store_url) if u]
        self.urls: tuple[str, ...] = (query_url,)  # the query process only queries
        self.paths: tuple[str, ...] = ()
        self._auth = (user, password, auth, urls)
        self._http = Http(user, password, auth, urls)
        self._pid = os.getpid()
        self._exclude = frozenset(exclude_graphs) | SYSTEM_GRAPHS
        self._graphs: list[str] | None = list(graphs) if graphs else None
        self._has_default = False

    # -- process handling ----------------------------------------------------------------
    def after_fork(self) -> None:
        """A forked query process gets its own HTTP client (no shared sockets)."""
        self._http = Http(*self._auth)
        self._pid = os.getpid()

    def _client(self) -> Http:
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
        return [
            g for g in found if g not in self._exclude and not g.startswith(SYSTEM_GRAPH_PREFIXES)
        ]

    def graph_names(self) -> list[str]:
        return sorted(g for g in self._all_graphs() if g != self.default_graph)

    def has_graph(self, iri: str) -> bool:
        return iri != self.default_graph and iri in self._all_graphs()

    def _default_dataset(self) -> list[str]:
        graphs = self.graph_names()
        if self._has_default or self.default_graph in self._all_graphs():
            graphs.append(self.default_graph)
        return graphs or [EMPTY_GRAPH]

    def _dataset_params(
        self,
        default_graph_uris: Sequence[str] | None,
        named_graph_uris: Sequence[str] | None,
        union_default_graph: bool,
    ) -> list[tuple[str, str]]:
        if default_graph_uris or named_graph_uris:
            return [("default-graph-uri", g) for g in default_graph_uris or ()] + [
                ("named-graph-uri", g) for g in named_graph_uris or ()
            ]
        if not union_default_graph:
            return []  # the query names its own dataset (FROM / FROM NAMED)
        return [("default-graph-uri", g) for g in self._default_dataset()] + [
            ("named-graph-uri", g) for g in self.graph_names() or [EMPTY_GRAPH]
        ]

    # -- requests --------------------------------------------------------------------------
    def _select(
        self,
        sparql: str,
        params: Mapping[str, Sequence[str]] | None,
    ) -> list[tuple[Any, ...]]:
        flat = [(k, v) for k, vs in (params or {}).items() for v in vs]
        return self._run(sparql, flat, "select", None).rows

    def _run(
        self, sparql: str, params: list[tuple[str, str]], form: str | None, max_results: int | None
    ) -> QueryResult:
        graph = form in _GRAPH_FORMS
        accept = N_TRIPLES if graph else RESULTS_JSON
        if form is None:  # unknown: offer both, let the store choose
            accept = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
        status, ctype, body, headers = self._client().post_form(
            self.query_url, [("query", sparql), *params], accept, self.timeout
        )
        return read_answer(status, ctype, body, headers, max_results)

    # -- QueryEngine -------------------------------------------------------------------------
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
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        params = self._dataset_params(default_graph_uris, named_graph_uris, union_default_graph)
        return self._run(text, params, query_form(sparql), max_results)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        raise QueryEvaluationError(
            "this endpoint serves a remote store read-only; load data "
            "with `treatygraph serve --store ...` or update the store "
            "directly"
        )

    def replace_dataset(self, nquads: bytes) -> None:
        self.update("")

    def triple_counts(self) -> dict[str | None, int]:
        counts: dict[str | None, int] = {g: 0 for g in self.graph_names()}
        graphs = self._all_graphs()
        if graphs:
            rows = self._select(
                "SELECT ?g (COUNT(*) AS ?c) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                {"named-graph-uri": graphs},
            )
            for g, c in rows:
                counts[g.value] = int(c.value)
        counts[None] = counts.pop(self.default_graph, 0)
        return counts

    def union_triple_count(self) -> int:
        rows = self._select(
            "SELECT (COUNT(*) AS ?c) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            {"default-graph-uri": self._default_dataset()},
        )
        return int(rows[0][0].value) if rows else 0

    def graph_triples(self, graph: str, expected: int | None = None) -> list[ox.Triple]:
        """Every triple of one of our graphs, checked against its count (a store that caps
        results, like Virtuoso's ResultSetMaxRows, must not give a silently short dump)."""
        result = self._run(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            [],
            "construct",
            None,
        )
        if expected is not None and len(set(result.triples)) < expected:
            raise RemoteStoreError(
                f"the remote store returned {len(result.triples)} of the "
                f"{expected} triples of <{graph}> (does it cap results?)"
            )
        return result.triples

    def dump(self) -> bytes:
        counts = self.triple_counts()
        quads = []
        for graph in self._default_dataset():
            if graph == EMPTY_GRAPH:
                continue
            own = graph == self.default_graph
            name = ox.DefaultGraph() if own else ox.NamedNode(graph)
            triples = self.graph_triples(graph, counts.get(None if own else graph))
            quads += [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""

    def dump_to(self, output: BinaryIO, format: ox.RdfFormat, graph: str | None = None) -> None:
        """A remote store is read in bounded pages already; re-serialised in ``format``."""
        if graph is not None:
            triples = self.graph_triples(graph, self.triple_counts().get(graph))
            ox.serialize(triples, output, format=format)
            return
        ox.serialize(ox.parse(self.dump(), format=ox.RdfFormat.N_QUADS), output, format=format)

    # -- loading ---------------------------------------------------------------------------
    def load(self, store: ox.Store, *, log: Callable[[str], None] | None = None) -> list[str]:
        """Replace each graph of ``store`` in the remote store (see
        :mod:`treatygraph.store.remote_load`).

        The store's default graph goes to the stand-in graph. Returns the graphs written;
        afterwards they are "our graphs".
        """
        self._graphs = load_graphs(
            self._client(),
            store,
            default_graph=self.default_graph,
            update_url=self.update_url,
            graph_store_url=self.graph_store_url,
            log=log,
        )
        self._has_default = self.default_graph in self._graphs
        return self._graphs


def open_remote(config: Mapping[str, Any], local_data: Callable[[], ox.Store]) -> RemoteEngine:
    """The RemoteEngine for ``config``; loads ``local_data()`` into it unless STORE_LOAD is
    false. Raises ``ConfigError`` when the store cannot be reached or loaded."""
    url = endpoint_url(str(config["STORE_PATH"]))
    engine = RemoteEngine(
        url,
        update_url=config.get("STORE_UPDATE_URL"),
        graph_store_url=config.get("STORE_GRAPH_STORE_URL"),
        user=config.get("STORE_USER"),
        password=config.get("STORE_PASSWORD"),
        auth=str(config.get("STORE_AUTH") or "basic"),
        graphs=config.get("STORE_GRAPHS") or None,
        timeout=float(config.get("QUERY_TIMEOUT") or 30.0),
    )
    try:
        engine.query("ASK {}")  # reachable? (before building the data to load)
        if config.get("STORE_LOAD", True):
            data = local_data()
            graphs = engine.load(data)
            altered = remote_check.changes(engine, data, graphs)
            if altered and not config.get("REMOTE_ACCEPT_CHANGES"):
                raise ConfigError(
                    "the remote store does not hold the data as loaded: "
                    + "; ".join(altered)
                    + ". Serving it would serve altered data; use a store that keeps "
                    "literals exactly, or start with --accept-remote-changes to serve it anyway"
                )
            for line in altered:
                log.warning("remote store changed the data (accepted): %s", line)
        engine.triple_counts()  # fail now, not on the first request, if unreachable
    except RemoteStoreError as err:
        raise ConfigError(str(err)) from None
    except QuerySyntaxError as err:
        raise ConfigError(f"the remote store refused a request: {err.message}") from None
    return engine
