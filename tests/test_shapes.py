"""The SHACL shapes, tested UCO-style: every node shape has PASS and XFAIL fixtures.

Fixtures live in ``tests/shapes/<ShapeLocalName>/``. A ``pass-*.ttl`` file must produce no
validation result of any severity; a ``fail-*.ttl`` file must produce exactly the results listed
in its sibling ``fail-*.expected.tsv`` (one ``focus_node  result_path  source_shape  severity``
line per result, CURIEs, ``-`` for results without a path; ``#`` starts a comment). Results are
compared as a multiset, so two results with the same four columns are listed twice.

Validation mirrors ``treatygraph build``: the data graph is the fixture plus the ontology (so
``rdfs:subClassOf`` triples are there for ``sh:targetClass`` and ``sh:class``), pyshacl runs with
``inference='none'``.
"""

from __future__ import annotations

from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from treatygraph.build.validate import validate as validate_graph
from treatygraph.corpus.project import read_all

FIXTURES = Path(__file__).parent / "shapes"
PASS_FILES = sorted(FIXTURES.glob("*/pass-*.ttl"))
FAIL_FILES = sorted(FIXTURES.glob("*/fail-*.ttl"))

# CURIE prefixes of the expected-results files (no namespace here is a prefix of another).
CURIE_PREFIXES = {
    "tg": "https://w3id.org/treatygraph/ontology#",
    "tgid": "https://w3id.org/treatygraph/id/",
    "tgsh": "https://w3id.org/treatygraph/shapes#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "sh": str(SH),
    "unit": "http://qudt.org/vocab/unit/",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
}

ResultRow = tuple[str, str, str, str]


def curie(term: Node | None) -> str:
    """Shorten an IRI for the expected files; anything else is a test-data bug, said loudly."""
    if term is None:
        return "-"
    if not isinstance(term, URIRef):
        raise AssertionError(f"result term {term!r} is not an IRI; name the node in the fixture")
    for prefix, namespace in CURIE_PREFIXES.items():
        if term.startswith(namespace):
            return f"{prefix}:{term[len(namespace) :]}"
    return f"<{term}>"


