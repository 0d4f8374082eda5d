"""The simple shapes, checked in Python and SPARQL instead of by pyshacl, for imports at speed.

Most of the project's property shapes are a path and a few core constraints (``sh:minCount``,
``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:minLength``, ``sh:in``, ``sh:nodeKind``,
``sh:pattern``, ``sh:minInclusive``, ``sh:minExclusive``, ``sh:lessThan``, qualified counts of a
simple value shape) on a node shape with a class or subjects-of target. pyshacl spends tens of
microseconds per triple on them, mostly in its own machinery; reading the values of one path and
comparing them costs about one. SHACL-SPARQL constraints (``sh:sparql`` with an ``sh:select``)
run as their own query text on pyoxigraph, all focus nodes at once in a ``VALUES`` block.
:class:`DirectChecks` splits the shapes: what it can check is checked here, with the same
``sh:message``, severity, focus, path, shape and value as pyshacl reports; everything else
(complex paths, other targets, other constraint components, SPARQL that cannot be pre-bound
this way) stays in the reduced shapes graph that pyshacl still runs, and :attr:`needs_pyshacl`
says whether anything is left there. ``tests/integration/test_direct_checks.py`` checks that
both give the same results on data that breaks every shape checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from treatygraph.build.validate import SEVERITY_NAMES, Result
from treatygraph.rdf.io import from_rdflib, to_rdflib
from treatygraph.rdf.iris import PREFIXES

#: what a shape may say and still be checked here: descriptions, a path, counts, value
#: constraints, and ``sh:or`` / ``sh:not`` of shapes that say no more than this
_DESCRIPTIONS = {RDF.type, SH.message, SH.name, SH.description, SH.severity, SH.order}
_DESCRIPTIONS |= {RDFS.comment, RDFS.label}
_VALUE = {SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH["class"], SH["in"], SH.minLength}
_VALUE |= {SH.minInclusive, SH.minExclusive}
_COUNTS = {SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount}
_SIMPLE = _DESCRIPTIONS | _VALUE | _COUNTS | {SH.path, SH["or"], SH["not"]}
_SIMPLE |= {SH.lessThan, SH.qualifiedValueShape}
_RDF_LANG_STRING = URIRef(str(RDF) + "langString")
#: the constraint keys the checks look up for every value, resolved once
_MIN_COUNT, _MAX_COUNT, _CLASS, _IN = SH.minCount, SH.maxCount, SH["class"], SH["in"]
_DATATYPE, _MIN_LENGTH, _NODE_KIND = SH.datatype, SH.minLength, SH.nodeKind
_MIN_INCLUSIVE, _MIN_EXCLUSIVE = SH.minInclusive, SH.minExclusive
#: what a SHACL-SPARQL constraint may say and still run here
_SPARQL_KEYS = {RDF.type, SH.message, SH.prefixes, SH.select, RDFS.comment, RDFS.label}
#: what pyshacl refuses in a pre-bound query, or what a VALUES block cannot stand in for
_NOT_PREBINDABLE = re.compile(r"\b(MINUS|VALUES|SERVICE)\b|[$?](shapesGraph|currentShape)\b", re.I)
#: shape predicates that are not constraints: a shape with only these gives no results
_NOT_CONSTRAINTS = _DESCRIPTIONS | {SH.targetClass, SH.targetNode, SH.targetSubjectsOf}
_NOT_CONSTRAINTS |= {SH.targetObjectsOf, SH.deactivated, RDFS.subClassOf, OWL.imports}
_NOT_CONSTRAINTS |= {SH.declare, SH.prefixes, OWL.versionInfo}


class Triples:
    """A data graph as the checks read it: the objects of a subject and predicate, and the
    classes of a node (kept once computed). Cheaper to fill than an rdflib graph, which the
    import would otherwise build for every batch; duplicates are kept once, as in a graph."""

    def __init__(self, *parts: Iterable[tuple[Node, Node, Node]]) -> None:
        self._index: dict[Node, dict[Node, dict[Node, None]]] = {}
        self._types: dict[Node, set[Node]] = {}
        for part in parts:
            self.update(part)

    def update(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        index = self._index
        for s, p, o in triples:
            by_predicate = index.get(s)
            if by_predicate is None:
                by_predicate = index[s] = {}
            values = by_predicate.get(p)
            if values is None:
                by_predicate[p] = {o: None}
            else:
                values[o] = None

    def objects(self, subject: Node, predicate: Node) -> Iterable[Node]:
        return self._index.get(subject, {}).get(predicate, {}).keys()

    def __contains__(self, triple: tuple[Node, Node, None]) -> bool:
        return bool(self._index.get(triple[0], {}).get(triple[1]))

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        for s, by_predicate in self._index.items():
            for p, values in by_predicate.items():
                for o in values:
                    yield s, p, o

    def graph(self) -> Graph:
        """The triples as an rdflib graph (for pyshacl)."""
        graph = Graph()
        for triple in self:
            graph.add(triple)
        return graph

    def types(self, node: Node) -> set[Node]:
        """The classes of ``node``, with their superclasses (as ``sh:targetClass`` follows them)."""
        found = self._types.get(node)
        if found is None:
            found = self._types[node] = set()
            pending = list(self.objects(node, RDF.type))
            while pending:
                cls = pending.pop()
                if cls not in found:
                    found.add(cls)
                    pending.extend(self.objects(cls, RDFS.subClassOf))
        return found


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
    #: ``sh:lessThan``: every value is below every value of these properties of the focus node
    less_than: list[URIRef] = field(default_factory=list)
    #: ``sh:qualifiedValueShape``: how many values conform to it, at least and at most
    qualified: _Check | None = None
    min_count: int | None = None
    max_count: int | None = None
    qualified_min: int | None = None
    qualified_max: int | None = None
    #: the value constraints, ``sh:or`` and ``sh:not`` as functions (:func:`_value_tests`)
    tests: list[Callable[[Triples, Node], bool]] = field(default_factory=list)
    #: what :func:`_meets` answered, by value, when that depends on the value alone
    memo: dict[Node, bool] | None = None


@dataclass
class _SparqlCheck:
    """One SHACL-SPARQL constraint: its query, with ``VALUES $this`` to fill at ``insert``."""

    shape: Node
    path: URIRef | None
    message: str
    severity: str
    query: str
    insert: int


@dataclass
class _NodeCheck:
    classes: set[Node]
    subjects_of: set[Node]
    #: the node shape's own constraints (``sh:or`` of property shapes, ...), if simple
    own: _Check | None
    properties: list[_Check]
    sparql: list[_SparqlCheck] = field(default_factory=list)


def _simple(shapes: Graph, shape: Node, depth: int = 0) -> bool:
    """Whether ``shape`` (and every shape in its ``sh:or``/``sh:not``) is checked here."""
    if depth > 3:
        return False
    path = shapes.value(shape, SH.path)
    if path is not None and not isinstance(path, URIRef):
        return False
    qualified = list(shapes.objects(shape, SH.qualifiedValueShape))
    if len(qualified) > 1:
        return False
    for predicate, value in shapes.predicate_objects(shape):
        if predicate in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            if not qualified or not isinstance(value, Literal) or not isinstance(value.value, int):
                return False
        elif predicate == SH.qualifiedValueShape:
            if not _simple(shapes, value, depth + 1):
                return False
        elif predicate == SH.lessThan:
            if path is None or not isinstance(value, URIRef):
                return False
        elif predicate == SH.sparql:
            if depth > 0 or path is None or _sparql_check(shapes, shape, value) is None:
                return False
        elif predicate == SH["or"]:
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
            sparql = []
            for constraint in list(shapes.objects(node_shape, SH.sparql)):
                found = _sparql_check(shapes, node_shape, constraint)
                if found is not None:
                    sparql.append(found)
                    self.reduced.remove((node_shape, SH.sparql, constraint))
            for prop in list(shapes.objects(node_shape, SH.property)):
                if shapes.value(prop, SH.severity) not in (None, SH.Violation):
                    # an import is refused for violations only: warnings are not looked for
                    self.reduced.remove((node_shape, SH.property, prop))
                elif isinstance(prop, URIRef) and _simple(shapes, prop):
                    checks.append(_compile(shapes, prop))
                    for constraint in shapes.objects(prop, SH.sparql):
                        sparql.append(_sparql_check(shapes, prop, constraint))  # type: ignore[arg-type]
                    self.reduced.remove((node_shape, SH.property, prop))
            if checks or own is not None or sparql:
                self._nodes.append(
                    _NodeCheck(
                        set(shapes.objects(node_shape, SH.targetClass)),
                        set(shapes.objects(node_shape, SH.targetSubjectsOf)),
                        own,
                        checks,
                        sparql,
                    )
                )
        self._names = Graph()
        for name, iri in PREFIXES.items():
            self._names.bind(name, iri)
        #: whether pyshacl has anything left to check in :attr:`reduced`
        self.needs_pyshacl = _has_constraints(self.reduced)
        self._by_types: dict[frozenset[Node], list[_NodeCheck]] = {}
        self._by_subjects_of = [c for c in self._nodes if c.subjects_of]

    def results(
        self,
        graph: Triples | Graph,
        focus: Iterable[Node],
        store: ox.Store | None = None,
        graphs: list[ox.NamedNode] | None = None,
    ) -> list[Result]:
        """What the checks find about the ``focus`` nodes of ``graph``.

        The SPARQL constraints query ``store`` (its ``graphs`` as the default graph), which must
        hold at least what ``graph`` holds; without one, a store is made from ``graph``.
        """
        if isinstance(graph, Graph):
            graph = Triples(graph)
        found: list[Result] = []
        by_query: dict[int, tuple[_SparqlCheck, list[Node]]] = {}
        for node in focus:
            for check in self._applying(graph, node):
                if check.own is not None and not _conforms(graph, node, check.own):
                    found.append(self._result(check.own, node, node))
                for prop in check.properties:
                    for value in _violations(graph, node, prop):
                        found.append(self._result(prop, node, value))
                for query in check.sparql:
                    by_query.setdefault(id(query), (query, []))[1].append(node)
        if by_query:
            if store is None:
                store = ox.Store()
                store.extend(ox.Quad(*map(from_rdflib, t)) for t in graph)  # type: ignore[arg-type]
            for query, nodes in by_query.values():
                found += self._sparql_results(store, graphs, query, nodes)
        return found

    def _applying(self, graph: Triples, node: Node) -> list[_NodeCheck]:
        """The node checks that target ``node``: by its classes (remembered per set of
        classes, as few sets recur), then by the predicates it is the subject of."""
        types = frozenset(graph.types(node))
        by_class = self._by_types.get(types)
        if by_class is None:
            by_class = self._by_types[types] = [c for c in self._nodes if types & c.classes]
        extra = [
            c
            for c in self._by_subjects_of
            if c not in by_class and any((node, p, None) in graph for p in c.subjects_of)
        ]
        return by_class + extra if extra else by_class

    def _result(
        self,
        check: _Check | _SparqlCheck,
        node: Node,
        value: Node | None,
        message: str | None = None,
        path: Node | None = None,
    ) -> Result:
        from treatygraph.build.validate import _short

        path = path if path is not None else check.path
        return Result(
            severity=check.severity,
            focus=_short(self._names, node),
            path="-" if path is None else _short(self._names, path),
            message=check.message if message is None else message,
            shape=_short(self._names, check.shape),
            value="-" if value is None else _short(self._names, value),
        )

    def _sparql_results(
        self,
        store: ox.Store,
        graphs: list[ox.NamedNode] | None,
        check: _SparqlCheck,
        nodes: list[Node],
    ) -> list[Result]:
        """The rows of ``check``'s query for ``nodes`` as results, as pyshacl makes them: focus
        ``?this``, value ``?value`` (else the focus node, for a node shape), path ``?path``
        (else the shape's), ``{?var}`` in the message filled from the row."""
        found: list[Result] = []
        iris = [n for n in nodes if isinstance(n, URIRef)]
        runs: list[tuple[str, dict[ox.Variable, object] | None]] = []
        for start in range(0, len(iris), 500):
            values = " ".join(f"<{n}>" for n in iris[start : start + 500])
            text = check.query[: check.insert] + f" VALUES $this {{ {values} }} "
            runs.append((text + check.query[check.insert :], None))
        for node in nodes:  # a VALUES block cannot hold a blank node
            if not isinstance(node, URIRef):
                runs.append((check.query, {ox.Variable("this"): from_rdflib(node)}))
        for text, substitutions in runs:
            rows = store.query(
                text,
                default_graph=graphs,  # type: ignore[arg-type]
                substitutions=substitutions,  # type: ignore[arg-type]
            )
            assert isinstance(rows, ox.QuerySolutions)
            names = [v.value for v in rows.variables]
            failed: set[Node] = set()
            for row in rows:
                bound = {n: to_rdflib(row[n]) for n in names if row[n] is not None}
                this = bound.get("this")
                if this is None:
                    continue  # unreachable: $this is projected (see _sparql_check)
                failure = bound.pop("failure", None)
                default = this if check.path is None else None
                if failure is not None:
                    if this not in failed:
                        failed.add(this)
                        found.append(self._result(check, this, default, _fill(check, bound)))
                    continue
                value = bound.get("value", default)
                message = _fill(check, {**bound, "value": value} if value is not None else bound)
                found.append(self._result(check, this, value, message, bound.get("path")))
        return found


def _fill(check: _SparqlCheck, bound: dict[str, Node]) -> str:
    """``{?name}`` and ``{$name}`` in the message replaced by the row's values."""
    message = check.message
    for name, term in bound.items():
        message = message.replace(f"{{?{name}}}", str(term)).replace(f"{{${name}}}", str(term))
    return message


def _sparql_check(shapes: Graph, shape: Node, constraint: Node) -> _SparqlCheck | None:
    """A ``sh:sparql`` constraint of ``shape`` as a query for :class:`DirectChecks`, or None when
    pyshacl must run it: keys other than a message, prefixes and a select; a query it would
    refuse or pre-bind otherwise (``MINUS``, ``VALUES``, ``SERVICE``, a sub-``SELECT``,
    ``$shapesGraph``, ``$currentShape``); ``$this`` not projected; not exactly one message;
    a warning (an import is refused for violations only: dropped, as for property shapes)."""
    if any(p not in _SPARQL_KEYS for p in shapes.predicates(constraint)):
        return None
    select = shapes.value(constraint, SH.select)
    text = _without_comments(str(select))
    if select is None or _NOT_PREBINDABLE.search(text):
        return None
    if len(re.findall(r"\bSELECT\b", text, re.I)) != 1:
        return None
    brace = text.find("{")
    projection = text[:brace]
    if brace < 0 or not re.search(r"[$?]this\b|\*", projection):
        return None
    path = shapes.value(shape, SH.path)
    if "$PATH" in text:
        if not isinstance(path, URIRef):
            return None
        text = text.replace("$PATH", f"<{path}>")
    messages = {str(m) for m in shapes.objects(shape, SH.message)}
    messages |= {str(m) for m in shapes.objects(constraint, SH.message)}
    if len(messages) != 1:
        return None
    severity = shapes.value(shape, SH.severity) or SH.Violation
    prefixes = ""
    for declared in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declared, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            prefixes += f"PREFIX {prefix}: <{namespace}>\n"
    query = prefixes + text
    try:
        ox.Store().query(query)
    except SyntaxError:
        return None  # pyshacl reports it
    return _SparqlCheck(
        shape,
        path if isinstance(path, URIRef) else None,
        messages.pop(),
        SEVERITY_NAMES.get(severity, str(severity)),  # type: ignore[call-overload]
        query,
        len(prefixes) + brace + 1,
    )


def _without_comments(text: str) -> str:
    """The query text without ``#`` comments (a ``#`` in an IRI or a string is kept)."""
    out: list[str] = []
    for line in text.splitlines():
        keep, quote, in_iri = [], "", False
        for char in line:
            if quote:
                quote = "" if char == quote else quote
            elif in_iri:
                in_iri = char != ">"
            elif char in "\"'":
                quote = char
            elif char == "<":
                in_iri = True
            elif char == "#":
                break
            keep.append(char)
        out.append("".join(keep))
    return "\n".join(out)


def _has_constraints(shapes: Graph) -> bool:
    """Whether any shape with a target (or a class that is a shape) says more than
    descriptions and targets, so that pyshacl could find something."""
    targeted = set(shapes.subjects(SH.target, None))
    for key in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        targeted.update(shapes.subjects(key, None))
    for cls in (RDFS.Class, OWL.Class):
        targeted.update(s for s in shapes.subjects(RDF.type, cls) if _is_shape(shapes, s))
    for shape in targeted:
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        if any(p not in _NOT_CONSTRAINTS for p in shapes.predicates(shape)):
            return True
    return False


def _is_shape(shapes: Graph, node: Node) -> bool:
    return (node, RDF.type, SH.NodeShape) in shapes or (node, RDF.type, SH.PropertyShape) in shapes


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
        check.less_than = [URIRef(str(p)) for p in shapes.objects(shape, SH.lessThan)]
    qualified = shapes.value(shape, SH.qualifiedValueShape)
    if qualified is not None and not only_or:
        check.qualified = _compile(shapes, qualified)
        low, high = constraints.get(SH.qualifiedMinCount), constraints.get(SH.qualifiedMaxCount)
        check.qualified_min = None if low is None else int(low)  # type: ignore[call-overload]
        check.qualified_max = None if high is None else int(high)  # type: ignore[call-overload]
    check.tests = _value_tests(check)
    check.memo = {} if _pure(check) else None
    low, high = constraints.get(_MIN_COUNT), constraints.get(_MAX_COUNT)
    check.min_count = None if low is None else int(low)  # type: ignore[call-overload]
    check.max_count = None if high is None else int(high)  # type: ignore[call-overload]
    return check


def _violations(graph: Triples, node: Node, check: _Check) -> list[Node | None]:
    """One entry per result pyshacl gives (a value breaking several constraints of the shape
    gives results that differ only in the component, the same :class:`Result`): the value,
    or None for a count."""
    values = list(graph.objects(node, check.path)) if check.path is not None else [node]
    out: list[Node | None] = []
    if check.min_count is not None and len(values) < check.min_count:
        out.append(None)
    if check.max_count is not None and len(values) > check.max_count:
        out.append(None)
    if check.qualified is not None:
        conforming = sum(_conforms(graph, value, check.qualified) for value in values)
        if check.qualified_max is not None and conforming > check.qualified_max:
            out.append(None)
        if check.qualified_min is not None and conforming < check.qualified_min:
            out.append(None)
    for other in check.less_than:
        bounds = set(graph.objects(node, other))
        out.extend(v for v in set(values) for b in bounds if not _less(v, b))
    out.extend(value for value in values if not _meets(graph, value, check))
    return out


def _less(value: Node, bound: Node) -> bool:
    """``value < bound`` as pyshacl's ``sh:lessThan`` compares: IRIs and string literals as
    strings, other literals as rdflib orders them; a string and a non-string, or a blank node
    (pyshacl stops there), cannot be compared and so are not less."""
    if isinstance(value, BNode) or isinstance(bound, BNode):
        return False
    left: object = value
    right: object = bound
    left_text = isinstance(value, URIRef) or isinstance(getattr(value, "value", None), str)
    right_text = isinstance(bound, URIRef) or isinstance(getattr(bound, "value", None), str)
    if left_text != right_text:
        return False
    if left_text:
        left = str(value) if isinstance(value, URIRef) else value.value  # type: ignore[attr-defined]
        right = str(bound) if isinstance(bound, URIRef) else bound.value  # type: ignore[attr-defined]
    try:
        return bool(left < right)  # type: ignore[operator]
    except TypeError:
        return False


def _conforms(graph: Triples, node: Node, check: _Check) -> bool:
    """Whether ``node`` conforms to ``check`` as a shape (``sh:or`` / ``sh:not`` members)."""
    if check.path is None:
        return _meets(graph, node, check)
    return not _violations(graph, node, check)


def _meets(graph: Triples, value: Node, check: _Check) -> bool:
    """Whether one value meets the value constraints, ``sh:or`` and ``sh:not`` of ``check``.

    When that depends on the value alone (:func:`_pure`), the answer is remembered (bounded):
    the same offsets, dates and IRIs come back in every batch."""
    memo = check.memo
    if memo is None:
        return all(test(graph, value) for test in check.tests)
    found = memo.get(value)
    if found is None:
        if len(memo) > 10_000:
            memo.clear()
        found = memo[value] = all(test(graph, value) for test in check.tests)
    return found


def _pure(check: _Check) -> bool:
    """Whether a value meets ``check`` whatever the graph: no path, no ``sh:class``, no counts,
    and only such shapes in its ``sh:or`` and ``sh:not``."""
    return (
        check.path is None
        and _CLASS not in check.constraints
        and check.qualified is None
        and not check.less_than
        and all(_pure(c) for c in check.alternatives + check.negated)
    )


def _value_tests(check: _Check) -> list[Callable[[Triples, Node], bool]]:
    """The value constraints of ``check`` as one function each, their parameters bound once
    (a value is tested by tens of shapes, a hundred thousand times an import)."""
    c = check.constraints
    tests: list[Callable[[Triples, Node], bool]] = []
    if _CLASS in c:
        cls = c[_CLASS]
        tests.append(lambda graph, value: cls in graph.types(value))
    if _DATATYPE in c:
        datatype = c[_DATATYPE]
        tests.append(lambda graph, value: _has_datatype(value, datatype))
    if _MIN_LENGTH in c:
        length = int(c[_MIN_LENGTH])  # type: ignore[call-overload]
        tests.append(lambda graph, v: not isinstance(v, BNode) and len(str(v)) >= length)
    if _IN in c:
        allowed = check.values_in
        tests.append(lambda graph, value: value in allowed)
    if _NODE_KIND in c:
        kinds = _KINDS.get(c[_NODE_KIND], ())  # type: ignore[call-overload]
        tests.append(lambda graph, value: isinstance(value, kinds))
    pattern = check.pattern
    if pattern is not None:
        tests.append(
            lambda graph, v: not isinstance(v, BNode) and pattern.search(str(v)) is not None
        )
    for key, strict in ((_MIN_INCLUSIVE, False), (_MIN_EXCLUSIVE, True)):
        if key in c:
            bound = c[key]
            tests.append(lambda graph, v, b=bound, s=strict: _at_least(v, b, s))  # type: ignore[misc]
    if check.alternatives:
        either = check.alternatives
        tests.append(lambda graph, value: any(_conforms(graph, value, a) for a in either))
    if check.negated:
        negated = check.negated
        tests.append(lambda graph, value: not any(_conforms(graph, value, n) for n in negated))
    return tests


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


def _at_least(value: Node, bound: Node, strict: bool) -> bool:
    if not isinstance(value, Literal) or not isinstance(bound, Literal) or value.ill_typed:
        return False
    try:
        if strict:
            return bool(value.toPython() > bound.toPython())
        return bool(value.toPython() >= bound.toPython())
    except TypeError:
        return False
