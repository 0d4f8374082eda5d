"""``/search?q=``: the entity search box's answers, as a page and as JSON.

The index is :mod:`treatygraph.store.search` (SQLite FTS5, built with the store); this view
reads the request, asks the index, adds each hit's kind label and description (one SPARQL
query for the page) and answers through the pipeline. The JSON twin (``/search.json`` or
``Accept: application/json``) follows Wikidata's ``wbsearchentities``: ``search`` is a list of
``{id, concepturi, url, label, description, match}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Response, render_template, request, url_for

from treatygraph.errors import BadRequest
from treatygraph.linkeddata.cbd import labels
from treatygraph.linkeddata.describe import default_linker, web_href
from treatygraph.rdf.formats import HTML, JSON, Format
from treatygraph.store import get_engine, get_search
from treatygraph.store.base import QueryEngine
from treatygraph.store.search import Hit
from treatygraph.web import pipeline

#: longest ``q`` accepted: a name or a few words, not a document
MAX_QUERY = 200
#: hits per page
PAGE_SIZE = 20
#: pages one can turn to (the index ranks a bounded candidate set anyway)
MAX_PAGE = 50
FORMATS: tuple[Format, ...] = (HTML, JSON)
_DESCRIPTIONS = (
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
)


@dataclass(frozen=True)
class Match:
    """One hit as shown: where it links, what it is, what it says about itself."""

    iri: str
    href: str | None  #: None for an IRI that is neither ours nor http(s): shown as text
    label: str
    kind: str | None
    description: str | None
    preferred: bool


def read_args() -> tuple[str, int]:
    """``q`` and ``page`` from the URL; a clear 400 naming the parameter otherwise."""
    q = request.args.get("q", "").strip()
    if not q:
        raise BadRequest("search: the parameter q is empty; give a name or a few words, ?q=russia")
    if len(q) > MAX_QUERY:
        raise BadRequest(f"search: q is {len(q)} characters long; at most {MAX_QUERY} are read")
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadRequest(f"search: page={raw!r} is not a whole number from 1 to {MAX_PAGE}")
    return q, int(raw)


def descriptions(engine: QueryEngine, iris: list[str]) -> dict[str, str]:
    """rdfs:comment or dcterms:description of each IRI (the shortest when several)."""
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    props = " ".join(f"<{p}>" for p in _DESCRIPTIONS)
    result = engine.query(
        f"SELECT ?x (MIN(STR(?d)) AS ?text) WHERE {{ VALUES ?x {{ {values} }} "
        f"VALUES ?p {{ {props} }} ?x ?p ?d FILTER(isLiteral(?d)) }} GROUP BY ?x"
    )
    return {x.value: d.value for x, d in result.rows if d is not None}


def href(iri: str) -> str | None:
    """Our own IRIs link to their local pages, http(s) ones to themselves, others nowhere
    (an imported ``javascript:`` IRI must not become a link)."""
    return default_linker(iri) or web_href(iri)


def matches(hits: list[Hit]) -> list[Match]:
    engine = get_engine()
    said = descriptions(engine, [h.iri for h in hits])
    kinds = labels(engine, {h.kind for h in hits if h.kind})
    return [
        Match(
            h.iri,
            href(h.iri),
            h.label,
            kinds.get(h.kind, h.kind) if h.kind else None,
            said.get(h.iri),
            h.preferred,
        )
        for h in hits
    ]


def as_json(q: str, page: int, found: list[Match], more: bool) -> bytes:
    """The wbsearchentities shape; ``match`` says which label matched and how."""
    entries = [
        {
            "id": m.href[4:] if m.href and m.href.startswith("/id/") else m.iri,
            "concepturi": m.iri,
            "url": m.href,
            "label": m.label,
            "description": m.description,
            "kind": m.kind,
            "match": {"type": "label" if m.preferred else "alias", "text": m.label},
        }
        for m in found
    ]
    body: dict[str, object] = {"searchinfo": {"search": q, "page": page}, "search": entries}
    if more:
        body["search-continue"] = page + 1
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def view(ext: str | None = None) -> Response:
    fmt = pipeline.choose_one(FORMATS, ext)
    q, page = read_args()
    key = ("search", q, page, pipeline.site_root(), fmt.name)

    def make() -> pipeline.Answer:
        hits = get_search().search(q, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        more = len(hits) > PAGE_SIZE
        found = matches(hits[:PAGE_SIZE])
        if fmt is JSON:
            return pipeline.answer(as_json(q, page, found, more), fmt)
        html = render_template(
            "search.html",
            q=q,
            page=page,
            found=found,
            more=more and page < MAX_PAGE,
            next_href=url_for("search.search", q=q, page=page + 1),
            prev_href=url_for("search.search", q=q, page=page - 1) if page > 1 else None,
            json_href=url_for("search.search", ext="json", q=q, page=page),
        )
        return pipeline.answer(html.encode("utf-8"), "text/html; charset=utf-8")

    return pipeline.respond(key, make, negotiated=ext is None)
