"""Reading RDF files with errors that say where the problem is.

rdflib reports Turtle errors without a column, so every file is first read by pyoxigraph,
whose parser names line and column; only a file that parses is then loaded into rdflib.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

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
        super().__init__(f"{where}: {detail}")
        self.path, self.line, self.column, self.detail = path, line, column, detail


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


def check_syntax(path: Path, data: bytes | None = None) -> None:
    """Raise RDFSyntaxError naming file, line and column when the file does not parse."""
    ox_format, _ = format_of(path)
    try:
        payload = data if data is not None else path.read_bytes()
    except OSError as exc:
        raise RDFSyntaxError(str(path), None, None, f"cannot read file: {exc.strerror}") from exc
    try:
        for _ in ox.parse(payload, format=ox_format, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as exc:
        message = exc.msg or str(exc)
        raise RDFSyntaxError(str(path), exc.lineno, exc.offset, message) from exc
    except ValueError as exc:  # e.g. invalid UTF-8
        raise RDFSyntaxError(str(path), None, None, str(exc)) from exc


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project prefixes so every serialisation reads the same way."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def read_graph(path: Path) -> Graph:
    """Parse a triples file into a new rdflib Graph, after a syntax check with a location."""
    check_syntax(path)
    _, rdflib_format = format_of(path)
    graph = bind_prefixes(Graph())
    graph.parse(path, format=rdflib_format)
    return graph
