"""A small declarative CSV-to-RDF mapping, written in TOML (see docs/integration.md).

Why not RML: the RML engine on PyPI (morph-kgc 2.10) pins pyoxigraph<0.4 and rdflib<7.3,
which this project cannot install beside its own pins, and RML engines neither check a cell
against its datatype nor report a row. This format says only what our imports need: one subject
per row from a template, its classes, and per column a predicate with a datatype or an IRI
template. Every error names the file, the line and the column.

    [subject]
    template = "https://example.org/treaty-status/{record_id}"
    classes = ["tg:Event"]

    [[column]]
    name = "date"
    predicate = "tg:date"
    datatype = "tg:PartialDate"     # xsd:date, xsd:gYearMonth or xsd:gYear, by lexical form
    required = true
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from treatygraph.errors import InputError
from treatygraph.rdf.io import bind_prefixes
from treatygraph.rdf.iris import PREFIXES, TG

KINDS = ("literal", "iri", "iri-or-literal")
COLUMN_KEYS = {
    "name",
    "predicate",
    "kind",
    "datatype",
    "lang",
    "template",
    "required",
    "separator",
    "link",
}
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
ABSOLUTE_IRI_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")

DATE_RE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
YEAR_MONTH_RE = re.compile(r"^(-?\d{4,})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
YEAR_RE = re.compile(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$")
INTEGER_RE = re.compile(r"^[+-]?\d+$")
DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class MappingError(InputError):
    """A mapping or CSV problem, located as ``file:line: column 'x': problem``."""


def _check_date(value: str) -> str | None:
    """Why ``value`` is not an xsd:date, or None when it is one."""
    found = DATE_RE.match(value)
    if not found:
        return "expected YYYY-MM-DD"
    year, month, day = (int(found.group(i)) for i in (1, 2, 3))
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        return str(exc)
    return None


def _check_year_month(value: str) -> str | None:
    found = YEAR_MONTH_RE.match(value)
    if not found:
        return "expected YYYY-MM"
    return None if 1 <= int(found.group(2)) <= 12 else "month must be in 1..12"


def _check_datetime(value: str) -> str | None:
    if "T" not in value:
        return "expected YYYY-MM-DDThh:mm:ss"
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        return str(exc)
    return None


def _pattern(regex: re.Pattern[str], expected: str) -> Callable[[str], str | None]:
    return lambda value: None if regex.match(value) else expected


#: Datatypes the mapping can produce, each with the check of its lexical form.
CHECKS: dict[URIRef, Callable[[str], str | None]] = {
    XSD.string: lambda value: None,
    XSD.date: _check_date,
    XSD.gYearMonth: _check_year_month,
    XSD.gYear: _pattern(YEAR_RE, "expected YYYY"),
    XSD.dateTime: _check_datetime,
    XSD.integer: _pattern(INTEGER_RE, "expected an integer"),
    XSD.decimal: _pattern(DECIMAL_RE, "expected a decimal number"),
    XSD.boolean: _pattern(re.compile(r"^(true|false|1|0)$"), "expected true, false, 1 or 0"),
    XSD.anyURI: lambda value: None,
}


def partial_date(value: str) -> tuple[URIRef, str | None]:
    """The datatype a tg:PartialDate cell takes from its form, and what is wrong with it."""
    if DATE_RE.match(value):
        return XSD.date, _check_date(value)
    if YEAR_MONTH_RE.match(value):
        return XSD.gYearMonth, _check_year_month(value)
    if YEAR_RE.match(value):
        return XSD.gYear, None
    return XSD.date, "expected YYYY-MM-DD, YYYY-MM or YYYY"


@dataclass(frozen=True)
class Column:
    """How one CSV column becomes triples about the row's subject."""

    name: str
    predicate: URIRef
    kind: str = "literal"
    datatype: URIRef | None = None
    lang: str | None = None
    template: str = "{}"
    required: bool = False
    separator: str | None = None
    link: bool = False


@dataclass
class Mapping:
    """A parsed mapping file."""

    path: str
    subject_template: str
    classes: list[URIRef]
    columns: list[Column]
    prefixes: dict[str, str] = field(default_factory=dict)

    def subject_columns(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.subject_template)


