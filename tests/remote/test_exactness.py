"""A remote store that reads our literals back changed is refused at start, naming each
changed datatype; ``--accept-remote-changes`` serves it with a warning per datatype.

Virtuoso 7.2 reads ``tg:noticePeriod "P6M"^^xsd:duration`` (graph/vox-inf-article) back as
``"6"`` and integral decimals such as the INF Treaty's 500.0 km as integers (docs/scaling.md).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from treatygraph.errors import ConfigError
from treatygraph.testing import app_factory

from .virtuoso import Virtuoso


def test_changed_duration_and_decimal_are_named_and_start_refused(
    nquads: Path, root: Path, virtuoso: Virtuoso
) -> None:
    with app_factory(DATA_FILES=[str(nquads)], PROJECT_ROOT=str(root)) as make:
        with pytest.raises(ConfigError) as caught:
            make(STORE_PATH=virtuoso.store_path)
    message = str(caught.value)
    assert 'xsd:duration "P6M"^^xsd:duration came back as "6"' in message
    assert "xsd:decimal" in message and "came back as" in message
    assert "--accept-remote-changes" in message


def test_the_flag_serves_and_warns_per_datatype(
    nquads: Path, root: Path, virtuoso: Virtuoso, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="treatygraph.store.remote"):
        with app_factory(DATA_FILES=[str(nquads)], PROJECT_ROOT=str(root)) as make:
            app = make(STORE_PATH=virtuoso.store_path, REMOTE_ACCEPT_CHANGES=True)
            assert app.test_client().get("/healthz").status_code == 200
    warned = [r.getMessage() for r in caplog.records if "changed the data" in r.getMessage()]
    assert any("xsd:duration" in line for line in warned)
    assert any("xsd:decimal" in line for line in warned)
