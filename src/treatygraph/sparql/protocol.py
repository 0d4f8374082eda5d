"""The SPARQL 1.1 Protocol endpoints: ``/sparql`` (query) and ``/update``.

Request forms (https://www.w3.org/TR/sparql11-protocol/ §2.1, §2.2)::

    curl 'http://127.0.0.1:8000/sparql?query=ASK%7B%7D'
    curl -d 'query=ASK{}' http://127.0.0.1:8000/sparql
    curl -H 'Content-Type: application/sparql-query' --data-binary 'ASK{}' \\
         http://127.0.0.1:8000/sparql
    curl -H 'Authorization: Bearer TOKEN' -d 'update=INSERT DATA{<a:s> <a:p> 1}' \\
         http://127.0.0.1:8000/update
    curl -H 'Authorization: Bearer TOKEN' -H 'Content-Type: application/sparql-update' \\
         --data-binary 'INSERT DATA{<a:s> <a:p> 1}' http://127.0.0.1:8000/update
    curl -H 'Accept: text/turtle' http://127.0.0.1:8000/sparql   # service description

Every query passes :mod:`~treatygraph.sparql.safety` first, then runs in the executor's
child process under QUERY_TIMEOUT; the finished body comes back whole (timeout → 503,
never a truncated 200). Responses are cached per process with an ETag.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.wsgi import get_current_url

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

from treatygraph.errors import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    PayloadTooLarge,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    UpstreamError,
    UriTooLong,
)
from treatygraph.sparql import safety, service_description
from treatygraph.sparql.cache import CachedResponse, ResponseCache
from treatygraph.sparql.execute import QueryJob, Reply, UpdateJob
from treatygraph.store import all_executors, get_engine, get_executor
from treatygraph.store.executor import ExecutorCrashed, ExecutorError, ExecutorTimeout
from treatygraph.web import cachepolicy, conneg
from treatygraph.web.metrics import get_metrics

log = logging.getLogger(__name__)

bp = Blueprint("sparql", __name__)
CACHE = "treatygraph.cache"

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

Params = dict[str, list[str]]


def get_cache() -> ResponseCache:
    return current_app.extensions[CACHE]


# -- request parsing ---------------------------------------------------------------------
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


def _url_params() -> Params:
    raw = request.query_string
    if len(raw) > current_app.config["BODY_CAP"]:
        raise UriTooLong(
            f"the URL is longer than BODY_CAP ({current_app.config['BODY_CAP']} "
            "bytes); send the query with POST"
        )
    return _decode_params(raw, "URL query string")


def _body() -> bytes:
    cap = current_app.config["BODY_CAP"]
    if request.content_length is not None and request.content_length > cap:
        raise PayloadTooLarge(
            f"request body of {request.content_length} bytes exceeds BODY_CAP ({cap} bytes)"
        )
    data = request.get_data(cache=True)
    if len(data) > cap:
        raise PayloadTooLarge(f"request body exceeds BODY_CAP ({cap} bytes)")
    return data


def _body_text(data: bytes) -> str:
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


# -- /sparql -------------------------------------------------------------------------------
@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    params = _url_params()
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == FORM:
            params = _merge(params, _decode_params(_body(), "form body"))
        elif mimetype == SPARQL_QUERY:
            if "query" in params:
                raise BadRequest(
                    "a query was sent both in the body and as a 'query' URL "
                    "parameter; send exactly one"
                )
            params["query"] = [_body_text(_body())]
        elif mimetype == SPARQL_UPDATE:
            raise Forbidden(
                "SPARQL Update is not accepted at /sparql (this endpoint is "
                "read-only; updates, when enabled, go to /update)"
            )
        else:
            raise UnsupportedMediaType(
                f"Content-Type {mimetype or '(none)'!r} is not supported for POST /sparql; use "
                f"{FORM} (query=...) or {SPARQL_QUERY}"
            )
    if "query" in params and "update" in params:
        raise BadRequest("the request has both 'query' and 'update'; send one")
    if "update" in params:
        raise Forbidden(
            "SPARQL Update is not accepted at /sparql (this endpoint is read-only; "
            "updates, when enabled, go to /update)"
        )
    query = _one(params, "query")
    if query is None:
        if request.method == "POST":
            raise BadRequest("missing 'query' parameter")
        return _service_description(params)
    if not query.strip():
        raise BadRequest("the 'query' parameter is empty")
    return _answer(query, params)


def site_root(environ: WSGIEnvironment, base_url: str | None) -> str:
    """The public root of the site: BASE_URL when configured, else the request's host."""
    if base_url:
        return base_url.rstrip("/")
    return get_current_url(environ, root_only=True).rstrip("/")


