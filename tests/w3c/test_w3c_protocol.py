"""W3C SPARQL 1.1 Protocol suite (protocol/manifest.ttl, 34 tests) against a live server."""

from __future__ import annotations

import pytest

from treatygraph.web.nginx import CACHE_MIN_USES

from . import protocol
from ._params import param
from .manifest import protocol_tests, suite_available, suite_dir

if not suite_available():
    pytest.skip(
        f"W3C test suite not found at {suite_dir()} (set TREATYGRAPH_W3C_SUITE)",
        allow_module_level=True,
    )

TESTS = protocol_tests()


def test_manifest_has_all_tests() -> None:
    assert len(TESTS) == 34


@pytest.mark.parametrize("test", [param(t, t.iri, t.short, "protocol", "protocol") for t in TESTS])
def test_protocol(test: protocol.ProtocolTest, request: pytest.FixtureRequest) -> None:
    _check(test, request, "protocol_write_server", "protocol_read_server")


@pytest.mark.parametrize("test", [param(t, t.iri, t.short, "protocol", "via-nginx") for t in TESTS])
def test_protocol_through_nginx(
    test: protocol.ProtocolTest, request: pytest.FixtureRequest
) -> None:
    """The same suite through nginx configured by ``treatygraph nginx``: nothing may change.

    A read test is run until nginx keeps its answers and once more, so the last run is
    answered from nginx's cache wherever the app allows caching.
    """
    runs = 1 if protocol.is_update_test(test) else CACHE_MIN_USES + 1
    for _ in range(runs):
        _check(test, request, "protocol_front_write_server", "protocol_front_read_server")


def _check(
    test: protocol.ProtocolTest, request: pytest.FixtureRequest, write_server: str, read_server: str
) -> None:
    if protocol.is_update_test(test):
        endpoint = request.getfixturevalue(write_server).endpoint
    else:
        endpoint = request.getfixturevalue(read_server).endpoint
    negative = all(s == "4xx" for r in test.requests for s in r.expected_status)
    before = None
    if negative and protocol.is_update_test(test):
        # harness's own extra check: a refused update must leave the store as it was
        if protocol.store_size(endpoint) == 0:
            endpoint.update("INSERT DATA { <urn:x-w3c:s> <urn:x-w3c:p> <urn:x-w3c:o> }")
        before = protocol.store_size(endpoint)
    problems = protocol.run(endpoint, test)
    assert not problems, "\n".join(problems)
    if before is not None:
        assert protocol.store_size(endpoint) == before, "refused update changed the store"
