"""OWL 2 RL consistency of the ontology with the PASS shape fixtures.

The owlrl closure (``OWLRL_Semantics``) of the ontology plus valid instance data must contain no
instance of ``owl:Nothing``, no individual in two classes declared disjoint (``owl:disjointWith``
or ``owl:AllDisjointClasses``) and no owlrl error message. The check itself is tested against data
built to be inconsistent, so a silent checker cannot pass.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

FIXTURES = Path(__file__).parent / "shapes"
PASS_FILES = sorted(FIXTURES.glob("*/pass-*.ttl"))

TG = Namespace("https://w3id.org/treatygraph/ontology#")
TGID = Namespace("https://w3id.org/treatygraph/id/")
# owlrl records inconsistencies as [] a err:ErrorMessage ; err:error "..." in the closure.
OWLRL_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

Finding = tuple[Node | None, str]


@pytest.fixture(scope="module")
def ontology(root: Path) -> Graph:
    return Graph().parse(root / "ontology" / "treatygraph.ttl", format="turtle")


def closure(ontology: Graph, data: Graph) -> Graph:
    """The OWL 2 RL deductive closure of ontology + data (a new graph; inputs untouched)."""
    graph = Graph()
    graph += ontology
    graph += data
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def disjoint_pairs(graph: Graph) -> set[tuple[Node, Node]]:
    """Every pair of classes declared disjoint, pairwise for owl:AllDisjointClasses."""
    pairs = {(a, b) for a, b in graph.subject_objects(OWL.disjointWith) if a != b}
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(axiom, OWL.members)
        if members is not None:
            pairs.update(combinations(Collection(graph, members), 2))
    return pairs


def inconsistencies(graph: Graph) -> list[Finding]:
    """What makes a closed graph inconsistent: owlrl errors, owl:Nothing, disjointness clashes."""
    findings: list[Finding] = [(None, f"owlrl: {m}") for m in graph.objects(None, OWLRL_ERR.error)]
    findings += [(x, "instance of owl:Nothing") for x in graph.subjects(RDF.type, OWL.Nothing)]
    for a, b in sorted(disjoint_pairs(graph)):
        common = set(graph.subjects(RDF.type, a)) & set(graph.subjects(RDF.type, b))
        findings += [(x, f"instance of disjoint classes {a} and {b}") for x in sorted(common)]
    return findings


def report(findings: list[Finding]) -> str:
    return "\n".join(f"  {node}: {why}" for node, why in findings)


def ident(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_pass_fixtures_are_consistent(ontology: Graph) -> None:
    """All PASS fixtures in one closure: OWL 2 RL is monotonic, so a clash inside any single
    fixture shows up here too, and so do clashes between fixtures that reuse an IRI."""
    data = Graph()
    sources: dict[Node, set[str]] = {}
    for fixture in PASS_FILES:
        part = Graph().parse(fixture, format="turtle")
        for subject in part.subjects():
            sources.setdefault(subject, set()).add(ident(fixture))
        data += part
    findings = inconsistencies(closure(ontology, data))
    where = "\n".join(
        f"  {node}: in {sorted(sources.get(node, ()))}" for node, _ in findings if node is not None
    )
    assert not findings, f"PASS fixtures are OWL 2 RL inconsistent:\n{report(findings)}\n{where}"


def test_ontology_declares_the_spec_disjointness(ontology: Graph) -> None:
    pairs = {frozenset(p) for p in disjoint_pairs(ontology)}
    assert frozenset((TG.Treaty, TG.PoliticalAgreement)) in pairs
    assert frozenset((TG.Prohibition, TG.Permission)) in pairs


def test_check_detects_every_disjointness_axiom(ontology: Graph) -> None:
    """One individual per disjoint pair, typed with both classes: each must be reported."""
    pairs = sorted(disjoint_pairs(ontology))
    assert pairs, "the ontology declares no disjoint classes, so nothing can clash"
    data = Graph()
    planted = {}
    for number, (a, b) in enumerate(pairs):
        individual = TGID[f"clash-{number}"]
        data.add((individual, RDF.type, a))
        data.add((individual, RDF.type, b))
        planted[individual] = (a, b)
    flagged = {node for node, _ in inconsistencies(closure(ontology, data))}
    missed = [f"{x} ({a} / {b})" for x, (a, b) in planted.items() if x not in flagged]
    assert not missed, "clashes not detected:\n" + "\n".join(missed)


def test_check_detects_the_treaty_and_political_agreement_clash(ontology: Graph) -> None:
    data = Graph()
    data.add((TGID["inf-treaty"], RDF.type, TG.Treaty))
    data.add((TGID["inf-treaty"], RDF.type, TG.PoliticalAgreement))
    flagged = {node for node, _ in inconsistencies(closure(ontology, data))}
    assert TGID["inf-treaty"] in flagged


def test_check_detects_a_clash_reached_by_inference(ontology: Graph) -> None:
    """A clash owlrl must derive first: a property's rdfs:domain types the subject."""
    pairs = disjoint_pairs(ontology)
    for prop, domain in sorted(ontology.subject_objects(RDFS.domain)):
        other = next((b for a, b in sorted(pairs) if a == domain), None)
        if other is None or not isinstance(prop, URIRef):
            continue
        value: Node = (
            Literal("x")
            if (prop, RDF.type, OWL.DatatypeProperty) in ontology
            else TGID["inferred-clash-value"]
        )
        individual = TGID["inferred-clash"]
        data = Graph()
        data.add((individual, RDF.type, other))
        data.add((individual, prop, value))
        flagged = {node for node, _ in inconsistencies(closure(ontology, data))}
        assert individual in flagged, f"{prop} (domain {domain}) on a {other} went unnoticed"
        return
    pytest.skip("no property has a domain that is declared disjoint with another class")


def test_check_detects_owl_nothing_and_owlrl_errors(ontology: Graph) -> None:
    data = Graph()
    data.add((TGID["nothing"], RDF.type, OWL.Nothing))
    # eq-diff1: the same pair both owl:sameAs and owl:differentFrom; only owlrl reports it.
    data.add((TGID["a"], OWL.sameAs, TGID["b"]))
    data.add((TGID["a"], OWL.differentFrom, TGID["b"]))
    findings = inconsistencies(closure(ontology, data))
    assert (TGID["nothing"], "instance of owl:Nothing") in findings
    assert any(node is None and why.startswith("owlrl: ") for node, why in findings), findings
