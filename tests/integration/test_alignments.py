"""Identity links to Wikidata: exactly the verified items that exist in our graph, with evidence."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from treatygraph.build.compile import BuildResult, compile_graphs
from treatygraph.corpus.project import Project, read_all
from treatygraph.integration.alignments import KIND_CLASSES, WIKIDATA_FILE, read_verified
from treatygraph.integration.reconcile import RECONCILED_FILE
from treatygraph.rdf.iris import SCHEMA, TGID, WD

from .conftest import tg

#: Checked by hand: each verified row (state, person, organisation, office, continent) against
#: the labels and classes in the documents' graphs. Verified items absent from the graph: European
#: Union, Barack Obama (only the "Obama administration" is in the Vox article), and the two Soviet
#: offices (our tgid:soviet-leader is the article's loose "Soviet leader", not either office).
#: NATO is the White House statement's (tgid:nato, a tg:Alliance).
EXPECTED = {
    "china": "Q148",  # "People's Republic of China" (needs that skos:altLabel on tgid:china)
    "donald-trump": "Q22686",
    "europe": "Q46",
    "german-foreign-minister": "Q568605",  # altLabel "Federal Minister for Foreign Affairs ..."
    "germany": "Q183",
    "heiko-maas": "Q108447",
    "iran": "Q794",
    "japan": "Q17",
    "mikhail-gorbachev": "Q30487",
    "mit": "Q49108",  # altLabel "Massachusetts Institute of Technology"
    "nato": "Q7184",  # label "NATO", in the CFE statement's graph
    "pentagon": "Q11209",  # altLabel "United States Department of Defense"
    "philippines": "Q928",
    "president-of-the-united-states": "Q11696",
    "ronald-reagan": "Q9960",
    "russia": "Q159",
    "soviet-union": "Q15180",
    "united-states": "Q30",  # "United States of America" (needs that altLabel)
    "vladimir-putin": "Q7747",
}
IDENTITY = (SKOS.exactMatch, OWL.sameAs, SCHEMA.sameAs)


def identity_links(graph: Graph) -> set[tuple[str, str]]:
    """(our slug, QID) for every identity statement from one of ours to a Wikidata item."""
    found = set()
    for predicate in IDENTITY:
        for ours, item in graph.subject_objects(predicate):
            if str(ours).startswith(str(TGID)) and str(item).startswith(str(WD)):
                found.add((str(ours)[len(str(TGID)) :], str(item)[len(str(WD)) :]))
    return found


@pytest.fixture(scope="module")
def project_graph(project: Project) -> Graph:
    """Every source graph of the checkout (documents, background, alignments), merged."""
    graph = Graph()
    for name in (*project.document_names(), "background", "alignments"):
        graph += read_all(project.graph_files(name))
    return graph


def reviewed_links(root: Path) -> set[tuple[str, str]]:
    """Links a person accepted through `reconcile` are not from the verified list."""
    path = root / RECONCILED_FILE
    return identity_links(read_all([path])) if path.is_file() else set()


def test_links_are_exactly_the_verified_items_in_our_graph(
    project_graph: Graph, root: Path
) -> None:
    links = identity_links(project_graph) - reviewed_links(root)
    expected = set(EXPECTED.items())
    assert links - expected == set(), "links to items that are not verified for that resource"
    missing = expected - links
    assert missing == set(), (
        f"verified items in our graph without their link: {sorted(missing)}; check the labels "
        "and run `treatygraph link`"
    )


def test_every_verified_name_in_the_graph_is_linked(
    project_graph: Graph, project: Project, verified_list: Path
) -> None:
    """Derived from the shared list itself: a resource of the right class with the item's name
    as label or altLabel carries that item; no other resource carries any verified item."""
    ontology = read_all(project.ontology_files)
    links = identity_links(project_graph)
    for item in read_verified(verified_list):
        if item.kind not in KIND_CLASSES:
            continue
        named = {
            s
            for p in (RDFS.label, SKOS.altLabel)
            for s, o in project_graph.subject_objects(p)
            if str(o) == item.name and str(s).startswith(str(TGID))
        }
        classes = set(ontology.transitive_subjects(RDFS.subClassOf, KIND_CLASSES[item.kind]))
        typed = {s for s in named if set(project_graph.objects(s, RDF.type)) & classes}
        carriers = {slug for slug, qid in links if qid == item.qid}
        assert carriers == {str(s)[len(str(TGID)) :] for s in typed}, item


def test_the_committed_file_is_what_link_writes(root: Path, verified_list: Path) -> None:
    assert (root / WIKIDATA_FILE).is_file()
    assert tg("--root", root, "link", "--verified", verified_list, "--check") == 0


def test_link_is_deterministic_and_reports_what_it_leaves_out(
    checkout: Path, verified_list: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = checkout / WIKIDATA_FILE
    assert (
        tg("--root", checkout, "link", "--verified", verified_list, "--created", "2020-01-01") == 0
    )
    first = out.read_bytes()
    assert tg("--root", checkout, "link", "--verified", verified_list) == 0  # keeps the date
    assert out.read_bytes() == first
    assert b'dcterms:created "2020-01-01"^^xsd:date' in first
    err = capsys.readouterr().err
    assert "'European Union' (organisation, wd:Q458): no resource has this label" in err


def test_a_label_on_a_resource_of_another_class_is_not_linked(
    checkout: Path, verified_list: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (checkout / "graph" / "vox-inf-article" / "zz-decoy.ttl").write_text(
        "@prefix tg: <https://w3id.org/treatygraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/treatygraph/id/european-union-city> a tg:City ; "
        'rdfs:label "European Union" .\n',
        encoding="utf-8",
    )
    assert tg("--root", checkout, "link", "--verified", verified_list) == 0
    err = capsys.readouterr().err
    assert "tgid:european-union-city has the label but is not a tg:Organization" in err
    graph = read_all([checkout / WIKIDATA_FILE])
    assert (URIRef(TGID["european-union-city"]), SKOS.exactMatch, WD.Q458) not in graph


def test_each_link_keeps_its_evidence_in_sparql(pristine: Path) -> None:
    """The provenance is queryable: one reified statement per link, with the list's evidence."""
    store = ox.Store()
    store.load(
        BuildResult(graphs=compile_graphs(Project(pristine))).nquads(), format=ox.RdfFormat.N_QUADS
    )
    rows = list(
        store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?ours ?item ?evidence ?sha WHERE {
          GRAPH <https://w3id.org/treatygraph/graph/alignments> {
            ?ours skos:exactMatch ?item .
            ?link rdf:subject ?ours ; rdf:predicate skos:exactMatch ; rdf:object ?item ;
                  dcterms:description ?evidence ; prov:wasDerivedFrom ?list .
            ?list spdx:checksum/spdx:checksumValue ?sha .
          }
        }""")
    )
    found = {(r["ours"].value, r["item"].value): r["evidence"].value for r in rows}
    assert len(found) == len(rows) >= 10
    assert found[(str(TGID.russia), str(WD.Q159))] == "country lists generated from Wikidata"
    assert all(len(r["sha"].value) == 64 for r in rows)
