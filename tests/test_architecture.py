"""The import rules of docs/architecture.md hold, fail on a planted forbidden import, and the
page names every package and module of the tree.

``lint-imports`` (import-linter, configured in pyproject.toml) checks four contracts: the
layers, bottom up errors → rdf → store → corpus → build → integration → sparql | linkeddata →
web → cli; no cycles; the store never imports the web or the build; the lexer and the store
never raise HTTP protocol errors. Each planted violation goes into a copy of the package, found
first on PYTHONPATH, so the checkout itself is never changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path("src") / "treatygraph"


def lint_imports(
    root: Path, cwd: Path, src: Path | None = None
) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).parent / "lint-imports"
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return subprocess.run(
        [str(tool), str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_every_rule(root: Path) -> None:
    done = lint_imports(root, root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


PLANTS = {
    "store imports the web": (
        "store/cache.py",
        "import treatygraph.web.pipeline\n",
        "The store never imports the web or the build BROKEN",
    ),
    "a cycle between sparql and linkeddata": (
        "sparql/results.py",
        "import treatygraph.linkeddata.dumps\n",
        "Layers, bottom up",
    ),
    "a module cycle inside the store": (
        "store/base.py",
        "import treatygraph.store.oxigraph\n",
        "No cycles between the packages, or between the modules of a package BROKEN",
    ),
    "the rdf layer raises an HTTP error": (
        "rdf/io.py",
        "from treatygraph.errors import BadRequest\n",
        "treatygraph.rdf.io imports BadRequest from treatygraph.errors",
    ),
    "the store raises an HTTP error": (
        "store/cache.py",
        "from treatygraph.errors import NotAcceptable\n",
        "treatygraph.store.cache imports NotAcceptable from treatygraph.errors",
    ),
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_planted_forbidden_import_breaks_a_contract(
    root: Path, tmp_path: Path, plant: str
) -> None:
    module, line, message = PLANTS[plant]
    copy = tmp_path / "src" / "treatygraph"
    shutil.copytree(root / PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    text = target.read_text()
    anchor = "from __future__ import annotations\n"
    target.write_text(text.replace(anchor, anchor + line, 1))
    shutil.copy(root / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "tests").mkdir()
    shutil.copy(root / "tests" / "import_rules.py", tmp_path / "tests" / "import_rules.py")
    done = lint_imports(root, tmp_path, tmp_path / "src")
    assert "Analyzed" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout
    assert message in done.stdout, done.stdout


def test_the_architecture_page_names_every_package_and_module(root: Path) -> None:
    page = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = root / PACKAGE
    packages = sorted(p.name for p in tree.iterdir() if (p / "__init__.py").exists())
    modules = sorted(
        str(p.relative_to(tree))
        for p in tree.rglob("*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    )
    assert [p for p in packages if f"{p}/" not in page] == []
    assert [m for m in modules if m.rsplit("/", 1)[-1] not in page] == []
    named = {n for n in re.findall(r"`([a-z_]+/[a-z_]+\.py)`", page) if n.split("/")[0] in packages}
    assert sorted(n for n in named if not (tree / n).exists()) == []
