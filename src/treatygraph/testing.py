"""Helpers for tests that need real servers: a free port, ``treatygraph serve``, nginx in front.

They live in the package (as ``flask.testing`` does) so every test suite starts servers the same
way and stops exactly the process group it started.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from treatygraph.http import Client, HttpError

if TYPE_CHECKING:
    from flask import Flask


#: Debian's Chromium, driven headless by Playwright (browser tests, docs/screenshots.py), and the
#: flags that keep it off the network: without them it calls Google's hosts at every start.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing(reason: str, needed_for: str) -> NoReturn:
    """A test's outside dependency is absent: skip with the reason, but fail under CI=true,
    where ``.ci/run`` installs everything the tests use and a skip would hide a gap."""
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs {needed_for}: {reason}")
    pytest.skip(reason)


def made_once(folder: Path, make: Callable[[Path], None]) -> Path:
    """``folder``, made by ``make(folder)`` once for every process that asks for it.

    Test workers (pytest-xdist) each run the session fixtures; for one that copies a checkout,
    builds and imports, the first worker makes the folder under a lock and the others wait
    and reuse it. A ``make`` that raises leaves no folder, so the next caller tries again (and
    fails the same way, in its own test).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    done = folder.with_name(folder.name + ".done")
    with open(folder.with_name(folder.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if not done.exists():
                shutil.rmtree(folder, ignore_errors=True)
                try:
                    make(folder)
                except BaseException:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise
                done.touch()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return folder


def require_nginx() -> str:
    """nginx for the tests that put it in front (see :func:`missing`); its path."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    missing("nginx is not installed (Debian: apt-get install nginx)", "the nginx tests to run")


def _wait_for(url: str, process: subprocess.Popen[bytes], deadline: float, log: Path) -> None:
    """Until ``url`` answers 200; RuntimeError with the log's tail if the process ends first."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited ({process.returncode}):\n{_tail(log)}")
        try:
            if Client(max_bytes=1 << 20).get(url, timeout=1).status == 200:
                return
        except HttpError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in time:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


#: Seconds a stopped server may take to finish: a normal stop takes 1-2 s; past this it is
#: stuck (gunicorn waits its 10 s graceful timeout for a worker a test left half dead).
STOP_WAIT = 5.0


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group we started, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(STOP_WAIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    except ProcessLookupError:
        pass


class LiveServer:
    """``treatygraph serve`` on 127.0.0.1, started and awaited; ``stop`` ends its process group."""

    def __init__(
        self,
        args: list[str],
        log: Path,
        *,
        cwd: Path | None = None,
        startup: float = 90.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [sys.executable, "-m", "treatygraph.cli", "serve", "--port", str(self.port)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, *args],
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **(env or {})},
            )
        try:
            _wait_for(self.url + "/healthz", self.process, time.monotonic() + startup, log)
        except RuntimeError as err:
            self.stop()
            raise RuntimeError(f"treatygraph serve: {err}") from None

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)

    def stop(self) -> None:
        _stop(self.process)

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class LiveNginx:
    """nginx on 127.0.0.1 with the configuration ``treatygraph nginx`` prints, in front of
    ``upstream`` (a running server's ``host:port``); its files stay in ``workdir``."""

    def __init__(self, upstream: str, workdir: Path, **deployment: Any) -> None:
        from treatygraph.web.nginx import Deployment, render

        binary = require_nginx()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "error.log"
        site = render(
            Deployment(
                listen=f"127.0.0.1:{self.port}",
                upstream=upstream,
                cache_dir=str(workdir / "cache"),
                **deployment,
            )
        )
        (workdir / "treatygraph.conf").write_text(site)
        temp = "\n".join(
            f"    {name}_temp_path {workdir / name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # as root, nginx's workers would switch to an account that cannot write workdir
        user = "user root root;\n" if os.geteuid() == 0 else ""
        include = workdir / "treatygraph.conf"
        (workdir / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\n"
            f"error_log {self.log} info;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n    access_log off;\n{temp}\n    include {include};\n}}\n"
        )
        with (workdir / "nginx.out").open("wb") as out:
            self.process = subprocess.Popen(
                [binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_for(self.url + "/healthz", self.process, time.monotonic() + 30, self.log)
        except RuntimeError as err:
            self.stop()
            raise RuntimeError(f"nginx: {err}") from None

    def stop(self) -> None:
        _stop(self.process)

    def __enter__(self) -> LiveNginx:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def app_factory(**defaults: Any) -> Iterator[Callable[..., Flask]]:
    """Make apps with ``defaults`` plus per-call config; their query processes stop at exit."""
    from treatygraph.store import EXECUTOR, FEDERATION_EXECUTOR
    from treatygraph.web.app import create_app

    apps: list[Flask] = []

    def make(**config: Any) -> Flask:
        app = create_app({"TESTING": True, **defaults, **config})
        apps.append(app)
        return app

    try:
        yield make
    finally:
        for app in apps:
            for key in (EXECUTOR, FEDERATION_EXECUTOR):
                if key in app.extensions:
                    app.extensions[key].shutdown()
