"""HTTP views of the linked-data layer. Thin: negotiate, call :mod:`.describe` /
:mod:`treatygraph.linkeddata.dumps` / :mod:`treatygraph.linkeddata.void`, render or serialise.

Routes (every HTML page has a machine twin)::

    /id/<slug>[.ttl|.jsonld|.nt|.rdf|.html]   resource: HTML or RDF by Accept or suffix
    /ontology[.ttl|.jsonld|.nt|.rdf|.html]    the ontology (term IRIs /ontology#Term)
    /browse[.json]  /browse/<kind>[.json]     indexes per class, with counts
    /timeline[.json]                          dated events in order
    /positions[.json][?agreement=<slug>]      who stands where (default: the INF Treaty)
    /dumps/[index.json]  /dumps/<file>        dataset and per-graph dumps (+ .gz)
    /context.jsonld                           the JSON-LD @context
    /.well-known/void  /dataset               VoID (Turtle by default; any RDF format)
    /catalog                                  DCAT (Turtle by default; any RDF format)

Negotiated responses say ``Vary: Accept`` and give ``Content-Location``. Every 200
carries a strong ETag and Last-Modified (when the data was loaded) and answers 304 to
``If-None-Match`` / ``If-Modified-Since``. An unknown resource is a 404 in the
negotiated format: an HTML page, or an empty graph in the RDF format asked for.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import NotFound

from treatygraph.linkeddata import describe, dumps, listings, rdfout
from treatygraph.linkeddata import void as dataset_description
from treatygraph.linkeddata.context import build_context, context_document
from treatygraph.linkeddata.state import get_state, init_state
from treatygraph.rdf.iris import ONTOLOGY_GRAPH, ONTOLOGY_IRI, TG, TGID
from treatygraph.store import get_engine
from treatygraph.web import cachepolicy, conneg
from treatygraph.web.conneg import Format

bp = Blueprint("ld", __name__)

HTML = Format("html", "text/html", "page", "", ("application/xhtml+xml",), ("htm",))
JSON = Format("json", "application/json", "page", "")


def _rdf(name: str) -> Format:
    return dumps.rdf_format(name)


#: What a resource or the ontology can be served as (HTML first: the default for */*).
RESOURCE_FORMATS: tuple[Format, ...] = (
    HTML,
    _rdf("turtle"),
    _rdf("jsonld"),
    _rdf("ntriples"),
    _rdf("rdfxml"),
)
#: RDF-only documents (VoID, DCAT): Turtle first.
DESCRIPTION_FORMATS: tuple[Format, ...] = (
    _rdf("turtle"),
    _rdf("jsonld"),
    _rdf("ntriples"),
    _rdf("rdfxml"),
)
PAGE_FORMATS: tuple[Format, ...] = (HTML, JSON)
#: file suffix -> format
SUFFIXES: dict[str, Format] = {
    "html": HTML,
    "ttl": _rdf("turtle"),
    "jsonld": _rdf("jsonld"),
    "nt": _rdf("ntriples"),
    "rdf": _rdf("rdfxml"),
    "json": JSON,
}
SUFFIX_OF = {
    "turtle": "ttl",
    "jsonld": "jsonld",
    "ntriples": "nt",
    "rdfxml": "rdf",
    "html": "html",
    "json": "json",
}


# -- helpers -----------------------------------------------------------------------------------
def _split(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.partition(".")
    return (stem, ext) if dot else (name, None)


def _choose(ext: str | None, offered: Sequence[Format]) -> Format:
    """The format named by a suffix, else negotiated from ?format= and Accept."""
    if ext is not None:
        fmt = SUFFIXES.get(ext)
        if fmt is None or fmt not in offered:
            raise NotFound(
                f"no .{ext} version here; try "
                + ", ".join("." + SUFFIX_OF[f.name] for f in offered)
            )
        return fmt
    return conneg.negotiate(request.headers.get("Accept"), offered, request.args.get("format"))


def _send(
    body: bytes,
    fmt: Format | str,
    *,
    negotiated: bool,
    status: int = 200,
    location: str | None = None,
) -> Response:
    content_type = fmt if isinstance(fmt, str) else fmt.content_type
    resp = Response(body, status=status, content_type=content_type)
    if negotiated:
        resp.headers["Vary"] = "Accept"
        if location:
            resp.headers["Content-Location"] = location
    if status == 200:
        resp.set_etag(hashlib.sha256(body).hexdigest()[:32])
        resp.last_modified = get_state().loaded_at
        resp.headers["Cache-Control"] = cachepolicy.cache_control(current_app.config)
        resp.make_conditional(request)  # 304 (body dropped) when the client's copy is current
    return resp


def _base_url() -> str:
    return (current_app.config.get("BASE_URL") or request.url_root).rstrip("/")


def context_url() -> str:
    return _base_url() + url_for("ld.context")


def _context() -> dict[str, Any]:
    return get_state().cached(
        "context", lambda: build_context(describe.ontology_triples(get_engine()))
    )


def _linker(iri: str) -> str | None:
    if iri.startswith(str(TGID)):
        slug = iri[len(str(TGID)) :]
        if describe.resource_iri(slug):
            return url_for("ld.resource", name=slug)
    if iri.startswith(str(TG)):
        return url_for("ld.ontology") + "#" + iri[len(str(TG)) :]
    if iri == ONTOLOGY_IRI:
        return url_for("ld.ontology")
    return None


def _serialize(triples: list[Any], fmt: Format) -> bytes:
    return rdfout.serialize_triples(triples, fmt, context=_context(), context_url=context_url())


def _json(model: Any) -> bytes:
    data = model if isinstance(model, dict) else dataclasses.asdict(model)
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _alternates(endpoint: str, formats: Sequence[Format], **values: Any) -> list[dict[str, str]]:
    """Links to the machine twins of a page (suffix form)."""
    out = []
    for fmt in formats:
        if fmt is HTML:
            continue
        name = values.get("name")
        suffix = SUFFIX_OF[fmt.name]
        args = dict(values, name=f"{name}.{suffix}") if name else dict(values, ext=suffix)
        out.append({"href": url_for(endpoint, **args), "type": fmt.media_type, "label": suffix})
    return out


def _page(template: str, model: Any, fmt: Format, location: str, **extra: Any) -> Response:
    if fmt is JSON:
        return _send(_json(model), JSON, negotiated=True, location=location)
    html = render_template(template, model=model, **extra)
    return _send(html.encode("utf-8"), HTML, negotiated=True, location=location)


# -- resources ---------------------------------------------------------------------------------
@bp.route("/id/<name>")
def resource(name: str) -> Response:
    slug, ext = _split(name)
    fmt = _choose(ext, RESOURCE_FORMATS)
    iri = describe.resource_iri(slug)
    engine = get_engine()
    description = describe.describe(engine, iri) if iri else None
    location = url_for("ld.resource", name=f"{slug}.{SUFFIX_OF[fmt.name]}")
    if description is None:
        return _not_found(iri or str(TGID) + slug, fmt)
    if fmt is HTML:
        page = describe.resource_page(engine, description, get_state().article_text, _linker)
        html = render_template(
            "ld_resource.html",
            page=page,
            alternates=_alternates("ld.resource", RESOURCE_FORMATS, name=slug),
        )
        return _send(html.encode("utf-8"), HTML, negotiated=ext is None, location=location)
    return _send(
        _serialize(description.triples, fmt), fmt, negotiated=ext is None, location=location
    )


def _not_found(iri: str, fmt: Format) -> Response:
    """404 in the negotiated format: an HTML page, or an empty graph with a comment."""
    if fmt is HTML or fmt is JSON:
        html = render_template("ld_not_found.html", iri=iri)
        return _send(html.encode("utf-8"), HTML, negotiated=True, status=404)
    body = _serialize([], fmt)
    if fmt.name in ("turtle", "ntriples"):
        body = f"# 404: <{iri}> is not described in this dataset\n".encode() + body
    return _send(body, fmt, negotiated=True, status=404)


# -- ontology ----------------------------------------------------------------------------------
@bp.route("/ontology", defaults={"ext": None})
@bp.route("/ontology.<ext>")
def ontology(ext: str | None) -> Response:
    fmt = _choose(ext, RESOURCE_FORMATS)
    engine = get_engine()
    if not engine.has_graph(str(ONTOLOGY_GRAPH)):
        raise NotFound(f"this dataset has no ontology graph <{ONTOLOGY_GRAPH}>")
    location = url_for("ld.ontology", ext=SUFFIX_OF[fmt.name])
    state = get_state()
    if fmt is HTML:
        from treatygraph.build.ontodoc import render_html

        html = state.cached(
            "ontology.html", lambda: render_html(rdfout.to_graph(describe.ontology_triples(engine)))
        )
        return _send(html.encode("utf-8"), HTML, negotiated=ext is None, location=location)
    body = state.cached(
        ("ontology", fmt.name, context_url()),
        lambda: _serialize(describe.ontology_triples(engine), fmt),
    )
    return _send(body, fmt, negotiated=ext is None, location=location)


@bp.route("/context.jsonld")
def context() -> Response:
    body = json.dumps(context_document(_context()), indent=1).encode("utf-8") + b"\n"
    return _send(body, "application/ld+json", negotiated=False)


# -- browse, timeline, positions --------------------------------------------------------------
@bp.route("/browse", defaults={"ext": None})
@bp.route("/browse.<ext>")
def browse(ext: str | None) -> Response:
    fmt = _choose(ext, PAGE_FORMATS)
    kinds = listings.kind_counts(get_engine(), _linker)
    return _page(
        "ld_browse.html",
        {"kinds": [dataclasses.asdict(k) for k in kinds]},
        fmt,
        url_for("ld.browse", ext=SUFFIX_OF[fmt.name]),
        kinds=kinds,
        alternates=_alternates("ld.browse", PAGE_FORMATS),
    )


@bp.route("/browse/<name>")
def browse_kind(name: str) -> Response:
    kind_name, ext = _split(name)
    fmt = _choose(ext, PAGE_FORMATS)
    kind = listings.kind_by_name(kind_name)
    if kind is None:
        raise NotFound(f"no index {kind_name!r}; see {url_for('ld.browse')}")
    page = listings.kind_page(get_engine(), kind, _linker)
    return _page(
        "ld_kind.html",
        page,
        fmt,
        url_for("ld.browse_kind", name=f"{kind_name}.{SUFFIX_OF[fmt.name]}"),
        alternates=_alternates("ld.browse_kind", PAGE_FORMATS, name=kind_name),
    )


@bp.route("/timeline", defaults={"ext": None})
@bp.route("/timeline.<ext>")
def timeline(ext: str | None) -> Response:
    fmt = _choose(ext, PAGE_FORMATS)
    return _page(
        "ld_timeline.html",
        listings.timeline(get_engine(), _linker),
        fmt,
        url_for("ld.timeline", ext=SUFFIX_OF[fmt.name]),
        alternates=_alternates("ld.timeline", PAGE_FORMATS),
    )


@bp.route("/positions", defaults={"ext": None})
@bp.route("/positions.<ext>")
def positions(ext: str | None) -> Response:
    fmt = _choose(ext, PAGE_FORMATS)
    slug = request.args.get("agreement", "inf-treaty")
    agreement = describe.resource_iri(slug)
    if agreement is None or not describe.exists(get_engine(), agreement):
        raise NotFound(f"no agreement {slug!r}; see {url_for('ld.browse_kind', name='treaties')}")
    page = listings.positions_page(get_engine(), agreement, get_state().article_text, _linker)
    return _page(
        "ld_positions.html",
        page,
        fmt,
        url_for("ld.positions", ext=SUFFIX_OF[fmt.name], agreement=slug),
        alternates=_alternates("ld.positions", PAGE_FORMATS, agreement=slug),
    )


# -- dumps ---------------------------------------------------------------------------------------
def _dataset() -> dumps.DatasetQuads:
    return get_state().cached("dataset", lambda: dumps.DatasetQuads(get_engine().dump()))


def _specs() -> list[dumps.DumpSpec]:
    return dumps.dump_specs(get_engine().graph_names())


@bp.route("/dumps/", defaults={"ext": None})
@bp.route("/dumps/index.<ext>")
def dump_index(ext: str | None) -> Response:
    fmt = _choose(ext, PAGE_FORMATS)
    rows = [
        {
            "filename": s.filename,
            "url": url_for("ld.dump", filename=s.filename),
            "graph": s.graph,
            "media_type": s.media_type,
            "content_type": s.content_type,
            "gzip": s.gzip,
            "title": s.title,
        }
        for s in _specs()
    ]
    return _page(
        "ld_dumps.html",
        {"dumps": rows},
        fmt,
        url_for("ld.dump_index", ext=SUFFIX_OF[fmt.name]),
        alternates=_alternates("ld.dump_index", PAGE_FORMATS),
    )


@bp.route("/dumps/<filename>")
def dump(filename: str) -> Response:
    spec = next((s for s in _specs() if s.filename == filename), None)
    if spec is None:
        raise NotFound(f"no dump {filename!r}; see {url_for('ld.dump_index')}")
    ctx = context_url()
    made = get_state().cached(
        ("dump", filename, ctx), lambda: dumps.render_spec(_dataset(), spec, ctx)
    )
    resp = _send(made.body, spec.content_type, negotiated=False)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


# -- VoID, DCAT ------------------------------------------------------------------------------
def _site() -> dataset_description.Site:
    config = current_app.config
    return dataset_description.Site(
        _base_url(), str(config["DATASET_LICENSE"]), str(config["DATASET_PUBLISHER"])
    )


def _description(kind: str, location: str) -> Response:
    fmt = _choose(None, DESCRIPTION_FORMATS)
    site = _site()
    builder = dataset_description.void if kind == "void" else dataset_description.dcat
    body = get_state().cached(
        (kind, fmt.name, site, context_url()),
        lambda: _serialize(builder(get_engine(), site, _specs()), fmt),
    )
    return _send(body, fmt, negotiated=True, location=location)


@bp.route("/.well-known/void")
@bp.route("/dataset")
def void() -> Response:
    return _description("void", url_for("ld.void"))


@bp.route("/catalog")
def catalog() -> Response:
    return _description("dcat", url_for("ld.catalog"))


def init_app(app: Flask) -> None:
    """Register the blueprint and the per-app state (article, document cache)."""
    init_state(app)
    app.register_blueprint(bp)
