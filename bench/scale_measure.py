"""Measuring tools of ``bench/scale.py``: process-tree memory, bounded steps, servers, requests.

Memory is summed over a process and all its descendants, sampled every 0.25 s: for servers the
proportional set size (PSS, ``/proc/PID/smaps_rollup``), because gunicorn's workers share the
preloaded app copy-on-write and summing their RSS would count those pages once per worker; for
commands the RSS (``/proc/PID/statm``), because reading the PSS of a 5 GB process walks its
page tables under its memory lock (the sampler took 16% of a core at 1M). Every step runs in
its own session with a hard time limit and a memory cap; a step that hits either is killed
(its process group, by id) and recorded as such, e.g. "killed at 900 s, 8.0 GB".
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_pids(root: int) -> list[int]:
    """``root`` and every descendant (the query processes of gunicorn's workers included)."""
    tree, pids, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += tree.get(pid, [])
    return pids


def pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError):
        return 0


def tree_memory(root: int, pss: bool = True) -> int:
    measure = pss_bytes if pss else rss_bytes
    return sum(measure(pid) for pid in tree_pids(root))


class Sampler:
    """Samples a process tree's memory in a thread; ``mark()`` starts a new peak window."""

    def __init__(
        self, pid: int, cap_bytes: int | None = None, interval: float = 0.25, pss: bool = True
    ) -> None:
        self.pid, self.cap, self.interval, self.pss = pid, cap_bytes, interval, pss
        self.peak = self.window_peak = self.last = 0
        self.capped = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            if self.cap is not None and self.last > self.cap:
                self.capped = True
                _kill_group(self.pid)
                return
            self._stop.wait(self.interval)

    def sample(self) -> int:
        self.last = tree_memory(self.pid, self.pss)
        self.peak = max(self.peak, self.last)
        self.window_peak = max(self.window_peak, self.last)
        return self.last

    def mark(self) -> int:
        """Start a new window; returns the current memory."""
        self.window_peak = 0
        return self.sample()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Step:
    """One bounded command: wall time, peak memory and how it ended."""

    name: str
    cmd: list[str]
    status: str = "ok"  # ok | failed (exit N) | timeout | memory cap
    seconds: float = 0.0
    peak_mb: float = 0.0
    note: str = ""
    tail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def outcome(self) -> str:
        """``12.3 s, 450 MB`` or ``killed at 900 s, 8.0 GB (timeout)``."""
        size = f"{self.peak_mb / 1024:.1f} GB" if self.peak_mb >= 1024 else f"{self.peak_mb:.0f} MB"
        if self.ok:
            return f"{self.seconds:.1f} s, {size}"
        if self.status in ("timeout", "memory cap"):
            return f"killed at {self.seconds:.0f} s, {size} ({self.status})"
        return f"{self.status} after {self.seconds:.1f} s, {size}"

    def asdict(self) -> dict[str, Any]:
        return asdict(self)


def run_step(
    name: str,
    cmd: list[str],
    *,
    timeout: float,
    cap_bytes: int | None,
    cwd: Path,
    env: dict[str, str],
    log: Path,
) -> Step:
    """Run ``cmd`` in its own session, bounded in time and memory; never raises for its exit."""
    step = Step(name, [str(c) for c in cmd])
    start = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            step.cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        sampler = Sampler(proc.pid, cap_bytes, pss=False)  # RSS: no page-table walk
        try:
            code = proc.wait(timeout=timeout)
            step.status = "ok" if code == 0 else f"failed (exit {code})"
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.wait()
            step.status = "timeout"
        finally:
            step.seconds = time.monotonic() - start
            sampler.stop()
    if sampler.capped:
        step.status = "memory cap"
    step.peak_mb = sampler.peak / MB
    step.tail = log.read_bytes()[-1500:].decode("utf-8", "replace")
    return step


