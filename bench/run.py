"""Benchmark the treatygraph SPARQL endpoint against Oxigraph's own server, and rdflib.

Run from the repository root (needs ``wrk``: ``apt-get install -y wrk``)::

    .venv/bin/python bench/run.py                 # full run, about 4-5 minutes
    .venv/bin/python bench/run.py --rounds 5 --duration 2 --json /tmp/bench.json

What it does, all on 127.0.0.1:

1. Data: ``treatygraph build`` writes the project graph (~6k quads, dataset "project");
   ``bench/synth.py`` appends a deterministic synthetic graph in the same vocabulary
   (~150k quads, dataset "synthetic"). Each server loads the same file.
2. Servers (free ports, stopped in ``finally``): ``treatygraph serve --data F`` (gunicorn
   sync workers, ``--workers`` below); ``oxigraph serve-read-only --union-default-graph``
   over a store made with ``oxigraph load`` + ``oxigraph optimize`` (the baseline the
   issue names; RocksDB on disk); ``oxigraph serve --union-default-graph`` in memory
   with the file POSTed to ``/store`` (same storage class as ours: memory; by default
   on the synthetic dataset only, ``--memory-oxigraph all`` for both); rdflib's engine
   behind Flask + gunicorn sync workers (bench/rdflib_app.py); and, when nginx is installed,
   ``treatygraph serve`` behind nginx configured by ``treatygraph nginx`` (the production
   set-up: nginx caching in front of the same gunicorn server; ``--no-front`` skips it).
3. Answers are compared across servers before anything is timed.
4. Load: ``wrk -t1 -cC`` GET requests (``query=`` URL-encoded; Accept
   application/sparql-results+json, or application/n-triples for CONSTRUCT) for each of
   the four queries in bench/queries, at 1 and 8 connections. Each measurement stops
   after ``--duration`` seconds or ``--max-requests`` responses, whichever comes first
   (the Lua script stops the thread; the subprocess also has a hard timeout).
   Slow targets get a longer window (up to ``--max-duration``) so that about
   ``--min-requests`` responses complete. After a slow measurement the run waits until
   that server's processes stop using CPU (neither engine cancels a query when wrk
   disconnects, so leftover work would otherwise slow down the next target).
   Targets are interleaved within every round (order rotated each round) and each ratio
   is computed within a round; the tables show medians over rounds.
   * "ours, cache hit": the same query text every time, so after warm-up every request
     is answered from the per-worker response cache (what caching immutable results buys).
   * "ours, no cache": each request starts with a different SPARQL comment
     (``# <salt>-<n>``) so the cache never hits and every request reaches the engine.
     Before each cache-hit measurement the query is re-sent a few times concurrently,
     because the no-cache runs evict it from the (512-entry, per-worker) cache.
   * "ours + front cache": the same two regimes through nginx (``treatygraph nginx``); cache hits
     are answered by nginx, the no-cache stream passes through nginx to gunicorn.
   * Oxigraph and rdflib get the same varying-comment stream (they do not cache anyway).
   * wrk corrects latencies for coordinated omission: one stall (e.g. a single cache
     miss among thousands of hits) shows up in p99 far more than its count suggests.
5. Engines in-process (no HTTP): pyoxigraph through our own engine wrapper and result
   serialiser (exactly what our query process does per request) vs rdflib's SPARQL
   engine and serialiser on an rdflib ``Dataset(default_union=True)`` of the same file;
   bounded by iterations and time per query.
6. Stack ceiling: a WSGI app that only returns a fixed body (bench/ceiling_app.py) under
   gunicorn sync workers, the most any endpoint on this stack could reach.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
QUERY_NAMES = ("lookup", "join", "aggregate", "construct")
JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
#: Target keys that are our endpoint (the rest are the references)
OURS = ("cached", "nocache", "front", "front-nocache")

LUA = r"""
-- args: path prefix, URL-encoded query, Accept, bust (0/1), salt, max responses
local prefix, query, bust, salt, maxreq
local counter, responses = 0, 0
local fixed
init = function(args)
  prefix, query = args[1], args[2]
  wrk.headers["Accept"] = args[3]
  bust, salt, maxreq = args[4] == "1", args[5], tonumber(args[6])
  fixed = wrk.format("GET", prefix .. query)