def _endpoint_url(path: str) -> str:
    return site_root(request.environ, current_app.config.get("BASE_URL")) + path


def cache_key(query: str, params: Params, accept: str | None, base_iri: str) -> tuple[Any, ...]:
    """What makes two query requests the same answer: query, dataset, base and format."""
    return (
        "q",
        query,
        tuple(params.get("default-graph-uri", ())),
        tuple(params.get("named-graph-uri", ())),
        base_iri,
        accept,
        _one(params, "format"),
    )


def cached_headers(entry: CachedResponse, cache_control: str) -> dict[str, str]:
    """Headers of a cached answer (CORS headers are added for every response by the app)."""
    return {"ETag": f'"{entry.etag}"', "Cache-Control": cache_control, "Vary": "Accept"}


def _response(entry: CachedResponse) -> Response:
    if request.if_none_match.contains(entry.etag):
        resp = Response(status=304)
    else:
        resp = Response(entry.body, status=200)
        resp.headers["Content-Type"] = entry.content_type
    resp.headers.update(
        cached_headers(entry, cachepolicy.cache_control(current_app.config, get_cache().age(entry)))
    )
    return resp


def _answer(query: str, params: Params) -> Response:
    config = current_app.config
    default_graphs = tuple(params.get("default-graph-uri", ()))
    named_graphs = tuple(params.get("named-graph-uri", ()))
    format_param = _one(params, "format")
    accept = request.headers.get("Accept")
    base_iri = _endpoint_url("/sparql")
    cache = get_cache()
    key = cache_key(query, params, accept, base_iri)
    cached = cache.get(key)
    if cached is not None:
        get_metrics().increment("query_cache_hits")
        return _response(cached)

    engine = get_engine()
    scan = safety.check_query(
        query,
        base_iri=base_iri,
        allowlist=config["SERVICE_ALLOWLIST"],
        graph_exists=engine.has_graph,
    )
    safety.check_dataset_params(default_graphs, named_graphs, engine.has_graph)
    results_format = _try_negotiate(accept, conneg.RESULT_FORMATS, format_param)
    graph_format = _try_negotiate(accept, conneg.RDF_FORMATS, format_param)
    if results_format is None and graph_format is None:
        conneg.negotiate(accept, conneg.ALL_FORMATS, format_param)  # raises, naming all
    job = QueryJob(
        query,
        default_graphs,
        named_graphs,
        union_default_graph=not scan.has_dataset_clause,
        base_iri=base_iri,
        results_format=results_format,
        graph_format=graph_format,
        max_results=config["RESULT_CAP"],
    )
    reply = _run(job, federated=bool(scan.services))
    if reply.status == "not_acceptable":
        offered = conneg.RDF_FORMATS if reply.kind == "graph" else conneg.RESULT_FORMATS
        conneg.negotiate(accept, offered, format_param)  # raises NotAcceptable
    assert reply.format is not None
    entry = CachedResponse(reply.body, reply.format.content_type, cache.etag_for(reply.body))
    return _response(cache.put(key, entry))


def _try_negotiate(
    accept: str | None, offered: tuple[conneg.Format, ...], format_param: str | None
) -> conneg.Format | None:
    try:
        return conneg.negotiate(accept, offered, format_param)
    except NotAcceptable:
        return None


