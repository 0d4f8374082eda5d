"""What was built: the checked N-Quads of the last good build, and what they were built from.

``serve``, ``export``, ``import`` and the pages read the artifact (``build/treatygraph.nq``)
instead of compiling and validating the sources again at every start. Beside it, a manifest
(``treatygraph.nq.json``) records a fingerprint of everything the build reads: the project's
sources (``ontology/``, ``shapes/``, ``graph/``), the source documents the anchors are checked
against, and the code that builds them. :func:`ensure_built` rebuilds only when that
fingerprint changed, so a changed source file causes exactly one rebuild. Concurrent callers
(several test workers, a server and a command) wait on a lock instead of building twice.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from treatygraph import __version__
from treatygraph.corpus.documents import COMMITTED_TEXTS, corpus_directory
from treatygraph.errors import OutOfResources
from treatygraph.store import manifest

if TYPE_CHECKING:
    from rdflib import Graph

ARTIFACT = Path("build") / "treatygraph.nq"
#: Folders of a checkout whose files the build reads (texts committed beside the sources too).
SOURCE_FOLDERS = ("ontology", "shapes", "graph", str(COMMITTED_TEXTS))


@dataclass(frozen=True)
class Built:
    """The artifact, and whether this call had to build it."""

    path: Path
    rebuilt: bool


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


def fingerprint(root: Path, corpus: Path | None = None) -> str:
    """A hash of everything a build of ``root`` reads: sources, documents and build code."""
    digest = hashlib.sha256(f"treatygraph {__version__}\n".encode())

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    for name in SOURCE_FOLDERS:
        for path in _files(root / name):
            add(path.relative_to(root).as_posix(), path.read_bytes())
    documents = corpus_directory(root, corpus)
    if documents.is_dir():
        for path in sorted(p for p in documents.iterdir() if p.is_file()):
            add(f"documents/{path.name}", path.read_bytes())
    package = resources.files("treatygraph")
    for module in sorted(_code(package), key=lambda item: item[0]):
        add(*module)
    return digest.hexdigest()


def _code(folder: resources.abc.Traversable, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    for item in folder.iterdir():
        if item.is_dir() and item.name != "__pycache__":
            yield from _code(item, f"{prefix}{item.name}/")
        elif item.name.endswith(".py"):
            yield f"code/{prefix}{item.name}", item.read_bytes()


def manifest_path(artifact: Path) -> Path:
    return artifact.with_name(artifact.name + ".json")


def read_manifest(artifact: Path) -> dict[str, object] | None:
    """The manifest of an artifact that is still whole (its size as recorded), else None."""
    try:
        manifest = json.loads(manifest_path(artifact).read_text(encoding="utf-8"))
        if artifact.stat().st_size != manifest.get("bytes"):
            return None
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def record(artifact: Path, nquads: bytes, source_hash: str) -> None:
    """Write the artifact, then its manifest (a crash in between leaves it stale, not wrong)."""
    from treatygraph.files import write_atomically

    write_atomically(artifact, nquads)
    manifest = {
        "sources": source_hash,
        "bytes": len(nquads),
        "quads": nquads.count(b"\n"),
        "built": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    write_atomically(manifest_path(artifact), (json.dumps(manifest, indent=1) + "\n").encode())


@contextmanager
def _lock(artifact: Path) -> Iterator[None]:
    artifact.parent.mkdir(parents=True, exist_ok=True)
    with open(artifact.parent / f".{artifact.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_built(
    root: Path,
    artifact: Path | None = None,
    *,
    corpus: Path | None = None,
    say: Callable[[str], None] | None = None,
) -> Built:
    """The artifact of ``root``, built first if it is missing or its sources changed.

    A failed build raises (:class:`~treatygraph.build.compile.BuildError`) and leaves the
    previous artifact, if any, as it was.
    """
    artifact = artifact or root / ARTIFACT
    wanted = fingerprint(root, corpus)
    with _lock(artifact):
        manifest = read_manifest(artifact)
        if manifest is not None and manifest.get("sources") == wanted:
            return Built(artifact, rebuilt=False)
        from treatygraph.build.compile import build_nquads

        if say is not None:
            why = "no earlier build" if manifest is None else "the sources changed"
            say(f"building {artifact} ({why}): compiling, checking anchors, validating")
        record(artifact, build_nquads(root, corpus), wanted)
        return Built(artifact, rebuilt=True)


def project_graphs(
    root: Path, *, corpus: Path | None = None, say: Callable[[str], None] | None = None
) -> dict[str, Graph]:
    """The artifact's named graphs as rdflib graphs, by short name (built first if stale)."""
    from treatygraph.rdf.io import read_named_graphs
    from treatygraph.rdf.iris import graph_name

    artifact = ensure_built(root, corpus=corpus, say=say).path
    graphs = {}
    for iri, graph in read_named_graphs(artifact).items():
        name = graph_name(iri)
        if name is not None:
            graphs[name] = graph
    return graphs


def write_store(path: Path, nquads: bytes, extra: list[Path]) -> manifest.Counts:
    """Load N-Quads (and extra N-Quads files) into a fresh on-disk store, then swap it in.

    Everything ``serve --store`` needs is made here, once: the store is optimised (compacted)
    after the bulk load, its triple counts and its search index are written beside it, and a
    manifest of its files (:mod:`treatygraph.store.manifest`) lets start check it in
    milliseconds. All of it is built beside ``path`` and renamed over it, so a failed load
    (a full disk: :class:`~treatygraph.errors.OutOfResources`) leaves the previous store and
    index as they were and no temporary file behind.
    """
    import pyoxigraph as ox

    from treatygraph.files import publish_mode
    from treatygraph.store import search
    from treatygraph.store.oxigraph import OxigraphEngine, bulk_load_nquads

    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    index = search.index_path(path)
    staged_index = staging.with_name(staging.name + ".search.sqlite")
    try:
        store = ox.Store(str(staging))
        store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
        bulk_load_nquads(store, extra)  # the imports, of any size: in chunks
        store.optimize()
        store.flush()
        engine = OxigraphEngine(store)
        counts = manifest.Counts(engine.triple_counts(), engine.union_triple_count())
        search.build_index(engine, staged_index)
        del engine, store
        manifest.write(staging, counts, {index.name: staged_index})
        publish_mode(staging)
        old = path.with_name(f".{path.name}.old")
        if path.exists():
            path.rename(old)
        staging.rename(path)
        os.replace(staged_index, index)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        _clean(staging, staged_index)
        if err.errno == errno.ENOSPC or "No space left" in str(err):
            raise OutOfResources(
                f"{path}: the disk is full while writing the store ({err.strerror or err}); "
                "the previous store is unchanged"
            ) from None
        raise
    except BaseException:
        _clean(staging, staged_index)
        raise
    return counts


def _clean(staging: Path, staged_index: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    staged_index.unlink(missing_ok=True)
    for leftover in staged_index.parent.glob(f"*{staged_index.name}*"):  # SQLite temporaries
        leftover.unlink(missing_ok=True)
