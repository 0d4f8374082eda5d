"""Reading RDF files with errors that say where the problem is.

rdflib reports Turtle errors without a column, so every file is first read by pyoxigraph,
whose parser names line and column; only a file that parses is then loaded into rdflib.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from treatygraph.errors import InputError
from treatygraph.rdf import formats
from treatygraph.rdf.iris import PREFIXES

#: File suffix -> (pyoxigraph format, rdflib parser name), from the one format table: rdflib
#: registers its parsers under the formats' media types too.
FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    f".{ext}": (fmt.rdf, fmt.media_type)
    for ext in formats.file_extensions()
    if (fmt := formats.for_path(f"file.{ext}")) is not None
}


class RDFSyntaxError(InputError):
    """A file that is not well-formed RDF; the message leads with path:line:column."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str) -> None:
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        detail = concise(detail)
        super().__init__(f"{where}: {detail}")
        self.path, self.line, self.column, self.detail = path, line, column, detail


#: A parser's list of what it expected is cut to this many alternatives.
MAX_ALTERNATIVES = 5
_EXPECTED_RE = re.compile(r"(expected one of )(.+)$", re.DOTALL)
_QUERY_POSITION_RE = re.compile(r"^error at (\d+):(\d+): ", re.DOTALL)


def concise(detail: str) -> str:
    """Cut a parser's "expected one of ..." list to a few words, dropping character ranges.

    pyoxigraph can list every Unicode range a name may start with; that wall hides the one
    line a reader needs.
    """
    found = _EXPECTED_RE.search(detail)
    if found is None:
        return detail
    parts = [p.strip() for p in re.split(r",\s+|\s+\|\s+", found.group(2)) if p.strip()]
    words = [p for p in parts if not p.startswith("[")]
    kept = words[:MAX_ALTERNATIVES]
    listed = ", ".join(kept + ["…"] if len(kept) < len(parts) else kept)
    return detail[: found.start()] + found.group(1) + listed


def query_error(query: str, err: SyntaxError) -> str:
    """A SPARQL parse error as ``line:column: syntax error: ... near '<text>'``, kept short."""
    message = str(err)
    found = _QUERY_POSITION_RE.match(message)
    if found is None:
        return f"syntax error: {concise(message)}"
    line, column = int(found.group(1)), int(found.group(2))
    lines = query.splitlines()
    text = lines[line - 1][column - 1 : column + 19] if 0 < line <= len(lines) else ""
    near = f" near {text!r}" if text.strip() else " at the end of the line"
    return f"{line}:{column}: syntax error: {concise(message[found.end() :])}{near}"


