"""Serve what was built: the artifact is rebuilt once when a source changes, and never else.

``ensure_built`` compares a fingerprint of the sources (and the code that builds them) with the
one recorded beside the artifact. Checked on a small copy of the checkout (the ontology and the
shapes, no facts: a real build, only quicker), so the real artifact is not touched: a first
call builds, a second does not, touching a file without changing it does not, changing one
source file builds exactly once, and ``serve`` on the built copy starts without building.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from treatygraph.build.artifact import ARTIFACT, ensure_built, fingerprint, manifest_path
from treatygraph.testing import LiveServer


@pytest.fixture(scope="module")
def checkout(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("checkout") / "repo"
    for folder in ("ontology", "shapes"):
        shutil.copytree(root / folder, copy / folder)
    return copy


def test_a_changed_source_causes_exactly_one_rebuild(checkout: Path) -> None:
    said: list[str] = []
    first = ensure_built(checkout, say=said.append)
    assert first.rebuilt and first.path == checkout / ARTIFACT
    assert said and "no earlier build" in said[0]
    manifest = json.loads(manifest_path(first.path).read_text())
    assert manifest["sources"] == fingerprint(checkout)
    assert manifest["bytes"] == first.path.stat().st_size
    assert not ensure_built(checkout).rebuilt
    source = checkout / "ontology" / "treatygraph.ttl"
    os.utime(source)  # touched, not changed: the fingerprint is of contents
    assert not ensure_built(checkout).rebuilt
    with source.open("a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes the source, not the data\n")
    said.clear()
    assert ensure_built(checkout, say=said.append).rebuilt
    assert "the sources changed" in said[0]
    assert [ensure_built(checkout).rebuilt for _ in range(2)] == [False, False]


def test_a_damaged_artifact_is_built_again(checkout: Path) -> None:
    built = ensure_built(checkout).path
    good = built.read_bytes()
    built.write_bytes(good[: len(good) // 2])  # a half-written file: its size is wrong
    assert ensure_built(checkout).rebuilt
    assert built.read_bytes() == good


@pytest.mark.live
def test_serve_starts_from_the_artifact_without_building(checkout: Path, tmp_path: Path) -> None:
    ensure_built(checkout)
    log = tmp_path / "serve.log"
    with LiveServer(["--workers", "1"], log, cwd=checkout):
        pass
    text = log.read_text()
    assert "building" not in text
    assert "treatygraph: serving" in text
