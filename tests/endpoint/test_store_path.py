"""``treatygraph build --store DIR`` writes an on-disk store that ``serve --store DIR`` serves."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from treatygraph.cli import main
from treatygraph.testing import LiveServer

pytestmark = pytest.mark.live

COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def test_served_store_answers_like_the_built_file(root: Path, tmp_path: Path) -> None:
    nquads, store = tmp_path / "tg.nq", tmp_path / "store"
    assert main(["--root", str(root), "build", "--out", str(nquads), "--store", str(store)]) == 0
    expected = {}
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
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


def test_a_failed_store_build_keeps_the_old_store(root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert (
        main(["--root", str(root), "build", "--out", str(tmp_path / "a.nq"), "--store", str(store)])
        == 0
    )
    before = sorted(p.name for p in store.iterdir())
    from treatygraph.build.compile import write_store

    with pytest.raises(SyntaxError):
        write_store(store, b'<a:s> <a:p> "unterminated .\n', [])
    assert sorted(p.name for p in store.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store")] == []
