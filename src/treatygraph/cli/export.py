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
the last build) and the imports in ``imports/``; or ``--input`` N-Quads. It is loaded into a
temporary store on disk and written by the server's own dump writer
(:func:`treatygraph.linkeddata.dumps.write_dump_file`), so memory stays near flat at any size,
the output is deterministic, and it holds the statements of the server's ``/dumps/`` file
(JSON-LD names the context by ``--context-url``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from treatygraph.errors import InputError
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


def run(args: argparse.Namespace) -> int:
    try:
        fmt = formats.named(args.format)
    except ValueError as err:
        raise InputError(str(err)) from None
    if args.graph is None and fmt not in dumps.DATASET_FORMATS:
        raise InputError(
            f"{fmt.name} holds one graph: give --graph NAME, or use trig/nquads "
            "for the whole dataset"
        )
    if args.input is not None:
        sources = [args.input if args.input.is_absolute() else args.root / args.input]
        if not sources[0].is_file():
            raise InputError(f"{sources[0]}: no such file")
    else:  # the dataset as served: the built graphs and the imports
        from treatygraph.build.artifact import ensure_built
        from treatygraph.corpus.project import imported_files

        built = ensure_built(args.root, corpus=args.corpus, say=_say).path
        sources = [built, *imported_files(args.root)]
    to_stdout = str(args.out) == "-"
    compress = bool(args.gzip) or (not to_stdout and args.out.suffix == ".gz")
    out = None if to_stdout else args.out if args.out.is_absolute() else args.root / args.out
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
    # The data goes into a store on disk beside the output, and the file is written from it
    # as the server writes its dumps: memory stays flat at any size, and a failed export
    # leaves the previous file as it was.
    work = Path(tempfile.mkdtemp(prefix=".treatygraph-export-", dir=out.parent if out else None))
    try:
        return _export(args, fmt, sources, out, compress, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export(
    args: argparse.Namespace,
    fmt: formats.Format,
    sources: list[Path],
    out: Path | None,
    compress: bool,
    work: Path,
) -> int:
    import pyoxigraph as ox

    from treatygraph.console import Progress, mode_for
    from treatygraph.files import publish_mode, write_atomically
    from treatygraph.store.oxigraph import OxigraphEngine, bulk_load_nquads

    progress = Progress(mode_for())
    try:
        progress.stage("loading " + ", ".join(p.name for p in sources))
        store = ox.Store(str(work / "store"))
        bulk_load_nquads(store, sources)
        engine = OxigraphEngine(store)
        names = engine.graph_names()
        graph = None
        if args.graph is not None:
            try:
                graph = dumps.resolve_graph(args.graph, names)
            except ValueError as err:
                raise InputError(str(err)) from None
        what = "the whole dataset" if graph is None else f"<{graph}>"
        spec = dumps.DumpSpec(out.name if out else "stdout", fmt, graph, compress)
        progress.stage(f"writing {what} as {fmt.name}")
        if spec.streamed:
            written = dumps.write_dump_file(engine, spec, str(work))
            size = written.size
            if out is None:
                with written.path.open("rb") as body:
                    shutil.copyfileobj(body, sys.stdout.buffer)
            else:
                publish_mode(written.path)
                os.replace(written.path, out)
        else:
            graphs = dumps.graphs_read(spec, names)
            data = dumps.render_spec(
                dumps.DatasetQuads.of_graphs(engine, graphs), spec, args.context_url
            )
            size = len(data)
            if out is None:
                sys.stdout.buffer.write(data)
            else:
                write_atomically(out, data)
    finally:
        progress.close()
    if out is None:
        sys.stdout.flush()
        return 0
    print(
        f"wrote {out} ({what}, {fmt.name}{', gzip' if compress else ''}, {size} bytes)",
        file=sys.stderr,
    )
    return 0
