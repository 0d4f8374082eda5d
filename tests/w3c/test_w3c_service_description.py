"""W3C SPARQL 1.1 Service Description suite (3 tests) plus the validator's best practices."""

from __future__ import annotations

import pytest

from . import service_description as sd
from ._params import param
from .manifest import load_manifest, suite_available, suite_dir

if not suite_available():
    pytest.skip(
        f"W3C test suite not found at {suite_dir()} (set TREATYGRAPH_W3C_SUITE)",
        allow_module_level=True,
    )

MANIFEST = load_manifest(suite_dir() / "service-description" / "manifest.ttl")


def test_manifest_lists_the_required_tests() -> None:
    names = {str(s).rsplit("#", 1)[-1] for s in MANIFEST.subjects()} - {""}
    assert set(sd.REQUIRED) <= names


@pytest.fixture(scope="module")
def description(eval_server: tuple) -> tuple:
    server, _ = eval_server
    return sd.fetch(server.endpoint), server.endpoint.query_url


@pytest.mark.parametrize(
    "name",
    [param(n, sd.SD_TESTS + n, n, "service-description", "required") for n in sd.REQUIRED]
    + [
        param(n, sd.SD_TESTS + n, n, "service-description", "best-practice")
        for n in sd.BEST_PRACTICE
    ],
)
def test_service_description(name: str, description: tuple) -> None:
    desc, url = description
    problem = sd.check(name, desc, url)
    assert problem is None, problem
