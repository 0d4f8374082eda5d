"""The SPARQL 1.1 Protocol: read a ``/sparql`` or ``/update`` request, then run it on the store.

Request forms (https://www.w3.org/TR/sparql11-protocol/ §2.1, §2.2)::

    curl 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D'
    curl -d 'query=ASK{}' http://127.0.0.1:8000/sparql
    curl -H 'Content-Type: application/sparql-query' --data-binary 'ASK{}' \\
         http://127.0.0.1:8000/sparql
    curl -H 'Authorization: Bearer TOKEN' -d 'update=INSERT DATA{<a:s> <a:p> 1}' \\
         http://127.0.0.1:8000/update
    curl -H 'Accept: text/turtle' http://127.0.0.1:8000/sparql   # service description

Reading (:func:`read_query`, :func:`read_update`) turns a request into what it asks for, or a
client error naming the mistake. Running (:func:`run_query`, :func:`run_update`) passes the
text through :mod:`~treatygraph.sparql.safety` first, then sends it to the query process,
which answers within QUERY_TIMEOUT with a finished body or an error (timeout: 503, never a
truncated 200). Negotiation, caching and the response itself belong to the web pipeline
(:mod:`treatygraph.web.pipeline`), which calls these in that order.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request

from treatygraph.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    UriTooLong,
)
from treatygraph.rdf.formats import Format
from treatygraph.sparql import safety
from treatygraph.sparql.execute import QueryJob, Reply, UpdateJob
from treatygraph.store.base import QueryEngine
from treatygraph.store.executor import Executor

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
READ_ONLY = (
    "SPARQL Update is not accepted at /sparql (this endpoint is read-only; updates, when "
    "enabled, go to /update)"
)

Params = dict[str, list[str]]


@dataclass(frozen=True)
class Limits:
    """How much of a request is read (BODY_CAP, URL_CAP)."""

    body: int
    url: int


@dataclass(frozen=True)
class QueryRequest:
    """A ``/sparql`` request: the query (None: the service description is asked for)."""

    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]  #: the ``format=`` values, for negotiation


@dataclass(frozen=True)
class UpdateRequest:
    update: str
    using_graphs: tuple[str, ...]
    using_named_graphs: tuple[str, ...]


# -- reading --------------------------------------------------------------------------------
def _decode_params(raw: bytes, where: str) -> Params:
    """Strictly UTF-8 decode ``a=b&c=d`` (werkzeug would silently replace bad bytes)."""
    params: Params = {}
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=1000
        )
    except UnicodeDecodeError as err:
        raise BadRequest(f"the {where} is not valid UTF-8 (byte {err.start})") from None
    except ValueError as err:
        raise BadRequest(f"cannot parse the {where}: {err}") from None
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def _url_params(request: Request, limits: Limits) -> Params:
    raw = request.query_string
    if len(raw) > limits.url:
        raise UriTooLong(
            f"the URL's query string is longer than URL_CAP ({limits.url} bytes); "
            "send the query with POST"
        )
    return _decode_params(raw, "URL query string")


def _body(request: Request, limits: Limits) -> bytes:
    cap = limits.body
    if request.content_length is not None and request.content_length > cap:
        raise PayloadTooLarge(
            f"request body of {request.content_length} bytes exceeds BODY_CAP ({cap} bytes)"
        )
    data = request.get_data(cache=True)
    if len(data) > cap:
        raise PayloadTooLarge(f"request body exceeds BODY_CAP ({cap} bytes)")
    return data


def _body_text(request: Request, data: bytes) -> str:
    """The SPARQL Protocol requires UTF-8; another declared charset is refused (415)."""
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            f"charset={charset} is not accepted; SPARQL requests must be UTF-8"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRequest(f"the request body is not valid UTF-8 (byte {err.start})") from None


def _merge(a: Params, b: Params) -> Params:
    out = {k: list(v) for k, v in a.items()}
    for key, values in b.items():
        out.setdefault(key, []).extend(values)
    return out


def _one(params: Params, name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0]


def read_query(request: Request, limits: Limits) -> QueryRequest:
    """What a GET or POST to ``/sparql`` asks for (§2.1), or the client error in it."""
    params = _url_params(request, limits)
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == FORM:
            params = _merge(params, _decode_params(_body(request, limits), "form body"))
        elif mimetype == SPARQL_QUERY:
            if "query" in params:
                raise BadRequest(
                    "a query was sent both in the body and as a 'query' URL "
                    "parameter; send exactly one"
                )
            params["query"] = [_body_text(request, _body(request, limits))]
        elif mimetype == SPARQL_UPDATE:
            raise Forbidden(READ_ONLY)
        else:
            raise UnsupportedMediaType(
                f"Content-Type {mimetype or '(none)'!r} is not supported for POST /sparql; use "
                f"{FORM} (query=...) or {SPARQL_QUERY}"
            )
    if "query" in params and "update" in params:
        raise BadRequest("the request has both 'query' and 'update'; send one")
    if "update" in params:
        raise Forbidden(READ_ONLY)
    query = _one(params, "query")
    if query is None and request.method == "POST":
        raise BadRequest("missing 'query' parameter")
    if query is not None and not query.strip():
        raise BadRequest("the 'query' parameter is empty")
    return QueryRequest(
        query,
        tuple(params.get("default-graph-uri", ())),
        tuple(params.get("named-graph-uri", ())),
        tuple(params.get("format", ())),
    )


def check_token(request: Request, token: str | None, read_only: bool) -> None:
    """``/update`` needs updates enabled and ``Authorization: Bearer <UPDATE_TOKEN>``."""
    if not token:
        raise Forbidden("updates are disabled: this endpoint is read-only")
    if read_only:
        raise Forbidden("updates are disabled: the store was opened read-only (STORE_PATH)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("updates need an 'Authorization: Bearer <token>' header")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("the bearer token is not valid")


def read_update(request: Request, limits: Limits) -> UpdateRequest:
    """What a POST to ``/update`` asks for (§2.2), or the client error in it."""
    params = _url_params(request, limits)
    mimetype = request.mimetype
    if mimetype == FORM:
        params = _merge(params, _decode_params(_body(request, limits), "form body"))
    elif mimetype == SPARQL_UPDATE:
        if "update" in params:
            raise BadRequest("an update was sent both in the body and as a URL parameter")
        params["update"] = [_body_text(request, _body(request, limits))]
    else:
        raise UnsupportedMediaType(
            f"Content-Type {mimetype or '(none)'!r} is not supported for POST /update; use "
            f"{FORM} (update=...) or {SPARQL_UPDATE}"
        )
    if "query" in params:
        raise BadRequest("a 'query' was sent to /update; queries go to /sparql")
    text = _one(params, "update")
    if text is None or not text.strip():
        raise BadRequest("missing or empty 'update' parameter")
    return UpdateRequest(
        text,
        tuple(params.get("using-graph-uri", ())),
        tuple(params.get("using-named-graph-uri", ())),
    )


# -- running --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Runner:
    """Where and under which limits queries run (from the app's settings)."""

    engine: QueryEngine
    executor: Executor
    federation: Executor  #: reaches the allow-listed SERVICE endpoints (or is ``executor``)
    allowlist: Sequence[str]
    timeout: float
    result_cap: int


def run_query(
    runner: Runner,
    request: QueryRequest,
    formats: tuple[Format | None, Format | None],
    *,
    base_iri: str,
    wanted: str,
) -> Reply:
    """Check the query, run it in a query process, and return its finished body.

    ``formats`` are the negotiated formats for results and for graphs. A query that calls an
    allow-listed SERVICE goes to the process that can reach those endpoints (and nothing
    else); every other query to the one that reaches nothing. Which is which is only the
    scanner's reading: a SERVICE it misses fails for want of a route.
    """
    assert request.query is not None
    engine = runner.engine
    scan = safety.check_query(
        request.query,
        base_iri=base_iri,
        allowlist=runner.allowlist,
        graph_exists=engine.has_graph,
        time_limit=runner.timeout,
    )
    safety.check_dataset_params(request.default_graphs, request.named_graphs, engine.has_graph)
    job = QueryJob(
        request.query,
        request.default_graphs,
        request.named_graphs,
        union_default_graph=not scan.has_dataset_clause,
        base_iri=base_iri,
        results_format=formats[0],
        graph_format=formats[1],
        max_results=runner.result_cap,
        wanted=wanted,
    )
    executor = runner.federation if scan.services else runner.executor
    reply: Reply = executor.run(job, runner.timeout)
    return reply


def run_update(runner: Runner, request: UpdateRequest, *, base_iri: str) -> None:
    """Check the update, apply it in the confined query process, and adopt the result.

    The child holds a copy-on-write copy of the store, so an update that runs away is killed
    there and never touches the parent; one that succeeds sends back the whole dataset, which
    replaces the parent's. The caller then replaces the query processes (they must see the
    new data) and forgets cached answers.
    """
    text = safety.check_update(
        request.update,
        base_iri=base_iri,
        allowlist=runner.allowlist,
        using_graphs=request.using_graphs,
        using_named_graphs=request.using_named_graphs,
        time_limit=runner.timeout,
    )
    # over-approximated: the federation process, too, reaches only the allow-listed hosts
    federated = bool(runner.allowlist) and "service" in text.lower()
    executor = runner.federation if federated else runner.executor
    reply: Reply = executor.run(UpdateJob(text, base_iri), runner.timeout)
    runner.engine.replace_dataset(reply.body)
