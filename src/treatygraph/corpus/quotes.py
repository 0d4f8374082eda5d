"""Quotes in texts: where a quote sits, whether a stored span still holds it, and what differs.

Quotes are copied by hand, so the usual mistake is a look-alike character: an ordinary space
where the page keeps a no-break space (U+00A0), a straight apostrophe for ’, a hyphen for –.
When a quote does not match, the message names the first character that differs, by code point,
name and offset, so the author knows exactly what to type.
"""

from __future__ import annotations

import re
import unicodedata

from treatygraph.corpus.documents import DocumentText
from treatygraph.errors import CheckFailed

#: Characters people type for one another; each string is one class of look-alikes.
LOOKALIKES = (
    " \u00a0\u202f\u2009\u2007",
    "'\u2019\u2018\u02bc",
    '"\u201c\u201d',
    "-\u2013\u2014\u2212",
)


class AnchorError(CheckFailed):
    """An anchor that cannot be placed or does not match; the message names file, line, quote."""


def codepoint(char: str) -> str:
    """``U+00A0 NO-BREAK SPACE``: how a message names one character."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"


def first_difference(found: str, quote: str, offset: int) -> str:
    """Where ``found`` (from the text, starting at ``offset``) first differs from ``quote``."""
    for i, (have, want) in enumerate(zip(found, quote, strict=False)):
        if have != want:
            invisible = have.isspace() or unicodedata.category(have) == "Cf"
            hint = f" (write it as \\u{ord(have):04X})" if invisible and ord(have) > 0x7F else ""
            return (
                f"at offset {offset + i} the text has {codepoint(have)} where the quote has "
                f"{codepoint(want)}{hint}"
            )
    if len(found) != len(quote):
        return f"the text has {len(found)} characters there, the quote {len(quote)}"
    return ""


def _loose(quote: str) -> str:
    """A pattern matching ``quote`` with any look-alike in place of each character."""
    parts = []
    for char in quote:
        group = next((g for g in LOOKALIKES if char in g), None)
        parts.append(f"[{re.escape(group)}]" if group else re.escape(char))
    return "".join(parts)


def locate(
    text: DocumentText, exact: str, prefix: str | None, suffix: str | None, where: str
) -> tuple[int, int]:
    """The (start, end) of the one occurrence of ``exact`` in the body, else AnchorError."""
    if not exact:
        raise AnchorError(f"{where}: the quote is empty")
    name = f"tgid:{text.document.slug}"
    body_end = text.body_end

    def hits_of(pattern: str) -> list[int]:
        hits = [m.start() for m in re.finditer(pattern, text.text)]
        if prefix:
            hits = [h for h in hits if text.text[:h].endswith(prefix)]
        if suffix:
            hits = [h for h in hits if text.text[h + len(exact) :].startswith(suffix)]
        return hits

    hits = hits_of(re.escape(exact))
    in_body = [h for h in hits if h + len(exact) <= body_end]
    if not in_body:
        if hits:
            raise AnchorError(
                f"{where}: falls outside the body of {name} (which ends at character {body_end})"
            )
        detail = " after the given prefix/suffix" if prefix or suffix else ""
        near = [h for h in hits_of(_loose(exact)) if h + len(exact) <= body_end]
        if near:
            found = text.text[near[0] : near[0] + len(exact)]
            detail += ": " + first_difference(found, exact, near[0])
        raise AnchorError(f"{where}: not found in {name}{detail}")
    if len(in_body) > 1:
        raise AnchorError(
            f"{where}: occurs {len(in_body)} times in the body of {name} "
            f"(at characters {', '.join(map(str, in_body))}); add an oa:prefix that settles it"
        )
    return in_body[0], in_body[0] + len(exact)


def check_span(
    text: DocumentText,
    exact: str,
    prefix: str | None,
    suffix: str | None,
    start: int,
    end: int,
) -> list[str]:
    """What is wrong with a stored span of ``text`` ([] when it holds the quote)."""
    name = f"tgid:{text.document.slug}"
    problems = []
    found = text.text[start:end]
    if found != exact:
        detail = first_difference(found, exact, start)
        elsewhere = [m.start() for m in re.finditer(re.escape(exact), text.body)]
        moved = f"; the quote is at {', '.join(map(str, elsewhere))}" if elsewhere else ""
        problems.append(f"{name}[{start}:{end}] is {found!r}, not the quote: {detail}{moved}")
    if end > text.body_end:
        problems.append(f"ends after the body of {name} ({text.body_end})")
    if prefix is not None and not text.text[:start].endswith(prefix):
        problems.append(f"the stored prefix does not precede the quote in {name}")
    if suffix is not None and not text.text[end:].startswith(suffix):
        problems.append(f"the stored suffix does not follow the quote in {name}")
    return problems
