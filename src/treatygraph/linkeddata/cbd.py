"""The concise bounded description of a resource, and the other store queries under the pages.

The RDF side of :mod:`describe`, kept apart because it is what machines get (``/id/<slug>``
as Turtle, JSON-LD, ...) and it knows nothing of page models; :mod:`describe` and
:mod:`listings` build their pages on these queries. All queries are fixed templates; the only
values spliced in are IRIs built from slugs that matched :data:`treatygraph.rdf.iris.SLUG_RE`.

The description of a resource R is a concise bounded description, symmetric and extended with
provenance:

1. R's own triples (R as subject, any graph), with the blank nodes they reach;
2. the triples pointing at R (incoming links);
3. every *fact node* pointing at R — a Position, Claim, Quotation, Event, PostTenure,
   Affiliation, StatusRecord or QuantityRecord (or a subclass) — with all its triples;
4. the anchors (``tg:SourceAnchor``) of R and of those facts, their two selectors and
   their ``oa:hasSource`` link to the source document (R itself when R is an anchor);
5. the ``rdfs:label`` of every IRI that appears as a subject or object above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from treatygraph.corpus.documents import RECORD_CLASS
from treatygraph.rdf.iris import OA, ONTOLOGY_GRAPH, SLUG_RE, TG, TGID
from treatygraph.store.base import QueryEngine

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PREAMBLE = f"PREFIX tg: <{TG}>\nPREFIX rdfs: <{RDFS}>\nPREFIX oa: <{OA}>\n"

#: Fact classes, in the order their sections appear on a page, with section titles.
FACT_CLASSES: tuple[tuple[str, str], ...] = (
    (str(TG.Position), "Positions"),
    (str(TG.Claim), "Claims"),
    (str(TG.Quotation), "Quotations"),
    (str(TG.Event), "Events"),
    (str(TG.PostTenure), "Posts held"),
    (str(TG.Affiliation), "Affiliations"),
    (str(TG.StatusRecord), "Status records"),
    (str(TG.QuantityRecord), "Quantities"),
)


@dataclass
class Description:
    """The concise bounded description of one resource (see the module docstring)."""

    iri: str
    triples: list[Any]
    #: fact node IRI -> (fact class IRIs, predicates by which it points at the resource)
    facts: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)


# -- small helpers -----------------------------------------------------------------------------
def resource_iri(slug: str) -> str | None:
    """The IRI for a slug, or None when the slug is not well formed."""
    return str(TGID) + slug if SLUG_RE.match(slug) else None


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(set(iris)))


def _rows(engine: QueryEngine, sparql: str) -> list[tuple[Any, ...]]:
    return engine.query(PREAMBLE + sparql).rows


def _construct(engine: QueryEngine, sparql: str) -> list[Any]:
    return engine.query(PREAMBLE + sparql).triples


def _v(term: Any) -> str | None:
    return None if term is None else term.value


# -- existence, description, labels -------------------------------------------------------------
def exists(engine: QueryEngine, iri: str) -> bool:
    result = engine.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")
    return bool(result.boolean)


def labels(engine: QueryEngine, iris: Iterable[str]) -> dict[str, str]:
    """rdfs:label of each IRI (the smallest when several)."""
    wanted = {i for i in iris if i}
    if not wanted:
        return {}
    rows = _rows(
        engine,
        f"SELECT ?x (MIN(STR(?l)) AS ?label) WHERE {{ VALUES ?x {{ "
        f"{_values(wanted)} }} ?x rdfs:label ?l }} GROUP BY ?x",
    )
    return {x.value: label.value for x, label in rows if label is not None}


def fact_nodes(engine: QueryEngine, iri: str) -> dict[str, tuple[set[str], set[str]]]:
    """The fact nodes pointing at ``iri``: found first (the neighbourhood), classified after.

    Evaluating ``a/rdfs:subClassOf*`` for every node in the store before the join made the
    cost grow with the dataset; here the closure runs only over the few classes the
    neighbours have."""
    rows = _rows(
        engine,
        f"""SELECT DISTINCT ?f ?x ?t WHERE {{
        ?f ?x <{iri}> . FILTER(isIRI(?f) && ?f != <{iri}>) ?f a ?t . FILTER(isIRI(?t)) }}""",
    )
    kinds = fact_kinds(engine, {t.value for _, _, t in rows})
    facts: dict[str, tuple[set[str], set[str]]] = {}
    for f, x, t in rows:
        found = kinds.get(t.value)
        if found:
            entry = facts.setdefault(f.value, (set(), set()))
            entry[0].update(found)
            entry[1].add(x.value)
    return facts


def fact_kinds(engine: QueryEngine, types: Iterable[str]) -> dict[str, set[str]]:
    """Which of :data:`FACT_CLASSES` each of ``types`` is (a subclass of): a closure over the
    class hierarchy of these few classes only."""
    wanted = set(types)
    if not wanted:
        return {}
    # The closure walks down from each fact class, a constant (the ontology's size, not the
    # data's); the wanted types are picked out here. Some stores (Virtuoso) refuse a path
    # whose ends are bound only by VALUES ("transitive start not given").
    classes = " UNION ".join(
        f"{{ ?t rdfs:subClassOf* <{c}> BIND(<{c}> AS ?c) }}" for c, _ in FACT_CLASSES
    )
    rows = _rows(engine, f"SELECT DISTINCT ?t ?c WHERE {{ {classes} }}")
    out: dict[str, set[str]] = {}
    for t, c in rows:
        if t.value in wanted:
            out.setdefault(t.value, set()).add(c.value)
    return out


def _blank_closure(engine: QueryEngine, iri: str, depth: int = 5) -> list[Any]:
    """Triples of the blank nodes reachable from ``iri`` through blank nodes only."""
    inner = ""
    for k in range(depth, 1, -1):
        inner = f"OPTIONAL {{ ?o{k - 1} ?p{k} ?o{k} . FILTER(isBlank(?o{k - 1})) {inner} }}"
    template = " ".join(f"?o{k - 1} ?p{k} ?o{k} ." for k in range(1, depth + 1))
    return _construct(
        engine,
        f"CONSTRUCT {{ {template} }} WHERE {{ <{iri}> ?p0 ?o0 . "
        f"FILTER(isBlank(?o0)) ?o0 ?p1 ?o1 . {inner} }}",
    )


def describe(engine: QueryEngine, iri: str) -> Description | None:
    """The concise bounded description of ``iri``; None when the store never mentions it."""
    if not exists(engine, iri):
        return None
    facts = fact_nodes(engine, iri)
    nodes = {iri, *facts}
    triples = set(subject_triples(engine, nodes))
    triples |= set(_construct(engine, f"CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{ ?s ?p <{iri}> }}"))
    triples |= set(
        _construct(
            engine,
            f"""CONSTRUCT {{ ?a ?p ?o . ?sel ?sp ?so }} WHERE {{
        {{ VALUES ?n {{ {_values(nodes)} }} ?n tg:anchor ?a }} UNION {{ BIND(<{iri}> AS ?a) }}
        ?a ?p ?o .
        OPTIONAL {{ ?a oa:hasSelector ?sel . ?sel ?sp ?so }} }}""",
        )
    )
    triples |= set(_blank_closure(engine, iri))
    mentioned = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    mentioned |= {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
    if mentioned:
        triples |= set(
            _construct(
                engine,
                f"CONSTRUCT {{ ?x rdfs:label ?l }} WHERE {{ "
                f"VALUES ?x {{ {_values(mentioned)} }} "
                "?x rdfs:label ?l }",
            )
        )
    return Description(
        iri, sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))), facts
    )


def graph_triples(engine: QueryEngine, graph: str) -> list[Any]:
    """Every triple of one named graph (e.g. the ontology)."""
    return _construct(
        engine, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )


def ontology_triples(engine: QueryEngine) -> list[Any]:
    return graph_triples(engine, str(ONTOLOGY_GRAPH))


# -- anchors -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnchorRecord:
    node: str  #: the fact (or resource) the anchor supports
    anchor: str
    exact: str
    prefix: str | None
    suffix: str | None
    start: int | None
    end: int | None
    source: str | None


def anchor_records(
    engine: QueryEngine, nodes: Iterable[str], include_self: bool = False
) -> dict[str, list[AnchorRecord]]:
    """The anchors of each node, ordered by position in the article.

    With ``include_self`` a node that *is* an anchor is its own anchor."""
    wanted = set(nodes)
    if not wanted:
        return {}
    link = (
        "{ ?n tg:anchor ?a } UNION { ?n oa:hasSelector ?any BIND(?n AS ?a) }"
        if include_self
        else "?n tg:anchor ?a ."
    )
    rows = _rows(
        engine,
        f"""SELECT DISTINCT ?n ?a ?exact ?prefix ?suffix ?start ?end ?src WHERE {{
        VALUES ?n {{ {_values(wanted)} }}
        {link}
        ?a oa:hasSelector ?q . ?q oa:exact ?exact .
        OPTIONAL {{ ?q oa:prefix ?prefix }} OPTIONAL {{ ?q oa:suffix ?suffix }}
        OPTIONAL {{ ?a oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end }}
        OPTIONAL {{ ?a oa:hasSource ?src }} }}""",
    )
    out: dict[str, list[AnchorRecord]] = {}
    for n, a, exact, prefix, suffix, start, end, src in rows:
        out.setdefault(n.value, []).append(
            AnchorRecord(
                n.value,
                a.value,
                exact.value,
                _v(prefix),
                _v(suffix),
                int(start.value) if start is not None else None,
                int(end.value) if end is not None else None,
                _v(src),
            )
        )
    for records in out.values():
        unique = {(r.anchor): r for r in records}
        records[:] = sorted(unique.values(), key=lambda r: (r.start or 0, r.end or 0, r.anchor))
    return out


# -- documents -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentRecord:
    """A source document's metadata, as its record (``graph/<slug>/document.ttl``) states it."""

    iri: str
    title: str | None
    publisher: str | None
    issued: str | None
    url: str | None


