"""Content negotiation: one function that picks, once per request, what an answer is written in.

``Accept`` is parsed by werkzeug (:class:`~werkzeug.datastructures.MIMEAccept`: q-values,
``type/*`` and ``*/*``, the most specific range deciding a type's quality, ``q=0`` excluding
it). Among the formats on offer (:mod:`treatygraph.rdf.formats`) an exact range for a format's
own media type decides its quality, then an exact range for one of its aliases (e.g.
``application/json``); wildcards match own media types only. Ties go to the server's order.

``format=`` wins over ``Accept``. It may be repeated when every value names the same format:
SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values``, and for JSON-LD a
comma-separated list of media types as the second value.

A ``/sparql`` request does not know before it runs whether it answers with results or a graph,
so :func:`negotiate` picks one format per kind of answer (a :class:`Choice`), and refuses only
when no kind has one; an answer of a kind without a format is then refused by
:meth:`Choice.format_for`, naming that kind's formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from treatygraph.errors import BadRequest, NotAcceptable
from treatygraph.rdf.formats import Format, find


@dataclass(frozen=True)
class Choice:
    """The format picked for each kind of answer (None: none of that kind is acceptable)."""

    picked: Mapping[str, Format | None]
    offered: Mapping[str, Sequence[Format]]
    wanted: str  #: what the client asked for, for the 406 message

    def format_for(self, kind: str) -> Format:
        fmt = self.picked.get(kind)
        if fmt is None:
            raise _refusal(self.wanted, self.offered.get(kind, ()))
        return fmt

    @property
    def key(self) -> tuple[str | None, ...]:
        """What the answer depends on (for cache keys): the chosen format names."""
        return tuple(f.name if f else None for f in self.picked.values())


def _same(value: str, media_type: str) -> bool:
    return value.split(";")[0].strip().lower() == media_type


def _quality(fmt: Format, accept: MIMEAccept) -> float:
    own = [q for value, q in accept if _same(value, fmt.media_type)]
    if own:
        return own[0]
    aliases = [q for value, q in accept for alias in fmt.aliases if _same(value, alias)]
    if aliases:
        return max(aliases)
    return accept.quality(fmt.media_type)


def _best(accept: MIMEAccept, offered: Sequence[Format]) -> Format | None:
    if not offered:
        return None
    if not accept.provided or not len(accept):
        return offered[0]
    best, best_q = None, 0.0
    for fmt in offered:
        q = _quality(fmt, accept)
        if q > best_q:
            best, best_q = fmt, q
    return best


def _from_parameter(values: Sequence[str], offered: Sequence[Format]) -> Format | None:
    """The one format all ``format=`` values name among ``offered`` (None: not offered)."""
    found: set[Format | None] = set()
    for value in values:
        if "," in value:  # a list of media types, as in Accept
            found.add(_best(parse_accept_header(value, MIMEAccept), offered))
        else:
            found.add(find(value, offered))
    if len(found) > 1 and None not in found:
        names = ", ".join(repr(v) for v in values)
        raise BadRequest(f"the format parameters ({names}) name different formats; send one")
    return found.pop() if len(found) == 1 else None


def _refusal(wanted: str, offered: Sequence[Format]) -> NotAcceptable:
    return NotAcceptable.offering(wanted, [f.media_type for f in offered])


def negotiate(
    accept: str | MIMEAccept | None,
    offered: Mapping[str, Sequence[Format]],
    format_values: Sequence[str] = (),
) -> Choice:
    """Pick a format of each kind in ``offered``; NotAcceptable when no kind has one."""
    if not isinstance(accept, MIMEAccept):
        accept = parse_accept_header(accept, MIMEAccept)
    values = [v for v in format_values if v.strip()]
    if values:
        picked = {kind: _from_parameter(values, formats) for kind, formats in offered.items()}
        wanted = f"format={values[0]!r} is not offered here"
    else:
        picked = {kind: _best(accept, formats) for kind, formats in offered.items()}
        wanted = f"none of the offered types matches Accept: {accept.to_header() or '(none)'}"
    choice = Choice(picked, offered, wanted)
    if all(fmt is None for fmt in picked.values()):
        every = [f for formats in offered.values() for f in formats]
        raise _refusal(wanted, list(dict.fromkeys(every)))
    return choice
