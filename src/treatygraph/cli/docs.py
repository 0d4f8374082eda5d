"""``treatygraph docs``: write the ontology's HTML documentation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.build.ontodoc import render_html


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="write the HTML here (default: standard output)")


def run(args: argparse.Namespace) -> int:
    from treatygraph.corpus.project import Project, read_all

    html = render_html(read_all(Project(args.root).ontology_files))
    if args.out:
        args.out.write_text(html, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(html)
    return 0