#: An RDF/XML document's entities may expand to at most this many characters, all together.
ENTITY_EXPANSION_LIMIT = 1_000_000
#: How much of a document's start is searched for its DOCTYPE.
PROLOG_BYTES = 1 << 20
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\b[^\[>]*\[(.*?)\]\s*>", re.DOTALL)
_ENTITY_RE = re.compile(
    rb"<!ENTITY\s+(%\s+)?([^\s\"']+)\s+(SYSTEM|PUBLIC)?\s*(\"[^\"]*\"|'[^']*')", re.DOTALL
)
_REFERENCE_RE = re.compile(rb"&([A-Za-z_:][-A-Za-z0-9._:]*);")


class EntityBomb(InputError):
    """An RDF/XML document whose DTD entities would expand without bound, or point outside."""


def check_xml_entities(label: str, head: bytes) -> None:
    """Refuse an XML document whose internal DTD is an expansion bomb or names outside files.

    pyoxigraph expands internal entities without a limit: 932 bytes of nested entities made it
    allocate 4.8 GB and abort. Ordinary RDF/XML uses entities as namespace abbreviations
    (``&xsd;``), which expand to a few hundred characters; this computes the full expansion of
    every declared entity (linear in the DTD, memoised) and refuses past
    :data:`ENTITY_EXPANSION_LIMIT`, a reference cycle, a parameter entity or an external one.
    ``head`` is the start of the document (:data:`PROLOG_BYTES` are enough).
    """
    doctype = _DOCTYPE_RE.search(head)
    if doctype is None:
        if b"<!ENTITY" in head:
            raise EntityBomb(f"{label}: an entity declaration outside a readable DOCTYPE; refused")
        return
    values: dict[bytes, bytes] = {}
    for found in _ENTITY_RE.finditer(doctype.group(1)):
        if found.group(1) or found.group(3):
            kind = "parameter" if found.group(1) else "external"
            name = found.group(2).decode(errors="replace")
            raise EntityBomb(
                f"{label}: the DTD declares a {kind} entity {name!r}; "
                "refused (only plain internal entities are read)"
            )
        values[found.group(2)] = found.group(4)[1:-1]
    if doctype.group(1).count(b"<!ENTITY") != len(values):
        raise EntityBomb(f"{label}: an entity declaration that cannot be read safely; refused")
    sizes: dict[bytes, int] = {}

    def size(name: bytes, stack: tuple[bytes, ...]) -> int:
        if name in sizes:
            return sizes[name]
        if name in stack:
            raise EntityBomb(f"{label}: entity {name.decode(errors='replace')!r} refers to itself")
        value = values.get(name)
        if value is None:  # a predefined entity (&amp;) or an undeclared one: the parser's business
            return 1
        total = len(_REFERENCE_RE.sub(b"", value))
        for ref in _REFERENCE_RE.findall(value):
            total += size(ref, (*stack, name))
            if total > ENTITY_EXPANSION_LIMIT:
                break
        sizes[name] = total
        return total

    total = 0
    for name in values:
        total += size(name, ())
        if total > ENTITY_EXPANSION_LIMIT:
            raise EntityBomb(
                f"{label}: the DTD's entities expand to more than {ENTITY_EXPANSION_LIMIT:,} "
                "characters (an entity-expansion bomb); refused"
            )


def check_xml_file(path: Path) -> None:
    """:func:`check_xml_entities` for a file on disk, when its format is RDF/XML."""
    if path.suffix.lower() in (".rdf", ".owl", ".xml"):
        try:
            with path.open("rb") as handle:
                head = handle.read(PROLOG_BYTES)
        except OSError:
            return  # the loader reports an unreadable file with its own message
        check_xml_entities(str(path), head)


def format_of(path: Path) -> tuple[ox.RdfFormat, str]:
    """The parser formats for a file, chosen by its suffix (ignoring a trailing .gz)."""
    suffix = path.suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise RDFSyntaxError(
            str(path), None, None, f"unknown RDF file suffix {suffix!r} (known: {known})"
        ) from None


def _parse(path: Path, data: bytes | None = None) -> Iterator[ox.Quad]:
    """pyoxigraph's quads of a file; RDFSyntaxError naming file, line and column if it fails."""
    ox_format, _ = format_of(path)
    try:
        payload = data if data is not None else path.read_bytes()
    except OSError as exc:
        raise RDFSyntaxError(str(path), None, None, f"cannot read file: {exc.strerror}") from exc
    if ox_format == ox.RdfFormat.RDF_XML:
        check_xml_entities(str(path), payload[:PROLOG_BYTES])
    try:
        yield from ox.parse(payload, format=ox_format, base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        message = exc.msg or str(exc)
        raise RDFSyntaxError(str(path), exc.lineno, exc.offset, message) from exc
    except ValueError as exc:  # e.g. invalid UTF-8
        raise RDFSyntaxError(str(path), None, None, str(exc)) from exc


def check_syntax(path: Path, data: bytes | None = None) -> None:
    """Raise RDFSyntaxError naming file, line and column when the file does not parse."""
    for _ in _parse(path, data):
        pass


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as the equal rdflib term (no parsing; plain literals stay plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def from_rdflib(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


class _Terms:
    """pyoxigraph terms as the equal rdflib terms, for one document.

    Each term is converted once (a graph repeats its IRIs thousands of times), and each blank
    node label becomes a fresh rdflib blank node: labels are scoped to their document, as
    rdflib's own parsers scope them.
    """

    def __init__(self, path: Path) -> None:
        self._path = str(path)
        self._seen: dict[object, Node] = {}

    def __call__(self, term: object) -> Node:
        found = self._seen.get(term)
        if found is None:
            found = self._seen[term] = self._convert(term)
        return found

    def _convert(self, term: object) -> Node:
        if isinstance(term, ox.BlankNode):
            return BNode()
        try:
            return to_rdflib(term)
        except TypeError:
            message = f"an RDF 1.2 triple term ({term}): not read"
            raise RDFSyntaxError(self._path, None, None, message) from None


#: The formats read by pyoxigraph alone (ten times faster than rdflib's parsers, and the same
#: triples); RDF/XML and JSON-LD still go through rdflib, whose readings tests pin down.
_FAST = {ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}
#: A literal typed xsd:string in so many words: pyoxigraph reads it as the plain literal it
#: equals in RDF 1.1, rdflib keeps the datatype (and SHACL reports it), so such a file is read
#: by rdflib. Any datatype whose name ends in "string" counts: a false alarm only costs time.
_TYPED_STRING_RE = re.compile(rb"\^\^\s*(<[^>]*string>|[-\w.]*:string\b)")


def _fast(path: Path) -> bytes | None:
    """The file's bytes when pyoxigraph reads it as rdflib would, else None."""
    if format_of(path)[0] not in _FAST:
        return None
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise RDFSyntaxError(str(path), None, None, f"cannot read file: {exc.strerror}") from exc
    return None if _TYPED_STRING_RE.search(payload) else payload


def add_file(graph: Graph, path: Path) -> Graph:
    """Add the triples of an RDF file (every graph of a dataset file, merged) to ``graph``.

    The triples go to the store directly: ``Graph.add`` re-checks every term, which costs more
    than the parse.
    """
    payload = _fast(path)
    if payload is None:
        for triple in read_graph(path):
            graph.add(triple)
        return graph
    term, store = _Terms(path), graph.store
    for quad in _parse(path, payload):
        store.add((term(quad.subject), term(quad.predicate), term(quad.object)), graph)
    return graph


def read_named_graphs(path: Path) -> dict[str, Graph]:
    """The named graphs of an N-Quads or TriG file as rdflib graphs, by graph IRI (the default
    graph's triples are not returned)."""
    payload = _fast(path)
    graphs: dict[str, Graph] = {}
    if payload is None:
        check_syntax(path)
        dataset = Dataset()
        dataset.parse(path, format=format_of(path)[1])
        for s, p, o, g in dataset.quads():
            if isinstance(g, URIRef) and g != DATASET_DEFAULT_GRAPH_ID:
                graphs.setdefault(str(g), Graph()).add((s, p, o))
        return graphs
    term = _Terms(path)
    for quad in _parse(path, payload):
        name = quad.graph_name
        if not isinstance(name, ox.NamedNode):
            continue
        graph = graphs.get(name.value)
        if graph is None:
            graph = graphs[name.value] = Graph()
        graph.store.add((term(quad.subject), term(quad.predicate), term(quad.object)), graph)
    return graphs


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project prefixes so every serialisation reads the same way."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def read_graph(path: Path) -> Graph:
    """Parse an RDF file into a new rdflib Graph, after a syntax check with a location.

    A dataset file (N-Quads, TriG) gives the triples of every graph it holds, merged: reading
    only its default graph would make e.g. ``validate FILE.nq`` check nothing.
    """
    check_syntax(path)
    fmt, rdflib_format = format_of(path)
    graph = bind_prefixes(Graph())
    if fmt.supports_datasets:
        dataset = Dataset()
        dataset.parse(path, format=rdflib_format)
        for s, p, o, _g in dataset.quads():
            graph.add((s, p, o))
        return graph
    graph.parse(path, format=rdflib_format)
    return graph
