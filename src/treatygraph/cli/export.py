"""``treatygraph export``: write the dataset, or one named graph, in a chosen RDF format.

Examples::

    treatygraph export --format trig --out dist/treatygraph.trig
    treatygraph export --format nq --out dist/treatygraph.nq.gz          # gzipped by suffix
    treatygraph export --format ttl --graph background --out dist/background.ttl
    treatygraph export --format jsonld --graph https://w3id.org/treatygraph/graph/ontology \\
        --out ontology.jsonld --gzip
    treatygraph export --input build/treatygraph.nq --format nt --graph background --out bg.nt

The data is the dataset the server serves: the built artifact
(:func:`treatygraph.build.artifact.ensure_built`: built first only if the sources changed since
the last build) and the imports in ``imports/``; or ``--input`` N-Quads. The output is
deterministic (see :mod:`treatygraph.linkeddata.dumps`) and is the same as the server's
``/dumps/`` files, except that JSON-LD names the context by ``--context-url``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.linkeddata import dumps
from treatygraph.linkeddata.context import CONTEXT_IRI
from treatygraph.rdf import formats


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        "-f",
        required=True,
        metavar="F",
        help="trig or nquads (nq) for the whole dataset; turtle (ttl), "
        "ntriples (nt), jsonld or rdfxml (rdf) for one --graph",
    )
    parser.add_argument(
        "--out",
        "-o",
        required=True,
        type=Path,
        metavar="PATH",
        help="output file, relative to --root like `build --out` ('-' for "
        "standard output); a .gz suffix gzips",
    )
    parser.add_argument(
        "--graph",
        "-g",
        metavar="NAME",
        help="one named graph: a document's slug, background, ontology, alignments "
        "or a full graph IRI (default: the whole dataset)",
    )
    parser.add_argument("--gzip", action="store_true", help="gzip the output")
    parser.add_argument(
        "--input",
        type=Path,
        metavar="NQ",
        help="export these N-Quads instead of the project's built graph",
    )
    parser.add_argument(
        "--context-url",
        default=CONTEXT_IRI,
        metavar="URL",
        help=f"JSON-LD @context reference (default {CONTEXT_IRI})",
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        fmt = formats.named(args.format)
    except ValueError as err:
        return _fail(str(err))
    if args.graph is None and fmt not in dumps.DATASET_FORMATS:
        return _fail(
            f"{fmt.name} holds one graph: give --graph NAME, or use trig/nquads "
            "for the whole dataset"
        )
    if args.input is not None:
        sources = [args.input if args.input.is_absolute() else args.root / args.input]
    else:  # the dataset as served: the built graphs and the imports
        from treatygraph.build.artifact import ensure_built
        from treatygraph.corpus.project import imported_files

        built = ensure_built(args.root, corpus=args.corpus, say=_say).path
        sources = [built, *imported_files(args.root)]
    nquads = b"\n".join(path.read_bytes() for path in sources)
    data = dumps.DatasetQuads.of_nquads(nquads)
    graph = None
    if args.graph is not None:
        try:
            graph = dumps.resolve_graph(args.graph, data.graph_names)
        except ValueError as err:
            return _fail(str(err))
    to_stdout = str(args.out) == "-"
    compress = bool(args.gzip) or (not to_stdout and args.out.suffix == ".gz")
    from treatygraph.console import Progress, mode_for

    progress = Progress(mode_for())
    try:
        what = "the whole dataset" if graph is None else f"<{graph}>"
        progress.stage(f"rendering {what} as {fmt.name}")
        body = dumps.render(data, fmt, graph, compress=compress, context_url=args.context_url)
    finally:
        progress.close()
    if to_stdout:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return 0
    from treatygraph.files import write_atomically

    out = args.out if args.out.is_absolute() else args.root / args.out  # as `build --out`
    write_atomically(out, body)
    print(
        f"wrote {out} ({what}, {fmt.name}{', gzip' if compress else ''}, {len(body)} bytes)",
        file=sys.stderr,
    )
    return 0
