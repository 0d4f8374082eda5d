"""A remote store that stops answering is the store's failure: 502 with a message, not 400."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from treatygraph.testing import app_factory, free_port

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


@pytest.mark.skipif(not Path(OXIGRAPH).exists(), reason="the oxigraph server (PyPI) is missing")
def test_a_store_that_went_away_gives_502(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        config = {
            "STORE_PATH": f"sparql+http://127.0.0.1:{port}/query",
            "STORE_LOAD": False,
            "STORE_GRAPHS": ["urn:x-test:graph"],
            "QUERY_TIMEOUT": 5,
        }
        with app_factory() as make:
            client = make(**config).test_client()
            assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
            server.terminate()
            server.wait(10)
            query = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
            assert query.status_code == 502
            assert "store" in query.get_data(as_text=True)
            page = client.get("/id/donald-trump", headers={"Accept": "text/turtle"})
            assert page.status_code == 502
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(5)
