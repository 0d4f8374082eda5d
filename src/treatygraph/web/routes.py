"""The one routing table, and the views: each parses its request and hands the rest to the
pipeline (:mod:`treatygraph.web.pipeline`): negotiate, run, serialise, respond.

A route marked ``suffixed`` also answers with a format suffix (``/id/x.ttl``, ``/browse.json``),
which names the format instead of ``Accept``: the same view, the same negotiation function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request, url_for
from werkzeug.routing import BaseConverter

from treatygraph.linkeddata.state import get_state
from treatygraph.linkeddata.views import (
    DESCRIPTION_FORMATS,
    PAGE_FORMATS,
    RESOURCE_FORMATS,
    Pages,
)
from treatygraph.linkeddata.void import Site
from treatygraph.rdf import formats
from treatygraph.rdf.formats import Format
from treatygraph.sparql import protocol, service_description
from treatygraph.store import all_executors, get_cache, get_engine, get_executor
from treatygraph.web import home, logs, metrics, pipeline, search

#: What ``/sparql`` answers in: results for SELECT/ASK, a graph for CONSTRUCT/DESCRIBE.
QUERY_OFFER = {"results": formats.RESULTS, "graph": formats.RDF}


class SlugConverter(BaseConverter):
    """A path segment without a dot, so that ``name.ext`` is a name and a format suffix."""

    regex = r"[^/.]+"


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    view: Callable[..., Response]
    methods: tuple[str, ...] = ("GET",)
    suffixed: bool = False  #: also ``<rule>.<ext>``


# -- the SPARQL protocol --------------------------------------------------------------------
def _limits() -> protocol.Limits:
    config = current_app.config
    return protocol.Limits(body=int(config["BODY_CAP"]), url=int(config["URL_CAP"]))


def _runner() -> protocol.Runner:
    config = current_app.config
    return protocol.Runner(
        get_engine(),
        get_executor(),
        get_executor(federated=True),
        config["SERVICE_ALLOWLIST"],
        float(config["QUERY_TIMEOUT"]),
        int(config["RESULT_CAP"]),
    )


def sparql() -> Response:
    req = protocol.read_query(request, _limits())
    if req.query is None:
        return _service_description(req)
    logs.note_query(req.query)
    choice = pipeline.choose(QUERY_OFFER, format_values=req.formats)
    base = pipeline.site_root() + "/sparql"
    key = ("query", req.query, req.default_graphs, req.named_graphs, base, choice.key)

    def make() -> pipeline.Answer:
        picked = (choice.picked["results"], choice.picked["graph"])
        reply = protocol.run_query(_runner(), req, picked, base_iri=base, wanted=choice.wanted)
        assert reply.format is not None
        return pipeline.answer(reply.body, reply.format)

    return pipeline.respond(key, make)


def _service_description(req: protocol.QueryRequest) -> Response:
    fmt = pipeline.choose({"answer": formats.RDF}, format_values=req.formats).format_for("answer")
    root = pipeline.site_root()
    config = current_app.config

    def make() -> pipeline.Answer:
        engine = get_engine()
        update_on = bool(config.get("UPDATE_TOKEN")) and not engine.read_only
        triples = service_description.build(
            engine,
            endpoint=root + "/sparql",
            update_endpoint=root + "/update" if update_on else None,
            federation_allowlist=config["SERVICE_ALLOWLIST"],
        )
        return pipeline.answer(service_description.render(triples, fmt), fmt)

    return pipeline.respond(("service", root, fmt.name), make)


def update() -> Response:
    engine = get_engine()
    protocol.check_token(request, current_app.config.get("UPDATE_TOKEN"), engine.read_only)
    req = protocol.read_update(request, _limits())
    logs.note_query(req.update)
    protocol.run_update(_runner(), req, base_iri=pipeline.site_root() + "/update")
    get_cache().clear()  # answers made before the update are stale now
    pipeline.mark_loaded(current_app.extensions)
    for executor in all_executors():
        executor.restart()  # the query processes must see the new data
    return Response("update applied\n", status=200, mimetype="text/plain")


# -- linked data ----------------------------------------------------------------------------
def _pages() -> Pages:
    config = current_app.config
    site = Site(
        pipeline.site_root(), str(config["DATASET_LICENSE"]), str(config["DATASET_PUBLISHER"])
    )
    return Pages(get_engine(), get_state(), get_cache(), site)


def _page(
    offered: tuple[Format, ...],
    ext: str | None,
    make: Callable[[Pages, Format], bytes | tuple[bytes, int]],
    *,
    suffixed: bool = True,
    **values: Any,
) -> Response:
    """A linked-data page: negotiated (or named by ``ext``), made, cached, answered.

    ``values`` are the URL's own (path and query) arguments, for Content-Location.
    """
    fmt = pipeline.choose_one(offered, ext)
    endpoint = str(request.endpoint)
    if suffixed:
        values = {**values, "ext": fmt.extension}
    location = url_for(endpoint, **values)
    args = tuple(sorted(request.args.items(multi=True)))
    key = ("page", endpoint, tuple(sorted(values.items())), args, pipeline.site_root(), fmt.name)

    def made() -> pipeline.Answer:
        out = make(_pages(), fmt)
        body, status = out if isinstance(out, tuple) else (out, 200)
        return pipeline.answer(body, fmt, status)

    return pipeline.respond(key, made, negotiated=ext is None, location=location)


def resource(name: str, ext: str | None = None) -> Response:
    return _page(RESOURCE_FORMATS, ext, lambda p, f: p.resource(name, f), name=name)


def ontology(ext: str | None = None) -> Response:
    return _page(RESOURCE_FORMATS, ext, lambda p, f: p.ontology(f))


def browse(ext: str | None = None) -> Response:
    return _page(PAGE_FORMATS, ext, lambda p, f: p.browse(f))


def browse_kind(name: str, ext: str | None = None) -> Response:
    page = request.args.get("page")
    return _page(PAGE_FORMATS, ext, lambda p, f: p.browse_kind(name, f, page), name=name)


def timeline(ext: str | None = None) -> Response:
    return _page(PAGE_FORMATS, ext, lambda p, f: p.timeline(f))


def positions(ext: str | None = None) -> Response:
    slug = request.args.get("agreement", "inf-treaty")
    page = request.args.get("page")
    return _page(PAGE_FORMATS, ext, lambda p, f: p.positions(slug, f, page), agreement=slug)


def dump_index(ext: str | None = None) -> Response:
    return _page(PAGE_FORMATS, ext, lambda p, f: p.dump_index(f))


def _fixed(key: tuple[Any, ...], make: Callable[[], tuple[bytes, str]]) -> Response:
    """An answer with one format (a dump, the JSON-LD context)."""
    return pipeline.respond(
        ("fixed", *key, pipeline.site_root()),
        lambda: pipeline.answer(*make()),
        negotiated=False,
    )


def dump(filename: str) -> Response:
    pages = _pages()
    spec = pages.dump_spec(filename)
    if spec.streamed:
        made = pages.dump_file(spec, pipeline.heartbeat())
        resp = pipeline.file_response(made.path, made.etag, spec.content_type, made.size)
    else:
        resp = _fixed(("dump", filename), lambda: pages.dump(filename))
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def context() -> Response:
    return _fixed(("context",), lambda: (_pages().context_document(), "application/ld+json"))


def void() -> Response:
    return _page(DESCRIPTION_FORMATS, None, lambda p, f: p.description("void", f), suffixed=False)


def catalog() -> Response:
    return _page(DESCRIPTION_FORMATS, None, lambda p, f: p.description("dcat", f), suffixed=False)


ROUTES: tuple[Route, ...] = (
    Route("/", "home.index", home.index),
    Route("/healthz", "home.healthz", home.healthz),
    Route("/favicon.ico", "favicon", lambda: current_app.send_static_file("favicon.svg")),
    Route("/metrics", "metrics", metrics.view),
    Route("/search", "search.search", search.view, suffixed=True),
    Route("/sparql", "sparql.sparql", sparql, ("GET", "POST")),
    Route("/update", "sparql.update", update, ("POST",)),
    Route("/id/<slug:name>", "ld.resource", resource, suffixed=True),
    Route("/ontology", "ld.ontology", ontology, suffixed=True),
    Route("/browse", "ld.browse", browse, suffixed=True),
    Route("/browse/<slug:name>", "ld.browse_kind", browse_kind, suffixed=True),
    Route("/timeline", "ld.timeline", timeline, suffixed=True),
    Route("/positions", "ld.positions", positions, suffixed=True),
    Route("/dumps/", "ld.dump_index", dump_index),
    Route("/dumps/index.<ext>", "ld.dump_index", dump_index),
    Route("/dumps/<filename>", "ld.dump", dump),
    Route("/context.jsonld", "ld.context", context),
    Route("/.well-known/void", "ld.void", void),
    Route("/dataset", "ld.void", void),
    Route("/catalog", "ld.catalog", catalog),
)


def init_app(app: Flask) -> None:
    """Register every route of the table (the static files are Flask's own route)."""
    app.url_map.converters["slug"] = SlugConverter
    for route in ROUTES:
        methods = list(route.methods)
        app.add_url_rule(route.rule, route.endpoint, route.view, methods=methods)
        if route.suffixed:
            app.add_url_rule(route.rule + ".<ext>", route.endpoint, route.view, methods=methods)
