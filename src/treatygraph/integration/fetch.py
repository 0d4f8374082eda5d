"""Getting an import's source: its bytes, its format and, for RDF, its triples, with progress.

:mod:`treatygraph.integration.imports` decides what to do with a source (map, match, validate,
write); this module only reads it: a file or an http(s) address (:func:`fetch`), an RDF parse into
one rdflib graph with stable blank-node labels (:func:`parse_rdf`), and the terminal progress line
both the parse and the CSV mapping report to (:class:`Progress`). Failures are
:class:`ImportFailure`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from treatygraph import __version__
from treatygraph.rdf.io import FORMATS, RDFSyntaxError, bind_prefixes

#: Media type -> file suffix of the format (rdfio.FORMATS), or "csv".
MEDIA_TYPES = {
    "text/turtle": ".ttl",
    "application/x-turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/n-quads": ".nq",
    "application/trig": ".trig",
    "application/rdf+xml": ".rdf",
    "application/ld+json": ".jsonld",
    "text/n3": ".n3",
    "text/csv": ".csv",
}
ACCEPT = ", ".join(
    [
        "text/turtle",
        "application/n-triples",
        "application/n-quads",
        "application/trig",
        "application/ld+json;q=0.9",
        "application/rdf+xml;q=0.9",
        "text/csv;q=0.5",
        "*/*;q=0.1",
    ]
)


class ImportFailure(Exception):
    """An import that cannot go ahead; nothing was written. ``code``: 2 input, 1 shapes."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------ fetching


@dataclass(frozen=True)
class Fetched:
    """The bytes of a source and what we know about them."""

    location: str  # the address, or the file path as given
    data: bytes
    suffix: str  # the format, as a key of rdfio.FORMATS or ".csv"
    retrieved: dt.datetime
    is_address: bool


def _suffix_of(path: str) -> str:
    return Path(urllib.parse.urlparse(path).path if "://" in path else path).suffix.lower()


def fetch(source: str, fmt: str | None, timeout: float) -> Fetched:
    """Read a file, or GET an http(s) address with a timeout; pick the format."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(
            source, headers={"Accept": ACCEPT, "User-Agent": f"treatygraph/{__version__}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read()
                media = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            raise ImportFailure(f"{source}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ImportFailure(f"{source}: cannot retrieve: {reason}") from exc
        suffix = fmt or MEDIA_TYPES.get(media) or _suffix_of(source)
        return Fetched(source, data, _known(suffix, source), now, True)
    if source.startswith("file:"):
        raise ImportFailure(f"{source}: give a file path, not a file: address")
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ImportFailure(f"{source}: cannot read: {exc.strerror}") from exc
    return Fetched(source, data, _known(fmt or _suffix_of(source), source), now, False)


def _known(suffix: str, source: str) -> str:
    suffix = suffix if suffix.startswith(".") else f".{suffix}"
    if suffix not in FORMATS and suffix != ".csv":
        known = ", ".join(sorted([*FORMATS, ".csv"]))
        raise ImportFailure(
            f"{source}: cannot tell the format ({suffix or 'no suffix'}); "
            f"use --format with one of {known}"
        )
    return suffix


# ------------------------------------------------------------------ progress


class Progress:
    """A one-line counter with rate and ETA on stderr, shown only on a terminal."""

    def __init__(self, unit: str, enabled: bool, stream: IO[str] | None = None) -> None:
        self.unit = unit
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, fraction: float) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.2:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-6)
        rate = done / elapsed
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else 0.0
        self.stream.write(
            f"\r{done:,} {self.unit}, {rate:,.0f}/s, {fraction:4.0%}, ETA {eta:5.1f}s "
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


# ------------------------------------------------------------------ parsing


class _CountingReader(io.RawIOBase):
    """A byte stream that counts what the parser consumed, for the progress fraction."""

    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        count = self.inner.readinto(buffer)
        self.consumed += count
        return count


def _term(term: object, name: str, blanks: dict[str, BNode]) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        # Labels by first appearance, scoped by graph name: stable output, no clash between
        # import files loaded into one store.
        return blanks.setdefault(term.value, BNode(f"{name}-b{len(blanks)}"))
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise ImportFailure(f"unsupported RDF term {term!r} (RDF-star triple terms are not imported)")


def parse_rdf(fetched: Fetched, name: str, progress: Progress) -> tuple[Graph, int]:
    """Parse any RDF format into one graph; quads lose their graph name. Returns (graph, named)."""
    ox_format, _ = FORMATS[fetched.suffix]
    base = fetched.location if fetched.is_address else Path(fetched.location).resolve().as_uri()
    graph = bind_prefixes(Graph())
    blanks: dict[str, BNode] = {}
    reader = _CountingReader(fetched.data)
    total = max(len(fetched.data), 1)
    named = 0
    rdflib_log = logging.getLogger("rdflib.term")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.ERROR)  # ill-typed literals are SHACL's to report, not rdflib's
    try:
        for count, quad in enumerate(
            ox.parse(io.BufferedReader(reader), format=ox_format, base_iri=base),  # type: ignore[type-var]
            start=1,
        ):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                named += 1
            graph.add(
                (
                    _term(quad.subject, name, blanks),
                    _term(quad.predicate, name, blanks),
                    _term(quad.object, name, blanks),
                )
            )
            if count % 1000 == 0:
                progress(count, reader.consumed / total)
    except SyntaxError as exc:
        raise ImportFailure(
            str(RDFSyntaxError(fetched.location, exc.lineno, exc.offset, exc.msg or str(exc)))
        ) from exc
    except ValueError as exc:
        raise ImportFailure(f"{fetched.location}: {exc}") from exc
    finally:
        rdflib_log.setLevel(level)
    return graph, named
