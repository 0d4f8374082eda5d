"""Scale benchmark, 10k -> 10M triples: our commands and server beside the Oxigraph server.

One command runs it end to end (from the repository root, with the venv)::

    .venv/bin/python bench/scale.py --sizes 10k,100k,1M,10M --label after --update-docs

For each size, in a scratch project copy under ``--work`` (all servers on 127.0.0.1, every
step in its own session with a hard time limit and a memory cap, recorded when hit):

1. ``bench/synth.py --triples N``: the corpus (N-Triples) and its texts.
2. ``treatygraph import`` of it into graph ``synthetic``: wall time, peak memory, triples/s.
   If the import fails or is killed, the bench writes ``imports/synthetic.nq`` itself (noted)
   so that the later steps still measure the size.
3. ``treatygraph build --store DIR``; beside it ``oxigraph load`` of the same N-Quads files.
4. ``treatygraph serve --store DIR`` and ``oxigraph serve-read-only --union-default-graph`` on
   the same data: seconds to the first answer, memory (PSS of the process tree) idle, under
   load, and while a dump streams.
5. The query mix (``bench/queries/scale/*.rq``): answers checked identical on both servers
   first; then rounds in which every request is a new text (a new comment and new parameters),
   the two servers interleaved, bounded by ``--rounds`` and ``--query-budget`` seconds.
6. Pages of ours (``/id/``, ``/browse``, ``/timeline``, ...) and the dump download beside
   Oxigraph's ``GET /store``.

Results go to ``bench/results/scale-<label>.json`` (merged by size, so sizes can be run
separately); ``bench/scale_report.py`` turns them into the Markdown table, the targets of
issue #14 point 4 (met/missed with the margin) and the plot. The commands run are all in
:data:`COMMANDS` below; ``--cmd NAME='...'`` replaces one for a changed CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_load import check_answers, dump, load_queries, pages, query_mix  # noqa: E402
from scale_measure import MB, Server, Step, run_step  # noqa: E402
from scale_report import update_docs, write_outputs  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
SHARED = ROOT.parent / "shared"
TGG_SYNTHETIC = "https://w3id.org/treatygraph/graph/synthetic"

# -- everything the bench runs, in one place ------------------------------------------------------
COMMANDS: dict[str, str] = {
    "synth": "{python} {bench}/synth.py --triples {triples} --out {data} --texts {texts}",
    "import": "{treatygraph} --root {root} import {data} --graph synthetic --quiet",
    "build": "{treatygraph} --root {root} build --store {store}",
    "serve": "{treatygraph} --root {root} serve --store {store} --host 127.0.0.1 --port {port}"
    " --workers 2 {serve_options}",
    "oxigraph_load": "{oxigraph} load --location {ox_store} --file {files}",
    # ours optimises after its bulk load (``build --store``); so does Oxigraph's, to compare alike
    "oxigraph_optimize": "{oxigraph} optimize --location {ox_store}",
    "oxigraph_serve": "{oxigraph} serve-read-only --location {ox_store} --bind 127.0.0.1:{port}"
    " --union-default-graph --timeout-s {ox_timeout}",
}
#: folders of the checkout copied into each scratch project
PROJECT_DIRS = ("ontology", "shapes", "graph", "corpus")
#: where the build writes its N-Quads, and where imports live (the build loads imports/*.nq)
BUILT = "build/treatygraph.nq"
IMPORTS = "imports"
ENV = {
    "TREATYGRAPH_ARTICLE": str(SHARED / "sources" / "inf-treaty-article.txt"),
    "TREATYGRAPH_CORPUS": str(SHARED / "sources"),
}
OURS_QUERY, OX_QUERY = "/sparql", "/query"
OURS_DUMP, OX_DUMP = "/dumps/treatygraph.nq", "/store"
PAGES = {
    "id-person": "/id/synth-person-${person}",
    "id-claim": "/id/synth-claim-${claim}",
    "id-document": "/id/synth-doc-${document}",
    "browse": "/browse",
    "browse-people": "/browse/people",
    "timeline": "/timeline",
    "positions": "/positions?agreement=synth-treaty-${agreement}",
    "search": "/search?q=${prefix}",
}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def command(name: str, args: argparse.Namespace, **values: Any) -> list[str]:
    """The command ``name`` from :data:`COMMANDS` (or ``--cmd``), with its values filled in."""
    template = dict(COMMANDS, **dict(c.split("=", 1) for c in args.cmd))[name]
    base = {
        "python": sys.executable,
        "bench": BENCH,
        "treatygraph": BIN / "treatygraph",
        "oxigraph": BIN / "oxigraph",
        "serve_options": args.serve_options,
        "ox_timeout": int(args.request_timeout),
    }
    words: list[str] = []
    for word in shlex.split(template):
        if word == "{files}":
            words += [str(f) for f in values["files"]]
        else:
            words.append(word.format(**base, **values))
    return [w for w in words if w]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_size(text: str) -> int:
    from synth_corpus import parse_size as parse

    return parse(text)


def scratch_project(work: Path) -> Path:
    root = work / "root"
    shutil.rmtree(root, ignore_errors=True)
    for name in PROJECT_DIRS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name)
    (root / IMPORTS).mkdir(parents=True)
    return root


def place_import(data: Path, root: Path) -> None:
    """What a successful import would leave for the build: the data in graph ``synthetic``."""
    with data.open("rb") as src, (root / IMPORTS / "synthetic.nq").open("wb") as out:
        suffix = f" <{TGG_SYNTHETIC}> .\n".encode()
        for line in src:
            line = line.rstrip()
            if line.endswith(b" ."):
                out.write(line[:-2] + suffix)


# -- one size --------------------------------------------------------------------------------------
def measure_size(label: str, args: argparse.Namespace) -> dict[str, Any]:
    triples = parse_size(label)
    work = args.work / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    root = scratch_project(work)
    env = {**os.environ, **ENV}
    cap = int(args.memory_cap_gb * 1024 * MB)
    data, texts = work / "synthetic.nt", work / "texts"
    store, ox_store = work / "store", work / "oxigraph"
    result: dict[str, Any] = {"label": label, "meta": meta(), "steps": {}}

    def step(name: str, timeout: float, **values: Any) -> Step:
        log(f"{label}: {name}")
        done = run_step(
            name,
            command(name, args, **values),
            timeout=timeout,
            cap_bytes=cap,
            cwd=root,
            env=env,
            log=work / f"{name}.log",
        )
        log(f"{label}: {name}: {done.outcome()}")
        result["steps"][name] = done.asdict()
        return done

    made = step("synth", args.step_timeout, triples=triples, data=data, texts=texts)
    if not made.ok:
        raise RuntimeError(f"synth failed: {made.tail}")
    stats = json.loads(data.with_name(data.name + ".stats.json").read_text())
    result["stats"] = stats
    imported = step("import", args.step_timeout, root=root, data=data)
    if not imported.ok or not (root / IMPORTS / "synthetic.nq").exists():
        place_import(data, root)
        result["steps"]["import"]["note"] = "imports/synthetic.nq written by the bench instead"
    step("build", args.step_timeout, root=root, store=store)
    files = [root / BUILT, *sorted((root / IMPORTS).glob("*.nq"))]
    result["quads"] = sum(_count_lines(f) for f in files)
    step("oxigraph_load", args.step_timeout, ox_store=ox_store, files=files)
    step("oxigraph_optimize", args.step_timeout, ox_store=ox_store)
    if not store.exists() or not ox_store.exists():
        return result
    port, ox_port = free_port(), free_port()
    ours = Server(
        "ours",
        command("serve", args, root=root, store=store, port=port),
        port,
        OURS_QUERY,
        root,
        env,
        work / "serve.log",
    )
    theirs = Server(
        "oxigraph",
        command("oxigraph_serve", args, ox_store=ox_store, port=ox_port),
        ox_port,
        OX_QUERY,
        work,
        env,
        work / "oxigraph-serve.log",
    )
    servers = [ours, theirs]
    try:
        for server in servers:  # one at a time: each start is timed alone
            log(f"{label}: starting {server.label}")
            server.start(cap)
            ready = server.wait_ready(args.start_timeout)
            assert server.sampler is not None
            result[f"{server.label}_start"] = {
                "seconds": ready,
                "idle_mb": server.sampler.mark() / MB,
                "notes": server.notes,
            }
            log(f"{label}: {server.label} ready in {ready} s")
        if any(s.ready_seconds is None for s in servers):
            return result
        queries = load_queries()
        checks = check_answers(servers, queries, stats, args.request_timeout)
        result["checks"] = checks
        for server in servers:
            assert server.sampler is not None
            server.sampler.mark()
        result["queries"] = query_mix(servers, queries, stats, checks, args)
        result["pages"] = pages(ours, PAGES, stats, args)
        for server in servers:
            assert server.sampler is not None
            result[f"{server.label}_load_peak_mb"] = server.sampler.window_peak / MB
        result["dumps"] = {
            "ours": dump(ours, OURS_DUMP, "application/n-quads", args),
            "oxigraph": dump(theirs, OX_DUMP, "application/n-quads", args),
        }
        for server in servers:
            assert server.sampler is not None
            result[f"{server.label}_peak_mb"] = server.sampler.peak / MB
            result[f"{server.label}_capped"] = server.sampler.capped
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return result


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 22), b""))


def meta() -> dict[str, str]:
    from importlib.metadata import version

    def git(*words: str) -> str:
        run = subprocess.run(["git", *words], cwd=ROOT, capture_output=True, text=True, check=False)
        return run.stdout.strip()

    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem = Path("/proc/meminfo").read_text().split()[1]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        # BENCH_COMMIT: the commit of a snapshot (a `git archive` copy has no .git)
        "commit": os.environ.get("BENCH_COMMIT")
        or git("rev-parse", "--short", "HEAD") + (" (dirty)" if git("status", "-s") else ""),
        "machine": f"{os.cpu_count()} CPUs ({cpu}), {int(mem) / 1024**2:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "versions": f"pyoxigraph {version('pyoxigraph')}, oxigraph CLI {version('oxigraph')}, "
        f"rdflib {version('rdflib')}, pyshacl {version('pyshacl')}, gunicorn {version('gunicorn')}",
        "load_before": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma list (10k,100k,1M,10M)")
    parser.add_argument("--label", default="run", help="results name: before, after, ...")
    parser.add_argument("--work", type=Path, default=Path("/tmp/treatygraph-scale"))
    parser.add_argument("--keep", action="store_true", help="keep each size's scratch folder")
    parser.add_argument("--step-timeout", type=float, default=1500, help="seconds per command")
    parser.add_argument("--start-timeout", type=float, default=900, help="seconds to 1st answer")
    parser.add_argument("--request-timeout", type=float, default=120, help="seconds a request")
    parser.add_argument("--dump-timeout", type=float, default=900, help="seconds for a dump")
    parser.add_argument("--memory-cap-gb", type=float, default=10, help="kill a step above it")
    parser.add_argument("--rounds", type=int, default=11, help="requests per query and server")
    parser.add_argument("--query-budget", type=float, default=60, help="seconds per query/server")
    parser.add_argument("--page-requests", type=int, default=3)
    parser.add_argument("--page-budget", type=float, default=120, help="seconds per page kind")
    parser.add_argument("--serve-options", default="", help="extra `serve` options, one string")
    parser.add_argument("--cmd", action="append", default=[], help="NAME='template' override")
    parser.add_argument("--report-only", action="store_true", help="re-render from the JSON")
    parser.add_argument("--update-docs", action="store_true", help="rewrite the docs section")
    args = parser.parse_args(argv)
    results_path = BENCH / "results" / f"scale-{args.label}.json"
    results: dict[str, Any] = (
        json.loads(results_path.read_text()) if results_path.exists() else {"sizes": {}}
    )
    if not args.report_only:
        for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            results["sizes"][label] = measure_size(label, args)
            results["sizes"] = dict(
                sorted(results["sizes"].items(), key=lambda kv: parse_size(kv[0]))
            )
            results_path.parent.mkdir(exist_ok=True)
            results_path.write_text(json.dumps(results, indent=1) + "\n")
            log(f"wrote {results_path}")
    markdown = write_outputs(results, args.label, ROOT)
    if args.update_docs:
        update_docs(ROOT / "docs" / "benchmarks.md", args.label, markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
