"""Experiment only: run ``treatygraph serve`` with gunicorn options the CLI does not expose.

Used by ``bench/run.py --variant`` to measure what a serving change would buy *before*
anyone edits the endpoint. The app, the store, the executor and the cache are exactly
those of ``treatygraph serve``; only gunicorn's options are overridden, e.g.::

    python bench/serve_variant.py --gunicorn worker_class=gthread --gunicorn threads=1 \\
        --gunicorn keepalive=5 -- --data /tmp/bench-large.nq --port 8000 --workers 2

(``gthread`` with one thread keeps connections alive while still running one request
at a time per worker, which is what the executor and the parsers assume.)

(The cache fast path it once prototyped is now ``treatygraph.sparql.fastpath``.)
"""

from __future__ import annotations

import argparse
import sys

from treatygraph.web import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--gunicorn",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="gunicorn setting to override (int values are converted)",
    )
    args, rest = parser.parse_known_args(argv)
    if rest and rest[0] == "--":
        rest = rest[1:]
    overrides: dict[str, object] = {}
    for item in args.gunicorn:
        key, _, value = item.partition("=")
        overrides[key] = int(value) if value.lstrip("-").isdigit() else value
    original_init = serve.GunicornServer.__init__

    def patched_init(self, app, options):  # type: ignore[no-untyped-def]
        original_init(self, app, {**options, **overrides})

    serve.GunicornServer.__init__ = patched_init  # type: ignore[method-assign]
    return serve.main(rest)


if __name__ == "__main__":
    sys.exit(main())