end
request = function()
  if not bust then return fixed end
  counter = counter + 1
  return wrk.format("GET", prefix .. "%23%20" .. salt .. "-" .. counter .. "%0A" .. query)
end
response = function(status, headers, body)
  responses = responses + 1
  if responses >= maxreq then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d status=%d connect=%d read=%d " ..
    "write=%d timeout=%d\n", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""


# -- small helpers -----------------------------------------------------------------------
def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, accept: str, timeout: float = 30.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def load_queries() -> dict[str, str]:
    return {
        name: (BENCH / "queries" / f"{name}.rq").read_text(encoding="utf-8") for name in QUERY_NAMES
    }


def accept_for(name: str) -> str:
    return NTRIPLES if name == "construct" else JSON_RESULTS


# -- servers -----------------------------------------------------------------------------
@dataclass
class Server:
    label: str
    cmd: list[str]
    query_path: str  # "/sparql" or "/query"
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    log_file: Any = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_file = self.log_path.open("wb")
        # own session: stop() signals this server's process group (by its id) only
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **self.env},
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.base}{self.query_path}?query=" + urllib.parse.quote("ASK{}")
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.label} exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                status, _ = http_get(url, JSON_RESULTS, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} not ready after {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        if self.log_file is not None:
            self.log_file.close()
        self.proc = None


# -- wrk ---------------------------------------------------------------------------------
@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def run_wrk(
    lua: Path,
    server: Server,
    query: str,
    accept: str,
    *,
    connections: int,
    duration: int,
    bust: bool,
    salt: str,
    max_requests: int,
) -> Sample:
    encoded = urllib.parse.quote(query, safe="")
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(lua),
        server.base,
        "--",
        f"{server.query_path}?query=",
        encoded,
        accept,
        "1" if bust else "0",
        salt,
        str(max_requests),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    f = {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    errors = f["status"] + f["connect"] + f["read"] + f["write"] + f["timeout"]
    seconds = f["duration_us"] / 1e6
    return Sample(
        rps=f["requests"] / seconds if seconds else 0.0,
        p50_ms=f["p50_us"] / 1e3,
        p99_ms=f["p99_us"] / 1e3,
        requests=f["requests"],
        errors=errors,
    )


def warm_up(
    server: Server, query: str, accept: str, *, bust: bool, requests: int, seconds: float
) -> float:
    """Bounded warm-up (count and time); returns the mean latency of sequential requests.

    Half the requests are sequential (timed), the rest come from 4 threads at once so
    that every gunicorn worker sees the query (each worker has its own cache).
    """

    def one(i: int) -> None:
        text = f"# warm-up {i}\n{query}" if bust else query
        http_get(
            f"{server.base}{server.query_path}?query=" + urllib.parse.quote(text, safe=""), accept
        )

    start = time.monotonic()
    done = 0
    for i in range(max(1, requests // 2)):
        one(i)
        done += 1
        if time.monotonic() - start > seconds:
            break
    latency = (time.monotonic() - start) / done
    if time.monotonic() - start < seconds:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, range(done, done + requests // 2)))
    return latency


def cpu_ticks(session: int) -> int:
    """CPU time (clock ticks) used so far by every process in a session."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields after "pid (comm)": state ppid pgrp session
            total += int(fields[11]) + int(fields[12])  # utime stime
    return total


def wait_idle(server: Server, limit: float = 10.0) -> None:
    """Neither engine can cancel a query: wait until the server has finished the work
    still queued from the last measurement, so it does not slow down the next target."""
    assert server.proc is not None
    deadline = time.monotonic() + limit
    before = cpu_ticks(server.proc.pid)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        after = cpu_ticks(server.proc.pid)
        if after - before <= 1:
            return
        before = after


def duration_for(latency: float, conns: int, args: argparse.Namespace) -> int:
    """Whole seconds for about ``--min-requests`` responses, within [duration, max]."""
    needed = args.min_requests * latency / min(conns, args.workers)
    return max(args.duration, min(args.max_duration, math.ceil(needed)))


# -- answers -----------------------------------------------------------------------------
def canonical(body: bytes, accept: str) -> list[Any]:
    if accept == NTRIPLES:
        return sorted(ln.strip() for ln in body.decode("utf-8").splitlines() if ln.strip())
    doc = json.loads(body)
    if "boolean" in doc:
        return [doc["boolean"]]
    rows = []
    for b in doc["results"]["bindings"]:
        rows.append(
            sorted(
                (k, v["type"], v["value"], v.get("datatype"), v.get("xml:lang"))
                for k, v in b.items()
            )
        )
    return sorted(rows, key=repr)


def check_answers(servers: list[Server], queries: dict[str, str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for name, text in queries.items():
        accept = accept_for(name)
        answers = []
        for srv in servers:
            url = f"{srv.base}{srv.query_path}?query=" + urllib.parse.quote(text, safe="")
            status, body = http_get(url, accept)
            if status != 200:
                raise RuntimeError(f"{srv.label}: {name} answered {status}: {body[:300]!r}")
            answers.append(canonical(body, accept))
        for srv, ans in zip(servers[1:], answers[1:], strict=True):
            if ans != answers[0]:
                raise RuntimeError(
                    f"{name}: {srv.label} gives {len(ans)} results, "
                    f"{servers[0].label} {len(answers[0])} (or different ones)"
                )
        sizes[name] = len(answers[0])
    return sizes


# -- in-process engines --------------------------------------------------------------------
def bounded_rate(fn: Any, *, seconds: float, max_iter: int, min_iter: int = 3) -> float:
    """Calls per second of ``fn``: at least min_iter, at most max_iter calls, ~seconds."""
    fn()  # warm-up (parsers, caches)
    n, start = 0, time.perf_counter()
    while n < max_iter and (n < min_iter or time.perf_counter() - start < seconds):
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def engine_rates(
    path: Path, queries: dict[str, str], seconds: float, max_iter: int
) -> dict[str, dict[str, float]]:
    import rdflib

    from treatygraph.rdf import formats
    from treatygraph.sparql.execute import QueryJob, run_job
    from treatygraph.store.oxigraph import OxigraphEngine, load_files

    fmts = {f.name: f for f in formats.ALL}
    rates: dict[str, dict[str, float]] = {"pyoxigraph": {}, "rdflib": {}}
    engine = OxigraphEngine(load_files([str(path)]))
    for name, text in queries.items():
        # exactly the query process's work per request: run_job with a negotiated format
        job = QueryJob(
            text,
            (),
            (),
            union_default_graph=True,
            base_iri=None,
            results_format=fmts["json"],
            graph_format=fmts["ntriples"],
            max_results=10_000,
        )

        def ox_once(job: QueryJob = job) -> bytes:
            return run_job(engine, job).body  # an error is raised, as in the query process

        rates["pyoxigraph"][name] = bounded_rate(ox_once, seconds=seconds, max_iter=max_iter)
    t0 = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(str(path), format="nquads")
    log(f"  rdflib loaded {len(ds)} quads in {time.perf_counter() - t0:.1f} s")
    for name, text in queries.items():
        rdf_fmt = "nt" if name == "construct" else "json"

        def rdflib_once(text: str = text, rdf_fmt: str = rdf_fmt) -> bytes:
            return ds.query(text).serialize(format=rdf_fmt) or b""

        rates["rdflib"][name] = bounded_rate(rdflib_once, seconds=seconds, max_iter=max_iter)
    return rates


# -- orchestration -------------------------------------------------------------------------
@dataclass
class Target:
    key: str
    label: str
    server: Server
    bust: bool


@dataclass
class Results:
    # samples[dataset][query][conns][target key] -> list of Sample (one per round)
    samples: dict[str, dict[str, dict[int, dict[str, list[Sample]]]]] = field(default_factory=dict)
    engines: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    ceiling: dict[str, dict[int, list[Sample]]] = field(default_factory=dict)
    sizes: dict[str, dict[str, int]] = field(default_factory=dict)
    triples: dict[str, int] = field(default_factory=dict)


def front_command(folder: Path, port: int, data: Path, workers: int) -> list[str]:
    """``treatygraph serve`` on a free port with nginx in front on ``port``, as one process
    group: the site is what ``treatygraph nginx`` prints (the documented deployment)."""
    folder.mkdir(parents=True, exist_ok=True)
    upstream = free_port()
    tg = str(BIN / "treatygraph")
    site = subprocess.run(
        [
            tg,
            "nginx",
            "--listen",
            f"127.0.0.1:{port}",
            "--upstream",
            f"127.0.0.1:{upstream}",
            "--cache-dir",
            str(folder / "cache"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (folder / "site.conf").write_text(site)
    temp = "".join(
        f"{n}_temp_path {folder / n}; "
        for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\nevents {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; {temp} include {folder / 'site.conf'}; }}\n"
    )
    serve = shlex.join(
        [tg, "serve", "--data", str(data), "--port", str(upstream), "--workers", str(workers)]
    )
    nginx = shlex.join(
        [shutil.which("nginx") or "nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")]
    )
    return ["sh", "-c", f"{serve} & exec {nginx}"]


def measure_dataset(
    ds_name: str,
    data: Path,
    args: argparse.Namespace,
    lua: Path,
    work: Path,
    queries: dict[str, str],
    res: Results,
) -> None:
    servers: list[Server] = []
    try:
        ours = Server(
            "ours",
            [
                str(BIN / "treatygraph"),
                "serve",
                "--data",
                str(data),
                "--port",
                "0",
                "--workers",
                str(args.workers),
            ],
            "/sparql",
            0,
            work / f"ours-{ds_name}.log",
        )
        variant: list[str] = []
        if args.ours_gthread:
            variant += [
                "--gunicorn",
                "worker_class=gthread",
                "--gunicorn",
                "threads=1",
                "--gunicorn",
                "keepalive=5",
            ]
        if variant:
            ours.cmd = [
                sys.executable,
                str(BENCH / "serve_variant.py"),
                *variant,
                "--",
                *ours.cmd[2:],
            ]
        ours.port = free_port()
        ours.cmd[ours.cmd.index("--port") + 1] = str(ours.port)
        store = work / f"oxigraph-{ds_name}"
        subprocess.run(
            [str(BIN / "oxigraph"), "load", "--location", str(store), "--file", str(data)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(
            [str(BIN / "oxigraph"), "optimize", "--location", str(store)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        port = free_port()
        ox_ro = Server(
            "oxigraph-ro",
            [
                str(BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(store),
                "--union-default-graph",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            "/query",
            port,
            work / f"oxro-{ds_name}.log",
        )
        servers = [ours, ox_ro]
        if args.front and shutil.which("nginx"):
            port = free_port()
            front = front_command(work / f"front-{ds_name}", port, data, args.workers)
            servers.append(
                Server("ours-front", front, "/sparql", port, work / f"front-{ds_name}.log")
            )
        elif args.front:
            log("nginx not found: skipping nginx in front (apt-get install -y nginx)")
        if args.memory_oxigraph == "all" or args.memory_oxigraph == ds_name:
            port = free_port()
            servers.append(
                Server(
                    "oxigraph-mem",
                    [
                        str(BIN / "oxigraph"),
                        "serve",
                        "--union-default-graph",
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],
                    "/query",
                    port,
                    work / f"oxmem-{ds_name}.log",
                )
            )
        if not args.no_rdflib_http:
            port = free_port()
            rd = Server(
                "rdflib-http",
                [
                    str(BIN / "gunicorn"),
                    "-w",
                    str(args.workers),
                    "-k",
                    "sync",
                    "--preload",
                    "--timeout",
                    "120",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--chdir",
                    str(BENCH),
                    "--log-level",
                    "warning",
                    "rdflib_app:app",
                ],
                "/sparql",
                port,
                work / f"rdflib-{ds_name}.log",
            )
            rd.env = {"RDFLIB_BENCH_DATA": str(data)}
            servers.append(rd)
        for srv in servers:
            srv.start()
        for srv in servers:
            srv.wait_ready()
        by_label = {srv.label: srv for srv in servers}
        if "oxigraph-mem" in by_label:
            req = urllib.request.Request(
                f"{by_label['oxigraph-mem'].base}/store",
                data=data.read_bytes(),
                headers={"Content-Type": "application/n-quads"},
                method="POST",
            )
            with urllib.request.urlopen(req, timeout=300) as resp:
                assert resp.status in (200, 201, 204), resp.status
        log(f"{ds_name}: servers up ({', '.join(f'{s.label}:{s.port}' for s in servers)})")
        res.sizes[ds_name] = check_answers(servers, queries)
        log(f"{ds_name}: answers agree: {res.sizes[ds_name]}")

        targets = [
            Target("cached", "ours, cache hit", ours, False),
            Target("nocache", "ours, no cache", ours, True),
            Target("oxro", "oxigraph serve-read-only", ox_ro, True),
        ]
        if "ours-front" in by_label:
            targets += [
                Target("front", "ours + front cache, cache hit", by_label["ours-front"], False),
                Target(
                    "front-nocache", "ours + front cache, no cache", by_label["ours-front"], True
                ),
            ]
        if "oxigraph-mem" in by_label:
            targets.append(
                Target("oxmem", "oxigraph serve (memory)", by_label["oxigraph-mem"], True)
            )
        if "rdflib-http" in by_label:
            targets.append(
                Target("rdflib", "rdflib (Flask + gunicorn)", by_label["rdflib-http"], True)
            )
        # warm-up: fill our caches (both workers), let every server touch the data, and
        # time one request so that slow targets get a longer window
        latency: dict[tuple[str, str], float] = {}
        for t in targets:
            for name, text in queries.items():
                latency[t.key, name] = warm_up(
                    t.server,
                    text,
                    accept_for(name),
                    bust=t.bust,
                    requests=args.warmup_requests,
                    seconds=0.5,
                )
        table = res.samples.setdefault(ds_name, {})
        for rnd in range(args.rounds):
            log(f"{ds_name}: round {rnd + 1}/{args.rounds} (load average {os.getloadavg()[0]:.2f})")
            for qi, (name, text) in enumerate(queries.items()):
                for conns in args.connections:
                    shift = (rnd + qi) % len(targets)
                    for t in targets[shift:] + targets[:shift]:
                        seconds = duration_for(latency[t.key, name], conns, args)
                        if not t.bust:  # the no-cache runs evict entries: re-fill both workers
                            warm_up(
                                t.server,
                                text,
                                accept_for(name),
                                bust=False,
                                requests=8,
                                seconds=1.0,
                            )
                        s = run_wrk(
                            lua,
                            t.server,
                            text,
                            accept_for(name),
                            connections=conns,
                            duration=seconds,
                            bust=t.bust,
                            salt=f"{ds_name}-{rnd}-{conns}-{t.key}",
                            max_requests=args.max_requests,
                        )
                        if s.requests < 3 and seconds < args.max_duration:
                            log(
                                f"{ds_name}/{name}/c{conns}/{t.key}: {s.requests} responses "
                                f"in {seconds} s; measuring again for {args.max_duration} s"
                            )
                            wait_idle(t.server)
                            s = run_wrk(
                                lua,
                                t.server,
                                text,
                                accept_for(name),
                                connections=conns,
                                duration=args.max_duration,
                                bust=t.bust,
                                salt=f"{ds_name}-{rnd}-{conns}-{t.key}-r",
                                max_requests=args.max_requests,
                            )
                        if s.p99_ms > 20:
                            wait_idle(t.server)
                        if s.errors:
                            log(
                                f"WARNING {ds_name}/{name}/c{conns}/{t.key}: {s.errors} "
                                "errors (non-2xx/3xx or socket)"
                            )
                        table.setdefault(name, {}).setdefault(conns, {}).setdefault(
                            t.key, []
                        ).append(s)
    finally:
        for srv in servers or []:
            srv.stop()
        if not servers:  # failed before the list was built
            pass


def measure_ceiling(args: argparse.Namespace, lua: Path, work: Path, res: Results) -> None:
    variants = {"sync": ["-k", "sync"]}
    if args.ceiling_gthread:
        variants["gthread-keepalive"] = ["-k", "gthread", "--threads", "1", "--keep-alive", "5"]
    servers: list[Server] = []
    try:
        for label, opts in variants.items():
            port = free_port()
            servers.append(
                Server(
                    label,
                    [
                        str(BIN / "gunicorn"),
                        "-w",
                        str(args.workers),
                        *opts,
                        "-b",
                        f"127.0.0.1:{port}",
                        "--chdir",
                        str(BENCH),
                        "--log-level",
                        "warning",
                        "ceiling_app:app",
                    ],
                    "/sparql",
                    port,
                    work / f"ceiling-{label}.log",
                )
            )
            servers[-1].start()
        for srv in servers:
            srv.wait_ready()
        for rnd in range(args.rounds):  # interleaved like the endpoint measurements
            for conns in args.connections:
                shift = rnd % len(servers)
                for srv in servers[shift:] + servers[:shift]:
                    s = run_wrk(
                        lua,
                        srv,
                        "ASK{}",
                        JSON_RESULTS,
                        connections=conns,
                        duration=args.duration,
                        bust=False,
                        salt="c",
                        max_requests=args.max_requests,
                    )
                    res.ceiling.setdefault(srv.label, {}).setdefault(conns, []).append(s)
    finally:
        for srv in servers:
            srv.stop()


# -- report --------------------------------------------------------------------------------
def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_rate(x: float) -> str:
    return f"{x / 1000:.2f}k" if x >= 1000 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def fmt_ms(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def _table_head(columns: list[tuple[str, str]]) -> list[str]:
    """Markdown header rows: query, connections, then one column per (key, label)."""
    return [
        "| query | conns | " + " | ".join(lbl for _, lbl in columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]


def report(res: Results, args: argparse.Namespace, targets_meta: list[tuple[str, str]]) -> str:
    out: list[str] = []
    for ds_name, table in res.samples.items():
        out.append(
            f"\n### Dataset `{ds_name}` ({res.triples.get(ds_name, 0):,} quads); "
            f"result sizes: " + ", ".join(f"{q} {n}" for q, n in res.sizes.get(ds_name, {}).items())
        )
        out.append(
            "\nAbsolute numbers (median over rounds): throughput in requests/s, "
            "latency p50 / p99 in ms.\n"
        )
        present = [
            (k, lbl)
            for k, lbl in targets_meta
            if any(k in cell for q in table.values() for cell in q.values())
        ]
        out += _table_head(present)
        for name, by_conns in table.items():
            for conns, cells in by_conns.items():
                row = [name, str(conns)]
                for key, _ in present:
                    ss = cells.get(key, [])
                    row.append(
                        f"{fmt_rate(med([s.rps for s in ss]))} "
                        f"({fmt_ms(med([s.p50_ms for s in ss]))} / "
                        f"{fmt_ms(med([s.p99_ms for s in ss]))})"
                    )
                out.append("| " + " | ".join(row) + " |")
        ours = [(k, lbl) for k, lbl in present if k in OURS]
        for ref, ref_label in (
            ("oxro", "oxigraph serve-read-only"),
            ("oxmem", "oxigraph serve (in memory)"),
            ("rdflib", "rdflib behind Flask + gunicorn sync workers"),
        ):
            if not any(ref in c for q in table.values() for c in q.values()):
                continue
            out.append(
                f"\nRatios to {ref_label}, median of per-round ratios, as throughput "
                "(ours ÷ theirs, higher is better, 1.00 = parity) and, in brackets, "
                "p50 / p99 latency (ours ÷ theirs, lower is better).\n"
            )
            out += _table_head(ours)
            for name, by_conns in table.items():
                for conns, cells in by_conns.items():
                    row = [name, str(conns)]
                    for key, _ in ours:
                        r = {
                            metric: med(
                                [
                                    getattr(a, metric) / getattr(b, metric)
                                    for a, b in zip(
                                        cells.get(key, []), cells.get(ref, []), strict=False
                                    )
                                    if getattr(b, metric) > 0
                                ]
                            )
                            for metric in ("rps", "p50_ms", "p99_ms")
                        }
                        row.append(f"**{r['rps']:.2f}** ({r['p50_ms']:.2f} / {r['p99_ms']:.2f})")
                    out.append("| " + " | ".join(row) + " |")
    if res.engines:
        out.append(
            "\n### Engines in-process (one thread, no HTTP), queries/s including serialisation\n"
        )
        out.append(
            "| dataset | query | pyoxigraph (our engine + serialiser) | rdflib | "
            "pyoxigraph ÷ rdflib | ours over HTTP, 1 conn, no cache ÷ rdflib "
            "in-process | ours over HTTP, 1 conn, cache hit ÷ rdflib in-process |"
        )
        out.append("|---|---|---:|---:|---:|---:|---:|")
        for ds_name, rates in res.engines.items():
            for name in QUERY_NAMES:
                ox_rate, rd_rate = rates["pyoxigraph"][name], rates["rdflib"][name]
                cells = res.samples.get(ds_name, {}).get(name, {}).get(1, {})
                http_nc = med([s.rps for s in cells.get("nocache", [])])
                http_c = med([s.rps for s in cells.get("cached", [])])
                out.append(
                    f"| {ds_name} | {name} | {fmt_rate(ox_rate)} | {fmt_rate(rd_rate)} | "
                    f"{ox_rate / rd_rate:.1f}× | {http_nc / rd_rate:.1f}× | "
                    f"{http_c / rd_rate:.1f}× |"
                )
    if res.ceiling:
        out.append(
            "\n### HTTP stack ceiling: gunicorn + a WSGI app returning a fixed body "
            f"({args.workers} workers)\n"
        )
        out.append("| gunicorn worker | conns | requests/s | p50 ms | p99 ms |")
        out.append("|---|---:|---:|---:|---:|")
        for label, by_conns in res.ceiling.items():
            for conns, ss in by_conns.items():
                out.append(
                    f"| {label} | {conns} | {fmt_rate(med([s.rps for s in ss]))} | "
                    f"{fmt_ms(med([s.p50_ms for s in ss]))} | "
                    f"{fmt_ms(med([s.p99_ms for s in ss]))} |"
                )
    return "\n".join(out) + "\n"


def machine() -> str:
    def version(cmd: list[str]) -> str:
        try:
            return (
                subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
                .stdout.strip()
                .splitlines()[0]
            )
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    cpu = "?"
    mem = "?"
    try:
        cpu = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        )
        kb = next(
            int(ln.split()[1])
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        )
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version as dist_version

    return (
        f"date {time.strftime('%Y-%m-%d')}; {os.cpu_count()} CPUs ({cpu}); RAM {mem}; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
        f"pyoxigraph {dist_version('pyoxigraph')}; {version([str(BIN / 'oxigraph'), '-V'])}; "
        f"rdflib {dist_version('rdflib')}; Flask {dist_version('flask')}; "
        f"gunicorn {dist_version('gunicorn')}; {version(['wrk', '-v'])}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--duration", type=int, default=1, help="whole seconds per wrk measurement (1)"
    )
    parser.add_argument(
        "--min-requests",
        type=int,
        default=10,
        help="slow targets get a longer window (up to --max-duration) to "
        "complete about this many responses (10)",
    )
    parser.add_argument(
        "--max-duration", type=int, default=2, help="longest window for slow targets, seconds (2)"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="responses after which a measurement stops early (200000)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument(
        "--warmup-requests",
        type=int,
        default=20,
        help="warm-up requests per target and query, at most 0.5 s (20)",
    )
    parser.add_argument(
        "--connections",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 8],
        help="connection counts (1,8)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn workers for our server (2 = serve's default here)",
    )
    parser.add_argument(
        "--datasets", default="project,synthetic", help="comma list of project,synthetic"
    )
    parser.add_argument(
        "--persons", type=int, default=10_000, help="synthetic persons (~15 triples each; 10000)"
    )
    parser.add_argument(
        "--engine-seconds",
        type=float,
        default=0.3,
        help="time budget per query for in-process engines, at least 3 calls (0.3)",
    )
    parser.add_argument("--engine-max-iter", type=int, default=500)
    parser.add_argument("--no-engines", action="store_true", help="skip in-process engines")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the stack ceiling")
    parser.add_argument(
        "--ceiling-gthread",
        action="store_true",
        help="also measure the ceiling with gthread workers (1 thread, keep-alive)",
    )
    parser.add_argument(
        "--memory-oxigraph",
        default="synthetic",
        choices=("synthetic", "project", "all", "none"),
        help="datasets on which the in-memory Oxigraph server is measured too "
        "(synthetic; 'all' adds ~25 s)",
    )
    parser.add_argument(
        "--no-rdflib-http", action="store_true", help="skip rdflib behind Flask + gunicorn"
    )
    parser.add_argument(
        "--ours-gthread",
        action="store_true",
        help="experiment: our app under gthread (1 thread, keep-alive)",
    )
    parser.add_argument(
        "--no-front",
        dest="front",
        action="store_false",
        help="skip `treatygraph serve` behind nginx (configured by `treatygraph nginx`)",
    )
    parser.add_argument("--json", type=Path, help="also write raw samples here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("error: wrk not found (apt-get install -y wrk)", file=sys.stderr)
        return 2
    started = time.monotonic()
    queries = load_queries()
    res = Results()
    work = Path(tempfile.mkdtemp(prefix="treatygraph-bench-"))
    lua = work / "bench.lua"
    lua.write_text(LUA)
    load_before = os.getloadavg()
    try:
        project = work / "project.nq"
        log("building the project graph")
        subprocess.run(
            [str(BIN / "treatygraph"), "build", "--out", str(project)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        data = {"project": project}
        wanted = [d for d in args.datasets.split(",") if d]
        if "synthetic" in wanted:
            synthetic = work / "synthetic.nq"
            subprocess.run(
                [
                    sys.executable,
                    str(BENCH / "synth.py"),
                    "--base",
                    str(project),
                    "--persons",
                    str(args.persons),
                    "--out",
                    str(synthetic),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            data["synthetic"] = synthetic
        for ds_name in wanted:
            path = data[ds_name]
            res.triples[ds_name] = sum(1 for ln in path.open("rb") if ln.strip())
            measure_dataset(ds_name, path, args, lua, work, queries, res)
            if not args.no_engines:
                log(f"{ds_name}: engines in-process")
                res.engines[ds_name] = engine_rates(
                    path, queries, args.engine_seconds, args.engine_max_iter
                )
        if not args.no_ceiling:
            log("stack ceiling")
            measure_ceiling(args, lua, work, res)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"work directory kept: {work}")
    targets_meta = [
        ("cached", "ours, cache hit"),
        ("nocache", "ours, no cache"),
        ("front", "ours + front cache, cache hit"),
        ("front-nocache", "ours + front cache, no cache"),
        ("oxro", "oxigraph serve-read-only"),
        ("oxmem", "oxigraph serve (memory)"),
        ("rdflib", "rdflib (Flask + gunicorn)"),
    ]
    print(f"## treatygraph endpoint benchmark\n\n{machine()}\n")
    print(
        f"Settings: wrk -t1, {args.duration} s (slow targets: up to {args.max_duration} s, "
        f"for ~{args.min_requests} responses) or {args.max_requests} responses per "
        f"measurement, {args.rounds} interleaved rounds, our server with {args.workers} "
        f"gunicorn {'gthread (1 thread, keep-alive)' if args.ours_gthread else 'sync'} "
        f"workers. Load average before {load_before[0]:.2f}, after "
        f"{os.getloadavg()[0]:.2f}; run took {time.monotonic() - started:.0f} s."
    )
    print(report(res, args, targets_meta))
    if args.json:

        def plain(o: Any) -> Any:
            if isinstance(o, Sample):
                return o.__dict__
            if isinstance(o, dict):
                return {str(k): plain(v) for k, v in o.items()}
            if isinstance(o, list):
                return [plain(v) for v in o]
            return o

        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "samples": plain(res.samples),
                    "engines": res.engines,
                    "ceiling": plain(res.ceiling),
                    "sizes": res.sizes,
                    "triples": res.triples,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
