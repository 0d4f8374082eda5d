"""``treatygraph import``: load another dataset into its own named graph, checked and traced."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.integration.imports import (
    DEFAULT_TIMEOUT,
    ImportFailure,
    graph_iri,
    import_source,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="a file path or an http(s) address")
    parser.add_argument(
        "--graph",
        required=True,
        metavar="NAME",
        help="target graph: https://w3id.org/treatygraph/graph/NAME",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="the TOML mapping of a CSV source (see docs/integration.md)",
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        metavar="SUFFIX",
        help="override the format: ttl, nt, nq, trig, rdf, jsonld, n3 or csv",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for an address (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress line and no summary (errors are still printed)",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 when imported, 2 when the input cannot be read or mapped, 1 on shape violations."""
    try:
        result = import_source(
            args.root,
            args.source,
            args.graph,
            mapping_path=args.mapping,
            fmt=args.fmt,
            timeout=args.timeout,
            show_progress=not args.quiet and sys.stderr.isatty(),
        )
    except ImportFailure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    if not args.quiet:
        rows = f" from {result.rows} rows" if result.rows is not None else ""
        note = (
            f"; graph names of {result.renamed_graph_triples} quads replaced by the target"
            if result.renamed_graph_triples
            else ""
        )
        print(
            f"imported {result.triples} triples{rows} into {graph_iri(args.graph)} "
            f"({result.linked} identifiers matched to our resources{note}); wrote {result.path}",
            file=sys.stderr,
        )
    return 0
