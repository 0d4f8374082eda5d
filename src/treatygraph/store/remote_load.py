"""Loading a dataset into a remote SPARQL store.

Kept apart from the engine, which only reads: writing has its own protocol choices and
its own limits. Each graph is *replaced*: with a Graph Store Protocol URL, one
``PUT ?graph=IRI`` per graph (N-Triples body sent as ``text/turtle``, which every store
accepts); otherwise SPARQL Update, ``DROP SILENT GRAPH`` then
``INSERT { GRAPH ... } WHERE {}`` in chunks (Virtuoso 7.2 refuses blank nodes in
``INSERT DATA``; the template form makes one fresh blank node per label per request, so
each chunk keeps every blank node's triples together). Not atomic: during a load,
readers can see a graph partially loaded, and a failure part-way leaves it so (reload to
repair).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from treatygraph.store.remote_http import Http, RemoteStoreError, error_message

#: Triples per SPARQL Update request when loading (a chunk never splits a blank node).
CHUNK_TRIPLES = 1000
LOAD_TIMEOUT = 300.0


def load_graphs(
    http: Http,
    store: ox.Store,
    *,
    default_graph: str,
    update_url: str,
    graph_store_url: str | None = None,
    log: Callable[[str], None] | None = None,
) -> list[str]:
    """Replace each graph of ``store`` in the remote store, the store's default graph
    going to ``default_graph``; returns the graphs written, sorted."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in store:
        graph = (
            default_graph if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        )
        by_graph.setdefault(graph, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    for graph in sorted(by_graph):
        triples = by_graph[graph]
        if graph_store_url:
            _put_graph(http, graph_store_url, graph, triples)
        else:
            _update_graph(http, update_url, graph, triples)
        if log is not None:
            log(f"loaded {len(triples)} triples into <{graph}>")
    return sorted(by_graph)


def _put_graph(http: Http, graph_store_url: str, graph: str, triples: list[ox.Triple]) -> None:
    sep = "&" if "?" in graph_store_url else "?"
    url = f"{graph_store_url}{sep}{urllib.parse.urlencode({'graph': graph})}"
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    # N-Triples is Turtle; text/turtle is the one type every GSP implementation takes
    status, _, data, _ = http.request(
        "PUT", url, body, {"Content-Type": "text/turtle; charset=utf-8"}, LOAD_TIMEOUT
    )
    if status >= 300:
        raise RemoteStoreError(f"Graph Store PUT <{graph}> failed: {error_message(status, data)}")


def _update_graph(http: Http, update_url: str, graph: str, triples: list[ox.Triple]) -> None:
    _send_update(http, update_url, f"DROP SILENT GRAPH <{graph}>")
    for chunk in chunk_triples(triples, CHUNK_TRIPLES):
        lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in chunk)
        _send_update(http, update_url, f"INSERT {{ GRAPH <{graph}> {{\n{lines}\n}} }} WHERE {{}}")


def _send_update(http: Http, update_url: str, text: str) -> None:
    status, _, data, _ = http.post_form(
        update_url, [("update", text)], "text/plain, */*;q=0.1", LOAD_TIMEOUT
    )
    if status >= 300:
        raise RemoteStoreError(
            f"SPARQL Update to {update_url} failed: {error_message(status, data)}"
        )


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
        node = next((n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)), None)
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
