"""Reading a remote store's answer to a query into a :class:`QueryResult`.

Kept apart from the engine because it is the one place that knows how stores answer:
which HTTP statuses mean a syntax error, an evaluation error or a failing store; the
result media types; and the quirks undone here so that terms match the embedded
engine's. Virtuoso writes ``xsd:boolean`` values as ``"1"``/``"0"`` (turned back into
``"true"``/``"false"``) and blank nodes as ``nodeID://b123`` (not a valid blank node
label; relabelled), and cuts a result at its ``ResultSetMaxRows`` without an error
(refused here). Bodies are parsed with ``pyoxigraph.parse_query_results`` /
``pyoxigraph.parse``, and solutions written again as TSV by pyoxigraph, so a remote answer
is carried and written exactly as the embedded engine's is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from treatygraph.errors import QueryEvaluationError, QuerySyntaxError
from treatygraph.store.base import QueryResult, ResultLimitExceeded
from treatygraph.store.remote_http import RemoteStoreError, error_message

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

_BNODE_CHARS = re.compile(r"[^A-Za-z0-9_]")


def read_answer(
    status: int, ctype: str, body: bytes, headers: Mapping[str, str], max_results: int | None
) -> QueryResult:
    """The result of a query the store answered with ``status``, ``ctype`` and ``body``;
    raises the engine errors for a refused query and ``RemoteStoreError`` for a failure."""
    if status >= 400:
        message = error_message(status, body)
        if status >= 500 and "syntax" not in message.lower():
            raise RemoteStoreError(f"the remote SPARQL store failed: {message}")
        if "syntax" in message.lower() or "SP030" in message or "parse" in message.lower():
            raise QuerySyntaxError(f"syntax error: (remote store) {message}")
        raise QueryEvaluationError(f"query evaluation failed: (remote store) {message}")
    if status >= 300:
        raise RemoteStoreError(f"the remote SPARQL store answered HTTP {status}")
    limit = max_results if max_results is not None else -1
    if headers.get("x-sparql-maxrows"):
        # Virtuoso cut the result at its ResultSetMaxRows without an error
        raise QueryEvaluationError(
            f"the remote store truncated the result at {headers['x-sparql-maxrows']} rows "
            "(Virtuoso ResultSetMaxRows); add a LIMIT"
        )
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
            return _parse_json(body, limit)
    except SyntaxError as err:
        raise RemoteStoreError(f"cannot parse the remote store's {media} answer: {err}") from None
    raise RemoteStoreError(f"the remote store answered with unexpected Content-Type {ctype!r}")


def _parse_json(body: bytes, limit: int) -> QueryResult:
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
    raw = ox.parse_query_results(json.dumps(doc).encode("utf-8"), ox.QueryResultsFormat.JSON)
    assert isinstance(raw, ox.QuerySolutions)
    return QueryResult("bindings", tsv=raw.serialize(format=ox.QueryResultsFormat.TSV) or b"")


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
    if (
        isinstance(term, ox.Literal)
        and term.datatype.value == XSD_BOOLEAN
        and term.value in ("1", "0")
    ):
        return ox.Literal("true" if term.value == "1" else "false", datatype=term.datatype)
    return term


def _fix_triple(t: ox.Triple) -> ox.Triple:
    obj = _fix_term(t.object)
    return t if obj is t.object else ox.Triple(t.subject, t.predicate, obj)
