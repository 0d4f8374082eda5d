"""The ``treatygraph`` command: one console script, one subcommand per job.

Each subcommand lives in its own module, which exposes ``add_arguments(parser)`` and
``run(args) -> int``. Errors that are the user's (bad input) become a message and exit code 2
(unreadable input) or 1 (input that fails a check); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from treatygraph import __version__
from treatygraph.errors import Error

#: name -> (module, one-line help). Order is the order of ``treatygraph --help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": (
        "treatygraph.build.validate",
        "validate RDF files (default: the project graph) with SHACL",
    ),
    "register": (
        "treatygraph.corpus.register",
        "add a document to the corpus from a saved web page or a text file",
    ),
    "draft": (
        "treatygraph.corpus.draft",
        "write a draft of a registered document's facts for review, or evaluate drafting",
    ),
    "anchor": (
        "treatygraph.corpus.anchors",
        "compute quote offsets in graph/ sources from each document's text",
    ),
    "build": (
        "treatygraph.build.compile",
        "compile, verify anchors, validate and write sorted N-Quads",
    ),
    "stats": ("treatygraph.build.stats", "counts per class and named graph, and mention coverage"),
    "docs": ("treatygraph.build.ontodoc", "write the ontology's HTML documentation"),
    "export": (
        "treatygraph.linkeddata.export",
        "write the dataset or one named graph in an RDF format",
    ),
    "link": (
        "treatygraph.integration.alignments",
        "write the verified Wikidata links into the alignments graph",
    ),
    "reconcile": (
        "treatygraph.integration.reconcile",
        "propose Wikidata candidates for review, or accept them",
    ),
    "import": ("treatygraph.integration.imports", "load another dataset into its own named graph"),
    "serve": ("treatygraph.web.serve", "serve the SPARQL endpoint and pages with gunicorn"),
}


def make_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand's own options."""
    parser = argparse.ArgumentParser(
        prog="treatygraph",
        description="An open knowledge graph of arms control: build, check and serve it.",
    )
    parser.add_argument("--version", action="version", version=f"treatygraph {__version__}")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="the project checkout (default: the current directory)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="the directory of source texts (default: $TREATYGRAPH_CORPUS, else "
        "../shared/sources beside the checkout); texts whose rights allow it are also "
        "read from the checkout's corpus/",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(
            name, help=help_text, description=help_text[0].upper() + help_text[1:] + "."
        )
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: an :class:`Error` is one line and its exit code."""
    args = make_parser().parse_args(argv)
    args.root = args.root.resolve()
    args.corpus = args.corpus.resolve() if args.corpus else None
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # the reader went away (`... | head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Error as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a file that cannot be read or written, named by the OS
        print(f"error: {exc}", file=sys.stderr)
        return 2
