"""``treatygraph reconcile``: propose Wikidata candidates for review, or accept them."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from treatygraph.corpus.project import Project
from treatygraph.http import DeadlineExceeded
from treatygraph.integration.candidates import (
    Candidate,
    ReconcileError,
    ask,
    build_query,
    candidates_for,
    unlinked,
)
from treatygraph.integration.reconcile import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT,
    RECONCILED_FILE,
    accepted_rows,
    existing_accepted,
    render_reconciled,
    write_review,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--endpoint",
        metavar="URL",
        help="a Wikidata-compatible SPARQL endpoint to ask for candidates",
    )
    mode.add_argument(
        "--accept",
        type=Path,
        metavar="FILE",
        help=f"turn the review rows marked accept=yes into links in {RECONCILED_FILE}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("review.tsv"),
        help="the review TSV to write (default review.tsv)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"candidates kept per resource (default {DEFAULT_LIMIT})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per query (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--by", default=None, metavar="NAME", help="who accepts the links (default: the login name)"
    )


def run(args: argparse.Namespace) -> int:
    """Propose (exit 0, nothing linked) or accept (exit 0 with links written); 2 on bad input."""
    project = Project(args.root)
    try:
        if args.accept is not None:
            return _accept(project, args)
        return _propose(project, args)
    except ReconcileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _propose(project: Project, args: argparse.Namespace) -> int:
    resources = unlinked(project)
    found: list[Candidate] = []
    for resource in resources:
        query = build_query(resource, args.limit)
        try:
            bindings = ask(args.endpoint, query, args.timeout)
        except ReconcileError as exc:
            if isinstance(exc.__cause__, DeadlineExceeded):
                print(f"timeout: no candidates for {resource.iri}", file=sys.stderr)
                continue
            raise
        found += candidates_for(resource, bindings, args.limit)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    write_review(out, args.endpoint, found)
    with_candidates = len({c.resource.iri for c in found})
    print(
        f"wrote {out}: {len(found)} candidates for {with_candidates} of {len(resources)} "
        "unlinked resources; nothing is linked until you accept rows",
        file=sys.stderr,
    )
    return 0


def _accept(project: Project, args: argparse.Namespace) -> int:
    from treatygraph.files import write_atomically

    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    creator = args.by or getpass.getuser()
    new = accepted_rows(args.accept, project, creator, now)
    out = project.root / RECONCILED_FILE
    links = existing_accepted(out) + new
    if new:
        write_atomically(out, render_reconciled(links).encode("utf-8"))
    print(f"accepted {len(new)} links into {out} ({len(links)} in all)", file=sys.stderr)
    return 0
