"""``treatygraph link``: write the verified Wikidata links into the alignments graph."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.corpus.project import Project
from treatygraph.integration.alignments import (
    DEFAULT_VERIFIED,
    WIKIDATA_FILE,
    VerifiedListError,
    link_project,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verified",
        type=Path,
        default=None,
        help=f"the verified Wikidata list (default: <root>/{DEFAULT_VERIFIED})",
    )
    parser.add_argument(
        "--created",
        default=None,
        metavar="YYYY-MM-DD",
        help="dcterms:created of the linkset (default: kept from the existing file, else today)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"do not write; exit 1 when {WIKIDATA_FILE} is not what the inputs give",
    )


def run(args: argparse.Namespace) -> int:
    """Write graph/alignments/wikidata.ttl; unmatched verified items are reported, not errors."""
    project = Project(args.root)
    verified = args.verified or (args.root / DEFAULT_VERIFIED)
    try:
        text, links, unmatched = link_project(project, verified, args.created)
    except VerifiedListError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.root / WIKIDATA_FILE
    for line in unmatched:
        print(f"not linked: {verified.name} {line}", file=sys.stderr)
    if args.check:
        current = out.read_text("utf-8") if out.is_file() else ""
        if current != text:
            print(f"{out} is out of date: run `treatygraph link`", file=sys.stderr)
            return 1
        print(f"{out} is up to date ({len(links)} links)", file=sys.stderr)
        return 0
    from treatygraph.files import write_atomically

    write_atomically(out, text.encode("utf-8"))
    print(
        f"wrote {out}: {len(links)} links, {len(unmatched)} verified items not linked",
        file=sys.stderr,
    )
    return 0
