"""CPU and wall time from ``treatygraph serve`` to its first answer, on the project graph.

The server serves what was built (``build/treatygraph.nq``); with nothing changed since the
last build it must not build again. The CPU counted is every process of the server's session
(gunicorn's arbiter, its worker, the worker's query process) when the first query has been
answered, read from /proc. Usage::

    .venv/bin/python bench/startup.py [--runs 5] [--root .]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from treatygraph.build.artifact import ensure_built
from treatygraph.testing import free_port

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu(session: int) -> float:
    """User + system seconds of every live process in the session (and its reaped children)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # field 6, the session id, after the comm
            utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
            total += (utime + stime + cutime + cstime) / TICKS
    return total


def one_start(root: Path) -> tuple[float, float, bool]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": QUERY})
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "treatygraph.cli",
            "--root",
            str(root),
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "exited")
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        resp.read()
                        break
            except OSError:
                time.sleep(0.02)
        wall = time.monotonic() - started
        cpu = session_cpu(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    return cpu, wall, b"building" in err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args()
    root = args.root.resolve()
    ensure_built(root)  # the state after `treatygraph build`
    samples = [one_start(root) for _ in range(args.runs)]
    cpus = [s[0] for s in samples]
    walls = [s[1] for s in samples]
    rebuilt = sum(s[2] for s in samples)
    print(f"serve to first answer, {args.runs} runs, nothing changed since the build:")
    for name, values in (("CPU ", cpus), ("wall", walls)):
        low, mid, high = min(values), statistics.median(values), max(values)
        print(f"  {name} median {mid:.2f} s  (min {low:.2f}, max {high:.2f})")
    print(f"  runs that built: {rebuilt}")
    return 0 if rebuilt == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
