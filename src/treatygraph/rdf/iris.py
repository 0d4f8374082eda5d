"""The project's namespaces and IRI rules, defined once so no module spells an IRI by hand."""

from __future__ import annotations

import re

from rdflib import Namespace
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

#: Named graphs of the dataset, by short name.
GRAPHS = {
    "article": TGG.article,
    "background": TGG.background,
    "ontology": TGG.ontology,
    "alignments": TGG.alignments,
}

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


def slug_of(iri: str) -> str | None:
    """Return the slug of a resource IRI, or None when the IRI is not one of ours."""
    if not iri.startswith(str(TGID)):
        return None
    return iri[len(str(TGID)) :]
