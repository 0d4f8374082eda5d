"""Start and stop the servers the suites run against, on 127.0.0.1 and a free port.

Targets (env ``TREATYGRAPH_W3C_TARGET``):

- ``ours``: ``treatygraph serve --data FILE`` started by ``treatygraph.testing.LiveServer``
  (updates enabled with ``TREATYGRAPH_UPDATE_TOKEN``), optionally with nginx in front
  (``treatygraph nginx``, started by ``LiveNginx``);
- ``oxigraph``: the reference Oxigraph server from the ``oxigraph`` PyPI package, in memory,
  loaded through its Graph Store endpoint.

The default is ``ours`` when ``treatygraph.web.app`` can be imported, else ``oxigraph``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from treatygraph.testing import LiveNginx, LiveServer, free_port

from .endpoint import Endpoint, HttpTransport

TARGETS = ("ours", "oxigraph")
START_TIMEOUT = 60.0


def target() -> str:
    value = os.environ.get("TREATYGRAPH_W3C_TARGET", "").strip().lower()
    if value:
        if value not in TARGETS:
            raise ValueError(f"TREATYGRAPH_W3C_TARGET must be one of {TARGETS}, not {value!r}")
        return value
    return "ours" if importlib.util.find_spec("treatygraph.web.app") is not None else "oxigraph"


def _bin(name: str) -> str | None:
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


@dataclass
class Server:
    """A server process we started; ``stop`` ends exactly that process (and its group)."""

    proc: subprocess.Popen[bytes]
    endpoint: Endpoint
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=10)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def _spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # own process group: stop() can end gunicorn's workers together with the arbiter
    with log.open("wb") as fh:
        return subprocess.Popen(
            cmd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    target = server.endpoint.query_path + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    last = "no answer"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited with {server.proc.returncode}:\n{server.log_tail()}")
        try:
            resp = server.endpoint.transport.request("GET", target, {}, None)
            if resp.status == 200:
                return
            last = f"HTTP {resp.status}"
        except OSError as e:
            last = str(e)
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server not ready after {START_TIMEOUT}s ({last}):\n{server.log_tail()}")


def oxigraph_available() -> bool:
    return _bin("oxigraph") is not None


def start_oxigraph(data: Path, workdir: Path) -> Server:
    """Reference server, in memory, read-write; ``data`` (N-Quads) is POSTed to /store."""
    exe = _bin("oxigraph")
    if exe is None:
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = workdir / f"oxigraph-{port}.log"
    proc = _spawn([exe, "serve", "--bind", f"127.0.0.1:{port}"], log)
    ep = Endpoint("oxigraph", HttpTransport(base), base, "/query", "/update")
    server = Server(proc, ep, log)
    _wait_ready(server)
    resp = ep.transport.request(
        "POST", "/store", {"Content-Type": "application/n-quads"}, data.read_bytes()
    )
    if resp.status >= 300:
        server.stop()
        raise RuntimeError(f"loading {data} into oxigraph failed: {resp.status} {resp.body!r}")
    return server


@dataclass
class Ours:
    """Our server, started by the one launcher (``treatygraph.testing.LiveServer``)."""

    live: LiveServer
    endpoint: Endpoint

    def stop(self) -> None:
        self.live.stop()

    def log_tail(self, n: int = 40) -> str:
        return self.live.log_tail(n)


def start_ours(data: Path, workdir: Path, update_token: str | None = None) -> Ours:
    """``treatygraph serve`` (the token, if any, in the environment: never on a command line)."""
    env = {"TREATYGRAPH_UPDATE_TOKEN": update_token} if update_token else {}
    log = workdir / f"treatygraph-{len(list(workdir.glob('treatygraph-*.log')))}.log"
    live = LiveServer(["--data", str(data), "--workers", "1"], log, env=env)
    headers = {"Authorization": f"Bearer {update_token}"} if update_token else {}
    ep = Endpoint("ours", HttpTransport(live.url), live.url, "/sparql", "/update", headers)
    return Ours(live, ep)


@dataclass
class Fronted:
    """Our server with nginx in front (the configuration ``treatygraph nginx`` prints)."""

    app: Ours
    nginx: LiveNginx
    endpoint: Endpoint

    def stop(self) -> None:
        self.nginx.stop()
        self.app.stop()


def start_ours_behind_nginx(data: Path, workdir: Path, update_token: str | None = None) -> Fronted:
    app = start_ours(data, workdir, update_token)
    folder = workdir / f"nginx-{app.endpoint.base_url.rsplit(':', 1)[1]}"
    folder.mkdir()
    nginx = LiveNginx(app.endpoint.base_url.removeprefix("http://"), folder)
    headers = {"Authorization": f"Bearer {update_token}"} if update_token else {}
    ep = Endpoint("ours", HttpTransport(nginx.url), nginx.url, "/sparql", "/update", headers)
    return Fronted(app, nginx, ep)


def start(kind: str, data: Path, workdir: Path, update_token: str | None = None) -> Server | Ours:
    if kind == "oxigraph":
        return start_oxigraph(data, workdir)
    return start_ours(data, workdir, update_token)
