"""CSV to RDF with a W3C CSVW metadata file (JSON), read with the maintained ``csvw`` package.

The metadata is standard CSVW (https://www.w3.org/TR/tabular-metadata/): ``url``, ``@id``,
common properties (``dc:title``, ``dc:license``, ...), and a ``tableSchema`` whose columns have
``name``, ``titles``, ``datatype``, ``required``, ``separator``, ``virtual``, ``suppressOutput``,
``aboutUrl``, ``propertyUrl`` and ``valueUrl``. ``csvw`` reads the metadata and parses each cell
against its datatype; the triples are made as in CSV2RDF's minimal mode
(https://www.w3.org/TR/csv2rdf/), and every subject a row makes is ``prov:wasDerivedFrom`` the
row's IRI, ``<table url>#row=N`` (N the row of the file, header included: RFC 7111, as CSV2RDF
numbers ``csvw:url``). Four annotations, prefixed ``tg:`` as CSVW allows for non-core ones, add
what the standard has no word for (docs/integration.md):

- ``"tg:reconcile": {"class": "tg:State", "exceptions": [...]}``: the cell is a *name*, matched
  exactly to the label or altLabel of one of our resources of that class; in templates the column
  stands for that resource's slug. An exception maps a name to another resource when another
  column is below a bound (``Russia`` before 1992 is ``tgid:soviet-union``);
- ``"tg:valueColumn": "year"`` on a virtual column: its value is that column's literal (CSVW's
  virtual columns can only make IRIs, and a wide table makes several observations per row);
- ``"tg:link": true``: the IRI the valueUrl makes is an outside identifier (``wd:Q30``) and is
  replaced by our resource linked to it;
- ``"tg:datatype": "tg:PartialDate"`` on a string column; ``"tg:iriIfAddress": true`` makes an
  http(s) cell an IRI and anything else a string.

Nothing is guessed: every problem (a missing column, a cell that does not parse, an empty required
cell, an unknown name, a repeated subject) is collected with file, row and column, and the caller
imports nothing if there is one (``import --report`` lists them all).
"""

from __future__ import annotations

import csv
import functools
import io
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csvw.metadata import URITemplate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from treatygraph.errors import InputError
from treatygraph.integration.csvw_metadata import (
    CSVW_PREFIXES,
    base_url,
    expand_curie,
    json_ld,
    load_table,
)
from treatygraph.integration.mapping import CHECKS, partial_date
from treatygraph.integration.names import Reconciler
from treatygraph.rdf.io import bind_prefixes
from treatygraph.rdf.iris import TG, TGID, slug_of

