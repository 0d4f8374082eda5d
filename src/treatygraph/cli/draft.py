"""``treatygraph draft``: write a draft of a registered document's facts for review, or evaluate
drafting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treatygraph.corpus.draft import (
    DRAFT_FILE,
    DraftError,
    evaluate,
    make_draft,
    render_draft,
    render_mentions,
)
from treatygraph.corpus.mentions import MENTIONS_FILE
from treatygraph.corpus.project import Project
from treatygraph.files import write_atomically


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slugs", nargs="*", metavar="SLUG", help="registered documents")
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="draft each curated document (default: all) against the rest of the graph and "
        "print precision and recall against its curated facts; write nothing",
    )
    parser.add_argument(
        "--out", type=Path, help="write the draft here (default: the document's folder)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing draft")


def run(args: argparse.Namespace) -> int:
    project = Project(args.root, args.corpus)
    if args.evaluate:
        for slug, quotes, speakers, mentions, dates in evaluate(project, args.slugs):
            print(f"{slug}:")
            right = f"{speakers.right}/{speakers.proposed}" if speakers.proposed else "n/a"
            print(f"  quotations  {quotes.show()}; speaker right for {right}")
            print(f"  mentions    {mentions.show()}")
            print(f"  dates       {dates.show()}")
        return 0
    if len(args.slugs) != 1:
        raise DraftError("name one registered document to draft (or use --evaluate)")
    draft = make_draft(project, args.slugs[0])
    folder = args.out or draft.document.folder
    targets = {
        folder / DRAFT_FILE: render_draft(draft),
        folder / MENTIONS_FILE: render_mentions(draft),
    }
    for path in targets:
        if path.exists() and not args.force:
            raise DraftError(f"{path} exists; review or remove it, or pass --force")
    for path, content in targets.items():
        write_atomically(path, content.encode("utf-8"))
    print(
        f"wrote {', '.join(str(p) for p in targets)}: {len(draft.quotes)} quotations, "
        f"{len(draft.mentions)} mentions, {len(draft.dates)} date phrases; review them, delete "
        "each file's first line, then `treatygraph build`",
        file=sys.stderr,
    )
    return 0
