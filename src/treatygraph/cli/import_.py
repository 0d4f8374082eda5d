"""``treatygraph import``: load another dataset into its own named graph, checked and traced."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from treatygraph.errors import InputError, Interrupted, OutOfResources
from treatygraph.integration.fetch import (
    DEFAULT_MAX_BYTES,
    ImportFailure,
)
from treatygraph.integration.imports import (
    DEFAULT_TIMEOUT,
    import_path,
    import_source,
    remove_import,
)
from treatygraph.rdf.iris import graph_iri


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", nargs="?", help="a file path or an http(s) address")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--graph", metavar="NAME", help=f"target graph: {graph_iri('NAME')}")
    what.add_argument(
        "--remove",
        metavar="NAME",
        help="withdraw the import NAME (running servers stop serving it within a second)",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="the CSVW metadata of a CSV source (default: SOURCE-metadata.json beside it)",
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
        help=f"seconds for the whole download of an address (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse an address whose body is larger (default {DEFAULT_MAX_BYTES:,})",
    )
    parser.add_argument(
        "--license",
        metavar="IRI",
        help="the source's licence, recorded as dct:license of the import (VoID and DCAT "
        "repeat it), e.g. https://creativecommons.org/licenses/by/4.0/",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="check only: list every problem (cells, names, shapes) and write nothing",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress and no summary (errors are still printed)",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 imported, 1 shape violations, 2 unreadable input, 3 address failed, 4 interrupted,
    5 out of memory or disk; one line (or one line per problem) on stderr, never a traceback."""
    if args.remove:
        if args.source:
            raise InputError(f"--remove {args.remove}: give no SOURCE when removing an import")
        gone = remove_import(args.root, args.remove)
        if not args.quiet:
            print(f"removed {graph_iri(args.remove)} ({gone})", file=sys.stderr)
        return 0
    if not args.source:
        raise InputError(f"--graph {args.graph}: give the SOURCE to import")
    from treatygraph.console import mode_for

    mode = mode_for(quiet=args.quiet)
    out = import_path(args.root, args.graph)
    try:
        result = import_source(
            args.root,
            args.source,
            args.graph,
            mapping_path=args.mapping,
            fmt=args.fmt,
            timeout=args.timeout,
            max_bytes=args.max_bytes,
            show_progress=mode,
            report=args.report,
            license=args.license,
        )
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; nothing imported ({out} is as it was)") from None
    except MemoryError:
        raise OutOfResources(
            f"{args.source}: out of memory while importing; nothing imported ({out} is as it was)"
        ) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc):
            # pyoxigraph's storage reports a full disk as an OSError without an errno
            raise OutOfResources(
                f"no space left on the device of {out.parent} while importing {args.source}; "
                f"nothing imported ({out} is as it was)"
            ) from None
        raise ImportFailure(f"{args.source}: {exc.strerror or exc}") from None
    if args.report:
        if result.problems:
            for line in result.problems:
                print(f"problem: {line}", file=sys.stderr)
            print(f"{len(result.problems)} problem(s); nothing imported", file=sys.stderr)
            return 2 if result.triples == 0 else 1
        print(f"no problems: {result.triples} triples would be imported", file=sys.stderr)
        return 0
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
