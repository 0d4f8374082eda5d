"""Content negotiation: q-values, wildcards, specificity, format= and 406."""

from __future__ import annotations

import pytest

from treatygraph.errors import BadRequest, NotAcceptable
from treatygraph.rdf.formats import RDF as RDF_FORMATS
from treatygraph.rdf.formats import RESULTS as RESULT_FORMATS
from treatygraph.rdf.formats import Format
from treatygraph.web.conneg import negotiate


def one(accept: str | None, offered: tuple[Format, ...], *values: str) -> Format:
    return negotiate(accept, {"answer": offered}, values).format_for("answer")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),  # first text/* format in server order
        ("text/tab-separated-values, text/csv;q=0.5", "text/tab-separated-values"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        (
            "application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.8",
            "application/sparql-results+xml",
        ),
        ("application/json", "application/sparql-results+json"),
        ("text/xml", "application/sparql-results+xml"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json"),
        # the most specific range decides: json excluded although */* allows it
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        ("text/*;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ],
)
def test_results_negotiation(accept: str | None, expected: str) -> None:
    assert one(accept, RESULT_FORMATS).media_type == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=1, text/turtle;q=0.5", "application/rdf+xml"),
        ("application/*", "application/n-triples"),
        ("application/n-quads", "application/n-quads"),
    ],
)
def test_rdf_negotiation(accept: str | None, expected: str) -> None:
    assert one(accept, RDF_FORMATS).media_type == expected


@pytest.mark.parametrize(
    ("value", "results", "graph"),
    [
        ("json", "application/sparql-results+json", "application/ld+json"),
        ("xml", "application/sparql-results+xml", "application/rdf+xml"),
        ("csv", "text/csv", None),
        ("tsv", "text/tab-separated-values", None),
        ("ttl", None, "text/turtle"),
        ("turtle", None, "text/turtle"),
        ("nt", None, "application/n-triples"),
        ("jsonld", None, "application/ld+json"),
        ("rdf", None, "application/rdf+xml"),
        ("rdfxml", None, "application/rdf+xml"),
        ("trig", None, "application/trig"),
        ("nq", None, "application/n-quads"),
        ("text/csv", "text/csv", None),
        ("application/n-triples", None, "application/n-triples"),
        # the short names clients send (SPARQLWrapper's returnFormat values among them)
        ("rdf+xml", None, "application/rdf+xml"),
        ("json-ld", None, "application/ld+json"),
        ("n3", None, "text/turtle"),
        ("srj", "application/sparql-results+json", None),
    ],
)
def test_format_parameter_overrides_accept(
    value: str, results: str | None, graph: str | None
) -> None:
    for offered, expected in ((RESULT_FORMATS, results), (RDF_FORMATS, graph)):
        if expected is None:
            with pytest.raises(NotAcceptable):
                one("text/html", offered, value)
        else:
            assert one("text/html", offered, value).media_type == expected


def test_406_lists_offered_types() -> None:
    with pytest.raises(NotAcceptable) as info:
        one("image/png", RESULT_FORMATS)
    assert info.value.status == 406
    assert info.value.offered == [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]
    assert "text/tab-separated-values" in info.value.message


def test_q_zero_everywhere_is_not_acceptable() -> None:
    with pytest.raises(NotAcceptable):
        one("*/*;q=0", RESULT_FORMATS)


@pytest.mark.parametrize(
    ("values", "results", "graph"),
    [
        # SPARQLWrapper's default mode: its short name, then the media type(s) it also accepts
        (("tsv", "text/tab-separated-values"), "text/tab-separated-values", None),
        (("rdf+xml", "application/rdf+xml"), None, "application/rdf+xml"),
        (("json-ld", "application/ld+json,application/x-json+ld"), None, "application/ld+json"),
        (("xml", "xml"), "application/sparql-results+xml", "application/rdf+xml"),
    ],
)
def test_repeated_format_parameters_naming_one_format(
    values: tuple[str, ...], results: str | None, graph: str | None
) -> None:
    choice = negotiate(None, {"results": RESULT_FORMATS, "graph": RDF_FORMATS}, values)
    picked = {k: (f.media_type if f else None) for k, f in choice.picked.items()}
    assert picked == {"results": results, "graph": graph}


def test_format_parameters_naming_different_formats_are_refused() -> None:
    with pytest.raises(BadRequest, match="name different formats"):
        one(None, RESULT_FORMATS, "csv", "tsv")
