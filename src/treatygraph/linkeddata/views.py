"""What the linked-data pages say: the body of each page, in the format negotiated for it.

Routes (in the routing table, :mod:`treatygraph.web.routes`; every HTML page has a machine
twin, by ``Accept`` or by URL suffix)::

    /id/<slug>[.ttl|.jsonld|.nt|.rdf|.html]   resource: HTML or RDF
    /ontology[.ttl|.jsonld|.nt|.rdf|.html]    the ontology (term IRIs /ontology#Term)
    /browse[.json]  /browse/<kind>[.json]     indexes per class, with counts
    /timeline[.json]                          dated events in order
    /positions[.json][?agreement=<slug>]      who stands where (default: the INF Treaty)
    /dumps/[index.json]  /dumps/<file>        dataset and per-graph dumps (+ .gz)
    /context.jsonld                           the JSON-LD @context
    /.well-known/void  /dataset               VoID (Turtle by default; any RDF format)
    /catalog                                  DCAT (Turtle by default; any RDF format)

:class:`Pages` makes bodies only: the web pipeline (:mod:`treatygraph.web.pipeline`) has
negotiated before and caches, tags and sends after. An unknown resource is a 404 in the
negotiated format: an HTML page, or an empty graph in the RDF format asked for.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any

from flask import render_template, url_for

from treatygraph.errors import NotFound
from treatygraph.linkeddata import describe, dumps, listings, rdfout, statistics
from treatygraph.linkeddata import void as dataset_description
from treatygraph.linkeddata.context import build_context, context_document
from treatygraph.linkeddata.state import LinkedDataState
from treatygraph.rdf import formats
from treatygraph.rdf.formats import HTML, JSON, Format
from treatygraph.rdf.iris import ONTOLOGY_GRAPH, ONTOLOGY_IRI, TG, TGID
from treatygraph.store.base import QueryEngine
from treatygraph.store.cache import AnswerCache

_RDF = {f.name: f for f in formats.RDF}
#: What a resource or the ontology can be served as (HTML first: the default for */*).
RESOURCE_FORMATS: tuple[Format, ...] = (
    HTML,
    _RDF["turtle"],
    _RDF["jsonld"],
    _RDF["ntriples"],
    _RDF["rdfxml"],
)
#: RDF-only documents (VoID, DCAT): Turtle first.
DESCRIPTION_FORMATS: tuple[Format, ...] = RESOURCE_FORMATS[1:]
PAGE_FORMATS: tuple[Format, ...] = (HTML, JSON)

Body = tuple[bytes, int]  #: a body and its status


def _json(model: Any) -> bytes:
    data = model if isinstance(model, dict) else dataclasses.asdict(model)
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def alternates(endpoint: str, offered: Sequence[Format], **values: Any) -> list[dict[str, str]]:
    """Links to the machine twins of a page (suffix form)."""
    return [
        {
            "href": url_for(endpoint, **values, ext=fmt.extension),
            "type": fmt.media_type,
            "label": fmt.extension,
        }
        for fmt in offered
        if fmt is not HTML
    ]


def _link_pages(paging: listings.Paging, endpoint: str, fmt: Format, **values: Any) -> None:
    """The previous and next pages' URLs, in the same format as this one."""
    ext = None if fmt is HTML else fmt.extension
    if paging.page > 1:
        paging.prev = url_for(endpoint, **values, ext=ext, page=paging.page - 1)
    if paging.page < paging.pages:
        paging.next = url_for(endpoint, **values, ext=ext, page=paging.page + 1)


