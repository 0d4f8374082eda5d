"""A dump that takes minutes to write or send keeps its gunicorn worker alive: the writer and
the file's chunks call the worker's heartbeat as they go (a sync worker reports only between
requests, and the arbiter killed a 10M-triple dump at the 40 s worker timeout with a 500)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.linkeddata import dumps
from treatygraph.store.oxigraph import OxigraphEngine
from treatygraph.web import pipeline


def _engine(quads: int) -> OxigraphEngine:
    store = ox.Store()
    graph = ox.NamedNode("https://w3id.org/treatygraph/graph/big")
    store.extend(
        ox.Quad(
            ox.NamedNode(f"http://example.org/s{i}"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal(f"value {i}"),
            graph,
        )
        for i in range(quads)
    )
    return OxigraphEngine(store)


@pytest.mark.parametrize("name", ["treatygraph.nq", "treatygraph.trig.gz", "big.ttl"])
def test_writing_a_dump_ticks_as_it_goes(tmp_path: Path, name: str) -> None:
    engine = _engine(100_000)
    spec = next(s for s in dumps.dump_specs(engine.graph_names()) if s.filename == name)
    ticks: list[int] = []
    made = dumps.write_dump_file(engine, spec, str(tmp_path), tick=lambda: ticks.append(1))
    assert made.size > 500_000  # gzipped TriG is the smallest: about 0.5 MB
    # the raw dump, the line pass and the output all report: many times, not once at the end
    assert len(ticks) > 20, len(ticks)


def test_the_heartbeat_reaches_the_worker_once_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(pipeline.time, "monotonic", lambda: clock[0])
    calls: list[float] = []
    beat = pipeline.Heartbeat(lambda: calls.append(clock[0]))
    for _ in range(5):
        beat()  # the same instant: one notification
    clock[0] += 0.5
    beat()
    clock[0] += 0.6
    beat()
    assert calls == [100.0, 101.1]
    pipeline.Heartbeat(None)()  # outside gunicorn: nothing to tell, no error


def test_sent_chunks_tick(tmp_path: Path) -> None:
    path = tmp_path / "body"
    path.write_bytes(b"x" * (pipeline.FileChunks.CHUNK * 5 + 1))
    ticks: list[int] = []
    chunks = pipeline.FileChunks(path, lambda: ticks.append(1))
    assert sum(len(c) for c in chunks) == path.stat().st_size
    assert len(ticks) == 7  # six chunks and the end
