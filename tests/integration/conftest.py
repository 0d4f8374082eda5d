"""Fixtures for the integration tests: a scratch checkout, local HTTP servers, a stand-in Wikidata.

Every test that writes (imports, links, reconciled links) works in a copy of the checkout's
sources under pytest's tmp_path, never in the checkout itself. Servers bind 127.0.0.1 on a free
port and are stopped by the fixture, whatever the test did.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.build.artifact import ensure_built
from treatygraph.build.compile import compile_graphs
from treatygraph.cli import COMMANDS, main
from treatygraph.corpus.project import Project, SourceError, imported_files
from treatygraph.testing import free_port, made_once, missing

FIXTURES = Path(__file__).parent / "fixtures"
SOURCE_DIRS = ("ontology", "shapes", "graph", "corpus")
OUR_COMMANDS = {
    "link": ("treatygraph.integration.alignments", "link resources to verified Wikidata items"),
    "reconcile": ("treatygraph.integration.reconcile", "propose and accept Wikidata candidates"),
    "import": ("treatygraph.integration.imports", "import a dataset into its own named graph"),
}


def tg(*argv: str | Path) -> int:
    """Run the ``treatygraph`` command line in-process (with our commands registered)."""
    for name, entry in OUR_COMMANDS.items():
        COMMANDS.setdefault(name, entry)
    return main([str(a) for a in argv])


@pytest.fixture(scope="session")
def examples(root: Path) -> Path:
    return root / "examples"


@pytest.fixture(scope="session")
def verified_list(root: Path) -> Path:
    """The shared verified Wikidata list (outside the repository, like the article)."""
    path = root.parent / "shared" / "data" / "wikidata-verified.tsv"
    if not path.is_file():
        missing(f"the verified Wikidata list is not at {path}", "the verified Wikidata list")
    return path


@pytest.fixture(scope="session")
def pristine(root: Path, run_tmp: Path) -> Path:
    """A compilable, built copy of the checkout's sources, made once per test run (the first
    worker makes it, the others reuse it). Tests copy it (``checkout``), never write to it."""

    def make(dest: Path) -> None:
        for name in SOURCE_DIRS:
            shutil.copytree(root / name, dest / name)
        try:
            compile_graphs(Project(dest))
        except SourceError:
            # Sources whose anchors have no offsets yet: fill them in the copy, from the texts.
            corpus = Project(root).registry().corpus
            if not corpus.is_dir():
                pytest.skip(
                    "graph/ anchors have no offsets and the texts are not there to add them"
                )
            assert tg("--root", dest, "--corpus", corpus, "anchor") == 0
        ensure_built(dest)  # the copies share this build: `import` reads it and builds no more

    return made_once(run_tmp / "pristine", make)


#: The two shipped FAS tables and the graph each is imported into.
FAS_TABLES = {
    "fas-stockpiles": "nuclear_weapons_stockpiles_excerpt_russia_us.csv",
    "fas-inventories": "nuclear_weapons_inventories.csv",
}


def import_fas(checkout: Path, examples: Path) -> None:
    """``treatygraph import`` of both FAS tables into ``checkout``."""
    for name, file in FAS_TABLES.items():
        argv = ("--root", checkout, "import", examples / "fas-warheads" / file, "--graph", name)
        assert tg(*argv, "--quiet") == 0, name


@pytest.fixture(scope="session")
def fas_checkout(pristine: Path, examples: Path, run_tmp: Path) -> Path:
    """A copy of ``pristine`` with both FAS tables imported, made once per test run for the
    FAS tests, the state pages and the browser; read only."""

    def make(dest: Path) -> None:
        shutil.copytree(pristine, dest)
        import_fas(dest, examples)

    return made_once(run_tmp / "fas-checkout", make)


@pytest.fixture
def checkout(pristine: Path, tmp_path: Path) -> Path:
    """A fresh, writable copy of the checkout for one test."""
    dest = tmp_path / "checkout"
    shutil.copytree(pristine, dest)
    return dest


def loaded_store(checkout: Path) -> ox.Store:
    """The dataset as served: the built graph plus every file in imports/."""
    store = ox.Store()
    store.load(path=str(ensure_built(checkout).path), format=ox.RdfFormat.N_QUADS)
    for path in imported_files(checkout):
        store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def counts_per_graph(checkout: Path) -> dict[str, int]:
    """COUNT of triples per named graph over the loaded dataset."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    return {row["g"].value: int(row["n"].value) for row in loaded_store(checkout).query(query)}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".ttl": "text/turtle",
        ".csv": "text/csv",
        ".data": "text/turtle",  # an address whose suffix says nothing: the type decides
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static HTTP server on 127.0.0.1 over a temporary folder: (base address, folder)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def wikidata_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve-read-only`` over the Wikidata-shaped fixture; yields the query address."""
    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        found = shutil.which("oxigraph")
        if found is None:
            pytest.skip("the oxigraph server (PyPI package `oxigraph`) is not installed")
        binary = Path(found)
    location = tmp_path_factory.mktemp("wikidata-standin")
    subprocess.run(
        [
            str(binary),
            "load",
            "--location",
            str(location),
            "--file",
            str(FIXTURES / "wikidata-standin.ttl"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{address}?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the stand-in Wikidata endpoint did not start")
                time.sleep(0.1)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
