"""Text helpers for the pages: a quote in its sentence, and dates at their precision."""

from __future__ import annotations

import re
from dataclasses import dataclass

from treatygraph.corpus.anchors import CONTEXT

XSD = "http://www.w3.org/2001/XMLSchema#"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: A sentence ends at . ? ! (optionally followed by closing quotes/brackets) before
#: whitespace, or at a line break.
_SENTENCE_END = re.compile(r"[.?!][”’\"')\]]*(?=\s)|\n")
MAX_CONTEXT = 400  #: characters of context kept on each side of a quote


@dataclass(frozen=True)
class Context:
    """The words around a quote: ``before`` + ``exact`` + ``after``."""

    before: str
    exact: str
    after: str
    in_sentence: bool  #: True when taken from the article, False for the stored prefix/suffix


def sentence_context(text: str, start: int, end: int, limit: int | None = None) -> Context:
    """The full sentence(s) around ``text[start:end]`` (bounded by ``limit``, the body end)."""
    limit = len(text) if limit is None else min(limit, len(text))
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    while left < start and text[left].isspace():
        left += 1
    right = limit
    # look from just inside the quote, so a quote that ends its sentence ends the context
    for match in _SENTENCE_END.finditer(text, max(start, end - 4), limit):
        stop = match.start() if match.group() == "\n" else match.end()
        if stop >= end:
            right = stop
            break
    left = max(left, start - MAX_CONTEXT)
    right = min(max(right, end), end + MAX_CONTEXT)
    return Context(text[left:start], text[start:end], text[end:right], True)


def quote_context(
    exact: str,
    prefix: str | None,
    suffix: str | None,
    *,
    text: str | None,
    start: int | None,
    end: int | None,
    limit: int | None = None,
) -> Context:
    """The quote in its sentence when the article text agrees with the anchor, else the
    anchor's own prefix/suffix context."""
    if (
        text is not None
        and start is not None
        and end is not None
        and 0 <= start <= end <= len(text)
        and text[start:end] == exact
    ):
        return sentence_context(text, start, end, limit)
    return Context(word_start(prefix or ""), exact, word_end(suffix or ""), False)


def word_start(prefix: str) -> str:
    """A stored prefix from its first whole word: one of full length (``CONTEXT``) was cut
    from a longer text, so a leading partial word is dropped; a shorter one is the text's
    start and is kept."""
    if len(prefix) < CONTEXT or not prefix[:1].isalnum():
        return prefix
    cut = re.search(r"\s", prefix)
    return prefix[cut.start() :].lstrip() if cut else ""


def word_end(suffix: str) -> str:
    """A stored suffix up to its last whole word (see :func:`word_start`)."""
    if len(suffix) < CONTEXT or not suffix[-1:].isalnum():
        return suffix
    cut = max(suffix.rfind(c) for c in (" ", "\n", "\t", "\u00a0"))
    return suffix[:cut].rstrip() if cut >= 0 else ""


def format_date(lexical: str, datatype: str | None) -> str:
    """A partial date as people write it: ``1987``, ``December 1987``, ``20 October 2018``."""
    try:
        if datatype == XSD + "gYear":
            return str(int(lexical[:4])) + lexical[4:]
        if datatype == XSD + "gYearMonth":
            year, month = lexical[:7].split("-")
            return f"{MONTHS[int(month) - 1]} {int(year)}{lexical[7:]}"
        if datatype == XSD + "date":
            year, month, day = lexical[:10].split("-")
            return f"{int(day)} {MONTHS[int(month) - 1]} {int(year)}{lexical[10:]}"
    except (ValueError, IndexError):
        pass
    return lexical


def date_precision(datatype: str | None) -> str | None:
    return {XSD + "gYear": "year", XSD + "gYearMonth": "month", XSD + "date": "day"}.get(
        datatype or ""
    )
