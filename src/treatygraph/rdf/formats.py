"""The one table of formats: every serialisation we read or write, derived from pyoxigraph.

pyoxigraph's :class:`~pyoxigraph.RdfFormat` and :class:`~pyoxigraph.QueryResultsFormat` already
carry each format's media type, file extension and W3C IRI; a :class:`Format` wraps one of them
and adds only what is ours: the short name used in ``format=`` and on the command line, other
media types and names clients send for it, and other file extensions it is read from. The two
page formats (HTML, plain JSON) have no pyoxigraph object. Lookups are always among the formats
a caller offers, so ``json`` means SPARQL JSON results for a SELECT and JSON-LD for a graph.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

Kind = Literal["results", "rdf", "page"]


@dataclass(frozen=True)
class Format:
    """One serialisation: pyoxigraph's facts about it plus our local names."""

    name: str  #: our short name (also accepted as ``format=`` and ``--format``)
    kind: Kind
    media_type: str  #: canonical media type, without parameters
    extension: str  #: preferred file extension (a URL suffix on linked-data pages)
    iri: str | None  #: http://www.w3.org/ns/formats/... (service description, DCAT)
    native: ox.RdfFormat | ox.QueryResultsFormat | None = None  #: pyoxigraph's own object
    aliases: tuple[str, ...] = ()  #: other media types clients send for it
    names: tuple[str, ...] = ()  #: other short names and file extensions

    @property
    def content_type(self) -> str:
        """Content-Type header value; textual formats say they are UTF-8."""
        if self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "+json")):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def rdf(self) -> ox.RdfFormat:
        """The pyoxigraph RDF format (only for ``kind == "rdf"``)."""
        assert isinstance(self.native, ox.RdfFormat), self.name
        return self.native

    @property
    def results(self) -> ox.QueryResultsFormat:
        """The pyoxigraph results format (only for ``kind == "results"``)."""
        assert isinstance(self.native, ox.QueryResultsFormat), self.name
        return self.native

    @property
    def holds_datasets(self) -> bool:
        return isinstance(self.native, ox.RdfFormat) and self.native.supports_datasets

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled by name (pyoxigraph's format objects do not pickle): jobs carry formats."""
        return (registered, (self.kind, self.name))

    def known_as(self, key: str) -> bool:
        """Whether ``key`` (lower-case) names this format: short name, extension or media type."""
        return key in (self.name, self.extension, *self.names, self.media_type, *self.aliases)


def _of(
    native: ox.RdfFormat | ox.QueryResultsFormat,
    name: str,
    aliases: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
) -> Format:
    kind: Kind = "rdf" if isinstance(native, ox.RdfFormat) else "results"
    return Format(
        name=name,
        kind=kind,
        media_type=native.media_type.split(";")[0].strip(),
        extension=native.file_extension,
        iri=native.iri,
        native=native,
        aliases=aliases,
        names=names,
    )


R = ox.QueryResultsFormat
G = ox.RdfFormat

#: SELECT and ASK answers, in the server's order of preference.
RESULTS: tuple[Format, ...] = (
    _of(R.JSON, "json", ("application/json",)),
    _of(R.XML, "xml", ("application/xml", "text/xml")),
    _of(R.CSV, "csv"),
    _of(R.TSV, "tsv"),
)
#: Graphs (CONSTRUCT, DESCRIBE, pages, dumps), in the server's order of preference.
RDF: tuple[Format, ...] = (
    _of(
        G.TURTLE,
        "turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
        ("n3",),
    ),
    _of(G.N_TRIPLES, "ntriples", ("text/plain",)),
    _of(G.JSON_LD, "jsonld", ("application/json", "application/x-json+ld"), ("json-ld", "json")),
    _of(G.RDF_XML, "rdfxml", ("application/xml", "text/xml"), ("rdf+xml", "xml", "owl")),
    _of(G.TRIG, "trig"),
    _of(G.N_QUADS, "nquads"),
)
#: Read from files only: N3 files are parsed as N3 (on the wire ``n3`` is Turtle's alias).
N3_FILES: Format = _of(G.N3, "n3")
HTML = Format("html", "page", "text/html", "html", None, aliases=("application/xhtml+xml",))
JSON = Format("json", "page", "application/json", "json", None)

#: Every format the server writes (the service description lists the RDF and results ones).
ALL: tuple[Format, ...] = RESULTS + RDF


def registered(kind: Kind, name: str) -> Format:
    """The table's format of this kind and name."""
    return next(f for f in (*ALL, N3_FILES, HTML, JSON) if f.kind == kind and f.name == name)


def find(value: str, offered: Iterable[Format]) -> Format | None:
    """The offered format a short name, extension or media type names (case-insensitive)."""
    key = value.split(";")[0].strip().lower()
    return next((f for f in offered if f.known_as(key)), None)


def named(value: str, offered: Sequence[Format] = RDF) -> Format:
    """Like :func:`find`, for command-line options: a ValueError names the choices."""
    fmt = find(value, offered)
    if fmt is None:
        what = "RDF format" if all(f.kind == "rdf" for f in offered) else "format"
        choices = ", ".join(f.name for f in offered)
        raise ValueError(f"unknown {what} {value!r}; use one of {choices}")
    return fmt


def for_path(path: str | os.PathLike[str]) -> Format | None:
    """The RDF format of a data file, by its extension (``.gz`` is not looked through)."""
    ext = Path(path).suffix.lstrip(".").lower()
    return find(ext, (*RDF, N3_FILES)) if ext != "n3" else N3_FILES


def file_extensions() -> list[str]:
    """The extensions :func:`for_path` knows, for error messages."""
    found = {N3_FILES.extension}
    for fmt in RDF:
        found |= {fmt.extension, *(n for n in fmt.names if n.isalnum() and n != "n3")}
    return sorted(found)