# -- servers -----------------------------------------------------------------------------------
@dataclass
class Server:
    """A server in its own session, with its memory sampled for as long as it runs."""

    label: str
    cmd: list[str]
    port: int
    query_path: str
    cwd: Path
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    sampler: Sampler | None = None
    started: float = 0.0
    ready_seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, cap_bytes: int | None) -> None:
        self._out = self.log.open("wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=self.cwd,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.sampler = Sampler(self.proc.pid, cap_bytes)

    def wait_ready(self, timeout: float) -> float | None:
        """Seconds from start to the first 200 answer to a query; None if none came."""
        assert self.proc is not None
        url = self.query_url("ASK { ?s ?p ?o }")
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.notes.append(f"exited with {self.proc.returncode} before answering")
                return None
            try:
                if get(url, "application/sparql-results+json", timeout=5).status == 200:
                    self.ready_seconds = time.monotonic() - self.started
                    return self.ready_seconds
            except OSError:
                pass
            time.sleep(0.05)
        self.notes.append(f"no answer within {timeout:.0f} s")
        return None

    def query_url(self, text: str) -> str:
        return f"{self.base}{self.query_path}?query=" + urllib.parse.quote(text, safe="")

    def stop(self) -> None:
        if self.sampler is not None:
            self.sampler.stop()
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                _kill_group(self.proc.pid)
                self.proc.wait(timeout=10)
        self.proc = None


# -- requests ----------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    seconds: float
    body: bytes
    first_byte: float = 0.0
    size: int = 0
    error: str = ""
    lines: int = 0


def get(url: str, accept: str, *, timeout: float, keep: bool = True) -> Answer:
    """One HTTP/1.0 GET on a new connection, read to the end; ``keep=False`` counts the body.

    A raw socket, not urllib: the client's own cost per request stays near 0.1 ms, so the
    ratios of cheap queries measure the servers rather than the client. HTTP/1.0 asks for no
    keep-alive (the server closes after the body) and no chunks (undone if sent anyway).
    """
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.0\r\nHost: {parts.netloc}\r\nAccept: {accept}\r\n"
        "User-Agent: treatygraph-scale-bench\r\n\r\n"
    ).encode("latin-1")
    start = time.monotonic()
    deadline = start + timeout
    head, chunks, size, first, in_body, lines = b"", [], 0, 0.0, False, 0
    chunked: Dechunker | None = None
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout) as conn:
            conn.sendall(request)
            while True:
                conn.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                if not first:
                    first = time.monotonic() - start
                if not in_body:
                    head += chunk
                    if b"\r\n\r\n" not in head:
                        continue
                    head, chunk = head.split(b"\r\n\r\n", 1)
                    in_body = True
                    if b"\r\ntransfer-encoding: chunked" in head.lower():
                        chunked = Dechunker()  # some servers chunk HTTP/1.0 answers all the same
                if chunked is not None:
                    chunk = chunked.feed(chunk)
                size += len(chunk)
                lines += chunk.count(b"\n")
                if keep:
                    chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"body still arriving after {timeout:.0f} s")
    except OSError as err:  # timeouts, resets, refusals: recorded, not raised
        return Answer(0, time.monotonic() - start, b"", first, size, f"{type(err).__name__}: {err}")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return Answer(status, time.monotonic() - start, b"".join(chunks), first, size, lines=lines)


class Dechunker:
    """Undo chunked transfer coding as the bytes arrive (the payload only, sizes dropped).

    Linear in the bytes: a read position moves through each buffer, which is cut once per
    ``feed`` (slicing it at every chunk made a 2 GB dump of 1 KB chunks quadratic).
    """

    def __init__(self) -> None:
        self.buffer = b""
        self.left = 0  # payload bytes still due in the current chunk; -2: its CRLF is due
        self.done = False

    def feed(self, data: bytes) -> bytes:
        buf = self.buffer + data if self.buffer else data
        pos, out = 0, []
        while pos < len(buf) and not self.done:
            if self.left > 0:
                part = buf[pos : pos + self.left]
                out.append(part)
                self.left -= len(part)
                pos += len(part)
                if self.left == 0:
                    self.left = -2
            elif self.left < 0:
                if len(buf) - pos < 2:
                    break
                pos, self.left = pos + 2, 0
            else:
                end = buf.find(b"\r\n", pos)
                if end < 0:
                    break
                self.left = int(buf[pos:end].split(b";")[0], 16)
                pos = end + 2
                self.done = self.left == 0
        self.buffer = buf[pos:]
        return b"".join(out)
