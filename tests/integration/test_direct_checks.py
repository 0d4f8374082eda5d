"""The import's direct checks (``integration/direct_checks.py``) find what pyshacl finds.

The simple shapes are checked in Python and only the rest by pyshacl; on the benchmark's
synthetic corpus (about 3,000 triples, every kind of node the shapes target), broken in 600
deterministic places (triples removed, literals made ill-typed, literals and foreign IRIs
added), the violations must be exactly pyshacl's over all the shapes: same focus, path, message,
shape and value. pyshacl is the reference here, not this code.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from treatygraph.build.validate import validate
from treatygraph.integration.checking import BatchValidator, _focused


def _graph(folder: Path, root: Path) -> Graph:
    data = folder / "synth.nt"
    subprocess.run(
        [sys.executable, str(root / "bench" / "synth.py"), "--triples", "3k", "--out", str(data)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    graph = Graph()
    graph.parse(data, format="nt")
    return graph


def _break(graph: Graph) -> None:
    rng = random.Random(14)
    triples = sorted(graph)
    for triple in rng.sample(triples, 300):
        graph.remove(triple)
    for s, p, o in rng.sample(triples, 200):
        if isinstance(o, Literal):
            graph.add((s, p, Literal(f"{o}x", datatype=o.datatype, lang=o.language)))
        else:
            graph.add((s, p, Literal("zz")))
    for s, p, _o in rng.sample(triples, 100):
        graph.add((s, p, URIRef("http://example.org/other")))


def test_direct_checks_find_what_pyshacl_finds(root: Path, tmp_path: Path) -> None:
    shapes, ontology = Graph(), Graph()
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes.parse(path)
    for path in sorted((root / "ontology").glob("*.ttl")):
        ontology.parse(path)
    data = _graph(tmp_path, root)
    _break(data)
    checker = BatchValidator(shapes, ontology, Graph())
    graph = data + checker.hierarchy
    subjects = set(data.subjects())
    expected = set(_focused(validate(graph, shapes), subjects))
    got = set(checker._results(graph, subjects))
    assert len(expected) > 100  # the breakage breaks shapes of many kinds
    assert got == expected
