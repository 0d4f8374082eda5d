"""The simple property shapes, checked in Python instead of by pyshacl, for imports at speed.

Most of the project's property shapes are a path and a few core constraints (``sh:minCount``,
``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:minLength``, ``sh:in``, ``sh:nodeKind``,
``sh:pattern``, ``sh:minInclusive``, ``sh:minExclusive``) on a node shape with a class or
subjects-of target. pyshacl spends tens of microseconds per triple on them, mostly in its own
machinery; reading the values of one path from an rdflib graph and comparing them costs about
one. :class:`DirectChecks` splits the shapes: those property shapes are checked here, with the
same ``sh:message``, severity, focus, path, shape and value as pyshacl reports; everything else
(``sh:or``, ``sh:sparql``, qualified counts, complex paths, other targets) stays in the reduced
shapes graph that pyshacl still runs. ``tests/integration/test_direct_checks.py`` checks that
both give the same results on data that breaks every simple shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from treatygraph.build.validate import SEVERITY_NAMES, Result
from treatygraph.rdf.iris import PREFIXES

#: what a shape may say and still be checked here: descriptions, a path, counts, value
#: constraints, and ``sh:or`` / ``sh:not`` of shapes that say no more than this
_DESCRIPTIONS = {RDF.type, SH.message, SH.name, SH.description, SH.severity, SH.order}
_DESCRIPTIONS |= {RDFS.comment, RDFS.label}
_VALUE = {SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH["class"], SH["in"], SH.minLength}
_VALUE |= {SH.minInclusive, SH.minExclusive}
_SIMPLE = _DESCRIPTIONS | _VALUE | {SH.path, SH.minCount, SH.maxCount, SH["or"], SH["not"]}
_RDF_LANG_STRING = URIRef(str(RDF) + "langString")


@dataclass
class _Check:
    """One shape as Python: what the focus node, or the values of ``path``, must meet."""

    shape: Node
    path: URIRef | None
    message: str
    severity: str
    constraints: dict[URIRef, Node]
    values_in: list[Node] = field(default_factory=list)
    pattern: re.Pattern[str] | None = None
    #: ``sh:or``: a value must conform to one of these; ``sh:not``: to none of these
    alternatives: list[_Check] = field(default_factory=list)
    negated: list[_Check] = field(default_factory=list)


@dataclass
class _NodeCheck:
    classes: set[Node]
    subjects_of: set[Node]
    #: the node shape's own constraints (``sh:or`` of property shapes, ...), if simple
    own: _Check | None
    properties: list[_Check]


def _simple(shapes: Graph, shape: Node, depth: int = 0) -> bool:
    """Whether ``shape`` (and every shape in its ``sh:or``/``sh:not``) is checked here."""
    if depth > 3:
        return False
    path = shapes.value(shape, SH.path)
    if path is not None and not isinstance(path, URIRef):
        return False
    for predicate, value in shapes.predicate_objects(shape):
        if predicate == SH["or"]:
            members = list(Collection(shapes, value))
            if not members or not all(_simple(shapes, m, depth + 1) for m in members):
                return False
        elif predicate == SH["not"]:
            if not _simple(shapes, value, depth + 1):
                return False
        elif predicate not in _SIMPLE:
            return False
    return True


class DirectChecks:
    """The simple shapes of ``shapes`` as Python checks, and the rest for pyshacl.

    Property shapes of another severity than ``sh:Violation`` are dropped: this serves the
    import, which is refused for violations only."""

    def __init__(self, shapes: Graph) -> None:
        self.reduced = Graph()
        for triple in shapes:
            self.reduced.add(triple)
        for prefix, namespace in shapes.namespaces():
            self.reduced.bind(prefix, namespace)
        self._nodes: list[_NodeCheck] = []
        for node_shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
            if any(shapes.triples((node_shape, SH.targetNode, None))) or any(
                shapes.triples((node_shape, SH.targetObjectsOf, None))
            ):
                continue  # focus nodes outside the batch's subjects: left to pyshacl
            if (node_shape, SH.deactivated, Literal(True)) in shapes:
                continue
            own = None
            either = shapes.value(node_shape, SH["or"])
            if (
                either is not None
                and shapes.value(node_shape, SH["not"]) is None
                and all(_simple(shapes, m, 1) for m in Collection(shapes, either))
            ):
                own = _compile(shapes, node_shape, only_or=True)
                self.reduced.remove((node_shape, SH["or"], either))
            checks = []
            for prop in list(shapes.objects(node_shape, SH.property)):
                if shapes.value(prop, SH.severity) not in (None, SH.Violation):
                    # an import is refused for violations only: warnings are not looked for
                    self.reduced.remove((node_shape, SH.property, prop))
                elif isinstance(prop, URIRef) and _simple(shapes, prop):
                    checks.append(_compile(shapes, prop))
                    self.reduced.remove((node_shape, SH.property, prop))
            if checks or own is not None:
                self._nodes.append(
                    _NodeCheck(
                        set(shapes.objects(node_shape, SH.targetClass)),
                        set(shapes.objects(node_shape, SH.targetSubjectsOf)),
                        own,
                        checks,
                    )
                )
        self._names = Graph()
        for name, iri in PREFIXES.items():
            self._names.bind(name, iri)

    def results(self, graph: Graph, focus: Iterable[Node]) -> list[Result]:
        """What the simple shapes find about the ``focus`` nodes of ``graph``."""
        from treatygraph.build.validate import _short

        found: list[Result] = []

        def result(check: _Check, node: Node, value: Node | None) -> None:
            found.append(
                Result(
                    severity=check.severity,
                    focus=_short(self._names, node),
                    path="-" if check.path is None else _short(self._names, check.path),
                    message=check.message,
                    shape=_short(self._names, check.shape),
                    value="-" if value is None else _short(self._names, value),
                )
            )

        for node in focus:
            types = _types(graph, node)
            for check in self._nodes:
                if not (types & check.classes) and not any(
                    (node, p, None) in graph for p in check.subjects_of
                ):
                    continue
                if check.own is not None and not _conforms(graph, node, check.own):
                    result(check.own, node, node)
                for prop in check.properties:
                    for value in _violations(graph, node, prop):
                        result(prop, node, value)
        return found


def _compile(shapes: Graph, shape: Node, *, only_or: bool = False) -> _Check:
    """``shape`` as a check (``only_or``: a node shape, of which only ``sh:or`` is taken)."""
    path = shapes.value(shape, SH.path)
    severity = shapes.value(shape, SH.severity) or SH.Violation
    constraints = {p: v for p, v in shapes.predicate_objects(shape) if isinstance(p, URIRef)}
    if only_or:
        constraints, path = {}, None
    check = _Check(
        shape,
        None if path is None else URIRef(str(path)),
        str(shapes.value(shape, SH.message) or ""),
        SEVERITY_NAMES.get(severity, str(severity)),  # type: ignore[call-overload]
        constraints,
    )
    if SH["in"] in constraints:
        check.values_in = list(Collection(shapes, constraints[SH["in"]]))
    if SH.pattern in constraints:
        flags = str(constraints.get(SH.flags, ""))
        check.pattern = re.compile(
            str(constraints[SH.pattern]), re.IGNORECASE if "i" in flags else 0
        )
    either = shapes.value(shape, SH["or"])
    if either is not None:
        check.alternatives = [_compile(shapes, m) for m in Collection(shapes, either)]
    if not only_or:
        check.negated = [_compile(shapes, m) for m in shapes.objects(shape, SH["not"])]
    return check


def _types(graph: Graph, node: Node) -> set[Node]:
    """The classes of ``node``, with their superclasses (as ``sh:targetClass`` follows them)."""
    found: set[Node] = set()
    pending = list(graph.objects(node, RDF.type))
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.add(cls)
            pending.extend(graph.objects(cls, RDFS.subClassOf))
    return found


def _violations(graph: Graph, node: Node, check: _Check) -> list[Node | None]:
    """One entry per result pyshacl gives (a value breaking several constraints of the shape
    gives results that differ only in the component, the same :class:`Result`): the value,
    or None for a count."""
    values = list(graph.objects(node, check.path)) if check.path is not None else [node]
    c = check.constraints
    out: list[Node | None] = []
    if SH.minCount in c and len(values) < int(c[SH.minCount]):  # type: ignore[call-overload]
        out.append(None)
    if SH.maxCount in c and len(values) > int(c[SH.maxCount]):  # type: ignore[call-overload]
        out.append(None)
    out.extend(value for value in values if not _meets(graph, value, check))
    return out


def _conforms(graph: Graph, node: Node, check: _Check) -> bool:
    """Whether ``node`` conforms to ``check`` as a shape (``sh:or`` / ``sh:not`` members)."""
    if check.path is None:
        return _meets(graph, node, check)
    return not _violations(graph, node, check)


def _meets(graph: Graph, value: Node, check: _Check) -> bool:
    """Whether one value meets the value constraints, ``sh:or`` and ``sh:not`` of ``check``."""
    c = check.constraints
    if SH["class"] in c and c[SH["class"]] not in _types(graph, value):
        return False
    if SH.datatype in c and not _has_datatype(value, c[SH.datatype]):
        return False
    if SH.minLength in c and (
        isinstance(value, BNode) or len(str(value)) < int(c[SH.minLength])  # type: ignore[call-overload]
    ):
        return False
    if SH["in"] in c and value not in check.values_in:
        return False
    if SH.nodeKind in c and not _has_kind(value, c[SH.nodeKind]):
        return False
    if check.pattern is not None and (
        isinstance(value, BNode) or check.pattern.search(str(value)) is None
    ):
        return False
    for bound, strict in ((SH.minInclusive, False), (SH.minExclusive, True)):
        if bound in c and not _at_least(value, c[bound], strict):
            return False
    if check.alternatives and not any(_conforms(graph, value, a) for a in check.alternatives):
        return False
    return not any(_conforms(graph, value, n) for n in check.negated)


def _has_datatype(value: Node, datatype: Node) -> bool:
    if not isinstance(value, Literal):
        return False
    if value.language:
        return datatype == _RDF_LANG_STRING
    actual = value.datatype or XSD.string
    return actual == datatype and not value.ill_typed


_KINDS = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


def _has_kind(value: Node, kind: Node) -> bool:
    return isinstance(value, _KINDS.get(kind, ()))  # type: ignore[call-overload]


def _at_least(value: Node, bound: Node, strict: bool) -> bool:
    if not isinstance(value, Literal) or not isinstance(bound, Literal) or value.ill_typed:
        return False
    try:
        if strict:
            return bool(value.toPython() > bound.toPython())
        return bool(value.toPython() >= bound.toPython())
    except TypeError:
        return False
