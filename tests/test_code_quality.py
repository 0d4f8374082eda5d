"""The code stays ruff-clean, ruff-formatted and type-checks with ``mypy --strict`` (the strict
setting is in pyproject.toml), in CI as on a developer's machine."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_ruff_is_clean(root: Path) -> None:
    done = subprocess.run([tool("ruff"), "check", "."], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_mypy_strict_is_clean(root: Path) -> None:
    done = subprocess.run(
        [tool("mypy"), "--strict", "src"], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout


def test_ruff_format_is_clean(root: Path) -> None:
    done = subprocess.run(
        [tool("ruff"), "format", "--check", "."], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_vulture_finds_no_dead_code_in_the_package(root: Path) -> None:
    """Code only the tests call still counts as used; tests/vulture_whitelist.py names what a
    framework or a template uses."""
    done = subprocess.run(
        [tool("vulture"), "src", "tests", "--min-confidence", "60"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    dead = [line for line in done.stdout.splitlines() if line.startswith("src/")]
    assert dead == []
