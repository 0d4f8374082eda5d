"""The plain page models behind the linked-data pages, built from the queries of :mod:`cbd`.

Views call these functions with the engine and get dataclasses back (rendered by the
``ld_*.html`` templates and, via ``dataclasses.asdict``, by the JSON twins); they never
see SPARQL or RDF. The queries themselves, and the concise bounded description a resource's
RDF is made of, live in :mod:`cbd`; the names other modules take from there through this
module are re-exported below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from treatygraph.corpus.documents import RECORD_CLASS
from treatygraph.linkeddata.cbd import (
    FACT_CLASSES,
    RDFS,
    AnchorRecord,
    Description,
    DocumentRecord,
    anchor_records,
    describe,
    document_records,
    exists,
    facts_in_document,
    labels,
    ontology_triples,
    resource_iri,
    subject_triples,
)
from treatygraph.linkeddata.text import date_precision, format_date, quote_context
from treatygraph.rdf.iris import ONTOLOGY_IRI, PREFIXES, TG, TGID
from treatygraph.store.base import QueryEngine

#: Re-exported from :mod:`cbd` for the views and :mod:`listings`, which import them from here.
__all__ = ["describe", "exists", "ontology_triples", "resource_iri"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = RDFS + "label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Properties shown in a fact's summary, in this order, when it has them.
SUMMARY = tuple(
    str(TG[name])
    for name in (
        "holder",
        "stance",
        "option",
        "claimant",
        "claimType",
        "claimText",
        "speaker",
        "quotedText",
        "medium",
        "agent",
        "participant",
        "post",
        "member",
        "organization",
        "roleLabel",
        "status",
        "statusOf",
        "quantity",
        "quantityOf",
        "date",
        "startDate",
        "endDate",
        "attestedOn",
    )
)

#: Identity links shown as "external identities".
IDENTITY = (SKOS + "exactMatch", OWL + "sameAs", SKOS + "closeMatch")


@dataclass(frozen=True)
class Kind:
    """One browsable class."""

    name: str  #: URL segment: /browse/<name>
    title: str
    cls: str


KINDS: tuple[Kind, ...] = (
    Kind("treaties", "Treaties and agreements", str(TG.Agreement)),
    Kind("states", "States", str(TG.State)),
    Kind("people", "People", str(TG.Person)),
    Kind("organisations", "Organisations", str(TG.Organization)),
    Kind("events", "Events", str(TG.Event)),
    Kind("positions", "Positions", str(TG.Position)),
    Kind("claims", "Claims", str(TG.Claim)),
    Kind("quotations", "Quotations", str(TG.Quotation)),
    Kind("options", "Policy options", str(TG.PolicyOption)),
    Kind("posts", "Posts", str(TG.Post)),
    Kind("places", "Places", str(TG.Place)),
    Kind("weapons", "Weapon categories", str(TG.WeaponCategory)),
)

Linker = Callable[[str], str | None]  #: IRI -> local path (or None: link to the IRI)


# -- page models -----------------------------------------------------------------------------
@dataclass
class Link:
    iri: str
    label: str
    href: str | None = None  #: local path, or the IRI for external resources


@dataclass
class Value:
    text: str
    link: Link | None = None
    datatype: str | None = None  #: compact datatype, e.g. ``xsd:gYear``
    lang: str | None = None


@dataclass
class PropertyRow:
    predicate: Link
    values: list[Value]


@dataclass
class Snippet:
    """An anchor's quote, with its sentence (or the stored prefix/suffix) around it."""

    anchor: Link
    source: Link | None
    exact: str
    before: str
    after: str
    start: int | None
    end: int | None
    in_sentence: bool


@dataclass
class Fact:
    link: Link
    types: list[Link]
    roles: list[Link]  #: the properties by which the fact points at the resource
    details: list[PropertyRow]
    snippets: list[Snippet]


@dataclass
class DocumentInfo:
    """A source document, named as a reference work names its sources."""

    link: Link
    title: str | None
    publisher: Link | None
    issued: str | None  #: as people write dates
    url: str | None  #: the document on the web (http(s) only)


@dataclass
class DocumentFacts:
    """The facts of one kind that one document states (``document`` None: no document, e.g.
    background facts with another ``dcterms:source``)."""

    document: DocumentInfo | None
    facts: list[Fact]


