"""Fixtures for the endpoint tests: apps over small hand-written data files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from treatygraph.testing import app_factory

DATA = Path(__file__).parent / "data"
PEOPLE = DATA / "people.ttl"  # 9 triples, loaded into the default graph
GRAPHS = DATA / "graphs.trig"  # graph/a: 2 triples, graph/b: 1 triple
EX = "http://example.org/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """Build apps over the small data files, with extra config per call."""
    with app_factory(DATA_FILES=[str(PEOPLE), str(GRAPHS)], QUERY_TIMEOUT=5) as make:
        yield make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def big_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 generated triples: a 3-way cross product of them (2.7e10 rows) never ends."""
    path = tmp_path_factory.mktemp("data") / "generated.nt"
    with path.open("w") as out:
        for i in range(1000):
            out.write(f'<{EX}n{i}> <{EX}p> "{i}" .\n')
            out.write(f"<{EX}n{i}> <{EX}q> <{EX}n{(i + 1) % 1000}> .\n")
            out.write(f'<{EX}n{i}> <{EX}r> "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    return path