def ident(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(scope="module")
def shapes(root: Path) -> Graph:
    """All shapes files, as the build reads them (shapes/*.ttl)."""
    return read_all(sorted((root / "shapes").glob("*.ttl")))


@pytest.fixture(scope="module")
def ontology(root: Path) -> Graph:
    """All ontology files, as the build reads them (ontology/*.ttl)."""
    return read_all(sorted((root / "ontology").glob("*.ttl")))


def run_shapes(fixture: Path, shapes: Graph, ontology: Graph) -> Counter[ResultRow]:
    """Validate one fixture the way the build does and return its results as rows."""
    report = validate_graph(Graph().parse(fixture, format="turtle"), shapes, ontology).graph
    rows: Counter[ResultRow] = Counter()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        rows[
            (
                curie(report.value(result, SH.focusNode)),
                curie(report.value(result, SH.resultPath)),
                curie(report.value(result, SH.sourceShape)),
                curie(report.value(result, SH.resultSeverity)),
            )
        ] += 1
    return rows


def read_expected(path: Path) -> Counter[ResultRow]:
    rows: Counter[ResultRow] = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        assert len(columns) == 4, f"{path}:{number}: expected 4 tab-separated columns"
        rows[(columns[0], columns[1], columns[2], columns[3])] += 1
    return rows


def describe(rows: Counter[ResultRow]) -> str:
    return "\n".join(f"  {n} x {'  '.join(row)}" for row, n in sorted(rows.items())) or "  (none)"


@pytest.mark.parametrize("fixture", PASS_FILES, ids=ident)
def test_pass_fixture_has_no_results(fixture: Path, shapes: Graph, ontology: Graph) -> None:
    got = run_shapes(fixture, shapes, ontology)
    assert not got, f"{ident(fixture)} should conform without warnings, got:\n{describe(got)}"


@pytest.mark.parametrize("fixture", FAIL_FILES, ids=ident)
def test_fail_fixture_gives_exactly_the_expected_results(
    fixture: Path, shapes: Graph, ontology: Graph
) -> None:
    expected_file = fixture.with_name(fixture.stem + ".expected.tsv")
    assert expected_file.is_file(), f"{ident(fixture)} has no {expected_file.name}"
    expected = read_expected(expected_file)
    assert expected, f"{expected_file.name} lists no results: an XFAIL fixture must fail"
    got = run_shapes(fixture, shapes, ontology)
    assert got == expected, (
        f"{ident(fixture)}\nmissing (expected, not reported):\n{describe(expected - got)}\n"
        f"unexpected (reported, not expected):\n{describe(got - expected)}"
    )


def node_shapes(shapes: Graph) -> set[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    blank = [s for s in found if isinstance(s, BNode)]
    assert not blank, "every node shape is named, so results cite it"
    return {s for s in found if isinstance(s, URIRef)}


def own_shapes(shapes: Graph, node_shape: URIRef) -> set[Node]:
    """The node shape and the property shapes it uses: the shapes its fixtures exercise."""
    return {node_shape, *shapes.objects(node_shape, SH.property)}


def test_every_node_shape_has_pass_and_fail_fixtures(shapes: Graph) -> None:
    names = {curie(s).removeprefix("tgsh:") for s in node_shapes(shapes)}
    missing = []
    for name in sorted(names):
        directory = FIXTURES / name
        if not list(directory.glob("pass-*.ttl")):
            missing.append(f"{name}: no pass-*.ttl")
        if not list(directory.glob("fail-*.ttl")):
            missing.append(f"{name}: no fail-*.ttl")
    assert not missing, "\n".join(missing)
    strays = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in names)
    assert not strays, f"fixture directories without a node shape: {strays}"


@pytest.mark.parametrize("fixture", FAIL_FILES, ids=ident)
def test_fail_fixture_exercises_its_own_shape(fixture: Path, shapes: Graph) -> None:
    node_shape = URIRef(CURIE_PREFIXES["tgsh"] + fixture.parent.name)
    own = {curie(s) for s in own_shapes(shapes, node_shape) if isinstance(s, URIRef)}
    listed = {row[2] for row in read_expected(fixture.with_name(fixture.stem + ".expected.tsv"))}
    assert own & listed, f"{ident(fixture)} expects no result from {curie(node_shape)}"


def test_every_node_shape_is_labelled_and_commented(shapes: Graph) -> None:
    bare = [
        curie(s)
        for s in sorted(node_shapes(shapes))
        if shapes.value(s, RDFS.label) is None or shapes.value(s, RDFS.comment) is None
    ]
    assert not bare, f"node shapes without rdfs:label or rdfs:comment: {bare}"


def test_every_property_shape_is_named_and_has_a_message(shapes: Graph) -> None:
    """Named property shapes make results cite a stable shape; the message says what to fix."""
    used = {o for o in shapes.objects(None, SH.property)}
    blank = [s for s in used if isinstance(s, BNode)]
    assert not blank, "sh:property values are named property shapes"
    silent = sorted(curie(s) for s in used if shapes.value(s, SH.message) is None)
    assert not silent, f"property shapes without sh:message: {silent}"


def test_shapes_graph_conforms_to_shacl_for_shacl(shapes: Graph) -> None:
    shacl_shacl = Graph().parse(
        str(files("pyshacl") / "assets" / "shacl-shacl.ttl"), format="turtle"
    )
    conforms, _, text = validate(shapes, shacl_graph=shacl_shacl, inference="none")
    assert conforms, text


def test_shapes_graph_header(shapes: Graph) -> None:
    header = URIRef("https://w3id.org/treatygraph/shapes")
    assert (header, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")) in shapes
    assert shapes.value(header, RDFS.label) is not None
    assert shapes.value(header, RDFS.comment) is not None
    imports = set(shapes.objects(header, URIRef("http://www.w3.org/2002/07/owl#imports")))
    assert URIRef("https://w3id.org/treatygraph/ontology") in imports


def test_shapes_only_use_terms_the_ontology_declares(shapes: Graph, ontology: Graph) -> None:
    """A misspelt tg: term in a shape would silently constrain nothing."""
    tg = CURIE_PREFIXES["tg"]
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and t.startswith(tg)}
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef)}
    undeclared = sorted(curie(t) for t in used - declared)
    assert not undeclared, f"tg: terms used in shapes but not declared: {undeclared}"
