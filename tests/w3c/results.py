"""Parse SPARQL results (XML, JSON, TSV, CSV) and RDF graphs, and compare them as the W3C suite
requires: solution multisets up to blank-node renaming (ordered only under a top-level ORDER BY),
booleans by value, and graphs by RDF isomorphism.
"""

from __future__ import annotations

import csv
import decimal
import io
import re
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

Key = tuple  # hashable form of one RDF term
Row = dict[str, Key]

RESULT_MEDIA = {
    "xml": "application/sparql-results+xml",
    "json": "application/sparql-results+json",
    "tsv": "text/tab-separated-values",
    "csv": "text/csv",
}
RDF_MEDIA = {
    "application/n-triples": "nt",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "text/plain": "nt",  # old N-Triples media type
}
EXT_TO_RESULT = {"srx": "xml", "srj": "json", "tsv": "tsv", "csv": "csv"}
GRAPH_EXTS = {"ttl": "turtle", "nt": "nt", "rdf": "xml"}


class ResultParseError(ValueError):
    """The response body is not a valid document of the kind it claims to be."""


@dataclass
class Solutions:
    variables: list[str]
    rows: list[Row]


@dataclass
class Boolean:
    value: bool


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    XSD + n
    for n in (
        "integer",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}


def _numeric_value(lexical: str, datatype: str) -> object | None:
    """Value of a numeric literal, or None when not numeric or ill-typed.

    Literals of the *same* numeric (or boolean) datatype compare by value ("3.0E4" = "30000"
    as xsd:double, "1.0" = "1" as xsd:decimal), as Jena's result-set comparison does: the
    suite's files use one lexical form, engines print another, and the datatype (which still
    must match) is what the tests are about.
    """
    text = lexical.strip()
    if datatype == XSD + "boolean":
        return {"true": True, "1": True, "false": False, "0": False}.get(text)
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype == XSD + "decimal":
            if "e" in text.lower() or text.lower() in ("nan", "inf", "-inf", "+inf"):
                return None
            return decimal.Decimal(text).normalize()
        if datatype in (XSD + "double", XSD + "float"):
            if text in ("INF", "+INF"):
                return "INF"
            if text == "-INF":
                return "-INF"
            if text == "NaN":
                return "NaN"
            if text.lower() in ("inf", "+inf", "-inf", "nan", "infinity", "-infinity"):
                return None
            return float(text)
    except (ValueError, decimal.InvalidOperation):
        return None
    return None


def literal_key(lexical: str, datatype: str, language: str | None) -> Key:
    value = _numeric_value(lexical, datatype)
    if value is not None:
        return ("L", ("=", value), datatype, "")
    return ("L", lexical, datatype, (language or "").lower())


def term_key(t: object) -> Key:
    if isinstance(t, ox.NamedNode):
        return ("I", t.value)
    if isinstance(t, ox.BlankNode):
        return ("B", t.value)
    if isinstance(t, ox.Literal):
        return literal_key(t.value, t.datatype.value, t.language)
    if isinstance(t, ox.Triple):
        return ("T", term_key(t.subject), term_key(t.predicate), term_key(t.object))
    raise TypeError(f"unexpected term {t!r}")


def _from_oxigraph(res: object) -> Solutions | Boolean:
    if isinstance(res, ox.QueryBoolean):
        return Boolean(bool(res))
    assert isinstance(res, ox.QuerySolutions)
    names = [v.value for v in res.variables]
    rows: list[Row] = []
    for sol in res:
        row: Row = {}
        for i, name in enumerate(names):
            value = sol[i]
            if value is not None:
                row[name] = term_key(value)
        rows.append(row)
    return Solutions(names, rows)


