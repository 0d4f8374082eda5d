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
