"""Read SPARQL text without the engine: a lexical scanner and RFC 3986 IRI resolution.

pyoxigraph has no public algebra API, and rdflib's pyparsing parser is not thread-safe, costs
1-7 ms per query and accepts a different dialect than the engine. This module lets the safety
checks (:mod:`~treatygraph.sparql.safety`) and other code (the remote store's query form) read
a query the way pyoxigraph's parser does: comments, strings and IRIs are skipped, every token
keeps its offset for error messages (:func:`line_col`), and relative IRIs resolve against a
base as the engine resolves them.

pyoxigraph's grammar is a PEG without word boundaries, so :func:`tokenize` splits off only what
the parser consumes greedily (comments, strings, IRIs, variables) and leaves the rest as runs of
code between whitespace and punctuation: glued forms such as ``SERVICEex:x`` stay one run for
the caller to look into. A ``<`` directly after an operand inside parentheses may be a
less-than operator (pyoxigraph reads ``FILTER(?a<?b)SERVICE ...#>`` that way), so there it is
punctuation, not the start of an IRI.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from treatygraph.errors import InputError, QueryTimeout

#: SPARQL's PN_CHARS_BASE as a regex character-class body (the safety checks use it too)
PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf"
    "\ufdf0-\ufffd\U00010000-\U000effff"
)
_VARNAME = re.compile(
    f"[{PN_CHARS_BASE}_0-9][{PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
)
_IRIREF = re.compile(r'<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>')
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NOT_OPERANDS = frozenset({"distinct", "in", "not", "as", "separator"})
#: matches a reference that is absolute (has a scheme)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_URI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)


@dataclass
class Token:
    """One token of SPARQL text; ``pos`` is its offset in the text."""

    kind: str  #: iri, str, var, run, punct
    text: str
    pos: int
    value: str = ""  #: decoded IRI for kind == "iri"


def line_col(text: str, pos: int) -> str:
    """``line L, column C`` (1-based) of offset ``pos`` in ``text``, for error messages."""
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


#: one alternative per token kind, tried at each position (the order is the parser's)
_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)"
    r"|(?P<comment>\#[^\r\n]*)"
    r"|(?P<string>\'\'\'|\"\"\"|[\'\"])"
    r"|(?P<lt><)"
    r"|(?P<var>[?$]" + _VARNAME.pattern + r")"
    r"|(?P<punct>[{}()\[\],;.<>=!&|+*/^?$@])"
    r"|(?P<run>(?:[^ \t\r\n{}()\[\],;.\'\"<>=!&|+*/^?$@\#\\]+|\\[\s\S]?)+)"
)
#: the rest of a string literal after its opening quote(s), by opening
_STRING_REST = {
    "'''": re.compile(r"(?:[^\'\\]|\\[\s\S]|\'(?!\'\'))*\'\'\'"),
    '"""': re.compile(r'(?:[^"\\]|\\[\s\S]|"(?!""))*"""'),
    "'": re.compile(r"(?:[^\'\\\r\n]|\\[\s\S])*\'"),
    '"': re.compile(r'(?:[^"\\\r\n]|\\[\s\S])*"'),
}


class SparqlTextError(InputError):
    """SPARQL text the scanner cannot read, or will not pass on; the message says where."""

    reason = "syntax"


#: deepest bracket nesting passed on: pyoxigraph's parser recurses once per level and
#: overflowed its stack at about 3,000 levels (measured, pyoxigraph 0.5.13)
MAX_NESTING = 256
#: most operators and keywords that each add a level to the query's algebra (UNION,
#: OPTIONAL, ||, + ...): left-deep chains of 20,000 overflowed the engine's stack
MAX_CHAIN = 10_000
_CHAIN_RUNS = frozenset(
    {"union", "optional", "minus", "bind", "filter", "graph", "service", "exists", "values", "-"}
)
_CHAIN_PUNCT = frozenset("=!<>+*/|^&")


def _unescape_iri(raw: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), raw)


def tokenize(text: str, deadline: float | None = None) -> list[Token]:
    """Split SPARQL text the way pyoxigraph's parser consumes it (see module docstring).

    Linear in the text. Refuses brackets nested deeper than :data:`MAX_NESTING`, more than
    :data:`MAX_CHAIN` operators that deepen the engine's algebra, and, past ``deadline``
    (a :func:`time.monotonic` value), reading on.
    """
    tokens: list[Token] = []
    stack: list[str] = []
    prev_operand = False
    chain = 0
    i, n = 0, len(text)
    match = _TOKEN.match
    while i < n:
        m = match(text, i)
        assert m is not None  # every character starts some alternative
        kind = m.lastgroup
        j = m.end()
        if kind == "ws" or kind == "comment":
            i = j
            continue
        if deadline is not None and len(tokens) % 4096 == 0 and time.monotonic() > deadline:
            where = line_col(text, i)
            raise QueryTimeout(f"reading the query took longer than its time limit ({where})")
        if kind == "string":
            rest = _STRING_REST[m.group()].match(text, j)
            if rest is None:
                raise SparqlTextError(
                    f"unterminated string literal starting at {line_col(text, i)}"
                )
            tokens.append(Token("str", text[i : rest.end()], i))
            i, prev_operand = rest.end(), True
            continue
        if kind == "lt":
            iri = _IRIREF.match(text, i)
            in_expression = bool(stack) and stack[-1] == "(" and prev_operand
            if iri and not in_expression:
                tokens.append(Token("iri", iri.group(0), i, _unescape_iri(iri.group(1))))
                i, prev_operand = iri.end(), True
                continue
            tokens.append(Token("punct", "<", i))
            i, prev_operand = i + 1, False
            chain += 1
            continue
        if kind == "var":
            tokens.append(Token("var", m.group(), i))
            i, prev_operand = j, True
            continue
        if kind == "punct":
            c = m.group()
            if c in "({[":
                stack.append(c)
                if len(stack) > MAX_NESTING:
                    raise SparqlTextError(
                        f"the query nests brackets more than {MAX_NESTING} levels deep (at "
                        f"{line_col(text, i)}); the engine's parser cannot take that"
                    )
            elif c in ")}]" and stack:
                stack.pop()
            elif c in _CHAIN_PUNCT:
                chain += 1
            tokens.append(Token("punct", c, i))
            i, prev_operand = j, c in ")]"
        else:
            run = m.group()
            low = run.lower()
            if low in _CHAIN_RUNS:
                chain += 1
            tokens.append(Token("run", run, i))
            i, prev_operand = j, low not in _NOT_OPERANDS
        if chain > MAX_CHAIN:
            raise SparqlTextError(
                f"the query chains more than {MAX_CHAIN} operators (UNION, OPTIONAL, ||, + ...; "
                f"the last at {line_col(text, i)}); the engine cannot evaluate that deep a query"
            )
    return tokens


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if out:
                out.pop()
        elif path == "/..":
            path = "/"
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            k = path.find("/", start)
            k = len(path) if k < 0 else k
            out.append(path[:k])
            path = path[k:]
    return "".join(out)


def resolve_iri(base: str | None, ref: str) -> str | None:
    """RFC 3986 §5.2 reference resolution; ``None`` if ``ref`` is relative and no base."""
    if SCHEME.match(ref):
        return ref
    if base is None:
        return None
    b = _URI_PARTS.match(base)
    r = _URI_PARTS.match(ref)
    if b is None or r is None:  # pragma: no cover - the regex matches everything
        return None
    b_scheme, b_auth, b_path, b_query, _ = b.groups()
    _, r_auth, r_path, r_query, r_frag = r.groups()
    if r_auth is not None:
        auth, path, query = r_auth, _remove_dot_segments(r_path), r_query
    elif r_path == "":
        auth, path = b_auth, b_path
        query = r_query if r_query is not None else b_query
    else:
        auth, query = b_auth, r_query
        if r_path.startswith("/"):
            path = _remove_dot_segments(r_path)
        else:
            if b_auth is not None and b_path == "":
                merged = "/" + r_path
            else:
                merged = b_path[: b_path.rfind("/") + 1] + r_path
            path = _remove_dot_segments(merged)
    result = f"{b_scheme}:"
    if auth is not None:
        result += f"//{auth}"
    result += path
    if query is not None:
        result += f"?{query}"
    if r_frag is not None:
        result += f"#{r_frag}"
    return result
