"""Describe the dataset for machines: VoID (``/.well-known/void``) and DCAT (``/catalog``).

Every number comes from the store (so it matches what ``/sparql`` counts), every dump
link from :func:`treatygraph.linkeddata.dumps.dump_specs` (so it matches what ``/dumps/`` serves),
and the Wikidata linkset from the links actually present.

IRIs: the dataset is ``https://w3id.org/treatygraph/dataset``, its subsets (one per
named graph) and linksets are fragments of it (``...dataset#article``,
``...dataset#links-wikidata``); the catalog is ``https://w3id.org/treatygraph/catalog``
with fragments for its distributions (``...catalog#article.ttl``) and the SPARQL
service (``...catalog#sparql``). Download and endpoint URLs are the server's own.

VoID: https://www.w3.org/TR/void/ · DCAT 3: https://www.w3.org/TR/vocab-dcat-3/
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from treatygraph.integration.provenance import PROVENANCE_SUFFIX
from treatygraph.linkeddata.dumps import DumpSpec, graph_short_name
from treatygraph.rdf.iris import ONTOLOGY_GRAPH, ONTOLOGY_IRI, TG, TGID
from treatygraph.store.base import QueryEngine

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
IANA = "https://www.iana.org/assignments/media-types/"

DATASET = "https://w3id.org/treatygraph/dataset"
CATALOG = "https://w3id.org/treatygraph/catalog"
TITLE = "treatygraph"
DESCRIPTION = (
    "An open knowledge graph of arms control: treaties, states, officials, experts, "
    "their posts, events, positions, claims and quotations, each traced to the exact "
    "span of its source article."
)

PUBLISHER = ox.NamedNode(f"{CATALOG}#publisher")

#: Link predicates that make a void:Linkset.
LINK_PREDICATES = (SKOS + "exactMatch", OWL + "sameAs", SKOS + "closeMatch")

#: External datasets we link to: object IRI namespace -> (fragment, title, dataset IRI).
TARGETS = {
    "http://www.wikidata.org/entity/": (
        "wikidata",
        "Wikidata",
        "http://www.wikidata.org/entity/Q2013",
    ),
}

#: Example resources, by class: the first instance (by IRI) of each.
EXAMPLE_CLASSES = (TG.Treaty, TG.Person, TG.Quotation, TG.Position)


@dataclass(frozen=True)
class Site:
    """Where things are served and who publishes them."""

    base_url: str  #: e.g. ``http://127.0.0.1:8000`` (no trailing slash)
    license: str
    publisher: str

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_iri(XSD + "integer"))


def _t(s: str | ox.NamedNode | ox.BlankNode, p: str, o: object) -> ox.Triple:
    subject = _iri(s) if isinstance(s, str) else s
    obj = o if isinstance(o, ox.NamedNode | ox.Literal | ox.BlankNode) else ox.Literal(str(o))
    return ox.Triple(subject, _iri(p), obj)


def _count(engine: QueryEngine, sparql: str) -> int:
    rows = engine.query(sparql).rows
    return int(rows[0][0].value) if rows and rows[0][0] is not None else 0


def _scope(graph: str | None, pattern: str) -> str:
    return pattern if graph is None else f"GRAPH <{graph}> {{ {pattern} }}"


def subset_iri(graph: str) -> str:
    short = graph_short_name(graph)
    if short:
        return f"{DATASET}#{short}"
    return f"{DATASET}#graph-{hashlib.sha256(graph.encode()).hexdigest()[:12]}"


def uri_space(graph: str | None) -> str:
    return str(TG) if graph == str(ONTOLOGY_GRAPH) else str(TGID)


def statistics(engine: QueryEngine, graph: str | None) -> dict[str, int]:
    """VoID statistics of the union (``graph`` None) or of one named graph."""
    space = uri_space(graph)

    def distinct(var: str, pattern: str, extra: str = "") -> int:
        body = _scope(graph, pattern)
        return _count(engine, f"SELECT (COUNT(DISTINCT {var}) AS ?n) WHERE {{ {body} {extra} }}")

    return {
        "triples": (
            engine.union_triple_count() if graph is None else engine.triple_counts().get(graph, 0)
        ),
        "entities": distinct(
            "?s", "?s ?p ?o", f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}"))'
        ),
        "classes": distinct("?c", f"?s <{RDF}type> ?c"),
        "properties": distinct("?p", "?s ?p ?o"),
        "distinctSubjects": distinct("?s", "?s ?p ?o"),
        "distinctObjects": distinct("?o", "?s ?p ?o"),
    }


#: What an import's provenance graph says of it that a catalog repeats: source, licence, date.
IMPORT_FACTS = (
    DCTERMS + "source",
    DCTERMS + "license",
    "http://www.w3.org/ns/prov#generatedAtTime",
)


def import_facts(engine: QueryEngine, graph: str) -> list[tuple[str, object]]:
    """(predicate, value) of an imported graph from its provenance graph (none for the
    project's own graphs, which have no provenance graph)."""
    wanted = " ".join(f"<{p}>" for p in IMPORT_FACTS)
    rows = engine.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{graph}{PROVENANCE_SUFFIX}> {{ <{graph}> ?p ?o }} "
        f"VALUES ?p {{ {wanted} }} }} ORDER BY ?p ?o"
    ).rows
    return [(row[0].value, row[1]) for row in rows if row[0] is not None and row[1] is not None]


