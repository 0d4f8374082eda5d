"""``treatygraph build``: compile, verify anchors, validate, write the artifact (sorted N-Quads).

A failed build raises before anything is written, and the output is replaced atomically, so the
last good dataset stays in place. The output is byte-identical for the same input. Beside it a
manifest records what it was built from (:mod:`treatygraph.build.artifact`), so ``serve`` and
the other commands use it without building again until a source changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.build.artifact import ARTIFACT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=ARTIFACT, help=f"output N-Quads file (default {ARTIFACT})"
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="also load the dataset (and any imports) into a new on-disk pyoxigraph store at DIR, "
        "for `treatygraph serve --store DIR`; DIR is replaced only once the load succeeded",
    )


def run(args: argparse.Namespace) -> int:
    from treatygraph.build.artifact import fingerprint, record, write_store
    from treatygraph.build.compile import checked
    from treatygraph.console import Progress, mode_for
    from treatygraph.corpus.project import Project, imported_files

    progress = Progress(mode_for())
    try:
        progress.stage("compiling the corpus, checking anchors and validating against the shapes")
        source_hash = fingerprint(args.root, args.corpus)
        result = checked(Project(args.root, args.corpus))
        data = result.nquads()
        out = args.out if args.out.is_absolute() else args.root / args.out
        quads = data.count(b"\n")
        progress.stage(f"writing {out} ({quads:,} quads)")
        record(out, data, source_hash)
        if args.store:
            store = args.store if args.store.is_absolute() else args.root / args.store
            progress.stage(f"loading the dataset and imports into the on-disk store {store}")
            write_store(store, data, imported_files(args.root))
    finally:
        progress.close()
    for check in result.documents:
        print(check.summary(), file=sys.stderr)
    warnings = (
        [r for r in result.report.results if r.severity != "Violation"] if result.report else []
    )
    print(f"SHACL (all graphs): 0 violations, {len(warnings)} warnings", file=sys.stderr)
    counts = ", ".join(f"{name} {len(g)}" for name, g in result.graphs.items())
    print(f"wrote {out} ({quads} quads: {counts})", file=sys.stderr)
    if args.store:
        print(f"wrote the on-disk store {store}", file=sys.stderr)
    return 0
