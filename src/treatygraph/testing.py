"""Helpers for tests that need a real server: a free port and a ``treatygraph serve`` process.

They live in the package (as ``flask.testing`` does) so every test suite starts servers the same
way and stops exactly the process group it started.
"""

from __future__ import annotations

import os
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


def require_nginx() -> None:
    """For ``serve --front-cache`` tests: nginx must be installed (see :func:`missing`)."""
    from treatygraph.web.frontcache import FrontCacheError, find_nginx

    try:
        find_nginx()
    except FrontCacheError as err:
        missing(str(err), "the front-cache tests to run")


class LiveServer:
    """``treatygraph serve`` on 127.0.0.1, started and awaited; ``stop`` ends its process group."""

    def __init__(
        self, args: list[str], log: Path, *, cwd: Path | None = None, startup: float = 90.0
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
            )
        deadline = time.monotonic() + startup
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if Client(max_bytes=1 << 20).get(self.url + "/healthz", timeout=1).status == 200:
                    return
            except HttpError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer within {startup} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        except ProcessLookupError:
            pass

    def __enter__(self) -> LiveServer:
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