def linksets(engine: QueryEngine) -> list[tuple[str, str, str, int]]:
    """(target namespace, title, predicate, triples) for each external target linked to."""
    found = []
    for namespace in TARGETS:
        values = " ".join(f"<{p}>" for p in LINK_PREDICATES)
        rows = engine.query(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ "
            f"VALUES ?p {{ {values} }} ?s ?p ?o . "
            f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{namespace}") '
            f'&& STRSTARTS(STR(?s), "https://w3id.org/treatygraph/")) }} }} '
            f"GROUP BY ?p ORDER BY ?p"
        ).rows
        for predicate, n in rows:
            found.append((namespace, TARGETS[namespace][1], predicate.value, int(n.value)))
    return found


def example_resources(engine: QueryEngine) -> list[str]:
    out = []
    for cls in EXAMPLE_CLASSES:
        rows = engine.query(
            f"SELECT ?s WHERE {{ ?s a <{cls}> FILTER(isIRI(?s)) }} ORDER BY ?s LIMIT 1"
        ).rows
        out += [row[0].value for row in rows]
    return out


def vocabularies(engine: QueryEngine) -> list[str]:
    """Namespaces of the properties and classes the data (not the ontology) uses."""
    rows = engine.query(
        "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } "
        f"FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?x ?y }} }} }}"
    ).rows
    spaces = set()
    for (term,) in rows:
        iri = term.value
        cut = max(iri.rfind("#"), iri.rfind("/"))
        spaces.add(iri[: cut + 1])
    return sorted(spaces)


def void(engine: QueryEngine, site: Site, specs: Sequence[DumpSpec]) -> list[ox.Triple]:
    """The VoID description of the dataset, its subsets and its linksets."""
    ds = DATASET
    triples = [
        _t(ds, RDF + "type", _iri(VOID + "Dataset")),
        _t(ds, DCTERMS + "title", TITLE),
        _t(ds, DCTERMS + "description", DESCRIPTION),
        _t(ds, DCTERMS + "license", _iri(site.license)),
        _t(ds, DCTERMS + "publisher", PUBLISHER),
        _t(ds, FOAF + "homepage", _iri(site.url("/"))),
        _t(ds, VOID + "sparqlEndpoint", _iri(site.url("/sparql"))),
        _t(ds, VOID + "uriSpace", str(TGID)),
        _t(ds, VOID + "rootResource", _iri(site.url("/browse"))),
        _t(ds, RDFS + "seeAlso", _iri(site.url("/catalog"))),
    ]
    triples += _publisher_triples(site)
    triples += [_t(ds, VOID + "vocabulary", _iri(v)) for v in vocabularies(engine)]
    triples += [_t(ds, VOID + "exampleResource", _iri(r)) for r in example_resources(engine)]
    for key, value in statistics(engine, None).items():
        triples.append(_t(ds, VOID + key, _int(value)))
    for spec in specs:
        if spec.graph is None:
            triples.append(_t(ds, VOID + "dataDump", _iri(site.url(f"/dumps/{spec.filename}"))))
    for graph in engine.graph_names():
        sub = subset_iri(graph)
        triples += [
            _t(ds, VOID + "subset", _iri(sub)),
            _t(sub, RDF + "type", _iri(VOID + "Dataset")),
            _t(sub, DCTERMS + "title", f"{TITLE}: graph <{graph}>"),
            _t(sub, RDFS + "seeAlso", _iri(graph)),
            _t(sub, VOID + "sparqlEndpoint", _iri(site.url("/sparql"))),
            _t(sub, VOID + "uriSpace", uri_space(graph)),
        ]
        if graph == str(ONTOLOGY_GRAPH):
            triples.append(_t(sub, VOID + "vocabulary", _iri(str(TG))))
            triples.append(_t(sub, VOID + "rootResource", _iri(ONTOLOGY_IRI)))
        for key, value in statistics(engine, graph).items():
            triples.append(_t(sub, VOID + key, _int(value)))
        triples += [_t(sub, p, o) for p, o in import_facts(engine, graph)]
        for spec in specs:
            if spec.graph == graph:
                triples.append(
                    _t(sub, VOID + "dataDump", _iri(site.url(f"/dumps/{spec.filename}")))
                )
    for namespace, title, predicate, n in linksets(engine):
        fragment, _, target_iri = TARGETS[namespace]
        local = predicate.rsplit("#", 1)[-1]
        ls = f"{DATASET}#links-{fragment}-{local}"
        triples += [
            _t(ds, VOID + "subset", _iri(ls)),
            _t(ls, RDF + "type", _iri(VOID + "Linkset")),
            _t(ls, DCTERMS + "title", f"{local} links to {title}"),
            _t(ls, VOID + "subjectsTarget", _iri(ds)),
            _t(ls, VOID + "objectsTarget", _iri(target_iri)),
            _t(ls, VOID + "target", _iri(ds)),
            _t(ls, VOID + "target", _iri(target_iri)),
            _t(ls, VOID + "linkPredicate", _iri(predicate)),
            _t(ls, VOID + "triples", _int(n)),
            _t(target_iri, RDF + "type", _iri(VOID + "Dataset")),
            _t(target_iri, DCTERMS + "title", title),
            _t(target_iri, VOID + "uriSpace", namespace),
        ]
    return triples