def expand(curie: str, prefixes: dict[str, str], where: str) -> URIRef:
    """A CURIE (``tg:date``) or an absolute IRI, as an IRI."""
    if curie.startswith(("http://", "https://", "urn:")):
        return URIRef(curie)
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in prefixes:
        known = ", ".join(sorted(prefixes))
        raise MappingError(
            f"{where}: {curie!r} is not an IRI or a CURIE with a known prefix ({known})"
        )
    return URIRef(prefixes[prefix] + local)


def expand_template(template: str, prefixes: dict[str, str]) -> str:
    """Expand the CURIE prefix of an IRI template (``tgid:{}``) once, at load time."""
    prefix, sep, rest = template.partition(":")
    if sep and prefix in prefixes and not rest.startswith("//"):
        return prefixes[prefix] + rest
    return template


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file (not yet against a CSV header)."""
    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{where}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{where}: not valid TOML: {exc}") from exc
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    extra = raw.get("prefixes", {})
    if not isinstance(extra, dict):
        raise MappingError(f"{where}: [prefixes] must be a table of prefix = namespace")
    prefixes.update({str(k): str(v) for k, v in extra.items()})
    subject = raw.get("subject")
    if not isinstance(subject, dict) or not isinstance(subject.get("template"), str):
        raise MappingError(
            f'{where}: [subject] needs a template, e.g. "https://example.org/{{id}}"'
        )
    template = expand_template(subject["template"], prefixes)
    if not PLACEHOLDER_RE.findall(template):
        raise MappingError(f"{where}: [subject] template names no column ({template!r})")
    classes = [
        expand(c, prefixes, f"{where}: [subject] classes") for c in subject.get("classes", [])
    ]
    entries = raw.get("column", [])
    if not isinstance(entries, list) or not entries:
        raise MappingError(f"{where}: no [[column]] entries")
    columns = [
        _column(entry, prefixes, f"{where}: [[column]] #{n}")
        for n, entry in enumerate(entries, start=1)
    ]
    return Mapping(where, template, classes, columns, prefixes)


def _column(entry: dict[str, object], prefixes: dict[str, str], where: str) -> Column:
    unknown = set(entry) - COLUMN_KEYS
    if unknown:
        raise MappingError(
            f"{where}: unknown keys {sorted(unknown)} (known: {sorted(COLUMN_KEYS)})"
        )
    name, predicate = entry.get("name"), entry.get("predicate")
    if not isinstance(name, str) or not isinstance(predicate, str):
        raise MappingError(f"{where}: needs name and predicate")
    where = f"{where} ({name!r})"
    kind = str(entry.get("kind", "iri" if "template" in entry else "literal"))
    if kind not in KINDS:
        raise MappingError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    datatype = None
    if "datatype" in entry:
        datatype = expand(str(entry["datatype"]), prefixes, where)
        if datatype not in CHECKS and datatype != TG.PartialDate:
            raise MappingError(f"{where}: unsupported datatype {entry['datatype']!r}")
        if kind == "iri":
            raise MappingError(f"{where}: an IRI column has no datatype")
    template = expand_template(str(entry.get("template", "{}")), prefixes)
    if kind != "literal" and PLACEHOLDER_RE.findall(template) != [""]:
        raise MappingError(f"{where}: template must contain exactly one {{}} for the cell value")
    separator = entry.get("separator")
    return Column(
        name=name,
        predicate=RDF.type if predicate == "a" else expand(predicate, prefixes, where),
        kind=kind,
        datatype=datatype,
        lang=str(entry["lang"]) if "lang" in entry else None,
        template=template,
        required=bool(entry.get("required", False)),
        separator=str(separator) if separator else None,
        link=bool(entry.get("link", False)),
    )


@dataclass
class Converted:
    """The triples of a CSV file and how many data rows they came from."""

    graph: Graph
    rows: int
    linked: int = 0  # cells whose outside identifier was replaced by our resource


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def convert(
    text: str,
    source: str,
    mapping: Mapping,
    links: dict[URIRef, URIRef],
    progress: Callable[[int, float], None] | None = None,
) -> Converted:
    """Map every row of a CSV text to triples; the first error stops with its place."""
    graph = bind_prefixes(Graph())
    rows = _rows(text)
    try:
        _, header = next(rows)
    except StopIteration:
        raise MappingError(f"{source}:1: the file is empty (a header row is expected)") from None
    header = [h.strip() for h in header]
    positions = {name: i for i, name in enumerate(header)}
    named = [(c.name, f"[[column]] {c.name!r}") for c in mapping.columns]
    named += [(c, "[subject] template") for c in mapping.subject_columns()]
    for name, role in named:
        if name not in positions:
            raise MappingError(
                f"{source}:1: column {name!r} named by {mapping.path} ({role}) is not in the "
                f"header; the header has: {', '.join(header)}"
            )
    total_lines = max(text.count("\n"), 1)
    count = linked = 0
    seen: dict[URIRef, int] = {}
    for line, record in rows:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise MappingError(
                f"{source}:{line}: {len(record)} cells, the header has {len(header)}"
            )
        cells = {name: record[i].strip() for name, i in positions.items()}
        subject = _subject(mapping, cells, source, line)
        if subject in seen:
            raise MappingError(f"{source}:{line}: subject <{subject}> repeats line {seen[subject]}")
        seen[subject] = line
        for cls in mapping.classes:
            graph.add((subject, RDF.type, cls))
        for column in mapping.columns:
            for term in _terms(column, cells[column.name], links, f"{source}:{line}"):
                graph.add((subject, column.predicate, term))
                linked += column.link
        count += 1
        if progress is not None:
            progress(count, min(line / total_lines, 1.0))
    return Converted(graph, count, linked)


def _subject(mapping: Mapping, cells: dict[str, str], source: str, line: int) -> URIRef:
    def fill(found: re.Match[str]) -> str:
        name = found.group(1)
        if not cells[name]:
            raise MappingError(
                f"{source}:{line}: column {name!r}: empty, but the subject template needs it"
            )
        return quote(cells[name], safe="")

    return URIRef(PLACEHOLDER_RE.sub(fill, mapping.subject_template))


def _terms(
    column: Column, cell: str, links: dict[URIRef, URIRef], where: str
) -> list[URIRef | Literal]:
    at = f"{where}: column {column.name!r}"
    if not cell:
        if column.required:
            raise MappingError(f"{at}: empty, but the mapping requires a value")
        return []
    values = [v.strip() for v in cell.split(column.separator)] if column.separator else [cell]
    terms: list[URIRef | Literal] = []
    for value in values:
        if not value:
            continue
        if column.kind == "iri" or (
            column.kind == "iri-or-literal" and ABSOLUTE_IRI_RE.match(value)
        ):
            iri_text = column.template.replace("{}", quote(value, safe=":/#?=&%@+,;~"), 1)
            if column.kind == "iri-or-literal":
                iri_text = value
            if not ABSOLUTE_IRI_RE.match(iri_text) and not iri_text.startswith("urn:"):
                raise MappingError(f"{at}: {value!r} does not make an absolute IRI ({iri_text!r})")
            iri = URIRef(iri_text)
            if column.link:
                if iri not in links:
                    raise MappingError(
                        f"{at}: <{iri}> is linked to no treatygraph resource "
                        "(graph/alignments has no skos:exactMatch to it)"
                    )
                iri = links[iri]
            terms.append(iri)
        elif column.lang:
            terms.append(Literal(value, lang=column.lang))
        elif column.datatype is None or column.datatype == XSD.string:
            terms.append(Literal(value))
        else:
            datatype = column.datatype
            if datatype == TG.PartialDate:
                datatype, problem = partial_date(value)
                name = "tg:PartialDate (xsd:date, xsd:gYearMonth or xsd:gYear)"
            else:
                problem = CHECKS[datatype](value)
                name = f"xsd:{datatype[len(str(XSD)) :]}"
            if problem is not None:
                raise MappingError(f"{at}: {value!r} is not a valid {name}: {problem}")
            terms.append(Literal(value, datatype=datatype))
    return terms
