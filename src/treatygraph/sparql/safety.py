"""Pre-flight checks run on every query and update BEFORE the engine sees it.

pyoxigraph follows ``SERVICE`` and ``LOAD`` out over the network (measured: both open a
TCP connection), and has no public algebra API. So we scan the text ourselves, with a
scanner built to agree with pyoxigraph's parser, and refuse:

* ``SERVICE`` unless its endpoint IRI (after PREFIX/BASE resolution) is in
  ``SERVICE_ALLOWLIST``; ``SERVICE ?var`` is always refused;
* ``FROM`` / ``FROM NAMED`` (and protocol dataset IRIs) naming a graph the store
  does not hold (so nothing is ever fetched and typos are reported);
* ``LOAD`` in updates, always.

Why a scanner and not rdflib's parser: rdflib's pyparsing parser is not thread-safe,
costs 1-7 ms per query, and accepts a different dialect than the engine. Why it is
safe: pyoxigraph's grammar is a PEG without word boundaries, so it accepts glued forms
such as ``SERVICEex:x``, ``SERVICESILENT<...>``, ``1SERVICE <...>`` or ``FROMNAMED<g>``
(all measured). The scanner therefore does not look for whole-word keywords: it blanks
out only what pyoxigraph consumes greedily (comments, strings, IRIs, variables, the
local part of prefixed names) and treats *any* case-insensitive occurrence of
``service``/``from``/``load`` in the remaining code as the keyword. A ``<`` directly
after an operand inside parentheses may be a less-than operator (pyoxigraph reads
``FILTER(?a<?b)SERVICE ...#>`` that way), so there the scanner reads on as code instead
of skipping an IRI. When in doubt it refuses: the cost is a rare false refusal (e.g. a
prefix *named* ``fromage:``) with a message saying why, never an outbound request.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from treatygraph.errors import BadRequest, UnsafeQuery

_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
                  "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf"
                  "\ufdf0-\ufffd\U00010000-\U000effff")
_VARNAME = re.compile(f"[{_PN_CHARS_BASE}_0-9][{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f"
                      "\u203f-\u2040]*")
_PN_LOCAL_START = re.compile(f"[{_PN_CHARS_BASE}_0-9:%\\\\]")
_IRIREF = re.compile(r'<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>')
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PLX_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
_PUNCT = frozenset("{}()[],;.'\"<>=!&|+*/^?$@#")
_WHITESPACE = frozenset(" \t\r\n")
_NOT_OPERANDS = frozenset({"distinct", "in", "not", "as", "separator"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_URI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$",
                        re.S)


@dataclass
class Token:
    kind: str  #: iri, str, var, run, punct
    text: str
    pos: int
    value: str = ""  #: decoded IRI for kind == "iri"


@dataclass
class ScanResult:
    """What the checks found; ``from_graphs``/``from_named`` are resolved IRIs."""

    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    has_using: bool = False  #: update has USING / USING NAMED / WITH
    where_positions: list[int] = field(default_factory=list)  #: top-level WHERE (updates)
    delete_where: bool = False

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def _line_col(text: str, pos: int) -> str:
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
    raise BadRequest(f"unterminated string literal starting at {_line_col(text, i)}")


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
                tokens.append(Token("var", text[i:m.end()], i))
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
    if _SCHEME.match(ref):
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


class _Checker:
    def __init__(self, text: str, *, base_iri: str | None, allowlist: Sequence[str],
                 update: bool) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.base = base_iri
        self.allowlist = frozenset(allowlist)
        self.update = update
        self.prefixes: dict[str, str] = {}
        self.declared: Counter[str] = Counter()
        self.result = ScanResult()

    # -- helpers -------------------------------------------------------------------
    def _tok(self, k: int) -> Token | None:
        return self.tokens[k] if k < len(self.tokens) else None

    def _pname_at(self, k: int) -> tuple[str, int]:
        """A prefixed name starting at token k, re-joining ``a.b`` split on dots."""
        tok = self.tokens[k]
        text, end, k2 = tok.text, tok.pos + len(tok.text), k + 1
        while True:
            dot, nxt = self._tok(k2), self._tok(k2 + 1)
            if (dot is not None and nxt is not None and dot.kind == "punct" and dot.text == "."
                    and dot.pos == end and nxt.kind == "run" and nxt.pos == end + 1):
                text += "." + nxt.text
                end = nxt.pos + len(nxt.text)
                k2 += 2
            else:
                return text, k2

    def _expand(self, pname: str, what: str, pos: int) -> str:
        prefix, colon, local = pname.partition(":")
        if not colon:
            raise UnsafeQuery(f"cannot tell which IRI {what} at {_line_col(self.text, pos)} "
                              f"names ({pname!r} is not an IRI or prefixed name); refused")
        if prefix not in self.prefixes:
            raise UnsafeQuery(f"{what} at {_line_col(self.text, pos)} uses undeclared prefix "
                              f"{prefix + ':'!r}; refused")
        if self.declared[prefix] > 1:
            raise UnsafeQuery(f"{what} at {_line_col(self.text, pos)} uses prefix "
                              f"{prefix + ':'!r}, which is declared more than once; refused")
        return self.prefixes[prefix] + _PLX_ESCAPE.sub(r"\1", local)

    def _resolve(self, tok: Token, what: str) -> str:
        iri = resolve_iri(self.base, tok.value)
        if iri is None:
            raise UnsafeQuery(f"relative IRI {tok.text} in {what} at "
                              f"{_line_col(self.text, tok.pos)} has no base IRI; refused")
        return iri

    def _target(self, rest: str, k: int, pos: int, what: str, modifier: str
                ) -> tuple[str | None, bool, int]:
        """Read the IRI after a keyword. Returns (iri, modifier_seen, next token index)."""
        seen = False
        if rest.lower().startswith(modifier):
            seen, rest = True, rest[len(modifier):]
        if rest:
            return self._expand(rest, what, pos), seen, k + 1
        k += 1
        tok = self._tok(k)
        if tok is not None and tok.kind == "run" and tok.text.lower().startswith(modifier):
            seen = True
            rest = tok.text[len(modifier):]
            if rest:
                return self._expand(rest, what, tok.pos), seen, k + 1
            k += 1
            tok = self._tok(k)
        if tok is None:
            raise UnsafeQuery(f"{what} at {_line_col(self.text, pos)} has no IRI; refused")
        if tok.kind == "iri":
            return self._resolve(tok, what), seen, k + 1
        if tok.kind == "var":
            return None, seen, k + 1
        if tok.kind == "run":
            pname, k2 = self._pname_at(k)
            return self._expand(pname, what, tok.pos), seen, k2
        raise UnsafeQuery(f"cannot tell which IRI {what} at {_line_col(self.text, pos)} "
                          "names; refused")

    def _checked_portion(self, run: str) -> str:
        """The part of a run where a keyword could start (not a greedy local name)."""
        colon = run.find(":")
        if colon < 0:
            return run
        after = run[colon + 1:colon + 2]
        if after and not _PN_LOCAL_START.match(after):
            return run
        return run[:colon]

    # -- the scan ------------------------------------------------------------------
    def run(self) -> ScanResult:
        depth = 0
        k = 0
        tokens = self.tokens
        while k < len(tokens):
            tok = tokens[k]
            if tok.kind == "punct":
                if tok.text == "{":
                    depth += 1
                elif tok.text == "}":
                    depth = max(0, depth - 1)
                k += 1
                continue
            if tok.kind != "run":
                k += 1
                continue
            low = tok.text.lower()
            nxt, nxt2 = self._tok(k + 1), self._tok(k + 2)
            if (low == "prefix" and nxt is not None and nxt.kind == "run"
                    and nxt.text.endswith(":") and nxt2 is not None and nxt2.kind == "iri"):
                self._declare(nxt.text[:-1], nxt2)
                k += 3
                continue
            if (low.startswith("prefix") and low.endswith(":") and low.count(":") == 1
                    and nxt is not None and nxt.kind == "iri"):
                self._declare(tok.text[6:-1], nxt)
                k += 2
                continue
            if low == "base" and nxt is not None and nxt.kind == "iri":
                self.base = self._resolve(nxt, "BASE")
                k += 2
                continue
            if self.update:
                if low in ("using", "with"):
                    self.result.has_using = True
                elif low == "where" and depth == 0:
                    self.result.where_positions.append(tok.pos)
                    prev = tokens[k - 1] if k else None
                    if prev is not None and prev.kind == "run" and prev.text.lower() == "delete":
                        self.result.delete_where = True
            k = self._keywords(tok, k)
        return self.result

    def _declare(self, name: str, iri_tok: Token) -> None:
        self.prefixes[name] = self._resolve(iri_tok, "PREFIX")
        self.declared[name] += 1

    def _keywords(self, tok: Token, k: int) -> int:
        portion = self._checked_portion(tok.text).lower()
        next_k = k + 1
        for kw in ("service", "from", "load"):
            start = portion.find(kw)
            if start < 0:
                continue
            where = _line_col(self.text, tok.pos + start)
            if kw == "load":
                if self.update:
                    raise UnsafeQuery(f"LOAD (at {where}) is not allowed on this endpoint: "
                                      "it would fetch data from the network or files")
                continue
            rest = tok.text[start + len(kw):]
            if kw == "service":
                iri, _, k2 = self._target(rest, k, tok.pos, "SERVICE", "silent")
                if iri is None:
                    raise UnsafeQuery(f"SERVICE with a variable endpoint (at {where}) is not "
                                      "allowed: the endpoint must be an IRI on the allow-list")
                if iri not in self.allowlist:
                    allowed = (", ".join(sorted(self.allowlist)) if self.allowlist
                               else "none configured")
                    raise UnsafeQuery(f"SERVICE <{iri}> (at {where}) is not allowed: federated "
                                      f"queries may only call allow-listed endpoints "
                                      f"({allowed})")
                self.result.services.append(iri)
            else:
                iri, named, k2 = self._target(rest, k, tok.pos, "FROM", "named")
                if iri is None:
                    raise UnsafeQuery(f"FROM at {where} needs a graph IRI")
                (self.result.from_named if named else self.result.from_graphs).append(iri)
            next_k = max(next_k, k2)
        return next_k


def check_query(text: str, *, base_iri: str | None, allowlist: Sequence[str],
                graph_exists: Callable[[str], bool]) -> ScanResult:
    """Refuse unsafe queries (see module docstring); returns what the scan found."""
    result = _Checker(text, base_iri=base_iri, allowlist=allowlist, update=False).run()
    _check_graphs(result.from_graphs, "FROM", graph_exists)
    _check_graphs(result.from_named, "FROM NAMED", graph_exists)
    return result


def _check_graphs(iris: Sequence[str], what: str, graph_exists: Callable[[str], bool]) -> None:
    for iri in iris:
        if not graph_exists(iri):
            raise UnsafeQuery(f"{what} <{iri}>: no such graph in this store (graphs are never "
                              "fetched from the network; see the service description for the "
                              "graphs available)")


def check_dataset_params(default_graphs: Sequence[str], named_graphs: Sequence[str],
                         graph_exists: Callable[[str], bool]) -> None:
    """default-graph-uri / named-graph-uri must be absolute IRIs of graphs we hold."""
    for iri in (*default_graphs, *named_graphs):
        if not _SCHEME.match(iri) or any(ch in iri for ch in ' <>"{}|^`\\'):
            raise BadRequest(f"graph IRI {iri!r} is not an absolute IRI")
    _check_graphs(default_graphs, "default-graph-uri", graph_exists)
    _check_graphs(named_graphs, "named-graph-uri", graph_exists)


def check_update(text: str, *, base_iri: str | None, allowlist: Sequence[str],
                 using_graphs: Sequence[str] = (), using_named_graphs: Sequence[str] = ()
                 ) -> str:
    """Refuse unsafe updates; return the text with protocol USING clauses applied.

    SPARQL 1.1 Protocol §2.2.3: using-graph-uri / using-named-graph-uri act as USING /
    USING NAMED on every operation with a WHERE clause, and are an error when the
    update has its own USING, USING NAMED or WITH.
    """
    result = _Checker(text, base_iri=base_iri, allowlist=allowlist, update=True).run()
    if not (using_graphs or using_named_graphs):
        return text
    for iri in (*using_graphs, *using_named_graphs):
        if not _SCHEME.match(iri) or any(ch in iri for ch in ' <>"{}|^`\\'):
            raise BadRequest(f"graph IRI {iri!r} is not an absolute IRI")
    if result.has_using:
        raise BadRequest("using-graph-uri/using-named-graph-uri cannot be combined with "
                         "USING, USING NAMED or WITH in the update")
    if result.delete_where:
        raise BadRequest("using-graph-uri/using-named-graph-uri cannot apply to the "
                         "DELETE WHERE shorthand; write DELETE { ... } WHERE { ... }")
    clause = " ".join([*(f"USING <{g}>" for g in using_graphs),
                       *(f"USING NAMED <{g}>" for g in using_named_graphs)]) + " "
    for pos in reversed(result.where_positions):
        text = text[:pos] + clause + text[pos:]
    return text
