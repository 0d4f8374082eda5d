"""Long commands say what they are doing: plain lines on a pipe, a live bar on a terminal."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from treatygraph.console import Progress, mode_for

ROOT = Path(__file__).resolve().parents[1]
STAGE = "compiling the corpus, checking anchors and validating against the shapes"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "120", **extra}


def test_build_on_a_pipe_prints_plain_stage_lines(tmp_path: Path) -> None:
    out = tmp_path / "graph.nq"
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph.cli", "build", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"{STAGE}…"
    quads = out.read_bytes().count(b"\n")
    assert f"writing {out} ({quads:,} quads)…" in lines
    assert "\x1b[" not in done.stderr  # no terminal control codes on a pipe


def test_build_on_a_terminal_draws_a_live_bar(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "treatygraph.cli", "build", "--out", str(tmp_path / "g.nq")],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=_env(),
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    assert proc.wait(timeout=30) == 0
    text = seen.decode(errors="replace")
    assert STAGE in text
    assert "\x1b[?25l" in text  # rich hides the cursor while it draws the live display
    assert "━" in text  # the bar itself


@pytest.mark.parametrize(
    ("env", "expected"), [({"NO_COLOR": "1"}, "plain"), ({"TERM": "dumb"}, "plain"), ({}, "rich")]
)
def test_mode_follows_the_terminal_and_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert mode_for(Tty()) == expected
    assert mode_for(io.StringIO()) == "plain"
    assert mode_for(Tty(), quiet=True) == "off"


def test_plain_stage_is_one_line() -> None:
    stream = io.StringIO()
    progress = Progress("plain", stream)
    progress.stage("validating 12 triples against 3 shapes")
    progress.close()
    assert stream.getvalue() == "validating 12 triples against 3 shapes…\n"


def test_validate_on_a_pipe_says_how_much_it_checks(tmp_path: Path) -> None:
    data = tmp_path / "two.ttl"
    data.write_text("<http://example.org/a> <http://example.org/b> 1 , 2 .\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph.cli", "validate", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    lines = done.stderr.splitlines()
    assert lines[0] == "reading 1 file(s)…"
    shapes = sum(
        p.read_text(encoding="utf-8").count("sh:NodeShape") for p in (ROOT / "shapes").glob("*.ttl")
    )
    assert lines[1] == f"validating 2 triples against {shapes} shapes…"


def test_serve_says_it_is_loading_before_it_refuses_bad_data(tmp_path: Path) -> None:
    data = tmp_path / "bad.ttl"
    data.write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph.cli", "serve", "--data", str(data), "--port", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert done.returncode == 2
    stage, error = done.stderr.strip().splitlines()
    assert stage == "opening the store and loading the data…"
    assert error.startswith(f"error: invalid data: {data}:1:")
