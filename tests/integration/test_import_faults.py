"""Faults during ``treatygraph import``: a full disk, two imports of one graph at once, SIGINT.

After each, the last good import is still there, byte for byte, the counts per graph are as
before (in the files, and as a running server answers them on /sparql), and no work folder
(``imports/.*.tmp``) is left. The imports run as real processes
(``python -m treatygraph``), as a user would start them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint.test_reload import served_counts

from treatygraph.corpus.project import imported_files
from treatygraph.integration.staging import Signals
from treatygraph.testing import LiveServer, missing

from .conftest import counts_per_graph, tg
from .generate import plain_triples


def import_process(checkout: Path, source: Path, graph: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "treatygraph.cli",
            "--root",
            str(checkout),
            "import",
            str(source),
            "--graph",
            graph,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def leftovers(checkout: Path) -> list[str]:
    return sorted(p.name for p in (checkout / "imports").iterdir() if p.name.startswith("."))


@pytest.fixture
def good_import(checkout: Path, examples: Path) -> tuple[bytes, dict[str, int]]:
    assert (
        tg("--root", checkout, "import", examples / "partner.ttl", "--graph", "partner", "--quiet")
        == 0
    )
    return (checkout / "imports" / "partner.nq").read_bytes(), counts_per_graph(checkout)


@pytest.fixture
def live(checkout: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """``treatygraph serve`` over the scratch checkout (started after any import fixture)."""
    with LiveServer(["--workers", "2"], tmp_path / "serve.log", cwd=checkout) as server:
        yield server


def served_as(live: LiveServer, expected: dict[str, int], limit: float = 5.0) -> None:
    """The server answers the expected counts per graph within ``limit`` seconds, on every
    worker (10 answers in a row), and no request fails on the way."""
    start, agreeing, seen = time.monotonic(), 0, {}
    while agreeing < 10:
        assert time.monotonic() - start < limit, (seen, expected, live.log_tail())
        seen = served_counts(live.url)
        agreeing = agreeing + 1 if seen == expected else 0


@pytest.fixture
def small_disk(checkout: Path) -> Iterator[Path]:
    """imports/ on a 2 MB tmpfs (root only), unmounted afterwards whatever happened."""
    folder = checkout / "imports"
    folder.mkdir(exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        missing(f"cannot mount a tmpfs here ({result.stderr.strip()})", "a small tmpfs (root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_changes_nothing(
    small_disk: Path,
    good_import: tuple[bytes, dict[str, int]],
    live: LiveServer,
    checkout: Path,
    tmp_path: Path,
) -> None:
    existing, before = good_import
    assert (small_disk / "partner.nq").read_bytes() == existing  # the import is on the tmpfs
    served_as(live, before)
    source = plain_triples(tmp_path / "big.nt", 100_000)  # ~5 MB: does not fit in 2 MB
    process = import_process(checkout, source, "partner")
    _, err = process.communicate(timeout=300)
    assert process.returncode == 5, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: no space left on the device of ") and "nothing imported" in last
    assert "Traceback" not in err
    assert (small_disk / "partner.nq").read_bytes() == existing
    assert counts_per_graph(checkout) == before
    served_as(live, before)
    assert leftovers(checkout) == []


def test_two_imports_of_one_graph_take_turns(
    good_import: tuple[bytes, dict[str, int]], live: LiveServer, checkout: Path, tmp_path: Path
) -> None:
    served_as(live, good_import[1])
    first = plain_triples(tmp_path / "first.nt", 20_000)
    second = plain_triples(tmp_path / "second.nt", 30_000)
    processes = [
        import_process(checkout, first, "partner"),
        import_process(checkout, second, "partner"),
    ]
    results = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    # They overlapped (each takes seconds, both started together): one waited for the other.
    assert sum("waiting for another import" in err for _, err in results) == 1
    # Whichever finished last wrote the file, whole: never a mix of the two.
    count = counts_per_graph(checkout)["https://w3id.org/treatygraph/graph/partner"]
    assert count in (20_000, 30_000)
    served_as(live, counts_per_graph(checkout))  # the server follows to the winner, whole
    assert [p.name for p in imported_files(checkout)] == ["partner.nq"]
    assert leftovers(checkout) == []


def test_sigint_during_an_import_changes_nothing(
    good_import: tuple[bytes, dict[str, int]], live: LiveServer, checkout: Path, tmp_path: Path
) -> None:
    existing, before = good_import
    served_as(live, before)
    source = plain_triples(tmp_path / "big.nt", 400_000)
    process = import_process(checkout, source, "partner")
    deadline = time.monotonic() + 120
    while not leftovers(checkout):  # the work folder exists: the import is under way
        assert process.poll() is None and time.monotonic() < deadline, "the import ended early"
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 4, err
    assert err.strip().splitlines()[-1] == (
        f"error: interrupted; nothing imported ({checkout / 'imports' / 'partner.nq'} is as it was)"
    )
    assert "Traceback" not in err
    assert (checkout / "imports" / "partner.nq").read_bytes() == existing
    assert counts_per_graph(checkout) == before
    served_as(live, before)
    assert leftovers(checkout) == []


def test_running_out_of_memory_is_one_line(
    good_import: tuple[bytes, dict[str, int]],
    checkout: Path,
    examples: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A MemoryError (an outside run got one from an endless body) is exit 5, not a traceback
    with exit 1 (which the docs give to SHACL violations)."""
    existing, before = good_import

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("treatygraph.integration.imports.convert_table", exhausted)
    source = examples / "treaty-status" / "treaty-status.csv"
    assert tg("--root", checkout, "import", source, "--graph", "partner", "--quiet") == 5
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {source}: out of memory while importing; nothing imported "
        f"({checkout / 'imports' / 'partner.nq'} is as it was)"
    )
    assert (checkout / "imports" / "partner.nq").read_bytes() == existing
    assert counts_per_graph(checkout) == before
    assert leftovers(checkout) == []


def test_sigint_during_the_rename_waits_for_it() -> None:
    """Once the rename has begun, SIGINT is held: the import is then whole, never half-replaced."""
    signals = Signals()
    with pytest.raises(KeyboardInterrupt):
        signals._handle(signal.SIGINT, None)
    signals.committing = True
    signals._handle(signal.SIGINT, None)  # no exception: noted, and the rename goes on
    assert signals.pending
