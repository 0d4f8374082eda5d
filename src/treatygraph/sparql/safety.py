"""Pre-flight checks run on every query and update BEFORE the engine sees it.

pyoxigraph follows ``SERVICE`` and ``LOAD`` out over the network (measured: both open a
TCP connection), and has no public algebra API. So we read the text ourselves, with
:mod:`~treatygraph.rdf.sparql_text` (built to agree with pyoxigraph's parser), and refuse:

* ``SERVICE`` unless its endpoint IRI (after PREFIX/BASE resolution) is in
  ``SERVICE_ALLOWLIST``; ``SERVICE ?var`` is always refused;
* ``FROM`` / ``FROM NAMED`` (and protocol dataset IRIs) naming a graph the store
  does not hold (so nothing is ever fetched and typos are reported);
* ``LOAD`` in updates, always.

Why it is safe: pyoxigraph's grammar is a PEG without word boundaries, so it accepts glued
forms such as ``SERVICEex:x``, ``SERVICESILENT<...>``, ``1SERVICE <...>`` or ``FROMNAMED<g>``
(all measured). The checks therefore do not look for whole-word keywords: the scanner takes
out only what pyoxigraph consumes greedily (comments, strings, IRIs, variables), the checks
also pass over the local part of prefixed names, and *any* case-insensitive occurrence of
``service``/``from``/``load`` in the remaining code counts as the keyword. When in doubt the
checks refuse: the cost is a rare false refusal (e.g. a prefix *named* ``fromage:``) with a
message saying why, never an outbound request.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from treatygraph.errors import BadRequest, UnsafeQuery
from treatygraph.rdf.sparql_text import (
    PN_CHARS_BASE,
    SCHEME,
    Token,
    line_col,
    resolve_iri,
    tokenize,
)

__all__ = [  # Token, tokenize and resolve_iri are re-exported from the scanner
    "ScanResult",
    "Token",
    "check_dataset_params",
    "check_query",
    "check_update",
    "resolve_iri",
    "tokenize",
]

_PN_LOCAL_START = re.compile(f"[{PN_CHARS_BASE}_0-9:%\\\\]")
_PLX_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


class _Where:
    """A position whose line and column are counted only when a message needs them: counting
    for every keyword made the scan quadratic (1 MB of ``load load …`` took 45 s)."""

    def __init__(self, text: str, pos: int) -> None:
        self.text, self.pos = text, pos

    def __str__(self) -> str:
        return line_col(self.text, self.pos)


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


class _Checker:
    def __init__(
        self,
        text: str,
        *,
        base_iri: str | None,
        allowlist: Sequence[str],
        update: bool,
        time_limit: float | None = None,
    ) -> None:
        self.text = text
        deadline = None if time_limit is None else time.monotonic() + time_limit
        self.tokens = tokenize(text, deadline)
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
            if (
                dot is not None
                and nxt is not None
                and dot.kind == "punct"
                and dot.text == "."
                and dot.pos == end
                and nxt.kind == "run"
                and nxt.pos == end + 1
            ):
                text += "." + nxt.text
                end = nxt.pos + len(nxt.text)
                k2 += 2
            else:
                return text, k2

    def _expand(self, pname: str, what: str, pos: int) -> str:
        prefix, colon, local = pname.partition(":")
        if not colon:
            raise UnsafeQuery(
                f"cannot tell which IRI {what} at {line_col(self.text, pos)} "
                f"names ({pname!r} is not an IRI or prefixed name); refused"
            )
        if prefix not in self.prefixes:
            raise UnsafeQuery(
                f"{what} at {line_col(self.text, pos)} uses undeclared prefix "
                f"{prefix + ':'!r}; refused"
            )
        if self.declared[prefix] > 1:
            raise UnsafeQuery(
                f"{what} at {line_col(self.text, pos)} uses prefix "
                f"{prefix + ':'!r}, which is declared more than once; refused"
            )
        return self.prefixes[prefix] + _PLX_ESCAPE.sub(r"\1", local)

    def _resolve(self, tok: Token, what: str) -> str:
        iri = resolve_iri(self.base, tok.value)
        if iri is None:
            raise UnsafeQuery(
                f"relative IRI {tok.text} in {what} at "
                f"{line_col(self.text, tok.pos)} has no base IRI; refused"
            )
        return iri

    def _target(
        self, rest: str, k: int, pos: int, what: str, modifier: str
    ) -> tuple[str | None, bool, int]:
        """Read the IRI after a keyword. Returns (iri, modifier_seen, next token index)."""
        seen = False
        if rest.lower().startswith(modifier):
            seen, rest = True, rest[len(modifier) :]
        if rest:
            return self._expand(rest, what, pos), seen, k + 1
        k += 1
        tok = self._tok(k)
        if tok is not None and tok.kind == "run" and tok.text.lower().startswith(modifier):
            seen = True
            rest = tok.text[len(modifier) :]
            if rest:
                return self._expand(rest, what, tok.pos), seen, k + 1
            k += 1
            tok = self._tok(k)
        if tok is None:
            raise UnsafeQuery(f"{what} at {line_col(self.text, pos)} has no IRI; refused")
        if tok.kind == "iri":
            return self._resolve(tok, what), seen, k + 1
        if tok.kind == "var":
            return None, seen, k + 1
        if tok.kind == "run":
            pname, k2 = self._pname_at(k)
            return self._expand(pname, what, tok.pos), seen, k2
        raise UnsafeQuery(
            f"cannot tell which IRI {what} at {line_col(self.text, pos)} names; refused"
        )

    def _checked_portion(self, run: str) -> str:
        """The part of a run where a keyword could start (not a greedy local name)."""
        colon = run.find(":")
        if colon < 0:
            return run
        after = run[colon + 1 : colon + 2]
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
            if (
                low == "prefix"
                and nxt is not None
                and nxt.kind == "run"
                and nxt.text.endswith(":")
                and nxt2 is not None
                and nxt2.kind == "iri"
            ):
                self._declare(nxt.text[:-1], nxt2)
                k += 3
                continue
            if (
                low.startswith("prefix")
                and low.endswith(":")
                and low.count(":") == 1
                and nxt is not None
                and nxt.kind == "iri"
            ):
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
            where = _Where(self.text, tok.pos + start)
            if kw == "load":
                if self.update:
                    raise UnsafeQuery(
                        f"LOAD (at {where}) is not allowed on this endpoint: "
                        "it would fetch data from the network or files"
                    )
                continue
            rest = tok.text[start + len(kw) :]
            if kw == "service":
                iri, _, k2 = self._target(rest, k, tok.pos, "SERVICE", "silent")
                if iri is None:
                    raise UnsafeQuery(
                        f"SERVICE with a variable endpoint (at {where}) is not "
                        "allowed: the endpoint must be an IRI on the allow-list"
                    )
                if iri not in self.allowlist:
                    allowed = (
                        ", ".join(sorted(self.allowlist)) if self.allowlist else "none configured"
                    )
                    raise UnsafeQuery(
                        f"SERVICE <{iri}> (at {where}) is not allowed: federated "
                        f"queries may only call allow-listed endpoints "
                        f"({allowed})"
                    )
                self.result.services.append(iri)
            else:
                iri, named, k2 = self._target(rest, k, tok.pos, "FROM", "named")
                if iri is None:
                    raise UnsafeQuery(f"FROM at {where} needs a graph IRI")
                (self.result.from_named if named else self.result.from_graphs).append(iri)
            next_k = max(next_k, k2)
        return next_k


def check_query(
    text: str,
    *,
    base_iri: str | None,
    allowlist: Sequence[str],
    graph_exists: Callable[[str], bool],
    time_limit: float | None = None,
) -> ScanResult:
    """Refuse unsafe queries (see module docstring); returns what the scan found.

    Linear in the text; ``time_limit`` (the query's own, in seconds) bounds it too.
    """
    checker = _Checker(
        text, base_iri=base_iri, allowlist=allowlist, update=False, time_limit=time_limit
    )
    result = checker.run()
    _check_graphs(result.from_graphs, "FROM", graph_exists)
    _check_graphs(result.from_named, "FROM NAMED", graph_exists)
    return result


def _check_graphs(iris: Sequence[str], what: str, graph_exists: Callable[[str], bool]) -> None:
    for iri in iris:
        if not graph_exists(iri):
            raise UnsafeQuery(
                f"{what} <{iri}>: no such graph in this store (graphs are never "
                "fetched from the network; see the service description for the "
                "graphs available)"
            )


def check_dataset_params(
    default_graphs: Sequence[str], named_graphs: Sequence[str], graph_exists: Callable[[str], bool]
) -> None:
    """default-graph-uri / named-graph-uri must be absolute IRIs of graphs we hold."""
    for iri in (*default_graphs, *named_graphs):
        if not SCHEME.match(iri) or any(ch in iri for ch in ' <>"{}|^`\\'):
            raise BadRequest(f"graph IRI {iri!r} is not an absolute IRI")
    _check_graphs(default_graphs, "default-graph-uri", graph_exists)
    _check_graphs(named_graphs, "named-graph-uri", graph_exists)


def check_update(
    text: str,
    *,
    base_iri: str | None,
    allowlist: Sequence[str],
    using_graphs: Sequence[str] = (),
    using_named_graphs: Sequence[str] = (),
    time_limit: float | None = None,
) -> str:
    """Refuse unsafe updates; return the text with protocol USING clauses applied.

    SPARQL 1.1 Protocol §2.2.3: using-graph-uri / using-named-graph-uri act as USING /
    USING NAMED on every operation with a WHERE clause, and are an error when the
    update has its own USING, USING NAMED or WITH.
    """
    checker = _Checker(
        text, base_iri=base_iri, allowlist=allowlist, update=True, time_limit=time_limit
    )
    result = checker.run()
    if not (using_graphs or using_named_graphs):
        return text
    for iri in (*using_graphs, *using_named_graphs):
        if not SCHEME.match(iri) or any(ch in iri for ch in ' <>"{}|^`\\'):
            raise BadRequest(f"graph IRI {iri!r} is not an absolute IRI")
    if result.has_using:
        raise BadRequest(
            "using-graph-uri/using-named-graph-uri cannot be combined with "
            "USING, USING NAMED or WITH in the update"
        )
    if result.delete_where:
        raise BadRequest(
            "using-graph-uri/using-named-graph-uri cannot apply to the "
            "DELETE WHERE shorthand; write DELETE { ... } WHERE { ... }"
        )
    clause = (
        " ".join(
            [
                *(f"USING <{g}>" for g in using_graphs),
                *(f"USING NAMED <{g}>" for g in using_named_graphs),
            ]
        )
        + " "
    )
    for pos in reversed(result.where_positions):
        text = text[:pos] + clause + text[pos:]
    return text
