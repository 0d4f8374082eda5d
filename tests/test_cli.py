"""The console script: help for every subcommand, and ``validate``'s output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from treatygraph.cli import COMMANDS, main

FIXTURES = Path(__file__).parent / "fixtures" / "validate"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "treatygraph.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def test_top_level_help_lists_every_command(root: Path) -> None:
    result = run_cli("--help", cwd=root)
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_subcommand_explains_itself(
    root: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process (the console script itself is run above): only that command's module loads."""
    with pytest.raises(SystemExit) as done:
        main(["--root", str(root), command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: treatygraph {command}")
    assert COMMANDS[command].split()[0].capitalize() in out


def test_validate_exit_0_on_conforming_data(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(root), "validate", str(FIXTURES / "conforming.ttl")]) == 0
    assert capsys.readouterr().out.strip() == "Conforms: 0 violations, 0 warnings, 0 infos."


def test_validate_exit_1_with_one_line_per_result(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(root), "validate", str(FIXTURES / "violating.ttl")]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("Violation: tgid:option-test-withdraws rdfs:label: ")
    assert first.endswith("[tgsh:LabelProperty]")


def test_validate_reads_every_graph_of_a_dataset_file(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The violating fixture inside a named graph of an N-Quads file is still a violation
    (reading only the default graph reported "Conforms" for any N-Quads file)."""
    import pyoxigraph as ox

    quads = ox.parse(path=str(FIXTURES / "violating.ttl"), format=ox.RdfFormat.TURTLE)
    graph = ox.NamedNode("https://w3id.org/treatygraph/graph/test")
    data = tmp_path / "violating.nq"
    data.write_bytes(
        ox.serialize(
            [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads],
            format=ox.RdfFormat.N_QUADS,
        )
        or b""
    )
    assert main(["--root", str(root), "validate", str(data)]) == 1
    assert capsys.readouterr().out.startswith("Violation: tgid:option-test-withdraws rdfs:label: ")


def test_validate_exit_2_names_file_line_and_column(root: Path) -> None:
    result = run_cli("validate", str(FIXTURES / "broken-syntax.ttl"), cwd=root)
    assert result.returncode == 2
    # Line 3, column 33 is where the undeclared "rdfs:" prefix starts in the fixture.
    assert f"{FIXTURES / 'broken-syntax.ttl'}:3:33:" in result.stderr
    assert "rdfs" in result.stderr


def test_validate_exit_2_on_missing_file(root: Path, tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "nope.ttl"), cwd=root)
    assert result.returncode == 2
    assert "nope.ttl" in result.stderr


def test_validate_json_and_turtle(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(FIXTURES / "violating.ttl")
    assert main(["--root", str(root), "validate", "--format", "json", target]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["conforms"] is False
    assert [(r["focus"], r["path"], r["shape"]) for r in payload["results"]] == [
        ("tgid:option-test-withdraws", "rdfs:label", "tgsh:LabelProperty")
    ]
    assert main(["--root", str(root), "validate", "--format", "turtle", target]) == 1
    report = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert len(list(report.subjects(None, SH.ValidationResult))) == 1


def test_serve_refuses_settings_that_cannot_work(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before any data is loaded: a URL_CAP gunicorn would cut first, updates on a read-only
    store, an update-token file that does not exist."""
    assert main(["--root", str(root), "serve", "--url-cap", "9000"]) == 2
    assert "URL_CAP is at most 8100 bytes" in capsys.readouterr().err
    token = tmp_path / "token"
    token.write_text("t\n")
    argv = ["--root", str(root), "serve", "--store", str(tmp_path), "--update-token-file"]
    assert main([*argv, str(token)]) == 2
    assert "updates need an in-memory store" in capsys.readouterr().err
    assert main([*argv, str(tmp_path / "missing")]) == 2
    assert "UPDATE_TOKEN_FILE" in capsys.readouterr().err


def test_update_token_has_no_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """A token on the command line would show in ``ps``: only the environment or a file take it."""
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--update-token", "s3cret"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --update-token s3cret" in capsys.readouterr().err
