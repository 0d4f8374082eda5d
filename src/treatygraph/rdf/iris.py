"""The project's namespaces and IRI rules, defined once so no module spells an IRI by hand."""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

TG = Namespace("https://w3id.org/treatygraph/ontology#")
TGID = Namespace("https://w3id.org/treatygraph/id/")
TGG = Namespace("https://w3id.org/treatygraph/graph/")
TGSH = Namespace("https://w3id.org/treatygraph/shapes#")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
VANN = Namespace("http://purl.org/vocab/vann/")
VOID = Namespace("http://rdfs.org/ns/void#")
TIME = Namespace("http://www.w3.org/2006/time#")

ONTOLOGY_IRI = "https://w3id.org/treatygraph/ontology"

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: Prefixes bound on every graph we serialise, so output reads the same everywhere.
PREFIXES = {
    "tg": TG,
    "tgid": TGID,
    "tgg": TGG,
    "tgsh": TGSH,
    "oa": OA,
    "org": ORG,
    "prov": PROV,
    "schema": SCHEMA,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "sh": SH,
    "xsd": XSD,
    "wd": WD,
    "wdt": WDT,
    "unit": UNIT,
    "vann": VANN,
    "void": VOID,
    "time": TIME,
}


def graph_iri(name: str) -> URIRef:
    """The IRI of the named graph called ``name``: the one place graph IRIs are spelled.

    Which graphs exist is data: the project's folders and document records
    (:meth:`treatygraph.corpus.project.Project.graph_names`), and imported datasets.
    """
    return TGG[name]


def graph_name(iri: str) -> str | None:
    """The short name of one of our named graphs (``graph_iri``'s inverse), else None."""
    if not iri.startswith(str(TGG)):
        return None
    name = iri[len(str(TGG)) :]
    return name if SLUG_RE.match(name) else None


#: The graph of the ontology (``ontology/*.ttl``), the one graph every dataset of ours has.
ONTOLOGY_GRAPH = graph_iri("ontology")
#: Where every graph name starts (for code that maps graph IRIs to local paths).
GRAPH_BASE = str(TGG)


def slug_of(iri: str) -> str | None:
    """Return the slug of a resource IRI, or None when the IRI is not one of ours."""
    if not iri.startswith(str(TGID)):
        return None
    return iri[len(str(TGID)) :]
