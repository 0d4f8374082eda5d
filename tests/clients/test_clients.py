"""Jena's rsparql and Comunica, each in its default mode, get the right answers.

Expected values come from ``tests/endpoint/data/people.ttl`` (alice is labelled "Alice", knows
bob, is 34; bob is labelled "Bob"@en and 29; carol's label has quotes and a comma) and
``graphs.trig`` (2 triples in graph/a, 1 in graph/b).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from treatygraph.testing import LiveServer

from .conftest import EX

pytestmark = pytest.mark.live

LABELS = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?label WHERE {{ ?person a <{EX}Person> ; rdfs:label ?label }} ORDER BY ?person"""
ASK = f"ASK {{ <{EX}alice> <{EX}knows> <{EX}bob> }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}age> ?age }} WHERE {{ ?s <{EX}age> ?age }}"
GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
PEOPLE = [f"{EX}alice", f"{EX}bob", f"{EX}carol"]
NAMES = ["Alice", "Bob", 'Carol, "the" third']


def _run(command: list[str], *args: str) -> str:
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _query_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "query.rq"
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- Jena ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("post", [False, True], ids=["GET", "POST"])
def test_rsparql_select_as_json(
    server: LiveServer, rsparql: list[str], tmp_path: Path, post: bool
) -> None:
    """With --post Jena also sends ``Upgrade: h2c``, which some servers answer by dropping the
    body (docs: engineering notes)."""
    args = ["--service", server.url + "/sparql", "--query", _query_file(tmp_path, LABELS)]
    out = json.loads(_run(rsparql, *args, "--results", "JSON", *(["--post"] if post else [])))
    rows = out["results"]["bindings"]
    assert [r["person"]["value"] for r in rows] == PEOPLE
    assert [r["label"]["value"] for r in rows] == NAMES
    assert rows[1]["label"]["xml:lang"] == "en"


def test_rsparql_select_as_csv_and_tsv(
    server: LiveServer, rsparql: list[str], tmp_path: Path
) -> None:
    args = ["--service", server.url + "/sparql", "--query", _query_file(tmp_path, LABELS)]
    table = list(csv.reader(io.StringIO(_run(rsparql, *args, "--results", "CSV"))))
    assert table == [["person", "label"], *([p, n] for p, n in zip(PEOPLE, NAMES, strict=True))]
    tsv = _run(rsparql, *args, "--results", "TSV").splitlines()
    assert tsv[0] == "?person\t?label"
    assert tsv[2] == f'<{EX}bob>\t"Bob"@en'


def test_rsparql_ask_construct_and_graphs(
    server: LiveServer, rsparql: list[str], tmp_path: Path
) -> None:
    service = ["--service", server.url + "/sparql"]
    out = _run(rsparql, *service, "--query", _query_file(tmp_path, ASK), "--results", "JSON")
    assert json.loads(out)["boolean"] is True
    out = _run(rsparql, *service, "--query", _query_file(tmp_path, CONSTRUCT), "--results", "NT")
    assert sorted(out.split("\n")) == [
        "",
        f'<{EX}alice> <{EX}age> "34"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        f'<{EX}bob> <{EX}age> "29"^^<http://www.w3.org/2001/XMLSchema#integer> .',
    ]
    out = _run(rsparql, *service, "--query", _query_file(tmp_path, GRAPHS), "--results", "JSON")
    rows = json.loads(out)["results"]["bindings"]
    assert [(r["g"]["value"], r["n"]["value"]) for r in rows] == [
        (f"{EX}graph/a", "2"),
        (f"{EX}graph/b", "1"),
    ]


# -- Comunica ------------------------------------------------------------------------------------
def test_comunica_select(server: LiveServer, comunica: list[str]) -> None:
    out = _run(comunica, f"sparql@{server.url}/sparql", LABELS)
    rows = json.loads(out)
    assert [r["person"] for r in rows] == PEOPLE
    # Comunica's plain output writes a literal as its value in quotes, inner quotes unescaped
    assert [r["label"] for r in rows] == ['"Alice"', '"Bob"@en', '"Carol, "the" third"']


def test_comunica_ask_and_construct(server: LiveServer, comunica: list[str]) -> None:
    assert json.loads(_run(comunica, f"sparql@{server.url}/sparql", ASK)) is True
    out = _run(comunica, f"sparql@{server.url}/sparql", CONSTRUCT, "-t", "application/n-triples")
    assert sorted(line for line in out.splitlines() if line) == [
        f'<{EX}alice> <{EX}age> "34"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        f'<{EX}bob> <{EX}age> "29"^^<http://www.w3.org/2001/XMLSchema#integer> .',
    ]


def test_comunica_select_as_sparql_results(server: LiveServer, comunica: list[str]) -> None:
    out = _run(
        comunica,
        f"sparql@{server.url}/sparql",
        GRAPHS,
        "-t",
        "application/sparql-results+json",
    )
    rows = json.loads(out)["results"]["bindings"]
    assert [(r["g"]["value"], r["n"]["value"]) for r in rows] == [
        (f"{EX}graph/a", "2"),
        (f"{EX}graph/b", "1"),
    ]
