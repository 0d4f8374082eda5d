"""Vocabulary hygiene: every term used is declared, every term of ours is documented and used
(or marked reserved), and a misspelt term of a reused vocabulary is caught."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    TIME,
    XSD,
    DefinedNamespace,
)

from treatygraph.build.compile import BuildResult
from treatygraph.corpus.project import Project, read_all
from treatygraph.rdf.iris import OA, TG, UNIT, VANN, WD, WDT

# Terms of the Web Annotation vocabulary (https://www.w3.org/TR/annotation-vocab/) we may use.
OA_TERMS = {
    "Annotation",
    "SpecificResource",
    "TextQuoteSelector",
    "TextPositionSelector",
    "Selector",
    "hasSource",
    "hasSelector",
    "hasTarget",
    "hasBody",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "motivatedBy",
    "describing",
    "identifying",
    "tagging",
    "linking",
}
UNIT_TERMS = {"MI", "KiloM"}
VANN_TERMS = {"preferredNamespacePrefix", "preferredNamespaceUri"}
CLOSED: list[type[DefinedNamespace]] = [
    RDF,
    RDFS,
    OWL,
    SH,
    XSD,
    SKOS,
    DCTERMS,
    PROV,
    ORG,
    SDO,
    TIME,
]
DECLARATIONS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    RDFS.Datatype,
    SKOS.ConceptScheme,
    OWL.Ontology,
}


def verified_wikidata(root: Path) -> set[str]:
    path = root.parent / "shared" / "data" / "wikidata-verified.tsv"
    if not path.is_file():
        pytest.skip(f"the verified Wikidata list is not at {path}")
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    return {r[1] for r in rows}


def undeclared(graph: Graph, ontology: Graph, wikidata: set[str]) -> set[str]:
    """Terms in predicate or class position that no vocabulary we use declares."""
    ours = {s for s, _, o in ontology.triples((None, RDF.type, None)) if o in DECLARATIONS}
    used = {p for p in graph.predicates()} | {o for o in graph.objects(None, RDF.type)}
    used |= {o for o in graph.objects() if isinstance(o, URIRef)}
    bad = set()
    for term in used:
        iri = str(term)
        if iri.startswith(str(TG)):
            ok = term in ours
        elif iri.startswith(str(OA)):
            ok = iri[len(str(OA)) :] in OA_TERMS
        elif iri.startswith(str(UNIT)):
            ok = iri[len(str(UNIT)) :] in UNIT_TERMS
        elif iri.startswith(str(VANN)):
            ok = iri[len(str(VANN)) :] in VANN_TERMS
        elif iri.startswith((str(WD), str(WDT))):
            ok = iri.rsplit("/", 1)[1] in wikidata
        else:
            spaces = [ns for ns in CLOSED if iri.startswith(str(ns))]
            ok = not spaces or any(term in ns for ns in spaces)
        if not ok:
            bad.add(iri)
    return bad


@pytest.fixture(scope="module")
def ontology(project: Project) -> Graph:
    return read_all(project.ontology_files)


@pytest.mark.parametrize("folder", ["graph", "shapes", "ontology"])
def test_every_term_used_is_declared(
    project: Project, ontology: Graph, root: Path, folder: str
) -> None:
    files = sorted((root / folder).rglob("*.ttl"))
    assert files, f"no Turtle files under {folder}/"
    assert undeclared(read_all(files), ontology, verified_wikidata(root)) == set()


def test_misspelt_terms_are_caught(ontology: Graph, root: Path) -> None:
    typos = Graph().parse(
        data="""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix tg: <https://w3id.org/treatygraph/ontology#> .
        @prefix wd: <http://www.wikidata.org/entity/> .
        <urn:x> rdfs:lable "x" ; rdf:tpye owl:Clas ; sh:minCont 1 ; tg:notATerm wd:Q1 .
        """,
        format="turtle",
    )
    expected = {
        "http://www.w3.org/2000/01/rdf-schema#lable",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#tpye",
        "http://www.w3.org/2002/07/owl#Clas",
        "http://www.w3.org/ns/shacl#minCont",
        "https://w3id.org/treatygraph/ontology#notATerm",
        "http://www.wikidata.org/entity/Q1",
    }
    assert undeclared(typos, ontology, verified_wikidata(root)) == expected


def test_every_ontology_term_is_labelled_and_commented(ontology: Graph) -> None:
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(TG))}
    assert len(terms) > 50
    missing = sorted(
        f"{t} lacks {p.fragment}"
        for t in terms
        for p in (RDFS.label, RDFS.comment)
        if len(list(ontology.objects(t, p))) != 1
    )
    assert missing == []


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef("https://w3id.org/treatygraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    for predicate in (
        OWL.versionIRI,
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.creator,
        DCTERMS.created,
        DCTERMS.modified,
    ):
        assert ontology.value(header, predicate) is not None, predicate


def unused_terms(ontology: Graph, data: Graph, shapes: Graph) -> set[str]:
    """Ontology terms of ours that neither data nor shapes use, and that are not reserved.

    A term counts as used when data or shapes mention it, or when it is the class or concept
    scheme of a used individual (``tg:Supports`` uses ``tg:Stance`` and ``tg:StanceScheme``), or
    the datatype range of a used property (``tg:date`` uses ``tg:PartialDate``).
    """
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(TG))}
    used = {t for triple in data for t in triple} | {t for triple in shapes for t in triple}
    for term in list(used):
        used |= set(ontology.objects(term, RDF.type)) | set(ontology.objects(term, SKOS.inScheme))
        if (term, RDF.type, OWL.DatatypeProperty) in ontology:
            used |= set(ontology.objects(term, RDFS.range))
    reserved = set(ontology.subjects(TG.reserved, None))
    if reserved:
        used.add(TG.reserved)
    return {str(t) for t in terms - used - reserved}


def test_every_ontology_term_is_used_or_reserved(
    ontology: Graph, project: Project, built: BuildResult
) -> None:
    shapes = read_all(project.shapes_files)
    assert unused_terms(ontology, built.data(), shapes) == set()
    # Each reserved term says what it is kept for.
    for term, why in ontology.subject_objects(TG.reserved):
        assert len(str(why)) > 20, term


def test_unused_terms_are_found(ontology: Graph, project: Project, built: BuildResult) -> None:
    """The check fails on a term no data uses: drop the triples that use tg:purpose."""
    data = Graph()
    for s, p, o in built.data():
        if p != TG.purpose:
            data.add((s, p, o))
    shapes = read_all(project.shapes_files)
    shapes_without = Graph()
    for s, p, o in shapes:
        if TG.purpose not in (s, p, o):
            shapes_without.add((s, p, o))
    assert unused_terms(ontology, data, shapes_without) == {str(TG.purpose)}
