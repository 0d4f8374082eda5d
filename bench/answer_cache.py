"""Does the in-process answer cache pay? Repeated requests with it (CACHE_MB=64) and without
(CACHE_MB=0), through the Flask test client over the built project graph (one process, so the
numbers are the app's own cost, without HTTP). Usage::

    .venv/bin/python bench/answer_cache.py [--root .] [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from treatygraph.build.artifact import ensure_built
from treatygraph.testing import app_factory

LOOKUP = (
    "SELECT ?label WHERE { <https://w3id.org/treatygraph/id/donald-trump> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
CASES = [
    ("lookup (SELECT, JSON)", "/sparql", {"query": LOOKUP}, {}),
    ("entity page (HTML)", "/id/donald-trump", {}, {"Accept": "text/html"}),
    ("whole-dataset dump (TriG)", "/dumps/treatygraph.trig", {}, {}),
]


def median_ms(
    client: object, path: str, params: dict[str, str], headers: dict[str, str], repeat: int
) -> float:
    client.get(path, query_string=params, headers=headers)  # type: ignore[attr-defined]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        resp = client.get(path, query_string=params, headers=headers)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
        assert resp.status_code == 200, (path, resp.status_code)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    root = args.root.resolve()
    data = ensure_built(root).path
    with app_factory(DATA_FILES=[str(data)], PROJECT_ROOT=str(root)) as make:
        cached = make(CACHE_MB=64).test_client()
        uncached = make(CACHE_MB=0).test_client()
        print(f"{'request':28} {'cached':>10} {'computed':>10}")
        for name, path, params, headers in CASES:
            repeat = args.repeat if "dump" not in name else max(3, args.repeat // 40)
            hit = median_ms(cached, path, params, headers, repeat)
            miss = median_ms(uncached, path, params, headers, repeat)
            print(f"{name:28} {hit:8.2f} ms {miss:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
