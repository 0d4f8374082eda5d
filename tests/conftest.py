"""Shared fixtures: the checkout, its documents' texts (when present) and one build per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from treatygraph.build.compile import BuildResult, build
from treatygraph.corpus.documents import DocumentText
from treatygraph.corpus.project import Project
from treatygraph.testing import LiveServer, missing


@pytest.fixture(scope="session")
def root(pytestconfig: pytest.Config) -> Path:
    return Path(pytestconfig.rootpath)


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
def exported_nquads(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset as ``treatygraph build`` writes it, so tests read the published RDF."""
    from treatygraph.cli import main

    out = tmp_path_factory.mktemp("build") / "treatygraph.nq"
    assert main(["--root", str(root), "build", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def project_server(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``treatygraph serve`` over this checkout's graph on 127.0.0.1, for end-to-end tests."""
    log = tmp_path_factory.mktemp("project-server") / "serve.log"
    with LiveServer(["--workers", "2"], log, cwd=root) as server:
        yield server
