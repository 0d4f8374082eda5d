"""Fixtures for the W3C suites: live servers on 127.0.0.1, one per suite and target.

Run: ``.venv/bin/pytest tests/w3c`` (target from TREATYGRAPH_W3C_TARGET=ours|oxigraph).
A per-suite pass table is printed at the end and written to test-artifacts/w3c-<target>.json.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from treatygraph.testing import require_nginx

from . import evaluation, protocol, servers
from .manifest import RESULTS_MANIFEST, protocol_tests, query_tests

TARGET = servers.target()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "w3c(suite, group): a W3C SPARQL 1.1 conformance test")


@pytest.fixture(scope="session")
def w3c_target() -> str:
    return TARGET


@pytest.fixture(scope="session")
def w3c_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("w3c")


def _require_target() -> None:
    if TARGET == "oxigraph" and not servers.oxigraph_available():
        pytest.skip("oxigraph reference server not installed (pip install oxigraph)")


@pytest.fixture(scope="session")
def protocol_read_server(w3c_workdir: Path) -> Iterator[servers.Server | servers.Ours]:
    """Data loaded, no update service enabled: the read-only configuration we deploy."""
    _require_target()
    data = protocol.build_dataset(protocol_tests(), w3c_workdir / "protocol.nq")
    server = servers.start(TARGET, data, w3c_workdir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def protocol_write_server(w3c_workdir: Path) -> Iterator[servers.Server | servers.Ours]:
    """Same data, update service enabled with a bearer token, for the update tests."""
    _require_target()
    data = protocol.build_dataset(protocol_tests(), w3c_workdir / "protocol-rw.nq")
    server = servers.start(TARGET, data, w3c_workdir, update_token=secrets.token_hex(16))
    yield server
    server.stop()


def _fronted(workdir: Path, name: str, update_token: str | None) -> servers.Fronted:
    if TARGET != "ours":
        pytest.skip("the nginx configuration is ours (TREATYGRAPH_W3C_TARGET=ours)")
    require_nginx()
    data = protocol.build_dataset(protocol_tests(), workdir / name)
    return servers.start_ours_behind_nginx(data, workdir, update_token)


@pytest.fixture(scope="session")
def protocol_front_read_server(w3c_workdir: Path) -> Iterator[servers.Fronted]:
    """The read-only configuration behind nginx (``treatygraph nginx``), caching answers."""
    server = _fronted(w3c_workdir, "protocol-front.nq", None)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def protocol_front_write_server(w3c_workdir: Path) -> Iterator[servers.Fronted]:
    """Updates enabled behind nginx: answers are then ``no-cache``."""
    server = _fronted(w3c_workdir, "protocol-front-rw.nq", secrets.token_hex(16))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def eval_tests_all() -> list:
    return [t for t in query_tests() + query_tests(RESULTS_MANIFEST) if t.kind == "eval"]


@pytest.fixture(scope="session")
def eval_server(
    w3c_workdir: Path, eval_tests_all: list
) -> Iterator[tuple[servers.Server | servers.Ours, frozenset[str]]]:
    """Every data file of the query suites as a named graph, read-only."""
    _require_target()
    data, empty = evaluation.build_dataset(eval_tests_all, w3c_workdir / "query-eval.nq")
    server = servers.start(TARGET, data, w3c_workdir)
    yield server, empty
    server.stop()


# --- reporting ------------------------------------------------------------------------------

W3C_PROPERTY = "w3c"  # read by tests/w3c/summary.py, where the table is printed


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Label each report with its suite and group (user_properties reach xdist's controller)."""
    outcome = yield
    mark = item.get_closest_marker("w3c")
    if mark is not None:
        outcome.get_result().user_properties.append((W3C_PROPERTY, tuple(mark.args)))
