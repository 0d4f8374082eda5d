"""W3C SPARQL 1.1 query-evaluation suites (manifest-sparql11-query.ttl and the result-format
suites of manifest-sparql11-results.ttl), plus the syntax tests as status-code checks."""

from __future__ import annotations

import pytest

from . import evaluation
from ._params import param
from .manifest import RESULTS_MANIFEST, QueryTest, query_tests, suite_available, suite_dir

if not suite_available():
    pytest.skip(
        f"W3C test suite not found at {suite_dir()} (set TREATYGRAPH_W3C_SUITE)",
        allow_module_level=True,
    )

ALL = query_tests() + query_tests(RESULTS_MANIFEST)
EVAL = [t for t in ALL if t.kind == "eval"]
SYNTAX = [t for t in ALL if t.kind != "eval"]


@pytest.mark.parametrize("test", [param(t, t.iri, t.short, "query-eval", t.manifest) for t in EVAL])
def test_query_evaluation(test: QueryTest, eval_server: tuple) -> None:
    server, empty = eval_server
    problem = evaluation.run_eval(server.endpoint, test, empty)
    assert problem is None, f"{test.name}\n{problem}"


@pytest.mark.parametrize("test", [param(t, t.iri, t.short, "query-syntax", t.kind) for t in SYNTAX])
def test_query_syntax(test: QueryTest, eval_server: tuple) -> None:
    server, _ = eval_server
    problem = evaluation.run_syntax(server.endpoint, test)
    assert problem is None, f"{test.name}\n{problem}"