def _run(job: QueryJob | UpdateJob, federated: bool = False) -> Reply:
    """Run a job in a query process and turn its failures into HTTP errors.

    A job that calls an allow-listed SERVICE goes to the process that can reach those
    endpoints (and nothing else); every other job to the one that reaches nothing. Which
    is which is only the scanner's reading: a SERVICE it misses fails for want of a route.
    """
    timeout = float(current_app.config["QUERY_TIMEOUT"])
    try:
        reply: Reply = get_executor(federated).run(job, timeout)
    except ExecutorTimeout:
        get_metrics().increment("executor_restarts")
        log.warning("query stopped after %.1f s: %.200r", timeout, job.sparql)
        raise QueryTimeout(
            f"the query did not finish within QUERY_TIMEOUT ({timeout:g} s) "
            "and was stopped; simplify it or add a LIMIT"
        ) from None
    except ExecutorCrashed as err:
        get_metrics().increment("executor_restarts")
        log.error("query process died (%s): %.200r", err, job.sparql)
        if err.out_of_memory:
            limit = current_app.config["QUERY_MEMORY_LIMIT"]
            raise QueryTimeout(
                f"the query needed more than QUERY_MEMORY_LIMIT ({limit} MB) "
                "and was stopped; simplify it or add a LIMIT"
            ) from None
        raise QueryTimeout(f"{err}; simplify the query") from None
    except ExecutorError as err:
        log.error("bug while running a query:\n%s", err)
        raise
    get_metrics().increment("queries_executed")
    if reply.status == "syntax":
        raise QuerySyntaxError(f"syntax error: {reply.message}")
    if reply.status == "evaluation":
        raise BadRequest(f"query evaluation failed: {reply.message}")
    if reply.status == "upstream":
        log.error("the store or a SERVICE endpoint failed: %s", reply.message)
        raise UpstreamError(
            f"a store or SERVICE endpoint behind this endpoint failed: {reply.message}"
        )
    if reply.status == "too_large":
        cap = current_app.config["RESULT_CAP"]
        raise ResultTooLarge(
            f"{reply.message}: RESULT_CAP is {cap}. Add LIMIT {cap} (or less) and page with OFFSET",
            {"X-Result-Cap": str(cap)},
        )
    return reply


def _service_description(params: Params) -> Response:
    config = current_app.config
    fmt = conneg.negotiate(
        request.headers.get("Accept"), conneg.RDF_FORMATS, _one(params, "format")
    )
    endpoint = _endpoint_url("/sparql")
    cache = get_cache()
    key = ("sd", endpoint, fmt.name)
    cached = cache.get(key)
    if cached is None:
        update_on = bool(config.get("UPDATE_TOKEN")) and not get_engine().read_only
        triples = service_description.build(
            get_engine(),
            endpoint=endpoint,
            update_endpoint=_endpoint_url("/update") if update_on else None,
            federation_allowlist=config["SERVICE_ALLOWLIST"],
        )
        body = service_description.render(triples, fmt)
        cached = CachedResponse(body, fmt.content_type, cache.etag_for(body))
        cache.put(key, cached)
    return _response(cached)


# -- /update -------------------------------------------------------------------------------
def _check_token() -> None:
    token = current_app.config.get("UPDATE_TOKEN")
    if not token:
        raise Forbidden("updates are disabled: this endpoint is read-only")
    if get_engine().read_only:
        raise Forbidden("updates are disabled: the store was opened read-only (STORE_PATH)")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("updates need an 'Authorization: Bearer <token>' header")
    if not hmac.compare_digest(given.strip().encode(), str(token).encode()):
        raise Unauthorized("the bearer token is not valid")


@bp.route("/update", methods=["POST"])
def update() -> Response:
    _check_token()
    params = _url_params()
    mimetype = request.mimetype
    if mimetype == FORM:
        params = _merge(params, _decode_params(_body(), "form body"))
    elif mimetype == SPARQL_UPDATE:
        if "update" in params:
            raise BadRequest("an update was sent both in the body and as a URL parameter")
        params["update"] = [_body_text(_body())]
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
    base_iri = _endpoint_url("/update")
    allowlist = current_app.config["SERVICE_ALLOWLIST"]
    text = safety.check_update(
        text,
        base_iri=base_iri,
        allowlist=allowlist,
        using_graphs=params.get("using-graph-uri", ()),
        using_named_graphs=params.get("using-named-graph-uri", ()),
    )
    # over-approximated: the federation process, too, reaches only the allow-listed hosts
    apply_update(text, base_iri, federated=bool(allowlist) and "service" in text.lower())
    return Response("update applied\n", status=200, mimetype="text/plain")


def apply_update(text: str, base_iri: str | None, federated: bool = False) -> None:
    """Apply in the confined query process (under the time limit); adopt its result.

    The child holds a copy-on-write copy of the store, so an update that runs away is
    killed there and never touches the parent; one that succeeds sends back the whole
    dataset, which replaces the parent's. Then the query processes are replaced (they must
    see the new data) and cached responses are dropped.
    """
    reply = _run(UpdateJob(text, base_iri), federated)
    try:
        get_engine().replace_dataset(reply.body)
    finally:
        get_cache().clear()
        for executor in all_executors():
            executor.restart()
        get_metrics().increment("executor_restarts")


def init_app(app: Flask) -> None:
    """Register the blueprint and the per-process response cache."""
    app.extensions[CACHE] = ResponseCache(
        max_entries=int(app.config["CACHE_ENTRIES"]), max_age=cachepolicy.reuse_seconds(app.config)
    )
    app.register_blueprint(bp)
