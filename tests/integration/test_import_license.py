"""``treatygraph import --license IRI``: the licence goes into the import's provenance graph
as ``dct:license``, and VoID/DCAT repeat it (issue 12, point 4)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.linkeddata.void import import_facts
from treatygraph.store.oxigraph import OxigraphEngine

from .conftest import counts_per_graph, loaded_store, tg

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
DCT_LICENSE = "http://purl.org/dc/terms/license"
PARTNER = "https://w3id.org/treatygraph/graph/partner"


def _import(checkout: Path, examples: Path, *extra: str) -> int:
    return tg(
        "--root", checkout, "import", examples / "partner.ttl", "--graph", "partner", "--quiet",
        *extra,
    )  # fmt: skip


def test_license_is_recorded_and_described(checkout: Path, examples: Path) -> None:
    assert _import(checkout, examples, "--license", CC_BY) == 0
    store = loaded_store(checkout)
    recorded = list(
        store.quads_for_pattern(
            ox.NamedNode(PARTNER),
            ox.NamedNode(DCT_LICENSE),
            None,
            ox.NamedNode(PARTNER + "-provenance"),
        )
    )
    assert [q.object for q in recorded] == [ox.NamedNode(CC_BY)]
    facts = import_facts(OxigraphEngine(store), PARTNER)
    assert (DCT_LICENSE, ox.NamedNode(CC_BY)) in facts


def test_without_license_none_is_claimed(checkout: Path, examples: Path) -> None:
    assert _import(checkout, examples) == 0
    facts = import_facts(OxigraphEngine(loaded_store(checkout)), PARTNER)
    assert [f for f in facts if f[0] == DCT_LICENSE] == []


@pytest.mark.parametrize("bad", ["CC-BY-4.0", "urn:x:cc-by", "https://exa mple.org/licence"])
def test_a_bad_license_names_itself_and_imports_nothing(
    checkout: Path, examples: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts_per_graph(checkout)
    assert _import(checkout, examples, "--license", bad) == 2
    err = capsys.readouterr().err
    assert f"--license {bad!r}" in err
    assert counts_per_graph(checkout) == before
    assert not (checkout / "imports" / "partner.nq").exists()
