"""Every Turtle file in the repository parses with both rdflib and pyoxigraph."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

ROOT = Path(__file__).resolve().parents[1]


def turtle_files() -> list[Path]:
    """Tracked and untracked-but-not-ignored .ttl files, as a fresh clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.ttl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # Fixtures named *broken-syntax* are malformed on purpose (the CLI's exit-code-2 case).
    return sorted(ROOT / name for name in listed if "broken-syntax" not in name)


TTL = turtle_files()


def test_there_are_turtle_files() -> None:
    names = {p.relative_to(ROOT).parts[0] for p in TTL}
    assert {"ontology", "shapes", "graph", "tests"} <= names


@pytest.mark.parametrize("path", TTL, ids=[str(p.relative_to(ROOT)) for p in TTL])
def test_parses_with_both_engines(path: Path) -> None:
    graph = rdflib.Graph().parse(path, format="turtle")
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    assert len(graph) == len(set(quads))
