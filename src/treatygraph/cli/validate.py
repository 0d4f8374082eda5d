"""``treatygraph validate``: SHACL-validate files, or the project graph; print the report."""

from __future__ import annotations

import argparse
from pathlib import Path

from treatygraph.build.validate import render, validate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="RDF files to validate (default: the project's compiled graph)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "turtle"],
        default="text",
        help="text: one line per result; json or turtle: machine-readable report",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the data conforms, 1 on violations (2, unreadable input, comes from the CLI)."""
    from rdflib.namespace import RDF, SH

    from treatygraph.console import Progress, mode_for
    from treatygraph.corpus.project import Project, load_data, load_files, load_graph, read_all

    project = Project(args.root, args.corpus)
    progress = Progress(mode_for())
    try:
        progress.stage(f"reading {len(args.files)} file(s)" if args.files else "reading the graph")
        data = load_files(args.files) if args.files else load_data(project)
        shapes = read_all(project.shapes_files)
        count = sum(1 for _ in shapes.subjects(RDF.type, SH.NodeShape))
        progress.stage(f"validating {len(data):,} triples against {count} shapes")
        report = validate(data, shapes, load_graph(project, "ontology"))
    finally:
        progress.close()
    print(render(report, args.format))
    return 0 if report.conforms else 1
