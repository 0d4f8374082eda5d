"""Fixtures for the corpus tests: a writable copy of the checkout and the shared texts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from treatygraph.corpus.documents import DocumentText

SOURCE_DIRS = ("ontology", "shapes", "graph", "corpus")


@pytest.fixture
def checkout(root: Path, tmp_path: Path) -> Path:
    """A copy of the checkout's sources (no build output, no venv) to plant faults in."""
    dest = tmp_path / "repo"
    for name in SOURCE_DIRS:
        shutil.copytree(root / name, dest / name)
    return dest


@pytest.fixture
def corpus_dir(texts: dict[str, DocumentText], tmp_path: Path) -> Path:
    """A corpus directory holding a copy of every document's text, safe to change."""
    dest = tmp_path / "texts"
    dest.mkdir()
    for text in texts.values():
        (dest / text.path.name).write_bytes(text.path.read_bytes())
    return dest
