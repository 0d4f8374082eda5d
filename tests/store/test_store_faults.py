"""Faults of an on-disk store, with the real server (issue 14, point 6).

A store written by ``build --store`` (``write_store``) is served with the counts per graph that
were loaded. Damaged afterwards (4 KiB scribbled inside a data file, keeping its size; a file
truncated; a file deleted), ``serve --store`` refuses at start with one line naming the file and
exit status 2 (ConfigError), never an answer. A disk that fills up during the build leaves the
previous store served as it was, and no temporary file.

The data: three graphs of 1,000, 2,000 and 3,000 distinct triples (counts by construction).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from treatygraph.build.artifact import write_store
from treatygraph.errors import OutOfResources
from treatygraph.store import manifest
from treatygraph.testing import LiveServer, free_port, missing

pytestmark = pytest.mark.live

SIZES = {
    "http://example.org/g/a": 1000,
    "http://example.org/g/b": 2000,
    "http://example.org/g/c": 3000,
}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def nquads(sizes: dict[str, int]) -> bytes:
    lines = []
    for graph, size in sizes.items():
        for i in range(size):
            lines.append(
                f'<http://example.org/e/{i}> <{LABEL}> "entity {i} of {graph}" <{graph}> .\n'
            )
    return "".join(lines).encode()


def served_counts(store: Path, log: Path) -> dict[str, int]:
    with LiveServer(["--store", str(store), "--workers", "1"], log, startup=60) as server:
        answer = requests.get(
            server.url + "/sparql",
            params={"query": COUNT},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        rows = answer.json()["results"]["bindings"]
        return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def refused_start(store: Path, log: Path) -> tuple[int, str]:
    """Start ``serve --store`` and wait for it to stop by itself (a refusal)."""
    command = [sys.executable, "-m", "treatygraph.cli", "serve", "--store", str(store)]
    done = subprocess.run(
        [*command, "--port", str(free_port()), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    log.write_text(done.stdout + done.stderr)
    return done.returncode, done.stderr


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    counts = write_store(path, nquads(SIZES), [])
    assert counts.graphs == {**SIZES, None: 0} and counts.union == 6000
    return path


def largest_data_file(store: Path) -> Path:
    return max((p for p in store.iterdir() if p.suffix == ".sst"), key=lambda p: p.stat().st_size)


def scribble(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(os.urandom(4096))


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def delete(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize("damage", [scribble, truncate, delete], ids=lambda f: f.__name__)
def test_a_damaged_store_is_refused_at_start(store: Path, tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    assert served_counts(store, tmp_path / "good.log") == SIZES
    victim = largest_data_file(store)
    size = victim.stat().st_size
    damage(victim)
    if damage is scribble:
        assert victim.stat().st_size == size  # same size: only the content tells
    status, stderr = refused_start(store, tmp_path / "bad.log")
    assert status == 2, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and str(victim) in lines[0], stderr
    assert "Traceback" not in stderr


def test_a_scribble_that_keeps_the_time_is_found_by_a_full_check(store: Path) -> None:
    victim = largest_data_file(store)
    times = victim.stat()
    scribble(victim)
    os.utime(victim, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert manifest.verify(store).union == 6000  # the quick check trusts size and time
    with pytest.raises(manifest.StoreDamaged, match=str(victim)):
        manifest.verify(store, full=True)


def test_a_copied_store_without_its_times_is_accepted(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(store, copy, copy_function=shutil.copyfile)  # new modification times
    shutil.copyfile(store.with_name("store.search.sqlite"), copy.with_name("copy.search.sqlite"))
    assert manifest.verify(copy).graphs[next(iter(SIZES))] == 1000


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        missing("mounting a small tmpfs needs root", "the full-disk test (run as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)])
    if mounted.returncode != 0:
        missing("mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)", "the full-disk test")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_during_the_build_keeps_the_previous_store(small_disk: Path) -> None:
    store = small_disk / "store"
    write_store(store, nquads(SIZES), [])
    files = sorted(p.name for p in small_disk.iterdir())
    assert served_counts(store, small_disk.parent / "before.log") == SIZES
    bigger = {f"http://example.org/g/big{i}": 40_000 for i in range(4)}
    with pytest.raises(OutOfResources, match="disk is full"):
        write_store(store, nquads(bigger), [])
    assert sorted(p.name for p in small_disk.iterdir()) == files  # no temporary file left
    assert manifest.verify(store, full=True).graphs == {**SIZES, None: 0}
    assert served_counts(store, small_disk.parent / "after.log") == SIZES