@dataclass
class FactGroup:
    title: str
    cls: str
    facts: list[Fact]
    by_document: list[DocumentFacts] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The section's id, for the table of contents."""
        return "facts-" + self.title.lower().replace(" ", "-")


@dataclass
class Coverage:
    """A document's proper-name coverage (its mentions file against its text)."""

    ratio: float | None  #: None: the text is not here to measure against
    candidates: int
    linked: int
    ignored: int


@dataclass
class DocumentPage:
    """What a document's own page adds: its record, the facts it states, its coverage."""

    info: DocumentInfo
    facts: list[FactGroup]
    coverage: Coverage | None


@dataclass
class Summary:
    """The card at the top of a page: what this is, in a few lines."""

    kinds: list[Link]
    description: str | None
    wikidata: Link | None
    documents: list[DocumentInfo]


@dataclass
class Incoming:
    subject: Link
    predicate: Link


@dataclass
class ResourcePage:
    resource: Link
    types: list[Link]
    properties: list[PropertyRow]
    incoming: list[Incoming]
    facts: list[FactGroup]
    snippets: list[Snippet]
    external: list[Link]
    summary: Summary
    document: DocumentPage | None = None
    extra: list[Any] = field(default_factory=list)  #: other sections (e.g. a state's chart)


def compact(iri: str) -> str:
    """``tg:Person`` for a known namespace, else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(str(ns)) > len(best):
            best, name = str(ns), prefix
    if best and iri[len(best) :]:
        return f"{name}:{iri[len(best) :]}"
    return iri


def web_href(iri: str) -> str | None:
    """An outside IRI is a link only when it is http(s): a ``javascript:``, ``data:`` or any
    other scheme from an imported graph is shown as text, never made clickable."""
    scheme = iri.split(":", 1)[0].lower() if ":" in iri else ""
    return iri if scheme in ("http", "https") else None


def default_linker(iri: str) -> str | None:
    if iri.startswith(str(TGID)):
        return "/id/" + iri[len(str(TGID)) :]
    if iri.startswith(str(TG)):
        return "/ontology#" + iri[len(str(TG)) :]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    return None


@dataclass(frozen=True)
class ArticleText:
    """The texts the anchors' offsets point into (None-safe): one per document, by IRI."""

    text: str | None
    body_end: int | None = None
    by_source: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    def of(self, source: str | None) -> tuple[str | None, int | None]:
        """The text and body end of the anchor's own document (else the one text given)."""
        if source is not None and source in self.by_source:
            return self.by_source[source]
        return (None, None) if self.by_source else (self.text, self.body_end)


class PageBuilder:
    """Turns query results into page models: labels, links, values, snippets."""

    def __init__(
        self, engine: QueryEngine, article: ArticleText, linker: Linker = default_linker
    ) -> None:
        self.engine = engine
        self.article = article
        self.linker = linker
        self.label_of: dict[str, str] = {}

    def load_labels(self, iris: Iterable[str]) -> None:
        missing = {i for i in iris if i not in self.label_of}
        self.label_of.update(labels(self.engine, missing))

    def link(self, iri: str) -> Link:
        label = self.label_of.get(iri) or compact(iri)
        return Link(iri, label, self.linker(iri) or web_href(iri))

    def value(self, term: Any) -> Value:
        if isinstance(term, ox.NamedNode):
            link = self.link(term.value)
            return Value(link.label, link)
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}")
        datatype = term.datatype.value if term.language is None else None
        text = term.value
        if date_precision(datatype):
            text = format_date(term.value, datatype)
        shown = None if datatype in (None, XSD + "string") else compact(datatype)
        return Value(text, None, shown, term.language)

    def snippet(self, record: AnchorRecord) -> Snippet:
        text, body_end = self.article.of(record.source)
        ctx = quote_context(
            record.exact,
            record.prefix,
            record.suffix,
            text=text,
            start=record.start,
            end=record.end,
            limit=body_end,
        )
        return Snippet(
            self.link(record.anchor),
            self.link(record.source) if record.source else None,
            ctx.exact,
            ctx.before,
            ctx.after,
            record.start,
            record.end,
            ctx.in_sentence,
        )

    def rows(self, triples: Iterable[Any], order: Sequence[str] | None = None) -> list[PropertyRow]:
        """Group triples by predicate (``order`` first, then by predicate label)."""
        grouped: dict[str, list[Any]] = {}
        for t in triples:
            grouped.setdefault(t.predicate.value, []).append(t.object)
        rank = {p: i for i, p in enumerate(order or ())}
        keys = sorted(
            grouped,
            key=lambda p: (rank.get(p, len(rank)), p != RDFS_LABEL, self.link(p).label.lower(), p),
        )
        return [
            PropertyRow(
                self.link(p),
                sorted(
                    (self.value(o) for o in grouped[p]),
                    key=lambda v: (v.text, v.link.iri if v.link else ""),
                ),
            )
            for p in keys
        ]


