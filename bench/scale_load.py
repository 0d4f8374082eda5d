"""The requests of ``bench/scale.py``: the query mix (answers checked first), pages and dumps.

Every request is a new text: a new comment and, from :func:`parameters`, other entities, so no
cache of any kind answers it; the two servers get the same text in the same round.
"""

from __future__ import annotations

import argparse
import random
import string
import time
import urllib.parse
from pathlib import Path
from typing import Any

from run import canonical
from scale_measure import MB, Server, get

BENCH = Path(__file__).resolve().parent
QUERIES = ("lookup", "join", "aggregate", "statistics", "construct", "search", "orderby")
JSON_RESULTS, NTRIPLES = "application/sparql-results+json", "application/n-triples"
#: search prefixes are "last, ": the persons' altLabels are "Last, First"
LASTS = "abel brandt costa dubois müller núñez garcía haddad ivanov jensen".split()


def log(msg: str) -> None:
    import sys

    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_queries() -> dict[str, string.Template]:
    folder = BENCH / "queries" / "scale"
    return {q: string.Template((folder / f"{q}.rq").read_text(encoding="utf-8")) for q in QUERIES}


def parameters(stats: dict[str, int], n: int) -> dict[str, Any]:
    """The n-th set of parameters: the same n gives the same entities on every server."""
    rng = random.Random(n * 7919 + stats["triples"])
    return {
        "person": rng.randrange(stats["persons"]),
        "claim": rng.randrange(stats["claims"]),
        "document": rng.randrange(stats["documents"]),
        "option": rng.randrange(stats["options"]),
        "state": rng.randrange(stats["states"]),
        "agreement": rng.randrange(stats["agreements"]),
        "offset": rng.randrange(50),
        "prefix": f"{rng.choice(LASTS)}, ",
    }


def accept_of(query: str) -> str:
    return NTRIPLES if query == "construct" else JSON_RESULTS


def check_answers(
    servers: list[Server],
    queries: dict[str, string.Template],
    stats: dict[str, int],
    timeout: float,
) -> dict[str, dict[str, Any]]:
    """Same text to both servers, answers compared after canonical ordering."""
    checks: dict[str, dict[str, Any]] = {}
    for name, template in queries.items():
        text = f"# check\n{template.substitute(parameters(stats, 0))}"
        answers = [get(s.query_url(text), accept_of(name), timeout=timeout) for s in servers]
        statuses = [a.status for a in answers]
        entry: dict[str, Any] = {"statuses": statuses}
        if all(a.status == 200 for a in answers):
            rows = [canonical(a.body, accept_of(name)) for a in answers]
            entry["identical"] = rows[0] == rows[1]
            entry["results"] = len(rows[0])
        else:
            entry["identical"] = None
            entry["errors"] = [a.body[:200].decode("utf-8", "replace") or a.error for a in answers]
        checks[name] = entry
        log(f"  check {name}: {entry}")
    return checks


def query_mix(
    servers: list[Server],
    queries: dict[str, string.Template],
    stats: dict[str, int],
    checks: dict[str, dict[str, Any]],
    args: argparse.Namespace,
) -> dict[str, dict[str, Any]]:
    """Rounds of new texts, servers interleaved (order rotated), bounded in count and time."""
    out: dict[str, dict[str, Any]] = {}
    for name, template in queries.items():
        if checks[name]["identical"] is False:
            out[name] = {"skipped": "answers differ"}
            continue
        samples: dict[str, list[tuple[int, float]]] = {s.label: [] for s in servers}
        rounds: dict[str, list[int]] = {s.label: [] for s in servers}
        spent = {s.label: 0.0 for s in servers}
        for n in range(1, args.rounds + 1):
            text = f"# scale {n} {time.time_ns()}\n{template.substitute(parameters(stats, n))}"
            order = servers if n % 2 else servers[::-1]
            for server in order:
                if spent[server.label] > args.query_budget:
                    continue
                answer = get(server.query_url(text), accept_of(name), timeout=args.request_timeout)
                samples[server.label].append((answer.status, answer.seconds))
                rounds[server.label].append(n)
                spent[server.label] += answer.seconds
            if all(v > args.query_budget for v in spent.values()):
                break
        out[name] = {
            label: {**_summary(values), "rounds": rounds[label]}
            for label, values in samples.items()
        }
        log(f"  {name}: " + ", ".join(f"{k} {v['p50_ms']:.1f} ms" for k, v in out[name].items()))
    return out


def _summary(values: list[tuple[int, float]]) -> dict[str, Any]:
    import statistics

    times = [t for _, t in values]
    return {
        "n": len(values),
        "statuses": sorted({s for s, _ in values}),
        "ok": sum(s == 200 for s, _ in values),
        "p50_ms": statistics.median(times) * 1e3 if times else float("nan"),
        "max_ms": max(times) * 1e3 if times else float("nan"),
        "ms": [round(t * 1e3, 2) for t in times],
    }


def pages(
    server: Server, paths: dict[str, str], stats: dict[str, int], args: argparse.Namespace
) -> dict[str, Any]:
    out = {}
    for name, path in paths.items():
        values: list[tuple[int, float]] = []
        spent = 0.0
        for n in range(1, args.page_requests + 1):
            quoted = {k: urllib.parse.quote(str(v)) for k, v in parameters(stats, 100 + n).items()}
            url = server.base + string.Template(path).substitute(quoted)
            answer = get(url, "text/html", timeout=args.request_timeout, keep=False)
            values.append((answer.status, answer.seconds))
            spent += answer.seconds
            if spent > args.page_budget or answer.status in (0, 404):
                break
        out[name] = _summary(values)
        log(f"  page {name}: {out[name]['statuses']} {out[name]['p50_ms']:.1f} ms")
    return out


def dump(server: Server, path: str, accept: str, args: argparse.Namespace) -> dict[str, Any]:
    assert server.sampler is not None
    before = server.sampler.mark()
    answer = get(server.base + path, accept, timeout=args.dump_timeout, keep=False)
    server.sampler.sample()
    result = {
        "status": answer.status,
        "seconds": answer.seconds,
        "first_byte_s": answer.first_byte,
        "bytes": answer.size,
        "lines": answer.lines,
        "dechunked": True,
        "memory_before_mb": before / MB,
        "peak_mb": server.sampler.window_peak / MB,
        "error": answer.error,
    }
    log(f"  dump {server.label}: {result}")
    return result
