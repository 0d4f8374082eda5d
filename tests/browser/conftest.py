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


class Watch:
    """Console errors, failed requests and dialogs of one tab, for asserting none happened.

    A request the page's own navigation cut short (``net::ERR_ABORTED`` of a request made
    before the main frame navigated again: a favicon still loading when a link is followed)
    is no error; every other failed request is. Which ones were cut short is decided when
    ``errors`` is read, once the navigation that cut them has been reported.
    """

    def __init__(self, page: Any) -> None:
        self._errors: list[str] = []
        self.dialogs: list[str] = []
        self._navigations = 0
        # id(request) -> (request, navigations seen when it started); holding the request
        # keeps its id from being reused
        self._started: dict[int, tuple[Any, int]] = {}
        self._aborted: list[tuple[str, int]] = []  # (url, navigations seen when it started)
        page.on("console", lambda m: m.type == "error" and self._errors.append(m.text))
        page.on("pageerror", lambda e: self._errors.append(str(e)))
        page.on("framenavigated", lambda f: f == page.main_frame and self._navigated())
        page.on("request", lambda r: self._started.setdefault(id(r), (r, self._navigations)))
        page.on("requestfailed", self._failed)
        page.on(
            "response",
            lambda r: r.status >= 400 and self._errors.append(f"{r.status}: {r.url}"),
        )

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

    def _navigated(self) -> None:
        self._navigations += 1

    def _failed(self, request: Any) -> None:
        started = self._started.get(id(request))
        if "ERR_ABORTED" in (request.failure or "") and started is not None:
            self._aborted.append((request.url, started[1]))
        else:
            self._errors.append(f"failed: {request.url} ({request.failure})")

    @property
    def errors(self) -> list[str]:
        not_navigated_away = [
            f"failed: {url} (net::ERR_ABORTED)"
            for url, n in self._aborted
            if n >= self._navigations
        ]
        return self._errors + not_navigated_away
