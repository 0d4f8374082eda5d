"""Where the time goes: py-spy profiles of the costs ``bench/scale.py`` measures.

Runs on a scratch folder that ``bench/scale.py --keep`` left (``--work /tmp/treatygraph-scale/1M``)
and prints, per cost, the functions with the largest share of samples (inclusive: a function
counts once per sample it is on the stack of; self: it is the innermost Python frame). Needs
py-spy in the venv (``.venv/bin/pip install py-spy``; root, or ptrace allowed)::

    .venv/bin/python bench/scale_profile.py --work /tmp/treatygraph-scale/1M --what start,lookup
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import string
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import BIN, ENV, OURS_DUMP, command, free_port  # noqa: E402
from scale_load import load_queries, parameters  # noqa: E402
from scale_measure import Server, get, tree_pids  # noqa: E402

PYSPY = BIN / "py-spy"


def summary(raw: Path, top: int, focus: str | None = None) -> str:
    """The top functions of a py-spy ``raw`` (collapsed stacks) file, inclusive and self.

    With ``focus`` (a function name, e.g. ``SyncWorker.handle_request``), only the samples in
    which it is on the stack count, shares are of those, and only the frames under it are listed.
    """
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if focus is not None:
            at = next((i for i, f in enumerate(frames) if f.startswith(focus + " ")), None)
            if at is None:
                continue
            frames = frames[at:]
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        if frames:
            own[frames[-1]] += n
    if not total:
        return "(no samples)"
    scope = f" under {focus}" if focus else ""
    lines = [f"{total} samples{scope}; inclusive share (self share), top {top}:"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"  {100 * n / total:5.1f}% ({100 * own[frame] / total:4.1f}%)  {frame}")
    lines.append(f"top {min(top, 8)} by self share:")
    for frame, n in own.most_common(min(top, 8)):
        lines.append(f"  {100 * n / total:5.1f}%  {frame}")
    return "\n".join(lines)


FOCUS = {
    "import": None,
    "start": "run",
    "lookup": "SyncWorker.handle_request",
    "page": "SyncWorker.handle_request",
    "dump": "SyncWorker.handle_request",
}
CHILD = "_child_loop"


def record(out: Path, target: list[str], seconds: float | None = None) -> subprocess.Popen[bytes]:
    cmd = [str(PYSPY), "record", "-r", "50", "-f", "raw", "--nolineno", "-o", str(out)]
    cmd += ["-d", str(int(seconds))] if seconds else []
    return subprocess.Popen(cmd + target, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="a size's kept scratch folder")
    parser.add_argument("--what", default="import,start,lookup,page,dump")
    parser.add_argument("--seconds", type=float, default=20, help="sampling time per load")
    parser.add_argument("--top", type=int, default=14)
    parser.add_argument("--timeout", type=float, default=1500, help="seconds for import")
    parser.add_argument("--summarise", action="store_true", help="only re-read saved profiles")
    args = parser.parse_args(argv)
    args.cmd, args.serve_options, args.request_timeout = [], "", 120
    work, root = args.work, args.work / "root"
    env = {**os.environ, **ENV}
    stats = json.loads((work / "synthetic.nt.stats.json").read_text())
    what = args.what.split(",")
    if args.summarise:
        for name in what:
            raw = work / f"profile-{name}.txt"
            if raw.exists():
                focus = FOCUS.get(name, FOCUS["lookup"])
                print(f"## {name}\n{summary(raw, args.top, focus)}")
                if name not in ("import", "start"):
                    print(f"in the query processes:\n{summary(raw, args.top, CHILD)}")
                print()
        return 0
    if "import" in what:
        raw = work / "profile-import.txt"
        cmd = command("import", args, root=root, data=work / "synthetic.nt")
        proc = record(raw, ["--", *cmd])
        try:
            proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
            proc.wait(timeout=60)
        print(f"## import ({stats['triples']} triples)\n{summary(raw, args.top)}\n")
    port = free_port()
    cmd = command("serve", args, root=root, store=work / "store", port=port)
    server = Server("ours", cmd, port, "/sparql", root, env, work / "profile-serve.log")
    try:
        server.start(None)
        assert server.proc is not None
        if "start" in what:  # attached right after the fork: the load happens before gunicorn's
            raw = work / "profile-start.txt"
            proc = record(raw, ["-p", str(server.proc.pid)])
            ready = server.wait_ready(900)
            proc.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
            proc.wait(timeout=60)
            print(f"## serve --store start ({ready} s to the first answer)")
            print(summary(raw, args.top, FOCUS["start"]) + "\n")
        server.wait_ready(900)
        workers = [
            p
            for p in tree_pids(server.proc.pid)[1:]
            if Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1]
            == str(server.proc.pid)
        ]
        queries = load_queries()
        loads: dict[str, Callable[[int], str]] = {
            "lookup": lambda n: server.query_url(
                f"# p {n}\n" + queries["lookup"].substitute(parameters(stats, n))
            ),
            "page": lambda n: (
                server.base
                + string.Template("/id/synth-person-${person}").substitute(parameters(stats, n))
            ),
            "dump": lambda n: server.base + OURS_DUMP,
        }

        def query_load(q: str) -> Callable[[int], str]:
            return lambda n: server.query_url(
                f"# p {n}\n" + queries[q].substitute(parameters(stats, n))
            )

        for query in queries:  # any query of the mix, each request a new text
            loads.setdefault(query, query_load(query))
        for name in [w for w in what if w in loads]:
            raws = []
            procs = []
            for n, pid in enumerate(workers):
                raw = work / f"profile-{name}-{n}.txt"
                raws.append(raw)
                procs.append(record(raw, ["--subprocesses", "-p", str(pid)], args.seconds))
            time.sleep(1)
            deadline, n, times = time.monotonic() + args.seconds - 2, 0, []
            while time.monotonic() < deadline:
                url = loads[name](n)
                answer = get(url, "*/*", timeout=args.seconds, keep=False)
                times.append(answer.seconds)
                n += 1
                if name == "dump":
                    break
            for proc in procs:
                proc.wait(timeout=args.seconds + 60)
            merged = work / f"profile-{name}.txt"
            merged.write_text("".join(r.read_text() for r in raws if r.exists()))
            median = sorted(times)[len(times) // 2] * 1000 if times else float("nan")
            print(
                f"## {name} ({n} requests, median {median:.1f} ms)\n{summary(merged, args.top)}\n"
            )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