# -- resource page ----------------------------------------------------------------------------
def resource_page(
    engine: QueryEngine,
    description: Description,
    article: ArticleText,
    linker: Linker = default_linker,
    coverage: Mapping[str, Coverage] | None = None,
) -> ResourcePage:
    """The HTML page model of a described resource."""
    iri = description.iri
    builder = PageBuilder(engine, article, linker)
    iris = {iri} | set(description.facts)
    for t in description.triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
    builder.load_labels(iris)
    own = [t for t in description.triples if t.subject == ox.NamedNode(iri)]
    types = sorted(
        (
            builder.link(t.object.value)
            for t in own
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)
        ),
        key=lambda link: link.label,
    )
    properties = builder.rows([t for t in own if t.predicate.value != RDF_TYPE])
    external = sorted(
        (
            builder.link(t.object.value)
            for t in own
            if t.predicate.value in IDENTITY
            and isinstance(t.object, ox.NamedNode)
            and not t.object.value.startswith("https://w3id.org/treatygraph/")
        ),
        key=lambda link: link.iri,
    )
    for link in external:
        link.label = external_label(link.iri)
    incoming = sorted(
        (
            Incoming(builder.link(t.subject.value), builder.link(t.predicate.value))
            for t in description.triples
            if t.object == ox.NamedNode(iri) and isinstance(t.subject, ox.NamedNode)
        ),
        key=lambda i: (i.predicate.label.lower(), i.subject.label.lower()),
    )
    anchors = anchor_records(engine, iris & ({iri} | set(description.facts)), include_self=True)
    by_subject: dict[str, list[Any]] = {}
    for t in description.triples:
        by_subject.setdefault(t.subject.value, []).append(t)
    own_snippets = [builder.snippet(a) for a in anchors.get(iri, [])]
    documents = DocumentNamer(builder)
    groups = fact_groups(builder, description.facts, by_subject, anchors, documents)
    document = None
    if RECORD_CLASS in {t.iri for t in types}:
        document = document_page(builder, iri, documents, coverage)
    seen = {
        d.document.link.iri: d.document
        for g in groups
        for d in g.by_document
        if d.document is not None
    }
    for snip in own_snippets:
        if snip.source is not None and snip.source.iri not in seen:
            info = documents.info(snip.source.iri)
            if info is not None:
                seen[info.link.iri] = info
    description_text = next(
        (
            t.object.value
            for t in own
            if t.predicate.value in (str(TG.description), RDFS + "comment")
            and isinstance(t.object, ox.Literal)
        ),
        None,
    )
    wikidata = next((e for e in external if e.iri.startswith(WIKIDATA)), None)
    summary = Summary(
        types,
        description_text,
        wikidata,
        sorted(seen.values(), key=lambda d: (d.issued or "", d.link.label)),
    )
    return ResourcePage(
        builder.link(iri),
        types,
        properties,
        incoming,
        groups,
        own_snippets,
        external,
        summary,
        document,
    )


WIKIDATA = "http://www.wikidata.org/entity/"
DCTERMS_SOURCE = "http://purl.org/dc/terms/source"


class DocumentNamer:
    """The documents facts come from, each record fetched once per page."""

    def __init__(self, builder: PageBuilder) -> None:
        self.builder = builder
        self.records: dict[str, DocumentRecord | None] = {}

    def load(self, iris: Iterable[str]) -> None:
        missing = {i for i in iris if i not in self.records}
        if not missing:
            return
        found = document_records(self.builder.engine, missing)
        self.builder.load_labels(set(found) | {r.publisher for r in found.values() if r.publisher})
        for i in missing:
            self.records[i] = found.get(i)

    def info(self, iri: str) -> DocumentInfo | None:
        self.load([iri])
        record = self.records.get(iri)
        if record is None:
            return None
        b = self.builder
        issued = format_date(record.issued, XSD + "date") if record.issued else None
        return DocumentInfo(
            b.link(iri),
            record.title,
            b.link(record.publisher) if record.publisher else None,
            issued,
            web_href(record.url) if record.url else None,
        )


