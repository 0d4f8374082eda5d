"""Quote context and partial dates (pure functions)."""

from __future__ import annotations

import pytest

from treatygraph.linkeddata.text import format_date, quote_context, sentence_context

XSD = "http://www.w3.org/2001/XMLSchema#"
TEXT = "First one. Second “quoted words,” he said. Third here.\nNext line. Last"


def _span(part: str) -> tuple[int, int]:
    start = TEXT.index(part)
    return start, start + len(part)


def test_quote_inside_a_sentence() -> None:
    ctx = sentence_context(TEXT, *_span("quoted words,"))
    assert (ctx.before, ctx.exact, ctx.after) == ("Second “", "quoted words,", "” he said.")


def test_quote_that_ends_its_sentence() -> None:
    ctx = sentence_context(TEXT, *_span("Third here."))
    assert (ctx.before, ctx.after) == ("", "")


def test_line_breaks_end_sentences_and_limit_bounds() -> None:
    ctx = sentence_context(TEXT, *_span("Next"))
    assert (ctx.before, ctx.after) == ("", " line.")
    ctx = sentence_context(TEXT, *_span("La"), limit=len(TEXT) - 1)
    assert ctx.after == "s"


def test_quote_context_falls_back_to_stored_context() -> None:
    start, end = _span("Third")
    assert quote_context("Third", "x ", " y", text=TEXT, start=start, end=end).in_sentence
    wrong = quote_context("Fourth", "x ", " y", text=TEXT, start=start, end=end)
    assert (wrong.before, wrong.exact, wrong.after, wrong.in_sentence) == (
        "x ",
        "Fourth",
        " y",
        False,
    )
    assert not quote_context("Third", None, None, text=None, start=0, end=5).in_sentence


@pytest.mark.parametrize(
    "lexical,datatype,shown",
    [
        ("1987", "gYear", "1987"),
        ("1987-12", "gYearMonth", "December 1987"),
        ("2018-10-20", "date", "20 October 2018"),
        ("2011-02-05", "date", "5 February 2011"),
        ("2018-10-20", "string", "2018-10-20"),
        ("bogus", "date", "bogus"),
    ],
)
def test_format_date(lexical: str, datatype: str, shown: str) -> None:
    assert format_date(lexical, XSD + datatype) == shown


CUT_PREFIX = "ent of Euro-Atlantic security. W"  # 32 characters: cut from a longer text
CUT_SUFFIX = "e will continue to pursue measur"


@pytest.mark.parametrize(
    "prefix,suffix,before,after",
    [
        (CUT_PREFIX, CUT_SUFFIX, "of Euro-Atlantic security. W", "e will continue to pursue"),
        # shorter than 32: the document's start or end, kept whole
        ("Today, ", " end", "Today, ", " end"),
        # 32 characters, but starting at a space and ending at a full stop: nothing to drop
        (
            " of the Euro-Atlantic security, ",
            "will continue to pursue them all.",
            " of the Euro-Atlantic security, ",
            "will continue to pursue them all.",
        ),
    ],
)
def test_stored_context_is_cut_at_word_boundaries(
    prefix: str, suffix: str, before: str, after: str
) -> None:
    assert len(CUT_PREFIX) == len(CUT_SUFFIX) == 32
    ctx = quote_context("x", prefix, suffix, text=None, start=None, end=None)
    assert (ctx.before, ctx.after) == (before, after)
