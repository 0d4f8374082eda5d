"""The published JSON-LD ``@context``: plain words for the graph's terms.

Generated from the ontology (so it cannot drift from it) plus a fixed block for the
other vocabularies the graph uses. ``@vocab`` is the ontology namespace, so classes and
the ontology's individuals read as plain words too (``"type": "Position"``,
``"stance": "Supports"``). Every ``tg:`` object property is coerced to ``@id`` (or
``@vocab`` when its range is one of the ontology's enumerations, e.g. ``tg:Stance``);
datatype properties with a single non-string XSD range are coerced to it. Served at
``/context.jsonld``; JSON-LD bodies name it by URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from treatygraph.rdf.iris import PREFIXES, TG

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_RANGE = "http://www.w3.org/2000/01/rdf-schema#range"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: The published context IRI (w3id redirects to the server's /context.jsonld).
CONTEXT_IRI = "https://w3id.org/treatygraph/context.jsonld"

#: Terms outside the ontology namespace, as (key, IRI, coercion or None).
FIXED_TERMS: tuple[tuple[str, str, str | None], ...] = (
    ("label", "http://www.w3.org/2000/01/rdf-schema#label", None),
    ("comment", "http://www.w3.org/2000/01/rdf-schema#comment", None),
    ("seeAlso", "http://www.w3.org/2000/01/rdf-schema#seeAlso", "@id"),
    ("altLabel", "http://www.w3.org/2004/02/skos/core#altLabel", None),
    ("exactMatch", "http://www.w3.org/2004/02/skos/core#exactMatch", "@id"),
    ("closeMatch", "http://www.w3.org/2004/02/skos/core#closeMatch", "@id"),
    ("broader", "http://www.w3.org/2004/02/skos/core#broader", "@id"),
    ("sameAs", "http://www.w3.org/2002/07/owl#sameAs", "@id"),
    ("exact", "http://www.w3.org/ns/oa#exact", None),
    ("prefix", "http://www.w3.org/ns/oa#prefix", None),
    ("suffix", "http://www.w3.org/ns/oa#suffix", None),
    ("start", "http://www.w3.org/ns/oa#start", XSD + "nonNegativeInteger"),
    ("end", "http://www.w3.org/ns/oa#end", XSD + "nonNegativeInteger"),
    ("hasSelector", "http://www.w3.org/ns/oa#hasSelector", "@id"),
    ("hasSource", "http://www.w3.org/ns/oa#hasSource", "@id"),
    ("title", "http://purl.org/dc/terms/title", None),
    ("creator", "http://purl.org/dc/terms/creator", "@id"),
    ("publisher", "http://purl.org/dc/terms/publisher", "@id"),
    ("issued", "http://purl.org/dc/terms/issued", None),
    ("language", "http://purl.org/dc/terms/language", None),
    ("isPartOf", "http://purl.org/dc/terms/isPartOf", "@id"),
    ("source", "http://purl.org/dc/terms/source", None),
    ("wasDerivedFrom", "http://www.w3.org/ns/prov#wasDerivedFrom", "@id"),
    ("generated", "http://www.w3.org/ns/prov#generated", "@id"),
    ("url", "https://schema.org/url", "@id"),
    ("alternativeHeadline", "https://schema.org/alternativeHeadline", None),
)

EXTRA_PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
}


def build_context(ontology_triples: Iterable[Any]) -> dict[str, Any]:
    """The context as a JSON object (without the outer ``{"@context": ...}``).

    ``ontology_triples`` are (subject, predicate, object) triples with ``.value``-bearing
    terms (pyoxigraph) of the ontology graph; without them the context has only the
    fixed terms and ``@vocab``.
    """
    kinds: dict[str, str] = {}
    ranges: dict[str, set[str]] = {}
    typed: dict[str, set[str]] = {}  # class IRI -> its instances declared in the ontology
    for t in ontology_triples:
        s, p, o = t.subject, t.predicate, t.object
        if not hasattr(s, "value") or type(s).__name__ == "BlankNode":
            continue
        if p.value == RDF_TYPE and type(o).__name__ == "NamedNode":
            if o.value in (OWL + "ObjectProperty", OWL + "DatatypeProperty"):
                kinds[s.value] = o.value
            typed.setdefault(o.value, set()).add(s.value)
        elif p.value == RDFS_RANGE and type(o).__name__ == "NamedNode":
            ranges.setdefault(s.value, set()).add(o.value)

    ns = str(TG)
    context: dict[str, Any] = {"@vocab": ns, "id": "@id", "type": "@type"}
    for name, iri in sorted(PREFIXES.items()):
        context[name] = str(iri)
    context.update(EXTRA_PREFIXES)
    for key, iri, coercion in FIXED_TERMS:
        context[key] = {"@id": iri, "@type": coercion} if coercion else {"@id": iri}
    for prop in sorted(kinds):
        if not prop.startswith(ns):
            continue
        key = prop[len(ns) :]
        definition: dict[str, str] = {"@id": "tg:" + key}
        prop_ranges = ranges.get(prop, set())
        if kinds[prop] == OWL + "ObjectProperty":
            enumerated = prop_ranges and all(
                any(i.startswith(ns) for i in typed.get(r, ())) for r in prop_ranges
            )
            definition["@type"] = "@vocab" if enumerated else "@id"
        elif len(prop_ranges) == 1:
            (rng,) = prop_ranges
            if rng.startswith(XSD) and rng != XSD + "string":
                definition["@type"] = rng
        context[key] = definition  # ontology terms win over the fixed ones
    return context


def context_document(context: dict[str, Any]) -> dict[str, Any]:
    """The body served at /context.jsonld."""
    return {"@context": context}