def _parse_csv(data: bytes) -> Solutions:
    """CSV results are lossy (no datatypes, no IRI/literal distinction): keep cell text only."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    lines = list(reader)
    if not lines:
        raise ResultParseError("empty CSV document")
    names = lines[0]
    rows: list[Row] = []
    for line in lines[1:]:
        if len(line) != len(names):
            raise ResultParseError(f"CSV row has {len(line)} cells, header has {len(names)}")
        row: Row = {}
        for name, cell in zip(names, line, strict=True):
            if cell == "":
                continue  # unbound and empty string are indistinguishable in CSV
            row[name] = ("B", cell[2:]) if cell.startswith("_:") else ("S", cell)
        rows.append(row)
    return Solutions(names, rows)


def parse_results(data: bytes, fmt: str) -> Solutions | Boolean:
    """Parse a SPARQL results document; fmt is xml|json|tsv|csv."""
    if fmt == "csv":
        return _parse_csv(data)
    oxfmt = {
        "xml": ox.QueryResultsFormat.XML,
        "json": ox.QueryResultsFormat.JSON,
        "tsv": ox.QueryResultsFormat.TSV,
    }[fmt]
    try:
        return _from_oxigraph(ox.parse_query_results(data, oxfmt))
    except SyntaxError as e:
        raise ResultParseError(f"invalid {fmt} results: {e}") from e


RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"


def is_rdf_result_set(data: bytes, rdflib_format: str, base: str) -> bool:
    return RS.encode() in data and (None, None, URIRef(RS + "ResultSet")) in parse_graph(
        data, rdflib_format, base
    )


def parse_rdf_result_set(data: bytes, rdflib_format: str, base: str) -> Solutions | Boolean:
    """The DAWG result-set vocabulary (rs:ResultSet in Turtle), used by a few expected results."""
    g = parse_graph(data, rdflib_format, base)
    rs = Namespace(RS)
    rset = next(iter(g.subjects(RDF.type, rs.ResultSet)))
    boolean = g.value(rset, rs.boolean)
    if boolean is not None:
        return Boolean(bool(boolean.toPython()))
    names = [str(v) for v in g.objects(rset, rs.resultVariable)]
    indexed: list[tuple[int, Row]] = []
    for sol in g.objects(rset, rs.solution):
        row: Row = {}
        for b in g.objects(sol, rs.binding):
            row[str(g.value(b, rs.variable))] = _rdflib_key(g.value(b, rs.value))
        index = g.value(sol, rs.index)
        indexed.append((int(index) if index is not None else 0, row))
    indexed.sort(key=lambda x: x[0])
    return Solutions(names, [r for _, r in indexed])


def _rdflib_key(node: object) -> Key:
    if isinstance(node, URIRef):
        return ("I", str(node))
    if isinstance(node, BNode):
        return ("B", str(node))
    if isinstance(node, Literal):
        dt = (
            str(node.datatype)
            if node.datatype
            else (
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
                if node.language
                else XSD + "string"
            )
        )
        return literal_key(str(node), dt, node.language)
    raise TypeError(f"unexpected node {node!r}")


def results_format_of(content_type: str | None) -> str | None:
    mt = media_type(content_type)
    for fmt, media in RESULT_MEDIA.items():
        if mt == media:
            return fmt
    if mt in ("application/sparql-results+xml", "application/xml"):
        return "xml"
    if mt == "application/json":
        return "json"
    return None


def parse_graph(data: bytes, rdflib_format: str, base: str | None = None) -> Graph:
    g = Graph()
    try:
        g.parse(data=data, format=rdflib_format, publicID=base)
    except Exception as e:  # rdflib raises many unrelated types for bad input
        raise ResultParseError(f"invalid {rdflib_format} graph: {e}") from e
    return g


def graph_format_of(content_type: str | None) -> str | None:
    return RDF_MEDIA.get(media_type(content_type))


# ---------------------------------------------------------------------------------------------
# comparison


def _has_bnode(key: Key) -> bool:
    if key[0] == "B":
        return True
    return key[0] == "T" and any(_has_bnode(k) for k in key[1:])


class _Mapping:
    """A partial bijection between expected and actual blank-node labels."""

    def __init__(self) -> None:
        self.fwd: dict[str, str] = {}
        self.rev: dict[str, str] = {}

    def bind_term(self, e: Key, a: Key, added: list[str]) -> bool:
        if e[0] != a[0]:
            return False
        if e[0] == "B":
            if e[1] in self.fwd:
                return self.fwd[e[1]] == a[1]
            if a[1] in self.rev:
                return False
            self.fwd[e[1]] = a[1]
            self.rev[a[1]] = e[1]
            added.append(e[1])
            return True
        if e[0] == "T":
            return all(self.bind_term(x, y, added) for x, y in zip(e[1:], a[1:], strict=True))
        return e == a

    def undo(self, added: list[str]) -> None:
        for label in added:
            del self.rev[self.fwd.pop(label)]

    def bind_row(self, e: Row, a: Row) -> list[str] | None:
        if e.keys() != a.keys():
            return None
        added: list[str] = []
        for var, ek in e.items():
            if not self.bind_term(ek, a[var], added):
                self.undo(added)
                return None
        return added


def _shape(row: Row) -> tuple:
    """Row with blank nodes blurred: rows can only match rows of the same shape."""

    def blur(k: Key) -> Key:
        if k[0] == "B":
            return ("B",)
        if k[0] == "T":
            return ("T", *(blur(x) for x in k[1:]))
        return k

    return tuple(sorted((v, blur(k)) for v, k in row.items()))


def _unordered_match(expected: list[Row], actual: list[Row]) -> bool:
    ground_e = [r for r in expected if not any(_has_bnode(k) for k in r.values())]
    ground_a = [r for r in actual if not any(_has_bnode(k) for k in r.values())]
    freeze = lambda r: tuple(sorted(r.items()))  # noqa: E731
    if Counter(map(freeze, ground_e)) != Counter(map(freeze, ground_a)):
        return False
    rest_e = [r for r in expected if any(_has_bnode(k) for k in r.values())]
    rest_a = [r for r in actual if any(_has_bnode(k) for k in r.values())]
    if len(rest_e) != len(rest_a):
        return False
    if Counter(map(_shape, rest_e)) != Counter(map(_shape, rest_a)):
        return False
    mapping = _Mapping()
    used = [False] * len(rest_a)
    budget = [200_000]

    def search(i: int) -> bool:
        if i == len(rest_e):
            return True
        budget[0] -= 1
        if budget[0] < 0:
            raise RuntimeError("blank-node matching gave up (search budget exhausted)")
        shape = _shape(rest_e[i])
        for j, a in enumerate(rest_a):
            if used[j] or _shape(a) != shape:
                continue
            added = mapping.bind_row(rest_e[i], a)
            if added is None:
                continue
            used[j] = True
            if search(i + 1):
                return True
            used[j] = False
            mapping.undo(added)
        return False

    return search(0)


def _ordered_match(expected: list[Row], actual: list[Row]) -> bool:
    mapping = _Mapping()
    return len(expected) == len(actual) and all(
        mapping.bind_row(e, a) is not None for e, a in zip(expected, actual, strict=True)
    )


def compare_solutions(expected: Solutions, actual: Solutions, ordered: bool) -> str | None:
    """None when equal, else a short explanation."""
    if set(expected.variables) != set(actual.variables):
        return f"variables differ: expected {expected.variables}, got {actual.variables}"
    if len(expected.rows) != len(actual.rows):
        return f"expected {len(expected.rows)} rows, got {len(actual.rows)}"
    if ordered:
        if _ordered_match(expected.rows, actual.rows):
            return None
        if _unordered_match(expected.rows, actual.rows):
            return "same solutions, wrong order (query has ORDER BY)"
        return "solutions differ"
    return None if _unordered_match(expected.rows, actual.rows) else "solutions differ"


def compare_graphs(expected: Graph, actual: Graph) -> str | None:
    if isomorphic(expected, actual):
        return None
    return f"graphs not isomorphic: expected {len(expected)} triples, got {len(actual)}"


def _show(k: Key) -> str:
    if k[0] == "I":
        return f"<{k[1]}>"
    if k[0] == "B":
        return f"_:{k[1]}"
    if k[0] == "S":
        return repr(k[1])
    if k[0] == "L":
        lex = k[1][1] if isinstance(k[1], tuple) else k[1]
        suffix = f"@{k[3]}" if k[3] else f"^^<{k[2]}>"
        return f'"{lex}"{suffix}'
    return str(k)


def _show_row(row: Row, variables: list[str]) -> str:
    return " ".join(f"?{v}={_show(row[v])}" if v in row else f"?{v}=UNDEF" for v in variables)


def diff_rows(expected: Solutions, actual: Solutions, limit: int = 15) -> str:
    """Rows only in expected / only in actual (blank nodes blurred), for failure messages."""
    ce, ca = Counter(map(_shape, expected.rows)), Counter(map(_shape, actual.rows))
    variables = expected.variables or actual.variables
    lines = []
    for label, rows, other in (("missing", expected.rows, ca), ("unexpected", actual.rows, ce)):
        seen: Counter = Counter()
        for r in rows:
            sh = _shape(r)
            seen[sh] += 1
            if seen[sh] > other.get(sh, 0) and len(lines) < limit:
                lines.append(f"{label}: {_show_row(r, variables)}")
    return "\n".join(lines) or "(differences only in blank-node structure or order)"


def describe_rows(sol: Solutions, limit: int = 20) -> str:
    lines = [_show_row(r, sol.variables) for r in sol.rows[:limit]]
    if len(sol.rows) > limit:
        lines.append(f"... {len(sol.rows) - limit} more")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# query text inspection

_TOKEN = re.compile(
    r"""(\#[^\n]*)                                   # comment
      |("{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}            # long strings
      |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')      # short strings
      |(<[^<>"{}|^`\\\s]*>)                          # IRI
      |([{}])                                        # braces
      |([A-Za-z_]+)                                  # words
    """,
    re.VERBOSE,
)


def _top_level_words(query: str) -> list[str]:
    depth = 0
    words: list[str] = []
    for m in _TOKEN.finditer(query):
        brace, word = m.group(4), m.group(5)
        if brace == "{":
            depth += 1
        elif brace == "}":
            depth -= 1
        elif word and depth == 0:
            words.append(word.upper())
    return words


def has_top_level_order_by(query: str) -> bool:
    words = _top_level_words(query)
    return any(a == "ORDER" and b == "BY" for a, b in zip(words, words[1:], strict=False))


def has_dataset_clause(query: str) -> bool:
    """FROM / FROM NAMED in the query: then the query, not the protocol, sets the dataset."""
    return "FROM" in _top_level_words(query)
