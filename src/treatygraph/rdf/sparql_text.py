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
from dataclasses import dataclass

from treatygraph.errors import BadRequest

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
_PUNCT = frozenset("{}()[],;.'\"<>=!&|+*/^?$@#")
_WHITESPACE = frozenset(" \t\r\n")
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


def _string_end(text: str, i: int) -> int:
    """Index just after the string literal starting at ``i`` (all four SPARQL forms)."""
    quote = text[i]
    n = len(text)
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < n:
            if text[j] == "\\":
                j += 2
            elif text.startswith(quote * 3, j):
                return j + 3
            else:
                j += 1
    else:
        j = i + 1
        while j < n:
            ch = text[j]
            if ch == "\\":
                j += 2
            elif ch == quote:
                return j + 1
            elif ch in "\r\n":
                break
            else:
                j += 1
    raise BadRequest(f"unterminated string literal starting at {line_col(text, i)}")


def _unescape_iri(raw: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), raw)


def tokenize(text: str) -> list[Token]:
    """Split SPARQL text the way pyoxigraph's parser consumes it (see module docstring)."""
    tokens: list[Token] = []
    stack: list[str] = []
    prev_operand = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _WHITESPACE:
            i += 1
            continue
        if c == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
            continue
        if c in "\"'":
            j = _string_end(text, i)
            tokens.append(Token("str", text[i:j], i))
            i, prev_operand = j, True
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            in_expression = bool(stack) and stack[-1] == "(" and prev_operand
            if m and not in_expression:
                tokens.append(Token("iri", m.group(0), i, _unescape_iri(m.group(1))))
                i, prev_operand = m.end(), True
                continue
            tokens.append(Token("punct", c, i))
            i, prev_operand = i + 1, False
            continue
        if c in "?$":
            m = _VARNAME.match(text, i + 1)
            if m:
                tokens.append(Token("var", text[i : m.end()], i))
                i, prev_operand = m.end(), True
                continue
        if c in _PUNCT:
            if c in "({[":
                stack.append(c)
            elif c in ")}]" and stack:
                stack.pop()
            tokens.append(Token("punct", c, i))
            i, prev_operand = i + 1, c in ")]"
            continue
        j = i
        while j < n:
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if ch in _WHITESPACE or ch in _PUNCT:
                break
            j += 1
        run = text[i:j]
        tokens.append(Token("run", run, i))
        i, prev_operand = j, run.lower() not in _NOT_OPERANDS
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
