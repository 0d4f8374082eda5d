"""The ``treatygraph`` command: one console script, one subcommand per job.

Each subcommand lives in its own module here, named as the command (``import_`` for
``import``), which exposes ``add_arguments(parser)`` and ``run(args) -> int`` and calls into the
domain packages. Only the module of the command given is imported. An
:class:`~treatygraph.errors.Error` becomes one line and its exit code (2 unreadable input, 1 a
failed check); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from treatygraph import __version__
from treatygraph.errors import Error

#: name -> one-line help; the command's module is ``treatygraph.cli.<name>`` (``import_`` for
#: ``import``). Order is the order of ``treatygraph --help``.
COMMANDS: dict[str, str] = {
    "validate": "validate RDF files (default: the project graph) with SHACL",
    "register": "add a document to the corpus from a saved web page or a text file",
    "draft": "write a draft of a registered document's facts for review, or evaluate drafting",
    "anchor": "compute quote offsets in graph/ sources from each document's text",
    "build": "compile, verify anchors, validate and write sorted N-Quads",
    "stats": "counts per class and named graph, and mention coverage",
    "docs": "write the ontology's HTML documentation",
    "export": "write the dataset or one named graph in an RDF format",
    "link": "write the verified Wikidata links into the alignments graph",
    "reconcile": "propose Wikidata candidates for review, or accept them",
    "import": "load another dataset into its own named graph",
    "serve": "serve the SPARQL endpoint and pages with gunicorn",
    "nginx": "print an nginx configuration for running behind nginx (docs/deploy/)",
}


def module_of(name: str) -> str:
    return f"treatygraph.cli.{name}_" if keyword.iskeyword(name) else f"treatygraph.cli.{name}"


def make_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Build the argument parser: every command, with the options of the one ``argv`` names.

    Only that command's module is imported (``serve`` does not load the SHACL validator to
    read its flags); without ``argv``, every command's options are added.
    """
    parser = argparse.ArgumentParser(
        prog="treatygraph",
        description="An open knowledge graph of arms control: build, check and serve it.",
        # no prefixes: "--update-token SECRET" must not pass as --update-token-file (and ps)
        allow_abbrev=False,
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
    wanted = set(COMMANDS) if argv is None else set(argv) & set(COMMANDS)
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            allow_abbrev=False,
        )
        if name in wanted:
            module = importlib.import_module(module_of(name))
            module.add_arguments(command)
            command.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: an :class:`Error` is one line and its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = make_parser(argv).parse_args(argv)
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
