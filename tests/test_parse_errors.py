"""Parser errors lead with their position and stay short (issue 13, point 5)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from treatygraph.rdf.io import RDFSyntaxError, check_syntax, concise, query_error
from treatygraph.testing import app_factory

#: Line 3 is ``ex:a ex:b § .``: "ex:a ex:b " is 10 characters, so the section sign is column 11.
BROKEN_TURTLE = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \u00a7 .\n"
#: pyoxigraph reports this one at 3:18 with 18 alternatives (15 keywords before ``[_]``).
BROKEN_QUERY = "SELECT ?x WHERE {\n  ?x ?y ?z .\n  FILTER(?x = ) }"


@pytest.fixture
def broken_ttl(tmp_path: Path) -> Path:
    path = tmp_path / "broken.ttl"
    path.write_text(BROKEN_TURTLE, encoding="utf-8")
    return path


def test_turtle_error_leads_with_file_line_column(broken_ttl: Path) -> None:
    with pytest.raises(RDFSyntaxError) as caught:
        check_syntax(broken_ttl)
    message = str(caught.value)
    assert message.startswith(f"{broken_ttl}:3:11: ")
    assert "\u00a7" in message  # the offending text
    assert len(message) < 300


def test_validate_command_reports_the_position(broken_ttl: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph.cli", "validate", str(broken_ttl)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    progress, error = done.stderr.strip().splitlines()  # the stage line, then the error
    assert progress == "reading 1 file(s)…"
    assert error.startswith(f"error: {broken_ttl}:3:11: ")
    assert len(error) < 300


def test_unicode_range_wall_is_cut() -> None:
    wall = "expected one of " + " | ".join(
        ["[A-Z]", "[a-z]", "[\\u00C0-\\u00D6]", "[\\u00D8-\\u00F6]", "PNAME", "IRI", "a"]
        + [f"K{i}" for i in range(10)]
    )
    assert concise("bad name: " + wall) == "bad name: expected one of PNAME, IRI, a, K0, K1, …"
    assert concise("expected one of [A-Z] | [a-z]") == "expected one of …"
    assert concise("no list here") == "no list here"


def test_sparql_error_via_endpoint_leads_with_line_column(tmp_path: Path) -> None:
    data = tmp_path / "one.ttl"
    data.write_text("<http://example.org/a> <http://example.org/b> 1 .\n", encoding="utf-8")
    with app_factory(DATA_FILES=[str(data)], QUERY_TIMEOUT=5) as make:
        client: FlaskClient = make().test_client()
        resp = client.get("/sparql", query_string={"query": BROKEN_QUERY})
    assert resp.status_code == 400
    text = resp.get_data(as_text=True)
    assert text.startswith("3:18: syntax error: expected one of ABS, AVG, DAY, IRI, MAX, …")
    assert "STRSTARTS" not in text
    assert len(text) < 300


def test_sparql_error_names_the_text_near_it() -> None:
    query = "SELECT ?x WHERE {\n  ?x ?y ?z .\n  FILTER(?x = ) .\n ?a ?b ?c }"
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(query)
    # pyoxigraph says 4:11; line 4 is " ?a ?b ?c }", whose 11th character is the closing brace.
    assert (
        query_error(query, caught.value) == "4:11: syntax error: expected ENCODE_FOR_URI near '}'"
    )


def test_broken_sparql_in_a_shape_is_reported_with_its_position() -> None:
    from rdflib import Graph

    from treatygraph.build.validate import validate
    from treatygraph.errors import QuerySyntaxError

    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select """SELECT $this '
        'WHERE {\n  $this ?p ?o .\n  FILTER(?o = ) }""" ] .',
        format="turtle",
    )
    data = Graph().parse(data="<http://example.org/a> <http://example.org/b> 1 .", format="turtle")
    with pytest.raises(QuerySyntaxError) as caught:
        validate(data, shapes)
    message = str(caught.value)
    # the query's last line, "  FILTER(?o = ) }": FILTER starts at column 3
    assert re.match(r"^\d+:3: syntax error in a shape's SPARQL query: ", message)
    assert "near 'FILTER(?o = ) }'" in message
    assert len(message) < 300
