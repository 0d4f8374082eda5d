"""Every class the instance data uses is covered by a node shape (on it or a superclass)."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH

from treatygraph.build.compile import BuildResult
from treatygraph.corpus.project import Project, read_all


def test_every_used_class_has_a_node_shape(project: Project, built: BuildResult) -> None:
    shapes = read_all(project.shapes_files)
    ontology: Graph = built.graphs["ontology"]
    targeted = set(shapes.objects(None, SH.targetClass))
    data = built.data()
    used = set(data.objects(None, RDF.type))
    assert len(used) > 30
    uncovered = sorted(
        str(cls)
        for cls in used
        if not targeted & set(ontology.transitive_objects(cls, RDFS.subClassOf))
    )
    assert uncovered == []
