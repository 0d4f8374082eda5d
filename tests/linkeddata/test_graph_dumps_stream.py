"""A named graph's dumps read only that graph, and all but JSON-LD stream from disk: a server
holding a 200k-triple graph serves its N-Triples and Turtle without its worker's peak memory
growing with the graph, and a small graph's JSON-LD without reading the big one."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from treatygraph.rdf.iris import GRAPH_BASE
from treatygraph.testing import LiveServer

from .test_dumps import _peaks

BIG, SMALL = GRAPH_BASE + "big", GRAPH_BASE + "small"
TRIPLES = 200_000


def _data(path: Path) -> None:
    """200k triples in graph ``big`` (about 110 bytes a line) and 3 in ``small``."""
    with path.open("w") as out:
        for i in range(TRIPLES):
            out.write(
                f"<http://example.org/s{i // 10}> <http://example.org/p{i % 10}> "
                f'"a literal long enough to weigh something, number {i}" <{BIG}> .\n'
            )
        for i in range(3):
            out.write(f'<http://example.org/t> <http://example.org/q> "{i}" <{SMALL}> .\n')


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as resp:
        assert resp.status == 200
        return resp.read()


def test_a_big_graph_streams_and_a_small_one_reads_only_itself(tmp_path: Path) -> None:
    data = tmp_path / "graphs.nq"
    _data(data)
    with LiveServer(["--data", str(data), "--workers", "1"], tmp_path / "server.log") as live:
        before = _peaks(live.process.pid)
        small = _get(live.url + "/dumps/small.jsonld")
        after_small = _peaks(live.process.pid)
        nt = _get(live.url + "/dumps/big.nt")
        ttl = _get(live.url + "/dumps/big.ttl")
        after = _peaks(live.process.pid)
    assert len(nt) > 20_000_000  # 200k lines of about 110 bytes
    # every triple of the graph, and only those (N-Triples has no graph term to leak)
    assert sum(1 for _ in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)) == TRIPLES
    assert sum(1 for _ in ox.parse(ttl, format=ox.RdfFormat.TURTLE)) == TRIPLES
    assert b"@prefix" in ttl[:2000] or b"PREFIX" in ttl[:2000]
    values = json.dumps(json.loads(small))  # compacted against the context, named by URL
    assert all(f'"{i}"' in values for i in range(3)) and "number" not in values
    # whole-dataset reading (the old way) grew the worker by about the dataset's size
    growth_small = max(after_small.get(p, 0) - kb for p, kb in before.items())
    assert growth_small * 1024 < len(nt) / 4, (growth_small, before, after_small)
    growth = max(after.get(p, 0) - kb for p, kb in before.items())
    assert growth * 1024 < len(nt) / 4, (growth, before, after)
