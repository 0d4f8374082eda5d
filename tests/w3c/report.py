"""Print the Markdown tables of docs/conformance.md from the runs' JSON summaries.

Usage (from the repository root, after running the suites for each target)::

    TREATYGRAPH_W3C_TARGET=ours .venv/bin/pytest tests/w3c
    TREATYGRAPH_W3C_TARGET=oxigraph .venv/bin/pytest tests/w3c
    .venv/bin/python -m tests.w3c.report
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .expectations import load

ARTIFACTS = Path("test-artifacts")


def main() -> int:
    runs = {}
    for target in ("ours", "oxigraph"):
        path = ARTIFACTS / f"w3c-{target}.json"
        if path.exists():
            runs[target] = {
                (g["suite"], g["group"]): g for g in json.loads(path.read_text())["groups"]
            }
    if not runs:
        print("no test-artifacts/w3c-*.json: run the suites first", file=sys.stderr)
        return 1
    keys = sorted({k for r in runs.values() for k in r})
    head = " | ".join(f"{t} pass / total" for t in runs)
    print(f"| suite | group | {head} |")
    print("|---|---|" + "---|" * len(runs))
    totals = {t: [0, 0] for t in runs}
    for key in keys:
        cells = []
        for t, r in runs.items():
            g = r.get(key)
            if g is None:
                cells.append("–")
                continue
            cells.append(f"{g.get('passed', 0)} / {g['total']}")
            totals[t][0] += g.get("passed", 0)
            totals[t][1] += g["total"]
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")
    print("| **all** | | " + " | ".join(f"**{p} / {n}**" for p, n in totals.values()) + " |")
    print()
    exp = load()
    by_iri: dict[str, list] = {}
    for (target, iri), e in sorted(exp.items()):
        by_iri.setdefault(iri, []).append((target, e))
    print("| test | targets | category | reason |")
    print("|---|---|---|---|")
    for iri, entries in by_iri.items():
        e = entries[0][1]
        short = iri.split("data-sparql11/", 1)[-1].replace("/manifest#", "/")
        targets = ", ".join(sorted(t for t, _ in entries))
        print(f"| `{short}` | {targets} | {e.category} | {e.reason} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
