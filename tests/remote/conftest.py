"""Fixtures for the remote-store tests: one throwaway Virtuoso 7.2 per session.

This conftest installs nothing: ``.ci/virtuoso.sh`` does (CI runs it). Without
``virtuoso-t`` the tests skip with the reason, except under CI=true, where they fail.
Virtuoso is stopped (its process group killed) when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from treatygraph.build.compile import build
from treatygraph.corpus.project import Project
from treatygraph.testing import missing

from . import virtuoso as vt


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[vt.Virtuoso]:
    if vt.binaries() is None:
        reason = (
            "Virtuoso is not installed (virtuoso-t/isql-vt not on PATH); "
            "run .ci/virtuoso.sh (Debian virtuoso-opensource)"
        )
        missing(reason, "Virtuoso for tests/remote")
    server = vt.start(Path(tmp_path_factory.mktemp("virtuoso")))
    print(f"\nVirtuoso 7.2 started in {server.started_in:.1f} s on port {server.http_port}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def nquads(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project graph as N-Quads, the data every remote test loads."""
    result = build(Project(root), check_shapes=False)
    path = tmp_path_factory.mktemp("remote") / "treatygraph.nq"
    path.write_bytes(result.nquads())
    return path
