"""What the query scanner refuses before the engine, and that reading a query stays cheap.

Each test here failed on main before the fix it guards: a 1 MB body of ``load load …`` took
45 s to check, in the worker and outside any time limit; 5,000 nested brackets or 9,000 chained
UNIONs crashed the engine (a segfault of the query process, answered 503 "probably out of
memory"). The engine's limits were measured on pyoxigraph 0.5.13 (docs/security.md).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treatygraph.errors import QueryTimeout
from treatygraph.rdf.sparql_text import MAX_CHAIN, MAX_NESTING, SparqlTextError, tokenize
from treatygraph.sparql.safety import check_query
from treatygraph.testing import app_factory

from .conftest import PEOPLE

SRJ = "application/sparql-results+json"


def _check(text: str, time_limit: float | None = None) -> None:
    check_query(
        text,
        base_iri="http://127.0.0.1/sparql",
        allowlist=(),
        graph_exists=lambda _iri: True,
        time_limit=time_limit,
    )


def test_a_megabyte_of_keywords_is_read_within_the_query_time_limit() -> None:
    text = "load " * 200_000  # 1 MB, the default BODY_CAP
    started = time.monotonic()
    _check(text, time_limit=10.0)
    assert time.monotonic() - started < 10.0


def test_reading_stops_at_the_time_limit() -> None:
    with pytest.raises(QueryTimeout, match="time limit"):
        _check("SELECT * WHERE { " + "?s ?p ?o . " * 50_000 + "}", time_limit=0.0)


FRAGMENTS = st.sampled_from(
    [
        "load ",
        "service ",
        "from ",
        "?x ",
        "<http://a/b> ",
        "'s' ",
        '"""t""" ',
        "# c\n",
        "ex:a.b ",
        "{ ",
        "} ",
        "( ",
        ") ",
        "prefix p: <http://p/> ",
        "\\u0041 ",
        "a:b ",
        ". ",
        "; ",
        "FILTER(?a<?b) ",
        "LOAD SILENT ",
    ]
)


def _seconds(text: str) -> float:
    """The CPU time of this thread reading ``text`` (time spent waiting for a core is not in
    it, so the other processes on the machine hardly move it)."""
    started = time.thread_time()
    try:
        tokenize(text)
    except SparqlTextError:
        pass
    return time.thread_time() - started


#: 8 times the text may take at most this many times as long (linear: 8; quadratic: 64).
MAX_RATIO = 24
#: Rounds of measurement at most: a linear reader passes in the first round or two, a
#: quadratic one fails every round (its ratio is ~64 whatever the noise), so more rounds only
#: spare a linear one from a disturbed measurement.
ROUNDS = 8


def _ratio(small: str, large: str) -> float:
    """Best of interleaved rounds for each size (both see the same quiet moments), measured
    until the ratio is within MAX_RATIO or ROUNDS are done.

    The garbage collector is held off meanwhile: a full collection walks every object of the
    test process, whatever tests ran in it before, and would be charged to whichever reading
    it fell in (the tokens are freed by reference counting, collected or not).
    """
    gc.disable()
    try:
        _seconds(large)  # the first reading of a size also pays for the memory it first touches
        best_small = best_large = float("inf")
        for _ in range(ROUNDS):
            best_small = min(best_small, _seconds(small))
            best_large = min(best_large, _seconds(large))
            ratio = best_large / max(best_small, 1e-4)
            if ratio < MAX_RATIO:
                break
    finally:
        gc.enable()
    return ratio


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, min_size=5, max_size=30))
def test_reading_time_grows_linearly_with_the_text(fragments: list[str]) -> None:
    """8 times the text may take at most ~24 times as long (quadratic would be 64)."""
    unit = "".join(fragments)
    small = unit * max(1, 20_000 // len(unit))
    ratio = _ratio(small, small * 8)
    assert ratio < MAX_RATIO, (unit, ratio)


def test_the_linearity_check_fails_a_quadratic_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The measurement can fail: a reader that rescans the text read so far at each token
    (quadratic, like the ``load load ...`` scan on main) is over the limit in every round."""

    def quadratic(text: str) -> None:
        for i in range(0, len(text), 400):
            text.count("load", 0, i)

    monkeypatch.setattr(__name__ + ".tokenize", quadratic)
    small = "load " * 4_000
    assert _ratio(small, small * 8) > MAX_RATIO


@pytest.fixture
def app() -> Iterator[Flask]:
    with app_factory(DATA_FILES=[str(PEOPLE)], QUERY_TIMEOUT=10) as make:
        yield make()


def _ask(app: Flask, query: str) -> tuple[int, str]:
    resp = app.test_client().post("/sparql", data={"query": query}, headers={"Accept": SRJ})
    return resp.status_code, resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, message",
    [
        ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, f"more than {MAX_NESTING} levels deep"),
        (
            "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
            f"more than {MAX_NESTING} levels deep",
        ),
        (
            "SELECT * WHERE { " + " UNION ".join(["{}"] * 20_000) + " }",
            f"more than {MAX_CHAIN} operators",
        ),
        (
            "SELECT * WHERE { FILTER(" + "||".join(["true"] * 20_000) + ") }",
            f"more than {MAX_CHAIN} operators",
        ),
    ],
    ids=["braces", "parentheses", "union-chain", "or-chain"],
)
def test_queries_the_engine_cannot_take_are_refused_before_it(
    app: Flask, query: str, message: str
) -> None:
    status, body = _ask(app, query)
    assert status == 400, body
    assert message in body and "line 1, column" in body


@pytest.mark.parametrize(
    "make_query",
    [
        lambda: "SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING,
        lambda: "SELECT * WHERE { " + " UNION ".join(["{}"] * 9_000) + " }",
    ],
    ids=["deepest-nesting-allowed", "9000-unions"],
)
def test_what_the_scanner_lets_through_the_engine_answers(
    app: Flask, make_query: Callable[[], str]
) -> None:
    """9,000 chained UNIONs overflowed an 8 MB stack (measured): the query process has more."""
    status, body = _ask(app, make_query())
    assert status == 200, body