ADDRESS_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
INTEGER_TYPES = {
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "unsignedInt",
    "unsignedLong",
    "unsignedShort",
    "unsignedByte",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a table, where it is: file, row (1 = header) and column (1-based)."""

    path: str
    row: int | None
    column: int | None
    name: str | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.row is not None:
            where += f":{self.row}"
            if self.column is not None:
                where += f":{self.column}"
        named = f"column {self.name!r}: " if self.name else ""
        return f"{where}: {named}{self.message}"


class TableProblems(InputError):
    """A table that cannot be imported: all its problems, the first one in the message."""

    def __init__(self, problems: list[Problem]) -> None:
        more = (
            f" (and {len(problems) - 1} more; --report lists them all)" if len(problems) > 1 else ""
        )
        super().__init__(f"{problems[0]}{more}")
        self.problems = problems


@dataclass
class Tabled:
    """What a table became: its triples, provenance rows, and counts."""

    graph: Graph
    rows: int
    table_iri: URIRef
    row_iris: list[URIRef] = field(default_factory=list)
    linked: int = 0


@dataclass
class _Col:
    """One column of the metadata with what the conversion needs, looked up once."""

    index: int | None  # position in the header; None for a virtual column
    spec: Any  # the csvw Column
    name: str
    extras: dict[str, Any]


def convert_table(
    text: str,
    source: str,
    metadata: Path,
    project: Graph,
    links: dict[URIRef, URIRef],
    progress: Callable[[int, float], None] | None = None,
) -> Tabled:
    """Map every row to triples; raise :class:`TableProblems` listing every problem found."""
    table = load_table(metadata)
    where = str(metadata)
    problems: list[Problem] = []
    table_url = urllib.parse.urljoin(base_url(table, metadata), str(table.url))
    described = urllib.parse.urlsplit(table_url).path.rsplit("/", 1)[-1]
    given = (
        urllib.parse.urlsplit(source).path.rsplit("/", 1)[-1]
        if "://" in source
        else Path(source).name
    )
    if described != given:
        problems.append(
            Problem(source, None, None, None, f"{where} describes {described!r}, not {given!r}")
        )
    rows = _records(text)
    try:
        _, header = next(rows)
    except StopIteration:
        raise TableProblems(
            [Problem(source, 1, None, None, "empty file (a header row is expected)")]
        ) from None
    header = [h.strip() for h in header]
    columns: list[_Col] = []
    reconcilers: dict[str, Reconciler] = {}
    for spec in table.tableSchema.columns:
        extras = dict(spec.common_props)
        if spec.virtual:
            columns.append(_Col(None, spec, spec.name, extras))
            continue
        titles = [
            spec.name,
            *(spec.titles.getfirst() and [str(t) for v in spec.titles.values() for t in v] or []),
        ]
        index = next((header.index(t) for t in titles if t in header), None)
        if index is None:
            problems.append(
                Problem(
                    source,
                    1,
                    None,
                    spec.name,
                    f"named by {where} but not in the header; the header has: {', '.join(header)}",
                )
            )
            continue
        columns.append(_Col(index, spec, spec.name, extras))
        if "tg:reconcile" in extras:
            reconcilers[spec.name] = Reconciler(project, extras["tg:reconcile"], where)
    if problems and any(p.row == 1 for p in problems):
        raise TableProblems(problems)

    graph = bind_prefixes(Graph())
    graph.bind("qb", CSVW_PREFIXES["qb"])
    table_iri = URIRef(expand_curie(str(table.at_props.get("id") or table_url)))
    for key, value in table.common_props.items():
        if ":" in key and not key.startswith("tg:"):
            for term in json_ld(value):
                graph.add((table_iri, URIRef(expand_curie(key)), term))
    seen: dict[URIRef, tuple[int, str]] = {}
    row_iris: list[URIRef] = []
    count = linked = 0
    total = max(text.count("\n"), 1)
    for line, record in rows:
        if not any(cell.strip() for cell in record):
            continue
        count += 1
        if len(record) != len(header):
            problems.append(
                Problem(
                    source, line, None, None, f"{len(record)} cells, the header has {len(header)}"
                )
            )
            continue
        raw = {c.name: record[c.index].strip() for c in columns if c.index is not None}
        cells = dict(raw)
        bad = False
        for col in columns:
            if col.index is None:
                continue
            problem = _check_cell(col, raw[col.name])
            if problem:
                problems.append(Problem(source, line, col.index + 1, col.name, problem))
                bad = True
            elif col.name in reconcilers and raw[col.name]:
                resource, why = reconcilers[col.name].resolve(raw[col.name], raw)
                if resource is None:
                    problems.append(Problem(source, line, col.index + 1, col.name, why))
                    bad = True
                else:
                    cells[col.name] = slug_of(str(resource)) or str(resource)
        if bad:
            continue
        row_iri = URIRef(f"{table_url}#row={line}")
        subjects: set[URIRef | BNode] = set()
        row_node = BNode()
        for col in columns:
            if col.spec.suppressOutput:
                continue
            subject = _subject(col, cells, count, line, table_url, row_node)
            predicate = _predicate(col, cells, count, line, table_url)
            for found, was_linked in _objects(
                col, raw, cells, count, line, table_url, links, columns
            ):
                if isinstance(found, Problem):
                    problems.append(Problem(source, line, found.column, found.name, found.message))
                    continue
                graph.add((subject, predicate, found))
                linked += was_linked
                subjects.add(subject)
        for subject in subjects:
            if isinstance(subject, URIRef):
                if subject in seen and seen[subject][0] != line:
                    first, name = seen[subject]
                    column = next(c.index for c in columns if c.name == name) if name else None
                    problems.append(
                        Problem(
                            source,
                            line,
                            None if column is None else column + 1,
                            name or None,
                            f"<{subject}> repeats row {first}: a duplicate "
                            + (
                                "observation"
                                if (subject, RDF.type, URIRef(CSVW_PREFIXES["qb"] + "Observation"))
                                in graph
                                else "subject"
                            ),
                        )
                    )
                seen.setdefault(
                    subject,
                    (
                        line,
                        _first_column(columns, subject, cells, count, line, table_url, row_node),
                    ),
                )
            graph.add((subject, PROV.wasDerivedFrom, row_iri))
        row_iris.append(row_iri)
        if progress is not None:
            progress(count, min(line / total, 1.0))
    if problems:
        raise TableProblems(problems)
    return Tabled(graph, count, table_iri, row_iris, linked)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def _check_cell(col: _Col, value: str) -> str | None:
    """Why a cell is not acceptable to its column, or None."""
    spec = col.spec
    if not value or value in (spec.null or [""]):
        return "empty, but the column is required" if spec.required else None
    values = [v.strip() for v in value.split(spec.separator)] if spec.separator else [value]
    for item in values:
        if col.extras.get("tg:datatype") in ("tg:PartialDate", str(TG.PartialDate)):
            _, why = partial_date(item)
            if why:
                kinds = "xsd:date, xsd:gYearMonth or xsd:gYear"
                return f"{item!r} is not a tg:PartialDate ({kinds}): {why}"
            continue
        base = spec.datatype.base if spec.datatype else "string"
        check = CHECKS.get(XSD[base])
        if check is not None and base != "string":
            why = check(item)
            if why:
                return f"{item!r} is not a valid xsd:{base}: {why}"
        try:
            spec.read(item)
        except ValueError:
            return f"{item!r} is not a valid xsd:{base}" + (
                " (a whole number of 0 or more)" if base == "nonNegativeInteger" else ""
            )
    return None


def _template(tmpl: Any, cells: dict[str, str], row: int, line: int, col: _Col) -> str:
    """Expand a URI template with the row's values; the expansion of the same template with
    the same values is cached (a row makes several subjects from one aboutUrl, and constant
    templates repeat on every row; uritemplate's expansion is most of the conversion's time)."""
    context = {"_row": row, "_sourceRow": line, "_name": col.name, **cells}
    names = tmpl.variable_names
    return _expand(tmpl.uri, tuple((n, str(context.get(n, ""))) for n in names))


@functools.lru_cache(maxsize=8192)
def _expand(uri: str, values: tuple[tuple[str, str], ...]) -> str:
    return str(URITemplate(uri).expand(**dict(values)))


def _resolve(text: str, table_url: str) -> str:
    expanded = expand_curie(text)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", expanded):
        return expanded
    return urllib.parse.urljoin(table_url, expanded)


def _subject(
    col: _Col, cells: dict[str, str], row: int, line: int, table_url: str, row_node: BNode
) -> URIRef | BNode:
    tmpl = col.spec.inherit("aboutUrl")
    if tmpl is None:
        return row_node
    return URIRef(_resolve(_template(tmpl, cells, row, line, col), table_url))


def _first_column(
    columns: list[_Col],
    subject: URIRef,
    cells: dict[str, str],
    row: int,
    line: int,
    url: str,
    node: BNode,
) -> str:
    for col in columns:
        if col.index is not None and not col.spec.suppressOutput:
            if _subject(col, cells, row, line, url, node) == subject:
                return col.name
    return ""


def _predicate(col: _Col, cells: dict[str, str], row: int, line: int, table_url: str) -> URIRef:
    tmpl = col.spec.inherit("propertyUrl")
    if tmpl is None:
        return URIRef(f"{table_url}#{urllib.parse.quote(col.name)}")
    return URIRef(_resolve(_template(tmpl, cells, row, line, col), table_url))


def _objects(
    col: _Col,
    raw: dict[str, str],
    cells: dict[str, str],
    row: int,
    line: int,
    table_url: str,
    links: dict[URIRef, URIRef],
    columns: list[_Col],
) -> Iterator[tuple[URIRef | Literal | Problem, int]]:
    source_col = col
    if col.index is None and "tg:valueColumn" in col.extras:
        name = str(col.extras["tg:valueColumn"])
        source_col = next((c for c in columns if c.name == name and c.index is not None), col)
    value_url = col.spec.inherit("valueUrl")
    if col.index is None and value_url is None and source_col is col:
        return
    if value_url is not None and (col.index is None and source_col is col):
        values = [""]
    else:
        value = raw.get(source_col.name, "")
        if not value:
            return
        spec = source_col.spec
        values = [v.strip() for v in value.split(spec.separator)] if spec.separator else [value]
    for item in values:
        if value_url is not None and source_col is col:
            local = dict(cells)
            if col.index is not None and col.spec.separator:
                local[col.name] = item
            iri = URIRef(_resolve(_template(value_url, local, row, line, col), table_url))
            if col.extras.get("tg:link"):
                if iri not in links:
                    yield (
                        Problem(
                            "",
                            line,
                            None if col.index is None else col.index + 1,
                            col.name,
                            f"<{iri}> is linked to no treatygraph resource "
                            "(graph/alignments has no skos:exactMatch to it)",
                        ),
                        0,
                    )
                    continue
                yield links[iri], 1
                continue
            yield iri, 0
            continue
        yield _literal(source_col, item, cells), 0


def _literal(col: _Col, item: str, cells: dict[str, str]) -> URIRef | Literal:
    if col.extras.get("tg:iriIfAddress") and ADDRESS_RE.match(item):
        return URIRef(item)
    if "tg:reconcile" in col.extras:  # the resource the name was matched to
        return URIRef(cells[col.name] if "://" in cells[col.name] else TGID[cells[col.name]])
    if col.extras.get("tg:datatype") in ("tg:PartialDate", str(TG.PartialDate)):
        datatype, _ = partial_date(item)
        return Literal(item, datatype=datatype)
    base = col.spec.datatype.base if col.spec.datatype else "string"
    if base == "string":
        lang = col.spec.inherit("lang")
        return Literal(item, lang=lang) if lang and lang != "und" else Literal(item)
    if base in INTEGER_TYPES:
        # The cell was checked against its own type (nonNegativeInteger, say); the literal is an
        # xsd:integer because Oxigraph stores every integer subtype as xsd:integer, and the data
        # must read the same from the file and from the store.
        return Literal(str(int(item)), datatype=XSD.integer)
    return Literal(item, datatype=XSD[base])
