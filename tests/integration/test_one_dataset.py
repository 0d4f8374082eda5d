"""One dataset everywhere (#12 MS4): with an import present, every place that tells what the
dataset holds gives the same triples per named graph: ``/sparql``, ``/dumps/treatygraph.nq``,
``treatygraph export``, VoID, ``treatygraph stats``, ``/healthz`` and the service description."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from endpoint.test_reload import PARTNER, served_counts

from treatygraph.testing import LiveServer

from .conftest import counts_per_graph, tg

VOID = "http://rdfs.org/ns/void#"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
SD = "http://www.w3.org/ns/sparql-service-description#"
pytestmark = pytest.mark.live


def quad_counts(nquads: bytes) -> dict[str, int]:
    graphs = Counter(
        q.graph_name.value
        for q in ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        if isinstance(q.graph_name, ox.NamedNode)
    )
    return dict(graphs)


def description(url: str) -> ox.Store:
    store = ox.Store()
    resp = requests.get(url, headers={"Accept": "application/n-triples"}, timeout=30)
    resp.raise_for_status()
    store.load(resp.content, format=ox.RdfFormat.N_TRIPLES)
    return store


@pytest.fixture(scope="module")
def imported(pristine: Path, examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout with the partner graph imported, for this module's tests, which
    only read it."""
    checkout = tmp_path_factory.mktemp("one-dataset") / "checkout"
    shutil.copytree(pristine, checkout)
    partner = examples / "partner.ttl"
    assert tg("--root", checkout, "import", partner, "--graph", "partner", "--quiet") == 0
    return checkout


@pytest.fixture(scope="module")
def live(imported: Path) -> Iterator[LiveServer]:
    """One server over it for the module (the tests only read)."""
    with LiveServer(["--workers", "1"], imported.parent / "serve.log", cwd=imported) as server:
        yield server


def test_every_place_counts_the_same_graphs(
    live: LiveServer, imported: Path, tmp_path: Path
) -> None:
    expected = counts_per_graph(imported)  # the files, loaded by pyoxigraph without the server
    assert expected[PARTNER] > 0 and expected[PARTNER + "-provenance"] > 0

    assert served_counts(live.url) == expected

    dump = requests.get(live.url + "/dumps/treatygraph.nq", timeout=60)
    assert dump.status_code == 200
    assert quad_counts(dump.content) == expected

    assert tg("--root", imported, "export", "--format", "nq", "--out", tmp_path / "all.nq") == 0
    assert quad_counts((tmp_path / "all.nq").read_bytes()) == expected

    void = description(live.url + "/.well-known/void")
    subsets = {
        str(row["g"].value): int(row["n"].value)
        for row in void.query(
            f"SELECT ?g ?n WHERE {{ ?d <{VOID}subset> ?s . "
            f"?s <{SEE_ALSO}> ?g ; <{VOID}triples> ?n }}"
        )
    }
    assert subsets == expected

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        tg("--root", imported, "stats", "--json")
    assert json.loads(out.getvalue())["graphs"] == expected

    health = requests.get(live.url + "/healthz", timeout=10).json()
    assert health["graphs"] == expected

    service = description(live.url + "/sparql")  # no query: the service description
    named = {
        str(row["g"].value): int(row["n"].value)
        for row in service.query(
            f"SELECT ?g ?n WHERE {{ ?x <{SD}name> ?g ; <{SD}graph> ?h . ?h <{VOID}triples> ?n }}"
        )
    }
    assert named == expected


def test_the_import_is_described_with_its_source_and_date(live: LiveServer, examples: Path) -> None:
    void = description(live.url + "/.well-known/void")
    rows = list(
        void.query(
            f"SELECT ?src ?when WHERE {{ ?s <{SEE_ALSO}> <{PARTNER}> ; <{DCTERMS}source> ?src ; "
            "<http://www.w3.org/ns/prov#generatedAtTime> ?when }"
        )
    )
    assert [r["src"].value for r in rows] == [str(examples / "partner.ttl")]
    catalog = description(live.url + "/catalog")
    dists = list(
        catalog.query(
            f"SELECT ?d ?n ?src WHERE {{ ?d a <{DCAT}Distribution> ; <{DCTERMS}source> ?src ; "
            f"<{VOID}triples> ?n ; <{DCAT}downloadURL> ?url "
            f'FILTER(STRENDS(STR(?url), "/dumps/partner.ttl")) }}'
        )
    )
    assert [r["src"].value for r in dists] == [str(examples / "partner.ttl")]
    assert int(dists[0]["n"].value) == served_counts(live.url)[PARTNER]
