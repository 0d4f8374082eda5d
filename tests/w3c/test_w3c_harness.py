"""Unit tests of the harness itself: result comparison and query inspection."""

from __future__ import annotations

from .results import (
    Solutions,
    compare_solutions,
    has_dataset_clause,
    has_top_level_order_by,
    literal_key,
    parse_results,
)

XSD = "http://www.w3.org/2001/XMLSchema#"


def rows(*pairs: tuple[str, str]) -> Solutions:
    return Solutions(
        ["x"], [{"x": ("B", b)} if kind == "b" else {"x": ("I", b)} for kind, b in pairs]
    )


def test_blank_nodes_match_up_to_renaming() -> None:
    e = Solutions(
        ["x", "y"], [{"x": ("B", "a"), "y": ("B", "a")}, {"x": ("B", "b"), "y": ("B", "c")}]
    )
    a = Solutions(
        ["x", "y"], [{"x": ("B", "2"), "y": ("B", "3")}, {"x": ("B", "1"), "y": ("B", "1")}]
    )
    assert compare_solutions(e, a, ordered=False) is None


def test_blank_node_mapping_is_a_bijection() -> None:
    e = rows(("b", "a"), ("b", "b"))
    a = rows(("b", "z"), ("b", "z"))
    assert compare_solutions(e, a, ordered=False) is not None


def test_order_matters_only_when_asked() -> None:
    e, a = rows(("i", "1"), ("i", "2")), rows(("i", "2"), ("i", "1"))
    assert compare_solutions(e, a, ordered=False) is None
    assert "order" in (compare_solutions(e, a, ordered=True) or "")


def test_multiset_not_set() -> None:
    assert (
        compare_solutions(rows(("i", "1"), ("i", "1")), rows(("i", "1"), ("i", "2")), ordered=False)
        is not None
    )


def test_numeric_literals_compare_by_value_within_one_datatype() -> None:
    assert literal_key("3.0E4", XSD + "double", None) == literal_key("30000", XSD + "double", None)
    assert literal_key("1.0", XSD + "decimal", None) == literal_key("1", XSD + "decimal", None)
    assert literal_key("1", XSD + "integer", None) != literal_key("1", XSD + "decimal", None)
    assert literal_key("01", XSD + "string", None) != literal_key("1", XSD + "string", None)


def test_unbound_differs_from_bound() -> None:
    e = Solutions(["x"], [{}])
    a = Solutions(["x"], [{"x": ("I", "u")}])
    assert compare_solutions(e, a, ordered=False) is not None


def test_top_level_order_by_only() -> None:
    assert has_top_level_order_by("SELECT * { ?s ?p ?o } ORDER BY ?s")
    assert not has_top_level_order_by("SELECT * { { SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }")
    assert not has_top_level_order_by('SELECT * { ?s ?p "ORDER BY" } # ORDER BY ?s')


def test_dataset_clause_detection() -> None:
    assert has_dataset_clause("SELECT * FROM <g> { ?s ?p ?o }")
    assert has_dataset_clause("SELECT * FROM NAMED <g> { GRAPH ?g { ?s ?p ?o } }")
    assert not has_dataset_clause('SELECT * { ?s ?p "from" }')


def test_csv_parsing_keeps_text_and_blank_nodes() -> None:
    parsed = parse_results(b'x,y\r\nhttp://a,_:b0\r\n,"a,b"\r\n', "csv")
    assert isinstance(parsed, Solutions)
    assert parsed.rows == [{"x": ("S", "http://a"), "y": ("B", "b0")}, {"y": ("S", "a,b")}]


def test_expected_failures_name_real_tests() -> None:
    """A stale line (renamed test, typo) would silently expect nothing."""
    from . import service_description as sd
    from ._params import listed_iris
    from .manifest import RESULTS_MANIFEST, protocol_tests, query_tests, suite_available

    if not suite_available():
        import pytest

        pytest.skip("W3C suite not available")
    known = {t.iri for t in query_tests() + query_tests(RESULTS_MANIFEST)}
    known |= {t.iri for t in protocol_tests()}
    known |= {sd.SD_TESTS + n for n in sd.REQUIRED + sd.BEST_PRACTICE}
    assert listed_iris() <= known, sorted(listed_iris() - known)
