"""HTML documentation generated from the ontology itself, so the docs cannot drift from it.

The same renderer backs ``treatygraph docs`` and the page served at the ontology IRI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, select_autoescape
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from rdflib.term import Node

from treatygraph.rdf.iris import ONTOLOGY_IRI, PREFIXES, TG

#: Sections of the page: (title, the rdf:type that puts a term there).
SECTIONS = [
    ("Classes", OWL.Class),
    ("Object properties", OWL.ObjectProperty),
    ("Datatype properties", OWL.DatatypeProperty),
    ("Annotation properties", OWL.AnnotationProperty),
    ("Datatypes", RDFS.Datatype),
    ("Named individuals", OWL.NamedIndividual),
]
RELATIONS = [
    ("Subclass of", RDFS.subClassOf),
    ("Equivalent to", OWL.equivalentClass),
    ("Disjoint with", OWL.disjointWith),
    ("Subproperty of", RDFS.subPropertyOf),
    ("Equivalent property", OWL.equivalentProperty),
    ("Inverse of", OWL.inverseOf),
    ("Domain", RDFS.domain),
    ("Range", RDFS.range),
    ("Type", RDF.type),
]


@dataclass
class Term:
    """One documented term: its local name, label, comment and relations."""

    iri: str
    name: str
    label: str
    comment: str
    relations: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def _link(graph: Graph, node: Node) -> tuple[str, str]:
    """(text, href) for a related node; our own terms link within the page."""
    if isinstance(node, URIRef):
        iri = str(node)
        if iri.startswith(str(TG)):
            return iri[len(str(TG)) :], "#" + iri[len(str(TG)) :]
        try:
            return graph.namespace_manager.normalizeUri(node), iri
        except ValueError:
            return iri, iri
    members = graph.value(node, OWL.unionOf)
    if members is not None:
        from rdflib.collection import Collection

        names = [_link(graph, m)[0] for m in Collection(graph, members)]
        return "one of: " + ", ".join(names), ""
    return "(anonymous class expression)", ""


def collect(graph: Graph) -> list[tuple[str, list[Term]]]:
    """Group the ontology's own terms by kind, sorted by local name."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    sections = []
    seen: set[str] = set()
    for title, kind in SECTIONS:
        terms = []
        for subject in sorted(set(graph.subjects(RDF.type, kind)), key=str):
            iri = str(subject)
            if not iri.startswith(str(TG)) or iri in seen:
                continue
            seen.add(iri)
            term = Term(
                iri=iri,
                name=iri[len(str(TG)) :],
                label=str(graph.value(subject, RDFS.label) or ""),
                comment=str(graph.value(subject, RDFS.comment) or ""),
            )
            for heading, predicate in RELATIONS:
                targets = sorted(
                    _link(graph, o)
                    for o in graph.objects(subject, predicate)
                    if not (predicate == RDF.type and o in (kind, OWL.NamedIndividual))
                )
                if targets:
                    term.relations.append((heading, targets))
            terms.append(term)
        sections.append((title, terms))
    return sections


def render_html(graph: Graph) -> str:
    """The whole documentation page for an ontology graph."""
    env = Environment(
        loader=PackageLoader("treatygraph", "templates"), autoescape=select_autoescape()
    )
    ontology = URIRef(ONTOLOGY_IRI)
    header = {
        "iri": ONTOLOGY_IRI,
        "title": str(graph.value(ontology, DCTERMS.title) or "treatygraph ontology"),
        "description": str(graph.value(ontology, DCTERMS.description) or ""),
        "version": str(graph.value(ontology, OWL.versionIRI) or ""),
        "license": str(graph.value(ontology, DCTERMS.license) or ""),
        "created": str(graph.value(ontology, DCTERMS.created) or ""),
        "modified": str(graph.value(ontology, DCTERMS.modified) or ""),
    }
    template = env.get_template("ontology.html")
    return template.render(header=header, sections=collect(graph))
