"""An import's work folder, its turn, its interruption and its one rename.

:mod:`treatygraph.integration.imports` runs the pipeline; this module keeps it safe: imports into
one checkout take turns (a lock on ``imports/``; stale work folders of killed imports are
removed), a SIGINT before the rename stops the import and one during it waits, a CSV import's
store is dumped with blank nodes relabelled (:func:`dump_store`), and the data file gets its
provenance, is fsynced and renamed over ``imports/<NAME>.nq`` (:func:`write_import`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from treatygraph.console import Progress
from treatygraph.integration.fetch import ImportFailure
from treatygraph.integration.provenance import PROVENANCE_SUFFIX, nquads
from treatygraph.rdf.iris import VOID


@contextlib.contextmanager
def turn(folder: Path, progress: Progress) -> Iterator[Path]:
    """Hold the lock on the imports folder: one import at a time per checkout."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress.mode != "off":
                print("waiting for another import into imports/ to finish ...", file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in folder.glob(".*.tmp"):  # left by a killed import: nobody else holds the lock
            shutil.rmtree(stale, ignore_errors=True)
        yield folder
    finally:
        os.close(fd)


class Signals:
    """SIGINT stops the import before the rename, and waits for it once the rename has begun."""

    def __init__(self) -> None:
        self.committing = False
        self.pending = False
        self._previous: object = None

    def __enter__(self) -> Signals:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.committing:
            self.pending = True
            return
        raise KeyboardInterrupt


def relabelled(lines: Iterator[bytes], name: str) -> Iterator[bytes]:
    """N-Quads lines (as Oxigraph writes them) with blank nodes labelled ``<name>-bN``.

    Labels follow first appearance. Only the subject and the object position are looked at, so
    a literal that happens to contain ``_:`` is left alone. RDF-star triple terms (``<<``) are
    refused here, where every quad passes once.
    """
    labels: dict[bytes, bytes] = {}
    prefix = name.encode() + b"-b"

    def label(token: bytes) -> bytes:
        new = labels.get(token)
        if new is None:
            new = labels[token] = b"_:" + prefix + str(len(labels)).encode()
        return new

    for line in lines:
        subject, _, rest = line.partition(b" ")
        if subject.startswith(b"<<"):
            raise ImportFailure(f"RDF-star triple terms are not imported ({line[:120]!r})")
        if subject.startswith(b"_:"):
            subject = label(subject)
        predicate, _, obj = rest.partition(b" ")
        if obj.startswith(b"<<"):
            raise ImportFailure(f"RDF-star triple terms are not imported ({line[:120]!r})")
        if obj.startswith(b"_:"):
            token, _, tail = obj.partition(b" ")
            obj = label(token) + b" " + tail
        yield subject + b" " + predicate + b" " + obj


def dump_store(store: ox.Store, work: Path, name: str) -> Path:
    """The store's quads as N-Quads in the work folder, blank nodes relabelled (CSV imports)."""
    raw = work / "dump.nq"
    data = work / "data.nq"
    with raw.open("wb") as handle:
        store.dump(handle, format=ox.RdfFormat.N_QUADS)
    with raw.open("rb") as source, data.open("wb") as handle:
        handle.writelines(relabelled(source, name))
    raw.unlink()
    return data


def write_import(data: Path, out: Path, prov: Graph, signals: Signals) -> None:
    """Append the provenance to the data file, fsync, then rename it over ``out``."""
    with data.open("ab") as handle:
        handle.write(nquads({provenance_graph_of(prov): prov}))
        handle.flush()
        os.fsync(handle.fileno())
    signals.committing = True
    os.replace(data, out)
    sync_folder(out.parent)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so a rename or removal in it survives a crash."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def provenance_graph_of(prov: Graph) -> URIRef:
    subject = next(iter(prov.subjects(RDF.type, VOID.Dataset)))
    return URIRef(str(subject) + PROVENANCE_SUFFIX)
