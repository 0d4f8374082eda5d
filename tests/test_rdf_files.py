"""Every Turtle file in the repository parses with both rdflib and pyoxigraph."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from treatygraph.rdf.io import RDFSyntaxError, add_file, from_rdflib, read_named_graphs

ROOT = Path(__file__).resolve().parents[1]


def turtle_files() -> list[Path]:
    """Tracked and untracked-but-not-ignored .ttl files, as a fresh clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.ttl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # Fixtures named *broken-syntax* are malformed on purpose (the CLI's exit-code-2 case).
    return sorted(ROOT / name for name in listed if "broken-syntax" not in name)


TTL = turtle_files()


def test_there_are_turtle_files() -> None:
    names = {p.relative_to(ROOT).parts[0] for p in TTL}
    assert {"ontology", "shapes", "graph", "tests"} <= names


@pytest.mark.parametrize("path", TTL, ids=[str(p.relative_to(ROOT)) for p in TTL])
def test_parses_with_both_engines(path: Path) -> None:
    graph = rdflib.Graph().parse(path, format="turtle")
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    assert len(graph) == len(set(quads))
    # read_all parses with pyoxigraph and builds the rdflib graph itself: the graph rdflib's
    # own parser makes
    ours = add_file(rdflib.Graph(), path)
    assert len(ours) == len(graph)
    assert _canonical(ours) == _canonical(graph), _differences(ours, graph)


def _canonical(graph: rdflib.Graph) -> set[ox.Quad]:
    """The graph canonicalised (W3C RDFC-1.0) by pyoxigraph: equal sets, isomorphic graphs
    (rdflib.compare takes seconds where this takes milliseconds)."""
    dataset = ox.Dataset(
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), ox.DefaultGraph())
        for s, p, o in graph
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def _differences(ours: rdflib.Graph, theirs: rdflib.Graph) -> tuple[list[str], list[str]]:
    """A few triples only one side holds (blank nodes differ by label: compared canonically)."""
    a, b = _canonical(ours), _canonical(theirs)
    return sorted(map(str, a - b))[:5], sorted(map(str, b - a))[:5]


def test_the_fast_reader_reads_every_kind_of_term(tmp_path: Path) -> None:
    """Plain, language-tagged and typed literals keep their lexical form; each file's blank
    node labels are its own (the same label in two files is two nodes)."""
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text(
        "@prefix ex: <http://example.org/> .\n"
        'ex:s ex:p "plain", "Wort"@de, "01"^^<http://www.w3.org/2001/XMLSchema#integer>, 1.50 .\n'
        "_:x ex:p ex:o .\n",
        encoding="utf-8",
    )
    second.write_text("_:x <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    graph = add_file(add_file(rdflib.Graph(), first), second)
    ex = rdflib.Namespace("http://example.org/")
    xsd = rdflib.XSD
    assert set(graph.objects(ex.s, ex.p)) == {
        rdflib.Literal("plain"),
        rdflib.Literal("Wort", lang="de"),
        rdflib.Literal("01", datatype=xsd.integer),
        rdflib.Literal("1.50", datatype=xsd.decimal),
    }
    assert rdflib.Literal("plain").datatype is None  # plain, as rdflib reads it
    typed = tmp_path / "typed.nq"
    typed.write_text(
        '<http://example.org/s> <http://example.org/p> "x"^^<http://www.w3.org/2001/XMLSchema#string>'
        " <http://example.org/g> .\n"
        '<http://example.org/s> <http://example.org/p> "y" .\n',
        encoding="utf-8",
    )
    # a string typed in so many words keeps its datatype, as rdflib reads it (SHACL sees it)
    assert {o.datatype for o in add_file(rdflib.Graph(), typed).objects()} == {xsd.string, None}
    named = read_named_graphs(typed)
    assert list(named) == ["http://example.org/g"]
    assert list(named["http://example.org/g"].objects()) == [
        rdflib.Literal("x", datatype=xsd.string)
    ]
    subjects = set(graph.subjects(ex.p, ex.o))
    assert len(subjects) == 2 and all(isinstance(s, rdflib.BNode) for s in subjects)


def test_the_named_graphs_of_the_artifact_are_rdflibs(exported_nquads: Path) -> None:
    """project_graphs reads the artifact with pyoxigraph: each named graph holds what
    rdflib's N-Quads parser puts in it."""
    dataset = rdflib.Dataset()
    dataset.parse(exported_nquads, format="nquads")
    expected = {
        str(g.identifier): g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID
    }
    ours = read_named_graphs(exported_nquads)
    assert sorted(ours) == sorted(i for i, g in expected.items() if len(g))
    for iri, graph in ours.items():
        theirs = rdflib.Graph()
        for triple in expected[iri]:
            theirs.add(triple)
        assert len(graph) == len(theirs), iri
        assert _canonical(graph) == _canonical(theirs), (iri, _differences(graph, theirs))


def test_the_fast_reader_names_where_a_file_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "broken.nq"
    path.write_text("<http://example.org/s> <http://example.org/p> .\n", encoding="utf-8")
    with pytest.raises(RDFSyntaxError, match=r"broken\.nq:1:"):
        read_named_graphs(path)
    with pytest.raises(RDFSyntaxError, match=r"broken\.nq:1:"):
        add_file(rdflib.Graph(), path)
