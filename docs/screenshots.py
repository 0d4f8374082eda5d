"""Take the README's screenshots: the home page with a query's results, an entity page, and
an entity page at phone width (375 px). Run from the checkout after a change to the pages:

    .venv/bin/python docs/screenshots.py

It starts ``treatygraph serve`` over this checkout on a free 127.0.0.1 port (the test
launcher, :class:`treatygraph.testing.LiveServer`), drives the system's Chromium with
Playwright (never ``playwright install``) and writes ``docs/screenshots/*.png``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from treatygraph.testing import CHROMIUM, CHROMIUM_ARGS, LiveServer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
#: the home page's example: who argues for leaving the INF Treaty (a competency question)
EXAMPLE = ROOT / "examples" / "queries" / "01-who-argues-for-leaving-inf.rq"
ENTITY = "/id/russia"


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        LiveServer(["--workers", "1"], Path(tmp) / "server.log", cwd=ROOT) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            desktop = browser.new_page(viewport={"width": 1280, "height": 900})
            query = EXAMPLE.read_text(encoding="utf-8")
            desktop.goto(f"{server.url}/?{urlencode({'query': query})}")
            desktop.wait_for_selector("#results table")
            desktop.screenshot(path=str(OUT / "home-results.png"), full_page=True)
            desktop.goto(server.url + ENTITY)
            desktop.screenshot(path=str(OUT / "entity.png"))
            phone = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
            phone.goto(server.url + ENTITY)
            phone.screenshot(path=str(OUT / "phone.png"))
        finally:
            browser.close()
    for name in ("home-results.png", "entity.png", "phone.png"):
        print(OUT / name, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
