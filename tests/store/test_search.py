"""Entity search over an FTS5 index: what is found, in which order, and what is refused.

Every expected order is reasoned from ``search-data.ttl`` and the ranking rules in
:mod:`treatygraph.store.search`: exact label, then a label starting with the query, then BM25.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from treatygraph.errors import InputError
from treatygraph.store.oxigraph import OxigraphEngine, load_files
from treatygraph.store.search import SearchIndex, build_index, normalise

DATA = Path(__file__).with_name("search-data.ttl")
EX = "http://example.org/"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    path = tmp_path_factory.mktemp("search") / "labels.sqlite"
    assert build_index(OxigraphEngine(load_files([str(DATA)])), path) == 10
    return SearchIndex.open(path)


def iris(index: SearchIndex, query: str, **kwargs: int) -> list[str]:
    return [hit.iri.removeprefix(EX) for hit in index.search(query, **kwargs)]


def test_an_exact_label_comes_first_then_labels_that_start_with_the_query(
    index: SearchIndex,
) -> None:
    # "Bolton" is bolton's altLabel exactly; "Boltonia …" starts with it; "Bolt" does not match
    # the word "bolton" at all. The blank node is never a hit (only IRIs are entities).
    assert iris(index, "bolton") == ["bolton", "boltonia"]


def test_the_last_word_is_a_prefix(index: SearchIndex) -> None:
    # "bol" starts "Bolt" (exact-length win: shortest label), "Bolton", "Boltonia …"
    assert iris(index, "bol") == ["bolt", "bolton", "boltonia"]
    assert iris(index, "john bol") == ["bolton"]


def test_an_entity_appears_once_with_its_best_label(index: SearchIndex) -> None:
    # both of inf's labels contain "treaty", neither starts with it: BM25 prefers the shorter,
    # the alternative "INF Treaty"; newstart matches only through its 5-word altLabel
    hits = index.search("treaty")
    assert [(h.iri.removeprefix(EX), h.label, h.preferred) for h in hits] == [
        ("inf", "INF Treaty", False),
        ("newstart", "New Strategic Arms Reduction Treaty", False),
    ]
    assert hits[0].kind == EX + "Treaty"
    # "INF Treaty" starts with "inf": that alternative label beats the preferred one
    assert [(h.label, h.preferred) for h in index.search("inf")] == [("INF Treaty", False)]


def test_alternative_labels_are_found(index: SearchIndex) -> None:
    assert iris(index, "strategic arms") == ["newstart"]


def test_case_and_diacritics_are_folded(index: SearchIndex) -> None:
    assert iris(index, "HELENE") == ["helene"]
    assert iris(index, "carrere") == ["helene"]
    assert normalise("Hélène  Carrère") == "helene carrere"


def test_search_syntax_in_the_input_is_only_text(index: SearchIndex) -> None:
    assert iris(index, 'AND OR NOT * " : ^ (x)') == ["tricky"]
    assert iris(index, "NOT") == ["tricky"]


def test_paging(index: SearchIndex) -> None:
    assert iris(index, "bol", limit=2) == ["bolt", "bolton"]
    assert iris(index, "bol", limit=2, offset=2) == ["boltonia"]


def test_an_empty_query_is_a_clear_error(index: SearchIndex) -> None:
    with pytest.raises(InputError, match="at least one letter"):
        index.search("  *  ")


def test_the_index_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "labels.sqlite"
        build_index(OxigraphEngine(load_files([str(DATA)])), path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["labels.sqlite"]  # no temporary left
