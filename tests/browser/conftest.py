"""A live ``treatygraph serve`` and a headless Chromium (Debian's, driven by Playwright).

Never ``playwright install``: the browser is the system's /usr/bin/chromium. Without it
or without the ``playwright`` package the tests skip and say why; with CI=true they fail.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from treatygraph.testing import CHROMIUM, CHROMIUM_ARGS, LiveServer, missing


def _missing(reason: str) -> None:
    missing(reason, "the browser tests to run")


@pytest.fixture(scope="session")
def artifacts(root: Path) -> Path:
    path = root / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def live_server(root: Path, exported_nquads: Path, artifacts: Path) -> Iterator[str]:
    """``treatygraph serve`` on a free port over the built graph; stopped at the end."""
    data = exported_nquads
    examples = root / "examples" / "queries"  # the competency questions, as users see them
    args = ["--data", str(data), "--workers", "1", "--examples-dir", str(examples)]
    with LiveServer(args, artifacts / "browser-server.log", cwd=root) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (CHROMIUM.is_file() or shutil.which(str(CHROMIUM))):
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing(
            "the playwright package is missing (pip install playwright; never run "
            "`playwright install`: the tests use the system's chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    try:
        yield tab
    finally:
        context.close()