def document_records(engine: QueryEngine, iris: Iterable[str]) -> dict[str, DocumentRecord]:
    """The records of those of ``iris`` that are source documents."""
    wanted = {i for i in iris if i}
    if not wanted:
        return {}
    rows = _rows(
        engine,
        f"""SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?p) AS ?publisher) (SAMPLE(?i) AS ?issued)
        (SAMPLE(?u) AS ?url) WHERE {{ VALUES ?d {{ {_values(wanted)} }} ?d a <{RECORD_CLASS}> .
        OPTIONAL {{ ?d <http://purl.org/dc/terms/title> ?t }}
        OPTIONAL {{ ?d <http://purl.org/dc/terms/publisher> ?p }}
        OPTIONAL {{ ?d <http://purl.org/dc/terms/issued> ?i }}
        OPTIONAL {{ ?d <https://schema.org/url> ?u }} }} GROUP BY ?d""",
    )
    return {d.value: DocumentRecord(d.value, _v(t), _v(p), _v(i), _v(u)) for d, t, p, i, u in rows}


def facts_in_document(engine: QueryEngine, document: str) -> dict[str, tuple[set[str], set[str]]]:
    """The fact nodes anchored in ``document`` (by their anchors' ``oa:hasSource``), classified
    as :func:`fact_nodes` does; they point at the document by no property, so no roles."""
    rows = _rows(
        engine,
        f"""SELECT DISTINCT ?f ?t WHERE {{ ?a oa:hasSource <{document}> . ?f tg:anchor ?a .
        FILTER(isIRI(?f)) ?f a ?t . FILTER(isIRI(?t)) }}""",
    )
    kinds = fact_kinds(engine, {t.value for _, t in rows})
    facts: dict[str, tuple[set[str], set[str]]] = {}
    for f, t in rows:
        if kinds.get(t.value):
            facts.setdefault(f.value, (set(), set()))[0].update(kinds[t.value])
    return facts


def subject_triples(engine: QueryEngine, nodes: Iterable[str]) -> list[Any]:
    """Every triple whose subject is one of ``nodes``."""
    wanted = set(nodes)
    if not wanted:
        return []
    return _construct(
        engine,
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {_values(wanted)} }} ?s ?p ?o }}",
    )
