"""The README is a contract: two set-up commands, and every documented curl line works."""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from treatygraph.testing import LiveServer

DOC_BASE = "http://127.0.0.1:8000"


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def commands(block: str) -> list[str]:
    """Shell commands of a block: comment lines dropped, quoted newlines kept."""
    found, pending = [], ""
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending = f"{pending}\n{line}" if pending else line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        found.append(pending)
        pending = ""
    return found


@pytest.fixture(scope="module")
def readme(root: Path) -> str:
    return (root / "README.md").read_text(encoding="utf-8")


def test_exactly_two_setup_commands(readme: str, root: Path) -> None:
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = [commands(b) for b in sh_blocks(setup)]
    assert [len(b) for b in blocks] == [1, 1]
    serve, test = blocks[0][0], blocks[1][0]
    assert serve.endswith("treatygraph serve") and "pip install -e ." in serve
    assert test.endswith(".venv/bin/pytest") and "'.[test]'" in test
    # CI runs that same command.
    assert test in (root / ".ci" / "run").read_text(encoding="utf-8")


def curl_lines(readme: str) -> list[str]:
    return [c for b in sh_blocks(readme) for c in commands(b) if c.startswith("curl ")]


def run_curl(command: str, server: LiveServer, root: Path) -> tuple[int, str]:
    args = shlex.split(command.replace(DOC_BASE, server.url), comments=True)
    done = subprocess.run(
        [*args, "-sS", "-w", "\n%{http_code}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


@pytest.mark.live
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_documented_curl_line_answers(
    readme: str, project_server: LiveServer, root: Path
) -> None:
    lines = curl_lines(readme)
    assert len(lines) >= 12
    failures = []
    for line in lines:
        status, body = run_curl(line, project_server, root)
        if not 200 <= status < 300 or not body.strip():
            failures.append(f"{status}: {line}")
    assert failures == []


@pytest.mark.live
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_who_argued_for_leaving(readme: str, project_server: LiveServer, root: Path) -> None:
    (line,) = [c for c in curl_lines(readme) if "option-us-withdraws-from-inf-treaty" in c]
    status, body = run_curl(line, project_server, root)
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body)))
    # Supporters of leaving, as the article gives them: Trump and his administration (paras 1,
    # 12), Bolton (15, 34), the "other experts" (32), Kroenig (33), Sayers (36), Heinrichs (38).
    assert {r["who"] for r in rows} == {
        "Donald Trump",
        "Trump administration",
        "John Bolton",
        "Matthew Kroenig",
        "Eric Sayers",
        "Rebeccah Heinrichs",
        "Experts favouring leaving the INF Treaty",
    }
    assert all(r["why"] for r in rows)


# -- the settings table ------------------------------------------------------------------------
def test_the_settings_table_is_current(readme: str) -> None:
    from treatygraph.web.settings import with_table

    assert readme == with_table(readme), "the README's settings table is stale: run `make settings`"


def _string_constants(root: Path) -> set[str]:
    """Every string literal in the package, except in the settings table itself."""
    import ast

    found: set[str] = set()
    for path in (root / "src" / "treatygraph").rglob("*.py"):
        if path.name == "settings.py" and path.parent.name == "web":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_setting_is_documented_and_read(readme: str, root: Path) -> None:
    """As Datasette does: a setting nobody documents, or nobody reads, is a bug."""
    from treatygraph.web.settings import SETTINGS

    read = _string_constants(root)
    table = readme.split("<!-- settings:begin", 1)[1]
    for setting in SETTINGS:
        assert setting.help.strip(), setting.key
        assert f"| `{setting.key}` |" in table, f"{setting.key} is not in the README's table"
        assert setting.key in read, f"no code reads the setting {setting.key}"
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph.cli", "serve", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert [s.flag for s in SETTINGS if s.flag and s.flag not in done.stdout] == []
