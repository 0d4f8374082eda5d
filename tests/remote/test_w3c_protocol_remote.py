"""The W3C SPARQL 1.1 Protocol query tests through our endpoint over Virtuoso 7.2.

The harness of tests/w3c is reused as is: the same dataset (protocol.build_dataset), the
same request runner (protocol.run); only the server differs: ``treatygraph serve --store
sparql+http://<virtuoso>/sparql --data protocol.nq`` loads the dataset into Virtuoso over
SPARQL Update and answers through it. The update tests are skipped: the endpoint serves a
remote store read-only (``/update`` answers 403), because its update path dry-runs each
update in the query process first, which on a shared store would apply it twice.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from treatygraph.testing import LiveServer

from .virtuoso import Virtuoso

w3c = pytest.importorskip("w3c", reason="tests/w3c harness not importable")
from w3c import protocol  # noqa: E402
from w3c.endpoint import Endpoint, HttpTransport  # noqa: E402
from w3c.manifest import protocol_tests, suite_available, suite_dir  # noqa: E402

if not suite_available():
    pytest.skip(
        f"W3C test suite not found at {suite_dir()} (set TREATYGRAPH_W3C_SUITE)",
        allow_module_level=True,
    )

TESTS = protocol_tests()
QUERY_TESTS = [t for t in TESTS if not protocol.is_update_test(t)]


@pytest.fixture(scope="module")
def remote_endpoint(
    virtuoso: Virtuoso, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    work = tmp_path_factory.mktemp("w3c-remote")
    data = protocol.build_dataset(TESTS, work / "protocol.nq")
    with LiveServer(
        ["--store", virtuoso.store_path, "--data", str(data), "--workers", "1"], work / "serve.log"
    ) as server:
        yield Endpoint("ours-virtuoso", HttpTransport(server.url), server.url, "/sparql", "/update")


def test_query_tests_present() -> None:
    assert len(QUERY_TESTS) >= 15, [t.short for t in QUERY_TESTS]


@pytest.mark.live
@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: t.short)
def test_protocol_query(test: protocol.ProtocolTest, remote_endpoint: Endpoint) -> None:
    problems = protocol.run(remote_endpoint, test)
    assert not problems, "\n".join(problems)


@pytest.mark.live
@pytest.mark.parametrize(
    "test", [t for t in TESTS if protocol.is_update_test(t)], ids=lambda t: t.short
)
def test_protocol_update(test: protocol.ProtocolTest) -> None:
    pytest.skip(
        "updates are refused on a remote store (served read-only: the endpoint's "
        "dry-run-then-apply update path would apply each update twice)"
    )
