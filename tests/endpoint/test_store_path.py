"""An on-disk store written from the artifact (as ``build --store DIR`` does) is served by
``serve --store DIR`` exactly as the built file holds it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from treatygraph.build.artifact import write_store
from treatygraph.testing import LiveServer

pytestmark = pytest.mark.live

COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def test_served_store_answers_like_the_built_file(
    root: Path, exported_nquads: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    write_store(store, exported_nquads.read_bytes(), [])
    expected: dict[str, int] = {}
    for quad in ox.parse(path=str(exported_nquads), format=ox.RdfFormat.N_QUADS):
        expected[quad.graph_name.value] = expected.get(quad.graph_name.value, 0) + 1
    with LiveServer(
        ["--store", str(store), "--workers", "2"], tmp_path / "serve.log", cwd=root
    ) as server:
        for _ in range(4):  # several requests, so both workers and their query processes answer
            rows = requests.get(
                server.url + "/sparql",
                params={"query": COUNT},
                timeout=30,
                headers={"Accept": "application/sparql-results+json"},
            )
            assert rows.status_code == 200
            bindings = rows.json()["results"]["bindings"]
            got = {b["g"]["value"]: int(b["n"]["value"]) for b in bindings}
            assert got == expected
        page = requests.get(
            server.url + "/id/heiko-maas", headers={"Accept": "text/turtle"}, timeout=30
        )
        assert page.status_code == 200 and "Heiko Maas" in page.text
        refused = requests.post(server.url + "/update", data={"update": "CLEAR ALL"}, timeout=30)
        assert refused.status_code == 403


def test_a_failed_store_build_keeps_the_old_store(exported_nquads: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    write_store(store, exported_nquads.read_bytes(), [])
    before = sorted(p.name for p in store.iterdir())
    with pytest.raises(SyntaxError):
        write_store(store, b'<a:s> <a:p> "unterminated .\n', [])
    assert sorted(p.name for p in store.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store")] == []