def fact_groups(
    builder: PageBuilder,
    facts: Mapping[str, tuple[set[str], set[str]]],
    by_subject: Mapping[str, list[Any]],
    anchors: Mapping[str, list[AnchorRecord]],
    documents: DocumentNamer,
) -> list[FactGroup]:
    """Facts in sections by kind (the order of :data:`FACT_CLASSES`), each section's facts
    grouped by the document that states them (its anchors' source, else its
    ``dcterms:source``), documents by date."""
    sources: dict[str, set[str]] = {}
    for node in facts:
        found = {a.source for a in anchors.get(node, []) if a.source}
        found |= {
            t.object.value
            for t in by_subject.get(node, [])
            if t.predicate.value == DCTERMS_SOURCE and isinstance(t.object, ox.NamedNode)
        }
        sources[node] = found
    documents.load({d for found in sources.values() for d in found})
    groups = []
    for cls, title in FACT_CLASSES:
        made = []
        for node, (classes, roles) in facts.items():
            if cls not in classes or _claimed_earlier(cls, classes):
                continue
            node_triples = by_subject.get(node, [])
            fact_types = sorted(
                (
                    builder.link(t.object.value)
                    for t in node_triples
                    if t.predicate.value == RDF_TYPE
                ),
                key=lambda x: x.label,
            )
            details = builder.rows(
                [t for t in node_triples if t.predicate.value in SUMMARY], order=SUMMARY
            )
            made.append(
                Fact(
                    builder.link(node),
                    fact_types,
                    sorted((builder.link(r) for r in roles), key=lambda x: x.label),
                    details,
                    [builder.snippet(a) for a in anchors.get(node, [])],
                )
            )
        if not made:
            continue
        made.sort(key=lambda f: (_first_date(f), f.link.label.lower()))
        per_document: dict[str | None, list[Fact]] = {}
        for fact in made:
            named: list[str | None] = [
                d for d in sorted(sources.get(fact.link.iri, ())) if documents.info(d)
            ]
            for d in named or [None]:
                per_document.setdefault(d, []).append(fact)
        by_document = [
            DocumentFacts(documents.info(d) if d else None, fs) for d, fs in per_document.items()
        ]
        by_document.sort(
            key=lambda g: (
                g.document is None,
                g.document.issued or "" if g.document else "",
                g.document.link.label if g.document else "",
            )
        )
        groups.append(FactGroup(title, cls, made, by_document))
    return groups


def document_page(
    builder: PageBuilder,
    iri: str,
    documents: DocumentNamer,
    coverage: Mapping[str, Coverage] | None = None,
) -> DocumentPage | None:
    """A document's own page: its record, every fact anchored in it, its mention coverage."""
    info = documents.info(iri)
    if info is None:
        return None
    engine = builder.engine
    facts = facts_in_document(engine, iri)
    triples = subject_triples(engine, facts)
    by_subject: dict[str, list[Any]] = {}
    for t in triples:
        by_subject.setdefault(t.subject.value, []).append(t)
    builder.load_labels(
        set(facts)
        | {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
        | {t.predicate.value for t in triples}
    )
    anchors = anchor_records(engine, facts)
    groups = fact_groups(builder, facts, by_subject, anchors, documents)
    return DocumentPage(info, groups, (coverage or {}).get(iri))


def _claimed_earlier(cls: str, classes: set[str]) -> bool:
    """A node in several fact classes is listed once, under the first section."""
    order = [c for c, _ in FACT_CLASSES]
    return any(order.index(c) < order.index(cls) for c in classes if c in order)


def _first_date(fact: Fact) -> str:
    for row in fact.details:
        if row.predicate.iri in (str(TG.date), str(TG.startDate), str(TG.attestedOn)):
            return row.values[0].text
    return ""


def external_label(iri: str) -> str:
    if iri.startswith("http://www.wikidata.org/entity/"):
        return "Wikidata " + iri.rsplit("/", 1)[-1]
    return iri
