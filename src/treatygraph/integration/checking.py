"""SHACL validation of an import in batches of subjects, so memory stays flat in the input size.

pyshacl over one big rdflib graph costs ~70 µs and ~1.2 KB a triple (1.2 GB at 1M). Here the
import's quads come grouped by subject (from the sorted data file, or from a store), and each
batch of a few thousand triples is checked on its own, with what the shapes need from around it
(looked up in the work store and the project graph):

- every triple the project graph has about a batch subject that is one of our resources (so
  cardinalities are judged on the whole node);
- the ``rdf:type`` of every node the batch points at, from the import and from the project graph
  (so ``sh:class tg:Agreement`` on ``tg:agreement tgid:inf-treaty`` is satisfied);
- the triples of blank nodes the batch points at (nested values);
- the ontology's ``rdfs:subClassOf`` triples (so ``sh:targetClass`` and ``sh:class`` follow the
  hierarchy, as in the build), and nothing else of it.

The checks are :class:`~treatygraph.integration.direct_checks.DirectChecks`: Python over a dict
index of the batch, and SHACL-SPARQL constraints as queries over the whole work store plus the
project graph (an anchor and its selectors may fall in different batches). pyshacl runs, on an
rdflib graph of the batch, only if some shape has a feature those do not handle.

Only results whose focus node is a subject of the batch count: a context node is judged in its own
batch (import nodes) or by the build (ours). For our resources, what the context alone already
gives is subtracted, as before. pyshacl's ``focus_nodes`` option is not used: it skips nested
shapes (an ``sh:or`` of datatypes passed ``"soon"^^xsd:date``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from treatygraph.build.validate import Result, validate
from treatygraph.integration.direct_checks import DirectChecks, Triples
from treatygraph.rdf.io import from_rdflib, to_rdflib

Triple = tuple[Node, Node, Node]

BATCH_TRIPLES = 4000
RDF_TYPE = ox.NamedNode(str(RDF.type))
#: the graph of the work store that holds the project graph while an import is validated
CONTEXT = ox.NamedNode("urn:x-treatygraph:import-context")


class BatchValidator:
    """Validate the quads of one graph of a store against the shapes, batch by batch."""

    def __init__(self, shapes: Graph, ontology: Graph, project: Graph) -> None:
        self.shapes = shapes
        #: the simple property shapes as Python checks; pyshacl runs the rest (``reduced``)
        self.direct = DirectChecks(shapes)
        self.project = project
        self.hierarchy = Graph()
        for triple in ontology.triples((None, RDFS.subClassOf, None)):
            self.hierarchy.add(triple)
        self._hierarchy: list[Triple] = list(self.hierarchy)
        self._terms: dict[object, Node] = {}
        self._types: dict[Node, list[Node]] = {}  # of the import's nodes, while it is validated
        self._project_subjects = {s for s in project.subjects() if isinstance(s, URIRef)}
        self._project_types: dict[Node, list[Node]] = {}
        for node, cls in project.subject_objects(RDF.type):
            self._project_types.setdefault(node, []).append(cls)
        self._targets = _targets(shapes, ontology, project)

    def target_strings(self) -> tuple[set[str], set[str], set[str], set[str], set[str]] | None:
        """(classes, targetSubjectsOf, targetObjectsOf, nodes, our targeted resources) as IRI
        strings; None when some target cannot be told without running the shapes."""
        return self._targets

    def applies(self, batch: dict[object, list[ox.Quad]]) -> bool:
        """Whether any shape targets a node of the batch (so pyshacl has anything to do).

        Compared as strings, without building rdflib terms: this runs on every quad.
        """
        if self._targets is None:
            return True
        classes, subjects_of, objects_of, nodes, ours = self._targets
        by_predicate = subjects_of | objects_of
        rdf_type = RDF_TYPE.value
        for subject, quads in batch.items():
            value = getattr(subject, "value", None)
            if value in nodes or value in ours:
                return True
            for quad in quads:
                predicate = quad.predicate.value
                if predicate in by_predicate:
                    return True
                obj = getattr(quad.object, "value", None)
                if predicate == rdf_type and obj in classes:
                    return True
                if obj in nodes:
                    return True
        return False

    def violations(
        self,
        store: ox.Store,
        graph: ox.NamedNode,
        progress: Callable[[int], None] | None = None,
        quads: Iterable[ox.Quad] | None = None,
    ) -> list[Result]:
        """The violations of ``graph`` in ``store``. The batches come from ``quads`` if given
        (the store's quads of ``graph``, grouped by subject: an on-disk store is read back
        about 14 times slower than a file is parsed), else from the store."""
        found: list[Result] = []
        done = 0
        # the project graph beside the import, for the SPARQL constraints (see _results)
        store.bulk_extend(
            ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), CONTEXT)  # type: ignore[arg-type]
            for s, p, o in self.project
        )
        if quads is None:
            quads = store.quads_for_pattern(None, None, None, graph)
        try:
            for batch in _batches(quads):
                if self.applies(batch):
                    found += self._check(store, graph, batch)
                done += sum(len(quads) for quads in batch.values())
                if progress is not None:
                    progress(done)
        finally:
            store.remove_graph(CONTEXT)
        unique = sorted(set(found), key=lambda r: (r.focus, r.path, r.shape, r.message))
        return unique

    def _check(
        self, store: ox.Store, graph: ox.NamedNode, batch: dict[object, list[ox.Quad]]
    ) -> list[Result]:
        term = self._term
        data: list[Triple] = []
        context: list[Triple] = []
        ours: list[Node] = []
        for subject, quads in batch.items():
            node = term(subject)
            data.extend((node, term(q.predicate), term(q.object)) for q in quads)
            if node in self._project_subjects:
                ours.append(node)
                context.extend(self.project.triples((node, None, None)))
        subjects = {term(s) for s in batch}
        self._add_object_context(store, graph, data, context, subjects)
        context.extend(self._hierarchy)
        keep = self._results(Triples(data, context), subjects, store, [graph, CONTEXT])
        if ours:
            known = set(self._results(Triples(context), set(ours), store, [CONTEXT]))
            keep = [r for r in keep if r not in known]
        return keep

    def _store_types(self, store: ox.Store, graph: ox.NamedNode, node: Node) -> list[Node]:
        found = self._types.get(node)
        if found is None:
            if len(self._types) > 100_000:
                self._types.clear()
            iri = from_rdflib(node)
            quads = store.quads_for_pattern(iri, RDF_TYPE, None, graph)  # type: ignore[arg-type]
            found = self._types[node] = [self._term(q.object) for q in quads]
        return found

    def _term(self, term: object) -> Node:
        """:func:`to_rdflib`, remembered: IRIs and many literals (offsets, dates, counts) recur
        from batch to batch."""
        found = self._terms.get(term)
        if found is None:
            if len(self._terms) > 100_000:
                self._terms.clear()
            found = self._terms[term] = to_rdflib(term)
        return found

    def _results(
        self,
        graph: Graph | Triples,
        subjects: set[Node],
        store: ox.Store | None = None,
        graphs: list[ox.NamedNode] | None = None,
    ) -> list[Result]:
        """Violations about ``subjects``: pyshacl's for what is left of the shapes (if anything
        is), then the direct ones. The SPARQL constraints read ``graphs`` of ``store``: the
        whole work store and the project graph, not just the batch, so that an anchor whose
        selectors fell in the next batch is still judged with them."""
        found = []
        if self.direct.needs_pyshacl:
            rdflib_graph = graph.graph() if isinstance(graph, Triples) else graph
            found = _focused(validate(rdflib_graph, self.direct.reduced), subjects)
        direct = self.direct.results(graph, subjects, store, graphs)
        return found + [r for r in direct if r.severity == "Violation"]

    def _add_object_context(
        self,
        store: ox.Store,
        graph: ox.NamedNode,
        data: list[Triple],
        context: list[Triple],
        subjects: set[Node],
    ) -> None:
        """The types of the nodes the batch points at, and the triples of its blank nodes.

        A node that is a subject of the batch has its types in the batch already; the types read
        from the store are remembered (bounded): the same documents and agents recur.
        """
        term = self._term
        seen: set[Node] = set(subjects)
        pending = list(
            {o for _, _, o in data if not isinstance(o, Literal)}
            | {o for _, _, o in context if not isinstance(o, Literal)}
        )
        context.extend(t for t in data if t[1] == RDF.type)  # as a lookup in the store gave them
        depth = 0
        while pending and depth < 4:
            following: list[Node] = []
            for node in pending:
                if node in seen:
                    continue
                seen.add(node)
                context.extend((node, RDF.type, c) for c in self._project_types.get(node, ()))
                if isinstance(node, BNode):
                    ox_node = from_rdflib(node)
                    for quad in store.quads_for_pattern(ox_node, None, None, graph):  # type: ignore[arg-type]
                        obj = term(quad.object)
                        context.append((node, term(quad.predicate), obj))
                        if not isinstance(obj, Literal):
                            following.append(obj)
                else:
                    context.extend(
                        (node, RDF.type, c) for c in self._store_types(store, graph, node)
                    )
            pending = following
            depth += 1


def _batches(quads: Iterable[ox.Quad]) -> Iterator[dict[object, list[ox.Quad]]]:
    """Quads grouped by subject, in batches of about :data:`BATCH_TRIPLES`."""
    batch: dict[object, list[ox.Quad]] = {}
    size = 0
    current: object = None
    for quad in quads:
        if quad.subject != current:
            if size >= BATCH_TRIPLES:
                yield batch
                batch, size = {}, 0
            current = quad.subject
        batch.setdefault(quad.subject, []).append(quad)
        size += 1
    if batch:
        yield batch


def _targets(
    shapes: Graph, ontology: Graph, project: Graph
) -> tuple[set[str], set[str], set[str], set[str], set[str]] | None:
    """What the shapes target, as IRI strings: classes (with their subclasses), predicates of
    ``sh:targetSubjectsOf``/``sh:targetObjectsOf``, target nodes, and our resources that are
    instances of a targeted class.

    None when a shape has a target this cannot see (a SPARQL-based ``sh:target``, or an implicit
    class target), so every batch is validated.
    """
    from rdflib.namespace import OWL, SH

    if any(shapes.triples((None, SH.target, None))):
        return None
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            return None
    classes: set[str] = set()
    for cls in shapes.objects(None, SH.targetClass):
        classes.add(str(cls))
        classes.update(str(c) for c in ontology.transitive_subjects(RDFS.subClassOf, cls))
    subjects_of = {str(p) for p in shapes.objects(None, SH.targetSubjectsOf)}
    objects_of = {str(p) for p in shapes.objects(None, SH.targetObjectsOf)}
    nodes = {str(n) for n in shapes.objects(None, SH.targetNode)}
    ours = {str(s) for s, o in project.subject_objects(RDF.type) if str(o) in classes}
    return classes, subjects_of, objects_of, nodes, ours


def _focused(report: object, subjects: set[Node]) -> list[Result]:
    """The violations of a report whose focus node is one of ``subjects``."""
    from rdflib.namespace import SH

    graph: Graph = report.graph  # type: ignore[attr-defined]
    by_node = {}
    for result in graph.subjects(RDF.type, SH.ValidationResult):
        by_node[result] = graph.value(result, SH.focusNode)
    shorts = {_short(graph, s) for s in subjects}
    focus_short = {_short(graph, n) for n in by_node.values() if n in subjects}
    allowed = shorts & focus_short
    return [r for r in report.violations if r.focus in allowed]  # type: ignore[attr-defined]


def _short(graph: Graph, node: Node) -> str:
    from treatygraph.build.validate import _short as short

    return short(graph, node)
