"""Shared fixtures: the checkout, its documents' texts (when present), and one build per test run.

The build is the checkout's own artifact (``build/treatygraph.nq``, :mod:`treatygraph.build.
artifact`): the first test worker that needs it builds it, the others (and the servers the
tests start, which serve it) wait for that build and reuse it; a later run builds again only
when a source or the code changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from treatygraph.build.compile import BuildResult, build
from treatygraph.corpus.documents import DocumentText
from treatygraph.corpus.project import Project
from treatygraph.testing import LiveServer, missing

#: the W3C suites' pass table, printed by the controller (also under pytest-xdist)
pytest_plugins = ["w3c.summary"]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two test workers per CPU for ``-n auto``: about a third of the suite's time is spent
    waiting (servers starting and stopping, time limits running out, browsers), and on 2 CPUs
    four workers finished the suite in 161 s where two took 176 s."""
    return 2 * len(os.sched_getaffinity(0))


@pytest.fixture(scope="session")
def root(pytestconfig: pytest.Config) -> Path:
    return Path(pytestconfig.rootpath)


@pytest.fixture(scope="session")
def run_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder of this test run that every worker shares (pytest-xdist gives each
    worker a folder of its own below it), for what :func:`treatygraph.testing.made_once`
    makes once per run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def project(root: Path) -> Project:
    return Project(root)


@pytest.fixture(scope="session")
def texts(project: Project) -> dict[str, DocumentText]:
    """Every registered document's text, by slug; CI must have them all, elsewhere the absence
    of one skips with the reason."""
    registry = project.registry()
    found = {}
    for document in registry:
        text = registry.text(document)
        if text is None:
            places = " or ".join(str(p) for p in registry.text_locations(document))
            missing(f"the text of {document.slug} is not at {places}", "every document's text")
        found[document.slug] = text
    return found


@pytest.fixture(scope="session")
def article(texts: dict[str, DocumentText]) -> DocumentText:
    """The first document's text (the Vox explainer), which many page tests quote."""
    return texts["vox-inf-article"]


@pytest.fixture(scope="session")
def built(project: Project) -> BuildResult:
    """The project graph compiled, checked and validated once for the whole session."""
    return build(project)


@pytest.fixture(scope="session")
def exported_nquads(root: Path) -> Path:
    """The dataset as ``treatygraph build`` writes it (the artifact), so tests read the
    published RDF."""
    from treatygraph.build.artifact import ensure_built

    return ensure_built(root).path


@pytest.fixture(scope="session")
def project_server(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``treatygraph serve`` over this checkout's graph on 127.0.0.1, for end-to-end tests."""
    log = tmp_path_factory.mktemp("project-server") / "serve.log"
    with LiveServer(["--workers", "2"], log, cwd=root) as server:
        yield server