def _publisher_triples(site: Site) -> list[ox.Triple]:
    """The publisher (DATASET_PUBLISHER) as a foaf:Agent, as DCAT and VoID expect."""
    return [
        _t(PUBLISHER, RDF + "type", _iri(FOAF + "Agent")),
        _t(PUBLISHER, FOAF + "name", site.publisher),
    ]


def media_type_iri(media_type: str) -> ox.NamedNode:
    return _iri(IANA + media_type)


def dcat(engine: QueryEngine, site: Site, specs: Sequence[DumpSpec]) -> list[ox.Triple]:
    """The DCAT catalog: the dataset, one distribution per dump, the SPARQL service."""
    service = f"{CATALOG}#sparql"
    triples = [
        _t(CATALOG, RDF + "type", _iri(DCAT + "Catalog")),
        _t(CATALOG, DCTERMS + "title", f"{TITLE} catalog"),
        _t(CATALOG, DCTERMS + "publisher", PUBLISHER),
        _t(CATALOG, DCTERMS + "license", _iri(site.license)),
        _t(CATALOG, FOAF + "homepage", _iri(site.url("/"))),
        _t(CATALOG, DCAT + "dataset", _iri(DATASET)),
        _t(CATALOG, DCAT + "service", _iri(service)),
        _t(DATASET, RDF + "type", _iri(DCAT + "Dataset")),
        _t(DATASET, DCTERMS + "title", TITLE),
        _t(DATASET, DCTERMS + "description", DESCRIPTION),
        _t(DATASET, DCTERMS + "license", _iri(site.license)),
        _t(DATASET, DCTERMS + "publisher", PUBLISHER),
        _t(DATASET, DCAT + "landingPage", _iri(site.url("/browse"))),
        _t(DATASET, RDFS + "seeAlso", _iri(site.url("/.well-known/void"))),
        _t(service, RDF + "type", _iri(DCAT + "DataService")),
        _t(service, DCTERMS + "title", f"{TITLE} SPARQL 1.1 endpoint"),
        _t(service, DCAT + "endpointURL", _iri(site.url("/sparql"))),
        _t(service, DCAT + "endpointDescription", _iri(site.url("/sparql"))),
        _t(service, DCAT + "servesDataset", _iri(DATASET)),
        _t(service, DCTERMS + "conformsTo", _iri("https://www.w3.org/TR/sparql11-protocol/")),
        _t(service, DCTERMS + "license", _iri(site.license)),
    ]
    triples += _publisher_triples(site)
    counts = engine.triple_counts()
    facts = {g: import_facts(engine, g) for g in {s.graph for s in specs if s.graph is not None}}
    for spec in specs:
        dist = f"{CATALOG}#{spec.filename}"
        url = _iri(site.url(f"/dumps/{spec.filename}"))
        triples += [
            _t(DATASET, DCAT + "distribution", _iri(dist)),
            _t(dist, RDF + "type", _iri(DCAT + "Distribution")),
            _t(dist, DCTERMS + "title", f"{TITLE}: {spec.title}"),
            _t(dist, DCAT + "downloadURL", url),
            _t(dist, DCAT + "accessURL", url),
            _t(dist, DCAT + "mediaType", media_type_iri(spec.media_type)),
            _t(dist, DCTERMS + "license", _iri(site.license)),
        ]
        if spec.gzip:
            triples.append(_t(dist, DCAT + "compressFormat", media_type_iri("application/gzip")))
        if spec.graph is not None:
            triples.append(_t(dist, DCTERMS + "isPartOf", _iri(subset_iri(spec.graph))))
            triples.append(_t(dist, VOID + "triples", _int(counts.get(spec.graph, 0))))
            triples += [_t(dist, p, o) for p, o in facts[spec.graph]]
    return triples
