"""Written files follow the umask: 0644 under 022, as any Unix tool's would (issue: mkstemp's
0600 made published dumps unreadable to a web server running as another user)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(checkout: Path, *argv: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph.cli", "--root", str(checkout), *argv],
        preexec_fn=lambda: os.umask(0o022),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def _mode(path: Path) -> str:
    """What ``stat -c %a`` prints for ``path``."""
    return subprocess.run(
        ["stat", "-c", "%a", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_built_exported_and_imported_files_are_0644_under_umask_022(
    checkout: Path, examples: Path
) -> None:
    _run(checkout, "build", "--out", "build/modes.nq", "--store", "build/modes-store")
    _run(checkout, "export", "--format", "nq", "--out", "build/exported.nq")
    _run(checkout, "import", str(examples / "partner.ttl"), "--graph", "partner", "--quiet")
    store = checkout / "build" / "modes-store"
    files = {
        "built": checkout / "build" / "modes.nq",
        "store manifest": store / "treatygraph-manifest.json",
        "search index": store.with_name(store.name + ".search.sqlite"),
        "exported": checkout / "build" / "exported.nq",
        "imported": checkout / "imports" / "partner.nq",
    }
    modes = {name: _mode(path) for name, path in files.items()}
    assert modes == dict.fromkeys(files, "644")
    assert _mode(store) == "755"
    leftovers = [p for p in checkout.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
