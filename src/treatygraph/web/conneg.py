"""Content negotiation as data: one table of formats and one ``negotiate`` function.

The same function picks SPARQL result formats (SELECT/ASK) and RDF formats
(CONSTRUCT/DESCRIBE, service description), following RFC 9110 §12.5.1: q-values,
``type/*`` and ``*/*`` wildcards, the most specific matching range decides a type's
quality, and ``q=0`` excludes a type. Ties go to the server's preference (table order).
A ``format=`` request parameter overrides ``Accept``; it takes a short name from the
table or a full media type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from treatygraph.errors import NotAcceptable

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One serialisation the endpoint can produce."""

    name: str  #: stable identifier, also the preferred short name
    media_type: str  #: canonical media type sent in Content-Type
    kind: str  #: "results" (SELECT/ASK) or "rdf" (graphs)
    w3c_iri: str  #: http://www.w3.org/ns/formats/... (used by the service description)
    aliases: tuple[str, ...] = ()  #: other media types accepted in Accept / format=
    short_names: tuple[str, ...] = ()  #: extra format= short names

    @property
    def content_type(self) -> str:
        """Content-Type header value; text formats say they are UTF-8."""
        if self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "+json")):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        "results",
        W3C_FORMATS + "SPARQL_Results_JSON",
        ("application/json",),
        ("srj",),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "results",
        W3C_FORMATS + "SPARQL_Results_XML",
        ("application/xml", "text/xml"),
        ("srx",),
    ),
    Format("csv", "text/csv", "results", W3C_FORMATS + "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "results", W3C_FORMATS + "SPARQL_Results_TSV"),
)

RDF_FORMATS: tuple[Format, ...] = (
    Format(
        "turtle", "text/turtle", "rdf", W3C_FORMATS + "Turtle", ("application/x-turtle",), ("ttl",)
    ),
    Format(
        "ntriples",
        "application/n-triples",
        "rdf",
        W3C_FORMATS + "N-Triples",
        ("text/plain",),
        ("nt",),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "rdf",
        W3C_FORMATS + "JSON-LD",
        ("application/json",),
        ("json-ld", "json"),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        W3C_FORMATS + "RDF_XML",
        ("application/xml", "text/xml"),
        ("rdf", "xml"),
    ),
    Format("trig", "application/trig", "rdf", W3C_FORMATS + "TriG"),
    Format("nquads", "application/n-quads", "rdf", W3C_FORMATS + "N-Quads", (), ("nq",)),
)

ALL_FORMATS: tuple[Format, ...] = RESULT_FORMATS + RDF_FORMATS


def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    """Split an Accept header into (type, subtype, q) ranges; malformed ranges are skipped."""
    ranges = []
    for part in header.split(","):
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        if "/" not in media:
            if media == "*":  # some clients send a bare "*"
                media = "*/*"
            else:
                continue
        mtype, _, subtype = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((mtype, subtype, q))
    return ranges


def _match(media_type: str, ranges: list[tuple[str, str, float]]) -> tuple[int, float]:
    """(specificity, q) of the most specific range matching ``media_type``; (-1, 0) if none."""
    mtype, _, subtype = media_type.partition("/")
    best_specificity, best_q = -1, 0.0
    for rtype, rsub, q in ranges:
        if rtype == mtype and rsub == subtype:
            specificity = 2
        elif rtype == mtype and rsub == "*":
            specificity = 1
        elif rtype == "*" and rsub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_specificity, best_q


def _quality(fmt: Format, ranges: list[tuple[str, str, float]]) -> float:
    """Quality of a format: an exact range for its canonical type wins, then an exact range
    for an alias (e.g. application/json), then wildcards, which match canonical types only."""
    specificity, q = _match(fmt.media_type, ranges)
    if specificity == 2:
        return q
    alias_qs = [q2 for s2, q2 in (_match(a, ranges) for a in fmt.aliases) if s2 == 2]
    if alias_qs:
        return max(alias_qs)
    return q


def by_name(value: str, offered: Sequence[Format]) -> Format | None:
    """Resolve a ``format=`` value (short name or media type) among ``offered``."""
    key = value.strip().lower()
    key = key.split(";")[0].strip()
    for fmt in offered:
        if key in (fmt.name, *fmt.short_names, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def negotiate(
    accept: str | None, offered: Sequence[Format], format_param: str | None = None
) -> Format:
    """Pick the format to send, or raise :class:`NotAcceptable` naming what is offered.

    No Accept header (or an empty one) means the first offered format.
    """
    if format_param:
        fmt = by_name(format_param, offered)
        if fmt is None:
            raise NotAcceptable.offering(
                f"format={format_param!r} is not offered here", [f.media_type for f in offered]
            )
        return fmt
    if not accept or not accept.strip():
        return offered[0]
    ranges = _parse_accept(accept)
    if not ranges:
        return offered[0]
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        q = _quality(fmt, ranges)
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptable.offering(
            f"none of the offered types matches Accept: {accept}", [f.media_type for f in offered]
        )
    return best
