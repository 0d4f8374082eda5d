"""Does a remote store hold our data exactly? Checked at start, right after loading it.

Some stores change literals on the way in (Virtuoso reads ``"P6M"^^xsd:duration`` back as
``"6"`` and an integral ``xsd:decimal`` as an integer), and then the server would serve altered
data while its shapes passed on the original. So the per-graph counts are compared, and a
sample of typed literals (a few of every datatype the data uses) is read back and compared
term for term; each change is named with an example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from treatygraph.store.base import QueryEngine

#: Literals read back per datatype: enough to catch a datatype the store rewrites.
PER_DATATYPE = 5
XSD = "http://www.w3.org/2001/XMLSchema#"


def short(iri: str) -> str:
    return "xsd:" + iri[len(XSD) :] if iri.startswith(XSD) else f"<{iri}>"


def _shown(term: Any) -> str:
    if isinstance(term, ox.Literal):
        kind = term.datatype.value
        return f'"{term.value}"^^{short(kind)}' if term.language is None else str(term)
    return str(term)


def _samples(local: ox.Store) -> Iterator[ox.Quad]:
    """Up to :data:`PER_DATATYPE` quads per literal datatype, IRI subjects in named graphs."""
    seen: dict[str, int] = {}
    for quad in local:
        obj = quad.object
        if not isinstance(obj, ox.Literal) or not isinstance(quad.subject, ox.NamedNode):
            continue
        if not isinstance(quad.graph_name, ox.NamedNode):
            continue
        kind = obj.datatype.value
        if seen.get(kind, 0) < PER_DATATYPE:
            seen[kind] = seen.get(kind, 0) + 1
            yield quad


def changes(remote: QueryEngine, local: ox.Store, graphs: list[str]) -> list[str]:
    """What the remote store holds differently from ``local``: one line per changed graph
    count and per changed datatype (with its first example); empty when exact."""
    found: list[str] = []
    counted = local.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    want = {row["g"].value: int(row["n"].value) for row in counted}  # type: ignore[union-attr]
    have = remote.triple_counts()
    for graph in graphs:
        if graph in want and have.get(graph, 0) != want[graph]:
            found.append(
                f"graph <{graph}>: {want[graph]:,} triples loaded, {have.get(graph, 0):,} read back"
            )
    changed: set[str] = set()
    for quad in _samples(local):
        kind = quad.object.datatype.value  # type: ignore[union-attr]
        if kind in changed:
            continue
        pattern = f"{quad.subject} {quad.predicate} ?o"
        rows = remote.query(f"SELECT ?o WHERE {{ GRAPH {quad.graph_name} {{ {pattern} }} }}").rows
        back = [row[0] for row in rows]
        if quad.object in back:
            continue
        same_kind = [t for t in back if isinstance(t, ox.Literal) and t.datatype.value == kind]
        others = [t for t in back if isinstance(t, ox.Literal)]
        got = (same_kind or others or back or [None])[0]
        came = "nothing" if got is None else _shown(got)
        found.append(f"{short(kind)} {_shown(quad.object)} came back as {came} ({pattern[:-3]})")
        changed.add(kind)
    return found


__all__ = ["changes"]