class Pages:
    """The bodies of the linked-data pages for one request's site (its base URL)."""

    def __init__(
        self,
        engine: QueryEngine,
        state: LinkedDataState,
        cache: AnswerCache,
        site: dataset_description.Site,
    ) -> None:
        self.engine, self.state, self.cache, self.site = engine, state, cache, site

    # -- shared pieces -------------------------------------------------------------------------
    @property
    def context_url(self) -> str:
        return self.site.url(url_for("ld.context"))

    def context(self) -> dict[str, Any]:
        return self.cache.get_or_make(
            ("ld", "context"),
            lambda: build_context(describe.ontology_triples(self.engine)),
            lambda _: 1 << 14,
        )

    def linker(self, iri: str) -> str | None:
        if iri.startswith(str(TGID)):
            slug = iri[len(str(TGID)) :]
            if describe.resource_iri(slug):
                return url_for("ld.resource", name=slug)
        if iri.startswith(str(TG)):
            return url_for("ld.ontology") + "#" + iri[len(str(TG)) :]
        if iri == ONTOLOGY_IRI:
            return url_for("ld.ontology")
        return None

    def serialize(self, triples: list[Any], fmt: Format) -> bytes:
        return rdfout.serialize_triples(
            triples, fmt, context=self.context(), context_url=self.context_url
        )

    def _page(self, template: str, model: Any, fmt: Format, **extra: Any) -> bytes:
        if fmt is JSON:
            return _json(model)
        return render_template(template, model=model, **extra).encode("utf-8")

    # -- resources and the ontology ------------------------------------------------------------
    def resource(self, slug: str, fmt: Format) -> Body:
        iri = describe.resource_iri(slug)
        description = describe.describe(self.engine, iri) if iri else None
        if description is None:
            return self._not_found(iri or str(TGID) + slug, fmt), 404
        if fmt is HTML:
            page = describe.resource_page(
                self.engine,
                description,
                self.state.article_text,
                self.linker,
                self.state.coverage,
            )
            builder = describe.PageBuilder(self.engine, self.state.article_text, self.linker)
            extra = (
                statistics.warhead_chart(builder, description.iri),
                statistics.cube_structure(builder, description.iri),
            )
            page.extra = [x for x in extra if x is not None]
            html = render_template(
                "ld_resource.html",
                page=page,
                alternates=alternates("ld.resource", RESOURCE_FORMATS, name=slug),
            )
            return html.encode("utf-8"), 200
        return self.serialize(description.triples, fmt), 200

    def _not_found(self, iri: str, fmt: Format) -> bytes:
        """A 404 body in the negotiated format: an HTML page, or an empty graph."""
        if fmt.kind == "page":
            return render_template("ld_not_found.html", iri=iri).encode("utf-8")
        body = self.serialize([], fmt)
        if fmt.name in ("turtle", "ntriples"):
            body = f"# 404: <{iri}> is not described in this dataset\n".encode() + body
        return body

    def ontology(self, fmt: Format) -> bytes:
        if not self.engine.has_graph(str(ONTOLOGY_GRAPH)):
            raise NotFound(f"this dataset has no ontology graph <{ONTOLOGY_GRAPH}>")
        triples = describe.ontology_triples(self.engine)
        if fmt is HTML:
            from treatygraph.build.ontodoc import render_html

            return render_html(rdfout.to_graph(triples)).encode("utf-8")
        return self.serialize(triples, fmt)

    def context_document(self) -> bytes:
        return json.dumps(context_document(self.context()), indent=1).encode("utf-8") + b"\n"

    # -- browse, timeline, positions ------------------------------------------------------------
    def browse(self, fmt: Format) -> bytes:
        kinds = listings.kind_counts(self.engine, self.linker)
        return self._page(
            "ld_browse.html",
            {"kinds": [dataclasses.asdict(k) for k in kinds]},
            fmt,
            kinds=kinds,
            alternates=alternates("ld.browse", PAGE_FORMATS),
        )

    def browse_kind(self, name: str, fmt: Format, page: str | None = None) -> bytes:
        kind = listings.kind_by_name(name)
        if kind is None:
            raise NotFound(f"no index {name!r}; see {url_for('ld.browse')}")
        model = listings.kind_page(self.engine, kind, self.linker, listings.page_number(page))
        _link_pages(model.paging, "ld.browse_kind", fmt, name=name)
        return self._page(
            "ld_kind.html",
            model,
            fmt,
            alternates=alternates("ld.browse_kind", PAGE_FORMATS, name=name),
        )

    def timeline(self, fmt: Format) -> bytes:
        return self._page(
            "ld_timeline.html",
            listings.timeline(self.engine, self.linker),
            fmt,
            alternates=alternates("ld.timeline", PAGE_FORMATS),
        )

    def positions(self, slug: str, fmt: Format, page: str | None = None) -> bytes:
        agreement = describe.resource_iri(slug)
        if agreement is None or not describe.exists(self.engine, agreement):
            raise NotFound(
                f"no agreement {slug!r}; see {url_for('ld.browse_kind', name='treaties')}"
            )
        model = listings.positions_page(
            self.engine,
            agreement,
            self.state.article_text,
            self.linker,
            listings.page_number(page),
        )
        _link_pages(model.paging, "ld.positions", fmt, agreement=slug)
        return self._page(
            "ld_positions.html",
            model,
            fmt,
            alternates=alternates("ld.positions", PAGE_FORMATS, agreement=slug),
        )

    # -- dumps and descriptions -----------------------------------------------------------------
    def specs(self) -> list[dumps.DumpSpec]:
        return dumps.dump_specs(self.engine.graph_names())

    def dump_index(self, fmt: Format) -> bytes:
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
            for s in self.specs()
        ]
        return self._page(
            "ld_dumps.html",
            {"dumps": rows},
            fmt,
            alternates=alternates("ld.dump_index", PAGE_FORMATS),
        )

    def dump_spec(self, filename: str) -> dumps.DumpSpec:
        spec = next((s for s in self.specs() if s.filename == filename), None)
        if spec is None:
            raise NotFound(f"no dump {filename!r}; see {url_for('ld.dump_index')}")
        return spec

    def dump_file(self, spec: dumps.DumpSpec, tick: Callable[[], None]) -> dumps.DumpFile:
        """A streamed dump on disk, written once per data generation (the cache is cleared
        at every update and reload, which drops and removes the file)."""
        return self.cache.get_or_make(
            ("ld", "dump-file", spec.filename),
            lambda: dumps.write_dump_file(self.engine, spec, tick=tick),
            lambda _: 1,
        )

    def dump(self, filename: str) -> tuple[bytes, str]:
        """A JSON-LD dump's body and Content-Type: that graph and the ontology only."""
        spec = self.dump_spec(filename)
        graphs = dumps.graphs_read(spec, self.engine.graph_names())
        data = self.cache.get_or_make(
            ("ld", "graphs", *graphs),
            lambda: dumps.DatasetQuads.of_graphs(self.engine, graphs),
            lambda d: d.size,
        )
        return dumps.render_spec(data, spec, self.context_url), spec.content_type

    def description(self, kind: str, fmt: Format) -> bytes:
        """VoID (``kind`` "void") or DCAT ("dcat")."""
        builder = dataset_description.void if kind == "void" else dataset_description.dcat
        return self.serialize(builder(self.engine, self.site, self.specs()), fmt)
